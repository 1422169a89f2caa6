"""pydantic-core, the Rust validation core of pydantic; from its binary wheel.

Building it needs Rust and maturin, so the wheel is used. pydantic pins it exactly
(``pydantic-core==2.50.5`` for pydantic 2.14.4); it needs typing-extensions at run time.
The hash pins the file for CPython 3.11 on manylinux x86_64
(pydantic_core-2.50.5-cp311-cp311-manylinux2014_x86_64.manylinux_2_17_x86_64.whl).
"""


def recipe(build_python_package, fetch_pypi, typing_extensions):
    version = "2.50.5"
    return build_python_package(
        pname="pydantic-core",
        version=version,
        format="wheel",
        src=fetch_pypi(
            "pydantic-core",
            version,
            kind="wheel",
            hash="sha256-SIMZB27JKQi5H8YmXOdh8deHSPafhVGFZP0WvzM+G3A=",
        ),
        dependencies=[typing_extensions],
    )
