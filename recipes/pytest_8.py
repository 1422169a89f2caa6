"""pytest 8, for test suites that pytest 9 broke (flask's conftest uses
``_pytest.monkeypatch.notset``, which pytest 9 removed); from its wheel, beside ``pytest`` 9 as
nixpkgs keeps pytest_7 and pytest_8 beside pytest. Below Python 3.11 it needs exceptiongroup and
tomli too.
"""


def recipe(
    build_python_package,
    fetch_pypi,
    python,
    iniconfig,
    packaging,
    pluggy,
    pygments,
    exceptiongroup,
    tomli,
    colorama=None,  # on Windows alone: a set of its own may leave it out
):
    version = "8.4.2"
    backports = [exceptiongroup, tomli] if python.version_info < (3, 11) else []
    windows = [colorama] if python.platform_system == "Windows" else []
    return build_python_package(
        pname="pytest",
        version=version,
        format="wheel",
        src=fetch_pypi(
            "pytest",
            version,
            kind="wheel",
            hash="sha256-hy+IDeP8OlvciKEbOclxDDSXpUfPqTILw8XmL78nLnk=",
        ),
        dependencies=[iniconfig, packaging, pluggy, pygments, *backports, *windows],
    )
