"""A venv-like interpreter for one phase: the standard library and the given folders, no more.

Running phases as ``python -S`` with a shim kept the interpreter's own site-packages out of
the builder, but not out of what the phase starts: a test suite running
``[sys.executable, "-c", "import click"]`` got the plain interpreter, which imported whatever
the user happened to have installed. A virtual environment fixes both at once, as Python
itself defines it: ``pyvenv.cfg`` beside ``bin/python`` makes ``sys.prefix`` the environment
(without the system site-packages), and one ``.pth`` file adds the declared folders with
``site.addsitedir`` (so their own ``.pth`` files work), for the phase and for every
``sys.executable`` subprocess it starts.
"""

import os
import sys

_PTH = "import site; list(map(site.addsitedir, {folders!r}))\n"


def make_venv(root, site_dirs, executable=sys.executable, version=None):
    """Make the environment at `root` (a folder of the build) for the interpreter
    `executable` (X.Y `version`; this one's by default) and return its ``bin/python``."""
    real = os.path.realpath(executable)
    version = version or "{}.{}".format(*sys.version_info[:2])
    bin_dir = root / "bin"
    bin_dir.mkdir(parents=True)
    (root / "pyvenv.cfg").write_text(
        f"home = {os.path.dirname(real)}\ninclude-system-site-packages = false\n"
    )
    for name in ("python", "python3", f"python{version}"):
        os.symlink(real, bin_dir / name)
    site = root / "lib" / f"python{version}" / "site-packages"
    site.mkdir(parents=True)
    (site / "_pybuild_phase.pth").write_text(_PTH.format(folders=[str(p) for p in site_dirs]))
    return bin_dir / "python"
