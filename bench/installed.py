"""pybuild as a user installs it: the one the bench's timed commands run.

A user installs pybuild with pip (or pipx, or ``uv tool install``) into an environment of its
own. A developer's interpreter runs more at every start: the repository's editable install
adds an import hook, and other packages' ``.pth`` files may run code too (this project's
machine has one that loads certifi), tens of milliseconds that no user's pybuild pays and
that the start-up figures (``--version``, the no-ops) would otherwise measure. ``python -m
bench`` installs the working tree, as it is, into a venv of the work folder and names that
venv to its scripts in ``BENCH_PYBUILD_VENV``; a script run alone uses this interpreter's
pybuild.

Example::

    >>> install_pybuild(work / "pybuild-venv")                     # doctest: +SKIP
    >>> run(pybuild_argv("--version"))                             # doctest: +SKIP
    'pybuild 0.1.0\\n'
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from . import ROOT, run

__all__ = ["VENV_VARIABLE", "install_pybuild", "installed_package", "pybuild_argv", "python_argv"]

VENV_VARIABLE = "BENCH_PYBUILD_VENV"
_NOT_SHIPPED = (".git", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", ".venv", "site")


def install_pybuild(folder: Path) -> Path:
    """A venv at `folder` holding pybuild from this working tree (not editable) and its
    dependencies from the index; named in the environment for the scripts the bench runs."""
    source = folder.parent / "pybuild-source"  # a copy: a build in the tree would leave build/
    shutil.rmtree(source, ignore_errors=True)
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(*_NOT_SHIPPED))
    if not (folder / "bin" / "python").exists():
        run([sys.executable, "-m", "venv", folder])
    pip: list[str | os.PathLike[str]] = [folder / "bin" / "python", "-m", "pip", "install", "-q"]
    run([*pip, source])
    run([*pip, "--no-deps", "--force-reinstall", source])  # the tree as it is now, every run
    os.environ[VENV_VARIABLE] = str(folder)
    return folder


def pybuild_argv(*args: str) -> list[str]:
    """The command line that runs pybuild with `args`: the installed console script."""
    venv = os.environ.get(VENV_VARIABLE)
    if venv:
        return [os.path.join(venv, "bin", "pybuild"), *args]
    return [sys.executable, "-m", "pybuild", *args]


def python_argv(*args: str) -> list[str]:
    """The interpreter pybuild runs on, with `args`: the floor of every pybuild command. With
    ``-P``: ``python -c`` puts the working folder first on ``sys.path``, and the bench runs
    from the checkout, whose ``pybuild`` would be imported instead of the installed one."""
    venv = os.environ.get(VENV_VARIABLE)
    return [os.path.join(venv, "bin", "python") if venv else sys.executable, "-P", *args]


def installed_package() -> Path:
    """The folder of the pybuild the timed commands import: its files are inputs of every
    evaluation record (:func:`bench.settle` waits for them after an install)."""
    code = "import os, pybuild; print(os.path.dirname(pybuild.__file__))"
    where = run(python_argv("-I", "-c", code))  # -I: nor a PYTHONPATH of the caller's
    return Path(where.strip())
