"""rich, rich text and formatting in the terminal; from its sdist (poetry-core).

It needs Pygments and markdown-it-py at run time. The ``jupyter`` extra (ipywidgets) is left
out: no recipe.

Its sdist ships no tests, so none run in the check phase.
"""


def recipe(build_python_package, fetch_pypi, poetry_core, pygments, markdown_it_py):
    version = "15.0.0"
    return build_python_package(
        pname="rich",
        version=version,
        src=fetch_pypi("rich", version, hash="sha256-7dB6SCTGtAGJ+3rJvExSU26XgPu/vd9vHiUCwxsGjDY="),
        build_system=[poetry_core],
        dependencies=[pygments, markdown_it_py],
    )
