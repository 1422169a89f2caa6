"""Garbage collection: delete every store path that no root can reach, and nothing else.

The live set is the closure of the roots (:mod:`pybuild.store.roots`) in the reference graph
(:mod:`pybuild.store.refgraph`), which keeps the derivation that built each live path too.
An unregistered path that a root leads to is no left-over: it stays, with what its bytes
refer to. Nothing is deleted unless the registry is whole (a lost one would make every path
look dead).

Builds and collections exclude each other through ``var/gc.lock``: a collection holds it
exclusively from reading the roots to its last deletion; a process adds temporary roots (and
``optimise`` works) under a shared hold. A build therefore registers its roots either before a
collection looks at them or after it is over, and a path it needs is never deleted under it.
Paths go as :mod:`pybuild.store.removal` takes them out: unregistered under their build locks,
referrers first, so a collection cut short (by a size limit, or a crash) leaves a consistent
store.

Besides dead paths, a collection removes what interrupted processes left: unregistered
entries of ``store/`` (a build or a deletion cut short), the records in ``var/tmp`` of builds
whose process is gone with the folders outside ``var/tmp`` that they name (the outputs
folders beside the store: :meth:`~pybuild.store.Store.new_outputs_dir`; the builders' own,
in ``TMPDIR``: :meth:`~pybuild.store.Store.new_build_dir`), the other temporary folders
there whose process is gone (a killed upload's archive, a substitution's),
but never a failed build's folders that ``keep_failed`` kept (:data:`KEPT_PREFIX`: they are
the user's to inspect and delete, as Nix never collects ``-K`` folders),
``optimise``'s temporary links, the lock files in ``var/locks`` that no process holds (a killed
build's: :func:`~pybuild.store.locks.remove_unheld_locks`), the new registry that a recovery
cut short was writing (:func:`~pybuild.store.recovery.remove_stale_recoveries`), and hard
links in ``store/.links`` that nothing else uses any more. It also removes the entries of two
caches in ``var/cache`` that can no longer answer once it is done: evaluation records naming
an output that is not valid (:mod:`pybuild.evalcache`) and validity notes of an old stamp of
the registry (:mod:`pybuild.store.validity`); each module says which of its entries are stale.

Example::

    >>> from pybuild import realise
    >>> from pybuild.store.temproots import release_temp_roots
    >>> _ = realise([hello], store)
    >>> release_temp_roots(store)                    # as if its builder had ended: no root
    >>> result = collect_garbage(store, dry_run=True)
    >>> sorted(name.split("-", 1)[1] for name in result.deleted)
    ['hello', 'hello.drv']
    >>> sorted(collect_garbage(store).deleted) == sorted(result.deleted)
    True
    >>> store.is_valid(result.deleted[0])
    False
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..evalcache import stale_records
from .locks import remove_unheld_locks
from .optimise import TMP_LINK_PREFIX
from .recovery import remove_stale_recoveries, unregistered_closure
from .refgraph import StoreGraph, live_paths
from .registry import stored_names
from .removal import Freeing, may_delete_leftover, unregister
from .roots import Root, find_roots
from .sizes import Reclaiming, tree_bytes
from .temproots import gc_lock
from .validity import stale_notes

if TYPE_CHECKING:
    from . import Store

__all__ = ["KEPT_PREFIX", "GcResult", "collect_garbage", "find_leftovers"]

# How a failed build's folder in var/tmp that keep_failed kept is renamed: never collected.
# (The record of its build folder outside the store is removed, so that one stays too.)
KEPT_PREFIX = "kept-"

# A random part of 8 characters of [a-z0-9_] (mkdtemp's; store.new_tmp_dir's are hex digits),
# the pid before it.
_TMP_OWNER_RE = re.compile(r"-(\d+)-[a-z0-9_]{8}$")
_TMP_LINK_RE = re.compile(re.escape(TMP_LINK_PREFIX) + r"(\d+)-")
# A build's outputs folder in the home, as Store.new_outputs_dir names it
_OUTPUTS_DIR_RE = re.compile(r"\.[a-z0-9]{4}")
_UNOWNED_TMP_AGE = 24 * 3600  # build folders that name no process are stale after a day


@dataclass
class GcResult:
    """What a collection deleted (or, with `dry_run`, would delete) and the bytes freed."""

    dry_run: bool
    roots: int = 0
    live: int = 0
    deleted: list[str] = field(default_factory=list)
    kept_busy: list[str] = field(default_factory=list)  # dead, but locked or newly referenced
    leftovers: list[str] = field(default_factory=list)
    tmp_dirs: list[str] = field(default_factory=list)  # in var/tmp, or absolute: see _shown
    links_removed: int = 0
    eval_records_removed: int = 0  # naming an output no longer valid, or unreadable
    validity_notes_removed: int = 0  # of a stamp the registry no longer has
    freed: int = 0


def collect_garbage(
    store: Store,
    *,
    dry_run: bool = False,
    max_freed: int | None = None,
    scan_processes: bool = True,
    log: Callable[[str], None] | None = None,
    without: Iterable[str] = (),
) -> GcResult:
    """Delete what no root reaches; stop once `max_freed` bytes are freed.

    `log` is called with each path deleted (or that would be). Paths are deleted referrers
    first, so a store cut short (by `max_freed`, or a crash) stays consistent. A dry run may
    leave out the roots found at the links `without`: the generations a real run would delete
    first, whose paths the preview must count as dead.
    """
    say = log or (lambda _: None)
    result = GcResult(dry_run)
    with gc_lock(store, exclusive=True):
        store.registry.check_whole()  # a lost registry would make every path look dead
        roots = find_roots(store, scan_processes=scan_processes, clean=not dry_run)
        if dry_run and without:
            gone = set(without)
            roots = [root for root in roots if root.source not in gone]
        graph = StoreGraph.load(store)
        live = _live(store, graph, roots)
        result.roots, result.live = len(roots), len(live & graph.refs.keys())
        dead = [n for n in graph.refs if n not in live]
        leftovers = find_leftovers(store, graph, live)
        tmp_dirs = _stale_tmp_dirs(store)
        if dry_run:
            groups = graph.referrers_first(dead)
            return _would_delete(store, result, groups, leftovers, tmp_dirs, max_freed, say)
        freeing = Freeing(store)
        for group in graph.referrers_first(dead):
            if max_freed is not None and freeing.freed >= max_freed:
                break
            if unregister(store, group):
                _remove(store, group, freeing, say)
                result.deleted.extend(group)
            else:
                result.kept_busy.extend(group)
        for name in leftovers:
            if max_freed is not None and freeing.freed >= max_freed:
                break
            if may_delete_leftover(store, name):
                _remove(store, [name], freeing, say)
                result.leftovers.append(name)
        for entry in tmp_dirs:
            trees = _stale_tree(store, entry)
            for path in trees:
                freeing.remove(path)
            result.tmp_dirs.append(_shown(store, trees[0]))
        _remove_stale_tmp_links(store)
        remove_unheld_locks(store.lock_dir)
        remove_stale_recoveries(store)
        result.links_removed = freeing.sweep_links()
        result.freed = freeing.freed
        remove_stale_caches(store, result)
    return result


def remove_stale_caches(store: Store, result: GcResult) -> None:
    """Remove the evaluation records and validity notes that can no longer answer, counted in
    `result`. Last, under the gc lock: what is valid, and the registry's stamp, as the
    deletions left them."""
    result.eval_records_removed = _remove_files(stale_records(store, store.is_valid))
    result.validity_notes_removed = _remove_files(stale_notes(str(store.var)))


def _live(store: Store, graph: StoreGraph, roots: list[Root]) -> set[str]:
    """The closure of the roots; a root may lead to a path the registry does not know: it and
    what it refers to stay."""
    live = live_paths(store, roots, graph)
    return live | graph.closure(unregistered_closure(store, live - graph.refs.keys(), graph.refs))


def _would_delete(
    store: Store,
    result: GcResult,
    groups: Iterable[list[str]],
    leftovers: list[str],
    tmp_dirs: list[str],
    max_freed: int | None,
    say: Callable[[str], None],
) -> GcResult:
    """A dry run's result: what a collection would delete, in the order it deletes, up to
    `max_freed` as it stops, and the bytes that would free, its sweep of ``store/.links``
    included (a collection cut short sweeps all the same)."""
    tally = Reclaiming(store)

    def take(names: list[str], taken: list[str]) -> bool:
        if max_freed is not None and tally.freed >= max_freed:
            return False
        for name in names:
            say(str(store.path(name)))
            tally.add(store.path(name))
        taken.extend(names)
        return True

    for group in groups:
        if not take(group, result.deleted):
            break
    for name in leftovers:
        if not take([name], result.leftovers):
            break
    trees = [_stale_tree(store, entry) for entry in tmp_dirs]
    result.tmp_dirs = [_shown(store, paths[0]) for paths in trees]
    result.freed = tally.swept + sum(tree_bytes(path) for paths in trees for path in paths)
    return result


def _remove(store: Store, names: list[str], freeing: Freeing, say: Callable[[str], None]) -> None:
    for name in names:
        say(str(store.path(name)))
        freeing.remove(store.path(name))


def _remove_files(paths: list[str]) -> int:
    """Remove the cache entries `paths`; how many were there to remove."""
    removed = 0
    for path in paths:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
            removed += 1
    return removed


def find_leftovers(store: Store, graph: StoreGraph, live: set[str]) -> list[str]:
    """Entries of ``store/`` shaped like store paths but not registered (interrupted builds).

    A temp root names an output a build is about to register: it is not a left-over.
    """
    return [n for n in stored_names(store.dir) if n not in graph and n not in live]


def _stale_tmp_dirs(store: Store) -> list[str]:
    """Build folders in ``var/tmp`` whose process is gone (crashed or killed), but those that
    ``keep_failed`` kept."""
    if not store.tmp_dir.is_dir():
        return []
    stale = []
    now = time.time()
    for entry in sorted(os.listdir(store.tmp_dir)):
        if entry.startswith(KEPT_PREFIX):
            continue
        try:
            mtime = os.lstat(store.tmp_dir / entry).st_mtime
        except FileNotFoundError:
            continue
        match = _TMP_OWNER_RE.search(entry)
        if match is None:
            if now - mtime > _UNOWNED_TMP_AGE:
                stale.append(entry)
        elif not _running_since(int(match.group(1)), mtime):
            stale.append(entry)
    return stale


def _stale_tree(store: Store, entry: str) -> list[Path]:
    """What a stale entry of ``var/tmp`` leaves to remove: a folder there, or the folder
    outside it that a record names (a build's outputs folder, or its build folder: see
    :data:`~pybuild.store.core.BUILD_DIR_RECORD`) with the record. A record's target is
    removed only while it is a folder named as pybuild names those, never through a link:
    what a record names is taken as a hint, not an order."""
    path = store.tmp_dir / entry
    if not os.path.islink(path):
        return [path]
    with contextlib.suppress(OSError):
        target = _recorded_folder(store, os.readlink(path))
        if target is not None and stat.S_ISDIR(os.lstat(target).st_mode):
            return [target, path]
    return [path]


def _recorded_folder(store: Store, link: str) -> Path | None:
    """The folder a record's `link` names, if named as records name theirs: a build folder
    (``pybuild-build-…``, wherever ``build_dir`` put it), or an outputs folder, a dot and 4
    letters or digits named from ``var/tmp`` as ``../../`` (the home's own)."""
    head, name = os.path.split(link)
    if name.startswith("pybuild-build-"):
        return Path(link)
    if head == os.path.join(os.pardir, os.pardir) and _OUTPUTS_DIR_RE.fullmatch(name):
        return store.home / name
    return None


def _shown(store: Store, path: Path) -> str:
    """How :attr:`GcResult.tmp_dirs` names a removed folder: by its name in ``var/tmp``, or
    by its whole path when it was a build's folder outside it."""
    return path.name if path.parent == store.tmp_dir else str(path)


def _running_since(pid: int, mtime: float) -> bool:
    """Whether process `pid` runs and started before `mtime` (so it may own the folder)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
        with open("/proc/stat", "rb") as f:
            boot = next(int(line.split()[1]) for line in f if line.startswith(b"btime "))
    except (OSError, StopIteration, IndexError, ValueError):
        return _pid_exists(pid)
    started = boot + int(fields[19]) / os.sysconf("SC_CLK_TCK")
    return started <= mtime + 2  # btime and ticks are coarse: allow a little slack


def _pid_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove_stale_tmp_links(store: Store) -> None:
    """Temporary hard links that an interrupted ``optimise`` left at the top of the store."""
    if not store.dir.is_dir():
        return
    for entry in os.listdir(store.dir):
        match = _TMP_LINK_RE.match(entry)
        if match and not _pid_exists(int(match.group(1))):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(store.dir / entry)
