"""The check phase: tests deselected with their reasons, and the counts a set's report shows.

The ``counted`` fixture project has tests that pass, skip, fail expectedly (xfail), and fail
unless deselected (by name, by node id, by path). It is built from the local build index
(tests/support/fixtures.py) with pytest from the default set, in one pybuild home for the
module, as tests/test_python_builds.py builds its fixtures.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from pybuild.errors import BuildError, UsageError
from pybuild.pkgset import DEFAULT_RECIPES, PackageSet, package_set
from pybuild.python.package import PythonPackage
from pybuild.realiser import BuildOptions, realise
from pybuild.results import BuildResult, Status
from pybuild.store import Store
from pybuild.testcounts import SuiteCounts, counts_for, counts_in_log
from support.fixtures import BuildIndex, index_environ, write_fixture_recipes

DESELECTED = {
    "disabled_tests": {
        "test_needs_the_network": "needs network",
        "tests/test_counted.py::TestUpstreamBug::test_bug": "upstream bug",
    },
    "disabled_test_paths": {"tests/test_broken.py": "needs a package the set lacks"},
}
# A recipe of a fixture project with its tests on, for the command-line tests.
CHECKED = """\
def recipe(build_python_package, fetch_pypi, setuptools, pytest):
    return build_python_package(
        pname="{name}",
        version="1.0",
        src=fetch_pypi("{name}", "1.0", hash="{hash}"),
        build_system=[setuptools],
        check_inputs=[pytest],
        **{attrs!r},
    )
"""


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("check-phase") / "home"


@pytest.fixture(autouse=True)
def pybuild_home(home: Path, build_index: BuildIndex, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Overrides conftest's: the module shares one home (pytest and setuptools built once)."""
    monkeypatch.setenv("PYBUILD_HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home.parent / "config"))
    for name, value in index_environ(build_index.file_url).items():
        monkeypatch.setenv(name, value)
    return home


@pytest.fixture
def store(home: Path) -> Iterator[Store]:
    store = Store(home)
    yield store
    store.registry.close()


@pytest.fixture
def pkgs(tmp_path: Path, build_index: BuildIndex) -> PackageSet:
    recipes = write_fixture_recipes(tmp_path / "recipes", build_index, ["counted", "failing"])
    return package_set(recipes=[DEFAULT_RECIPES, recipes])


def checked(pkgs: PackageSet, **attrs: object) -> PythonPackage:
    return pkgs.counted.override_python_attrs(check_inputs=[pkgs.pytest], **attrs)


def build(pkg: PythonPackage, store: Store) -> str:
    """Build `pkg` quietly; its log's text (a failure raises its BuildError)."""
    realise([pkg.drv], store, BuildOptions(log=io.StringIO()))
    return log_of(pkg, store).read_text()


def log_of(pkg: PythonPackage, store: Store) -> Path:
    return store.log_dir / f"{pkg.drv.drv_name}.log"


def test_deselected_tests_are_logged_with_their_reasons_and_the_counts_too(
    pkgs: PackageSet, store: Store
) -> None:
    pkg = checked(pkgs, **DESELECTED)
    log = build(pkg, store)
    assert "pybuild: not running test test_needs_the_network: needs network" in log
    assert (
        "pybuild: not running test tests/test_counted.py::TestUpstreamBug::test_bug: upstream bug"
        in log
    )
    assert "pybuild: not running tests in tests/test_broken.py: needs a package the set" in log
    assert "pybuild: tests passed=5 failed=0 skipped=2" in log.splitlines()
    assert counts_in_log(log_of(pkg, store)) == SuiteCounts(passed=5, failed=0, skipped=2)


def test_a_node_id_deselects_that_test_not_every_test_its_name_begins(
    pkgs: PackageSet, store: Store
) -> None:
    """pytest's --deselect takes a prefix: test_double would drop test_double_is_even too,
    with the log naming one test. A node id deselects that test and its parametrisations,
    or the tests of the class it names; one that matches no test is said."""
    disabled = {
        **DESELECTED["disabled_tests"],
        "tests/test_counted.py::test_double": "exactly this one",
        "tests/test_counted.py::test_renamed": "gone upstream",
    }
    pkg = checked(
        pkgs, disabled_tests=disabled, **{"disabled_test_paths": DESELECTED["disabled_test_paths"]}
    )
    log = build(pkg, store)
    assert counts_in_log(log_of(pkg, store)) == SuiteCounts(passed=4, failed=0, skipped=2)
    assert "pybuild: disabled test tests/test_counted.py::test_renamed matched no test" in log
    whole_class = {**disabled, "tests/test_counted.py::TestUpstreamBug": "the class"}
    log = build(
        checked(
            pkgs, disabled_tests=whole_class, disabled_test_paths=DESELECTED["disabled_test_paths"]
        ),
        store,
    )
    assert "pybuild: tests passed=3 failed=0 skipped=2" in log.splitlines()


def test_the_tests_deselected_by_name_and_node_id_fail_when_run(
    pkgs: PackageSet, store: Store
) -> None:
    pkg = checked(pkgs, disabled_test_paths=DESELECTED["disabled_test_paths"])
    with pytest.raises(BuildError) as info:
        build(pkg, store)
    assert "phase check failed" in str(info.value)
    assert counts_in_log(log_of(pkg, store)) == SuiteCounts(passed=5, failed=2, skipped=2)


def test_a_disabled_path_the_source_lacks_fails_the_check(pkgs: PackageSet, store: Store) -> None:
    pkg = checked(pkgs, disabled_test_paths={"tests/test_gone.py": "removed upstream"})
    with pytest.raises(BuildError, match="phase check failed"):
        build(pkg, store)
    log = log_of(pkg, store).read_text()
    assert "disabled_test_paths names tests/test_gone.py, which the source does not have" in log
    assert counts_in_log(log_of(pkg, store)) is None  # no test ran


def test_a_check_that_collects_no_tests_says_so(pkgs: PackageSet, store: Store) -> None:
    """pytest's exit status 5 is no failing test but none at all (every path deselected): the
    build fails, as nixpkgs' does, saying which and what to write instead."""
    pkg = checked(pkgs, disabled_test_paths={"tests/*.py": "every one"})
    with pytest.raises(BuildError) as info:
        build(pkg, store)
    assert "pytest collected no tests (exit status 5)" in str(info.value)
    assert "set do_check=False" in str(info.value)


def test_the_runtime_deps_check_counts_only_the_requirements_that_apply(
    pkgs: PackageSet, store: Store
) -> None:
    """counted requires nothing but, for its extra, a tool no set has: nothing is met, and
    that one is told apart, not counted as met."""
    log = build(pkgs.counted, store)
    assert (
        "pybuild: 0 requirements met by the dependencies (1 more for extras or other platforms)"
        in log.splitlines()
    )


@pytest.mark.parametrize(
    "disabled",
    [{"test_needs_the_network": ""}, {"test_needs_the_network": None}, ["test_x"]],
    ids=["empty reason", "no reason", "a list"],
)
def test_every_disabled_test_needs_a_reason(pkgs: PackageSet, disabled: object) -> None:
    for key in ("disabled_tests", "disabled_test_paths"):
        with pytest.raises(UsageError, match=key):
            _ = checked(pkgs, **{key: disabled}).drv


def test_counts_in_log_reads_the_last_counts_line(tmp_path: Path) -> None:
    log = tmp_path / "x.drv.log"
    assert counts_in_log(log) is None
    log.write_text("pybuild: phase check\npybuild: no pytest among check_inputs: no tests run\n")
    assert counts_in_log(log) is None
    log.write_text(
        "pybuild: tests passed=1 failed=2 skipped=3\nprinted by a test\n"
        "pybuild: tests passed=10 failed=0 skipped=4\n"
    )
    assert counts_in_log(log) == SuiteCounts(passed=10, failed=0, skipped=4)


@pytest.mark.parametrize(
    ("status", "log_tail", "expected"),
    [
        (Status.BUILT, "", SuiteCounts(3, 0, 1)),
        (Status.VALID, "", SuiteCounts(3, 0, 1)),
        (
            Status.FAILED,
            "pybuild: phase check failed: the test suite failed\n",
            SuiteCounts(3, 0, 1),
        ),
        # Its log is an older one: this time no build of it ran, or it came from elsewhere.
        (Status.DEPENDENCY_FAILED, "pybuild: phase check failed: …\n", None),
        (Status.SUBSTITUTED, "", None),
        (Status.VALID, "pybuild: phase check failed: the test suite failed\n", None),
    ],
)
def test_only_the_log_of_the_build_that_made_the_output_counts(
    tmp_path: Path, status: Status, log_tail: str, expected: SuiteCounts | None
) -> None:
    log = tmp_path / "x.drv.log"
    log.write_text(f"pybuild: phase check\npybuild: tests passed=3 failed=0 skipped=1\n{log_tail}")
    assert counts_for(tmp_path, "x.drv", BuildResult(status)) == expected


def test_build_all_reports_each_attributes_tests(
    pkgs: PackageSet, build_index: BuildIndex, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A set of pytest (and what it needs), setuptools, ``counted`` (tests pass) and
    ``failing`` (its one test fails): the report gives each attribute's counts, or null. In a
    home of its own: the module's has ``counted`` built already by the tests above (the same
    derivation), whose report would be valid, not built."""
    monkeypatch.setenv("PYBUILD_HOME", str(tmp_path / "home"))
    recipes = tmp_path / "set"
    recipes.mkdir()
    # pytest's closure, and the backports its recipe names for older interpreters
    needed = {"setuptools", "pytest", "tomli", "exceptiongroup"}
    needed |= {p.pname for p in pkgs.pytest.runtime_closure}
    for name in needed:
        shutil.copy(DEFAULT_RECIPES / f"{name.replace('-', '_')}.py", recipes)
    for name, attrs in (("counted", DESELECTED), ("failing", {})):
        sdist = build_index.hash_of(f"{name}-1.0.tar.gz")
        (recipes / f"{name}.py").write_text(CHECKED.format(name=name, hash=sdist, attrs=attrs))

    command = [sys.executable, "-m", "pybuild", "build", "--no-default-recipes"]
    command += ["--recipes", str(recipes), "--all"]
    result = subprocess.run([*command, "--json"], capture_output=True, text=True)
    assert result.returncode == 1, result.stderr  # failing failed
    rows = {row["attr"]: row for row in json.loads(result.stdout)}
    assert sorted(rows) == sorted([*(n.replace("-", "_") for n in needed), "counted", "failing"])
    assert rows["counted"]["status"] == "built", rows["counted"]
    assert rows["counted"]["tests"] == {"passed": 5, "failed": 0, "skipped": 2}
    assert rows["failing"]["status"] == "failed"
    assert rows["failing"]["tests"] == {"passed": 0, "failed": 1, "skipped": 0}
    assert rows["pytest"]["tests"] is None  # a wheel: no tests ran

    shown = subprocess.run(command, capture_output=True, text=True)
    assert "tests: 5 passed, 0 failed, 2 skipped" in shown.stdout
    assert "tests ran in 2: 5 passed, 1 failed, 2 skipped" in shown.stderr

    one = [*command[:-1], "counted", "--json"]
    result = subprocess.run(one, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)[0]["tests"] == {"passed": 5, "failed": 0, "skipped": 2}
