"""click, command-line interfaces; from its sdist (flit-core 3: it asks for ``flit_core<4``).

No runtime dependencies (8.5 no longer lists colorama, even on Windows).

Its test suite runs in the check phase (without the stress tests, as upstream's addopts say).
"""


def recipe(build_python_package, fetch_pypi, flit_core_3, pytest):
    version = "8.5.1"
    return build_python_package(
        pname="click",
        version=version,
        src=fetch_pypi(
            "click", version, hash="sha256-m7+tp2cD/R14S4PuoBLj6MagAah2VD7xBPpWqq6wcrQ="
        ),
        build_system=[flit_core_3],
        check_inputs=[pytest],
    )
