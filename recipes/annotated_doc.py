"""annotated-doc, ``Doc()`` for documenting parameters in ``Annotated``; from its sdist.

typer needs it. It builds with pdm-backend and has no runtime dependencies. Its
Requires-Python is ``>=3.11``: on CPython 3.10 the attribute is unsupported (``pybuild build
--all`` names the reason).
"""


def recipe(build_python_package, fetch_pypi, pdm_backend):
    version = "0.0.7"
    return build_python_package(
        pname="annotated-doc",
        version=version,
        src=fetch_pypi(
            "annotated-doc", version, hash="sha256-CjDvj1MipBc3IK5nEtyaXlj1oZho8/FntLV3jbBmwrU="
        ),
        build_system=[pdm_backend],
    )
