"""``python -m tests.reliability --report``: every reliability check at full size, as a table.

Runs the reliability tests with `--trials` trials each (100 by default; the default suite runs
a few), plus the hostile-input tests that live beside the code they test (archives, index
answers, cache entries, the sandbox), and writes ``docs/reliability.md``: each check, its
trials, and its result, from this run.
"""

from __future__ import annotations

import argparse
import os
import platform
import shlex
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# (what is checked, pytest selection, trials: "N" = --trials, or a fixed description)
CHECKS = [
    (
        "SIGKILL at a random moment of a build, then verify and rebuild",
        "tests/reliability/test_faults.py",
        "N",
    ),
    (
        "4 processes building the same closure at once",
        "tests/reliability/test_concurrency.py",
        "N/2",
    ),
    (
        "gc racing builds (no live path deleted, builds succeed)",
        "tests/test_gc.py -k build",
        "1 per test",
    ),
    (
        "tampering: a byte changed, a file added, a file removed; verify --repair",
        "tests/reliability/test_tampering.py",
        "1 per case",
    ),
    (
        "hostile archives: '..', absolute paths, links out, devices, bombs",
        "tests/test_unpack.py",
        "1 per case",
    ),
    (
        "hostile index answers: malformed JSON, wrong hash, redirects, time-outs",
        "tests/test_index.py -k 'malformed or redirect or timeout or hash or html'",
        "1 per case",
    ),
    (
        "hostile cache entries: tampered, unsigned, wrong signature, escapes, down, slow",
        "tests/test_cache.py",
        "1 per case",
    ),
    (
        "sandbox: undeclared store paths and the network are out of reach",
        "tests/test_sandbox.py tests/test_realiser_sandbox.py",
        "1 per case",
    ),
    (
        "as root: a builder remounts and writes /etc, /usr, an input store path, / (refused)",
        "tests/test_sandbox.py -k remount",
        "1 per case",
    ),
    (
        "as root: a builder has capabilities, is uid 0, can chown (none; a build user; refused)",
        "tests/test_sandbox.py -k 'capabilities or chown' tests/test_realiser_sandbox.py"
        " -k build_user",
        "1 per case",
    ),
    (
        "a builder reads /etc/shadow (absent: the sandbox has its own /etc)",
        "tests/test_sandbox.py -k own_etc",
        "1 per case",
    ),
    (
        "a download reads a secret file and var/db.sqlite and sends them out (sees neither)",
        "tests/test_realiser_sandbox.py -k 'download or file_url'",
        "1 per case",
    ),
    (
        "registry missing, empty or garbage: gc, delete, optimise refuse; verify fails; recover",
        "tests/test_registry_integrity.py",
        "1 per case",
    ),
    (
        "gc between evaluation and build; two gc loops while a third process builds",
        "tests/test_temproots.py",
        "1 per case",
    ),
    (
        "without the sandbox: a builder's daemons, a SIGKILLed pybuild's builder and its group;"
        " hard links out",
        "tests/test_processes.py tests/test_realiser.py"
        " -k 'leaves_behind or builds_processes or killed_pybuild or hard_linked'",
        "1 per case",
    ),
    (
        "SIGTERM, SIGHUP (a closed terminal) or Ctrl-C during builds (-j 1 and 2, sandbox or"
        " not) or an upload: builders killed, nothing left, exit 128 + N; a SIGKILLed upload's"
        " archive goes with the next gc",
        "tests/test_cli.py -k 'interrupt or closed_terminal'",
        "1 per case",
    ),
    (
        "a cache or download server dripping 64 bytes every 2 s (skipped / failed in time)",
        "tests/test_cache.py tests/test_fetch.py -k drips",
        "1 per case",
    ),
    (
        "fuzzing .drv files, hashes, recipe files, cache metadata, lock files (hypothesis)",
        "tests/reliability/test_fuzz.py",
        "N*40 examples",
    ),
]


def run(selection: str, trials: int, scratch: Path) -> tuple[int, int, int, float]:
    """Run one pytest selection; passed, failed, skipped and seconds."""
    report = scratch / "junit.xml"
    argv = [
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        f"--junitxml={report}",
        f"--basetemp={scratch / 'pytest'}",
        *_files_and_keywords(selection),
    ]
    env = {**os.environ, "RELIABILITY_TRIALS": str(trials)}
    start = time.monotonic()
    subprocess.run(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    seconds = time.monotonic() - start
    if not report.exists():
        return 0, 1, 0, seconds
    suite = ET.parse(report).getroot()
    suite = suite if suite.tag == "testsuite" else suite[0]
    total, failed = int(suite.get("tests", 0)), int(suite.get("failures", 0))
    errors, skipped = int(suite.get("errors", 0)), int(suite.get("skipped", 0))
    return total - failed - errors - skipped, failed + errors, skipped, seconds


def _files_and_keywords(selection: str) -> list[str]:
    """pytest's arguments for ``FILE… -k EXPR [FILE… -k EXPR]``: the files, and the
    expressions joined (each applies to the whole run, so they are or-ed)."""
    words = shlex.split(selection)
    files = [w for i, w in enumerate(words) if w != "-k" and (i == 0 or words[i - 1] != "-k")]
    keywords = [words[i + 1] for i, w in enumerate(words) if w == "-k"]
    return [*files, *(["-k", " or ".join(f"({k})" for k in keywords)] if keywords else [])]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--report", action="store_true", help="write docs/reliability.md")
    parser.add_argument("--trials", type=int, default=100)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for what, selection, trials in CHECKS:
            passed, failed, skipped, seconds = run(selection, args.trials, Path(tmp))
            shown = (
                trials.replace("N*40", str(args.trials * 40))
                .replace("N/2", str(max(1, args.trials // 2)))
                .replace("N", str(args.trials))
            )
            result = "pass" if failed == 0 and passed else "FAIL" if failed else "skipped"
            rows.append((what, selection, shown, passed, failed, skipped, seconds, result))
            print(f"{result:<8} {what} ({passed} passed, {failed} failed, {seconds:.0f} s)")
    table = _table(rows, args.trials)
    if args.report:
        (ROOT / "docs").mkdir(exist_ok=True)
        (ROOT / "docs" / "reliability.md").write_text(table)
        print("wrote docs/reliability.md")
    return 1 if any(r[7] == "FAIL" for r in rows) else 0


def _table(rows: list[tuple], trials: int) -> str:
    lines = [
        "# Reliability",
        "",
        f"From `python -m tests.reliability --report --trials {trials}` on "
        f"{time.strftime('%Y-%m-%d')}, {platform.python_implementation()} "
        f"{platform.python_version()}, {platform.machine()}, {os.cpu_count()} cores. "
        "The default test suite runs the same checks with fewer trials.",
        "",
        "| check | tests | trials | passed | failed | time | result |",
        "|---|---|---|---|---|---|---|",
    ]
    for what, selection, shown, passed, failed, skipped, seconds, result in rows:
        extra = f" ({skipped} skipped)" if skipped else ""
        lines.append(
            f"| {what} | `{selection}` | {shown} | {passed}{extra} | {failed} | "
            f"{seconds:.0f} s | {result} |"
        )
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
