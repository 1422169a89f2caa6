"""sortedcontainers, sorted list, dict and set types (Hypothesis needs it); from its wheel."""


def recipe(build_python_package, fetch_pypi):
    version = "2.4.0"
    return build_python_package(
        pname="sortedcontainers",
        version=version,
        format="wheel",
        src=fetch_pypi(
            "sortedcontainers",
            version,
            kind="wheel",
            hash="sha256-oWPcrt4PHAIUhelXo5JFGQ50JJiX4q5LKqOFldsjfuA=",
        ),
    )
