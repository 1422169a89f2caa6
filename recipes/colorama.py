"""colorama, ANSI colours on Windows terminals (a no-op elsewhere); from its sdist (hatchling).

pytest, tqdm and typer need it on Windows; elsewhere it is in the set for environments
that ask for it. No runtime dependencies.

Its test suite runs in the check phase (the Windows tests skip), but on Windows, where
pytest needs colorama.
"""


def recipe(build_python_package, fetch_pypi, hatchling, pytest, python):
    version = "0.4.6"
    return build_python_package(
        pname="colorama",
        version=version,
        src=fetch_pypi(
            "colorama", version, hash="sha256-CGlfXLftbgUxogVyaXKXJzxHuMrlpj/8bW7VwgG+bkQ="
        ),
        build_system=[hatchling],
        # on Windows pytest needs colorama: its checks there would be a cycle (nixpkgs'
        # bootstrap packages run none either)
        do_check=python.platform_system != "Windows",
        check_inputs=[] if python.platform_system == "Windows" else [pytest],
    )
