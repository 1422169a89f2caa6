"""tomli, the TOML parser that became ``tomllib`` in Python 3.11; from its sdist, pure Python.

Only Python 3.10 needs it: hatchling, setuptools-scm, vcs-versioning, pytest and others ask for
it below 3.11. Its sdist builds with flit-core and ships no tests.
"""


def recipe(build_python_package, fetch_pypi, flit_core):
    version = "2.5.0"
    return build_python_package(
        pname="tomli",
        version=version,
        src=fetch_pypi(
            "tomli", version, hash="sha256-JkUHVWzYuMjnxu4DfN9EOkY/A/TJWOVxlePTaXEbj/Y="
        ),
        build_system=[flit_core],
    )
