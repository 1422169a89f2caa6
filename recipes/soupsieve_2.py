"""soupsieve 2, the last release line for CPython 3.10 (and 3.11 before 3.11.5); from its
sdist (hatchling).

soupsieve 4 requires Python 3.11.5 (its patterns use possessive quantifiers), so before it the
set's ``soupsieve`` is this one (see soupsieve.py). As soupsieve 4, it declares no runtime
dependency, yet ``import soupsieve`` imports ``bs4``, and beautifulsoup4 depends on soupsieve:
the cycle is cut here as there, with no imports check of its own.

Its test suite runs in the check phase with a beautifulsoup4 built on this soupsieve with
its checks off.
"""


def recipe(build_python_package, fetch_pypi, hatchling, pytest, beautifulsoup4):
    version = "2.10"
    unchecked = build_python_package(
        pname="soupsieve",
        version=version,
        src=fetch_pypi(
            "soupsieve", version, hash="sha256-Sek4DX0pBUY1g7r+KF6BjHNmqe17Ou4iHBrHnJBdi8A="
        ),
        build_system=[hatchling],
        imports_check=[],
        do_check=False,
    )
    bs4 = beautifulsoup4.override(soupsieve=unchecked).override_python_attrs(do_check=False)
    return unchecked.override_python_attrs(do_check=True, check_inputs=[pytest, bs4])
