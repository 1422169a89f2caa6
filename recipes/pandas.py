"""pandas, labelled data structures and data analysis; from its binary wheel.

Building it needs meson, Cython, versioneer and a C/C++ compiler, so the wheel is used. On
Python 3.11 on Linux pandas 3 needs only numpy (>=2.0.2) and python-dateutil at run time: it
uses ``zoneinfo`` for time zones, pytz has become the ``timezone`` extra, and tzdata is needed
only on Windows and Emscripten (python-dateutil brings it anyway). The ``plot`` extra is
matplotlib. The hash pins the file for CPython 3.11 on manylinux x86_64
(pandas-3.1.1-cp311-cp311-manylinux_2_24_x86_64.manylinux_2_28_x86_64.whl).
"""


def recipe(build_python_package, fetch_pypi, numpy, python_dateutil, pytz, matplotlib):
    version = "3.1.1"
    return build_python_package(
        pname="pandas",
        version=version,
        format="wheel",
        src=fetch_pypi(
            "pandas",
            version,
            kind="wheel",
            hash="sha256-TxYC9hS7g/RDOB28u5TErHZLLlDI1sllYUxc2D4yjEc=",
        ),
        dependencies=[numpy, python_dateutil],
        optional_dependencies={"timezone": [pytz], "plot": [matplotlib]},
    )
