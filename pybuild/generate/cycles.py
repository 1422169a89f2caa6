"""Dependency cycles of a plan, cut where a store path could not hold them.

Projects may need each other at run time: apache-airflow needs apache-airflow-core, which
needs apache-airflow-providers-common-compat, which needs apache-airflow. pip and uv install
all three into one folder, but a store path cannot refer to one that refers back to it, so
evaluating their recipes as written is a ``dependency cycle``. nixpkgs cuts such a cycle by
hand: one package leaves the other out of its dependencies (and ``pythonRemoveDeps`` drops
the requirement from its metadata, or the runtime deps check would refuse it), and the
environment lists both. A plan is cut so by itself: each edge that closes a cycle, found by a
depth-first walk from the request's roots, is left out of the generated recipe that has it.

What the request's environment holds is unchanged: an edge that closes a cycle leads back to
a package the walk came through, which the roots reach without it. A package of the cycle
asked for alone (``pypi:apache-airflow-providers-common-compat``) is a root of its own, and
the walk from it cuts another edge. Only generated recipes are cut: a cycle through a recipe
of the set stays the error it is, naming the recipe.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

from .files import Pin

__all__ = ["cut_cycles"]

_ON_PATH, _DONE = 1, 2


def cut_cycles(
    pins: Mapping[str, Pin], roots: Sequence[str], required: Mapping[str, Mapping[str, str]]
) -> None:
    """Leave out of `pins`' dependencies each edge that closes a cycle, walking from `roots`
    first, then from every other pin in name order (the same plan is always cut the same way).
    `required`: a pin's attribute -> its release's own requirements, as the attributes they
    resolved to -> the project names they spell; a cut edge that is one of them is dropped
    from the installed metadata too (``remove_deps``), where one through an extra (``b[x]``
    requiring the cut package) is the required package's requirement, not this one's."""
    state: dict[str, int] = {}
    for start in [*roots, *sorted(pins)]:
        if start in pins and start not in state:
            _walk(pins, start, state, required)


def _walk(
    pins: Mapping[str, Pin],
    start: str,
    state: dict[str, int],
    required: Mapping[str, Mapping[str, str]],
) -> None:
    """A depth-first walk from `start`, without recursion (a plan may be hundreds deep)."""
    state[start] = _ON_PATH
    path: list[tuple[str, Iterator[str]]] = [(start, iter(list(pins[start].dependencies)))]
    while path:
        attr, deps = path[-1]
        for dep in deps:
            if dep not in pins:
                continue
            if state.get(dep) == _ON_PATH:
                _cut(pins[attr], pins[dep], required.get(attr, {}))
            elif dep not in state:
                state[dep] = _ON_PATH
                path.append((dep, iter(list(pins[dep].dependencies))))
                break
        else:
            state[attr] = _DONE
            path.pop()


def _cut(pin: Pin, target: Pin, required: Mapping[str, str]) -> None:
    """Leave `target` out of `pin`'s dependencies, and say so."""
    if pin.origin != "index":
        return
    pin.dependencies.remove(target.attr)
    if target.attr in required:
        pin.remove_deps.append(required[target.attr])
    pin.notes.append(
        f"{pin.pname} {pin.version} is built without {target.pname}, which depends on it in"
        " turn (a cycle: a store path cannot refer to one that refers back to it);"
        f" {target.pname} is in the request's environment all the same"
    )
