"""``list-generations``: each generation told apart from the others, by what made it (the
recorded action), its environment and, in JSON, each package's name, version and store path.

Hermetic: the fixture projects `shout` and `greet`, from the local build index.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_profiles import cli, generations, sets

from pybuild.profiles import Profile
from pybuild.profiles.manifest import Manifest
from pybuild.store import Store
from support.fixtures import BuildIndex, write_fixture_recipes


@pytest.fixture
def recipes(use_index: BuildIndex, tmp_path: Path) -> Path:
    return write_fixture_recipes(tmp_path / "recipes", use_index, ("shout", "greet"))


def test_generations_that_differ_are_listed_apart(recipes: Path) -> None:
    cli("install", *sets(recipes), "shout")
    shout = recipes / "shout.py"  # the same version, built otherwise
    shout.write_text(shout.read_text().replace("dependencies=", 'env={"X": "1"}, dependencies='))
    cli("upgrade", *sets(recipes))
    cli("install", *sets(recipes), "greet")
    first, second, third = generations()
    assert [g["action"] for g in (first, second, third)] == [
        "install shout",
        "upgrade",
        "install greet",
    ]
    assert first["packages"] == second["packages"] == ["shout"]  # the keys scripts read stay
    assert third["packages"] == ["greet", "shout"]
    listed = {p["attr"]: p for p in json.loads(cli("list", "--json").stdout)}
    assert third["entries"] == [listed["greet"], listed["shout"]]  # as `list --json` has them
    (old,), (new,) = first["entries"], second["entries"]
    assert (old["pname"], old["version"]) == (new["pname"], new["version"]) == ("shout", "1.0")
    assert old["out"] != new["out"] and Path(new["out"]).is_dir()

    lines = cli("list-generations").stdout.splitlines()
    assert len(set(line.split(None, 3)[3] for line in lines)) == 3  # apart, but for the date
    assert "install shout: shout 1.0" in lines[0] and "upgrade: shout 1.0" in lines[1]
    assert lines[2].endswith("install greet: greet 1.0, shout 1.0   (current)")
    for line, generation in zip(lines, (first, second, third), strict=True):
        assert Path(generation["environment"]).name[:8] in line.split()


@pytest.mark.parametrize("quiet", [[], ["-q"]])
def test_gc_delete_old_says_which_generations_it_deleted(quiet: list[str]) -> None:
    """As ``delete-generations`` and ``nix-collect-garbage -d`` do, and as its dry run says
    what it would delete: a result, which -q (no progress) keeps."""
    store = Store.default()
    for name in ("a", "b"):
        profile = Profile(store, name)
        for number in (1, 2, 3):
            env = store.add_text("env", f"{name} generation {number}")
            profile.add(Manifest(environment=env, python={}, packages=()))
    preview = cli("gc", *quiet, "-d", "--dry-run").stderr
    assert "would delete generation(s) 1, 2 of profile a" in preview
    done = cli("gc", *quiet, "-d").stderr.splitlines()
    assert "deleted generation(s) 1, 2 of profile a" in done
    assert "deleted generation(s) 1, 2 of profile b" in done
    assert "store path(s) deleted" in done[-1]
