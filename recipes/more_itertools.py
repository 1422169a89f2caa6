"""more-itertools, more routines for iterables; from its sdist (flit-core 4). No runtime deps.

Its Requires-Python is ``>=3.11``: on CPython 3.10 the set's ``more_itertools`` is
``more_itertools_11_1`` (more-itertools 11.1, its last release for 3.10).

Its test suite runs in the check phase.
"""


def recipe(build_python_package, fetch_pypi, flit_core, pytest, python, more_itertools_11_1):
    if python.version_info < (3, 11):
        return more_itertools_11_1
    version = "11.2.1"
    return build_python_package(
        pname="more-itertools",
        version=version,
        src=fetch_pypi(
            "more-itertools", version, hash="sha256-y/CP0K8oTcaXGLm3ao5iA99iTXAgnqUR5CGdNQyFb2M="
        ),
        build_system=[flit_core],
        check_inputs=[pytest],
    )
