"""backports-asyncio-runner, Python 3.11's ``asyncio.Runner`` for older interpreters
(pytest-asyncio needs it below 3.11); from its wheel.

Its ``Requires-Python`` is ``<3.11``: on 3.11 and later the standard library has the runner,
so this attribute is unsupported there (nothing needs it).
"""


def recipe(build_python_package, fetch_pypi):
    version = "1.2.0"
    return build_python_package(
        pname="backports-asyncio-runner",
        version=version,
        format="wheel",
        src=fetch_pypi(
            "backports-asyncio-runner",
            version,
            kind="wheel",
            hashes={
                "backports_asyncio_runner-1.2.0-py3-none-any.whl": (
                    "sha256-DaCpNqiutVTsy0JtxVrzumO83Gn6GmALW7MFQTpEd7U="
                ),
            },
        ),
        imports_check=["backports.asyncio.runner"],
    )
