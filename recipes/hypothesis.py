"""Hypothesis, property-based testing (numpy's, attrs', dateutil's and idna's test suites);
from its wheel.

6.155.7 is its last pure-Python release (one wheel for every interpreter and platform); later
ones carry a Rust extension. It needs sortedcontainers, and exceptiongroup below Python 3.11;
the extras (cli, numpy, pandas, …) are left out.
"""


def recipe(build_python_package, fetch_pypi, python, sortedcontainers, exceptiongroup):
    version = "6.155.7"
    backports = [exceptiongroup] if python.version_info < (3, 11) else []
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
        dependencies=[sortedcontainers, *backports],
        meta={
            "description": "A library for property-based testing",
            "homepage": "https://hypothesis.works",
            "license": "MPL-2.0",
        },
    )
