"""pytest-asyncio, coroutines as tests (blinker's and tqdm's test suites); from its wheel.

It needs pytest, typing-extensions below Python 3.13, and backports-asyncio-runner below 3.11.
"""


def recipe(
    build_python_package, fetch_pypi, python, pytest, typing_extensions, backports_asyncio_runner
):
    version = "1.5.0"
    backports = [typing_extensions] if python.version_info < (3, 13) else []
    backports += [backports_asyncio_runner] if python.version_info < (3, 11) else []
    return build_python_package(
        pname="pytest-asyncio",
        version=version,
        format="wheel",
        src=fetch_pypi(
            "pytest-asyncio",
            version,
            kind="wheel",
            hash="sha256-VX8lXuA8yE+EqNX0OLycbg9xS/hpcK50PH7LWjjX4H0=",
        ),
        dependencies=[pytest, *backports],
    )
