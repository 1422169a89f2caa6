"""tomlkit, style-preserving TOML (a hatchling dependency); from its wheel.

Its sdist is built with poetry-core; the wheel keeps hatchling's bootstrap short.
"""


def recipe(build_python_package, fetch_pypi):
    version = "0.15.2"
    return build_python_package(
        pname="tomlkit",
        version=version,
        format="wheel",
        src=fetch_pypi(
            "tomlkit",
            version,
            kind="wheel",
            hashes={
                "tomlkit-0.15.2-py3-none-any.whl": (
                    "sha256-BVYkEhY6MDe5RJc4X7f5IExje8YFr3pIGZ5BzyJy9Dc="
                ),
            },
        ),
    )
