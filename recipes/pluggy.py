"""pluggy, the plugin system of pytest and hatchling; from its wheel.

Its sdist needs setuptools-scm, which would make it wait for the scm stack.
"""


def recipe(build_python_package, fetch_pypi):
    version = "1.7.0"
    return build_python_package(
        pname="pluggy",
        version=version,
        format="wheel",
        src=fetch_pypi(
            "pluggy",
            version,
            kind="wheel",
            hashes={
                "pluggy-1.7.0-py3-none-any.whl": (
                    "sha256-fdew2IMro8tjLDBpJt7RI0KSEbg2QbNdxcQa0tNPm+w="
                ),
            },
        ),
    )
