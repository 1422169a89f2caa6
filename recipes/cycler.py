"""cycler, composable style cycles (matplotlib's property cycles); from its sdist (setuptools).

Its sdist ships no tests, so none run in the check phase.
"""


def recipe(build_python_package, fetch_pypi, setuptools):
    version = "0.12.1"
    return build_python_package(
        pname="cycler",
        version=version,
        src=fetch_pypi(
            "cycler", version, hash="sha256-iLsSjwK6NB2o70RyRanhOPrnd/aiOUPaRUAHfTYB6xw="
        ),
        build_system=[setuptools],
    )
