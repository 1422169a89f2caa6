"""pybuild itself on another CPython than the suite's: the README's quick start, run by a
pybuild that pip installed into a fresh venv of CPython 3.13.

pybuild needs Python 3.11 or later, and CI runs its suite on 3.11 alone; 3.13 is the newest
interpreter CI's machine has. pip installs pybuild from a copy of the tree, as ``pip install .``
of a clone would (the tree itself is left alone: other tests build its wheel meanwhile), and
its dependencies from the configured index, so the versions are those a user on 3.13 gets, not
the suite's. The quick start builds into the home this run's network tests share for 3.13
(:func:`support.setbuild.shared_root`): what they build for 3.13 is found there, and what this
builds first they find.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from support.setbuild import home_environ, need_python, shared_root

pytestmark = pytest.mark.network

ROOT = Path(__file__).resolve().parent.parent
# The quick start's first command: pybuild installed from the clone, then run.
_QUICK_START = re.compile(r"^python3 -m pip install -q -e \. && (python3 -m pybuild .+)$", re.M)
# What pip needs of the tree to build pybuild's wheel: no tests, docs, caches or build output.
_NOT_SHIPPED = shutil.ignore_patterns(
    ".*", "build", "*.egg-info", "__pycache__", "tests", "docs", "bench", "examples", "site"
)


def quick_start() -> list[str]:
    """The README's first command, less its install (the test installs pybuild its own way)."""
    match = _QUICK_START.search((ROOT / "README.md").read_text())
    assert match, "README.md's quick start should begin `python3 -m pip install -q -e . &&`"
    return shlex.split(match.group(1))


@pytest.fixture(scope="module")
def python313(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv of CPython 3.13 with pybuild installed by pip, as a user installs it."""
    executable = need_python("3.13")
    base = tmp_path_factory.mktemp("host313")
    tree = base / "pybuild"
    shutil.copytree(ROOT, tree, ignore=_NOT_SHIPPED)
    venv = base / "venv"
    subprocess.run([executable, "-m", "venv", venv], check=True)
    python = venv / "bin" / "python"
    installed = subprocess.run(
        [python, "-m", "pip", "install", "-q", "--disable-pip-version-check", tree],
        capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert installed.returncode == 0, installed.stderr[-3000:]
    return python


def test_pybuild_runs_on_cpython_3_13_as_its_own_interpreter(python313: Path) -> None:
    done = subprocess.run(
        [python313, "-m", "pybuild", "--version"], capture_output=True, text=True, check=True
    )
    assert done.stdout.rstrip().endswith("(python 3.13)"), done.stdout


def test_the_readme_quick_start_runs_with_pybuild_on_cpython_3_13(
    python313: Path, tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    """The quick start's environment of requests and numpy, made for 3.13 (the interpreter
    pybuild runs on, when no --python is given) and Python run in it."""
    command = quick_start()
    assert command[0] == "python3"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYBUILD_")}
    env.update(home_environ(shared_root(tmp_path_factory, "3.13")))
    done = subprocess.run(
        [str(python313), *command[1:]],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=1800,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    # It prints requests' version, then numpy's: a 2.x for 3.13, whose wheels begin at 2.1.
    assert re.fullmatch(r"2\.\d+\.\d+ 2\.\d+\.\d+\n", done.stdout), done.stdout
