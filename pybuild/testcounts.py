"""How many tests a package's check phase passed, failed and skipped, read back from its log.

The in-build builder counts pytest's outcomes and logs them in one line (``COUNTS_LINE`` in
``pybuild/python/builder/phases.py``; the builder runs without pybuild, so the format is
written there and parsed here). The realiser keeps each build's log as
``var/log/<drv>.log``, so a report of a set (``pybuild build --all --json``) can say, per
attribute, what its tests proved, as Hydra shows a job's test results, without the output
itself carrying anything about its build.

Example::

    >>> log = tmp / "idna.drv.log"
    >>> _ = log.write_text("pybuild: phase check\\npybuild: tests passed=99 failed=0 skipped=1\\n")
    >>> counts_in_log(log).to_json()
    {'passed': 99, 'failed': 0, 'skipped': 1}
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .results import BuildResult, Status

__all__ = ["SuiteCounts", "counts_for", "counts_in_log", "total"]

_LINE = re.compile(r"^pybuild: tests passed=(\d+) failed=(\d+) skipped=(\d+)$", re.MULTILINE)
_PHASE_FAILED = re.compile(r"^pybuild: phase .* failed: ", re.MULTILINE)


@dataclass(frozen=True)
class SuiteCounts:
    """The outcomes of one check phase's test suite."""

    passed: int
    failed: int
    skipped: int

    def to_json(self) -> dict[str, int]:
        return {"passed": self.passed, "failed": self.failed, "skipped": self.skipped}

    def describe(self) -> str:
        return f"{self.passed} passed, {self.failed} failed, {self.skipped} skipped"


def counts_in_log(log: Path) -> SuiteCounts | None:
    """The counts the build logged in `log`, or None when it ran no tests (or left no log)."""
    try:
        text = log.read_text(errors="replace")
    except FileNotFoundError:
        return None
    found = _LINE.findall(text)
    if not found:
        return None
    passed, failed, skipped = (int(n) for n in found[-1])
    return SuiteCounts(passed, failed, skipped)


def counts_for(log_dir: Path, drv_name: str, result: BuildResult) -> SuiteCounts | None:
    """The counts of the build that made `drv_name`'s output (or that failed in `result`).

    Not every log on disk is that build's: an input's failure means no build ran now (an
    older log may remain), a substituted output was built elsewhere, and an output that is
    valid while its log records a failed phase came from somewhere else than that build.
    """
    if result.status in (Status.DEPENDENCY_FAILED, Status.SUBSTITUTED):
        return None
    log = log_dir / f"{drv_name}.log"
    if result.ok and _failed_phase(log):
        return None
    return counts_in_log(log)


def _failed_phase(log: Path) -> bool:
    try:
        return _PHASE_FAILED.search(log.read_text(errors="replace")) is not None
    except FileNotFoundError:
        return False


def total(counts: Iterable[SuiteCounts]) -> SuiteCounts:
    """The sum of several suites' counts (a set's total)."""
    found = list(counts)
    return SuiteCounts(
        sum(c.passed for c in found), sum(c.failed for c in found), sum(c.skipped for c in found)
    )
