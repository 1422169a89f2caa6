"""jsonschema, JSON Schema validation (every test of pydantic checks its schemas with it); from its
wheel, as the check phases' other tools.
"""


def recipe(
    build_python_package, fetch_pypi, attrs, jsonschema_specifications, referencing, rpds_py
):
    version = "4.26.0"
    return build_python_package(
        pname="jsonschema",
        version=version,
        format="wheel",
        src=fetch_pypi(
            "jsonschema",
            version,
            kind="wheel",
            hash="sha256-1InxUmO40gD4OH5ktMOnXwZilVn7c964/ftSXy2rUM4=",
        ),
        dependencies=[attrs, jsonschema_specifications, referencing, rpds_py],
    )
