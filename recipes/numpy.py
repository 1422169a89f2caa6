"""NumPy, n-dimensional arrays; from its binary wheel (building it needs meson and a compiler).

The hash pins one wheel: ``fetch_pypi`` in a set picks the best wheel for the set's
interpreter tags, and the one pinned here is for CPython 3.11 on manylinux x86_64
(numpy-2.4.6-cp311-cp311-manylinux_2_27_x86_64.manylinux_2_28_x86_64.whl). Another
interpreter or platform selects another file, whose hash must be pinned instead.
"""


def recipe(build_python_package, fetch_pypi):
    version = "2.4.6"
    return build_python_package(
        pname="numpy",
        version=version,
        format="wheel",
        src=fetch_pypi(
            "numpy",
            version,
            kind="wheel",
            hash="sha256-ic1Gg5nP0lBHGPC6UOQQ3KVaFwthoCrZK7GMimUYbpM=",
        ),
    )
