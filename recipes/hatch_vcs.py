"""hatch-vcs, the hatchling plugin for versions from VCS (via setuptools-scm); from its wheel.

Its sdist builds with hatchling and hatch-vcs itself.
"""


def recipe(build_python_package, fetch_pypi, hatchling, setuptools_scm):
    version = "0.5.0"
    return build_python_package(
        pname="hatch-vcs",
        version=version,
        format="wheel",
        src=fetch_pypi(
            "hatch-vcs",
            version,
            kind="wheel",
            hashes={
                "hatch_vcs-0.5.0-py3-none-any.whl": (
                    "sha256-tJZ329xZdGDMItAbJ6s2lvXhaiHs8nAPsBvCjh8qBKc="
                ),
            },
        ),
        dependencies=[hatchling, setuptools_scm],
    )
