"""Hypothesis, property-based testing (numpy's test suite needs it); from its wheel.

6.155.7 is the newest release with a pure ``py3-none-any`` wheel (later ones ship compiled
wheels per interpreter and platform). ``exceptiongroup`` is needed below Python 3.11 only (no
recipe yet); the extras (cli, numpy, pandas, …) are left out.
"""


def recipe(build_python_package, fetch_pypi, sortedcontainers):
    version = "6.155.7"
    return build_python_package(
        pname="hypothesis",
        version=version,
        format="wheel",
        src=fetch_pypi(
            "hypothesis",
            version,
            kind="wheel",
            hash="sha256-n2NL2x+em4q2uglDHPLe7bdQyWl4Elpvs8Wg9sbbQTE=",
        ),
        dependencies=[sortedcontainers],
        meta={
            "description": "A library for property-based testing",
            "homepage": "https://hypothesis.works",
            "license": "MPL-2.0",
        },
    )
