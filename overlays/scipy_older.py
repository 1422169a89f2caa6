"""Pin scipy to an older release: `pybuild shell --overlay …/scipy_older.py -p scipy`.

`override_python_attrs` keeps everything the recipe says (build system, dependencies, checks)
and changes only the version and the source; every package of the set that needs scipy gets
this one. The hash is that of the CPython 3.11 manylinux x86_64 wheel; on another interpreter,
leave it empty once and paste the hash the error prints.
"""

VERSION = "1.15.3"
HASH = "sha256-OcucYuRxsbs3UAZuzDo/MFKzd1HHw9/Q/X5IkA7VKYI="


def overlay(final, prev):
    return {
        "scipy": prev.scipy.override_python_attrs(
            version=VERSION,
            src=prev.fetch_pypi("scipy", VERSION, hash=HASH, kind="wheel"),
        )
    }
