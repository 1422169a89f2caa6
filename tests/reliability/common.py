"""What the reliability tests share: trial counts, a build file, running pybuild."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

# Trials per test in the default suite; `python -m tests.reliability --report` raises them.
TRIALS = int(os.environ.get("RELIABILITY_TRIALS", "5"))

# A two-package chain (greet needs shout); TRIAL makes every trial's derivations new, so each
# trial has real work to be interrupted in.
TRIAL_FILE = """\
import os
from pybuild.pkgset import DEFAULT_RECIPES, package_set

pkgs = package_set(recipes=[DEFAULT_RECIPES, {recipes!r}])
trial = {{"PYBUILD_TRIAL": os.environ.get("TRIAL", "0")}}
shout = pkgs.shout.override_python_attrs(env=trial)
greet = pkgs.greet.override(shout=shout).override_python_attrs(env=trial)
"""


def pybuild_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "pybuild", *args]


def run_pybuild(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        pybuild_command(*args), cwd=cwd, text=True, capture_output=True, env={**os.environ, **env}
    )
