"""decorator, signature-preserving decorators; from its sdist (setuptools). No runtime deps.

Its test suite (``tests/test.py``, which pytest does not collect by name) runs in the
check phase.
"""


def recipe(build_python_package, fetch_pypi, setuptools, pytest):
    version = "5.3.1"
    return build_python_package(
        pname="decorator",
        version=version,
        src=fetch_pypi(
            "decorator", version, hash="sha256-TLzdVabvrbnb6ia4WPT7MmRWe1LWnKDSW3IbVT9g6oI="
        ),
        build_system=[setuptools],
        check_inputs=[pytest],
        pytest_flags=["tests/test.py"],
    )
