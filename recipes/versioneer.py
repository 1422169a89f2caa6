"""versioneer, version strings from git tags baked into a project; from its sdist (setuptools).

fipy's ``setup.py`` imports it. Its ``toml`` extra needs tomli only below Python 3.11, so
nothing more is needed at build or run time here.
"""


def recipe(build_python_package, fetch_pypi, setuptools):
    version = "0.29"
    return build_python_package(
        pname="versioneer",
        version=version,
        src=fetch_pypi(
            "versioneer", version, hash="sha256-WrKDuYVyEdYbUzGLfHks9o55jnZe4Xwnren2ySQjVzE="
        ),
        build_system=[setuptools],
    )
