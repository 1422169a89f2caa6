"""pydantic, data validation with type hints; from its sdist (hatchling, fancy README).

The Rust core comes from pydantic-core's wheel, pinned to the exact version this release
asks for. The ``email`` extra (email-validator) is left out: no recipe; ``timezone`` needs
tzdata only on Windows.

Its test suite (about 11,000 tests) runs in the check phase, with dirty-equals,
jsonschema (every test checks its JSON schemas), pytest-mock, pytest-run-parallel and pytz,
but for the benchmarks and the documentation examples (their plugins are not in the set).
"""


def recipe(
    build_python_package,
    fetch_pypi,
    hatchling,
    hatch_fancy_pypi_readme,
    typing_extensions,
    annotated_types,
    pydantic_core,
    typing_inspection,
    pytest,
    dirty_equals,
    jsonschema,
    pytest_mock,
    pytz,
    pytest_run_parallel,
):
    version = "2.14.4"
    return build_python_package(
        pname="pydantic",
        version=version,
        src=fetch_pypi(
            "pydantic", version, hash="sha256-fBnx1G+KzPVaRhemEW4a3mSECHDzl7hGosU/uQGUFLo="
        ),
        build_system=[hatchling, hatch_fancy_pypi_readme],
        dependencies=[typing_extensions, annotated_types, pydantic_core, typing_inspection],
        check_inputs=[pytest, dirty_equals, jsonschema, pytest_mock, pytz, pytest_run_parallel],
        # Its addopts configure pytest-benchmark, which only its benchmarks use.
        pytest_flags=["-o", "addopts="],
        disabled_test_paths={
            "tests/benchmarks": "needs pytest-benchmark and pytest-codspeed, not in the set",
            "tests/test_docs.py": "needs pytest-examples, not in the set",
            "tests/types/test_path.py::test_socket_exists": "the build folder's path is longer"
            " than a unix socket's path may be",
        },
    )
