"""Whether store paths are valid, asked of the registry once, and not again until it changes.

The fast path of the command line (:mod:`pybuild.fastpath`) answers a repeated no-op with one
question to the registry: are these outputs still valid? Loading SQLite to ask it costs more
than the rest of the answer (its driver imports :mod:`functools` and :mod:`collections`). Yet
the answer can only change when the registry does: a path is made invalid (collected,
deleted, repaired) by a write to its database, and any write changes the database file or
its write-ahead log (``-wal``), their size or their modification time. So a positive answer
is noted beside the evaluation records with the registry's stamp — inode, size and
modification time of both files — and given again while the stamp is the same; any other
stamp asks the registry. Not the change time (``ctime``): SQLite running as root gives the
log to the database's owner each time it opens it, and a ``chown``, even to the same owner,
changes the log's ``ctime``; every question would have made the last note useless. An empty
log holds nothing, and SQLite truncates it again when a reader closes, so it counts as empty,
whatever its times.

A stamp is only noted once both files are two seconds old: a write in the same clock tick as
the stamp would not change it (git's index treats racy files the same way).

Example::

    >>> name = store.add_text("note", "kept")
    >>> valid(str(store.var), [name]), valid(str(store.var), [name, "0" * 32 + "-gone"])
    (True, False)
"""

from __future__ import annotations

import os
import time

from ..atomic import write_atomic
from ..evalcache import text_hash
from .sqlitedriver import sqlite_driver

__all__ = ["notes_folder", "stale_notes", "valid"]

_SETTLED_NS = 2_000_000_000  # a stamp younger than this may not show the last write
_NOTES = ("cache", "valid")


def valid(var: str, names: list[str], *, present: bool = True) -> bool:
    """Whether the registry of the store whose state is `var` holds every one of `names` (a
    missing registry holds none): noted, or asked and then noted. With `present`, each must
    also be in the store folder (one lstat each, whatever the note says): a path deleted by
    hand stays registered, and the fast path would print it as built; the long way then says
    what is wrong."""
    db = os.path.join(var, "db.sqlite")
    if present:
        folder = os.path.join(os.path.dirname(var), "store")  # a Store's `dir`, beside `var`
        if not all(os.path.lexists(os.path.join(folder, name)) for name in names):
            return False
    unique = sorted(set(names))
    stamp = _stamp(db)
    if stamp is None:
        return False
    note = notes_folder(var) + text_hash("\n".join(unique))
    text = f"{stamp}\n" + "\n".join(unique)
    if _read(note) == text:
        return True
    if not _registered(db, unique):
        return False
    if _settled(stamp):
        _write(note, text)
    return True


def notes_folder(var: str) -> str:
    """Where the notes of the store whose state is `var` are (ending in a separator)."""
    return os.path.join(var, *_NOTES, "")


def stale_notes(var: str) -> list[str]:
    """The notes that can never answer again, for a collection to remove: those of any stamp
    but the registry's now. A stamp never comes back (its files are only written), so they would
    stay forever; a collection that deleted anything has written to the registry, and every
    note made before it is among them. A note being written (its temporary name) stays."""
    folder = notes_folder(var)
    stamp = _stamp(os.path.join(var, "db.sqlite"))
    try:
        with os.scandir(folder) as entries:
            files = sorted(e.path for e in entries if e.is_file() and not e.name.startswith("."))
    except OSError:
        return []
    return [path for path in files if stamp is None or not _of_stamp(path, stamp)]


def _of_stamp(note: str, stamp: str) -> bool:
    """Whether `note` was noted under `stamp` (its first line; an unreadable note is none)."""
    text = _read(note)
    return text is not None and text.split("\n", 1)[0] == stamp


def _stamp(db: str) -> str | None:
    """The database's and its log's inode, size and modification time (an empty or missing log:
    ``-``); None without a database."""
    parts = []
    for path in (db, f"{db}-wal"):
        try:
            st = os.stat(path)
        except FileNotFoundError:
            if path == db:
                return None
            st = None
        parts.append(f"{st.st_ino}:{st.st_size}:{st.st_mtime_ns}" if st and st.st_size else "-")
    return " ".join(parts)


def _settled(stamp: str) -> bool:
    """Whether the files of `stamp` last changed two seconds ago or earlier."""
    oldest_allowed = time.time_ns() - _SETTLED_NS
    return all(
        part == "-" or int(part.rsplit(":", 1)[1]) <= oldest_allowed for part in stamp.split()
    )


def _read(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8") as f:
            return f.read()
    except (OSError, ValueError):
        return None


def _write(path: str, text: str) -> None:
    """Keep the note, whole or not at all: a note is only ever a shortcut, so failing to keep
    one (a read-only state folder, a full disk) changes no answer."""
    try:
        write_atomic(path, text)
    except OSError:
        return  # contextlib.suppress would cost this module's callers its import


def _registered(db: str, names: list[str]) -> bool:
    """Whether the registry at `db` holds every one of `names` (sorted, each once)."""
    sqlite = sqlite_driver()
    try:
        conn = sqlite.connect(f"file:{db}?mode=ro", uri=True, timeout=600)
    except sqlite.Error:
        return False
    try:
        marks = ",".join("?" * len(names))
        query = f"SELECT count(*) FROM valid_paths WHERE path IN ({marks})"
        return bool(conn.execute(query, names).fetchone()[0] == len(names))
    except sqlite.Error:
        return False
    finally:
        conn.close()
