"""Dependency order for any graph of named things, with cycles reported as a chain.

Builds, package-set attributes and store closures all need "dependencies first"; one
iterative depth-first walk serves them all, and a cycle names every member so the user can
see where to break it.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable

from .errors import CycleError

TYPE_CHECKING = False  # typing: an import no command needs at run time
if TYPE_CHECKING:
    from typing import TypeVar

    T = TypeVar("T", bound=Hashable)

__all__ = ["reachable", "toposort"]


def toposort(
    roots: Iterable[T], deps: Callable[[T], Iterable[T]], label: Callable[[T], str] = str
) -> list[T]:
    """Every node reachable from `roots`, each after all of its dependencies."""
    order: list[T] = []
    done: set[T] = set()
    on_path: dict[T, int] = {}
    for root in roots:
        if root in done:
            continue
        stack: list[tuple[T, list[T]]] = [(root, list(deps(root)))]
        on_path[root] = 0
        while stack:
            node, pending = stack[-1]
            if not pending:
                stack.pop()
                del on_path[node]
                done.add(node)
                order.append(node)
                continue
            child = pending.pop()
            if child in done:
                continue
            if child in on_path:
                cycle = [n for n, _ in stack[on_path[child] :]] + [child]
                raise CycleError([label(n) for n in cycle])
            on_path[child] = len(stack)
            stack.append((child, list(deps(child))))
    return order


def reachable(starts: Iterable[T], step: Callable[[T], Iterable[T]]) -> set[T]:
    """`starts` and all that `step` leads to from them, transitively (no order, no cycle
    check: a closure, where :func:`toposort` gives an order)."""
    seen: set[T] = set()
    todo = list(starts)
    while todo:
        node = todo.pop()
        if node not in seen:
            seen.add(node)
            todo.extend(step(node))
    return seen
