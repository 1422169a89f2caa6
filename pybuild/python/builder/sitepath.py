"""Run Python with store folders as site dirs: ``python -S sitepath.py (-m M | -c C | FILE)``.

Inside a build, ``-S`` keeps the interpreter's own site-packages out; this shim then adds the
folders in ``$PYBUILD_SITE_DIRS`` with ``site.addsitedir`` (so their ``.pth`` files work, which
``PYTHONPATH`` would skip) and runs the rest of the command line as ``python`` would.
"""

import os
import runpy
import site
import sys


def main() -> None:
    for folder in filter(None, os.environ.get("PYBUILD_SITE_DIRS", "").split(os.pathsep)):
        site.addsitedir(folder)
    args = sys.argv[1:]
    if args[0] == "-m":
        sys.path.insert(0, os.getcwd())
        sys.argv = [args[1], *args[2:]]
        runpy.run_module(args[1], run_name="__main__", alter_sys=True)
    elif args[0] == "-c":
        sys.path.insert(0, "")
        sys.argv = ["-c", *args[2:]]
        exec(compile(args[1], "<string>", "exec"), {"__name__": "__main__"})
    else:
        sys.argv = args
        sys.path.insert(0, os.path.dirname(os.path.abspath(args[0])))
        runpy.run_path(args[0], run_name="__main__")


if __name__ == "__main__":
    main()
