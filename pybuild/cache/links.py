"""The link cache: substituted store paths kept unpacked, hard-linked into the next store.

uv keeps what it has unpacked in a cache and hard-links its files into each new environment,
so a warm install writes no file data. A binary cache cannot: each archive is decompressed
and every byte written again, and ``cp -a`` of the same paths is the floor of that. With the
``link_cache`` setting (a folder), each path taken from a binary cache is also linked into
that folder under its NAR hash, and the next time a cache offers a path of that hash (to this
store after a collection, or to another home on the same disk: a CI runner's fresh home, a
second project's), its files are hard-linked from the folder instead of downloaded.

The default (the setting's, and :class:`~pybuild.buildoptions.BuildOptions`') is
:data:`AUTO`: the user's cache folder, as uv's cache is on by default, used only where it can
be. A folder the user named is warned about when it cannot
be used; the default one is left alone silently (a store on another disk is the common case).

Trust: an entry is made only from a tree whose NAR hash was just checked against signed
metadata, and is used only for metadata that passed the same signature check, so a binary
cache cannot put anything in it. The folder is trusted as the store is: its files are
read-only and are the store's own files (the same inodes), and a folder that another user
could change is not used: one that another user owns or other users may write, or that is in
such a folder or reached by such a link (its owner could rename it and put their own in its
place, as pybuild run as root with a shared ``link_cache`` or the user's ``HOME`` could meet).
A folder swapped meanwhile is caught too: each file and folder of an entry is checked as it is
linked, and one that is not the store owner's, or that others may write, turns the folder off
(the path is downloaded instead). Its entries are not hashed again when used
(that would read every byte), so it must come only from runs as trusted as the store's;
``pybuild verify --check-contents`` hashes them all (:meth:`LinkCache.verify`), and
``--repair`` removes a damaged one before the store's paths are fetched again.
Links do not cross file systems: a folder on another one is not used either (copying would
write every byte, which is what the archives do already).

``pybuild gc`` removes the entries that no store links any more (every file's link count is
one), as it frees the store's own paths.
"""

from __future__ import annotations

import errno
import os
import secrets
import stat
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from ..hashing import Hash
from ..store import remove_tree
from ..store.resolution import steps
from ..store.sizes import regular_files
from .archive import _CANONICAL_MTIME

__all__ = ["AUTO", "LinkCache", "Unsafe", "default_folder", "unsafe_step"]

AUTO = "auto"  # the setting's default: default_folder(), used where it can be, silently

_NEW = ".new-"  # an entry being linked in; renamed to its hash when complete
_ABANDONED = 3600  # seconds after which a new entry nobody finished is removed
# A link that fails for these reasons will fail for every file: the folder is not used.
# (Too many links to one file, EMLINK, fails for that file alone: it is downloaded.)
_CANNOT_LINK = (errno.EXDEV, errno.EPERM, errno.EACCES, errno.EROFS)
_OTHERS_WRITE = stat.S_IWGRP | stat.S_IWOTH


class _NotTheOwners(OSError):
    """A file or folder of an entry that another user owns or may write: never linked."""


class LinkCache:
    """A folder of unpacked store paths by NAR hash, hard-linked into stores."""

    def __init__(self, folder: str | os.PathLike[str], say: Callable[[str], None]) -> None:
        self.quiet = os.fspath(folder) == AUTO  # the default: not used where it cannot be
        chosen = default_folder() if self.quiet else os.path.expanduser(os.fspath(folder))
        self.folder = Path(chosen).absolute()
        self.say = say
        self._off: str | None = None  # why the folder is not used, once found
        self._made: list[Path] = []  # the folders _usable made, the folder first
        self._lock = threading.RLock()  # restores run in threads; _usable may turn it off

    def link_into(self, nar_hash: Hash, target: Path) -> bool:
        """Make `target` the entry of `nar_hash` by hard links; False (and no `target`) when
        there is none, or it cannot be linked from."""
        entry = self.folder / nar_hash.base32
        if not self._usable() or not os.path.lexists(entry):
            return False
        try:
            _link_tree(os.fspath(entry), os.fspath(target))
        except _NotTheOwners as exc:
            remove_tree(target)
            self._turn_off(f"{exc} (remove that entry)")
            return False
        except OSError as exc:
            remove_tree(target)
            self._failed(exc)
            return False
        return True

    def keep(self, nar_hash: Hash, tree: Path) -> None:
        """Link `tree`, a path just restored and checked to have `nar_hash`, in as its entry.
        A cache: a failure costs the next substitution its download, nothing else."""
        entry = self.folder / nar_hash.base32
        if not self._usable() or os.path.lexists(entry):
            return
        new = self.folder / f"{_NEW}{nar_hash.base32}-{os.getpid()}-{secrets.token_hex(4)}"
        try:
            _link_tree(os.fspath(tree), os.fspath(new))
            os.rename(new, entry)  # complete, or not there: never half an entry
        except OSError as exc:
            remove_tree(new)
            if not os.path.lexists(entry):  # not another process's entry, made meanwhile
                self._failed(exc)

    def prune(self, dry_run: bool = False) -> tuple[int, int]:
        """Remove the entries no store links any more, and new ones abandoned an hour ago:
        how many, and the bytes freed (or that would be). The folder is every home's, each
        home's gc prunes it with no lock between them: an entry another removes meanwhile
        (a file gone under this one's walk) is theirs to count, and skipped here."""
        if not os.path.isdir(self.folder) or not self._usable():
            return 0, 0
        removed = freed = 0
        for item in os.scandir(self.folder):
            try:
                size = self._unused_size(item)
                if size is None:
                    continue
                if not dry_run:
                    remove_tree(item.path)
            except FileNotFoundError:
                continue
            removed, freed = removed + 1, freed + size
        return removed, freed

    def _unused_size(self, item: os.DirEntry[str]) -> int | None:
        """The bytes of an entry prune removes (a new one abandoned an hour ago counts for
        none), or None for one it keeps."""
        if item.name.startswith(_NEW):
            age = time.time() - item.stat(follow_symlinks=False).st_ctime
            return None if age < _ABANDONED else 0
        return _unlinked_size(item.path)

    def verify(self, remove: bool = False) -> Iterator[tuple[Path, str]]:
        """The entries whose files no longer have the NAR hash they are named by (a file
        changed in any store that links it changes here too), or that hold an entry out of
        the store's canonical modes (which others may then change, in every store linking
        it), each with what was found; `remove` deletes them, so that no store is filled
        from them again."""
        from ..store.verify import odd_entries

        if not os.path.isdir(self.folder) or not self._usable():
            return
        for item in sorted(os.scandir(self.folder), key=lambda item: item.name):
            if item.name.startswith(_NEW):
                continue  # not an entry: never linked from (prune removes it)
            nar_hash, odd = odd_entries(item.path, os.geteuid())
            found = nar_hash.base32
            if found != item.name:
                why = f"named by NAR hash {item.name}, found {found}"
            elif odd:
                shown = os.path.relpath(odd[0][0], item.path)
                why = f"holds {shown} (mode {stat.S_IMODE(odd[0][1].st_mode):04o}, owner uid"
                why += f" {odd[0][1].st_uid}), out of the store's canonical modes"
            else:
                continue
            if remove:
                remove_tree(item.path)
            yield Path(item.path), why

    def _usable(self) -> bool:
        """Whether the folder can be used (made on first use); why not is said once."""
        with self._lock:  # one thread checks (and makes) it, the others wait for its answer
            if self._off is None:
                self._check()
        return not self._off

    def _check(self) -> None:
        """Make the folder, and turn it off if it cannot be made or trusted."""
        self._made = _missing(self.folder)
        existing = self._made[-1].parent if self._made else self.folder
        try:
            why = _untrusted(existing, self.folder)  # nothing is made where another user rules
            if not why:
                self.folder.mkdir(0o755, parents=True, exist_ok=True)  # a umask 002 would refuse it
                why = _untrusted(self.folder, self.folder)
        except OSError as exc:
            self._turn_off(f"cannot be made ({exc.strerror})")
        else:
            if why:
                self._turn_off(why)
            else:
                self._off = ""

    def _failed(self, exc: OSError) -> None:
        """A link that failed: the folder is not used again if no link from it can work."""
        if exc.errno in _CANNOT_LINK:
            self._turn_off(f"cannot be hard-linked from ({exc.strerror}): is it on another disk?")

    def _turn_off(self, reason: str) -> None:
        with self._lock:
            if not self._off:
                self._off = reason
                if not self.quiet:
                    self.say(f"warning: link_cache {self.folder} {reason}; not using it")
            self._unmake()  # again after each failure: a thread's new entry may have been in it

    def _unmake(self) -> None:
        """Remove the folders made for nothing: a folder that is not used is not left behind
        (on another disk, say), unless an entry is in it (another process's)."""
        while self._made:
            try:
                os.rmdir(self._made[0])
            except FileNotFoundError:
                pass
            except OSError:
                return  # not empty: in use, and so are its parents
            del self._made[0]


def default_folder() -> str:
    """``$XDG_CACHE_HOME/pybuild/links``, else ``~/.cache/pybuild/links``: beside uv's and
    pip's caches, outside any pybuild home, so that every home of the user shares it."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "pybuild", "links")


@dataclass(frozen=True)
class Unsafe:
    """A folder, or a link, on the way to one pybuild writes in that another user could change
    (and so put a folder of their own in its place)."""

    step: Path
    itself: bool  # the folder written in (or a link to it), not one it is in
    owned: bool  # another user owns it; else other users may write it

    @property
    def why(self) -> str:
        """What is wrong with the step, said of it: "belongs to another user", …"""
        return "belongs to another user" if self.owned else "may be written by other users"


def unsafe_step(path: Path, folder: Path) -> Unsafe | None:
    """The first step on the way to `path` (`folder`, or a folder it is in) that another user
    could change, or None. As ssh's StrictModes asks of a key's folders: each folder on the way
    to `path` and each link followed there must be root's or this user's, and none may be
    written by others, but a folder `folder` is in may be if it is sticky (as /tmp is: they
    cannot rename this user's). The way is the kernel's, one name at a time: a link's target
    is followed where it points (and checked there), and `..` is the parent of the folder
    reached, not of the name before it, so that no link on the way goes unchecked (its owner
    could point it elsewhere after this check: :func:`~pybuild.store.resolution.steps`). Too
    many links on the way raise an OSError (ELOOP), as they do in the kernel."""
    unsafe = _judge(Path(os.sep), os.lstat(os.sep), itself=False)
    last = None  # the last name of `path` walked: the folder itself, or a link to it
    for kind, where, final in steps(os.path.join(os.getcwd(), path)):  # `..` kept as written
        if unsafe is not None:
            break
        if kind == "up":
            continue  # to a folder checked on the way here
        itself = path == folder and final
        if kind == "end":  # it ended on `..`: the folder reached is the one written in
            if itself and last != where:
                unsafe = _judge(Path(where), os.lstat(where), itself=True)
            break
        unsafe = _judge(Path(where), os.lstat(where), itself)
        if itself:
            last = where
    return unsafe


def _judge(step: Path, info: os.stat_result, itself: bool) -> Unsafe | None:
    """`step` (of lstat `info`) as unsafe_step sees it: another user's, or a folder others may
    write (a link's own mode means nothing), which only a folder `folder` is in may be, and
    only if it is sticky."""
    if info.st_uid not in (0, os.geteuid()):
        return Unsafe(step, itself, owned=True)
    writable = not stat.S_ISLNK(info.st_mode) and info.st_mode & _OTHERS_WRITE
    if writable and (itself or not info.st_mode & stat.S_ISVTX):
        return Unsafe(step, itself, owned=False)
    return None


def _untrusted(path: Path, folder: Path) -> str | None:
    """Why another user could change what `path` (the link cache `folder` or a folder it is
    in) holds, or None."""
    unsafe = unsafe_step(path, folder)
    if unsafe is None:
        return None
    if unsafe.itself:
        return f"{unsafe.why} (its entries go into stores)"
    who = "belongs to another user" if unsafe.owned else "other users may write"
    return f"is in {unsafe.step}, which {who} (they could put a folder of their own in its place)"


def _missing(folder: Path) -> list[Path]:
    """`folder` and those of its parents that do not exist, the innermost first."""
    missing = []
    while not os.path.lexists(folder) and folder != folder.parent:
        missing.append(folder)
        folder = folder.parent
    return missing


def _link_tree(source: str, target: str) -> None:
    """`target` as a copy of `source` whose files are hard links, made as a restored archive
    is (folders read-only, every time the canonical one), at any depth (a stack, not
    recursion: a store path may nest folders far deeper than Python's recursion limit). Each
    item of `source` is checked as it is linked (:func:`_check_owned`): the folder's check,
    once, does not see an entry put in its place since."""
    pending = [(source, target)]
    folders = []  # made, in order: each closed once what it holds is linked
    while pending:
        source, target = pending.pop()
        info = os.lstat(source)
        _check_owned(source, info)
        if stat.S_ISLNK(info.st_mode):
            os.symlink(os.readlink(source), target)
            os.utime(target, (_CANONICAL_MTIME, _CANONICAL_MTIME), follow_symlinks=False)
        elif stat.S_ISDIR(info.st_mode):
            os.mkdir(target, 0o700)
            folders.append(target)
            with os.scandir(source) as listing:
                pending += [(item.path, os.path.join(target, item.name)) for item in listing]
        else:
            os.link(source, target, follow_symlinks=False)  # its time: the entry's, canonical
    for folder in reversed(folders):  # those inside a folder were made after it
        os.chmod(folder, 0o555)
        os.utime(folder, (_CANONICAL_MTIME, _CANONICAL_MTIME), follow_symlinks=False)


def _check_owned(path: str, info: os.stat_result) -> None:
    """Refuse `path` (of lstat `info`) unless the store's owner owns it and no one else may
    write it: a file linked into the store is the same inode, which its owner could change."""
    writable = not stat.S_ISLNK(info.st_mode) and info.st_mode & _OTHERS_WRITE
    if info.st_uid != os.geteuid() or writable:
        raise _NotTheOwners(f"holds {path}, which another user owns or other users may write")


def _unlinked_size(path: str) -> int | None:
    """The bytes of an entry none of whose files is linked anywhere else, or None."""
    size = 0
    for info in regular_files(Path(path)):
        if info.st_nlink > 1:
            return None
        size += info.st_size
    return size
