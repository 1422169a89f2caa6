"""typing-extensions, backports of new typing features; from its wheel (its sdist uses flit)."""


def recipe(build_python_package, fetch_pypi):
    version = "4.16.0"
    return build_python_package(
        pname="typing-extensions",
        version=version,
        format="wheel",
        src=fetch_pypi(
            "typing-extensions",
            version,
            kind="wheel",
            hashes={
                "typing_extensions-4.16.0-py3-none-any.whl": (
                    "sha256-SByqSBN06BPBsXatoU6X8fZ6RTnOnP6z81DXjWNwwug="
                ),
            },
        ),
    )
