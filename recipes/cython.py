"""Cython, the compiler of Python-like code to C extensions; from its pure-Python wheel.

Cython also publishes compiled wheels (a compiler about twice as fast), one per interpreter and
platform; the pure ``py3-none-any`` wheel is chosen here (``tags``) because one file then
serves every CPython 3.10-3.14 on every platform, at the price of slower Cython runs in the
builds that use it (numpy_from_source).
"""


def recipe(build_python_package, fetch_pypi):
    version = "3.3.1"
    return build_python_package(
        pname="cython",
        version=version,
        format="wheel",
        src=fetch_pypi(
            "cython",
            version,
            kind="wheel",
            tags=("py3-none-any",),
            hashes={
                "cython-3.3.1-py3-none-any.whl": (
                    "sha256-YavH/u3SDaxsT/erOjDhcTagZ7JCq5JT4rSm2acsK2E="
                ),
            },
        ),
        meta={
            "description": "The Cython compiler for writing C extensions in Python",
            "homepage": "https://cython.org",
            "license": "Apache-2.0",
        },
    )
