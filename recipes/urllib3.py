"""urllib3, the HTTP client under requests; from its sdist (hatchling with hatch-vcs).

hatch-vcs asks setuptools-scm for the version, which reads it from the sdist's PKG-INFO as
there is no VCS checkout. The extras (brotli, h2, socks, zstd) are left out: no recipes.

Its unit tests run in the check phase, without its conftest (it imports trustme, so
cryptography) and without what needs the dummy servers, pyopenssl, pysocks or h2 (not in
the set).
"""


def recipe(
    build_python_package,
    fetch_pypi,
    hatchling,
    hatch_vcs,
    setuptools_scm,
    pytest,
    pytest_timeout,
    idna,
):
    version = "2.8.0"
    return build_python_package(
        pname="urllib3",
        version=version,
        src=fetch_pypi(
            "urllib3", version, hash="sha256-Y78urUyHlCbr8i7yp4HutKo7SueYoENVBvhof9W7m2M="
        ),
        build_system=[hatchling, hatch_vcs, setuptools_scm],
        check_inputs=[pytest, pytest_timeout, idna],
        pytest_flags=["--noconftest"],  # it imports trustme (cryptography), not in the set
        disabled_test_paths={
            **dict.fromkeys(
                [
                    "test/with_dummyserver",
                    "test/test_connectionpool.py",
                    "test/test_compatibility.py",
                    "test/test_ssltransport.py",
                ],
                "needs the dummy servers (hypercorn, quart, trustme), not in the set",
            ),
            "test/contrib": "needs pyopenssl and pysocks, not in the set",
            "test/test_http2_connection.py": "needs h2, not in the set",
        },
        disabled_tests={
            "test_respect_retry_after_header_sleep": "uses conftest's stub_timezone fixture",
            "test_read_chunked_with_trailing_data_does_not_hang": (
                "a 0.1 s pytest-timeout, which a loaded build machine misses"
            ),
        },
    )
