"""pytest-asyncio, coroutines as tests (blinker's and tqdm's test suites); from its wheel.

It needs pytest, and typing-extensions below Python 3.13.
"""


def recipe(build_python_package, fetch_pypi, pytest, typing_extensions):
    version = "1.5.0"
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
        dependencies=[pytest, typing_extensions],
    )
