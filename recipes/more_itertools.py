"""more-itertools, more routines for iterables; from its sdist (flit-core 4). No runtime deps.

Its Requires-Python is ``>=3.11``: on CPython 3.10 the attribute is unsupported (``pybuild
build --all`` names the reason).

Its test suite runs in the check phase.
"""


def recipe(build_python_package, fetch_pypi, flit_core, pytest):
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
