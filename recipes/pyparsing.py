"""pyparsing, a PEG parsing library (matplotlib's mathtext uses it); from its sdist (flit-core).

No runtime dependencies. Its ``diagrams`` extra (railroad-diagrams, jinja2) is left out: there
is no railroad-diagrams recipe.

Its test suite runs in the check phase, but for the railroad diagrams (railroad-diagrams
is not in the set) and the 9 slowest tests (``SLOW``, 2 to 8 s each: random nested and
numeric expressions parsed again under each packrat setting, random regular expressions
compressed). On CI's two cores those 9 took 43 s of the suite's 101 s, and CI runs the suite
on three interpreters (matplotlib needs pyparsing); each setting's other tests still run.
"""

_UNIT = "tests/test_unit.py::Test"
SLOW = [
    *(
        f"{_UNIT}{case}::testNestedExpressionRandom"
        for case in (
            "04_WithPackrat",
            "06_WithBoundedPackrat",
            "08_WithUnboundedPackrat",
            "09_WithLeftRecursionParsing",
            "10_WithLeftRecursionParsingBoundedMemo",
        )
    ),
    *(
        f"{_UNIT}{case}::testNumericExpressions"
        for case in ("04_WithPackrat", "06_WithBoundedPackrat", "08_WithUnboundedPackrat")
    ),
    "tests/test_util.py::test_make_compressed_re_random",
]


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
            **dict.fromkeys(SLOW, "slow (2-8 s): see the recipe's docstring"),
        },
    )
