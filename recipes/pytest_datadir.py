"""pytest-datadir, test data folders as fixtures (pytest-regressions needs it); from its wheel.

1.8.0, not 1.9: 1.9 requires Python 3.11, and the set also serves 3.10.
"""


def recipe(build_python_package, fetch_pypi, pytest):
    version = "1.8.0"
    return build_python_package(
        pname="pytest-datadir",
        version=version,
        format="wheel",
        src=fetch_pypi(
            "pytest-datadir",
            version,
            kind="wheel",
            hash="sha256-XGd7wJfZB6xxykGBCa3Dq+NM8L3f5s94rs+6vZahXPA=",
        ),
        dependencies=[pytest],
    )
