"""Garbage collection: delete every store path that no root can reach, and nothing else.

Roots are what a user (or a running program) still needs:

- the generations of profiles (``var/profiles``),
- links in ``var/gcroots``, among them the indirect roots of result links
  (``var/gcroots/auto/<key>`` -> the user's ``result`` link, which must still point into the
  store; a stale indirect root is removed),
- the temporary roots of running pybuild processes (``var/temproots/<pid>-…``: what a build
  reads and writes, and what an evaluation added or found valid, held while they run),
- store paths in use by running processes: their executable, working directory, open files,
  mapped libraries and environment (from ``/proc``, where readable).

The live set is the closure of the roots by references, plus the derivation (``.drv``) that
built each live path and that derivation's own closure (Nix's ``keep-derivations``), so
``pybuild show-derivation result`` still works after a collection.

Builds and collections exclude each other through ``var/gc.lock``: a collection holds it
exclusively from reading the roots to its last deletion; a process adds temporary roots (and
``optimise`` works) under a shared hold. A build therefore registers its roots either before a
collection looks at them or after it is over, and a path it needs is never deleted under it.
Each deletion also takes the path's build lock, so a path being (re)built is never touched.

A path is first unregistered, then removed from disk, referrers before what they refer to: a
crash leaves at worst an unregistered left-over, which the next collection removes, along with
left-overs of interrupted builds in ``store/`` and build folders in ``var/tmp`` whose process is
gone. Hard links made by ``optimise`` in ``store/.links`` are dropped once nothing else uses
them. An unregistered path that a root leads to is no left-over: it stays, with what its bytes
refer to. Nothing is deleted unless the registry is whole (a lost one would make every path
look dead).

Example::

    >>> result = collect_garbage(Store.default(), dry_run=True)     # doctest: +SKIP
    >>> result.freed                                                # doctest: +SKIP
    123456
"""

from __future__ import annotations

import contextlib
import fcntl
import itertools
import os
import re
import sqlite3
import stat
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import InvalidName, StoreError, UsageError
from .paths import split_name
from .recovery import unregistered_closure
from .temproots import TEMP_ROOTS, gc_lock

if TYPE_CHECKING:
    from . import Store

__all__ = [
    "DiskUsage",
    "GcResult",
    "LivePathError",
    "Root",
    "StoreGraph",
    "collect_garbage",
    "delete_paths",
    "disk_usage",
    "explain_live",
    "find_roots",
    "gc_lock",
    "live_paths",
    "parse_size",
    "why_depends",
]

_LINKS = ".links"
_TMP_LINK_PREFIX = ".tmp-link-"
_NAME_CHARS = rb"[A-Za-z0-9+\-._?=]"
# mkdtemp's random part is 8 characters of [a-z0-9_]; store.new_tmp_dir puts the pid before it.
_TMP_OWNER_RE = re.compile(r"-(\d+)-[a-z0-9_]{8}$")
_TMP_LINK_RE = re.compile(re.escape(_TMP_LINK_PREFIX) + r"(\d+)-")
_UNOWNED_TMP_AGE = 24 * 3600  # build folders that name no process are stale after a day


class LivePathError(StoreError):
    """A path asked to be deleted is still reachable from a root."""

    def __init__(self, path: str, root: Root, chain: Sequence[str]) -> None:
        self.path, self.root, self.chain = path, root, list(chain)
        text = f"{path} is alive: {root.describe()}"
        if len(chain) > 1:
            text += "\n  through: " + " -> ".join(chain)
        super().__init__(text)
        self.hint = f"remove that root first ({root.how_to_remove()}), then delete again"


# -- locking and temporary roots -------------------------------------------------------------


def _read_temp_roots(store: Store, clean: bool) -> Iterator[Root]:
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
                    yield Root("temp", f"a running pybuild process (pid {owner})", name)
            else:
                if clean:
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(entry.path)  # its process is gone
        finally:
            os.close(fd)


# -- roots ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Root:
    """One thing that keeps a store path alive.

    `kind` is ``profile``, ``result`` (a result link, through its indirect root), ``gcroot``
    (a link in ``var/gcroots``), ``temp`` (a running build) or ``runtime`` (a process);
    `source` is where it was found (a link's path, or a process); `path` the basename it holds.
    """

    kind: str
    source: str
    path: str

    def describe(self) -> str:
        what = {
            "profile": "held by the profile link",
            "result": "held by the result link",
            "gcroot": "held by the gc root",
            "temp": "in use by",
            "runtime": "in use by",
        }[self.kind]
        return f"{what} {self.source}"

    def how_to_remove(self) -> str:
        if self.kind == "profile":
            return "pybuild delete-generations, or switch the profile away from it"
        if self.kind in ("result", "gcroot"):
            return f"rm {self.source}"
        return "wait for that process to end"


def find_roots(store: Store, *, scan_processes: bool = True, clean: bool = False) -> list[Root]:
    """Every root of `store`; with `clean`, stale indirect roots and temp-roots files go."""
    roots: list[Root] = []
    store_dirs = _store_dirs(store)
    profiles = store.var / "profiles"
    if profiles.is_dir():
        for link in _symlinks_below(profiles):
            name = _store_name_of(link, store_dirs)
            if name is not None:
                roots.append(Root("profile", str(link), name))
    if store.gcroots_dir.is_dir():
        auto = store.gcroots_dir / "auto"
        for link in _symlinks_below(store.gcroots_dir):
            name = _store_name_of(link, store_dirs)
            indirect = link.parent == auto
            if name is not None:
                source = os.readlink(link) if indirect else str(link)
                roots.append(Root("result" if indirect else "gcroot", source, name))
            elif indirect and clean:
                link.unlink()  # the result link was deleted or points elsewhere now
    roots.extend(_read_temp_roots(store, clean))
    if scan_processes:
        roots.extend(_runtime_roots(store_dirs))
    return roots


def _store_dirs(store: Store) -> list[str]:
    """The store directory as given and as it really is (it may be reached by a link)."""
    return sorted({str(store.dir), os.path.realpath(store.dir)})


def _symlinks_below(folder: Path) -> Iterator[Path]:
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in sorted(filenames + dirnames):
            path = Path(dirpath, name)
            if path.is_symlink():
                yield path


def _store_name_of(link: Path | str, store_dirs: Sequence[str]) -> str | None:
    """The store basename a link leads to, or None (dangling, or outside the store)."""
    try:
        real = os.path.realpath(link, strict=True)
    except OSError:
        return None
    return _name_in_store(real, store_dirs)


def _name_in_store(path: str, store_dirs: Sequence[str]) -> str | None:
    for store_dir in store_dirs:
        if path.startswith(store_dir + os.sep):
            first = path[len(store_dir) + 1 :].split(os.sep, 1)[0]
            return first if _is_store_name(first) else None
    return None


def _is_store_name(name: str) -> bool:
    try:
        split_name(name)
    except InvalidName:
        return False
    return True


def _runtime_roots(store_dirs: Sequence[str]) -> Iterator[Root]:
    """Store paths that running processes use, as far as /proc lets us read."""
    prefixes = b"|".join(re.escape(os.fsencode(d)) for d in store_dirs)
    pattern = re.compile(
        rb"(?:" + prefixes + rb")/([0-9abcdfghijklmnpqrsvwxyz]{32}-" + _NAME_CHARS + rb"+)"
    )
    try:
        pids = [p for p in os.listdir("/proc") if p.isdigit()]
    except OSError:
        return
    for pid in pids:
        found: dict[str, str] = {}
        for what, data in _process_paths(f"/proc/{pid}"):
            for match in pattern.finditer(data):
                name = os.fsdecode(match.group(1))
                if _is_store_name(name):
                    found.setdefault(name, what)
        for name, what in sorted(found.items()):
            yield Root("runtime", f"process {pid} ({what})", name)


def _process_paths(base: str) -> Iterator[tuple[str, bytes]]:
    """(what, bytes naming paths) for one process: links, open files, maps, environment."""
    for what in ("exe", "cwd", "root"):
        with contextlib.suppress(OSError):
            yield what, os.fsencode(os.readlink(f"{base}/{what}"))
    with contextlib.suppress(OSError):
        for fd in os.listdir(f"{base}/fd"):
            with contextlib.suppress(OSError):
                yield "open file", os.fsencode(os.readlink(f"{base}/fd/{fd}"))
    # Our own environment is not a use (the shell that started us is scanned anyway).
    own = base == f"/proc/{os.getpid()}"
    for what, file in (("mapped file", "maps"), ("env", "environ")):
        if not (own and file == "environ"):
            with contextlib.suppress(OSError), open(f"{base}/{file}", "rb") as f:
                yield what, f.read()


# -- the reference graph ---------------------------------------------------------------------


@dataclass
class StoreGraph:
    """The registry's valid paths, their references, derivers and sizes, read at once."""

    refs: dict[str, list[str]]
    derivers: dict[str, str | None]
    sizes: dict[str, int]

    @classmethod
    def load(cls, store: Store) -> StoreGraph:
        conn = store.registry.conn
        conn.execute("BEGIN")  # one snapshot: builds register paths between the two reads
        try:
            rows = conn.execute("SELECT path, deriver, nar_size FROM valid_paths").fetchall()
            edges = conn.execute(
                "SELECT a.path, b.path FROM refs r JOIN valid_paths a ON a.id = r.referrer"
                " JOIN valid_paths b ON b.id = r.reference ORDER BY b.path"
            ).fetchall()
        finally:
            conn.execute("COMMIT")
        refs: dict[str, list[str]] = {path: [] for path, _, _ in rows}
        for referrer, reference in edges:
            refs[referrer].append(reference)
        return cls(refs, {p: d for p, d, _ in rows}, {p: s for p, _, s in rows})

    def __contains__(self, name: str) -> bool:
        return name in self.refs

    def edges(self, name: str, keep_derivations: bool = True) -> list[str]:
        """What `name` keeps alive: its references and (when valid) its deriver."""
        out = list(self.refs.get(name, ()))
        deriver = self.derivers.get(name)
        if keep_derivations and deriver and deriver in self.refs and deriver != name:
            out.append(deriver)
        return out

    def closure(self, names: Iterable[str], keep_derivations: bool = True) -> set[str]:
        seen: set[str] = set()
        todo = list(names)
        while todo:
            name = todo.pop()
            if name not in seen:
                seen.add(name)
                todo.extend(self.edges(name, keep_derivations))
        return seen

    def chain(
        self, starts: Iterable[str], goal: str, keep_derivations: bool = True
    ) -> list[str] | None:
        """A shortest list of paths from one of `starts` to `goal`, each keeping the next."""
        parent: dict[str, str | None] = {}
        queue: deque[str] = deque()
        for start in starts:
            if start not in parent:
                parent[start] = None
                queue.append(start)
        while queue:
            name = queue.popleft()
            if name == goal:
                chain = [name]
                while (prev := parent[chain[-1]]) is not None:
                    chain.append(prev)
                return chain[::-1]
            for nxt in self.edges(name, keep_derivations):
                if nxt not in parent:
                    parent[nxt] = name
                    queue.append(nxt)
        return None

    def referrers_first(self, names: Iterable[str]) -> list[list[str]]:
        """`names` in groups (cycles stay together), each group before what it refers to."""
        members = set(names)
        groups = _strongly_connected(sorted(members), lambda n: self.refs.get(n, ()), members)
        return groups[::-1]  # Tarjan yields a group after everything it reaches


def _strongly_connected(
    nodes: Sequence[str], succ: Callable[[str], Iterable[str]], within: set[str]
) -> list[list[str]]:
    """Tarjan's algorithm, iteratively; groups come out after the groups they reach."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    groups: list[list[str]] = []
    for root in nodes:
        if root in index:
            continue
        work = [(root, iter(sorted(s for s in succ(root) if s in within)))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(s for s in succ(child) if s in within))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                groups.append(sorted(group))
    return groups


def live_paths(store: Store, roots: Iterable[Root], graph: StoreGraph | None = None) -> set[str]:
    """The closure of the roots (with the derivers of live paths and their closures)."""
    graph = graph or StoreGraph.load(store)
    return graph.closure(r.path for r in roots)


def explain_live(
    store: Store, name: str, roots: Sequence[Root], graph: StoreGraph | None = None
) -> tuple[Root, list[str]] | None:
    """Which root keeps `name` alive, and the chain of paths from that root to it."""
    graph = graph or StoreGraph.load(store)
    chain = graph.chain([r.path for r in roots], name)
    if chain is None:
        return None
    root = next(r for r in roots if r.path == chain[0])
    return root, chain


# -- collecting ------------------------------------------------------------------------------


@dataclass
class GcResult:
    """What a collection deleted (or, with `dry_run`, would delete) and the bytes freed."""

    dry_run: bool
    roots: int = 0
    live: int = 0
    deleted: list[str] = field(default_factory=list)
    kept_busy: list[str] = field(default_factory=list)  # dead, but locked or newly referenced
    leftovers: list[str] = field(default_factory=list)
    tmp_dirs: list[str] = field(default_factory=list)
    links_removed: int = 0
    freed: int = 0


def collect_garbage(
    store: Store,
    *,
    dry_run: bool = False,
    max_freed: int | None = None,
    scan_processes: bool = True,
    log: Callable[[str], None] | None = None,
) -> GcResult:
    """Delete what no root reaches; stop once `max_freed` bytes are freed.

    `log` is called with each path deleted (or that would be). Paths are deleted referrers
    first, so a store cut short (by `max_freed`, or a crash) stays consistent.
    """
    say = log or (lambda _: None)
    result = GcResult(dry_run)
    with gc_lock(store, exclusive=True):
        store.registry.check_whole()  # a lost registry would make every path look dead
        roots = find_roots(store, scan_processes=scan_processes, clean=not dry_run)
        graph = StoreGraph.load(store)
        live = graph.closure(r.path for r in roots)
        # A root may lead to a path the registry does not know: it and what it refers to stay.
        live |= graph.closure(unregistered_closure(store, live - graph.refs.keys(), graph.refs))
        result.roots, result.live = len(roots), len(live & graph.refs.keys())
        dead = [n for n in graph.refs if n not in live]
        links = _link_inodes(store)
        leftovers = _leftovers(store, graph, live)
        tmp_dirs = _stale_tmp_dirs(store)
        if dry_run:
            for name in sorted(dead) + leftovers:
                say(str(store.path(name)))
            result.deleted, result.leftovers, result.tmp_dirs = sorted(dead), leftovers, tmp_dirs
            result.freed = _reclaimable([store.path(n) for n in dead + leftovers], links)
            result.freed += sum(_tree_bytes(store.tmp_dir / d) for d in tmp_dirs)
            return result
        counted: set[int] = set()
        for group in graph.referrers_first(dead):
            if max_freed is not None and result.freed >= max_freed:
                break
            if not _delete_valid(store, group):
                result.kept_busy.extend(group)
                continue
            for name in group:
                say(str(store.path(name)))
                result.freed += _remove_counting(store.path(name), links, counted)
                result.deleted.append(name)
        for name in leftovers:
            if max_freed is not None and result.freed >= max_freed:
                break
            if _delete_leftover(store, name):
                say(str(store.path(name)))
                result.freed += _remove_counting(store.path(name), links, counted)
                result.leftovers.append(name)
        for entry in tmp_dirs:
            result.freed += _remove_counting(store.tmp_dir / entry, links, counted)
            result.tmp_dirs.append(entry)
        _remove_stale_tmp_links(store)
        removed, freed = _sweep_links(store, counted)
        result.links_removed, result.freed = removed, result.freed + freed
    return result


def _leftovers(store: Store, graph: StoreGraph, live: set[str]) -> list[str]:
    """Entries of ``store/`` shaped like store paths but not registered (interrupted builds).

    A temp root names an output a build is about to register: it is not a left-over.
    """
    if not store.dir.is_dir():
        return []
    return sorted(
        entry
        for entry in os.listdir(store.dir)
        if entry not in graph and entry not in live and _is_store_name(entry)
    )


def _delete_valid(store: Store, group: list[str]) -> bool:
    """Unregister a group of dead paths and delete them, under their build locks.

    Refused (False) when a lock is busy or a path outside the dead set refers to one of them
    now (it was registered after the roots were read).
    """
    with _try_locks(store, group) as locked:
        if not locked:
            return False
        if not _unregister(store, group):
            return False
    return True


def _unregister(store: Store, group: list[str]) -> bool:
    conn = store.registry.conn
    conn.execute("BEGIN IMMEDIATE")
    try:
        marks = ",".join("?" * len(group))
        referrers = conn.execute(
            "SELECT DISTINCT a.path FROM refs r JOIN valid_paths a ON a.id = r.referrer"
            f" JOIN valid_paths b ON b.id = r.reference WHERE b.path IN ({marks})",
            group,
        ).fetchall()
        if any(r not in group for (r,) in referrers):
            conn.execute("ROLLBACK")
            return False
        ids = f"SELECT id FROM valid_paths WHERE path IN ({marks})"
        conn.execute(f"DELETE FROM refs WHERE referrer IN ({ids})", group)
        conn.execute(f"DELETE FROM valid_paths WHERE path IN ({marks})", group)
        conn.execute("COMMIT")
    except sqlite3.IntegrityError:
        conn.execute("ROLLBACK")
        return False
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return True


def _delete_leftover(store: Store, name: str) -> bool:
    """A left-over is deleted only when no one holds its build lock and it is still invalid."""
    with _try_locks(store, [name]) as locked:
        return locked and not store.is_valid(name)


@contextlib.contextmanager
def _try_locks(store: Store, names: Sequence[str]) -> Iterator[bool]:
    """Take the build locks of `names` without waiting; yields whether all were taken."""
    store.lock_dir.mkdir(parents=True, exist_ok=True)
    fds: list[int] = []
    try:
        for name in sorted(names):
            fd = os.open(
                store.lock_dir / f"{name}.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600
            )
            fds.append(fd)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
        yield True
    finally:
        for fd in fds:
            os.close(fd)


def _stale_tmp_dirs(store: Store) -> list[str]:
    """Build folders in ``var/tmp`` whose process is gone (crashed, or kept after failing)."""
    if not store.tmp_dir.is_dir():
        return []
    stale = []
    now = time.time()
    for entry in sorted(os.listdir(store.tmp_dir)):
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


def _link_inodes(store: Store) -> set[int]:
    links = store.dir / _LINKS
    if not links.is_dir():
        return set()
    return {entry.inode() for entry in os.scandir(links)}


def _sweep_links(store: Store, counted: set[int]) -> tuple[int, int]:
    """Remove the hard links of ``store/.links`` that no store file shares any more."""
    links = store.dir / _LINKS
    if not links.is_dir():
        return 0, 0
    removed = freed = 0
    for entry in os.scandir(links):
        st = entry.stat(follow_symlinks=False)
        if st.st_nlink == 1:
            os.unlink(entry.path)
            removed += 1
            if st.st_ino not in counted:
                freed += st.st_size
    return removed, freed


def _regular_files(path: Path) -> Iterator[os.stat_result]:
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return
    if stat.S_ISREG(st.st_mode):
        yield st
    elif stat.S_ISDIR(st.st_mode):
        for dirpath, _, filenames in os.walk(path):
            for name in filenames:
                with contextlib.suppress(FileNotFoundError):
                    file_st = os.lstat(os.path.join(dirpath, name))
                    if stat.S_ISREG(file_st.st_mode):
                        yield file_st


def _remove_counting(path: Path, links: set[int], counted: set[int]) -> int:
    """Delete a tree; the bytes this frees (a file shared only with ``.links`` counts too)."""
    freed = 0
    for st in _regular_files(path):
        if st.st_ino in counted:
            continue
        if st.st_nlink == 1 or (st.st_nlink == 2 and st.st_ino in links):
            freed += st.st_size
            counted.add(st.st_ino)
    from . import remove_tree

    remove_tree(path)
    return freed


def _reclaimable(paths: Iterable[Path], links: set[int]) -> int:
    """Bytes that deleting all of `paths` would free, hard links taken into account."""
    seen: dict[int, list[int]] = {}  # inode -> [links left, size]
    for path in paths:
        for st in _regular_files(path):
            entry = seen.setdefault(st.st_ino, [st.st_nlink - (st.st_ino in links), st.st_size])
            entry[0] -= 1
    return sum(size for left, size in seen.values() if left <= 0)


def _tree_bytes(path: Path) -> int:
    return sum(st.st_size for st in _regular_files(path))


# -- deleting named paths, explaining references -------------------------------------------


def delete_paths(store: Store, names: Sequence[str], *, scan_processes: bool = True) -> GcResult:
    """Delete exactly `names`; refused (:class:`LivePathError`) if any of them is alive.

    A path that another valid path (not among `names`) refers to is refused too: delete its
    referrers first, or together.
    """
    result = GcResult(dry_run=False)
    with gc_lock(store, exclusive=True):
        store.registry.check_whole()
        roots = find_roots(store, scan_processes=scan_processes, clean=True)
        graph = StoreGraph.load(store)
        asked = set(names)
        for name in names:
            chain = graph.chain([r.path for r in roots], name)
            if chain is not None:
                root = next(r for r in roots if r.path == chain[0])
                raise LivePathError(
                    str(store.path(name)), root, [str(store.path(c)) for c in chain]
                )
        valid = [n for n in names if n in graph]
        referrers = {n: [r for r in graph.refs if n in graph.refs[r]] for n in valid}
        for name, users in referrers.items():
            others = [u for u in users if u not in asked]
            if others:
                raise UsageError(
                    f"{store.path(name)} is still referenced by {store.path(others[0])}"
                    + (f" and {len(others) - 1} more" if len(others) > 1 else ""),
                )
        links = _link_inodes(store)
        counted: set[int] = set()
        for group in graph.referrers_first(valid):
            if not _delete_valid(store, group):
                raise StoreError(f"{store.path(group[0])} is being used by a build; try again")
            for name in group:
                result.freed += _remove_counting(store.path(name), links, counted)
                result.deleted.append(name)
        for name in [n for n in names if n not in graph]:
            if not os.path.lexists(store.path(name)):
                raise UsageError(f"{store.path(name)}: no such store path")
            if not _delete_leftover(store, name):
                raise StoreError(f"{store.path(name)} is being built; try again")
            result.freed += _remove_counting(store.path(name), links, counted)
            result.leftovers.append(name)
        removed, freed = _sweep_links(store, counted)
        result.links_removed, result.freed = removed, result.freed + freed
    return result


def why_depends(store: Store, start: str, goal: str) -> list[tuple[str, str | None]] | None:
    """The shortest reference chain from `start` to `goal`, or None if it does not depend on it.

    Each step is (path, where): `where` is the file of `path` in which the next path's hash
    appears (None for the last step).
    """
    graph = StoreGraph.load(store)
    chain = graph.chain([start], goal, keep_derivations=False)
    if chain is None:
        return None
    steps: list[tuple[str, str | None]] = []
    for here, nxt in itertools.pairwise(chain):
        steps.append((here, _where_referenced(store.path(here), split_name(nxt)[0])))
    steps.append((chain[-1], None))
    return steps


def _where_referenced(root: Path, hash_part: str) -> str | None:
    """The first file (relative to `root`) whose name, content or link target holds the hash."""
    needle = hash_part.encode()
    candidates = [root]
    if root.is_dir() and not root.is_symlink():
        candidates = [root]
        for dirpath, dirnames, filenames in os.walk(root):
            dirnames.sort()
            candidates.extend(Path(dirpath, n) for n in sorted(filenames + dirnames))
    for path in candidates:
        rel = "." if path == root else str(path.relative_to(root))
        if needle in os.fsencode(path.name):
            return rel
        if path.is_symlink():
            if needle in os.fsencode(os.readlink(path)):
                return f"{rel} (link)"
        elif path.is_file() and _file_contains(path, needle):
            return rel
    return None


def _file_contains(path: Path, needle: bytes) -> bool:
    overlap = b""
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            if needle in overlap + chunk:
                return True
            overlap = chunk[-(len(needle) - 1) :]
    return False


# -- disk use --------------------------------------------------------------------------------


@dataclass
class DiskUsage:
    """What the store holds, what the roots need, and what a collection would free."""

    paths: int
    nar_bytes: int  # the registered paths' NAR sizes, added up
    disk_bytes: int  # bytes of files in store/, each hard-linked file counted once
    closures: list[tuple[Root, int, int]]  # (root, runtime closure's NAR bytes, paths)
    dead: list[str]
    leftovers: list[str]
    reclaimable: int


def disk_usage(store: Store, *, scan_processes: bool = True) -> DiskUsage:
    """Sizes of the store and of each root's closure, and what ``gc`` would reclaim."""
    roots = find_roots(store, scan_processes=scan_processes)
    graph = StoreGraph.load(store)
    live = graph.closure(r.path for r in roots)
    closures: dict[tuple[str, str], tuple[Root, int, int]] = {}
    for root in roots:
        if root.path not in graph or (root.kind, root.path) in closures:
            continue
        members = graph.closure([root.path], keep_derivations=False) & graph.refs.keys()
        closures[(root.kind, root.path)] = (
            root,
            sum(graph.sizes[m] for m in members),
            len(members),
        )
    dead = sorted(n for n in graph.refs if n not in live)
    leftovers = _leftovers(store, graph, live)
    links = _link_inodes(store)
    return DiskUsage(
        paths=len(graph.refs),
        nar_bytes=sum(graph.sizes.values()),
        disk_bytes=_unique_bytes(store.dir),
        closures=sorted(closures.values(), key=lambda c: (-c[1], c[0].source)),
        dead=dead,
        leftovers=leftovers,
        reclaimable=_reclaimable([store.path(n) for n in dead + leftovers], links),
    )


def _unique_bytes(path: Path) -> int:
    seen: set[int] = set()
    total = 0
    for st in _regular_files(path):
        if st.st_ino not in seen:
            seen.add(st.st_ino)
            total += st.st_size
    return total


# -- sizes ---------------------------------------------------------------------------------

_SIZE_RE = re.compile(r"(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?", re.IGNORECASE)
_UNITS = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}


def parse_size(text: str) -> int:
    """Bytes from ``500M``, ``2G``, ``1.5GiB``, ``4096`` (units are powers of 1024)."""
    match = _SIZE_RE.fullmatch(text.strip())
    if match is None:
        raise UsageError(f"{text!r} is not a size; write it like 500M, 2G or 1048576")
    return int(float(match.group(1)) * _UNITS[match.group(2).lower()])
