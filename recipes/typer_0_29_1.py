"""Typer 0.29.1, the last release for CPython 3.10; from its sdist (pdm-backend).

Typer 0.29.2 dropped Python 3.10, so on 3.10 the set's ``typer`` is this one (see typer.py),
as nixpkgs keeps versioned attributes beside the default. It needs what typer needs: pydantic,
shellingham, rich and annotated-doc at run time (and colorama on Windows). The ``typer``
command is installed in ``bin/``.

Its test suite runs in the check phase, with the environment of upstream's scripts/test.sh.
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
    colorama=None,  # on Windows alone: a set of its own may leave it out
):
    version = "0.29.1"
    windows = [colorama] if python.platform_system == "Windows" else []
    return build_python_package(
        pname="typer",
        version=version,
        src=fetch_pypi(
            "typer", version, hash="sha256-q26ziAv2fOlhR3NHF/nsMzwG9m42Hz6pR9C+Q9o58kI="
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
