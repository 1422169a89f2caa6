"""Checking a store against its registry (``pybuild store verify``): what is missing, what
changed since it was registered, what others were let change (an entry out of the canonical
modes), and what interrupted builds and collections left behind.

Loaded only when asked for, apart from :mod:`pybuild.store.core` that every evaluation loads:
its record class is a dataclass, and ``dataclasses`` imports ``inspect`` (6 ms).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass, field

from ..errors import RegistryError, RegistryFull
from ..hashing import Hash, hash_path
from .locks import is_held
from .recovery import unregistered_closure
from .registry import RegistryUnwritable, stored_names
from .roots import find_roots
from .temproots import read_temp_roots

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .core import Store

__all__ = ["Problem", "restore_modes", "verify"]

# An unregistered store path is a build's output not yet registered, or a path a collection
# unregistered and had not finished deleting: either is killed midway, and gc removes both.
_LEFT_OVER = "left over from an interrupted build or collection; the next gc removes it"
# Unless a root leads to it (a registry restored from an older backup, a store copied without
# its registry): gc keeps it, and what its bytes name, so verify must not call it a left-over.
_KEPT = (
    "unregistered, but {why}, so gc keeps it: `pybuild verify --recover-registry` registers"
    " it as it is; or remove that root, and the next gc removes it"
)
# What a store path's entries are once added (store.core._canonicalise, an archive's restore).
_FILE, _EXECUTABLE, _FOLDER = 0o444, 0o555, 0o555
_CANONICAL = (
    "a store path's files are 0444 or 0555 and its folders 0555, all the store owner's: an"
    " entry another user owns or may write, or that is setuid, setgid or sticky, lets others"
    " change the path (and each store and link cache entry that hard-links its files)"
)
_SHOWN = 5  # odd entries named in a problem's detail; the others counted


@dataclass(frozen=True)
class Problem:
    """One finding of :meth:`Store.verify`."""

    path: str
    kind: str  # "missing", "modified", "modes", "unregistered", "unregistered-rooted", "registry"
    detail: str

    @property
    def is_damage(self) -> bool:
        """Left-overs of interrupted builds and collections are harmless, and so is an
        unregistered path a root keeps (nothing registered is lost; gc keeps it, and
        ``--repair`` has nothing to put back: it removes no path); missing or modified
        paths are not."""
        return self.kind not in ("unregistered", "unregistered-rooted")


def verify(
    store: Store, check_contents: bool = False, names: Iterable[str] | None = None
) -> Iterator[Problem]:
    """Registered paths that are missing or changed, and unregistered left-overs (not what a
    running process is adding: :func:`_left_overs`; kind ``unregistered-rooted`` for one a
    root keeps, as gc does: :func:`_kept_by_roots`); with
    `names` (registered paths), those paths alone, as ``nix store verify PATH…``: checking a
    few paths' contents need not re-hash the whole store.

    With `check_contents`, a path whose contents have their hash but hold an entry out of
    the canonical modes (:func:`odd_entries`) is reported too (kind ``modes``): its entries
    are read as they are hashed, so that costs an ``lstat`` each and no second walk.

    A registry that is lost, damaged or cannot be opened is the one problem reported (kind
    ``registry``, its path the database's): without it no path can be judged. One on a full
    filesystem, or one this user may not open or write (a read-only mount, another user's
    home), is not a problem of the store: its :class:`RegistryFull` or
    :class:`~pybuild.store.registry.RegistryUnwritable` is raised, as any command's would be.
    """
    try:
        store.registry.check_whole()
        registered = set(store.registry.paths())
    except (RegistryFull, RegistryUnwritable):
        raise
    except RegistryError as exc:
        yield Problem(str(store.registry.path), "registry", f"{exc.detail}\n  hint: {exc.hint}")
        return
    owner = store_owner(store) if store.dir.is_dir() else -1  # none: every path is missing
    for name in sorted(registered if names is None else set(names)):
        target = store.path(name)
        if not os.path.lexists(target):
            yield Problem(name, "missing", "registered but absent from the store")
        elif check_contents:
            actual, odd = odd_entries(target, owner)
            expected = store.info(name).nar_hash
            if actual.sri != expected:
                yield Problem(name, "modified", f"expected {expected}, found {actual.sri}")
            elif odd:
                yield Problem(name, "modes", _modes_detail(os.fspath(target), owner, odd))
    if names is None:
        left_overs = _left_overs(store, registered)
        kept = _kept_by_roots(store, set(left_overs), registered)
        for name in left_overs:
            if name in kept:
                yield Problem(name, "unregistered-rooted", _KEPT.format(why=kept[name]))
            else:
                yield Problem(name, "unregistered", _LEFT_OVER)


def _left_overs(store: Store, registered: Collection[str]) -> list[str]:
    """The entries of ``store/`` shaped like store paths that are neither in `registered`
    (the registry as verify read it, first) nor held by a running process, as gc decides.

    A commit moves a path in before it registers it (and may wait for the registry
    meanwhile), its caller holding the path's build lock from before the move until after
    the registration; a temporary root names a path a running process is building or
    adding. Either is in progress, and gc leaves it alone too (it keeps what a root reaches,
    and a left-over is deleted only when its lock is free:
    :func:`~pybuild.store.removal.may_delete_leftover`). The registry is asked again last:
    a path held when the store was listed and no longer held was registered by then, unless
    its process died first (a left-over). No lock is taken or made: verify only reports.
    """
    unregistered = [name for name in stored_names(store.dir) if name not in registered]
    if not unregistered:
        return []
    rooted = {name for _, name in read_temp_roots(store, clean=False)}
    free = [
        name for name in unregistered if name not in rooted and not is_held(store.lock_dir, name)
    ]
    valid = store.registry.valid_among(free) if free else set()
    return [name for name in free if name not in valid]


def _kept_by_roots(
    store: Store, left_overs: Collection[str], registered: Collection[str]
) -> dict[str, str]:
    """Which of the `left_overs` a root keeps, each with how, as gc's live set holds them
    (:func:`~pybuild.store.gc.collect_garbage`): the unregistered paths roots lead to, and
    what their bytes name (:func:`~pybuild.store.recovery.unregistered_closure`). Registered
    paths refer to registered ones alone, so only a root naming an unregistered path can keep
    one. Roots are looked for only when there is a left-over (reading ``/proc`` costs)."""
    if not left_overs:
        return {}
    roots = [root for root in find_roots(store) if root.path not in registered]
    kept: dict[str, str] = {}
    for root in roots:  # a path a root names is told by that root, not by one naming it
        if root.path in left_overs:
            kept.setdefault(root.path, root.describe())
    for root in roots:
        for name in sorted(unregistered_closure(store, [root.path], registered)):
            kept.setdefault(name, f"named by {root.path}, which is {root.describe()}")
    return {name: why for name, why in kept.items() if name in left_overs}


@dataclass
class _Modes:
    """The entries of a tree that are not in the canonical modes, gathered by
    :func:`~pybuild.hashing.hash_path`'s `keep` as it walks the tree (keeping every entry)."""

    owner: int
    odd: list[tuple[str, os.stat_result]] = field(default_factory=list)

    def keep(self, path: str) -> bool:
        self.look_at(path, os.lstat(path))
        return True

    def look_at(self, path: str, info: os.stat_result) -> None:
        if info.st_uid != self.owner or _canonical_mode(info) not in (None, info.st_mode):
            self.odd.append((path, info))


def odd_entries(
    top: str | os.PathLike[str], owner: int
) -> tuple[Hash, list[tuple[str, os.stat_result]]]:
    """The NAR hash of `top`, and its entries (each with its ``lstat``) that `owner` does not
    own or whose mode is not the canonical one: found in the one walk that hashes it."""
    modes = _Modes(owner)
    modes.look_at(os.fspath(top), os.lstat(top))
    nar_hash, _ = hash_path(top, modes.keep)
    return nar_hash, modes.odd


def store_owner(store: Store) -> int:
    """The user every store path's entries belong to: the store folder's, whom
    ``_canonicalise`` makes them (this user, unless root checks another's store)."""
    return os.stat(store.dir).st_uid


def restore_modes(store: Store, name: str) -> None:
    """Give every entry of the store path `name` its canonical mode and the store's owner,
    as when it was added, never following a link; a file another user owns or others may
    write is replaced by a copy of its own first. Folders come before what they hold: once a
    folder is put right, no other user can swap an entry in it for a link (a path-based
    change below it is then safe). The caller hashes the path again afterwards: whatever was
    written while others could is then found, and the path replaced. Raises OSError (a
    PermissionError for an entry another user owns, unless run as root)."""
    from .core import unshare

    owner = store_owner(store)
    stack = [os.fspath(store.path(name))]
    while stack:
        path = stack.pop()
        info = os.lstat(path)
        if stat.S_ISREG(info.st_mode) and (info.st_uid != owner or info.st_mode & 0o022):
            # A copy of its own, not the file changed in place: one who opened it while they
            # could write it still can (a mode is checked at open), and another name of it
            # may be a file outside the store, which a chown or chmod would change.
            unshare(path)
            info = os.lstat(path)
        if info.st_uid != owner:
            os.chown(path, owner, -1, follow_symlinks=False)  # first: it clears setuid bits
            info = os.lstat(path)
        mode = _canonical_mode(info)
        if mode is not None and mode != info.st_mode:
            os.chmod(path, stat.S_IMODE(mode), follow_symlinks=False)
        if stat.S_ISDIR(info.st_mode):
            stack += [os.path.join(path, entry) for entry in os.listdir(path)]


def _canonical_mode(info: os.stat_result) -> int | None:
    """The ``st_mode`` a store entry of ``lstat`` `info` has once canonical; None for a link,
    whose mode means nothing (and cannot be changed on Linux)."""
    if stat.S_ISDIR(info.st_mode):
        return stat.S_IFDIR | _FOLDER
    if stat.S_ISREG(info.st_mode):
        return stat.S_IFREG | (_EXECUTABLE if info.st_mode & stat.S_IXUSR else _FILE)
    return None


def _modes_detail(top: str, owner: int, odd: list[tuple[str, os.stat_result]]) -> str:
    """The odd entries of the store path `top` (each by its path in it: the path itself by
    its name) and what the canonical modes are."""
    name = os.path.basename(top)
    shown = [
        _entry(name if path == top else os.path.relpath(path, top), info, owner)
        for path, info in odd[:_SHOWN]
    ]
    more = f" and {len(odd) - _SHOWN} more" if len(odd) > _SHOWN else ""
    return f"not in the canonical modes: {', '.join(shown)}{more}; {_CANONICAL}"


def _entry(name: str, info: os.stat_result, owner: int) -> str:
    """One odd entry: its kind and mode, and its owner if it is not the store's."""
    mode = info.st_mode
    kind = "folder" if stat.S_ISDIR(mode) else "link" if stat.S_ISLNK(mode) else "file"
    foreign = f", owner uid {info.st_uid}" if info.st_uid != owner else ""
    return f"{name} ({kind}, mode {stat.S_IMODE(mode):04o}{foreign})"
