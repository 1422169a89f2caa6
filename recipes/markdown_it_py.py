"""markdown-it-py, a CommonMark parser (rich renders Markdown with it); from its sdist (flit-core).

It installs the package ``markdown_it`` and the ``markdown-it`` command, and needs mdurl at
run time. Its extras (linkify, plugins) are left out: no recipes.

Its test suite runs in the check phase, with pytest-regressions.
"""


def recipe(build_python_package, fetch_pypi, flit_core, mdurl, pytest, pytest_regressions):
    version = "4.3.0"
    return build_python_package(
        pname="markdown-it-py",
        version=version,
        src=fetch_pypi(
            "markdown-it-py", version, hash="sha256-kaWPpbcscaQM9xdyUP12dIDXors6xCbM+3b7kDBf2qo="
        ),
        build_system=[flit_core],
        dependencies=[mdurl],
        check_inputs=[pytest, pytest_regressions],
    )
