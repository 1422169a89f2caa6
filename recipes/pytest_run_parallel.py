"""pytest-run-parallel, tests run in several threads (pydantic's suite marks tests with it); from
its wheel. Without its options, tests run once, as usual.
"""


def recipe(build_python_package, fetch_pypi, pytest):
    version = "0.10.0"
    return build_python_package(
        pname="pytest-run-parallel",
        version=version,
        format="wheel",
        src=fetch_pypi(
            "pytest-run-parallel",
            version,
            kind="wheel",
            hash="sha256-cS6W9NrD59wU7/dH/7pBgAMNsR/yL9YlE9nPgSiaFoE=",
        ),
        dependencies=[pytest],
    )
