"""trove-classifiers, the list of valid classifiers (hatchling checks them); from its wheel.

Its sdist needs calver, another build-time plugin; the wheel is plain data.
"""


def recipe(build_python_package, fetch_pypi):
    version = "2026.9.21.13"
    return build_python_package(
        pname="trove-classifiers",
        version=version,
        format="wheel",
        src=fetch_pypi(
            "trove-classifiers",
            version,
            kind="wheel",
            hashes={
                "trove_classifiers-2026.9.21.13-py3-none-any.whl": (
                    "sha256-ix/0+cGRsQQLccN/HkRauZcykR482R3lKDhFOoVNehc="
                ),
            },
        ),
    )
