"""sortedcontainers, sorted list, dict and set types (hypothesis needs it); from its sdist.

Its tests do not run yet: the recipe came as a dependency of hypothesis and its pytest
suite is not wired in (left for a later change).
"""


def recipe(build_python_package, fetch_pypi, setuptools):
    version = "2.4.0"
    return build_python_package(
        pname="sortedcontainers",
        version=version,
        src=fetch_pypi(
            "sortedcontainers", version, hash="sha256-JcqloGzDC2uD0RQjQz9l0fnXbExqDJDjN56qQ7m/24g="
        ),
        build_system=[setuptools],
        meta={
            "description": "Sorted containers: SortedList, SortedDict, SortedSet",
            "homepage": "https://grantjenks.com/docs/sortedcontainers/",
            "license": "Apache-2.0",
        },
    )
