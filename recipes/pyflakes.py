"""pyflakes, a checker for errors in Python source; from its sdist (legacy setuptools backend).

It has no ``pyproject.toml``. No runtime dependencies; the ``pyflakes`` command is in ``bin/``.
Its Requires-Python is ``>=3.11``: on CPython 3.10 the set's ``pyflakes`` is ``pyflakes_4_0``
(pyflakes 4.0, its last release line for 3.10).

Its test suite runs in the check phase.
"""


def recipe(build_python_package, fetch_pypi, setuptools, pytest, python, pyflakes_4_0):
    if python.version_info < (3, 11):
        return pyflakes_4_0
    version = "4.1.0"
    return build_python_package(
        pname="pyflakes",
        version=version,
        src=fetch_pypi(
            "pyflakes", version, hash="sha256-WSvrVwWOuC6xkPt1FPIIHFVcUQALAp/3EoamgebPL4M="
        ),
        build_system=[setuptools],
        check_inputs=[pytest],
    )
