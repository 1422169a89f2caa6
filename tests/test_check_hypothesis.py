"""The check phase's Hypothesis plugin (``pybuild/python/builder/pybuild_hypothesis.py``): no
deadline, the same examples in every run, and a suite's own profile still first.

Each test runs pytest in a process of its own on a small suite, with the plugin as the check
phase loads it (``-p``, from a folder on ``sys.path``) or without it, and the Hypothesis of this
test environment; python-dateutil's build failed on its deadline once, in a CI run whose cores
were all busy (tests/test_network_checks.py builds the suites that use it).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pybuild.python.package import builder_source

pytest.importorskip("hypothesis")

# Every example takes longer than Hypothesis' default deadline (200 ms), and is written down;
# no shrinking (a failing example shrunk took half a minute of 0.25 s calls).
SLOW = """\
import os, time
from hypothesis import Phase, given, settings, strategies as st

@settings(max_examples=3, phases=[Phase.generate])
@given(st.integers())
def test_slow(x):
    with open(os.environ["SEEN"], "a") as f:
        f.write(f"{x}\\n")
    time.sleep(0.25)
"""


def _pytest(suite: Path, seen: Path, plugin: bool) -> subprocess.CompletedProcess[str]:
    """pytest on `suite`, as the check phase runs it (with the plugin when `plugin`)."""
    folder = suite.parent / "plugin"
    if not folder.exists():
        folder.mkdir()
        shutil.copy(Path(builder_source()) / "pybuild_hypothesis.py", folder)
    loaded = ["-p", "pybuild_hypothesis"] if plugin else []
    # Not on CI as Hypothesis sees it: it would load its own profile, and hide the difference.
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "GITHUB_ACTIONS")}
    env.update(PYTHONPATH=str(folder), SEEN=str(seen))
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *loaded, str(suite)],
        cwd=suite.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def suite(tmp_path: Path) -> Path:
    folder = tmp_path / "suite"
    folder.mkdir()
    (folder / "test_slow.py").write_text(SLOW)
    return folder / "test_slow.py"


def test_a_slow_example_fails_without_the_plugin_and_passes_with_it(
    suite: Path, tmp_path: Path
) -> None:
    without = _pytest(suite, tmp_path / "seen-0", plugin=False)
    assert without.returncode == 1 and "DeadlineExceeded" in without.stdout
    with_it = _pytest(suite, tmp_path / "seen-1", plugin=True)
    assert with_it.returncode == 0, with_it.stdout


def test_each_run_tries_the_same_examples(suite: Path, tmp_path: Path) -> None:
    runs = [tmp_path / "seen-1", tmp_path / "seen-2"]
    for seen in runs:
        assert _pytest(suite, seen, plugin=True).returncode == 0
    first, second = (seen.read_text().split() for seen in runs)
    assert first == second and len(first) == 3


def test_a_profile_the_suite_loads_itself_wins(suite: Path, tmp_path: Path) -> None:
    (suite.parent / "conftest.py").write_text(
        "from hypothesis import settings\n"
        "settings.register_profile('own', deadline=100)\n"
        "settings.load_profile('own')\n"
    )
    run = _pytest(suite, tmp_path / "seen", plugin=True)
    assert run.returncode == 1 and "DeadlineExceeded" in run.stdout
