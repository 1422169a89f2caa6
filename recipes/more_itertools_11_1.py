"""more-itertools 11.1, the last release for CPython 3.10; from its sdist (flit-core 3).

more-itertools 11.2 dropped Python 3.10, so on 3.10 the set's ``more_itertools`` is this one
(see more_itertools.py). Its sdist builds with flit-core 3 (``flit_core >=3.12,<4``). No
runtime dependencies.

Its test suite runs in the check phase.
"""


def recipe(build_python_package, fetch_pypi, flit_core_3, pytest):
    version = "11.1.0"
    return build_python_package(
        pname="more-itertools",
        version=version,
        src=fetch_pypi(
            "more-itertools", version, hash="sha256-SOj02eflh4Vx7PbytOV2NPk81HTMjPvSN28tEbOW4w0="
        ),
        build_system=[flit_core_3],
        check_inputs=[pytest],
    )
