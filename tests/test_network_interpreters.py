"""The scientific stack of the default set on other interpreters: CPython 3.12 and 3.13.

Each wheel recipe pins its files for every interpreter and platform, so ``pybuild --python
3.X`` builds numpy, scipy, pandas, matplotlib (wheels) and requests (sdists) for that
interpreter from the real index, and a pure shell of them imports all five with it. Each
interpreter gets a home of its own, the one this run's network tests share for it
(:func:`support.setbuild.shared_root`: on 3.13 tests/test_network_checks_interpreters.py
builds requests and its stack there too); one not installed here is skipped.

The stack's sdists run their upstream suites in the check phase on 3.11
(tests/test_network_checks.py) and, those chosen for what differs per interpreter, on 3.13
(tests/test_network_checks_interpreters.py, in the same home). Here the others are built
without it, by an overlay that turns ``do_check`` off (:data:`CHECKS_OFF`): on 3.12 all of
them, on 3.13 those the subset does not check. The same suites again were ~550 of CI's ~2,250
worker-seconds on 2 cores (fonttools' alone ~120 s an interpreter), and what this file proves
is that the stack builds and imports. The whole set's suites on 3.12 and 3.13 are run by hand
(``docs/concepts/sets.md``).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from support.setbuild import checks_off, home_environ, need_python, shared_root

pytestmark = pytest.mark.network

PACKAGES = ("numpy", "scipy", "pandas", "matplotlib", "requests")
# The stack's sdists whose check phase runs an upstream suite, the slowest first, by the
# interpreter they are built without it for (3.13 checks the rest: its subset needs them).
CHECKS_OFF = {
    "3.12": (
        "fonttools",
        "pyparsing",
        "requests",
        "python_dateutil",
        "attrs",
        "idna",
        "urllib3",
        "charset_normalizer",
    ),
    "3.13": ("fonttools", "pyparsing", "python_dateutil"),
}


def _pybuild(root: Path, *args: str, cwd: Path, timeout: int) -> subprocess.CompletedProcess[str]:
    """``python -m pybuild ARGS`` in a subprocess, with the home of `root`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYBUILD_")}
    env.update(home_environ(root))
    # Not a folder named pybuild in the working folder: `python -m pybuild` would import it.
    return subprocess.run(
        [sys.executable, "-m", "pybuild", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.mark.parametrize("version", ["3.12", "3.13"])
def test_the_scientific_stack_builds_and_imports(
    version: str, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    need_python(version)
    root = shared_root(tmp_path_factory, version)
    unchecked = ("--overlay", str(checks_off(tmp_path, CHECKS_OFF[version])))
    build = ("--python", version, "build", *unchecked, *PACKAGES, "--json", "-j", "2")
    built = _pybuild(root, *build, cwd=tmp_path, timeout=3600)
    assert built.returncode == 0, built.stderr[-3000:]
    rows = json.loads(built.stdout)
    assert [row["attr"] for row in rows] == list(PACKAGES)
    assert all(f"-python{version}-" in row["outputs"]["out"] for row in rows)
    requests = rows[-1]["tests"]  # its suite's counts, from the log of the build that made it
    assert not requests if "requests" in CHECKS_OFF[version] else requests["passed"] > 0
    code = "import sys, numpy, scipy, pandas, matplotlib, requests; print(*sys.version_info[:2])"
    shell = _pybuild(
        root,
        "shell",
        "--pure",
        "--python",
        version,
        *unchecked,
        *(a for p in PACKAGES for a in ("-p", p)),
        "--run",
        f"python -c '{code}'",
        cwd=tmp_path,
        timeout=600,
    )
    assert shell.returncode == 0, shell.stderr[-3000:]
    assert shell.stdout.split() == version.split(".")
