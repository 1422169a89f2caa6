"""versioneer, version strings from git tags baked into a project; from its sdist (setuptools).

fipy's ``setup.py`` imports it. Below Python 3.11 its build reads ``pyproject.toml`` with
tomli, and so does its ``toml`` extra; from 3.11 nothing more is needed at build or run time.

Its test suite runs in the check phase, but for the git tests (they import
pkg_resources, gone from setuptools, and run git and pip) and the renderer mixins that
pytest collects by name.
"""


def recipe(build_python_package, fetch_pypi, python, setuptools, tomli, pytest):
    version = "0.29"
    backports = [tomli] if python.version_info < (3, 11) else []
    return build_python_package(
        pname="versioneer",
        version=version,
        src=fetch_pypi(
            "versioneer", version, hash="sha256-WrKDuYVyEdYbUzGLfHks9o55jnZe4Xwnren2ySQjVzE="
        ),
        build_system=[setuptools, *backports],
        check_inputs=[pytest],
        disabled_test_paths={
            "test/git": "imports pkg_resources (gone from setuptools 81 on), runs git and pip"
        },
        disabled_tests={
            "case_mixin": "the mixins of the renderer test classes, which pytest collects by"
            " their names (upstream runs unittest)"
        },
    )
