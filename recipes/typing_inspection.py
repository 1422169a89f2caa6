"""typing-inspection, runtime introspection of type hints (pydantic uses it); from its sdist.

It builds with hatchling and needs typing-extensions at run time.

Its test suite runs in the check phase.
"""


def recipe(build_python_package, fetch_pypi, hatchling, typing_extensions, pytest):
    version = "0.4.5"
    return build_python_package(
        pname="typing-inspection",
        version=version,
        src=fetch_pypi(
            "typing-inspection",
            version,
            hash="sha256-fxbEEeeTDceVltQqtEZyo/5fYOs0t4GhZH54cjYxIMc=",
        ),
        build_system=[hatchling],
        dependencies=[typing_extensions],
        check_inputs=[pytest],
    )
