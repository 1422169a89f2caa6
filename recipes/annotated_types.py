"""annotated-types, reusable constraint types for ``typing.Annotated``; from its sdist (hatchling).

pydantic needs it. No runtime dependencies on Python 3.11.

Its test suite runs in the check phase.
"""


def recipe(build_python_package, fetch_pypi, hatchling, pytest):
    version = "0.8.0"
    return build_python_package(
        pname="annotated-types",
        version=version,
        src=fetch_pypi(
            "annotated-types", version, hash="sha256-E7K+qtmF4F4tZAfuTE81WQsR+NaTolilYQVcrI9kyrc="
        ),
        build_system=[hatchling],
        check_inputs=[pytest],
    )
