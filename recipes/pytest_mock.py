"""pytest-mock, the ``mocker`` fixture (shellingham's and requests' test suites); from its wheel."""


def recipe(build_python_package, fetch_pypi, pytest):
    version = "3.17.0"
    return build_python_package(
        pname="pytest-mock",
        version=version,
        format="wheel",
        src=fetch_pypi(
            "pytest-mock",
            version,
            kind="wheel",
            hash="sha256-G4KqSzcTcki9aHBV4QlyPevrB7SJ3hVlKX3JWJxfLWs=",
        ),
        dependencies=[pytest],
    )
