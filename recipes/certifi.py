"""certifi, Mozilla's CA bundle for Python; from its sdist (setuptools).

2026.10.18 is the newest release with an sdist (2026.10.19.post1 was published as a wheel only).

Its test suite runs in the check phase.
"""


def recipe(build_python_package, fetch_pypi, setuptools, pytest):
    version = "2026.10.18"
    return build_python_package(
        pname="certifi",
        version=version,
        src=fetch_pypi(
            "certifi", version, hash="sha256-uZldl7ZNBDGlr4N9jKjNYjgQTR8xnwS9k+pDEk1shh4="
        ),
        build_system=[setuptools],
        check_inputs=[pytest],
    )
