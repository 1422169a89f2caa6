"""The SQLite registry: which store paths are valid, and what each refers to.

A path exists for pybuild only once it is registered here, so a crash before registration
leaves a directory that is simply ignored (and replaced by the next build). Paths are stored
by basename, never by absolute path, so the database survives a move of the whole home.
"""

from __future__ import annotations

import fcntl
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import PathNotValid

__all__ = ["PathInfo", "Registry"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS valid_paths (
    id INTEGER PRIMARY KEY,
    path TEXT UNIQUE NOT NULL,
    nar_hash TEXT NOT NULL,
    nar_size INTEGER NOT NULL,
    deriver TEXT,
    registration_time INTEGER NOT NULL,
    ca TEXT
);
CREATE TABLE IF NOT EXISTS refs (
    referrer INTEGER NOT NULL REFERENCES valid_paths(id) ON DELETE CASCADE,
    reference INTEGER NOT NULL REFERENCES valid_paths(id) ON DELETE RESTRICT,
    PRIMARY KEY (referrer, reference)
);
CREATE INDEX IF NOT EXISTS refs_reference ON refs(reference);
CREATE TABLE IF NOT EXISTS signatures (
    path INTEGER NOT NULL REFERENCES valid_paths(id) ON DELETE CASCADE,
    sig TEXT NOT NULL,
    PRIMARY KEY (path, sig)
);
"""
# A table added later is created by the IF NOT EXISTS above when an older database is opened.


@dataclass(frozen=True)
class PathInfo:
    """What the registry knows of one valid path (Nix's ValidPathInfo)."""

    path: str
    nar_hash: str
    nar_size: int
    references: tuple[str, ...] = ()
    deriver: str | None = None
    registration_time: int = field(default_factory=lambda: int(time.time()))
    ca: str | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "path": self.path,
            "narHash": self.nar_hash,
            "narSize": self.nar_size,
            "references": list(self.references),
            "deriver": self.deriver,
            "registrationTime": self.registration_time,
            "ca": self.ca,
        }


class Registry:
    """A thin layer over the database; each public method is one transaction."""

    def __init__(self, db_path: Path) -> None:
        self._db_path = db_path
        self._local = threading.local()  # SQLite connections belong to one thread each

    @property
    def conn(self) -> sqlite3.Connection:
        if getattr(self._local, "conn", None) is None:
            self._db_path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self._db_path, timeout=600, isolation_level=None)
            conn.execute("PRAGMA busy_timeout = 600000")
            conn.execute("PRAGMA foreign_keys = ON")
            if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                self._switch_to_wal(conn)
            conn.executescript(_SCHEMA)
            self._local.conn = conn
        return self._local.conn

    def _switch_to_wal(self, conn: sqlite3.Connection) -> None:
        """Switch a new database to WAL, one process at a time.

        SQLite answers "database is locked" at once, without waiting, to a second process that
        asks for the switch while the first makes it; so the first pybuild commands run at the
        same time on a new store take turns here. WAL is kept in the file: once is enough.
        """
        with open(f"{self._db_path}.init-lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            conn.execute("PRAGMA journal_mode = WAL")

    def close(self) -> None:
        """Close this thread's connection (others close when their thread ends)."""
        if getattr(self._local, "conn", None) is not None:
            self._local.conn.close()
            self._local.conn = None

    def is_valid(self, path: str) -> bool:
        row = self.conn.execute("SELECT 1 FROM valid_paths WHERE path = ?", (path,)).fetchone()
        return row is not None

    def info(self, path: str) -> PathInfo | None:
        row = self.conn.execute(
            "SELECT id, nar_hash, nar_size, deriver, registration_time, ca"
            " FROM valid_paths WHERE path = ?",
            (path,),
        ).fetchone()
        if row is None:
            return None
        refs = self.conn.execute(
            "SELECT v.path FROM refs r JOIN valid_paths v ON v.id = r.reference"
            " WHERE r.referrer = ? ORDER BY v.path",
            (row[0],),
        ).fetchall()
        return PathInfo(path, row[1], row[2], tuple(r[0] for r in refs), row[3], row[4], row[5])

    def register(self, infos: Iterable[PathInfo]) -> None:
        """Make paths valid at once; references must be valid already or in the same batch."""
        infos = list(infos)
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            batch = {info.path for info in infos}
            for info in infos:
                for ref in info.references:
                    if ref not in batch and not self.is_valid(ref):
                        raise PathNotValid(ref)
            for info in infos:
                conn.execute(
                    "INSERT OR IGNORE INTO valid_paths"
                    " (path, nar_hash, nar_size, deriver, registration_time, ca)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        info.path,
                        info.nar_hash,
                        info.nar_size,
                        info.deriver,
                        info.registration_time,
                        info.ca,
                    ),
                )
            for info in infos:
                for ref in info.references:
                    conn.execute(
                        "INSERT OR IGNORE INTO refs (referrer, reference) SELECT"
                        " (SELECT id FROM valid_paths WHERE path = ?),"
                        " (SELECT id FROM valid_paths WHERE path = ?)",
                        (info.path, ref),
                    )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def paths(self) -> Iterator[str]:
        for (path,) in self.conn.execute("SELECT path FROM valid_paths ORDER BY path"):
            yield path

    def referrers(self, path: str) -> list[str]:
        rows = self.conn.execute(
            "SELECT v.path FROM refs r JOIN valid_paths v ON v.id = r.referrer"
            " JOIN valid_paths t ON t.id = r.reference WHERE t.path = ? ORDER BY v.path",
            (path,),
        ).fetchall()
        return [r[0] for r in rows]

    def signatures(self, path: str) -> list[str]:
        """The signatures (``KEY:base64``) recorded for a valid path (binary caches)."""
        rows = self.conn.execute(
            "SELECT s.sig FROM signatures s JOIN valid_paths v ON v.id = s.path"
            " WHERE v.path = ? ORDER BY s.sig",
            (path,),
        ).fetchall()
        return [r[0] for r in rows]

    def add_signatures(self, path: str, sigs: Iterable[str]) -> None:
        """Record signatures of a valid path; those it has already are kept once."""
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            if not self.is_valid(path):
                raise PathNotValid(path)
            for sig in sigs:
                conn.execute(
                    "INSERT OR IGNORE INTO signatures (path, sig)"
                    " SELECT id, ? FROM valid_paths WHERE path = ?",
                    (sig, path),
                )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    def derived_outputs(self, drv: str) -> list[str]:
        rows = self.conn.execute(
            "SELECT path FROM valid_paths WHERE deriver = ? ORDER BY path", (drv,)
        ).fetchall()
        return [r[0] for r in rows]
