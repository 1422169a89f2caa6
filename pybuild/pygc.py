"""Python's own garbage collector (not the store's, :mod:`pybuild.store.gc`), held back while
a package set is evaluated.

Evaluating a set makes tens of thousands of objects that all live until it is done (recipe
modules, lazy references, packages, derivations) and almost no garbage in cycles: the
reference counts free the rest. CPython's collector does not know that; it runs every 700
new objects and walks every survivor again each tenth time, which cost the deepest recipe of
a thousand 3–8 ms of its 60 (28 young and 2 older collections) for nothing found. mypy, a
program of the same shape, raises the same threshold for the same reason.

So the outermost evaluation (an attribute of a set, or a package's derivation, asked for
while no other runs), and a command of the command line as a whole (its modules, parser and
values all live to its end: 1.2% of an evaluating no-op's instructions went to collections
that found nothing), raises the young generation's threshold, and puts it back when it
returns: garbage made meanwhile is collected then, on the next allocation. Nested evaluations
run inside that hold, and so do those another thread starts meanwhile (until it ends: they
only collect sooner); holds taken at once by several threads end with the last of them.
"""

from __future__ import annotations

import _thread
import gc

TYPE_CHECKING = False  # typing: an import no evaluation needs
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import TypeVar

    R = TypeVar("R")

__all__ = ["evaluated", "held"]

# Objects made between two collections while held: enough for a set's evaluation not to
# trigger one, few enough (a few megabytes) that garbage in cycles stays bounded.
_YOUNG = 100_000
_lock = _thread.allocate_lock()  # threading's Lock, without threading's import
_holders = 0
_saved = (0, 0, 0)


class _Hold:
    """``with``: the threshold raised on the first entry, put back on the last exit."""

    __slots__ = ()

    def __enter__(self) -> None:
        global _holders, _saved
        with _lock:
            if _holders == 0:
                _saved = gc.get_threshold()
                gc.set_threshold(max(_saved[0], _YOUNG), *_saved[1:])
            _holders += 1

    def __exit__(self, *exc: object) -> None:
        global _holders
        with _lock:
            _holders -= 1
            if _holders == 0 and gc.get_threshold()[0] == max(_saved[0], _YOUNG):
                gc.set_threshold(*_saved)  # unless the program set its own meanwhile


held = _Hold()
"""``with held:`` an evaluation runs with the collector held back."""


def evaluated(evaluate: Callable[..., R], *arguments: object) -> R:
    """``evaluate(*arguments)`` in a hold, unless one is on already: a nested evaluation (a set
    makes a thousand) runs as it is, without the hold's calls and lock. Read without the
    lock: a thread that sees another's hold end a moment late only collects later."""
    if _holders:
        return evaluate(*arguments)
    with held:
        return evaluate(*arguments)
