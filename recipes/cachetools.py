"""cachetools, memoizing collections and decorators; from its sdist (setuptools, setuptools-scm).

setuptools-scm reads the version from the sdist's PKG-INFO. No runtime dependencies. Its
Requires-Python is ``>=3.11``: on CPython 3.10 the set's ``cachetools`` is ``cachetools_7``
(cachetools 7.3, its last release line for 3.10).

Its test suite runs in the check phase.
"""


def recipe(
    build_python_package, fetch_pypi, setuptools, setuptools_scm, pytest, python, cachetools_7
):
    if python.version_info < (3, 11):
        return cachetools_7
    version = "8.0.2"
    return build_python_package(
        pname="cachetools",
        version=version,
        src=fetch_pypi(
            "cachetools", version, hash="sha256-MKxSOt/BGLUdKy57rYoN2zE3Df4nAMfxDKIk82zPgeA="
        ),
        build_system=[setuptools, setuptools_scm],
        check_inputs=[pytest],
    )
