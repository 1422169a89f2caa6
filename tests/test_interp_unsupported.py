"""Attributes the set's interpreter cannot have, as the command line reports them: ``build
--all --json --dry-run`` gives JSON rows, and an attribute asked for that needs such a
release is named in the error."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

OK = """\
from pybuild import derivation


def recipe():
    return derivation(name="ok", builder="/bin/sh", args=["-c", "echo ok > $out"])
"""

OLD = """\
from pybuild.errors import UnsupportedInterpreter


def recipe():
    raise UnsupportedInterpreter("old", "1.0", "Python 3.10.13", "it requires Python >=3.11")
"""

BROKEN = """\
def recipe():
    return {}["boom"]
"""


def run_cli(*args: object) -> subprocess.CompletedProcess[str]:
    """Run pybuild as a user does; no command may end in a traceback."""
    result = subprocess.run(
        [sys.executable, "-m", "pybuild", *map(str, args)],
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result


def write_recipes(folder: Path, recipes: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, body in recipes.items():
        (folder / f"{name}.py").write_text(textwrap.dedent(body))
    return folder


def build_all(folder: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return run_cli("build", "--all", "--no-default-recipes", "--recipes", folder, *extra)


def test_a_dry_run_of_all_with_json_prints_json_rows(tmp_path: Path) -> None:
    """--json is not ignored by a dry run of --all: each attribute's row, as a build of
    --all --json reports it, with what the dry run would do in place of what was done."""
    folder = write_recipes(tmp_path / "r", {"ok": OK, "old": OLD})
    dry = build_all(folder, "--json", "--dry-run")
    assert dry.returncode == 0, dry.stderr
    rows = {row["attr"]: row for row in json.loads(dry.stdout)}
    assert list(rows) == ["ok", "old"]
    assert rows["old"]["status"] == "unsupported"
    assert rows["old"]["error"].startswith("old 1.0 does not support Python 3.10.13")
    assert rows["ok"]["status"] == "build" and rows["ok"]["drvPath"].endswith("-ok.drv")
    assert Path(rows["ok"]["drvPath"]).is_file()  # written, as the dry run writes it
    assert not Path(rows["ok"]["outputs"]["out"]).exists()
    # once built, the same dry run says it is valid, in the record a build prints
    built = build_all(folder, "--json")
    record = {row["attr"]: row for row in json.loads(built.stdout)}["ok"]
    dry = build_all(folder, "--json", "--dry-run")
    again = {row["attr"]: row for row in json.loads(dry.stdout)}
    assert again["ok"] == {**record, "status": "valid"}
    # a recipe's error is its row, said on stderr too, and fails the dry run
    write_recipes(folder, {"broken": BROKEN})
    failing = build_all(folder, "--json", "--dry-run")
    assert failing.returncode == 1
    rows = {row["attr"]: row for row in json.loads(failing.stdout)}
    assert rows["broken"]["status"] == "eval-failed"
    assert "eval-failed: broken: KeyError: 'boom'" in failing.stderr
