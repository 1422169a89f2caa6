"""A link made by hand into another location of the store (``ln -sfn /OLD/home/store/<p>
oldlink``) is no root: ``delete oldlink`` says where it points without claiming it keeps the
path, as a result link or a link in ``var/gcroots`` does."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pybuild.errors import InvalidPath
from pybuild.store import Store
from pybuild.store.temproots import release_temp_roots


def test_a_hand_made_link_elsewhere_is_not_said_to_keep_the_path(
    store: Store, tmp_path: Path
) -> None:
    name = store.add_text("note", "kept")
    release_temp_roots(store)
    link = tmp_path / "oldlink"
    os.symlink(f"/OLD/home/store/{name}", link)
    with pytest.raises(InvalidPath) as raised:
        store.parse(link)
    said = str(raised.value)
    assert "points into another location of the store (/OLD/home/store/" in said
    assert "keeps" not in said
    assert "not a gc root" in said
    assert f"ln -sfn {store.path(name)}" in raised.value.hint


def test_a_link_in_gcroots_elsewhere_still_keeps_the_path(store: Store) -> None:
    name = store.add_text("note", "kept")
    store.gcroots_dir.mkdir(parents=True, exist_ok=True)
    link = store.gcroots_dir / "old"
    os.symlink(f"/OLD/home/store/{name}", link)
    with pytest.raises(InvalidPath) as raised:
        store.parse(link)
    assert f"it still keeps {store.path(name)}" in str(raised.value)
