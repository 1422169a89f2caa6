"""Profiles whose store paths were deleted by hand: a generation whose environment is gone is
never switched to, a current one is said to be missing (not "changed by hand"), with a way out
that works, and a change that keeps a package gone from the store says so.

Hermetic: the fixture projects `shout` and `greet`, from the local build index.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from test_profiles import DEFAULT_RECIPES, cli, generations, sets

from pybuild.store import Store
from support.fixtures import BuildIndex, write_fixture_recipes


@pytest.fixture
def recipes(use_index: BuildIndex, tmp_path: Path) -> Path:
    return write_fixture_recipes(tmp_path / "recipes", use_index, ("shout", "shout_2", "greet"))


def delete_by_hand(path: str | Path) -> None:
    """Remove a store path as a user would, behind pybuild's back (it stays registered)."""
    for root, dirs, _ in os.walk(path):
        os.chmod(root, 0o755)
        for name in dirs:
            os.chmod(os.path.join(root, name), 0o755)
    shutil.rmtree(path)


def test_a_generation_whose_environment_was_deleted_is_not_switched_to(recipes: Path) -> None:
    cli("install", *sets(recipes), "shout")
    cli("install", *sets(recipes), "greet")
    folder = Store.default().var / "profiles"
    environment = (folder / "default-1-link").resolve()
    delete_by_hand(environment)
    for args in (["rollback"], ["switch-generation", "1"]):
        refused = cli(*args, ok=False).stderr
        assert f"environment of generation 1 of profile default, {environment}," in refused
        assert "is missing from the store" in refused
        assert f"pybuild verify --repair {environment}" in refused
        assert "changed by hand" not in refused
    assert os.readlink(folder / "default") == "default-2-link"
    assert "greet" in cli("list").stdout
    cli("verify", "--repair", environment)  # the way out it names
    assert cli("rollback").stderr == "switched profile default from generation 2 to 1\n"
    assert os.path.isdir(environment)


def test_a_current_generation_whose_environment_is_gone_has_a_way_out(recipes: Path) -> None:
    """The state a hand-deleted environment led to before its switch was refused: the current
    generation's environment deleted, and collected (no longer registered)."""
    cli("install", *sets(recipes), "shout")
    cli("install", *sets(recipes), "greet")
    cli("rollback")
    environment = (Store.default().var / "profiles" / "default-1-link").resolve()
    delete_by_hand(environment)
    cli("delete-generations", "old")
    cli("gc")
    assert not Store.default().is_valid(environment.name)
    said = cli("list", ok=False).stderr
    assert f"environment of generation 1 of profile default, {environment}," in said
    assert "is missing from the store" in said and "changed by hand" not in said
    hinted = f"pybuild install shout --recipes {DEFAULT_RECIPES} --recipes {recipes}"
    assert hinted in said  # the way out, from where shout came, which works:
    assert "pybuild rollback" not in said  # generation 1 is the oldest
    assert "only generation: an install" in cli("delete-generations", "1", ok=False).stderr
    assert cli("remove", "shout", ok=False).stderr == said  # it needs the environment
    cli(*hinted.split()[1:])
    assert [(g["generation"], g["current"]) for g in generations()] == [(1, False), (2, True)]
    assert json.loads(cli("list", "--json").stdout)[0]["attr"] == "shout"
    assert generations()[1]["environment"] == str(environment)  # built again, the same
    assert os.path.isdir(environment)


def test_remove_keeping_a_package_gone_from_the_store_says_so(recipes: Path) -> None:
    cli("install", *sets(recipes), "shout", "greet")
    (shout,) = [p["out"] for p in json.loads(cli("list", "--json").stdout) if p["attr"] == "shout"]
    delete_by_hand(shout)
    before = generations()
    refused = cli("remove", "greet", ok=False).stderr
    assert f"{shout} is registered but missing from the store folder" in refused
    assert "verify" in refused and "--repair" in refused
    assert "evaluated for another store" not in refused
    assert generations() == before
