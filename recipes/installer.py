"""installer, the wheel installer library (PEP 427); from its wheel (a bootstrap tool)."""


def recipe(build_python_package, fetch_pypi):
    version = "1.1.0"
    return build_python_package(
        pname="installer",
        version=version,
        format="wheel",
        src=fetch_pypi(
            "installer",
            version,
            kind="wheel",
            hashes={
                "installer-1.1.0-py3-none-any.whl": (
                    "sha256-9V9XKP9h091U28Wjl88/cwfLZLGAwgtyr76/AcniyKA="
                ),
            },
        ),
    )
