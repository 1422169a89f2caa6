"""ephemeral-port-reserve, a free local port for a test server (werkzeug's test suite); from
its wheel.
"""


def recipe(build_python_package, fetch_pypi):
    version = "1.1.4"
    return build_python_package(
        pname="ephemeral-port-reserve",
        version=version,
        format="wheel",
        src=fetch_pypi(
            "ephemeral-port-reserve",
            version,
            kind="wheel",
            hash="sha256-2ujamUIsZDu1JHjtVdWoQoCZCSORZWujcm/zDIAWAMg=",
        ),
    )
