"""referencing, JSON reference resolution (jsonschema needs it); from its wheel.

It needs attrs and rpds-py (typing-extensions below Python 3.13).
"""


def recipe(build_python_package, fetch_pypi, python, attrs, rpds_py, typing_extensions):
    backports = [typing_extensions] if python.version_info < (3, 13) else []
    version = "0.37.0"
    return build_python_package(
        pname="referencing",
        version=version,
        format="wheel",
        src=fetch_pypi(
            "referencing",
            version,
            kind="wheel",
            hash="sha256-OBMpqfmWKMkGk2FxaJHTStlK925GHcsDNYJa7MdpIjE=",
        ),
        dependencies=[attrs, rpds_py, *backports],
    )
