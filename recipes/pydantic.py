"""pydantic, data validation with type hints; from its sdist (hatchling, fancy README).

The Rust core comes from pydantic-core's wheel, pinned to the exact version this release
asks for. The ``email`` extra (email-validator) is left out: no recipe; ``timezone`` needs
tzdata only on Windows.
"""


def recipe(
    build_python_package,
    fetch_pypi,
    hatchling,
    hatch_fancy_pypi_readme,
    typing_extensions,
    annotated_types,
    pydantic_core,
    typing_inspection,
):
    version = "2.14.4"
    return build_python_package(
        pname="pydantic",
        version=version,
        src=fetch_pypi(
            "pydantic", version, hash="sha256-fBnx1G+KzPVaRhemEW4a3mSECHDzl7hGosU/uQGUFLo="
        ),
        build_system=[hatchling, hatch_fancy_pypi_readme],
        dependencies=[typing_extensions, annotated_types, pydantic_core, typing_inspection],
    )
