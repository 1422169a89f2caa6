"""coverage.py, code coverage (typer's tests run their examples under ``coverage run``); from
its pure-Python wheel, as the check phases' other tools.

The pure wheel (no C tracer: slower, same results) is one file for every interpreter and
platform, so ``tags`` asks for it rather than for this interpreter's compiled one. 7.9.2 is
the last release with a pure wheel that still supports Python 3.10.
"""


def recipe(build_python_package, fetch_pypi):
    version = "7.9.2"
    return build_python_package(
        pname="coverage",
        version=version,
        format="wheel",
        src=fetch_pypi(
            "coverage",
            version,
            kind="wheel",
            tags=("py3-none-any",),
            hashes={
                "coverage-7.9.2-py3-none-any.whl": (
                    "sha256-5CXNWwD2/A7Xzb12bHC+i6q0t4OeTU/l+sSFgd2WjqQ="
                ),
            },
        ),
    )
