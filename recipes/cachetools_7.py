"""cachetools 7, the last release line for CPython 3.10; from its sdist (setuptools,
setuptools-scm).

cachetools 8 dropped Python 3.10, so on 3.10 the set's ``cachetools`` is this one (see
cachetools.py). setuptools-scm reads the version from the sdist's PKG-INFO. No runtime
dependencies.

Its test suite runs in the check phase.
"""


def recipe(build_python_package, fetch_pypi, setuptools, setuptools_scm, pytest):
    version = "7.3.3"
    return build_python_package(
        pname="cachetools",
        version=version,
        src=fetch_pypi(
            "cachetools", version, hash="sha256-RukpBfWAyxN8SZuexqzXPVacLDVC3f6yhmGGheVcs0A="
        ),
        build_system=[setuptools, setuptools_scm],
        check_inputs=[pytest],
    )
