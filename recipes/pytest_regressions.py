"""pytest-regressions, data and file regression fixtures (markdown-it's test suite); from its
wheel, as the check phases' other tools.
"""


def recipe(build_python_package, fetch_pypi, pytest, pytest_datadir, pyyaml):
    version = "2.11.0"
    return build_python_package(
        pname="pytest-regressions",
        version=version,
        format="wheel",
        src=fetch_pypi(
            "pytest-regressions",
            version,
            kind="wheel",
            hash="sha256-/LK7z7L9olZiTUNMiMseQANme34HjuQISIfPg5u9+DE=",
        ),
        dependencies=[pytest, pytest_datadir, pyyaml],
    )
