"""jsonschema-specifications, the JSON Schema meta-schemas (jsonschema needs them); from its
wheel.
"""


def recipe(build_python_package, fetch_pypi, referencing):
    version = "2025.9.1"
    return build_python_package(
        pname="jsonschema-specifications",
        version=version,
        format="wheel",
        src=fetch_pypi(
            "jsonschema-specifications",
            version,
            kind="wheel",
            hash="sha256-mIAv7joR7nbsrKREKf2opBv/mLAKDyg4FRsRPyEMxv4=",
        ),
        dependencies=[referencing],
    )
