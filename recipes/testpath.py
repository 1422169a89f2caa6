"""testpath, assertions on files and fake commands for tests (flit-core's test suite); from
its wheel, as the check phases' other tools (its sdist needs flit-core 3, whose tests need it).
"""


def recipe(build_python_package, fetch_pypi):
    version = "0.6.0"
    return build_python_package(
        pname="testpath",
        version=version,
        format="wheel",
        src=fetch_pypi(
            "testpath",
            version,
            kind="wheel",
            hash="sha256-itqfgKKsb7A5GqfNsafRHPqEKfaT7ag/dN3lcP5vpjk=",
        ),
    )
