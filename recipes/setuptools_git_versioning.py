"""setuptools-git-versioning, versions from git tags for setuptools; from its sdist.

toolz builds with it. Without a git checkout it takes the version from the sdist's PKG-INFO.
It builds with the legacy setuptools backend (and wheel), and needs packaging and setuptools
at run time (tomli only below 3.11).

Its sdist ships no tests, so none run in the check phase.
"""


def recipe(build_python_package, fetch_pypi, setuptools, wheel, packaging):
    version = "3.2.0"
    return build_python_package(
        pname="setuptools-git-versioning",
        version=version,
        src=fetch_pypi(
            "setuptools-git-versioning",
            version,
            hash="sha256-J6oa0ECbYy7kmUfqWSzCfhb7sqFgXMIu/rfDU/15CzE=",
        ),
        build_system=[setuptools, wheel, packaging],
        dependencies=[packaging, setuptools],
    )
