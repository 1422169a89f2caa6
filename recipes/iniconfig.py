"""iniconfig, the ini parser of pytest; from its wheel (its sdist needs hatch-vcs)."""


def recipe(build_python_package, fetch_pypi):
    version = "2.3.1"
    return build_python_package(
        pname="iniconfig",
        version=version,
        format="wheel",
        src=fetch_pypi(
            "iniconfig",
            version,
            kind="wheel",
            hashes={
                "iniconfig-2.3.1-py3-none-any.whl": (
                    "sha256-kSHiwf2zVSMklb4xlMjf6HzMLV3uRZR7eOaPSZeQ16c="
                ),
            },
        ),
    )
