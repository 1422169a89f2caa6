"""pyparsing, a PEG parsing library (matplotlib's mathtext uses it); from its sdist (flit-core).

No runtime dependencies. Its ``diagrams`` extra (railroad-diagrams, jinja2) is left out: there
is no railroad-diagrams recipe.
"""


def recipe(build_python_package, fetch_pypi, flit_core):
    version = "3.3.3"
    return build_python_package(
        pname="pyparsing",
        version=version,
        src=fetch_pypi(
            "pyparsing", version, hash="sha256-korn4gIR87bzkVpy8GoM/SmrnSQnndY0a2sacUY5fTY="
        ),
        build_system=[flit_core],
    )
