"""``pybuild build … --keep-going --json`` of the default set, read back as a report by
attribute (the network tests of the set's check phases); the pybuild homes that the network
tests of one interpreter share (:func:`shared_root`); and an overlay that turns check phases off
(:func:`checks_off`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from pybuild.errors import UnsupportedInterpreter, UsageError
from pybuild.pkgset import PackageSet
from pybuild.python.locate import locate_python


def need_python(version: str) -> str:
    """The executable of CPython `version`, or the test is skipped."""
    try:
        return locate_python(version)
    except UsageError:
        pytest.skip(f"CPython {version} is not installed")


def unsupported_here(pkgs: PackageSet, attr: str) -> str | None:
    """Why the set's `attr` cannot exist for the running interpreter (its release has no wheel
    for it, as numpy_1's 1.26.4 for 3.13 and later), or None when it can."""
    try:
        pkgs[attr].attrs  # noqa: B018 - evaluating is the point
    except UnsupportedInterpreter as exc:
        return str(exc)
    return None


def shared_root(factory: pytest.TempPathFactory, python: str | None = None) -> Path:
    """The folder of the pybuild home where this run's network tests build the default set for
    `python` (``"3.13"``; the running interpreter when None), shared by every test file and every
    pytest-xdist worker of the run: what one test builds (numpy, scipy, fonttools' suite…)
    another finds valid instead of building it again, as two users of one Nix store do. Two
    workers may need a path at the same time: the store's per-path locks make the second wait
    for the first's build and then reuse it. Only tests that look at what was built share it:
    one that needs an empty home or collects garbage keeps a home of its own."""
    python = python or f"{sys.version_info[0]}.{sys.version_info[1]}"
    base = factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        base = base.parent  # each worker's basetemp is a folder of the run's
    root = base / f"network-home-python{python}"
    root.mkdir(exist_ok=True)
    return root


def home_environ(root: Path) -> dict[str, str]:
    """The variables that make `root` the pybuild home (and its settings' folder)."""
    return {"PYBUILD_HOME": str(root / "home"), "XDG_CONFIG_HOME": str(root / "config")}


def build_report(
    factory: pytest.TempPathFactory, *args: str, root: Path | None = None
) -> dict[str, dict[str, Any]]:
    """``pybuild [--python V] build ARGS --keep-going --json -j 2`` into the home of `root`
    (a new one when not given)."""
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


def checks_off(folder: Path, names: Sequence[str]) -> Path:
    """An overlay file in `folder` that builds the attributes `names` with their check phase
    off, as a user turns ``do_check`` off: for a network test about something else, whose
    packages' upstream suites the same run's check tests run already (each a minute or two of
    CI's two cores)."""
    overlay = folder / "checks_off.py"
    off = "getattr(prev, n).override_python_attrs(do_check=False)"
    overlay.write_text(
        f"def overlay(final, prev):\n    return {{n: {off} for n in {tuple(names)!r}}}\n"
    )
    return overlay
