"""hatch-fancy-pypi-readme, the hatchling metadata hook that assembles a README; from its sdist.

attrs, pydantic and python-dateutil build with it (hatchling). On Python 3.11 it needs only
hatchling at run time (tomli below 3.11).

Its test suite runs in the check phase, but for the end-to-end tests, which build a
project with ``python -m build`` (it installs hatchling from the network).
"""


def recipe(build_python_package, fetch_pypi, hatchling, pytest):
    version = "25.1.0"
    return build_python_package(
        pname="hatch-fancy-pypi-readme",
        version=version,
        src=fetch_pypi(
            "hatch-fancy-pypi-readme",
            version,
            hash="sha256-nFjtPf+Q1R9DQUzjcAmtHVsPCP/J/CFpmKBjgPAcAEU=",
        ),
        build_system=[hatchling],
        dependencies=[hatchling],
        check_inputs=[pytest],
        disabled_test_paths={
            "tests/test_end_to_end.py": "runs python -m build, which installs hatchling from"
            " the network"
        },
    )
