"""A text's store name (not a .drv's) is made of its bytes alone, not of its references, so
serve cannot learn them from the name: a text a client imports is kept as this store's own
only if its references are the store paths its content names, as scanning it gives them.
One that lacks some would be taken by a later ``add_text`` of that content, and a collection
could then take what the text names while it is in use."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Callable
from pathlib import Path

import pytest
from test_remote import _nar_of, _stream
from test_remote_content_address import _offer

from pybuild.buildoptions import BuildOptions
from pybuild.errors import StoreError
from pybuild.remote.protocol import receive
from pybuild.remote.serve import serve
from pybuild.store import Store
from pybuild.store.paths import make_name
from pybuild.store.registry import Registry
from pybuild.store.removal import unregister


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

    from pybuild.remote.serve import _text_names, _ValidPaths

    dep = store.add_text("dep", "a dependency")
    letters = random.Random(1).choices("0123456789abcdfghijklmnpqrsvwxyz", k=200_000)
    text = ("".join(letters) + f" uses {store.path(dep)}").encode()
    tracemalloc.start()
    try:
        found = _text_names(_ValidPaths(store), text, [])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert found == {dep}
    assert peak < 4 * len(text), peak


def _imports(tmp_path: Path, texts: list[tuple[str, list[str]]]) -> io.BytesIO:
    """A client's session importing each text (its content, the references it says)."""
    parts: list[dict[str, object] | bytes] = []
    for number, (content, references) in enumerate(texts):
        (tmp_path / f"text{number}").mkdir()
        nar, nar_hash = _nar_of(tmp_path / f"text{number}", content)
        header = {"op": "import", "path": _text_name("note", content), "nar_hash": nar_hash}
        parts += [{**header, "nar_size": len(nar), "references": references}, nar]
    return _stream(*parts)


class _Replies(io.BytesIO):
    """serve's output, with `meanwhile` called once each reply is out (the hello's first):
    what another process does to the store while the client sends its next request."""

    def __init__(self, meanwhile: Callable[[int], None]) -> None:
        super().__init__()
        self.flushed = 0
        self.meanwhile = meanwhile

    def flush(self) -> None:
        self.meanwhile(self.flushed)
        self.flushed += 1

    def replies(self) -> list[dict[str, object]]:
        self.seek(0)
        found = []
        while self.tell() < len(self.getvalue()):
            found.append(receive(self).data)
        return found[1:]


def test_a_session_importing_texts_reads_the_valid_paths_once(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each text a client imported read every valid path's name from the registry again; a
    session's texts (a closure's) read them once, and what the session imports is added."""
    dep = store.add_text("dep", "a dependency")
    first = "first text\n"
    second = f"uses {store.path(dep)}\n"
    third = f"uses {store.path(_text_name('note', first))}\n"  # imported before it
    reads = []
    paths = Registry.paths

    def counted(registry: Registry) -> object:
        reads.append(registry)
        return paths(registry)

    monkeypatch.setattr(Registry, "paths", counted)
    texts = [(first, []), (second, [dep]), (third, [_text_name("note", first)])]
    replies = _Replies(lambda _: None)
    serve(store, _imports(tmp_path, texts), replies, BuildOptions(log=io.StringIO()))
    assert [r["reply"] for r in replies.replies()] == ["imported"] * 3
    assert len(reads) == 1
    assert store.info(_text_name("note", third)).references == (_text_name("note", first),)


def test_what_changed_the_registry_during_a_session_is_seen_by_its_next_text(
    store: Store, tmp_path: Path
) -> None:
    """The valid paths a session read are not taken for the valid ones once they changed:
    a path another process registered, or this session imported, meanwhile is one the next
    text names (a client that leaves it out of the text's references is refused), and one
    another process unregistered meanwhile is not (none is needed)."""
    gone = store.add_text("gone", "unregistered meanwhile")
    other = Store(store.home)  # another process's connection to the registry
    added = _text_name("added", "added meanwhile")
    first = "first text\n"

    def meanwhile(flushed: int) -> None:
        if flushed == 2:  # two texts in: the session has read the valid paths, and imported
            assert other.add_text("added", "added meanwhile") == added
            assert unregister(other, [gone])

    texts: list[tuple[str, list[str]]] = [
        (first, []),
        (f"uses {store.path(_text_name('note', first))}\n", []),
        (f"uses {store.path(added)}\n", []),
        (f"uses {store.path(gone)}\n", []),
    ]
    replies = _Replies(meanwhile)
    try:
        serve(store, _imports(tmp_path, texts), replies, BuildOptions(log=io.StringIO()))
    finally:
        other.registry.close()
    found = replies.replies()
    assert [r["reply"] for r in found] == ["imported", "error", "error", "imported"], found
    assert f"lacks {_text_name('note', first)}" in str(found[1]["error"])
    assert f"lacks {added}" in str(found[2]["error"])
    assert store.info(_text_name("note", texts[3][0])).references == ()
