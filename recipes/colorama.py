"""colorama, ANSI colours on Windows terminals (a no-op elsewhere); from its sdist (hatchling).

tqdm and typer need it only on Windows; it is in the set for environments that ask for
it. No runtime dependencies.

Its test suite runs in the check phase (the Windows tests skip).
"""


def recipe(build_python_package, fetch_pypi, hatchling, pytest):
    version = "0.4.6"
    return build_python_package(
        pname="colorama",
        version=version,
        src=fetch_pypi(
            "colorama", version, hash="sha256-CGlfXLftbgUxogVyaXKXJzxHuMrlpj/8bW7VwgG+bkQ="
        ),
        build_system=[hatchling],
        check_inputs=[pytest],
    )
