"""python-dateutil, extensions to datetime (parsing, relativedelta, tz); from its sdist.

It builds with hatchling, hatch-vcs (the version comes from the sdist's PKG-INFO) and
hatch-fancy-pypi-readme. 4.x dropped six and takes its time zone data from tzdata, its only
runtime dependency. The package is ``dateutil``. It needs Python 3.11: on 3.10 the set's
``python_dateutil`` is ``python_dateutil_3``, the last release for it.
"""


def recipe(
    build_python_package,
    fetch_pypi,
    python,
    hatchling,
    hatch_vcs,
    hatch_fancy_pypi_readme,
    tzdata,
    python_dateutil_3,
):
    if python.version_info < (3, 11):
        return python_dateutil_3
    version = "4.0.0"
    return build_python_package(
        pname="python-dateutil",
        version=version,
        src=fetch_pypi(
            "python-dateutil",
            version,
            hash="sha256-1ylf8U/cD5L2YhAL+2xVHRYMoJDyk58exbl5QmXAPwY=",
        ),
        build_system=[hatchling, hatch_vcs, hatch_fancy_pypi_readme],
        dependencies=[tzdata],
    )
