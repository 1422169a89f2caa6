"""Trio, structured concurrency for async code (jinja2's async tests run on it); from its wheel,
as the check phases' other tools.

It needs attrs, sortedcontainers, idna, outcome and sniffio (exceptiongroup only below 3.11,
cffi only on Windows).
"""


def recipe(
    build_python_package,
    fetch_pypi,
    python,
    attrs,
    sortedcontainers,
    idna,
    outcome,
    sniffio,
    exceptiongroup,
):
    version = "0.35.0"
    backports = [exceptiongroup] if python.version_info < (3, 11) else []
    return build_python_package(
        pname="trio",
        version=version,
        format="wheel",
        src=fetch_pypi(
            "trio",
            version,
            kind="wheel",
            hash="sha256-mgYqApSHwb28wbJUO3KaC96FfOR4sVEshPOR9ijgxck=",
        ),
        dependencies=[attrs, sortedcontainers, idna, outcome, sniffio, *backports],
    )
