"""idna, internationalised domain names (IDNA 2008, UTS #46); from its sdist (flit-core).

Its test suite runs in the check phase, the property tests (Hypothesis) too.
"""


def recipe(build_python_package, fetch_pypi, flit_core, pytest, hypothesis):
    version = "3.20"
    return build_python_package(
        pname="idna",
        version=version,
        src=fetch_pypi("idna", version, hash="sha256-p9uFACW5Xe0eropGGBoabFbJLJbw4rAF2f+NwCEMq0Q="),
        build_system=[flit_core],
        check_inputs=[pytest, hypothesis],
    )
