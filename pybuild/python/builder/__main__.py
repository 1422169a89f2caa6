"""The in-build builder's entry: ``python -S __main__.py`` with ``$PYBUILD_ATTRS`` (JSON).

A script run by its path is compiled on every start; the modules it imports load from the
bytecode the toolchain compiled for this interpreter (:mod:`toolchain`). So this file is only
the entry, and the phases are in :mod:`phases`.
"""

import os
import sys
import tempfile

from phases import main  # a sibling: this folder is sys.path[0]

if __name__ == "__main__":
    tempfile.tempdir = os.environ.get("TMPDIR")
    sys.exit(main())
