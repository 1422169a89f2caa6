"""kiwisolver, the Cassowary constraint solver (matplotlib's layout engine); from its wheel.

Its sdist builds a C++ extension with cppy and setuptools-scm; cppy has no recipe, so the
binary wheel is used. No runtime dependencies on Python 3.11. The hash pins the file for
CPython 3.11 on manylinux x86_64
(kiwisolver-1.5.1-cp311-cp311-manylinux2014_x86_64.manylinux_2_17_x86_64.whl).
"""


def recipe(build_python_package, fetch_pypi):
    version = "1.5.1"
    return build_python_package(
        pname="kiwisolver",
        version=version,
        format="wheel",
        src=fetch_pypi(
            "kiwisolver",
            version,
            kind="wheel",
            hash="sha256-laAnUqoDLu9K7QHNptm2h8ZpvQOWv0UZ7vi7oiooZyA=",
        ),
    )
