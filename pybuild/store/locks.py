"""Per-path locks, so that two processes never build the same output at once.

A lock is an ``flock`` on a file in ``var/locks``: the kernel drops it when its holder dies,
even by SIGKILL, so a crashed build never blocks the next one. The second process to ask for
a lock waits, then finds the path valid and reuses it.
"""

from __future__ import annotations

import contextlib
import fcntl
import os

TYPE_CHECKING = False  # a rollback takes a lock on the fast path, which typing would slow
if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

__all__ = ["path_locks", "try_path_locks"]


@contextlib.contextmanager
def path_locks(lock_dir: str | os.PathLike[str], names: Iterable[str]) -> Iterator[None]:
    """Hold exclusive locks on `names`, taken in sorted order so two holders cannot deadlock."""
    with _locks(lock_dir, sorted(set(names)), fcntl.LOCK_EX):
        yield


def try_path_locks(
    lock_dir: str | os.PathLike[str], names: Iterable[str]
) -> contextlib.AbstractContextManager[bool]:
    """Take the locks of `names` without waiting; yields whether all were taken.

    For the collector, which must never delete a path while it is being built, and need not
    wait for a build to end: a busy path is left for the next collection.
    """
    return _locks(lock_dir, sorted(names), fcntl.LOCK_EX | fcntl.LOCK_NB)


@contextlib.contextmanager
def _locks(lock_dir: str | os.PathLike[str], names: list[str], operation: int) -> Iterator[bool]:
    """Lock `names` in this order; yields False as soon as one is busy (only with LOCK_NB)."""
    os.makedirs(lock_dir, exist_ok=True)
    fds: list[int] = []
    try:
        for name in names:
            fd = os.open(
                os.path.join(lock_dir, f"{name}.lock"), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600
            )
            fds.append(fd)
            try:
                fcntl.flock(fd, operation)
            except BlockingIOError:
                yield False
                return
        yield True
    finally:
        for fd in fds:
            os.close(fd)
