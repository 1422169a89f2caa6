"""exceptiongroup, the backport of PEP 654's exception groups; from its wheel, pure Python.

Only Python 3.10 needs it (pytest asks for it below 3.11). Its sdist builds with flit-scm,
which has no recipe. It needs typing-extensions below Python 3.13.
"""


def recipe(build_python_package, fetch_pypi, python, typing_extensions):
    version = "1.3.1"
    backports = [typing_extensions] if python.version_info < (3, 13) else []
    return build_python_package(
        pname="exceptiongroup",
        version=version,
        format="wheel",
        src=fetch_pypi(
            "exceptiongroup",
            version,
            kind="wheel",
            hashes={
                "exceptiongroup-1.3.1-py3-none-any.whl": (
                    "sha256-p6OaO9J2eB6YOUmH06VwHQxO3/tjO7elFEV3+Cx3NZg="
                ),
            },
        ),
        dependencies=backports,
    )
