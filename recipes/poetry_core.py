"""poetry-core, the PEP 517 backend of Poetry; from its wheel (it builds itself, vendored).

It installs the namespace package ``poetry`` (no ``__init__``), so the imports check names
the backend module.
"""


def recipe(build_python_package, fetch_pypi):
    version = "2.5.0"
    return build_python_package(
        pname="poetry-core",
        version=version,
        format="wheel",
        src=fetch_pypi(
            "poetry-core",
            version,
            kind="wheel",
            hashes={
                "poetry_core-2.5.0-py3-none-any.whl": (
                    "sha256-mO5GW2b34Uu5++aPteANDP8YTwNpk+yUYQrktWEvOt0="
                ),
            },
        ),
        imports_check=["poetry.core", "poetry.core.masonry.api"],
    )
