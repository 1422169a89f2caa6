"""The default set's wheel recipes pin every file the index has for the machines they serve.

Issue 16: a recipe taken from wheels pins one file per CPython 3.10-3.14 on manylinux x86_64
and aarch64, macOS arm64 and x86_64 and Windows amd64, wherever the release has one (or the
abi3/none file that covers several). ``pybuild update-pins`` writes exactly those pins, so a
recipe is complete when it pins every hash that running it again (on a copy) would pin, as
``hash=`` for a single file or ``hashes=`` (a pin of another release's file is refused by the
evaluation itself); the targets left out are those the release has no file for. One index
request a recipe.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from pybuild.pkgset import DEFAULT_RECIPES
from pybuild.update_pins import update_pins, wheel_recipes

pytestmark = pytest.mark.network

RECIPES = wheel_recipes([DEFAULT_RECIPES])


def test_the_set_has_wheel_recipes_to_check() -> None:
    assert len(RECIPES) >= 40, [r.stem for r in RECIPES]


@pytest.mark.parametrize("recipe", RECIPES, ids=[r.stem for r in RECIPES])
def test_a_wheel_recipe_pins_every_file_the_release_has_for_its_targets(
    recipe: Path, tmp_path: Path
) -> None:
    copy = tmp_path / recipe.name
    shutil.copy(recipe, copy)
    updates = update_pins(copy)
    wanted = {sri for u in updates for sri in u.pinned.values()}
    assert wanted, "the release has no wheel for any target"
    written = set(re.findall(r'"(sha256-[A-Za-z0-9+/]+=*)"', recipe.read_text()))
    unpinned = sorted(name for u in updates for name, sri in u.pinned.items() if sri not in written)
    assert unpinned == [], f"run `pybuild update-pins {recipe.stem}`: it misses these files"
