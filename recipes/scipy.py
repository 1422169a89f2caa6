"""SciPy, algorithms for scientific computing; from its binary wheel.

Building it needs meson, Cython, pythran, a Fortran compiler and BLAS/LAPACK, so the wheel
(which bundles OpenBLAS) is used. 1.17.1 is the newest release for Python 3.11 (1.18 needs
3.12); it asks for ``numpy>=1.26.4,<2.7``, which the set's NumPy 2.4 meets. The hash pins
the file for CPython 3.11 on manylinux x86_64
(scipy-1.17.1-cp311-cp311-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl).
"""


def recipe(build_python_package, fetch_pypi, numpy):
    version = "1.17.1"
    return build_python_package(
        pname="scipy",
        version=version,
        format="wheel",
        src=fetch_pypi(
            "scipy",
            version,
            kind="wheel",
            hash="sha256-Q6+NHzvqZCVZAZ7f5k6bERkqiXjvvRU517wqqiPZLeQ=",
        ),
        dependencies=[numpy],
    )
