"""pycodestyle, the PEP 8 style checker; from its sdist (legacy setuptools backend).

It has no ``pyproject.toml`` and installs the single module ``pycodestyle``. No runtime
dependencies; the ``pycodestyle`` command is in ``bin/``.
"""


def recipe(build_python_package, fetch_pypi, setuptools):
    version = "2.15.0"
    return build_python_package(
        pname="pycodestyle",
        version=version,
        src=fetch_pypi(
            "pycodestyle", version, hash="sha256-MY9dsIOGm0xNrZItCxEST7J6sYG2cwuTNx2mceMb1Q4="
        ),
        build_system=[setuptools],
    )
