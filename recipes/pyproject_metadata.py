"""pyproject-metadata, PEP 621 ``[project]`` tables to core metadata (meson-python uses it);
from its sdist (flit-core).

Its tests do not run yet: the recipe came with numpy_from_source and its pytest suite is
not wired in (left for a later change).
"""


def recipe(build_python_package, fetch_pypi, flit_core, packaging):
    version = "0.12.1"
    return build_python_package(
        pname="pyproject-metadata",
        version=version,
        src=fetch_pypi(
            "pyproject-metadata",
            version,
            hash="sha256-iAmk32/ggnmzmoiQZpUG7TFY4GF4Vaya/wmPy+dyrkw=",
        ),
        build_system=[flit_core],
        dependencies=[packaging],
        meta={
            "description": "PEP 621 metadata parsing",
            "homepage": "https://github.com/pypa/pyproject-metadata",
            "license": "MIT",
        },
    )
