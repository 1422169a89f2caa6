"""Shell hooks around the phases: a recipe's ``post_patch``, ``pre_build``, ``post_install`` and
``pre_check``, as nixpkgs' postPatch, preBuild, postInstall and preCheck.

Recipes of the real world need a line of shell now and then (drop a vendored copy, fix a
path, delete a test that needs the network) without writing a patch file. A hook is run by
``/bin/sh -e``, so its first failing command fails it (nixpkgs' hooks run under ``set -e``
too), in the source tree (the build folder for a wheel), with the phase's environment: what
the builder has (``$out``, ``$TMPDIR``, the recipe's ``env``, the build tools on ``PATH``), a
``python`` that sees what the phase sees, and ``$pname``, ``$version``, ``$src`` and
``$site_packages`` (``lib/pythonX.Y/site-packages``, relative to ``$out``).
"""

import os
import subprocess
from pathlib import Path


def run_hook(name: str, script: str, cwd: Path, env: dict) -> int:
    """Run one hook; its exit status (0 when it succeeded)."""
    print(f"pybuild: running the {name} hook", flush=True)
    return subprocess.run(["/bin/sh", "-e", "-c", script], cwd=cwd, env=env).returncode


def hook_env(attrs: dict, python: Path, base: dict) -> dict:
    """The hook's environment: `base` (the phase's), with the phase's ``python`` first on
    ``PATH`` and the recipe's identity in the variables nixpkgs' hooks have."""
    return {
        **base,
        "PATH": f"{python.parent}{os.pathsep}{base.get('PATH', '')}",
        "pname": attrs["pname"],
        "version": attrs["version"],
        "src": attrs["src"],
        "site_packages": attrs["site_packages"],
    }
