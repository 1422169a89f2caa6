"""soupsieve, CSS selectors for Beautiful Soup; from its sdist (hatchling).

It declares no runtime dependency, yet ``import soupsieve`` imports ``bs4``, and
beautifulsoup4 depends on soupsieve: the pair is a cycle, which a closure cannot hold. As in
nixpkgs, the cycle is cut here: this package has no imports check of its own, and
beautifulsoup4's imports check imports ``soupsieve`` too, with both in its closure. Its
Requires-Python is ``>=3.11.5`` (its patterns use possessive quantifiers): before it the set's
``soupsieve`` is ``soupsieve_2`` (soupsieve 2.10, its last release for 3.10).

Its test suite runs in the check phase with a beautifulsoup4 built on this soupsieve with
its checks off (the set's beautifulsoup4 needs the set's soupsieve: a cycle again).
"""


def recipe(
    build_python_package, fetch_pypi, hatchling, pytest, beautifulsoup4, python, soupsieve_2
):
    if python.version_info < (3, 11, 5):
        return soupsieve_2
    version = "4.1.3"
    unchecked = build_python_package(
        pname="soupsieve",
        version=version,
        src=fetch_pypi(
            "soupsieve", version, hash="sha256-E/cBhsj0C/jQ/3u6sJoY+xSWALRlJpIHteW1iPVf2gg="
        ),
        build_system=[hatchling],
        imports_check=[],
        do_check=False,
    )
    bs4 = beautifulsoup4.override(soupsieve=unchecked).override_python_attrs(do_check=False)
    return unchecked.override_python_attrs(do_check=True, check_inputs=[pytest, bs4])
