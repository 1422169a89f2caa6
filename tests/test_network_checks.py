"""The default set built as Hydra builds nixpkgs: every attribute, upstream test suites on.

One ``pybuild build --all --keep-going --json -j 2`` in a subprocess, into a home of this
module's own, as CI would run it; the tests read its report. On this machine's 2 cores it
takes about 8 minutes (most of it numpy from its sdist and fonttools', typer's, pyparsing's
and pydantic's suites).

Issue 16 asks for CPython 3.13 too. Building the whole set twice would double that, so on
3.13 a subset is built, with tests: the suites whose test tools or own code differ per
interpreter (markupsafe's C speedups built from the sdist; pydantic on pydantic-core's wheel;
markdown-it-py's tests on pyyaml's wheel; attrs' on hypothesis; jinja2's async ones on trio;
pyflakes, which parses the interpreter's own grammar) and requests over urllib3, about two
minutes. On 3.10 the check phases' tools that need backports there (pytest 8, pytest-asyncio,
trio, meson-python) are built, under a minute. ``docs/concepts/sets.md`` records the whole
set's result on 3.10 to 3.13.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from typing import Any

import pytest

from pybuild.errors import UsageError
from pybuild.pkgset import DEFAULT_RECIPES, package_set
from pybuild.python.locate import locate_python

pytestmark = pytest.mark.network

# Issue 16: at least this many recipes built from sdists run their upstream tests.
MIN_TESTED = 40
# What a recipe's docstring says when its check phase runs no tests (and why).
NO_TESTS = ("ships no tests", "tests do not run")
# Wheels whose dependencies differ below Python 3.11 (exceptiongroup, tomli, a backport).
ON_310 = ("pytest_8", "pytest_asyncio", "trio", "meson_python")
# Built with their tests on CPython 3.13 (see the module's docstring for why these).
ON_313 = (
    "markupsafe",
    "pydantic",
    "markdown_it_py",
    "attrs",
    "jinja2",
    "pyflakes",
    "urllib3",
    "requests",
)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """The ``build --all`` report, by attribute."""
    return _build(tmp_path_factory, "--all")


@pytest.fixture(scope="module")
def report_313(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """The report of building :data:`ON_313` for CPython 3.13, by attribute."""
    _need_python("3.13")
    return _build(tmp_path_factory, "--python", "3.13", *ON_313)


def _need_python(version: str) -> None:
    try:
        locate_python(version)
    except UsageError:
        pytest.skip(f"CPython {version} is not installed")


def _build(factory: pytest.TempPathFactory, *args: str) -> dict[str, dict[str, Any]]:
    """``pybuild [--python V] build ARGS --keep-going --json -j 2`` into a new home."""
    root = factory.mktemp("network-checks")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYBUILD_")}
    env.update(PYBUILD_HOME=str(root / "home"), XDG_CONFIG_HOME=str(root / "config"))
    python = list(args[:2]) if args[0] == "--python" else []
    rest = args[len(python) :]
    command = [sys.executable, "-m", "pybuild", *python, "build", *rest, "--keep-going"]
    run = subprocess.run(
        [*command, "--json", "-j", "2"], env=env, capture_output=True, text=True, timeout=3600
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


def test_on_313_the_subset_builds_and_passes_its_tests(
    report_313: dict[str, dict[str, Any]],
) -> None:
    assert sorted(report_313) == sorted(ON_313)
    assert all("-python3.13-" in r["outputs"]["out"] for r in report_313.values())
    failed = {a: r.get("error") for a, r in report_313.items() if r["status"] != "built"}
    assert failed == {}  # built now (a new home), not failed nor skipped for a failed input
    counts = {a: r["tests"] for a, r in report_313.items()}
    assert all(c and c["passed"] > 0 and c["failed"] == 0 for c in counts.values()), counts


def test_on_310_the_tools_that_need_backports_there_build(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """Their runtime-dependency check refused them on 3.10 until the recipes added the
    backports (``python.version_info < (3, 11)``), failing flask's, jinja2's, blinker's and
    tqdm's check phases."""
    _need_python("3.10")
    report = _build(tmp_path_factory, "--python", "3.10", *ON_310)
    failed = {a: r.get("error") for a, r in report.items() if r["status"] != "built"}
    assert sorted(report) == sorted(ON_310) and failed == {}
