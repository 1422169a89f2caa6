"""SIGKILL at a random moment of a build: the store is never left half-written.

Each trial builds a new two-package chain (unpack, PEP 517 build, install, registration) and
kills pybuild at a random moment of it; then `pybuild verify --check-contents` must find no
damage, every registered path must be complete, and the same build must then succeed.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from pathlib import Path

import pytest

from pybuild.store import Store

from .common import TRIALS, pybuild_command, run_pybuild


def build_seconds(trial_file: Path) -> float:
    """How long one undisturbed trial build takes (it also builds the shared build tools)."""
    run_pybuild("build", "-f", str(trial_file), "greet", cwd=trial_file.parent, TRIAL="warm")
    start = time.monotonic()
    result = run_pybuild(
        "build", "-f", str(trial_file), "greet", cwd=trial_file.parent, TRIAL="timed"
    )
    assert result.returncode == 0, result.stderr
    return time.monotonic() - start


def kill_at(trial_file: Path, trial: int, delay: float) -> str:
    """Start a trial build, SIGKILL it after `delay` seconds; the phase it was in."""
    env = {**os.environ, "TRIAL": str(trial)}
    proc = subprocess.Popen(
        pybuild_command("build", "-f", str(trial_file), "greet"),
        cwd=trial_file.parent,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    _, err = proc.communicate()
    return "finished" if proc.returncode == 0 else _last_phase(err)


def _last_phase(stderr: str) -> str:
    building = [line for line in stderr.splitlines() if line.startswith("building ")]
    return building[-1].split()[1] if building else "evaluation"


def damage(store: Store) -> list[str]:
    """Damaged registered paths, and registered paths whose references are not registered."""
    found = [f"{p.kind} {p.path}" for p in store.verify(check_contents=True) if p.is_damage]
    for name in store.registry.paths():
        found += [
            f"dangling {name} -> {r}" for r in store.info(name).references if not store.is_valid(r)
        ]
    return found


def test_sigkill_at_random_moments_leaves_no_damage(
    trial_file: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outside = tmp_path / "tmp"  # where each build unpacks and runs: outside the store
    outside.mkdir()
    monkeypatch.setenv("TMPDIR", str(outside))
    duration = build_seconds(trial_file)
    rng = random.Random(2026)
    store = Store.default()
    phases = []
    for trial in range(TRIALS):
        phases.append(kill_at(trial_file, trial, rng.uniform(0, duration * 1.1)))
        assert damage(store) == [], f"trial {trial} (killed during {phases[-1]})"
        rebuilt = run_pybuild(
            "build", "-f", str(trial_file), "greet", cwd=trial_file.parent, TRIAL=str(trial)
        )
        assert rebuilt.returncode == 0, rebuilt.stderr
        assert damage(store) == []
    # What the killed builds left outside the store goes with the next collection.
    collected = run_pybuild("gc", cwd=trial_file.parent)
    assert collected.returncode == 0, collected.stderr
    assert os.listdir(outside) == []
    assert [name for name in os.listdir(store.home) if name.startswith(".")] == []  # outputs
    print(f"{TRIALS} kills; phases reached: {sorted(phases)}")
