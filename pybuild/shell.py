"""``pybuild shell``: a command or an interactive shell inside an environment.

The environment's ``bin`` goes first on ``PATH`` and ``VIRTUAL_ENV`` names it, as activating
a venv would. ``PYTHONPATH`` and ``PYTHONHOME`` never get in, so what Python sees is exactly
the environment. ``--pure`` also drops everything else the user's session had, except a few
variables a terminal needs (like nix-shell ``--pure``).
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping

__all__ = ["run_in_environment", "shell_environ"]

_PURE_KEEP = (
    "HOME",
    "USER",
    "LOGNAME",
    "TERM",
    "COLORTERM",
    "LANG",
    "LC_ALL",
    "LC_CTYPE",
    "TZ",
    "DISPLAY",
    "SHELL",
    "TMPDIR",
    "PYBUILD_HOME",
    "XDG_DATA_HOME",
    "XDG_CONFIG_HOME",
)
_NEVER = ("PYTHONPATH", "PYTHONHOME", "PYTHONUSERBASE", "VIRTUAL_ENV", "CONDA_PREFIX")
_SYSTEM_PATH = "/usr/local/bin:/usr/bin:/bin"


def shell_environ(env_dir: str, pure: bool, base: Mapping[str, str]) -> dict[str, str]:
    """The variables a shell in `env_dir` gets, from the caller's `base`."""
    if pure:
        environ = {k: base[k] for k in _PURE_KEEP if k in base}
        rest = _SYSTEM_PATH
    else:
        environ = {k: v for k, v in base.items() if k not in _NEVER}
        rest = base.get("PATH", _SYSTEM_PATH)
    environ["PATH"] = f"{env_dir}/bin{os.pathsep}{rest}"
    environ["VIRTUAL_ENV"] = env_dir
    environ["IN_PYBUILD_SHELL"] = "pure" if pure else "impure"  # as IN_NIX_SHELL
    return environ


def run_in_environment(env_dir: str, pure: bool, command: str | None) -> int:
    """Run `command` with ``/bin/sh -c`` (or the user's shell, interactively) in `env_dir`."""
    environ = shell_environ(env_dir, pure, os.environ)
    if command is not None:
        argv = ["/bin/sh", "-c", command]
    else:
        argv = [os.environ.get("SHELL") or "/bin/sh", "-i"]
        environ["PS1"] = r"(pybuild) \w\$ "
    return subprocess.call(argv, env=environ)
