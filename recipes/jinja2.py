"""Jinja2, the template engine; from its sdist (flit-core 3: it asks for ``flit_core<4``).

It needs MarkupSafe at run time. The ``i18n`` extra (Babel) is left out: no recipe.

Its test suite runs in the check phase, with trio for the async tests.
"""


def recipe(build_python_package, fetch_pypi, flit_core_3, markupsafe, pytest, trio):
    version = "3.1.6"
    return build_python_package(
        pname="jinja2",
        version=version,
        src=fetch_pypi(
            "jinja2", version, hash="sha256-ATf7BZkNNfEnWlh+mu5tVtqCH8g0kaD7g4GDvkP2bW0="
        ),
        build_system=[flit_core_3],
        dependencies=[markupsafe],
        check_inputs=[pytest, trio],
    )
