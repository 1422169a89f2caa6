"""Rewriting the folder a build's outputs were made in to the store's, in place.

A builder's ``$out`` is the output's final store path in Nix, and builders write it into
their outputs: a script's ``#!`` line, a wrapper, a pkg-config file, a link. pybuild builds
outside the store (committing is then one rename, and a killed build leaves nothing in
``store/``), in a folder whose path is exactly as long as the store's
(:meth:`~pybuild.store.Store.new_outputs_dir`). Once the builder has succeeded, every
occurrence of that folder (with the ``/`` after it) becomes the store's, in every regular file
and link target of the outputs, before they are checked, hashed and scanned for references:
what the builder wrote as ``$out`` is then the final path. Nothing moves, since both have the
same length, so a binary's offsets stay right, as with Nix's hash rewriting.

Only the files that hold the folder are written, in place, and a file the builder made
read-only (or unreadable) gets its mode back. A file with other names (hard links) is first
replaced by a copy of its own (:func:`~pybuild.store.core.unshare`), before it is read: a
builder can link a file from outside its output, whose other names must see no change (not
even of mode, for the while of the rewrite). A NAR has no hard links: storing copies it anyway.

Example::

    >>> folder, store_dir = Path("h/.ab12"), Path("h/store")
    >>> (folder / "out").mkdir(parents=True)
    >>> _ = (folder / "out" / "self").write_text(f"{folder}/out\\n")
    >>> rewrite_outputs([folder / "out"], folder, store_dir)
    >>> (folder / "out" / "self").read_text()
    'h/store/out\\n'
"""

from __future__ import annotations

import contextlib
import mmap
import os
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path

from .core import unshare
from .walk import names_too_long

__all__ = ["rewrite_outputs"]


def rewrite_outputs(outputs: Iterable[Path], folder: Path, store_dir: Path) -> None:
    """In each of `outputs` (those that exist: the check that follows names a missing one),
    write `store_dir` wherever `folder` is, each followed by a ``/``."""
    old, new = f"{folder}{os.sep}", f"{store_dir}{os.sep}"
    if len(old) != len(new):
        raise ValueError(f"{folder} and {store_dir} differ in length: no rewrite in place")
    for output in outputs:
        try:
            st = os.lstat(output)
        except FileNotFoundError:
            continue
        with names_too_long(output):
            _rewrite(os.fspath(output), st, old, new)


def _rewrite(path: str, st: os.stat_result, old: str, new: str) -> None:
    """Rewrite the file, link or folder (all it holds) at `path`, whose ``lstat`` is `st`;
    a folder with an explicit stack, at any depth (an output may nest folders far deeper
    than Python's recursion limit)."""
    folders: list[tuple[contextlib.ExitStack, list[tuple[str, os.stat_result]]]] = []
    entries = [(path, st)]  # of the folder being rewritten, in reverse
    try:
        while entries or folders:
            if not entries:  # a folder done: its mode back, on with the one above
                opened, entries = folders.pop()
                opened.close()
                continue
            path, st = entries.pop()
            if not stat.S_ISDIR(st.st_mode):
                _rewrite_entry(path, st, old, new)
                continue
            opened = contextlib.ExitStack()
            folders.append((opened, entries))
            opened.enter_context(_allowed(path, st.st_mode, stat.S_IRUSR | stat.S_IXUSR))
            with os.scandir(path) as listing:  # read whole: a link made again is not met again
                entries = [(e.path, e.stat(follow_symlinks=False)) for e in listing][::-1]
    finally:
        for opened, _ in reversed(folders):
            opened.close()


def _rewrite_entry(path: str, st: os.stat_result, old: str, new: str) -> None:
    """Rewrite the file or link at `path`, whose ``lstat`` is `st`."""
    mode = st.st_mode
    if stat.S_ISREG(mode):
        if st.st_nlink > 1:
            unshare(path)
            mode = os.lstat(path).st_mode
        _rewrite_file(path, mode, os.fsencode(old), os.fsencode(new))
    elif stat.S_ISLNK(mode):
        _rewrite_link(path, old, new)  # made again, never changed: its other names keep it


def _rewrite_file(path: str, mode: int, old: bytes, new: bytes) -> None:
    with _allowed(path, mode, stat.S_IRUSR):
        found = _offsets(path, old)
    if found:
        with _allowed(path, mode, stat.S_IWUSR):
            fd = os.open(path, os.O_WRONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
            try:
                for offset in found:
                    os.pwrite(fd, new, offset)
            finally:
                os.close(fd)


def _offsets(path: str, old: bytes) -> list[int]:
    """Where `old` occurs in the file `path`, never overlapping."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    try:
        if os.fstat(fd).st_size < len(old):
            return []  # an empty file cannot be mapped, and a short one holds nothing
        with mmap.mmap(fd, 0, access=mmap.ACCESS_READ) as data:
            found = []
            at = data.find(old)
            while at != -1:
                found.append(at)
                at = data.find(old, at + len(old))
            return found
    finally:
        os.close(fd)


def _rewrite_link(path: str, old: str, new: str) -> None:
    """Make the link at `path` again if its target names `old` (a link cannot be changed)."""
    target = os.readlink(path)
    if old not in target:
        return
    parent = os.path.dirname(path)
    with _allowed(parent, os.lstat(parent).st_mode, stat.S_IWUSR | stat.S_IXUSR):
        os.unlink(path)
        os.symlink(target.replace(old, new), path)


@contextlib.contextmanager
def _allowed(path: str, mode: int, bits: int) -> Iterator[None]:
    """`path` (of mode `mode`) with its owner's permission `bits` for the while, its mode put
    back after: a builder may leave a file read-only, or a folder closed."""
    if mode & bits == bits:
        yield
        return
    os.chmod(path, stat.S_IMODE(mode) | bits)
    try:
        yield
    finally:
        os.chmod(path, stat.S_IMODE(mode))
