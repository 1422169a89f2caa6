"""hatchling, the PEP 517 backend of Hatch; from its wheel (its sdist builds with itself).

Its runtime dependencies (and tomli below Python 3.11) are dependencies here, so a
``build_system=[hatchling]`` brings them to the build.
"""


def recipe(
    build_python_package,
    fetch_pypi,
    python,
    packaging,
    pathspec,
    pluggy,
    tomlkit,
    trove_classifiers,
    tomli,
):
    version = "1.33.0"
    backports = [tomli] if python.version_info < (3, 11) else []
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
        dependencies=[packaging, pathspec, pluggy, tomlkit, trove_classifiers, *backports],
    )
