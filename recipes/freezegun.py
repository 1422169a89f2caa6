"""freezegun, a frozen clock for tests (itsdangerous' and dateutil's test suites); from its
wheel, as the check phases' other tools. It needs python-dateutil.
"""


def recipe(build_python_package, fetch_pypi, python_dateutil):
    version = "1.5.5"
    return build_python_package(
        pname="freezegun",
        version=version,
        format="wheel",
        src=fetch_pypi(
            "freezegun",
            version,
            kind="wheel",
            hash="sha256-zVV/SnXPB06EvDdCSbndSR6urNYTdrnrPEIygiEWGdI=",
        ),
        dependencies=[python_dateutil],
    )
