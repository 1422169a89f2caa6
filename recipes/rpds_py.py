"""rpds-py, persistent data structures in Rust (referencing needs them); from its binary wheel.

Building it needs a Rust toolchain. The hash pins the CPython 3.11 manylinux x86_64 wheel
(rpds_py-0.30.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl); 0.30.0 is the
last release that supports Python 3.10.
"""


def recipe(build_python_package, fetch_pypi):
    version = "0.30.0"
    return build_python_package(
        pname="rpds-py",
        version=version,
        format="wheel",
        src=fetch_pypi(
            "rpds-py",
            version,
            kind="wheel",
            hash="sha256-M/VZ8xBFBFBqRLtma5OjP10zEzdlsMIWpb8vHhUDr4k=",
        ),
    )
