"""flit-core, the PEP 517 backend of flit; from its wheel."""


def recipe(build_python_package, fetch_pypi):
    version = "4.2.0"
    return build_python_package(
        pname="flit-core",
        version=version,
        format="wheel",
        src=fetch_pypi(
            "flit-core",
            version,
            kind="wheel",
            hashes={
                "flit_core-4.2.0-py3-none-any.whl": (
                    "sha256-K+4i3IuonC41tOGtV15ZaqyUXIVnLdjzytIbYpA24EQ="
                ),
            },
        ),
    )
