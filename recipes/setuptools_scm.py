"""setuptools-scm, versions from VCS metadata (or PKG-INFO in an sdist); from its wheel.

Its sdist needs vcs-versioning and itself. It needs vcs-versioning, packaging and setuptools
at run time, and tomli and typing-extensions below Python 3.11.
"""


def recipe(
    build_python_package,
    fetch_pypi,
    python,
    packaging,
    setuptools,
    vcs_versioning,
    tomli,
    typing_extensions,
):
    version = "10.3.4"
    backports = [tomli, typing_extensions] if python.version_info < (3, 11) else []
    return build_python_package(
        pname="setuptools-scm",
        version=version,
        format="wheel",
        src=fetch_pypi(
            "setuptools-scm",
            version,
            kind="wheel",
            hashes={
                "setuptools_scm-10.3.4-py3-none-any.whl": (
                    "sha256-gvNMPjCE/CtX05cgBjfME/IzgAQFLS/uR7ql8OkCRk4="
                ),
            },
        ),
        dependencies=[packaging, setuptools, vcs_versioning, *backports],
    )
