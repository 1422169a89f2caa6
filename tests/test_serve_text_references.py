"""A text's store name (not a .drv's) is made of its bytes alone, not of its references, so
serve cannot learn them from the name: a text a client imports is kept as this store's own
only if its references are the store paths its content names, as scanning it gives them.
One that lacks some would be taken by a later ``add_text`` of that content, and a collection
could then take what the text names while it is in use."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from test_remote_content_address import _offer

from pybuild.errors import StoreError
from pybuild.store import Store
from pybuild.store.paths import make_name


def _text_name(label: str, content: str) -> str:
    """The store name `Store.add_text` gives `content` as `label`."""
    return make_name("text", hashlib.sha256(content.encode()).hexdigest(), label)


def test_a_text_lacking_a_reference_its_content_names_is_refused(
    store: Store, tmp_path: Path
) -> None:
    dep = store.add_text("dep", "a dependency")
    content = f"uses {store.path(dep)}\n"
    name = _text_name("note", content)
    reply = _offer(store, tmp_path, name, content)
    assert reply["reply"] == "error", reply
    assert "references" in str(reply["error"]) and dep in str(reply["error"])
    assert not store.is_valid(name)


def test_a_text_with_the_references_its_content_names_is_kept(store: Store, tmp_path: Path) -> None:
    dep = store.add_text("dep", "a dependency")
    content = f"uses {store.path(dep)}\n"
    name = _text_name("note", content)
    assert _offer(store, tmp_path, name, content, references=(dep,))["reply"] == "imported"
    assert store.client_imported([name]) == []
    assert store.add_text("note", content, references=[dep]) == name
    assert store.info(name).references == (dep,)


def test_a_text_naming_a_path_not_in_this_store_needs_no_reference_to_it(
    store: Store, tmp_path: Path
) -> None:
    """A reference must be valid here; a path this store lacks is none of its paths."""
    content = f"uses {store.path('0' * 32 + '-absent')}\n"
    name = _text_name("note", content)
    assert _offer(store, tmp_path, name, content)["reply"] == "imported"
    assert store.info(name).references == ()


def test_an_imported_text_with_other_references_is_not_taken_as_added(store: Store) -> None:
    """A copy a client imported before serve checked a text's references is taken as the text
    added here only if it is registered with the references the text is added with."""
    dep = store.add_text("dep", "a dependency")
    content = f"uses {store.path(dep)}\n"
    name = store.add_text("note", content)  # registered without its reference
    store.imported_dir.mkdir(parents=True)
    (store.imported_dir / name).touch()
    with pytest.raises(StoreError, match="other references"):
        store.add_text("note", content, references=[dep])
    with pytest.raises(StoreError, match="other references"):
        store.add_texts([("note", content, [dep])])
    assert store.client_imported([name]) == [name]


def test_a_clients_text_with_other_references_stays_a_clients(store: Store, tmp_path: Path) -> None:
    """An import of a text valid here through an older client's import registered with other
    references leaves it a client's: its registration is not what adding it gives."""
    dep = store.add_text("dep", "a dependency")
    content = f"uses {store.path(dep)}\n"
    name = store.add_text("note", content)
    store.imported_dir.mkdir(parents=True)
    (store.imported_dir / name).touch()
    assert _offer(store, tmp_path, name, content, references=(dep,))["reply"] == "imported"
    assert store.client_imported([name]) == [name]


def test_the_scan_of_an_imported_text_keeps_no_window_of_it(store: Store) -> None:
    """A client chooses the text: one made of base-32 letters alone is one run whose every
    32 letters may be a hash part. Keeping each window as a string took 180 times the text's
    size in memory (a text of 100 MB would have taken 18 GB); each is looked up and dropped."""
    import random
    import tracemalloc

    from pybuild.remote.serve import _text_names

    dep = store.add_text("dep", "a dependency")
    letters = random.Random(1).choices("0123456789abcdfghijklmnpqrsvwxyz", k=200_000)
    text = ("".join(letters) + f" uses {store.path(dep)}").encode()
    tracemalloc.start()
    try:
        found = _text_names(store, text, [])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert found == {dep}
    assert peak < 4 * len(text), peak
