"""setuptools, the default PEP 517 backend; from its wheel (it cannot build itself)."""


def recipe(build_python_package, fetch_pypi):
    version = "84.2.1"
    return build_python_package(
        pname="setuptools",
        version=version,
        format="wheel",
        src=fetch_pypi(
            "setuptools",
            version,
            kind="wheel",
            hashes={
                "setuptools-84.2.1-py3-none-any.whl": (
                    "sha256-yhQLRdUyWpR4+IDjUUhPYv7xXzNkYuRJygwDyHPVicI="
                ),
            },
        ),
    )
