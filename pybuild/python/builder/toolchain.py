"""The builder's toolchain for one interpreter: ``python -S toolchain.py WHEEL…`` into ``$out``.

The builder's own tools (installer, pyproject-hooks, packaging) are pure wheels. Imported
from the zip files, every build would compile their 50-odd modules again (zipimport keeps no
bytecode), about 50 ms a builder start, and pyproject-hooks would copy its in-process script
out of the zip for every hook it runs. Unpacked once per interpreter, with bytecode compiled
by that interpreter, they start as fast as the standard library. Standard library only: this
runs before any tool exists.
"""

import compileall
import os
import py_compile
import sys
import zipfile


def main() -> int:
    out = os.environ["out"]  # noqa: SIM112 - Nix names outputs in lower case
    os.makedirs(out)
    for wheel in sys.argv[1:]:
        with zipfile.ZipFile(wheel) as archive:
            archive.extractall(out)  # a pinned, hash-checked wheel; extractall refuses escapes
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
