"""dirty-equals, declarative equality for assertions (pydantic's test suite); from its wheel."""


def recipe(build_python_package, fetch_pypi):
    version = "0.11"
    return build_python_package(
        pname="dirty-equals",
        version=version,
        format="wheel",
        src=fetch_pypi(
            "dirty-equals",
            version,
            kind="wheel",
            hash="sha256-sdcJMnP8L5vhL0Q6jq2VTvbar2dG/ULvOlYWQz7oUoY=",
        ),
    )
