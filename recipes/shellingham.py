"""shellingham, detects the shell a process runs in (typer's completion); from its sdist.

Its ``pyproject.toml`` names no backend, so the legacy setuptools backend builds it (with
wheel, which it lists). No runtime dependencies.

Its test suite runs in the check phase, with pytest-mock.
"""


def recipe(build_python_package, fetch_pypi, setuptools, wheel, pytest, pytest_mock):
    version = "1.5.4"
    return build_python_package(
        pname="shellingham",
        version=version,
        src=fetch_pypi(
            "shellingham", version, hash="sha256-jbygc51IflvTWrPKSzbhHEB486I0v84pSwoCkTY0BN4="
        ),
        build_system=[setuptools, wheel],
        check_inputs=[pytest, pytest_mock],
    )
