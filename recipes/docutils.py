"""Docutils, reStructuredText processing; from its sdist (flit-core 3: ``flit_core<4``).

No runtime dependencies. It installs the ``docutils`` and ``rst2*`` commands in ``bin/``.

Its test suite runs in the check phase (under pytest; upstream also has alltests.py).
"""


def recipe(build_python_package, fetch_pypi, flit_core_3, pytest):
    version = "0.23"
    return build_python_package(
        pname="docutils",
        version=version,
        src=fetch_pypi(
            "docutils", version, hash="sha256-dG9QYDIlESgKHlDrdoRu1r8jQphLKsBNxCyqGo14eZ4="
        ),
        build_system=[flit_core_3],
        check_inputs=[pytest],
    )
