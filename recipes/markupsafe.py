"""MarkupSafe, HTML-safe strings (jinja2's escaping); from its sdist (setuptools).

Its ``setup.py`` compiles the optional C module ``markupsafe._speedups`` when a C compiler is
found (the build's ``PATH`` includes the system's) and falls back to pure Python otherwise;
either way the package works, only faster with the module.

Its test suite runs in the check phase, against the compiled speedups.
"""


def recipe(build_python_package, fetch_pypi, setuptools, pytest):
    version = "3.0.4"
    return build_python_package(
        pname="markupsafe",
        version=version,
        src=fetch_pypi(
            "markupsafe", version, hash="sha256-LprX3YUb9F+rn3XL/0y0k/7pl56NjHycPuEZAiUY7dY="
        ),
        build_system=[setuptools],
        check_inputs=[pytest],
    )
