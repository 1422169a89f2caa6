"""mccabe, the McCabe complexity checker (a flake8 plugin); from its sdist (legacy setuptools).

It has no ``pyproject.toml`` and installs the single module ``mccabe``. No runtime
dependencies.

Its tests do not run: ``test_mccabe.py`` cannot even be imported without hypothesmith
(a NameError at module level otherwise), which needs libcst, a compiled package not in the set.
"""


def recipe(build_python_package, fetch_pypi, setuptools):
    version = "0.7.0"
    return build_python_package(
        pname="mccabe",
        version=version,
        src=fetch_pypi(
            "mccabe", version, hash="sha256-NI4CQMM7YLvfTlIxku+RnyjLLD19XHeU90AJKQ8jYyU="
        ),
        build_system=[setuptools],
    )
