"""pytz, the Olson time zone database for Python; from its sdist (legacy setuptools backend).

It has no ``pyproject.toml``; its ``setup.py`` imports the package from the source tree for
the version. No runtime dependencies. pandas 3 needs it only for its ``timezone`` extra.

Its test suite runs in the check phase.
"""


def recipe(build_python_package, fetch_pypi, setuptools, pytest):
    version = "2026.6"
    return build_python_package(
        pname="pytz",
        version=version,
        src=fetch_pypi("pytz", version, hash="sha256-Ow/CcncHZj1uUXk29ET9ioskDx/DL0v37gMnQkWUUoQ="),
        build_system=[setuptools],
        check_inputs=[pytest],
    )
