"""Per-path locks, so that two processes never build the same output at once.

A lock is an ``flock`` on a file in ``var/locks``: the kernel drops it when its holder dies,
even by SIGKILL, so a crashed build never blocks the next one. The second process to ask for
a lock waits, then finds the path valid and reuses it.
"""

from __future__ import annotations

import fcntl
import os

TYPE_CHECKING = False  # a rollback takes a lock on the fast path: typing costs more than it
if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["path_locks", "try_path_locks"]


def path_locks(lock_dir: str | os.PathLike[str], names: Iterable[str]) -> _Held:
    """Hold exclusive locks on `names`, taken in sorted order so two holders cannot deadlock."""
    return _Held(lock_dir, sorted(set(names)), fcntl.LOCK_EX)


def try_path_locks(lock_dir: str | os.PathLike[str], names: Iterable[str]) -> _Tried:
    """Take the locks of `names` without waiting; yields whether all were taken.

    For the collector, which must never delete a path while it is being built, and need not
    wait for a build to end: a busy path is left for the next collection.
    """
    return _Tried(lock_dir, sorted(names), fcntl.LOCK_EX | fcntl.LOCK_NB)


class _Locks:
    """Locks on `names` in `lock_dir`, taken in this order and let go together at the end of
    the ``with`` block (a class, not ``contextlib``: the fast path's rollback takes one)."""

    def __init__(self, lock_dir: str | os.PathLike[str], names: list[str], operation: int) -> None:
        self._dir, self._names, self._operation = lock_dir, names, operation
        self._fds: list[int] = []

    def _take(self) -> bool:
        """Take the locks; False as soon as one is busy (only with LOCK_NB)."""
        os.makedirs(self._dir, exist_ok=True)
        try:
            for name in self._names:
                path = os.path.join(self._dir, f"{name}.lock")
                self._fds.append(os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600))
                fcntl.flock(self._fds[-1], self._operation)
        except BlockingIOError:
            return False
        except BaseException:
            self.__exit__()
            raise
        return True

    def __exit__(self, *exc_info: object) -> None:
        while self._fds:
            os.close(self._fds.pop())


class _Held(_Locks):
    def __enter__(self) -> None:
        self._take()


class _Tried(_Locks):
    def __enter__(self) -> bool:
        return self._take()
