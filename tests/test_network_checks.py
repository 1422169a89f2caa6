"""The default set built as Hydra builds nixpkgs: every attribute, upstream test suites on.

One ``pybuild build --all --keep-going --json -j 2`` in a subprocess, into a home of this
module's own, as CI would run it; the tests read its report. On this machine's 2 cores it
takes about 15 minutes (most of it fonttools', typer's, pyparsing's and pydantic's suites).
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from typing import Any

import pytest

from pybuild.pkgset import DEFAULT_RECIPES, package_set

pytestmark = pytest.mark.network

# Issue 16: at least this many recipes built from sdists run their upstream tests.
MIN_TESTED = 40
# What a recipe's docstring says when its check phase runs no tests (and why).
NO_TESTS = ("ships no tests", "tests do not run")


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """The ``build --all`` report, by attribute."""
    root = tmp_path_factory.mktemp("network-checks")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYBUILD_")}
    env.update(PYBUILD_HOME=str(root / "home"), XDG_CONFIG_HOME=str(root / "config"))
    command = [sys.executable, "-m", "pybuild", "build", "--all", "--keep-going", "--json"]
    run = subprocess.run(
        [*command, "-j", "2"], env=env, capture_output=True, text=True, timeout=3600
    )
    assert run.stdout, run.stderr
    return {row["attr"]: row for row in json.loads(run.stdout)}


def from_sdists() -> list[str]:
    """The attributes of the default set that are built from source (not from wheels)."""
    pkgs = package_set()
    return [a for a in pkgs.packages() if pkgs[a].attrs["format"] != "wheel"]


def test_every_attribute_builds_and_passes_its_tests(report: dict[str, dict[str, Any]]) -> None:
    failed = {a: r.get("error") for a, r in report.items() if r["status"] != "success"}
    assert failed == {}
    assert all(r["tests"]["failed"] == 0 for r in report.values() if r["tests"])


def test_at_least_40_sdist_recipes_run_their_upstream_tests(
    report: dict[str, dict[str, Any]],
) -> None:
    tested = [a for a in from_sdists() if report[a]["tests"]]
    assert len(tested) >= MIN_TESTED, tested
    assert all(report[a]["tests"]["passed"] > 0 for a in tested)


def test_an_sdist_recipe_without_tests_says_why(report: dict[str, dict[str, Any]]) -> None:
    untested = [a for a in from_sdists() if not report[a]["tests"]]
    silent = [a for a in untested if not any(s in _docstring(a) for s in NO_TESTS)]
    assert silent == [], f"say in the recipe's docstring why its tests do not run: {silent}"


def _docstring(attr: str) -> str:
    source = (DEFAULT_RECIPES / f"{attr}.py").read_text()
    return " ".join((ast.get_docstring(ast.parse(source)) or "").split())
