"""Hypothesis, property-based testing (attrs', dateutil's and idna's test suites); from its wheel.

6.155.7 is its last pure-Python release (one wheel for every interpreter and platform); later
ones carry a Rust extension. It needs sortedcontainers (exceptiongroup only below 3.11).
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
    )
