"""Attributes the set's interpreter cannot have, as the command line reports them: ``build
--all --json --dry-run`` gives JSON rows, and an attribute asked for that needs such a
release is named in the error."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from test_eval_errors import run_cli, write_recipes  # as a user runs pybuild

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


EAGER = """\
from pybuild import derivation


def recipe(old):
    return derivation(name="eager", builder="/bin/sh", args=["-c", f"cat {old} > $out"])
"""

LAZY = """\
from pybuild import derivation


class Later:
    \"\"\"A package whose input is evaluated only when its derivation is made, as a Python
    package's dependencies are.\"\"\"

    def __init__(self, old):
        self.old = old

    @property
    def drv(self):
        return derivation(name="lazy", builder="/bin/sh", args=["-c", f"cat {self.old} > $out"])


def recipe(old):
    return Later(old)
"""


def test_an_attribute_that_needs_an_unsupported_release_is_named(tmp_path: Path) -> None:
    """The error of an attribute asked for names it, and the attribute it needs whose
    release does not support the interpreter; the place is still the recipe that said so."""
    folder = write_recipes(tmp_path / "r", {"old": OLD, "eager": EAGER, "lazy": LAZY})
    where = f"at {folder / 'old.py'}:5"
    for attr in ("eager", "lazy"):  # its input evaluated in its recipe, or with its derivation
        result = run_cli("build", "--no-default-recipes", "--recipes", folder, attr)
        assert result.returncode == 1
        assert result.stderr.startswith(
            f"error: {attr} needs old, and old 1.0 does not support Python 3.10.13:"
            " it requires Python >=3.11\n"
        ), result.stderr
        assert where in result.stderr
        # releases of the index that support it: the project asked for, with its inputs (by
        # no attribute's name: one of a -f file's, "env", may be another project's on the index)
        hint = " ".join(result.stderr.partition("hint: ")[2].split())
        assert (
            hint.startswith("take the project you asked for from the index") and "pypi:NAME" in hint
        )
    alone = run_cli("build", "--no-default-recipes", "--recipes", folder, "old")
    assert alone.stderr.startswith("error: old 1.0 does not support Python 3.10.13:")
    # both ways of choosing the interpreter, as other hints name them
    assert '--python X.Y on the command line, package_set(python="X.Y") in Python' in (
        " ".join(alone.stderr.split())
    )
    rows = {r["attr"]: r for r in json.loads(build_all(folder, "--json", "--dry-run").stdout)}
    for attr in ("eager", "lazy"):
        assert rows[attr]["status"] == "unsupported"
        assert rows[attr]["error"].startswith(f"{attr} needs old, and old 1.0 does not support")
    assert rows["old"]["error"].startswith("old 1.0 does not support")
