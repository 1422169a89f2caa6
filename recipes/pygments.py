"""Pygments, syntax highlighting (pytest colours its tracebacks with it); from its wheel."""


def recipe(build_python_package, fetch_pypi):
    version = "2.21.0"
    return build_python_package(
        pname="pygments",
        version=version,
        format="wheel",
        src=fetch_pypi(
            "pygments",
            version,
            kind="wheel",
            hashes={
                "pygments-2.21.0-py3-none-any.whl": (
                    "sha256-I2PGm2HEqXyDjaOxMNzWRo9ISJkrIagvKmPsNDdxN9k="
                ),
            },
        ),
    )
