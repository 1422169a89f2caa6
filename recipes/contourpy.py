"""contourpy, contour lines and polygons for matplotlib; from its binary wheel.

Its sdist builds a C++ extension with meson and pybind11, which have no recipes. 1.3.3 is the
newest release for Python 3.11. It needs numpy at run time. The hash pins the file for
CPython 3.11 on manylinux x86_64
(contourpy-1.3.3-cp311-cp311-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl).
"""


def recipe(build_python_package, fetch_pypi, numpy):
    version = "1.3.3"
    return build_python_package(
        pname="contourpy",
        version=version,
        format="wheel",
        src=fetch_pypi(
            "contourpy",
            version,
            kind="wheel",
            hash="sha256-UeecH3RwFY6DiAjUqZb6m6xyxJjpPY6+URm8HmvssNs=",
        ),
        dependencies=[numpy],
    )
