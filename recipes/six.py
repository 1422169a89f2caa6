"""six, Python 2 and 3 compatibility helpers; from its sdist.

Its test suite runs in the check phase.
"""


def recipe(build_python_package, fetch_pypi, setuptools, pytest):
    version = "1.17.0"
    return build_python_package(
        pname="six",
        version=version,
        src=fetch_pypi("six", version, hash="sha256-/3AzXUaOfrbsZblbmdOig2VGBj9jrMUXHeNn6DSTKoE="),
        build_system=[setuptools],
        check_inputs=[pytest],
    )
