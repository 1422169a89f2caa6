"""A temporary-roots file: made and locked under a shared hold of the gc lock.

:mod:`pybuild.store.temproots` explains the protocol; this is the part of it that the fast
path (:mod:`pybuild.fastpath`) needs as well, kept outside :mod:`pybuild.store` so that it
costs two system modules to import, not the store's.
"""

from __future__ import annotations

import fcntl
import os

__all__ = ["TEMP_ROOTS", "HeldRoots", "gc_lock_fd", "new_roots_file", "write_all"]

TEMP_ROOTS = "temproots"


def gc_lock_fd(var: str, exclusive: bool) -> int:
    """A descriptor holding ``var/gc.lock``: exclusively to collect, shared to add roots or
    hard links. Closing it lets go."""
    os.makedirs(var, exist_ok=True)
    fd = os.open(os.path.join(var, "gc.lock"), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
    except BaseException:
        os.close(fd)
        raise
    return fd


def new_roots_file(var: str) -> tuple[int, str]:
    """Make and lock a roots file ``var/temproots/<pid>-<random>``, close-on-exec; the caller
    holds the gc lock (shared). A collection reads the files whose lock is held."""
    folder = os.path.join(var, TEMP_ROOTS)
    os.makedirs(folder, exist_ok=True)
    flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC
    while True:
        path = os.path.join(folder, f"{os.getpid()}-{os.urandom(6).hex()}")
        try:
            fd = os.open(path, flags, 0o600)
            break
        except FileExistsError:
            continue
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
    except BaseException:
        os.unlink(path)
        os.close(fd)
        raise
    return fd, path


def write_all(fd: int, data: bytes, path: str) -> None:
    """Append all of `data` to the file `path` open at `fd`, or nothing: a half-written name
    would spoil the next one. An error names `path`, as a write to a descriptor's does not:
    a full disk is told with the file pybuild could not write."""
    start = os.lseek(fd, 0, os.SEEK_CUR)
    view = memoryview(data)
    try:
        while view:
            view = view[os.write(fd, view) :]
    except BaseException as exc:
        os.ftruncate(fd, start)
        os.lseek(fd, start, os.SEEK_SET)
        if isinstance(exc, OSError) and exc.filename is None:
            exc.filename = path
        raise


class HeldRoots:
    """``with HeldRoots(var, names):`` roots `names` while the block runs (as
    :func:`~pybuild.store.temproots.temp_roots` does), in a file made under the gc lock."""

    def __init__(self, var: str, names: list[str]) -> None:
        data = "".join(f"{name}\n" for name in sorted(set(names))).encode()
        lock = gc_lock_fd(var, exclusive=False)
        try:
            self.fd, self.path = new_roots_file(var)
            try:
                write_all(self.fd, data, self.path)
            except BaseException:
                self.__exit__()
                raise
        finally:
            os.close(lock)

    def __enter__(self) -> HeldRoots:
        return self

    def __exit__(self, *_: object) -> None:
        try:  # noqa: SIM105 (contextlib costs the fast path more than this whole module)
            os.unlink(self.path)
        except FileNotFoundError:
            pass
        os.close(self.fd)
