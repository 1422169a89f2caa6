"""urllib3, the HTTP client under requests; from its sdist (hatchling with hatch-vcs).

hatch-vcs asks setuptools-scm for the version, which reads it from the sdist's PKG-INFO as
there is no VCS checkout. The extras (brotli, h2, socks, zstd) are left out: no recipes.
"""


def recipe(build_python_package, fetch_pypi, hatchling, hatch_vcs, setuptools_scm):
    version = "2.8.0"
    return build_python_package(
        pname="urllib3",
        version=version,
        src=fetch_pypi(
            "urllib3", version, hash="sha256-Y78urUyHlCbr8i7yp4HutKo7SueYoENVBvhof9W7m2M="
        ),
        build_system=[hatchling, hatch_vcs, setuptools_scm],
    )
