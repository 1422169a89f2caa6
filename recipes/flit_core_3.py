"""flit-core 3, the backend for sdists that pin ``flit_core<4``; from its sdist.

The set's ``flit_core`` is 4.x, and many projects (click, jinja2, flask, …) ask for
``flit_core<4`` in ``[build-system] requires``. Like nixpkgs' versioned attributes, this is
the last 3.x release beside it. It builds itself: its ``pyproject.toml`` names no requirement
and loads the backend from the source tree (``backend-path``).

Its tests do not run in the check phase: they need pytest, and pytest's own
dependencies (tomli and exceptiongroup on 3.10, flit-scm's users) build with flit-core 3 from
their sdists, so an overlay that takes one of them from its sdist would close a cycle
(nixpkgs' flit-core runs its tests in a derivation of their own for the same reason).
"""


def recipe(build_python_package, fetch_pypi):
    version = "3.12.0"
    return build_python_package(
        pname="flit-core",
        version=version,
        src=fetch_pypi(
            "flit-core", version, hash="sha256-GPYxANb5Q4XG7VenIHNEPhpxpKy0M5SRYV0PFtb/AbI="
        ),
    )
