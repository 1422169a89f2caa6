"""Per-path locks, so that two processes never build the same output at once.

A lock is an ``flock`` on a file in ``var/locks``: the kernel drops it when its holder dies,
even by SIGKILL, so a crashed build never blocks the next one. The second process to ask for
a lock waits, then finds the path valid and reuses it.

The holder deletes the file as it lets go, as Nix does, so the folder does not keep a file for
every path ever built. A process that was waiting on the deleted file then holds a lock no
one else can see: it finds the file gone (no link left) and takes the lock again on the new one.
A holder killed by SIGKILL cannot delete its file: the next collection does, the same way
(:func:`remove_unheld_locks`).
"""

from __future__ import annotations

import fcntl
import os

TYPE_CHECKING = False  # a rollback takes a lock on the fast path: typing costs more than it
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

__all__ = ["is_held", "path_locks", "remove_unheld_locks", "try_path_locks"]


def path_locks(
    lock_dir: str | os.PathLike[str],
    names: Iterable[str],
    on_wait: Callable[[str], None] | None = None,
) -> _Held:
    """Hold exclusive locks on `names`, taken in sorted order so two holders cannot deadlock.

    `on_wait` is told the name whose lock another process holds before this one waits for
    it, so that a user sees why a command has gone quiet (Nix's "waiting for lock on …")."""
    return _Held(lock_dir, sorted(set(names)), fcntl.LOCK_EX, on_wait)


def try_path_locks(lock_dir: str | os.PathLike[str], names: Iterable[str]) -> _Tried:
    """Take the locks of `names` without waiting; yields whether all were taken.

    For the collector, which must never delete a path while it is being built, and need not
    wait for a build to end: a busy path is left for the next collection.
    """
    return _Tried(lock_dir, sorted(names), fcntl.LOCK_EX | fcntl.LOCK_NB)


def is_held(lock_dir: str | os.PathLike[str], name: str) -> bool:
    """Whether a process holds the lock of `name` now (this one included, by another of its
    locks), asked without making its file or holding it more than a moment.

    For ``verify``, which only reports: a shared lock tried without waiting never makes a
    builder wait longer than that moment, and no lock file is made or deleted."""
    try:
        fd = os.open(os.path.join(lock_dir, f"{name}.lock"), os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:  # no one holds it: a holder deletes it as it lets go
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # lets go of the shared lock, if it was taken
    return False


def remove_unheld_locks(lock_dir: str | os.PathLike[str]) -> None:
    """Delete the lock files in `lock_dir` that no process holds: a holder killed by SIGKILL
    could not delete its own as it let go.

    Each is taken without waiting and deleted while held, as a holder deletes its own: a
    process waiting on it then takes the lock again on a new file, and one holding it keeps
    it (and its file) untouched."""
    try:
        names = [
            entry[: -len(".lock")] for entry in os.listdir(lock_dir) if entry.endswith(".lock")
        ]
    except FileNotFoundError:  # no lock was ever taken
        return
    for name in names:
        with try_path_locks(lock_dir, [name]):
            pass  # deleted on the way out if taken, by _Locks.__exit__


class _Locks:
    """Locks on `names` in `lock_dir`, taken in this order and let go together at the end of
    the ``with`` block (a class, not ``contextlib``: the fast path's rollback takes one)."""

    def __init__(
        self,
        lock_dir: str | os.PathLike[str],
        names: list[str],
        operation: int,
        on_wait: Callable[[str], None] | None = None,
    ) -> None:
        self._dir, self._names, self._operation = lock_dir, names, operation
        self._on_wait = on_wait
        self._held: list[tuple[int, str]] = []
        self.busy: str | None = None

    def _take(self) -> bool:
        """Take the locks; False as soon as one is busy (only with LOCK_NB), which is then
        :attr:`busy`."""
        os.makedirs(self._dir, exist_ok=True)
        try:
            for name in self._names:
                self._held.append(self._lock(name, os.path.join(self._dir, f"{name}.lock")))
        except BlockingIOError:
            self.busy = name
            return False
        except BaseException:
            self.__exit__()
            raise
        return True

    def _lock(self, name: str, path: str) -> tuple[int, str]:
        """The descriptor of `path`, locked; the lock's file is made again if its last holder
        deleted it while this process waited."""
        while True:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
            try:
                self._flock(fd, name)
            except BaseException:
                os.close(fd)
                raise
            if os.fstat(fd).st_nlink:
                return fd, path
            os.close(fd)  # deleted by the holder this process waited for

    def _flock(self, fd: int, name: str) -> None:
        """Lock `fd`; before waiting for another holder, tell `on_wait` (once)."""
        if self._on_wait is None or self._operation & fcntl.LOCK_NB:
            fcntl.flock(fd, self._operation)
            return
        try:
            fcntl.flock(fd, self._operation | fcntl.LOCK_NB)
        except BlockingIOError:
            on_wait, self._on_wait = self._on_wait, None
            on_wait(name)
            fcntl.flock(fd, self._operation)

    def __exit__(self, *exc_info: object) -> None:
        while self._held:
            fd, path = self._held.pop()
            try:  # noqa: SIM105 (contextlib: an import a fast rollback does without)
                os.unlink(path)  # while still held: no one else can hold it
            except FileNotFoundError:
                pass
            os.close(fd)


class _Held(_Locks):
    def __enter__(self) -> None:
        self._take()


class _Tried(_Locks):
    def __enter__(self) -> bool:
        return self._take()
