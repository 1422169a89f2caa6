"""Temporary roots: what a running process needs, held while it runs; and the gc lock.

A process writes the store names it needs into files ``var/temproots/<pid>-<random>`` that it
holds locked; a collection keeps every name of a locked file and deletes the files whose
process died. There are two kinds:

- :func:`add_temp_roots`: what evaluation adds to the store or finds valid there (sources,
  builder scripts, .drv files), kept until the process ends (Nix's ``addTempRoot``). Each
  name is appended to the process's own file *before* the path is checked or used. One
  file per process and home, whatever its threads and Store objects; a forked child makes
  its own;
- :func:`temp_roots`: what a build or a command about to make a result link needs while a
  block runs.

Why no collection can miss a root: a name is written under a shared hold of ``var/gc.lock``
and a collection holds it exclusively from reading the roots to its last deletion. So either
the collection runs first, and finishes before the name is written (the caller then finds the
path invalid and adds it again), or the name is in the file before the collection reads it. A
collection never reads half a line, and never sees the file before its owner locked it (the
file is made and locked under the same shared hold). A no-op build needs only this module,
not the collector (:mod:`pybuild.store.gc`).
"""

from __future__ import annotations

import _thread  # threading's own locks, without threading's import (evaluation roots its sources)
import atexit
import contextlib
import fcntl
import os
from collections.abc import Iterable, Iterator

from ..rootsfile import TEMP_ROOTS, gc_lock_fd, new_roots_file, write_all

TYPE_CHECKING = False  # typing: an import no evaluation needs
if TYPE_CHECKING:
    from . import Store

__all__ = [
    "TEMP_ROOTS",
    "add_temp_roots",
    "gc_lock",
    "read_temp_roots",
    "release_temp_roots",
    "temp_roots",
]


@contextlib.contextmanager
def gc_lock(store: Store, exclusive: bool) -> Iterator[None]:
    """Hold ``var/gc.lock``: exclusively to collect, shared to add roots or hard links."""
    fd = gc_lock_fd(str(store.var), exclusive)
    try:
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
    data = "".join(f"{name}\n" for name in sorted(set(names))).encode()
    with gc_lock(store, exclusive=False):
        fd, path = new_roots_file(str(store.var))
        try:
            write_all(fd, data, path)
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


def read_temp_roots(store: Store, clean: bool) -> Iterator[tuple[str, str]]:
    """(owner's pid, name) for each name held by a running process; with `clean`, the files
    whose process died are removed.

    A file's lock tells whether its owner runs: a process holds its own file locked until it
    ends, so a shared lock that cannot be taken means a live owner.
    """
    folder = store.var / TEMP_ROOTS
    if not folder.is_dir():
        return
    for entry in sorted(os.scandir(folder), key=lambda e: e.name):
        try:
            fd = os.open(entry.path, os.O_RDONLY | os.O_CLOEXEC)
        except FileNotFoundError:
            continue
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:  # its owner is alive and holds it
                with os.fdopen(os.dup(fd), "r") as f:
                    text = f.read()
                owner = entry.name.split("-")[0]
                for name in text.split():
                    yield owner, name
            else:
                if clean:
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(entry.path)  # its process is gone
        finally:
            os.close(fd)


class _ProcessRoots:
    """This process's roots file for one home: the names written, the descriptor held locked.

    `lock` makes the threads of the process append one at a time; `names` holds a name only
    once it is written, so a thread that finds it there may rely on it.
    """

    def __init__(self, names: set[str]) -> None:
        self.lock = _thread.allocate_lock()
        self.fd: int | None = None
        self.path = ""
        self.names = names

    def release(self, wait: bool = True) -> None:
        """Remove and close the file, forget the names; without `wait`, only if no thread of
        this process is writing to it."""
        if not self.lock.acquire(blocking=wait):
            return
        try:
            if self.fd is not None:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(self.path)
                os.close(self.fd)
                self.fd = None
            self.names.clear()
        finally:
            self.lock.release()


_held: dict[str, _ProcessRoots] = {}  # by the home's var folder: Store objects share a file
_held_lock = _thread.allocate_lock()


def add_temp_roots(store: Store, names: Iterable[str]) -> None:
    """Keep `names` from every collection until this process ends (Nix's ``addTempRoot``).

    Call it before checking that a path is valid or using it: a collection running now
    finishes first; one starting later keeps the paths. Never call it while this process
    holds the gc lock exclusively (it would wait for itself). Names already written cost no
    system call, so evaluation may ask again and again.
    """
    held = _roots_of(store)
    fresh = [name for name in names if name not in held.names]
    if not fresh:
        return
    with held.lock:
        data = "".join(f"{name}\n" for name in sorted(set(fresh) - held.names)).encode()
        if data:
            with gc_lock(store, exclusive=False):
                if held.fd is None:
                    held.fd, held.path = new_roots_file(str(store.var))
                write_all(held.fd, data, held.path)
            held.names.update(fresh)


def _roots_of(store: Store) -> _ProcessRoots:
    key = str(store.var)
    with _held_lock:
        held = _held.get(key)
        if held is None:
            held = _held[key] = _ProcessRoots(set())
        return held


def release_temp_roots(store: Store) -> None:
    """End this process's roots in `store` now, as its exit would.

    For a program that goes on once it is done with all it evaluated (a test that builds,
    then collects as if the building process had ended): nothing rooted before may be used
    afterwards, not even what the evaluator's caches remember.
    """
    _roots_of(store).release()


def _after_fork_in_child() -> None:
    """A forked child starts its own files, with fresh thread locks (a parent's thread may
    have held one at the fork).

    It keeps the parent's names as written: the inherited descriptor stays open, and with
    it the lock on the parent's file, so what the parent rooted (which the child may reuse
    from caches without asking again) stays rooted while either of them runs.
    """
    global _held_lock
    _held_lock = _thread.allocate_lock()
    for key, held in list(_held.items()):
        _held[key] = _ProcessRoots(set(held.names))


def _at_exit() -> None:
    """Remove this process's files as it ends (Nix does too): a collection would delete them
    anyway, but they need not pile up until then. A crashed process leaves its files behind,
    unlocked, for that collection."""
    for held in list(_held.values()):
        held.release(wait=False)  # a thread still writing keeps its file: no hang at exit


os.register_at_fork(after_in_child=_after_fork_in_child)
atexit.register(_at_exit)
