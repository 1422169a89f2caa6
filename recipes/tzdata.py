"""tzdata, the IANA time zone database as a Python package; from its sdist (setuptools, wheel).

``zoneinfo`` falls back to it where the system has no zone files; python-dateutil 4 reads it.

Its test suite runs in the check phase.
"""


def recipe(build_python_package, fetch_pypi, setuptools, wheel, pytest):
    version = "2026.6"
    return build_python_package(
        pname="tzdata",
        version=version,
        src=fetch_pypi(
            "tzdata", version, hash="sha256-hdLNnAn4HwuynbJ3WfyDr08eYg77gU+MW/i0zE/uzm0="
        ),
        build_system=[setuptools, wheel],
        check_inputs=[pytest],
    )
