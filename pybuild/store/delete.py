"""Deleting named store paths (``pybuild delete``): exactly those, and only if nothing needs them.

A collection decides for itself what is dead; here the user names the paths, so a path that a
root still reaches is refused with the root and the chain that keeps it (the user may not know
a profile or a running process holds it), and so is one that another valid path refers to.
Paths are taken out as a collection takes them out (:mod:`pybuild.store.removal`), under the
gc lock held exclusively.
"""

from __future__ import annotations

import itertools
import os
import shlex
from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING

from ..errors import StoreError, UsageError
from .gc import GcResult, remove_stale_caches
from .refgraph import StoreGraph, roots_keeping
from .removal import Freeing, may_delete_leftover, unregister
from .roots import Root, find_roots
from .temproots import gc_lock

if TYPE_CHECKING:
    from . import Store

__all__ = ["LivePathError", "delete_paths"]


class LivePathError(StoreError):
    """A path asked to be deleted is still reachable from a root.

    The chain is how a collection reaches it from `root`: each path refers to the next, but
    for those in `derivers`, the derivation that built the path before it, which a collection
    keeps with it (:mod:`~pybuild.store.refgraph`); these are said so, not shown as
    references. `others` are the other roots that hold it: every one must go before the
    path can, so the first few are named with it, and the rest counted.
    """

    def __init__(
        self,
        path: str,
        root: Root,
        chain: Sequence[str],
        derivers: Collection[str] = (),
        others: Sequence[Root] = (),
    ) -> None:
        self.path, self.root, self.chain, self.others = path, root, list(chain), list(others)
        text = f"{path} is alive: {root.describe()}"
        if len(chain) > 1:
            steps = [
                f"{p} (its deriver, which gc keeps with it)" if p in derivers else p for p in chain
            ]
            text += "\n  through: " + " -> ".join(steps)
        shown = self.others[: _NAMED_ROOTS - 1]
        if shown:
            text += "\n  also " + "; ".join(r.describe() for r in shown)
        unnamed = len(self.others) - len(shown)
        super().__init__(text + (f"; and {unnamed} more root(s)" if unnamed else ""))
        removals = "; ".join(dict.fromkeys(r.how_to_remove() for r in [root, *shown]))
        # A generation deleted leaves its environment, which refers to the path: gc takes both.
        then = (
            "then `pybuild gc`, which deletes it with the environments that held it"
            if any(r.kind == "profile" for r in [root, *self.others])
            else "then delete again"
        )
        if unnamed:
            self.hint = (
                f"remove every root that holds it first ({removals}; `pybuild query --roots"
                f" {shlex.quote(path)}` lists them all), {then}"
            )
        else:
            roots = f"those {len(shown) + 1} roots" if shown else "that root"
            self.hint = f"remove {roots} first ({removals}), {then}"


_NAMED_ROOTS = 4  # a refusal names this many of the roots that hold a path, and counts the rest


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
        _refuse_live(store, graph, roots, names)
        valid = [n for n in names if n in graph]
        _refuse_referenced(store, graph, valid, set(names))
        freeing = Freeing(store)
        for group in graph.referrers_first(valid):
            if not unregister(store, group):
                raise StoreError(f"{store.path(group[0])} is being used by a build; try again")
            for name in group:
                freeing.remove(store.path(name))
                result.deleted.append(name)
        for name in [n for n in names if n not in graph]:
            if not os.path.lexists(store.path(name)):
                raise UsageError(f"{store.path(name)}: no such store path")
            if not may_delete_leftover(store, name):
                raise StoreError(f"{store.path(name)} is being built; try again")
            freeing.remove(store.path(name))
            result.leftovers.append(name)
        result.links_removed = freeing.sweep_links()
        result.freed = freeing.freed
        remove_stale_caches(store, result)  # records naming what went, as gc removes them
    return result


def _refuse_live(store: Store, graph: StoreGraph, roots: list[Root], names: Sequence[str]) -> None:
    for name in names:
        holding = _distinct(roots_keeping([name], roots, graph))
        chain = graph.chain([holding[0].path], name) if holding else None
        if chain is None:
            continue
        derivers = [b for a, b in itertools.pairwise(chain) if b not in graph.refs[a]]
        raise LivePathError(
            str(store.path(name)),
            holding[0],
            [str(store.path(c)) for c in chain],
            {str(store.path(d)) for d in derivers},
            holding[1:],
        )


def _distinct(roots: list[Root]) -> list[Root]:
    """The roots that must each go, in a stable order (by kind, then where): a profile link
    and the link of its current generation, which it points to, hold the same generation and
    go together, so they are one root, said as the profile link."""
    found = {(r.kind, r.source): r for r in roots}
    for root in [r for r in found.values() if r.kind == "profile"]:
        try:
            target = os.path.join(os.path.dirname(root.source), os.readlink(root.source))
        except OSError:  # gone since it was found: nothing to merge
            continue
        found.pop(("profile", target), None)
    return sorted(found.values(), key=lambda r: (r.kind, r.source))


def _refuse_referenced(store: Store, graph: StoreGraph, valid: list[str], asked: set[str]) -> None:
    referrers = {n: [r for r in graph.refs if n in graph.refs[r]] for n in valid}
    for name, users in referrers.items():
        others = [u for u in users if u not in asked]
        if others:
            raise UsageError(
                f"{store.path(name)} is still referenced by {store.path(others[0])}"
                + (f" and {len(others) - 1} more" if len(others) > 1 else ""),
            )
