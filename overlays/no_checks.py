"""Skip every package's tests: a first build of many packages in seconds, not minutes.

`pybuild build --overlay …/no_checks.py pypi:matplotlib` builds matplotlib and everything it
needs without their check phases (pytest over each project's own suite), as an overlay setting
nixpkgs' `doCheck = false` for every Python package does. The set's recipes, and those that
`pypi:` makes, take `build_python_package` from the set by name, so the one replaced here
reaches them all; a recipe that sets `do_check` itself keeps its choice, and each package's
import check still runs. `do_check` is part of every derivation: these are other store paths
than the checked builds, and both live side by side.
"""

import functools


def overlay(final, prev):
    return {"build_python_package": functools.partial(prev.build_python_package, do_check=False)}
