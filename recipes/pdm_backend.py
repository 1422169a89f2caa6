"""pdm-backend, the PEP 517 backend of PDM; from its wheel (it builds itself, vendored).

It installs into the namespace package ``pdm`` (no ``__init__``), so the imports check names
the backend module.
"""


def recipe(build_python_package, fetch_pypi):
    version = "2.5.0"
    return build_python_package(
        pname="pdm-backend",
        version=version,
        format="wheel",
        src=fetch_pypi(
            "pdm-backend",
            version,
            kind="wheel",
            hashes={
                "pdm_backend-2.5.0-py3-none-any.whl": (
                    "sha256-W4dGtWehah/VBs5m7ijonUY3RSb1IjiqG5bMLAgkXGM="
                ),
            },
        ),
        imports_check=["pdm.backend"],
    )
