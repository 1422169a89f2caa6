"""Meson, the build system behind meson-python (numpy, scipy); from its sdist (setuptools).

Pure Python, no runtime dependencies; it runs ninja, which the recipes that build with it
list in ``native_build_inputs``.

Its tests do not run: meson's suite (``run_tests.py``) builds hundreds of C, C++ and
Fortran projects with their compilers, far beyond a check phase.
"""


def recipe(build_python_package, fetch_pypi, setuptools):
    version = "1.12.1"
    return build_python_package(
        pname="meson",
        version=version,
        src=fetch_pypi(
            "meson", version, hash="sha256-qwpsoJ+O9wxWTIJB+1ojlXiGoLU/tYQSteB+rwfbp0M="
        ),
        build_system=[setuptools],
        meta={
            "description": "A high performance build system",
            "homepage": "https://mesonbuild.com",
            "license": "Apache-2.0",
        },
    )
