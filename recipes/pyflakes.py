"""pyflakes, a checker for errors in Python source; from its sdist (legacy setuptools backend).

It has no ``pyproject.toml``. No runtime dependencies; the ``pyflakes`` command is in ``bin/``.
Its Requires-Python is ``>=3.11``: on CPython 3.10 the attribute is unsupported (``pybuild
build --all`` names the reason).

Its test suite runs in the check phase.
"""


def recipe(build_python_package, fetch_pypi, setuptools, pytest):
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
