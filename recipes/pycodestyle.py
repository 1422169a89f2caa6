"""pycodestyle, the PEP 8 style checker; from its sdist (legacy setuptools backend).

It has no ``pyproject.toml`` and installs the single module ``pycodestyle``. No runtime
dependencies; the ``pycodestyle`` command is in ``bin/``.

Its test suite runs in the check phase, but for the files that import ``testing/``, a
folder of the repository that the sdist does not ship (all but test_parser, test_pycodestyle
and test_util).
"""


def recipe(build_python_package, fetch_pypi, setuptools, pytest):
    version = "2.15.0"
    return build_python_package(
        pname="pycodestyle",
        version=version,
        src=fetch_pypi(
            "pycodestyle", version, hash="sha256-MY9dsIOGm0xNrZItCxEST7J6sYG2cwuTNx2mceMb1Q4="
        ),
        build_system=[setuptools],
        check_inputs=[pytest],
        disabled_test_paths={"tests/test_[Eabds]*.py": "imports testing/, not in the sdist"},
    )
