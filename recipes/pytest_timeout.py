"""pytest-timeout, a time limit per test (werkzeug's, tqdm's, markdown-it's suites); from its
wheel.
"""


def recipe(build_python_package, fetch_pypi, pytest):
    version = "2.4.0"
    return build_python_package(
        pname="pytest-timeout",
        version=version,
        format="wheel",
        src=fetch_pypi(
            "pytest-timeout",
            version,
            kind="wheel",
            hash="sha256-xCZn5c2tsVGutbJtEUr/a99akH8XagB6MLlA09hltcI=",
        ),
        dependencies=[pytest],
    )
