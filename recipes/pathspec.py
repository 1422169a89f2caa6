"""pathspec, gitignore-style pattern matching (a hatchling dependency); from its wheel."""


def recipe(build_python_package, fetch_pypi):
    version = "1.1.1"
    return build_python_package(
        pname="pathspec",
        version=version,
        format="wheel",
        src=fetch_pypi(
            "pathspec",
            version,
            kind="wheel",
            hashes={
                "pathspec-1.1.1-py3-none-any.whl": (
                    "sha256-oAzmQvV3v39HOTIxgFYhK8T4v99TEox4u9WvC5sgsYk="
                ),
            },
        ),
    )
