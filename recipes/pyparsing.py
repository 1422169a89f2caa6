"""pyparsing, a PEG parsing library (matplotlib's mathtext uses it); from its sdist (flit-core).

No runtime dependencies. Its ``diagrams`` extra (railroad-diagrams, jinja2) is left out: there
is no railroad-diagrams recipe.

Its test suite runs in the check phase, but for the railroad diagrams (railroad-diagrams
is not in the set).
"""


def recipe(build_python_package, fetch_pypi, flit_core, pytest):
    version = "3.3.3"
    return build_python_package(
        pname="pyparsing",
        version=version,
        src=fetch_pypi(
            "pyparsing", version, hash="sha256-korn4gIR87bzkVpy8GoM/SmrnSQnndY0a2sacUY5fTY="
        ),
        build_system=[flit_core],
        check_inputs=[pytest],
        disabled_test_paths={
            "tests/test_diagram.py": "needs railroad-diagrams (not in the set)",
            "tests/test_examples.py::TestExamples::test_range_check": "draws a railroad diagram",
        },
    )
