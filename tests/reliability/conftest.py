"""The reliability tests' shared build: a two-package chain, new in every trial."""

from __future__ import annotations

from pathlib import Path

import pytest

from support.fixtures import BuildIndex, write_fixture_recipes

from .common import TRIAL_FILE


@pytest.fixture
def trial_file(use_index: BuildIndex, tmp_path: Path) -> Path:
    """A build file whose `greet` (and its `shout`) change with the TRIAL variable."""
    recipes = write_fixture_recipes(tmp_path / "recipes", use_index, ("shout", "greet"))
    file = tmp_path / "trial.py"
    file.write_text(TRIAL_FILE.format(recipes=str(recipes)))
    return file
