"""toolz, functional utilities for iterables, functions and dicts; from its sdist.

It builds with setuptools and setuptools-git-versioning, which reads the version from the
sdist's PKG-INFO. It installs ``toolz`` and ``tlz`` (the Cython-or-pure alias package).

Its test suite runs in the check phase.
"""


def recipe(build_python_package, fetch_pypi, setuptools, setuptools_git_versioning, pytest):
    version = "1.2.0"
    return build_python_package(
        pname="toolz",
        version=version,
        src=fetch_pypi(
            "toolz", version, hash="sha256-lmegOOnW7Lo3mV4myy9Z7GQgtq2N2Wd95Z25uVawhJA="
        ),
        build_system=[setuptools, setuptools_git_versioning],
        check_inputs=[pytest],
    )
