"""mccabe, the McCabe complexity checker (a flake8 plugin); from its sdist (legacy setuptools).

It has no ``pyproject.toml`` and installs the single module ``mccabe``. No runtime
dependencies.
"""


def recipe(build_python_package, fetch_pypi, setuptools, pytest):
    version = "0.7.0"
    return build_python_package(
        pname="mccabe",
        version=version,
        src=fetch_pypi(
            "mccabe", version, hash="sha256-NI4CQMM7YLvfTlIxku+RnyjLLD19XHeU90AJKQ8jYyU="
        ),
        build_system=[setuptools],
        check_inputs=[pytest],
    )
