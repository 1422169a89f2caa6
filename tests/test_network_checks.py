"""The default set built as Hydra builds nixpkgs: every attribute, upstream test suites on.

One ``pybuild build --all --keep-going --json -j 2`` in a subprocess, into a home of this
module's own, as CI would run it; the tests read its report. On this machine's 2 cores it
takes about 8 minutes (most of it numpy from its sdist and fonttools', typer's, pyparsing's
and pydantic's suites).

CPython 3.13 and 3.10 are tried in tests/test_network_checks_interpreters.py (a file of its
own, so that pytest-xdist runs it beside this one). ``docs/concepts/sets.md`` records the
whole set's result on 3.10 to 3.13.
"""

from __future__ import annotations

import ast
from typing import Any

import pytest

from pybuild.errors import UnsupportedInterpreter
from pybuild.pkgset import DEFAULT_RECIPES, package_set
from support.setbuild import build_report

pytestmark = pytest.mark.network

# Issue 16: at least this many recipes built from sdists run their upstream tests.
MIN_TESTED = 40
# What a recipe's docstring says when its check phase runs no tests (and why).
NO_TESTS = ("ships no tests", "tests do not run")


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """The ``build --all`` report, by attribute."""
    return build_report(tmp_path_factory, "--all")


def from_sdists() -> list[str]:
    """The attributes of the default set that are built from source (not from wheels), of
    those that can exist for the running interpreter."""
    pkgs = package_set()
    return [a for a in pkgs.packages() if _format(pkgs, a) not in ("wheel", None)]


def _format(pkgs: Any, attr: str) -> str | None:
    """How `attr` is built, or None when its release does not support this interpreter."""
    try:
        return str(pkgs[attr].attrs["format"])
    except UnsupportedInterpreter:
        return None


def test_every_attribute_builds_and_passes_its_tests(report: dict[str, dict[str, Any]]) -> None:
    # Unsupported: its release cannot exist for this interpreter, and the report says why.
    done = ("success", "unsupported")
    failed = {a: r.get("error") for a, r in report.items() if r["status"] not in done}
    assert failed == {}
    unsupported = [r for r in report.values() if r["status"] == "unsupported"]
    assert all("Requires-Python" in r["error"] or "no wheel" in r["error"] for r in unsupported)
    assert all(r["tests"]["failed"] == 0 for r in report.values() if r.get("tests"))


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
