"""python-dateutil, extensions to datetime (parsing, relativedelta, tz); from its sdist.

It builds with hatchling, hatch-vcs (the version comes from the sdist's PKG-INFO) and
hatch-fancy-pypi-readme. 4.x dropped six and takes its time zone data from tzdata, its only
runtime dependency. The package is ``dateutil``. It needs Python 3.11: on 3.10 the set's
``python_dateutil`` is ``python_dateutil_3``, the last release for it.

Its test suite runs in the check phase, with Hypothesis, attrs and a freezegun built on this
dateutil with its checks off (the set's freezegun needs the set's dateutil: a cycle).
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
    pytest,
    hypothesis,
    freezegun,
    attrs,
):
    if python.version_info < (3, 11):
        return python_dateutil_3
    version = "4.0.0"
    unchecked = build_python_package(
        pname="python-dateutil",
        version=version,
        src=fetch_pypi(
            "python-dateutil",
            version,
            hash="sha256-1ylf8U/cD5L2YhAL+2xVHRYMoJDyk58exbl5QmXAPwY=",
        ),
        build_system=[hatchling, hatch_vcs, hatch_fancy_pypi_readme],
        dependencies=[tzdata],
        do_check=False,
    )
    frozen = freezegun.override(python_dateutil=unchecked)
    return unchecked.override_python_attrs(
        do_check=True,
        check_inputs=[pytest, hypothesis, attrs, frozen],
        # Its conftest marks tests no_cover, a mark of pytest-cov (not needed to run them).
        pytest_flags=["-W", "ignore:Unknown pytest.mark.no_cover"],
        disabled_tests={
            **dict.fromkeys(
                [
                    "tests/test_tz.py::test_gettz_link[tzpath-Europe/Monaco-Europe/Paris]",
                    "tests/test_tzpath_data.py::test_dst_matches_tzdata_zi[tzpath]",
                ],
                "compares the host's /usr/share/zoneinfo with tzdata, whose releases differ",
            ),
            **dict.fromkeys(
                [
                    "test_tzlocal_local_time_trim_colon",
                    "test_gettz_local_abbreviation_without_time_zone_data",
                ],
                "needs a local time zone (/etc/localtime), which the sandbox does not have",
            ),
        },
    )
