"""The scientific stack of the default set on other interpreters: CPython 3.12 and 3.13.

Each wheel recipe pins its files for every interpreter and platform, so ``pybuild --python
3.X`` builds numpy, scipy, pandas, matplotlib (wheels) and requests (sdists) for that
interpreter from the real index, and a pure shell of them imports all five with it. Each
interpreter gets a home of its own; one not installed here is skipped.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pybuild.errors import UsageError
from pybuild.python.locate import locate_python

pytestmark = pytest.mark.network

PACKAGES = ("numpy", "scipy", "pandas", "matplotlib", "requests")


def _pybuild(home: Path, *args: str, timeout: int) -> subprocess.CompletedProcess[str]:
    """``python -m pybuild ARGS`` in a subprocess, with `home` as its pybuild home."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYBUILD_")}
    # Not a folder named pybuild in the working folder: `python -m pybuild` would import it.
    env.update(PYBUILD_HOME=str(home / "home"), XDG_CONFIG_HOME=str(home / "config"))
    return subprocess.run(
        [sys.executable, "-m", "pybuild", *args],
        cwd=home,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.mark.parametrize("version", ["3.12", "3.13"])
def test_the_scientific_stack_builds_and_imports(version: str, tmp_path: Path) -> None:
    try:
        locate_python(version)
    except UsageError:
        pytest.skip(f"CPython {version} is not installed")
    built = _pybuild(tmp_path, "--python", version, "build", *PACKAGES, "--json", timeout=3600)
    assert built.returncode == 0, built.stderr[-3000:]
    rows = json.loads(built.stdout)
    assert [row["attr"] for row in rows] == list(PACKAGES)
    assert all(f"-python{version}-" in row["outputs"]["out"] for row in rows)
    code = "import sys, numpy, scipy, pandas, matplotlib, requests; print(*sys.version_info[:2])"
    shell = _pybuild(
        tmp_path,
        "shell",
        "--pure",
        "--python",
        version,
        *(a for p in PACKAGES for a in ("-p", p)),
        "--run",
        f"python -c '{code}'",
        timeout=600,
    )
    assert shell.returncode == 0, shell.stderr[-3000:]
    assert shell.stdout.split() == version.split(".")
