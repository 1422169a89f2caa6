"""blinker, in-process signals (flask's signals); from its sdist (flit-core 3: ``flit_core<4``).

Its test suite runs in the check phase, with pytest-asyncio (its loop scope set, as the
unset default warns and upstream turns warnings into errors).
"""


def recipe(build_python_package, fetch_pypi, flit_core_3, pytest, pytest_asyncio):
    version = "1.9.0"
    return build_python_package(
        pname="blinker",
        version=version,
        src=fetch_pypi(
            "blinker", version, hash="sha256-tM4iZaer7ORefMiW6Y2+vmzq1WvPgFo9IxNtFF9URb8="
        ),
        build_system=[flit_core_3],
        check_inputs=[pytest, pytest_asyncio],
        pytest_flags=["-o", "asyncio_default_fixture_loop_scope=function"],
    )
