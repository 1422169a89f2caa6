"""Disk usage (``pybuild du``): what the store holds, what each root needs, what gc would free.

A root's closure is counted by the registry's NAR sizes, without the derivations that built
it: that is what a copy of it elsewhere would need. The store's own size is what it takes on
disk, its blocks as ``du -s`` counts them: each hard-linked file once, since ``optimise`` may
have made many paths share a file, and its folders too; many small files make that well more
than their sizes add up to.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .gc import find_leftovers
from .refgraph import StoreGraph
from .roots import Root, find_roots
from .sizes import blocks_on_disk, reclaimable

if TYPE_CHECKING:
    from . import Store

__all__ = ["DiskUsage", "disk_usage"]


@dataclass
class DiskUsage:
    """What the store holds, what the roots need, and what a collection would free."""

    paths: int
    nar_bytes: int  # the registered paths' NAR sizes, added up
    disk_bytes: int  # the blocks store/ takes on disk, in bytes, each hard-linked file once
    closures: list[tuple[Root, int, int]]  # (root, runtime closure's NAR bytes, paths)
    dead: list[str]
    leftovers: list[str]
    reclaimable: int


def disk_usage(store: Store, *, scan_processes: bool = True) -> DiskUsage:
    """Sizes of the store and of each root's closure, and what ``gc`` would reclaim."""
    roots = find_roots(store, scan_processes=scan_processes)
    graph = StoreGraph.load(store)
    live = graph.closure(r.path for r in roots)
    dead = sorted(n for n in graph.refs if n not in live)
    leftovers = find_leftovers(store, graph, live)
    return DiskUsage(
        paths=len(graph.refs),
        nar_bytes=sum(graph.sizes.values()),
        disk_bytes=blocks_on_disk(store.dir),
        closures=_closures(roots, graph),
        dead=dead,
        leftovers=leftovers,
        reclaimable=reclaimable(store, [store.path(n) for n in dead + leftovers]),
    )


def _closures(roots: list[Root], graph: StoreGraph) -> list[tuple[Root, int, int]]:
    """(root, its runtime closure's NAR bytes, paths) for each root, the largest first."""
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
    return sorted(closures.values(), key=lambda c: (-c[1], c[0].source))
