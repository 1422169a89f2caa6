"""FiPy, a finite volume PDE solver (NIST); from its sdist, pure Python.

It builds with setuptools and versioneer (the sdist's ``_version.py`` already holds the
version). At run time it needs numpy, scipy (its default solvers), matplotlib (its viewers),
and typer with typing-extensions (its ``fipy_test``, ``fipy_changelog`` and
``fipy_copy_script`` commands). Upstream's pyproject.toml also declares a ``versioneer``
console script running ``versioneer:main``, a module the wheel does not ship (versioneer is
only a build tool): the script could never start, so it is dropped.

Its tests do not run: they are doctests for its own runner (``fipy_test``, with numpy's
legacy print options and its optional solvers); under pytest a third of them fail on
formatting alone.
"""


def recipe(
    build_python_package,
    fetch_pypi,
    setuptools,
    versioneer,
    numpy,
    scipy,
    matplotlib,
    typer,
    typing_extensions,
):
    version = "4.0.3"
    return build_python_package(
        pname="fipy",
        version=version,
        src=fetch_pypi("fipy", version, hash="sha256-fUOtik9hmE3sy/Euyf05hJ6PNpQ8IzqeLXcoELSR8N8="),
        build_system=[setuptools, versioneer],
        dependencies=[numpy, scipy, matplotlib, typer, typing_extensions],
        remove_scripts={"versioneer": "upstream's entry point names a module the wheel lacks"},
    )
