"""flit-core 3, the backend for sdists that pin ``flit_core<4``; from its sdist.

The set's ``flit_core`` is 4.x, and many projects (click, jinja2, flask, …) ask for
``flit_core<4`` in ``[build-system] requires``. Like nixpkgs' versioned attributes, this is
the last 3.x release beside it. It builds itself: its ``pyproject.toml`` names no requirement
and loads the backend from the source tree (``backend-path``).

Its test suite runs in the check phase, with testpath.
"""


def recipe(build_python_package, fetch_pypi, pytest, testpath):
    version = "3.12.0"
    return build_python_package(
        pname="flit-core",
        version=version,
        src=fetch_pypi(
            "flit-core", version, hash="sha256-GPYxANb5Q4XG7VenIHNEPhpxpKy0M5SRYV0PFtb/AbI="
        ),
        check_inputs=[pytest, testpath],
    )
