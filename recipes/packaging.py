"""packaging: versions, specifiers, markers and tags (PEP 440/508/425); from its wheel.

Nearly every build backend needs it, and its own sdist needs flit-core: the wheel keeps the
bootstrap short.
"""


def recipe(build_python_package, fetch_pypi):
    version = "26.3"
    return build_python_package(
        pname="packaging",
        version=version,
        format="wheel",
        src=fetch_pypi(
            "packaging",
            version,
            kind="wheel",
            hashes={
                "packaging-26.3-py3-none-any.whl": (
                    "sha256-1xk/fI5Ok/RE/eAmK/kK8w4W+grQrUTLVTyHM5sjzRw="
                ),
            },
        ),
    )
