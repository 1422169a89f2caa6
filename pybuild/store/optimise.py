"""Store optimisation: identical files across the store become hard links to one copy.

Two environments that hold the same numpy hold the same files, and so do two builds of one
package that differ only in an input. As Nix does, every regular file of a valid path is
hashed (its NAR hash, which covers the executable bit); the first file with a given hash is
hard-linked as ``store/.links/<hash>``, and every later one is replaced, atomically, by a
hard link to it. Contents, modes and times stay what they were (store files are read-only
with canonical times), so ``pybuild verify --check-contents`` passes afterwards; running it
again links nothing new.

A file that already has other hard links, none of them in ``.links``, is left alone: it is
shared already, by the link cache (:mod:`pybuild.cache.links`), since the files of a path that
was built or added have one link each (the store copies a file a builder hard-linked).
Giving it a ``.links`` name as well would leak its bytes for good: once every store let the
path go, the file would still have two links, the link cache's and ``.links``', and the
collection frees only ``.links`` names that nothing else links, while the link cache frees
only entries that no store links. So files that came from the link cache are not
deduplicated against one another here; the link cache shares them across stores instead.

It works under a shared hold of the gc lock (a collection, which removes ``.links`` entries
that nothing uses any more, waits) and one lock per store path, so two optimisers do not
rewrite one path at once.

Example::

    >>> for folder in ("a", "b"):                    # two paths holding one same file
    ...     (tmp / folder).mkdir()
    ...     _ = (tmp / folder / "data").write_bytes(bytes(8192))
    ...     _ = store.add_path(tmp / folder)
    >>> optimise_store(store).bytes_saved
    8192
    >>> optimise_store(store).bytes_saved            # linked already
    0
"""

from __future__ import annotations

import contextlib
import errno
import itertools
import os
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..hashing import hash_path
from .locks import path_locks
from .temproots import gc_lock
from .walk import walk

if TYPE_CHECKING:
    from . import Store

__all__ = ["OptimiseResult", "optimise_paths", "optimise_store"]

LINKS = ".links"
TMP_LINK_PREFIX = ".tmp-link-"  # the collector removes these when their process is gone
_counter = itertools.count()


@dataclass
class OptimiseResult:
    """Files replaced by hard links, the bytes that freed, and the files looked at."""

    files_linked: int = 0
    bytes_saved: int = 0
    files_seen: int = 0


def optimise_store(store: Store, dry_run: bool = False) -> OptimiseResult:
    """Hard-link identical files across every valid path of the store (whose registry is
    whole); with `dry_run`, count what it would link and change nothing."""
    store.registry.check_whole()
    return optimise_paths(store, list(store.registry.paths()), _known_links(store), dry_run)


def optimise_paths(
    store: Store,
    names: Iterable[str],
    known: dict[int, str] | None = None,
    dry_run: bool = False,
) -> OptimiseResult:
    """Hard-link the files of the valid paths `names` to identical files elsewhere (with
    `dry_run`, only count them: :func:`_would_link`).

    `known` maps inodes already in ``.links`` to their hash, so that files linked before are
    not hashed again; fresh build outputs need none.
    """
    result = OptimiseResult()
    links = store.dir / LINKS
    known = {} if known is None else known
    seen: set[str] = set()  # a dry run's: the hashes a first file has taken
    with gc_lock(store, exclusive=False):
        if not dry_run:
            links.mkdir(parents=True, exist_ok=True)
        for name in names:
            with path_locks(store.lock_dir, [f"{name}.optimise"]):
                if store.is_valid(name):
                    for path, st in _regular_files(store.path(name)):
                        result.files_seen += 1
                        if dry_run:
                            _would_link(path, st, links, known, seen, result)
                        else:
                            _optimise_file(store, path, st, links, known, result)
    return result


def _would_link(
    path: Path,
    st: os.stat_result,
    links: Path,
    known: dict[int, str],
    seen: set[str],
    result: OptimiseResult,
) -> None:
    """Count `path` as :func:`_optimise_file` would link it: a file it would look at, whose
    hash a file met before or a sound ``.links`` entry has (Nix's ``optimise --dry-run``)."""
    if st.st_ino in known or st.st_nlink > 1 or st.st_mode & stat.S_IWUSR:
        return
    key = hash_path(path)[0].base32
    if key not in seen:
        try:
            link_st = os.lstat(links / key)
        except FileNotFoundError:
            seen.add(key)  # this file would become the shared copy
            return
        if _damaged(path, st, links / key, link_st):
            return
    result.files_linked += 1
    result.bytes_saved += st.st_blocks * 512  # its blocks, as du -s counts them


def _known_links(store: Store) -> dict[int, str]:
    links = store.dir / LINKS
    if not links.is_dir():
        return {}
    return {entry.inode(): entry.name for entry in os.scandir(links)}


def _regular_files(root: Path) -> Iterator[tuple[Path, os.stat_result]]:
    try:
        st = os.lstat(root)
    except FileNotFoundError:
        return  # registered but missing: `pybuild verify` reports it
    if stat.S_ISREG(st.st_mode):
        yield root, st
        return
    if not stat.S_ISDIR(st.st_mode):
        return
    for dirpath, dirnames, filenames in walk(root):
        dirnames.sort()
        for name in sorted(filenames):
            path = Path(dirpath, name)
            file_st = os.lstat(path)
            if stat.S_ISREG(file_st.st_mode):
                yield path, file_st


def _optimise_file(
    store: Store,
    path: Path,
    st: os.stat_result,
    links: Path,
    known: dict[int, str],
    result: OptimiseResult,
) -> None:
    if st.st_ino in known:
        return  # already one of the links
    if st.st_nlink > 1:
        return  # shared already, by the link cache: a .links name would keep it for ever
    if st.st_mode & stat.S_IWUSR:
        return  # store files are read-only; a writable one is being changed: leave it be
    key = hash_path(path)[0].base32  # the NAR hash: content and executable bit
    link = links / key
    while True:
        try:
            os.link(path, link)
        except FileExistsError:
            pass
        else:
            known[st.st_ino] = key  # the first of its kind: it becomes the shared copy
            return
        try:
            link_st = os.lstat(link)
        except FileNotFoundError:
            continue  # a collection removed it just now: make this file the shared copy
        if link_st.st_ino == st.st_ino:
            known[st.st_ino] = key
            return
        if _damaged(path, st, link, link_st):
            return  # never spread it
        if _replace_with_link(store, path, link):
            result.files_linked += 1
            result.bytes_saved += st.st_blocks * 512  # it had no other link (above)
        return


def _damaged(path: Path, st: os.stat_result, link: Path, link_st: os.stat_result) -> bool:
    """Whether the ``.links`` entry `link`, named by `path`'s hash, no longer has its mode
    and bytes: a file in ``.links`` changed by hand keeps its name, so the bytes themselves
    are compared."""
    import filecmp

    if (link_st.st_mode ^ st.st_mode) & 0o777 or link_st.st_size != st.st_size:
        return True
    return not filecmp.cmp(path, link, shallow=False)


def _replace_with_link(store: Store, path: Path, link: Path) -> bool:
    """Put a hard link to `link` in place of `path` in one rename; False if it cannot be."""
    tmp = store.dir / f"{TMP_LINK_PREFIX}{os.getpid()}-{next(_counter)}"
    try:
        os.link(link, tmp)
    except OSError as exc:
        if exc.errno in (errno.EMLINK, errno.ENOENT):
            return False  # too many links to that file, or it was just collected
        raise
    try:
        with _writable(path.parent, store):
            os.replace(tmp, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
    return True


@contextlib.contextmanager
def _writable(folder: Path, store: Store) -> Iterator[None]:
    """Let a read-only folder of a store path take a rename, then make it read-only again."""
    if folder == store.dir:
        yield
        return
    mode = stat.S_IMODE(os.lstat(folder).st_mode)
    os.chmod(folder, mode | stat.S_IWUSR)
    try:
        yield
    finally:
        os.chmod(folder, mode)
