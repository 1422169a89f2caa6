"""The build sandbox: a builder sees only its declared inputs and, unless it is a download, no
network (Nix's sandbox on Linux, made with bubblewrap).

Inside, the file system holds the system's programs and libraries read-only (``/usr``,
``/bin``, ``/lib*``, ``/etc``), the interpreter's installation read-only, every store path of
the build's input closure read-only at its usual place, and the build directory read-write;
``/tmp`` is private and ``/proc`` and ``/dev`` are the sandbox's own. A read of an undeclared
store path finds nothing, and a connection attempt finds no network. A fixed-output
derivation (a download) keeps the network, as in Nix, and may read the file system (a
``file://`` URL); its result is checked by hash instead, and it still writes nothing but its
build folder.

The ``sandbox`` setting: ``true`` (required: fail if bubblewrap cannot run), ``false``, or
``relaxed`` (the default: sandbox when bubblewrap works, else build without it and warn once).
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

from .errors import SettingsError

__all__ = ["Sandbox", "sandbox_for"]

_SYSTEM = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc", "/opt")
_MODES = ("true", "false", "relaxed")


class Sandbox:
    """How to wrap one builder's command line so that it runs isolated."""

    def __init__(self, bwrap: str) -> None:
        self.bwrap = bwrap

    def wrap(
        self,
        argv: Sequence[str],
        *,
        build_dir: Path,
        work: Path,
        inputs: Iterable[Path],
        network: bool,
    ) -> list[str]:
        """The command that runs `argv` in the sandbox (environment and cwd are inherited)."""
        # The program by its real path: a venv's `python` is a link to an interpreter
        # elsewhere, and only the interpreter's installation is inside the sandbox.
        argv = [os.path.realpath(argv[0]), *argv[1:]]
        wrapped = [self.bwrap, "--die-with-parent", "--unshare-all", "--new-session"]
        if network:
            # A download: its result is checked by hash, so it may read what it needs (a
            # file:// URL anywhere) and use the network; it still writes only its build folder.
            return [
                *wrapped,
                "--share-net",
                "--ro-bind",
                "/",
                "/",
                "--dev",
                "/dev",
                "--proc",
                "/proc",
                "--bind",
                str(work),
                str(work),
                "--chdir",
                str(build_dir),
                "--",
                *argv,
            ]
        for folder in _SYSTEM:
            if os.path.isdir(folder):
                wrapped += ["--ro-bind", folder, folder]
        # The private /tmp first: inputs and the build folder may live below it.
        wrapped += ["--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp"]
        for folder in sorted({str(p) for p in [*_program_prefixes(argv[0]), *inputs]}):
            if os.path.lexists(folder):
                wrapped += ["--ro-bind", folder, folder]
        wrapped += ["--bind", str(work), str(work), "--chdir", str(build_dir)]
        return [*wrapped, "--", *argv]


def _program_prefixes(program: str) -> list[str]:
    """The installation a builder outside the system folders needs (e.g. pyenv's Python)."""
    real = os.path.realpath(program)
    if real.startswith(tuple(f"{s}/" for s in _SYSTEM)):
        return []
    prefix = str(Path(real).parent.parent)  # <prefix>/bin/<program>
    return [prefix] if prefix != "/" else []


def sandbox_for(mode: str) -> Sandbox | None:
    """The sandbox to use under the ``sandbox`` setting, or None to build without one."""
    if mode not in _MODES:
        raise SettingsError(f"sandbox must be one of {', '.join(_MODES)}, not {mode!r}")
    if mode == "false":
        return None
    bwrap, problem = _probe()
    if bwrap is not None:
        return Sandbox(bwrap)
    if mode == "true":
        error = SettingsError(f"sandbox = true, but bubblewrap cannot run here: {problem}")
        error.hint = "install bubblewrap (Debian: apt-get install bubblewrap) or set sandbox"
        raise error
    _warn_once(problem)
    return None


@functools.lru_cache(maxsize=1)
def _probe() -> tuple[str | None, str]:
    """Whether bubblewrap is installed and can make namespaces here; why not, if it cannot."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return None, "bwrap is not installed"
    try:
        result = subprocess.run(
            [bwrap, "--unshare-all", "--ro-bind", "/", "/", "--dev", "/dev", "true"],
            capture_output=True,
            text=True,
            timeout=30,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return None, f"bwrap did not run ({exc})"
    if result.returncode != 0:
        return None, f"bwrap failed: {result.stderr.strip() or result.returncode}"
    return bwrap, ""


@functools.lru_cache(maxsize=1)
def _warn_once(problem: str) -> None:
    print(
        f"warning: building without a sandbox ({problem}); set sandbox = false to silence "
        "this, or install bubblewrap",
        file=sys.stderr,
    )
