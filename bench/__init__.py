"""Benchmarks of pybuild against uv, pip and venv: ``python -m bench`` (docs/benchmarks.md).

Every figure is a median of several runs, and every ratio divides two medians taken in the
same run on the same machine: the machines we have are shared and noisy, so only figures
measured side by side mean anything. The runs of the commands compared are interleaved (A, B,
A, B, …) so that a noisy neighbour slows all of them alike.

This module holds what the workloads share: timing (:func:`measure`), subprocess helpers,
and the one table they all print into (:class:`Row`, :class:`Line`, :func:`format_table`).
The benchmarks are not part of the test suite; they need the package index and minutes.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "ROOT",
    "Command",
    "Line",
    "Row",
    "bench_environ",
    "evaluated",
    "format_table",
    "human_seconds",
    "measure",
    "ratio",
    "run",
    "settle",
]

ROOT = Path(__file__).resolve().parent.parent


def bench_environ(**extra: str) -> dict[str, str]:
    """The environment of every timed command: the caller's, as a user's shell would have it.

    ``PYTHONDONTWRITEBYTECODE`` is dropped (a user's Python writes bytecode, and a venv
    without it would recompile every module on every import), and so is ``PYTHONPATH`` (the
    timed ``pybuild`` is the one installed in the bench's venv, not a checkout on the path); the
    pip version check is off so that no command waits on the network.
    """
    env = {**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1", "UV_NO_PROGRESS": "1"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.pop("PYTHONPATH", None)
    env.update(extra)
    return env


def run(
    argv: Sequence[str | os.PathLike[str]],
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> str:
    """Run a command to completion; its standard output, or exit with its output on failure."""
    done = subprocess.run(
        [os.fspath(a) for a in argv],
        env=dict(env) if env is not None else bench_environ(),
        cwd=cwd or ROOT,
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        shown = " ".join(os.fspath(a) for a in argv)
        sys.exit(f"bench: `{shown}` failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return done.stdout


def settle(*paths: Path) -> None:
    """Wait until the newest of `paths` (a folder: every file in it) is older than the two
    seconds within which pybuild's evaluation cache keeps no record of an input (it could still
    change in the same clock tick): a no-op timed sooner would measure an evaluation."""
    times = [0.0]
    for path in paths:
        files = [path] if path.is_file() else [f for f in path.rglob("*") if f.is_file()]
        times += [f.stat().st_mtime for f in files]
    time.sleep(max(0.0, max(times) + 2.5 - time.time()))


def evaluated(pkgs: Any) -> dict[str, Any]:
    """The set's packages by attribute, less those whose release this interpreter cannot
    have (``Requires-Python``, no wheel for it: the set's own ``--all`` leaves them out too).
    Any other error is the set's defect and stops the bench."""
    from pybuild.errors import UnsupportedInterpreter

    found: dict[str, Any] = {}
    for name in pkgs.packages():
        try:
            pkg = pkgs[name]
            pkg.drv  # noqa: B018 - evaluates it: unsupported releases raise here
        except UnsupportedInterpreter:
            continue
        found[name] = pkg
    return found


@dataclass
class Command:
    """One thing to time: `run` is timed, `prepare` (if any) runs untimed just before it.

    Both get the run's number, so that each run can use a fresh name or folder.
    """

    label: str
    timed: Callable[[int], object]
    prepare: Callable[[int], object] | None = None
    runs: int | None = None  # fewer runs for an expensive command; None: measure()'s count


def measure(commands: Sequence[Command], runs: int, warm_up: bool = False) -> list[float]:
    """Median seconds of each command, the commands' runs interleaved.

    With `warm_up`, each command runs once untimed first (file-system caches, bytecode).
    """
    counter = 0
    if warm_up:
        for command in commands:
            if command.prepare:
                command.prepare(counter)
            command.timed(counter)
            counter += 1
    times: list[list[float]] = [[] for _ in commands]
    for i in range(runs):
        for command, samples in zip(commands, times, strict=True):
            if i >= (command.runs or runs):
                continue
            counter += 1
            if command.prepare:
                command.prepare(counter)
            start = time.perf_counter()
            command.timed(counter)
            samples.append(time.perf_counter() - start)
    return [statistics.median(samples) for samples in times]


def human_seconds(seconds: float | None) -> str:
    """``3.2 ms``, ``262 ms``, ``4.10 s``, ``62.5 s``: three significant figures or so."""
    if seconds is None:
        return ""
    ms = seconds * 1000
    if ms < 10:
        return f"{ms:.2f} ms"
    if ms < 100:
        return f"{ms:.1f} ms"
    if ms < 1000:
        return f"{ms:.0f} ms"
    return f"{seconds:.2f} s" if seconds < 10 else f"{seconds:.1f} s"


@dataclass
class Line:
    """One command of a workload: what was run, its median, how pybuild compares, the target.

    `met` is None on a line without a target (a peer's line, or a figure for information).
    """

    command: str
    seconds: float | None = None
    ratio: str = ""  # on pybuild's lines: "2.10× uv"
    target: str = ""
    met: bool | None = None
    value: str = ""  # shown instead of `seconds` for figures that are not times (MiB)


@dataclass
class Row:
    """One workload of the table: its name and its commands."""

    workload: str
    lines: list[Line] = field(default_factory=list)


def ratio(ours: float, theirs: float, name: str) -> str:
    """``"2.10× uv"``: how many times `theirs` pybuild's figure is."""
    return f"{ours / theirs:.2f}× {name}"


def format_table(rows: Sequence[Row]) -> str:
    """The rows as one plain-text table; a workload's further commands go on lines below it."""
    head = ("workload", "command", "median", "ratio", "target", "result")
    cells: list[tuple[str, ...]] = []
    for row in rows:
        for i, line in enumerate(row.lines or [Line("")]):
            result = {True: "met", False: "MISSED", None: ""}[line.met]
            shown = line.value or human_seconds(line.seconds)
            workload = row.workload if i == 0 else ""
            cells.append((workload, line.command, shown, line.ratio, line.target, result))
    widths = [max(len(c[i]) for c in [head, *cells]) for i in range(len(head))]
    right = {2}  # medians line up on the right

    def fmt(cols: tuple[str, ...]) -> str:
        parts = [
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(cols, widths, strict=True))
        ]
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * w for w in widths)
    out = [fmt(head), rule]
    for cols in cells:
        if cols[0] and len(out) > 2:
            out.append("")
        out.append(fmt(cols))
    return "\n".join(out)
