"""Typer, command-line interfaces from type hints; from its sdist (pdm-backend).

Since 0.2x it carries its own copy of click and validates parameters with pydantic, so on
Linux it needs pydantic, shellingham, rich and annotated-doc at run time (and colorama on
Windows). The ``typer`` command is installed in ``bin/``. Its Requires-Python is ``>=3.11``:
on CPython 3.10 the set's ``typer`` is ``typer_0_29_1`` (typer 0.29.1, its last release for
3.10).

Its test suite runs in the check phase (about 1,600 tests, 2 minutes: its examples run
under ``coverage run``), with the environment of upstream's scripts/test.sh.
"""


def recipe(
    build_python_package,
    fetch_pypi,
    pdm_backend,
    pydantic,
    shellingham,
    rich,
    annotated_doc,
    pytest,
    coverage,
    python,
    typer_0_29_1,
    colorama=None,  # on Windows alone: a set of its own may leave it out
):
    if python.version_info < (3, 11):
        return typer_0_29_1
    version = "0.29.2"
    windows = [colorama] if python.platform_system == "Windows" else []
    return build_python_package(
        pname="typer",
        version=version,
        src=fetch_pypi(
            "typer", version, hash="sha256-sZmNxfLD3tr6FRepUh+pRMxNwfrc6ghdgaOxDryusHU="
        ),
        build_system=[pdm_backend],
        dependencies=[pydantic, shellingham, rich, annotated_doc, *windows],
        check_inputs=[pytest, coverage],
        # As its scripts/test.sh: wide help screens, and no terminal styling.
        env={"TERMINAL_WIDTH": "3000", "_TYPER_FORCE_DISABLE_TERMINAL": "1"},
        disabled_tests={
            "tests/test_types_file.py::test_binary_stderr": "its script imports tests.utils,"
            " which only pytest-xdist's sys.path finds"
        },
    )
