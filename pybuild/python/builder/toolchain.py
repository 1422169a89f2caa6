"""The builder's toolchain for one interpreter: ``python -S toolchain.py WHEEL…`` into ``$out``.

The builder's own tools (installer, pyproject-hooks, packaging) are pure wheels. Imported
from the zip files, every build would compile their 50-odd modules again (zipimport keeps no
bytecode), about 50 ms a builder start, and pyproject-hooks would copy its in-process script
out of the zip for every hook it runs. Unpacked once per interpreter, with bytecode compiled
by that interpreter, they start as fast as the standard library. The builder itself (this
folder) is copied in beside them, into ``pybuild-builder`` (not a module name, so no build
can import it by accident), for the same reason: its own store path serves every interpreter,
so it holds no bytecode, and its modules were compiled again by every build (9 ms). Standard
library only: this runs before any tool exists.
"""

import compileall
import os
import py_compile
import shutil
import sys
import zipfile

# Where the builder is, in the toolchain's output; a package's derivation runs it from there
# (``_ENTRY`` in pybuild/python/package.py, which cannot be imported here).
BUILDER = "pybuild-builder"


def main() -> int:
    out = os.environ["out"]  # noqa: SIM112 - Nix names outputs in lower case
    os.makedirs(out)
    for wheel in sys.argv[1:]:
        with zipfile.ZipFile(wheel) as archive:
            archive.extractall(out)  # a pinned, hash-checked wheel; extractall refuses escapes
    here, builder = os.path.dirname(os.path.abspath(__file__)), os.path.join(out, BUILDER)
    os.mkdir(builder)  # the files alone: the store's modes would make the copy read-only
    for name in os.listdir(here):
        if name.endswith(".py") and name != "toolchain.py":
            shutil.copyfile(os.path.join(here, name), os.path.join(builder, name))
    ok = compileall.compile_dir(
        out,
        quiet=2,
        stripdir=out,
        prependdir=None,
        workers=1,
        invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
