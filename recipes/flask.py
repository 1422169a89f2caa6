"""Flask, the WSGI micro web framework; from its sdist (flit-core 3: ``flit_core<4``).

On Python 3.11 it needs blinker, click, itsdangerous, jinja2, markupsafe and werkzeug at run
time (importlib-metadata only below 3.10). The ``async`` (asgiref) and ``dotenv``
(python-dotenv) extras are left out: no recipes. The ``flask`` command is in ``bin/``.

Its test suite runs in the check phase with pytest 8 (its conftest uses
``_pytest.monkeypatch.notset``, gone in pytest 9), but for the async view (asgiref is not in
the set) and one test that expects an older werkzeug.
"""


def recipe(
    build_python_package,
    fetch_pypi,
    flit_core_3,
    blinker,
    click,
    itsdangerous,
    jinja2,
    markupsafe,
    werkzeug,
    pytest_8,
):
    version = "3.1.3"
    return build_python_package(
        pname="flask",
        version=version,
        src=fetch_pypi(
            "flask", version, hash="sha256-DvDlK4qc2TKFU3kZfdj5QEezWcoKeGlRRDBMtF+Hyes="
        ),
        build_system=[flit_core_3],
        dependencies=[blinker, click, itsdangerous, jinja2, markupsafe, werkzeug],
        check_inputs=[pytest_8],
        disabled_tests={
            "tests/test_helpers.py::TestStreaming::test_async_view": "needs asgiref (the async"
            " extra), not in the set",
            "tests/test_reqctx.py::test_bad_environ_raises_bad_request": "expects werkzeug"
            " 3.1.3's answer; 3.1.9 gives 404 (upstream, fails outside pybuild too)",
        },
    )
