"""The reference graph of the store: which path keeps which alive, read from the registry.

A path keeps alive what it refers to and, while valid, the derivation (``.drv``) that built it
with that derivation's own closure (Nix's ``keep-derivations``), so ``pybuild show-derivation
result`` still works after a collection. The collector walks this graph from the roots;
``delete`` and ``why-depends`` walk it to explain why a path stays. The graph is read in one
snapshot of the registry, so a build registering paths meanwhile cannot tear it.

Example::

    >>> from pybuild import derivation, realise
    >>> app = derivation(name="app", builder="/bin/sh",
    ...                  args=["-c", f'mkdir $out && ln -s {hello}/greeting $out/greeting'])
    >>> _ = realise([app], store)
    >>> graph = StoreGraph.load(store)
    >>> graph.chain([app.output_paths["out"]], hello.output_paths["out"])
    ['...-app', '...-hello']
"""

from __future__ import annotations

import itertools
import os
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..graph import reachable
from .paths import split_name
from .walk import walk

if TYPE_CHECKING:
    from . import Store
    from .roots import Root

__all__ = ["StoreGraph", "explain_live", "live_paths", "roots_keeping", "why_depends"]


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
        return reachable(names, lambda name: self.edges(name, keep_derivations))

    def referrers(self, keep_derivations: bool = False) -> dict[str, list[str]]:
        """The reverse of :meth:`edges`: for each valid path, the paths that refer to it (with
        `keep_derivations`, also the outputs a derivation built, which keep it alive)."""
        back: dict[str, list[str]] = {name: [] for name in self.refs}
        for name in self.refs:
            for target in self.edges(name, keep_derivations):
                back[target].append(name)
        return back

    def referrers_closure(self, names: Iterable[str], keep_derivations: bool = False) -> set[str]:
        """`names` and every path that refers to one of them, directly or not."""
        back = self.referrers(keep_derivations)
        return reachable(names, lambda name: back.get(name, ()))

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


def roots_keeping(names: Iterable[str], roots: Iterable[Root], graph: StoreGraph) -> list[Root]:
    """The roots that keep one of `names` alive: those whose path leads to it as a collection
    follows paths (references, and derivations kept by their outputs), as
    ``nix-store --query --roots`` answers why a path is not collected."""
    keeping = graph.referrers_closure(names, keep_derivations=True)
    return [root for root in roots if root.path in keeping]


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
        for dirpath, dirnames, filenames in walk(root):
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
