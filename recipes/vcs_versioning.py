"""vcs-versioning, the VCS version core that setuptools-scm 10 is built on; from its wheel.

Its sdist is built with hatchling and needs itself (through hatch-vcs) for its version. Below
Python 3.11 it needs tomli and typing-extensions too.
"""


def recipe(build_python_package, fetch_pypi, python, packaging, tomli, typing_extensions):
    version = "2.6.0"
    backports = [tomli, typing_extensions] if python.version_info < (3, 11) else []
    return build_python_package(
        pname="vcs-versioning",
        version=version,
        format="wheel",
        src=fetch_pypi(
            "vcs-versioning",
            version,
            kind="wheel",
            hashes={
                "vcs_versioning-2.6.0-py3-none-any.whl": (
                    "sha256-+L69EwLrwS5nzrMPx91pjslpQUtvpDsww/FKybHnLEE="
                ),
            },
        ),
        dependencies=[packaging, *backports],
    )
