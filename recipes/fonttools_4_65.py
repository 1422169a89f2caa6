"""fontTools 4.65, the last release for CPython 3.10; from its sdist.

fontTools 4.66 needs Python 3.11 (its ``Requires-Python``), so on 3.10 the set's ``fonttools``
is this one (see fonttools.py). It builds as the set's fontTools does: the legacy setuptools
backend with wheel, pure Python (``FONTTOOLS_WITH_CYTHON=0``), no runtime dependencies.

Its tests do not run: the set's ``fonttools`` (3.11 and later) runs the suite; this
release is only the 3.10 fallback.
"""


def recipe(build_python_package, fetch_pypi, setuptools, wheel, matplotlib):
    version = "4.65.0"
    return build_python_package(
        pname="fonttools",
        version=version,
        src=fetch_pypi(
            "fonttools", version, hash="sha256-diulQxNY0NvUoBmCSEodSU+yZ+kfl0zc8guA6rhWD28="
        ),
        build_system=[setuptools, wheel],
        env={"FONTTOOLS_WITH_CYTHON": "0"},
        optional_dependencies={"plot": [matplotlib]},
    )
