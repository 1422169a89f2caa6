"""pytest, the test runner of check phases; from its wheel (its sdist needs setuptools-scm).

It needs iniconfig, packaging, pluggy and pygments, and exceptiongroup and tomli below Python
3.11, and colorama on Windows.
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
    version = "9.2.0"
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
            hashes={
                "pytest-9.2.0-py3-none-any.whl": (
                    "sha256-B6zc+I7BdPkH3AGvcL9S1JsBS7qwP67q3jHJaxjC5Yg="
                ),
            },
        ),
        dependencies=[iniconfig, packaging, pluggy, pygments, *backports, *windows],
    )
