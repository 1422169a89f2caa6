"""The fast path's validity answer: the registry asked once, the answer noted until it changes."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pybuild.store import Store, validity
from pybuild.store.delete import delete_paths
from pybuild.store.temproots import release_temp_roots


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The questions that reached the registry; every stamp counts as settled."""
    questions: list[list[str]] = []
    registered = validity._registered

    def counting(db: str, names: list[str]) -> bool:
        questions.append(names)
        return registered(db, names)

    monkeypatch.setattr(validity, "_registered", counting)
    monkeypatch.setattr(validity, "_SETTLED_NS", 0)
    return questions


def test_a_positive_answer_is_noted_until_the_registry_changes(
    store: Store, asked: list[list[str]]
) -> None:
    one, two = store.add_text("one", "1"), store.add_text("two", "2")
    store.registry.close()  # as between two commands: the log checkpointed and emptied
    var = str(store.var)
    assert validity.valid(var, [one, two, one])
    assert validity.valid(var, [two, one])  # the same names, noted
    assert asked == [sorted([one, two])]
    unregistered = "0" * 32 + "-missing"
    (store.dir / unregistered).write_text("")  # in the folder: the registry is asked
    assert not validity.valid(var, [one, unregistered])  # a negative is never noted
    assert not validity.valid(var, [one, unregistered])
    assert len(asked) == 3

    release_temp_roots(store)  # those of add_text
    delete_paths(store, [two], scan_processes=False)  # a write: the note no longer holds
    store.registry.close()
    assert not validity.valid(var, [one, two])  # gone from the folder: the registry not asked
    assert validity.valid(var, [one])
    assert asked[3:] == [[one]]


def test_a_write_still_in_the_log_is_seen(store: Store, asked: list[list[str]]) -> None:
    """While a writer holds the registry open, its commits sit in the ``-wal`` file: the
    database file alone does not change, the stamp does."""
    one, two = store.add_text("one", "1"), store.add_text("two", "2")
    var = str(store.var)
    assert validity.valid(var, [one, two])
    assert os.path.getsize(f"{store.registry.path}-wal") > 0
    with store.registry.conn as conn:
        conn.execute("DELETE FROM valid_paths WHERE path = ?", (two,))
    assert not validity.valid(var, [one, two])


def test_a_note_holds_while_a_writer_keeps_the_log_open(
    store: Store, asked: list[list[str]]
) -> None:
    """A long build holds the registry open, its log not empty. Asking the registry opens the
    log, which SQLite running as root gives to the database's owner again: a ``chown``, which
    changes the log's ``ctime`` and nothing else. The note must survive its own question."""
    one = store.add_text("one", "1")
    assert os.path.getsize(f"{store.registry.path}-wal") > 0  # the writer's connection is open
    var = str(store.var)
    assert validity.valid(var, [one])
    assert validity.valid(var, [one])
    assert validity.valid(var, [one])
    assert asked == [[one]]


def test_nothing_is_noted_for_a_registry_changed_within_two_seconds(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    one = store.add_text("one", "1")
    store.registry.close()
    assert validity.valid(str(store.var), [one])  # just written: too young to trust a stamp
    assert not (Path(store.var) / "cache" / "valid").exists()
    monkeypatch.setattr(validity, "_SETTLED_NS", 0)
    assert validity.valid(str(store.var), [one])
    assert len(list((Path(store.var) / "cache" / "valid").iterdir())) == 1


def test_only_the_notes_of_another_stamp_are_stale(store: Store, asked: list[list[str]]) -> None:
    """What a collection removes: a note of the registry's stamp still answers; once the
    registry is written to, it never will. A note being written is left alone."""
    one, two = store.add_text("one", "1"), store.add_text("two", "2")
    store.registry.close()
    var, notes = str(store.var), Path(store.var) / "cache" / "valid"
    assert validity.valid(var, [one]) and validity.valid(var, [two])
    (notes / ".half-written.tmp1").write_text("")
    (notes / "damaged").write_bytes(b"\xff")
    assert validity.stale_notes(var) == [str(notes / "damaged")]

    release_temp_roots(store)  # those of add_text
    # A write (the deletion): no note holds any more; the deletion removes them, as gc does.
    result = delete_paths(store, [two], scan_processes=False)
    store.registry.close()
    assert result.validity_notes_removed == 3  # the two notes and the damaged one
    assert [p.name for p in notes.iterdir()] == [".half-written.tmp1"]
    assert validity.stale_notes(var) == []


def test_no_registry_holds_nothing(tmp_path: Path) -> None:
    assert not validity.valid(str(tmp_path), ["0" * 32 + "-x"])
