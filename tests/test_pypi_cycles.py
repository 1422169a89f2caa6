"""Projects that need each other, from the index: the cycle is cut where a store path could not
hold it, and the request's environment still has every one of them.

The fixture index has a three-project cycle, as apache-airflow's is (apache-airflow ->
apache-airflow-core -> apache-airflow-providers-common-compat -> apache-airflow): ``ring-a``
requires ``ring-b``, which requires ``ring-c``, which requires ``ring-d[x]``, whose extra
requires ``ring-a`` again: the last edge is an extra's. Each module imports the next, as the
providers import airflow.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from test_pypi import _metadata, build_env, run_python, wheel

from pybuild.importers.pylock import lock_packages
from pybuild.lazy import force
from pybuild.pkgset import DEFAULT_RECIPES, package_set
from support.fixtures import WHEEL_CACHE, BuildIndex, published


@pytest.fixture(scope="module")
def dists(build_index: BuildIndex, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    tmp = tmp_path_factory.mktemp("cycle-dists")
    ring = {
        "ring-a": (["ring-b"], "import ring_b\n"),
        "ring-b": (["ring-c"], "import ring_c\n"),
        "ring-c": (["ring-d[x]"], "import ring_a\n"),
    }
    made = [
        wheel(tmp, name, "1.0", code, _metadata(name, "1.0", requires))
        for name, (requires, code) in ring.items()
    ]
    d = _metadata("ring-d", "1.0", ['ring-a; extra == "x"'], ["x"])
    made.append(wheel(tmp, "ring-d", "1.0", "", d))
    return [*made, *sorted(WHEEL_CACHE.glob("*.whl"))]


@pytest.fixture
def pkgs(dists: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    published(tmp_path / "index", dists, monkeypatch)
    return package_set(recipes=[DEFAULT_RECIPES])


def _deps(package) -> list[str]:
    return [force(d).pname for d in package.attrs["dependencies"]]


@pytest.mark.parametrize("root", ["ring-a", "ring-c"])
def test_a_cycle_of_projects_is_cut_and_the_environment_has_them_all(pkgs, root: str) -> None:
    """From either end of the ring, the edge back to the package asked for is left out of
    the recipe that has it; the environment of the request holds all four, and each module
    imports the next. An edge that is the release's own requirement is dropped from its
    metadata too, or the runtime deps check would refuse the build; one through another's
    extra is not the release's to drop (its wheel does not name it: that would fail)."""
    package = pkgs.from_pypi(root)
    env = build_env(pkgs, [package])
    code = (
        "import ring_a, ring_b, ring_c, importlib.metadata as m;"
        " print(sorted(d.metadata['Name'] for d in m.distributions()"
        " if d.metadata['Name'].startswith('ring')))"
    )
    assert run_python(env, code) == "['ring-a', 'ring-b', 'ring-c', 'ring-d']"
    requires = "import importlib.metadata as m; print(m.requires({!r}))"
    if root == "ring-a":  # ring-c's edge to ring-a, through ring-d[x], closes the cycle
        ring_c = force(force(package.attrs["dependencies"][0]).attrs["dependencies"][0])
        assert (ring_c.pname, _deps(ring_c), ring_c.attrs["remove_deps"]) == (
            "ring-c",
            ["ring-d"],
            (),
        )
        assert run_python(env, requires.format("ring-c")) == "['ring-d[x]']"
    else:  # ring-b's edge to ring-c closes it, and is ring-b's own requirement
        ring_a = next(force(d) for d in package.attrs["dependencies"] if force(d).pname == "ring-a")
        ring_b = force(ring_a.attrs["dependencies"][0])
        assert (ring_b.pname, _deps(ring_b), ring_b.attrs["remove_deps"]) == (
            "ring-b",
            [],
            ["ring-c"],
        )
        assert run_python(env, requires.format("ring-b")) == "None"


def test_a_lock_of_the_ring_keeps_the_edge_cut_from_its_recipe(pkgs) -> None:
    """The lock names the release's file, whose metadata still requires what its recipe left
    out to cut the cycle: ring-b's entry lists ring-c, as its requirement is ring-b's own.
    ring-c's edge to ring-a is through ring-d's extra, which the lock's entries do not tell."""
    package = pkgs.from_pypi("ring-c")
    env = pkgs.python.with_packages(lambda ps: [package])
    lock = lock_packages(env.closure, env.python.version)
    deps = {p.name: [d["name"] for d in p.dependencies] for p in lock.packages}
    assert deps == {
        "ring-a": ["ring-b"],
        "ring-b": ["ring-c"],
        "ring-c": ["ring-a", "ring-d"],
        "ring-d": [],
    }
