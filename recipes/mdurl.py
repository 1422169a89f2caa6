"""mdurl, URL utilities for markdown-it-py; from its sdist (flit-core 3: ``flit_core<4``).

Its sdist ships no tests, so none run in the check phase.
"""


def recipe(build_python_package, fetch_pypi, flit_core_3):
    version = "0.1.2"
    return build_python_package(
        pname="mdurl",
        version=version,
        src=fetch_pypi(
            "mdurl", version, hash="sha256-u0E9KfXuo48x3UdU3XN31EZRFvsgdYX5e/klWIaHwbo="
        ),
        build_system=[flit_core_3],
    )
