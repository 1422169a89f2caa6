"""annotated-doc, ``Doc()`` for documenting parameters in ``Annotated``; from its sdist.

typer needs it. It builds with pdm-backend and has no runtime dependencies. Its
Requires-Python is ``>=3.11``: on CPython 3.10 the set's ``annotated_doc`` is
``annotated_doc_0_0_6`` (annotated-doc 0.0.6, its last release for 3.10).

Its test suite runs in the check phase, but for the release script's test, which needs
typer (typer depends on annotated-doc: a cycle).
"""


def recipe(build_python_package, fetch_pypi, pdm_backend, pytest, python, annotated_doc_0_0_6):
    if python.version_info < (3, 11):
        return annotated_doc_0_0_6
    version = "0.0.7"
    return build_python_package(
        pname="annotated-doc",
        version=version,
        src=fetch_pypi(
            "annotated-doc", version, hash="sha256-CjDvj1MipBc3IK5nEtyaXlj1oZho8/FntLV3jbBmwrU="
        ),
        build_system=[pdm_backend],
        check_inputs=[pytest],
        disabled_test_paths={
            "tests/test_prepare_release.py": "needs typer, which depends on annotated-doc"
        },
    )
