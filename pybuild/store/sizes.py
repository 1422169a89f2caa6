"""Bytes on disk in the store, each file counted once however many hard links it has.

Bytes are the blocks files and folders take, as ``du -s`` counts them, never the files'
sizes: what a collection says it freed is what ``du -s`` of the store then loses.

``optimise`` hard-links identical files to one copy in ``store/.links``, so a file's bytes are
freed only when its last link goes: the one in ``.links`` too, which a collection sweeps once
nothing else uses it. A file linked from ``.links`` and from one store path is freed by
deleting that path; shared by two paths, by deleting both. An entry of ``.links`` that nothing
else links already (a collection killed between deleting its last user and its sweep left it)
is freed by the next collection's sweep, whatever that deletes.
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from .optimise import LINKS
from .walk import fd_walk, walk

if TYPE_CHECKING:
    from . import Store

__all__ = [
    "Reclaiming",
    "blocks_on_disk",
    "disk_bytes",
    "link_inodes",
    "reclaimable",
    "regular_files",
    "tree_bytes",
    "tree_entries",
    "unused_link_bytes",
]


def link_inodes(store: Store) -> set[int]:
    """The inodes that ``store/.links`` holds a link to."""
    links = store.dir / LINKS
    if not links.is_dir():
        return set()
    return {entry.inode() for entry in os.scandir(links)}


def unused_link_bytes(store: Store) -> int:
    """The bytes of the entries of ``store/.links`` that no store file links any more, which
    a collection's sweep frees (as :meth:`~pybuild.store.removal.Freeing.sweep_links` counts
    them) whatever it deletes."""
    links = store.dir / LINKS
    if not links.is_dir():
        return 0
    total = 0
    for entry in os.scandir(links):
        with contextlib.suppress(FileNotFoundError):  # swept meanwhile
            st = entry.stat(follow_symlinks=False)
            if st.st_nlink == 1:
                total += disk_bytes(st)
    return total


def disk_bytes(st: os.stat_result) -> int:
    """The bytes of the blocks the file or folder of status `st` takes."""
    return st.st_blocks * 512


def tree_entries(path: Path) -> Iterator[os.stat_result]:
    """The status of `path` and of everything in the tree under it (links not followed)."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return
    yield st
    if not stat.S_ISDIR(st.st_mode):
        return  # a file, or a link: never the tree it leads to
    try:
        top = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError:
        return  # gone, swapped, or closed to this user: nothing under it to count
    try:  # through descriptors, at any depth (a left-over may nest past PATH_MAX)
        for fd, dirnames, filenames in fd_walk(top):
            for name in [*dirnames, *filenames]:
                with contextlib.suppress(FileNotFoundError):
                    yield os.stat(name, dir_fd=fd, follow_symlinks=False)
    finally:
        os.close(top)


def regular_files(path: Path) -> Iterator[os.stat_result]:
    """The status of each regular file in the tree at `path` (links are not followed)."""
    return (st for st in tree_entries(path) if stat.S_ISREG(st.st_mode))


def reclaimable(store: Store, paths: Iterable[Path]) -> int:
    """Bytes that a collection deleting all of `paths` would free, hard links taken into
    account, its sweep of ``store/.links`` included."""
    tally = Reclaiming(store)
    for path in paths:
        tally.add(path)
    return tally.swept


class Reclaiming:
    """The bytes that deleting paths one after another would free so far, hard links taken
    into account (a file counts once its last link is among them), as a dry run of a
    collection cut short by ``--max-freed`` must count them; and with the sweep of
    ``store/.links`` that ends a collection however short (:attr:`swept`)."""

    def __init__(self, store: Store) -> None:
        # the inodes of store/.links, whose copy does not keep a file
        self.links = link_inodes(store)
        self.unused = unused_link_bytes(store)  # freed by the sweep, whatever is deleted
        self.left: dict[int, int] = {}  # inode -> links not yet among the deleted
        self.freed = 0

    def add(self, path: Path) -> None:
        for st in tree_entries(path):
            if not stat.S_ISREG(st.st_mode):
                self.freed += disk_bytes(st)  # a folder or a link: this tree's alone
                continue
            left = self.left.get(st.st_ino, st.st_nlink - (st.st_ino in self.links)) - 1
            self.left[st.st_ino] = left
            if left == 0:
                self.freed += disk_bytes(st)

    @property
    def swept(self) -> int:
        """What the collection has freed once its sweep is done too: the deletions' bytes
        (whose files left only in ``.links`` are among them) and the entries of ``.links``
        that nothing linked before."""
        return self.freed + self.unused


def tree_bytes(path: Path) -> int:
    """The bytes of the tree on disk, shared or not (a build folder's, which none shares)."""
    return sum(disk_bytes(st) for st in tree_entries(path))


def blocks_on_disk(folder: Path) -> int:
    """The bytes of the blocks that `folder` and all it holds take, each inode once (what
    ``du -s -B1`` says); 0 for one that is not there."""
    seen: set[int] = set()
    total = 0
    for dirpath, dirnames, filenames in walk(folder):
        for name in [".", *dirnames, *filenames]:
            try:
                st = os.lstat(os.path.join(dirpath, name))
            except FileNotFoundError:
                continue  # deleted meanwhile
            if st.st_ino not in seen:
                seen.add(st.st_ino)
                total += st.st_blocks * 512
    return total
