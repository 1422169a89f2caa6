"""versioneer, version strings from git tags baked into a project; from its sdist (setuptools).

fipy's ``setup.py`` imports it. Below Python 3.11 its build reads ``pyproject.toml`` with
tomli, and so does its ``toml`` extra; from 3.11 nothing more is needed at build or run time.
"""


def recipe(build_python_package, fetch_pypi, python, setuptools, tomli):
    version = "0.29"
    backports = [tomli] if python.version_info < (3, 11) else []
    return build_python_package(
        pname="versioneer",
        version=version,
        src=fetch_pypi(
            "versioneer", version, hash="sha256-WrKDuYVyEdYbUzGLfHks9o55jnZe4Xwnren2ySQjVzE="
        ),
        build_system=[setuptools, *backports],
    )
