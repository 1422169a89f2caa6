"""Matplotlib, 2D plotting; from its binary wheel.

Building it needs meson-python and pybind11 (no recipes), setuptools-scm below 10 (the set's
is 10), a C++ compiler and FreeType, so the wheel is used. On Python 3.11 it needs contourpy,
cycler, fonttools, kiwisolver, numpy, packaging, pillow, pyparsing and python-dateutil at run
time. The hash pins the file for CPython 3.11 on manylinux x86_64
(matplotlib-3.11.2-cp311-cp311-manylinux2014_x86_64.manylinux_2_17_x86_64.whl).
``mpl_toolkits`` is a namespace package; ``pylab`` is checked with the rest.
"""


def recipe(
    build_python_package,
    fetch_pypi,
    contourpy,
    cycler,
    fonttools,
    kiwisolver,
    numpy,
    packaging,
    pillow,
    pyparsing,
    python_dateutil,
):
    version = "3.11.2"
    return build_python_package(
        pname="matplotlib",
        version=version,
        format="wheel",
        src=fetch_pypi(
            "matplotlib",
            version,
            kind="wheel",
            hash="sha256-B9m5+mDNTDk2kvUNC7AxIyQt32HJm7DpXnX+s1Tnwag=",
        ),
        dependencies=[
            contourpy,
            cycler,
            fonttools,
            kiwisolver,
            numpy,
            packaging,
            pillow,
            pyparsing,
            python_dateutil,
        ],
    )
