"""Werkzeug, the WSGI toolkit under flask; from its sdist (flit-core).

It needs MarkupSafe at run time. The ``watchdog`` extra (its reloader) is left out: no recipe.
"""


def recipe(build_python_package, fetch_pypi, flit_core, markupsafe):
    version = "3.1.9"
    return build_python_package(
        pname="werkzeug",
        version=version,
        src=fetch_pypi(
            "werkzeug", version, hash="sha256-Vcp8cKdWib6TeqJ/j/SwGPBv9IOPxzBFVgvw9aEpEGA="
        ),
        build_system=[flit_core],
        dependencies=[markupsafe],
    )
