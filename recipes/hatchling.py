"""hatchling, the PEP 517 backend of Hatch; from its wheel (its sdist builds with itself).

Its runtime dependencies on Python 3.11 (tomli only below 3.11) are dependencies here, so a
``build_system=[hatchling]`` brings them to the build.
"""


def recipe(
    build_python_package, fetch_pypi, packaging, pathspec, pluggy, tomlkit, trove_classifiers
):
    version = "1.33.0"
    return build_python_package(
        pname="hatchling",
        version=version,
        format="wheel",
        src=fetch_pypi(
            "hatchling",
            version,
            kind="wheel",
            hashes={
                "hatchling-1.33.0-py3-none-any.whl": (
                    "sha256-QVKQuE9GTSiEMD/KiXTTjnuFV5Bp+rAqFdsIKPuxRG0="
                ),
            },
        ),
        dependencies=[packaging, pathspec, pluggy, tomlkit, trove_classifiers],
    )
