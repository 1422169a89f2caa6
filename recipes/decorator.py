"""decorator, signature-preserving decorators; from its sdist (setuptools). No runtime deps."""


def recipe(build_python_package, fetch_pypi, setuptools):
    version = "5.3.1"
    return build_python_package(
        pname="decorator",
        version=version,
        src=fetch_pypi(
            "decorator", version, hash="sha256-TLzdVabvrbnb6ia4WPT7MmRWe1LWnKDSW3IbVT9g6oI="
        ),
        build_system=[setuptools],
    )
