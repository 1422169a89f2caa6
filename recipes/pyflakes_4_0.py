"""pyflakes 4.0, the last release line for CPython 3.10; from its sdist (legacy setuptools
backend).

pyflakes 4.1 dropped Python 3.10, so on 3.10 the set's ``pyflakes`` is this one (see
pyflakes.py). It has no ``pyproject.toml``. No runtime dependencies; the ``pyflakes`` command
is in ``bin/``.

Its test suite runs in the check phase.
"""


def recipe(build_python_package, fetch_pypi, setuptools, pytest):
    version = "4.0.3"
    return build_python_package(
        pname="pyflakes",
        version=version,
        src=fetch_pypi(
            "pyflakes", version, hash="sha256-lHYqOlo0Onmyh1T5bFVLzgV6WSpIlpB9c/A2n+gk4FM="
        ),
        build_system=[setuptools],
        check_inputs=[pytest],
    )
