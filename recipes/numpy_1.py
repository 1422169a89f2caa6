"""NumPy 1.26, the last 1.x release, beside the set's NumPy 2; from its binary wheel.

For code that still needs the NumPy 1 ABI or API. The distribution is the same (``numpy``),
so an environment cannot hold both: asking for ``numpy`` and ``numpy_1`` together is a
version conflict, reported before anything is built. Building it needs meson and a compiler,
so the wheel is used: the hash pins the file for CPython 3.11 on manylinux x86_64
(numpy-1.26.4-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl).
"""


def recipe(build_python_package, fetch_pypi):
    version = "1.26.4"
    return build_python_package(
        pname="numpy",
        version=version,
        format="wheel",
        src=fetch_pypi(
            "numpy",
            version,
            kind="wheel",
            hash="sha256-Zm2/tuxoliwDOkUJQ97Ykb7S1U5nVeNeWDXWP09pMdU=",
        ),
    )
