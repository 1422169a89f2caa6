"""Processes racing each other on one store: exactly one build per path, every one succeeds."""

from __future__ import annotations

import collections
import os
import re
import subprocess
from pathlib import Path

import pytest

from .common import TRIALS, pybuild_command

RACERS = 4


def race(trial_file: Path, trial: int) -> list[subprocess.CompletedProcess[str]]:
    env = {**os.environ, "TRIAL": str(trial)}
    procs = [
        subprocess.Popen(
            pybuild_command("build", "-f", str(trial_file), "greet"),
            cwd=trial_file.parent,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(RACERS)
    ]
    done = []
    for proc in procs:
        out, err = proc.communicate(timeout=600)
        done.append(subprocess.CompletedProcess(proc.args, proc.returncode, out, err))
    return done


@pytest.mark.parametrize("trial", range(max(1, TRIALS // 2)))
def test_racing_builds_build_each_path_once(trial_file: Path, trial: int) -> None:
    results = race(trial_file, trial)
    assert all(r.returncode == 0 for r in results), [r.stderr for r in results]
    assert len({r.stdout for r in results}) == 1  # the same output path for every racer
    built = collections.Counter(
        match.group(1)
        for r in results
        for line in r.stderr.splitlines()
        if (match := re.match(r"\[\d+/\d+\] building (\S+) \(", line))
    )
    assert built, "nothing was built: the trial did not race"
    assert all(count == 1 for count in built.values()), built
