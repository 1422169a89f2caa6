"""pyproject-hooks, the caller side of PEP 517 hooks; from its wheel (a bootstrap tool)."""


def recipe(build_python_package, fetch_pypi):
    version = "1.3.3"
    return build_python_package(
        pname="pyproject-hooks",
        version=version,
        format="wheel",
        src=fetch_pypi(
            "pyproject-hooks",
            version,
            kind="wheel",
            hashes={
                "pyproject_hooks-1.3.3-py3-none-any.whl": (
                    "sha256-X8U/2sn3vWP7zcho+1+QtHhNeKU6PTOIzXOLgHRBogs="
                ),
            },
        ),
    )
