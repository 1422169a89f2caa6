"""setuptools-git-versioning, versions from git tags for setuptools; from its sdist.

toolz builds with it. Without a git checkout it takes the version from the sdist's PKG-INFO.
It builds with the legacy setuptools backend (and wheel), and needs packaging and setuptools
at run time; below Python 3.11 it needs tomli to build and to run.

Its sdist ships no tests, so none run in the check phase.
"""


def recipe(build_python_package, fetch_pypi, python, setuptools, wheel, packaging, tomli):
    version = "3.2.0"
    backports = [tomli] if python.version_info < (3, 11) else []
    return build_python_package(
        pname="setuptools-git-versioning",
        version=version,
        src=fetch_pypi(
            "setuptools-git-versioning",
            version,
            hash="sha256-J6oa0ECbYy7kmUfqWSzCfhb7sqFgXMIu/rfDU/15CzE=",
        ),
        build_system=[setuptools, wheel, packaging, *backports],
        dependencies=[packaging, setuptools, *backports],
    )
