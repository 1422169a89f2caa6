"""tomli-w, a TOML writer (the counterpart of ``tomllib``); from its sdist.

It asks for ``flit_core<4``, so it builds with flit-core 3. No runtime dependencies.

Its sdist ships no tests, so none run in the check phase.
"""


def recipe(build_python_package, fetch_pypi, flit_core_3):
    version = "1.2.0"
    return build_python_package(
        pname="tomli-w",
        version=version,
        src=fetch_pypi(
            "tomli-w", version, hash="sha256-LdFPrFpHwnvpzUyXavWhLYf7HwtFEvgdaczjs1riUCE="
        ),
        build_system=[flit_core_3],
    )
