"""annotated-doc 0.0.6, the last release for CPython 3.10; from its sdist (pdm-backend).

annotated-doc 0.0.7 dropped Python 3.10, so on 3.10 the set's ``annotated_doc`` is this one
(see annotated_doc.py). No runtime dependencies.

Its test suite runs in the check phase, but for the release script's test, which needs
typer (typer depends on annotated-doc: a cycle).
"""


def recipe(build_python_package, fetch_pypi, pdm_backend, pytest):
    version = "0.0.6"
    return build_python_package(
        pname="annotated-doc",
        version=version,
        src=fetch_pypi(
            "annotated-doc", version, hash="sha256-eWm7aZEghbIoWEnA3KwLSzdP0YDBPPEKh/KE/880e78="
        ),
        build_system=[pdm_backend],
        check_inputs=[pytest],
        disabled_test_paths={
            "tests/test_prepare_release.py": "needs typer, which depends on annotated-doc"
        },
    )
