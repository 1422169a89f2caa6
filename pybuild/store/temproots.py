"""Temporary roots: what a running process needs, held while it runs; and the gc lock.

A build (or a command about to make a result link) writes the store names it will read or
write into ``var/temproots/<pid>-<random>``, holding that file locked; a collection keeps
every name of a locked file and deletes the files whose process died. A no-op build needs
only this module, not the collector (:mod:`pybuild.store.gc`).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from . import Store

__all__ = ["TEMP_ROOTS", "gc_lock", "temp_roots"]

TEMP_ROOTS = "temproots"


@contextlib.contextmanager
def gc_lock(store: Store, exclusive: bool) -> Iterator[None]:
    """Hold ``var/gc.lock``: exclusively to collect, shared to add roots or hard links."""
    store.var.mkdir(parents=True, exist_ok=True)
    fd = os.open(store.var / "gc.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        yield
    finally:
        os.close(fd)


@contextlib.contextmanager
def temp_roots(store: Store, names: Iterable[str]) -> Iterator[None]:
    """Keep `names` (store basenames, valid or still to be built) alive while the block runs.

    The roots are a file ``var/temproots/<pid>-<random>`` that this process holds locked; a
    collection reads the files whose lock is held and deletes the others (their process died).
    The file is made under a shared hold of the gc lock, so a running collection finishes
    first and the caller then sees the store as it left it.
    """
    folder = store.var / TEMP_ROOTS
    folder.mkdir(parents=True, exist_ok=True)
    data = "".join(f"{name}\n" for name in sorted(set(names))).encode()
    with gc_lock(store, exclusive=False):
        fd, path = tempfile.mkstemp(prefix=f"{os.getpid()}-", dir=folder)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            os.write(fd, data)
        except BaseException:
            os.unlink(path)
            os.close(fd)
            raise
    try:
        yield
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
        os.close(fd)
