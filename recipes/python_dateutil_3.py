"""python-dateutil 3.0, the last release for CPython 3.10; from its wheel, pure Python.

python-dateutil 4 needs Python 3.11, so on 3.10 the set's ``python_dateutil`` is this one (see
python_dateutil.py). Its sdist builds with setuptools-scm below 8, which the set does not have
(it has 10), so the wheel is used. It needs six and tzdata at run time.
"""


def recipe(build_python_package, fetch_pypi, six, tzdata):
    version = "3.0.0"
    return build_python_package(
        pname="python-dateutil",
        version=version,
        format="wheel",
        src=fetch_pypi(
            "python-dateutil",
            version,
            kind="wheel",
            hashes={
                "python_dateutil-3.0.0-py2.py3-none-any.whl": (
                    "sha256-PHljAgLkFSxq3WeERphCNu/k9X6E2OiSqrBje6uC6f0="
                ),
            },
        ),
        dependencies=[six, tzdata],
        imports_check=["dateutil"],
    )
