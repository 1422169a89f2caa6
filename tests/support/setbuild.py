"""``pybuild build … --keep-going --json`` of the default set in a home of its own, read back
as a report by attribute (the network tests of the set's check phases)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest

from pybuild.errors import UsageError
from pybuild.python.locate import locate_python


def need_python(version: str) -> None:
    try:
        locate_python(version)
    except UsageError:
        pytest.skip(f"CPython {version} is not installed")


def build_report(factory: pytest.TempPathFactory, *args: str) -> dict[str, dict[str, Any]]:
    """``pybuild [--python V] build ARGS --keep-going --json -j 2`` into a new home."""
    root = factory.mktemp("network-checks")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYBUILD_")}
    env.update(PYBUILD_HOME=str(root / "home"), XDG_CONFIG_HOME=str(root / "config"))
    python = list(args[:2]) if args[0] == "--python" else []
    rest = args[len(python) :]
    command = [sys.executable, "-m", "pybuild", *python, "build", *rest, "--keep-going"]
    run = subprocess.run(
        [*command, "--json", "-j", "2"], env=env, capture_output=True, text=True, timeout=3600
    )
    assert run.stdout, run.stderr
    return {row["attr"]: row for row in json.loads(run.stdout)}
