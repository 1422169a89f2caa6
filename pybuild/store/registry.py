"""The SQLite registry: which store paths are valid, and what each refers to.

A path exists for pybuild only once it is registered here, so a crash before registration
leaves a directory that is simply ignored (and replaced by the next build). Paths are stored
by basename, never by absolute path, so the database survives a move of the whole home.

The registry is the only record of what is valid: lost, it would make every path look unused.
So a registry found missing, empty or without its tables while ``store/`` holds paths is never
created afresh (:class:`RegistryLost`); only a new home, with nothing in its store, gets a new
one. ``pybuild verify --recover-registry`` (:mod:`pybuild.store.recovery`) rebuilds it from the
store. Every SQLite failure (a full disk, a damaged file) becomes one :class:`RegistryError`
that names the file and says what to do.

The commands that free space must run when there is none: SQLite cannot even open the
registry on a full filesystem (it grows a ``-shm`` and a ``-wal`` beside it). So, as Nix keeps
``gc-reserved-space``, the store's registry keeps a reserve beside it, ``var/reserved``
(:data:`RESERVE_BYTES`), made when it is opened and missing; a command that frees space opens
the registry with :meth:`Registry.open_to_free`, which deletes the reserve when the registry
cannot be opened for lack of room and opens it in the room that gives. The next opening
with room to spare makes the reserve again.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
import time
import weakref
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from ..errors import PathNotValid, RegistryDamaged, RegistryError, RegistryFull, RegistryLost
from ..records import field, record
from .paths import is_store_name
from .sqlitedriver import sqlite_driver

TYPE_CHECKING = False  # typing: an import no command needs at run time
if TYPE_CHECKING:
    import sqlite3
    from typing import Any
else:
    sqlite3 = sqlite_driver()  # the extension, without the package's date adapters

__all__ = [
    "RECOVER_COMMAND",
    "RESERVE_BYTES",
    "PathInfo",
    "Registry",
    "RegistryUnwritable",
    "registry_error",
    "stored_names",
]

RECOVER_COMMAND = "pybuild verify --recover-registry"

# The reserve's size: what a collection's SQLite files need on a full filesystem, four times
# over: the -shm's first 32 KiB and a -wal that a freeing connection starts again every
# :data:`_FREEING_CHECKPOINT` pages (225 KiB at most, measured collecting 800 small paths).
RESERVE_BYTES = 1 << 20
# The pages of -wal after which a connection that frees space writes them back to the database
# and starts the -wal again. At SQLite's 1000 the -wal grew to 4 MiB while a collection of 800
# small paths freed 3 MiB: on a full filesystem, it would outgrow the reserve.
_FREEING_CHECKPOINT = 50

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
# The closure of some paths, by their ids: the paths themselves, then what each one found
# refers to (UNION: each once, so a cycle-free graph of any shape ends).
_CLOSURE = """
WITH RECURSIVE closure(id) AS (
    SELECT id FROM valid_paths WHERE path IN ({marks})
    UNION
    SELECT r.reference FROM refs r JOIN closure c ON r.referrer = c.id
)
SELECT v.path FROM closure c JOIN valid_paths v ON v.id = c.id
"""
_VALID_AMONG = "SELECT path FROM valid_paths WHERE path IN ({marks})"
_VARIABLES = 500  # paths a query names at most (SQLite before 3.32 allows 999 variables)
# A table added later is created by the IF NOT EXISTS above when an older database is opened.
_TABLES = {"valid_paths", "refs", "signatures"}


@record(frozen=True)
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


# The closures a process keeps, at most: a chain of N paths keeps N²/2 names, so a process
# that lives long (a library's user, `pybuild serve`) stops keeping them there.
_KEPT_CLOSURES = 1000


class Registry:
    """A thin layer over the database; each public method is one transaction.

    `store_dir` is the store the registry describes: a registry missing or empty while that
    holds paths is lost, not new. Without it (a registry being rebuilt) none is ever refused.
    """

    def __init__(self, db_path: Path, store_dir: Path | None = None) -> None:
        self.path = db_path
        self._store_dir = store_dir
        # The store's registry keeps the reserve (a registry being rebuilt has none), until a
        # command that frees space releases it: this process then makes it no more.
        self.reserve = db_path.parent / "reserved"
        self._keeps_reserve = store_dir is not None
        self._local = threading.local()  # SQLite connections belong to one thread each
        # The closures of the paths this process registered, made from their references'
        # (:meth:`closure`); a dict shared by the threads, each change one operation.
        self._closures: dict[str, frozenset[str]] = {}

    @property
    def conn(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = self._open()
            # Closed when this thread's locals go (the thread ends) or at exit, whichever is
            # first: a connection left to the collector is a ResourceWarning from Python 3.13.
            self._local.closer = _Closer()
            weakref.finalize(self._local.closer, _close, conn)
        return conn

    def open(self) -> None:
        """Open the registry now (a new home's is created before its first store path)."""
        _ = self.conn

    def open_to_free(self) -> None:
        """Open the registry for a command that frees space (gc, delete) or says what it
        would free (du), even on a full filesystem.

        When SQLite has no room to open it (:class:`RegistryFull`), the reserve is deleted
        and the opening tried again in the room it leaves; no reserve to delete, the error
        stands. The connection writes its -wal back every :data:`_FREEING_CHECKPOINT` pages,
        so that a long collection's stays within that room.
        """
        try:
            conn = self.conn
        except RegistryFull:
            if not self._release_reserve():
                raise
            conn = self.conn
        conn.execute(f"PRAGMA wal_autocheckpoint = {_FREEING_CHECKPOINT}")

    def _release_reserve(self) -> bool:
        """Delete the reserve, to give its room to SQLite; whether there was one."""
        self._keeps_reserve = False
        try:
            self.reserve.unlink()
        except FileNotFoundError:
            return False
        return True

    def check_whole(self) -> None:
        """Raise unless the registry opens and SQLite finds its file whole.

        Commands that delete call this first: a registry damaged in a way SQLite would only
        notice on some page could otherwise hide references, and what they keep alive.
        """
        rows = self.conn.execute("PRAGMA quick_check").fetchall()
        if rows != [("ok",)]:
            found = "; ".join(str(r[0]) for r in rows[:3])
            raise RegistryDamaged(str(self.path), f"is damaged ({found})", _damaged_hint(self.path))

    def _open(self) -> sqlite3.Connection:
        if not self.path.exists():
            self._refuse_if_lost("is missing")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            conn = sqlite3.connect(
                self.path, timeout=600, isolation_level=None, factory=_Connection
            )
        except sqlite3.Error as exc:
            raise registry_error(self.path, exc) from exc
        conn.db_path = self.path
        try:
            conn.execute("PRAGMA busy_timeout = 600000")
            conn.execute("PRAGMA foreign_keys = ON")
            # In WAL mode, NORMAL syncs at checkpoints rather than at every commit (as Nix's
            # store does): a power cut may lose the last registrations, never the database,
            # and a path whose registration is lost is an unregistered left-over, which the
            # next build of it replaces. Syncing every commit cost a third of a small build.
            conn.execute("PRAGMA synchronous = NORMAL")
            tables = _tables(conn)
            if "valid_paths" not in tables:
                self._create(conn)
            else:
                if conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                    with self._init_lock():
                        conn.execute("PRAGMA journal_mode = WAL")
                if _TABLES - tables:
                    conn.executescript(_SCHEMA)
        except BaseException:
            conn.close()
            raise
        if self._keeps_reserve:
            _make_reserve(self.reserve)
        return conn

    def _create(self, conn: sqlite3.Connection) -> None:
        """Make the tables of a new registry, unless the store shows that it is a lost one.

        One process at a time, so that a second one sees the first's tables rather than a
        store path committed after its own look at an empty database.
        """
        with self._init_lock():
            if "valid_paths" in _tables(conn):
                return
            empty = self.path.stat().st_size == 0
            self._refuse_if_lost("is empty (0 bytes)" if empty else "holds no registry tables")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.executescript(_SCHEMA)

    @contextlib.contextmanager
    def _init_lock(self) -> Iterator[None]:
        """Processes opening a new registry take turns.

        SQLite answers "database is locked" at once, without waiting, to a second process that
        asks for the switch to WAL while the first makes it. WAL is kept in the file: once is
        enough.
        """
        with open(f"{self.path}.init-lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield

    def _refuse_if_lost(self, state: str) -> None:
        if self._store_dir is None:
            return
        names = stored_names(self._store_dir)
        if names:
            raise RegistryLost(
                str(self.path),
                f"{state}, but {self._store_dir} holds {len(names)} store path(s):"
                " without it, every one of them would look unused",
                f"nothing was changed. Rebuild the registry from the store with `{RECOVER_COMMAND}`"
                f" (or restore {self.path} from a backup); until then pybuild does not use this"
                " store, so that no collection deletes what is in use",
            )

    def close(self) -> None:
        """Close this thread's connection (others close when their thread ends)."""
        if getattr(self._local, "conn", None) is not None:
            self._local.conn.close()
            self._local.conn = self._local.closer = None

    def is_valid(self, path: str) -> bool:
        row = self.conn.execute("SELECT 1 FROM valid_paths WHERE path = ?", (path,)).fetchone()
        return row is not None

    def valid_among(self, paths: Iterable[str]) -> set[str]:
        """Those of `paths` that are registered: a query for each 500, where asking each path
        alone cost a plan of 200 builds a query each."""
        return {row[0] for row in self._rows_naming(_VALID_AMONG, sorted(set(paths)))}

    def _rows_naming(self, query: str, names: list[str]) -> Iterator[tuple[str]]:
        """The rows of `query` for `names`, which it takes in ``{marks}``: a query for each
        500 of them (:data:`_VARIABLES`)."""
        for start in range(0, len(names), _VARIABLES):
            chunk = names[start : start + _VARIABLES]
            yield from self.conn.execute(query.format(marks=",".join("?" * len(chunk))), chunk)

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
        """Make paths valid at once; references must be valid already or in the same batch.

        Whatever the batch's size, its references are checked by one query a 500 and its rows
        written by one statement a table, not a query and an insert a reference: a cache's
        copy of a closure registers hundreds of paths at once."""
        infos = list(infos)
        conn = self.conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            batch = {info.path for info in infos}
            outside = [ref for info in infos for ref in info.references if ref not in batch]
            valid = self.valid_among(outside)
            missing = next((ref for ref in outside if ref not in valid), None)
            if missing is not None:
                raise PathNotValid(missing)
            conn.executemany(
                "INSERT OR IGNORE INTO valid_paths"
                " (path, nar_hash, nar_size, deriver, registration_time, ca)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (i.path, i.nar_hash, i.nar_size, i.deriver, i.registration_time, i.ca)
                    for i in infos
                ],
            )
            conn.executemany(
                "INSERT OR IGNORE INTO refs (referrer, reference) SELECT"
                " (SELECT id FROM valid_paths WHERE path = ?),"
                " (SELECT id FROM valid_paths WHERE path = ?)",
                [(info.path, ref) for info in infos for ref in info.references],
            )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        self._remember_closures(infos)

    def _remember_closures(self, infos: list[PathInfo]) -> None:
        """Keep the closure of each path just registered whose references' closures are
        known: those of a run's builds, each made of the one before (a path's references
        never change while it is valid)."""
        known = self._closures
        for info in infos:
            refs = [r for r in info.references if r != info.path]
            if len(known) >= _KEPT_CLOSURES:  # a long-lived process: no more, the query answers
                break
            if all(r in known for r in refs):
                known[info.path] = frozenset([info.path]).union(*[known[r] for r in refs])
            else:
                known.pop(info.path, None)

    def forget_closures(self) -> None:
        """Paths were unregistered: the closures kept may name them."""
        self._closures.clear()

    def closure(self, paths: Iterable[str]) -> list[str]:
        """Every path reachable from `paths` by references, sorted; :class:`PathNotValid` for
        the first of `paths` not registered. One recursive query for the whole closure:
        a build asks for its inputs', and a query per path made a chain of 200 builds ask
        20,000 times. Roots this process registered need none: their closures are kept
        (a chain of 200 builds spent 9% of its time in the query); that they are still
        valid is asked, since another process may have collected them, and a valid path's
        references are valid."""
        roots = sorted(set(paths))
        known = self._closures
        if all(root in known for root in roots):
            valid = self.valid_among(roots)
            missing = [p for p in roots if p not in valid]
            if missing:
                raise PathNotValid(missing[0])
            return sorted(frozenset().union(*[known[root] for root in roots]))
        found = {row[0] for row in self._rows_naming(_CLOSURE, roots)}
        missing = [p for p in roots if p not in found]
        if missing:
            raise PathNotValid(missing[0])
        return sorted(found)

    def paths(self) -> Iterator[str]:
        for (path,) in self.conn.execute("SELECT path FROM valid_paths ORDER BY path"):
            yield path

    def stamp(self) -> tuple[object, int, int]:
        """What differs once the registry may have changed, as seen by this thread: its
        connection, SQLite's ``data_version`` (which a commit through any other connection,
        of this process or another, changes) and the rows written through this one (which
        ``data_version`` leaves out). While it is the same, a query answers as before: what
        it read may be kept, where asking again costs (every valid path, say)."""
        conn = self.conn
        (version,) = conn.execute("PRAGMA data_version").fetchone()
        return conn, version, conn.total_changes

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


def stored_names(store_dir: Path) -> list[str]:
    """The entries of `store_dir` shaped like store paths (not ``.links`` or temporary links)."""
    try:
        entries = os.listdir(store_dir)
    except FileNotFoundError:
        return []
    return sorted(e for e in entries if is_store_name(e))


def _make_reserve(path: Path) -> None:
    """Make the reserve at `path`, :data:`RESERVE_BYTES` allocated, unless it is there.

    Where there is no room for it (or no right to write it), none is made and what was
    allocated is given back: the next opening tries again. One look when it is there; one
    left short (a process killed as it made it) is made whole.
    """
    try:
        if os.stat(path).st_size >= RESERVE_BYTES:
            return
    except FileNotFoundError:
        pass
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError:  # var/ is not ours to write
        return
    try:
        # Blocks allocated, not a sparse file: only those are room that deleting it gives.
        os.posix_fallocate(fd, 0, RESERVE_BYTES)
    except OSError:
        path.unlink(missing_ok=True)
    finally:
        os.close(fd)


def _tables(conn: sqlite3.Connection) -> set[str]:
    return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


# -- every SQLite failure as one error -------------------------------------------------------

# Not failures of the file: a constraint is the registry's own rule, which callers handle (the
# collector skips a path that something refers to); a programming error is a bug to show whole.
_PASSED_ON = (sqlite3.IntegrityError, sqlite3.ProgrammingError)


def _close(conn: sqlite3.Connection) -> None:
    """Close a thread's connection; at exit, one of a thread still running is left to the
    process's end (SQLite refuses to close it from another thread: no error to print then)."""
    with contextlib.suppress(sqlite3.ProgrammingError):
        conn.close()


class _Closer:
    """Lives as long as a thread's connection is the registry's: its finalizer closes it."""

    __slots__ = ("__weakref__",)


class _Connection(sqlite3.Connection):
    """A connection whose every statement reports a SQLite failure as a :class:`RegistryError`.

    Whoever reads the registry (the collector too) goes through it, so no caller has to know
    SQLite's exceptions.
    """

    db_path: Path

    def cursor(self, factory: Any = None) -> Any:
        return super().cursor(factory or _Cursor)

    def execute(self, sql: str, parameters: Any = (), /) -> Any:
        if sql == "ROLLBACK" and not self.in_transaction:
            # SQLite rolls back by itself after some failures (a full disk): the ROLLBACK of
            # the caller's clean-up then has nothing to do, and its error would hide the first.
            return self.cursor()
        return self.cursor().execute(sql, parameters)

    def executemany(self, sql: str, parameters: Any, /) -> Any:
        return self.cursor().executemany(sql, parameters)

    def executescript(self, sql_script: str, /) -> Any:
        return self.cursor().executescript(sql_script)


class _Cursor(sqlite3.Cursor):
    """Rows fetched one by one can fail too (a damaged page is found only when it is read)."""

    connection: _Connection

    def execute(self, sql: str, parameters: Any = (), /) -> Any:
        return self._reported(super().execute, sql, parameters)

    def executemany(self, sql: str, parameters: Any, /) -> Any:
        return self._reported(super().executemany, sql, parameters)

    def executescript(self, sql_script: str, /) -> Any:
        return self._reported(super().executescript, sql_script)

    def fetchone(self) -> Any:
        return self._reported(super().fetchone)

    def fetchall(self) -> list[Any]:
        return self._reported(super().fetchall)

    def __next__(self) -> Any:
        return self._reported(super().__next__)

    def _reported(self, method: Callable[..., Any], *args: Any) -> Any:
        try:
            return method(*args)
        except _PASSED_ON:
            raise
        except sqlite3.Error as exc:
            raise registry_error(self.connection.db_path, exc) from exc


class RegistryUnwritable(RegistryError):
    """The registry cannot be opened or written by this user: a read-only mount, a home of
    another user, a folder gone. Nothing is wrong with the registry itself, so nothing of the
    store is judged damaged for it (``verify``)."""


def registry_error(db_path: Path, exc: sqlite3.Error) -> RegistryError:
    """The :class:`RegistryError` for a SQLite failure: what went wrong, and what to do."""
    extended = getattr(exc, "sqlite_errorcode", None) or 0
    code = extended & 0xFF  # the primary result code
    name = getattr(exc, "sqlite_errorname", None) or type(exc).__name__
    detail = f"cannot be used: {exc} ({name})"
    folder = db_path.parent
    no_room = _no_room(extended, db_path)
    if no_room or code == sqlite3.SQLITE_FULL:
        hint = (
            f"free space on the filesystem that holds {folder} (other files: pybuild gc needs a"
            " little room itself to record what it deletes), then run the command again"
        )
        return RegistryFull(str(db_path), f"cannot be used: {exc} ({name}{no_room})", hint)
    if code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
        return RegistryDamaged(str(db_path), detail, _damaged_hint(db_path))
    if code == sqlite3.SQLITE_IOERR:  # the disk could not read or write it back
        hint = f"check the disk that holds {folder} (errors in the system log); then "
        return RegistryDamaged(str(db_path), detail, hint + _damaged_hint(db_path))
    if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        hint = "another process holds the registry: let it finish (or stop it), then try again"
    elif code in (sqlite3.SQLITE_CANTOPEN, sqlite3.SQLITE_PERM, sqlite3.SQLITE_READONLY):
        hint = (
            f"check that {folder} exists, is on a mounted, writable filesystem and that you may"
            f" write {db_path} and its -wal and -shm files"
        )
        return RegistryUnwritable(str(db_path), detail, hint)
    else:
        hint = f"if it happens again, restore {db_path} from a backup"
    return RegistryError(str(db_path), detail, hint)


# The I/O errors of SQLite's writes that a lack of room may cause, where a write that finds
# none is SQLITE_FULL: a write past a quota, a file grown ahead of its writes, a -shm or -wal
# that cannot be made or mapped. SQLite keeps the errno to itself (Python's exception has only
# the codes): these are told as a lack of room when the filesystem has (nearly) none left.
_WRITES = {
    sqlite3.SQLITE_IOERR_WRITE,
    sqlite3.SQLITE_IOERR_FSYNC,
    sqlite3.SQLITE_IOERR_DIR_FSYNC,
    sqlite3.SQLITE_IOERR_TRUNCATE,
    sqlite3.SQLITE_IOERR_SHMOPEN,
    sqlite3.SQLITE_IOERR_SHMMAP,
}
_ROOM = 1 << 20  # bytes free under which a filesystem is full for SQLite (a -shm grows 32 KiB)


def _no_room(extended: int, db_path: Path) -> str:
    """Why SQLite's I/O error `extended` was a lack of room, as the end of the error's detail;
    "" when it was not (or may not have been) one."""
    if extended == sqlite3.SQLITE_IOERR_SHMSIZE:
        # One byte written past the end of each new page of the -shm: only a lack of room
        # (the filesystem's or the user's quota) refuses it.
        return f": no room to grow {db_path.name}-shm"
    if extended in _WRITES and _filesystem_full(db_path.parent):
        return ": the filesystem that holds it is full"
    return ""


def _filesystem_full(folder: Path) -> bool:
    """Whether the filesystem that holds `folder` has less than :data:`_ROOM` left for this
    user, or no inode left (where it counts them)."""
    try:
        fs = os.statvfs(folder)
    except OSError:
        return False
    blocks = fs.f_bfree if os.geteuid() == 0 else fs.f_bavail  # root may use the reserve
    return blocks * fs.f_frsize < _ROOM or (fs.f_files > 0 and fs.f_favail == 0)


def _damaged_hint(db_path: Path) -> str:
    return (
        f"restore {db_path} from a backup, or rebuild it from the store with"
        f" `{RECOVER_COMMAND}` (it moves the damaged file aside, next to it)"
    )
