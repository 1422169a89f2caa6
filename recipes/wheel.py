"""wheel: bdist_wheel for old setuptools, and the `wheel` tool; from its wheel."""


def recipe(build_python_package, fetch_pypi, packaging):
    version = "0.48.0"
    return build_python_package(
        pname="wheel",
        version=version,
        format="wheel",
        src=fetch_pypi(
            "wheel",
            version,
            kind="wheel",
            hashes={
                "wheel-0.48.0-py3-none-any.whl": (
                    "sha256-MhfcyAcVXkXbRi1+8kMfXd2g1yc7cA0FpnsnHOsSh6s="
                ),
            },
        ),
        dependencies=[packaging],
    )
