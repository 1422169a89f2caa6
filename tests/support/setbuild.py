"""``pybuild build … --keep-going --json`` of the default set in a home of its own, read back
as a report by attribute (the network tests of the set's check phases)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pybuild.errors import UsageError
from pybuild.python.locate import locate_python


def need_python(version: str) -> None:
    try:
        locate_python(version)
    except UsageError:
        pytest.skip(f"CPython {version} is not installed")


def home_environ(root: Path) -> dict[str, str]:
    """The variables that make `root` the pybuild home (and its settings' folder)."""
    return {"PYBUILD_HOME": str(root / "home"), "XDG_CONFIG_HOME": str(root / "config")}


def build_report(
    factory: pytest.TempPathFactory, *args: str, root: Path | None = None
) -> dict[str, dict[str, Any]]:
    """``pybuild [--python V] build ARGS --keep-going --json -j 2`` into a new home (that of
    `root`, when given, for a test to look into the store afterwards)."""
    root = root or factory.mktemp("network-checks")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYBUILD_")}
    env.update(home_environ(root))
    python = list(args[:2]) if args[0] == "--python" else []
    rest = args[len(python) :]
    command = [sys.executable, "-m", "pybuild", *python, "build", *rest, "--keep-going"]
    run = subprocess.run(
        [*command, "--json", "-j", "2"], env=env, capture_output=True, text=True, timeout=3600
    )
    assert run.stdout, run.stderr
    return {row["attr"]: row for row in json.loads(run.stdout)}
