"""A path resolved as the kernel resolves it, one name at a time, every step of it told.

``os.path.realpath`` gives only the end. Two questions need the way there too: whether a
folder can be trusted (every link followed to it must be, since its owner could point it
elsewhere: :func:`pybuild.cache.links.unsafe_step`), and which store paths a process uses
(a profile's ``bin/python`` passes through its environment's store path before it leads out
of the store: :mod:`pybuild.store.roots`).
"""

from __future__ import annotations

import errno
import os
from collections.abc import Iterator

__all__ = ["MAX_LINKS", "steps"]

MAX_LINKS = 40  # links followed in one resolution before it fails (ELOOP), as Linux does


def steps(path: str) -> Iterator[tuple[str, str, bool]]:
    """The steps of resolving the absolute `path`: ``(kind, where, last)`` for each.

    `kind` is ``"name"`` for a name reached that is no link (or is missing), `where` the
    path so far; ``"link"`` for a link, `where` its own path, before the walk goes where it
    points (an absolute target from ``/``, a relative one from the link's folder); ``"up"``
    for a ``..``, `where` the folder it leaves, as reached (not the name written before it);
    ``"end"``, once, for the folder or file reached. `last` says no name of `path` is left
    to walk (a link's target may add more). More than :data:`MAX_LINKS` links raise an
    OSError (ELOOP), as they do in the kernel.
    """
    names = _names(path)
    reached, followed = os.sep, 0
    while names:
        name = names.pop()
        if name == os.pardir:
            yield "up", reached, not names
            reached = os.path.dirname(reached)
            continue
        here = os.path.join(reached, name)
        try:
            target = os.readlink(here)
        except OSError:  # not a link, or missing: walked as written
            yield "name", here, not names
            reached = here
            continue
        yield "link", here, not names
        followed += 1
        if followed > MAX_LINKS:
            raise OSError(errno.ELOOP, os.strerror(errno.ELOOP), path)
        if os.path.isabs(target):
            reached = os.sep
        names += _names(target)
    yield "end", reached, True


def _names(path: str) -> list[str]:
    """The names `path` is made of, the first last (to be popped); ``..`` kept, as it must
    be applied to the folder reached, which a link may have changed."""
    return [part for part in reversed(path.split(os.sep)) if part and part != os.curdir]
