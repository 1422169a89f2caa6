"""Checking a store against its registry (``pybuild store verify``): what is missing, what
changed since it was registered, and what interrupted builds and collections left behind.

Loaded only when asked for, apart from :mod:`pybuild.store.core` that every evaluation loads:
its record class is a dataclass, and ``dataclasses`` imports ``inspect`` (6 ms).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from ..errors import RegistryError, RegistryFull
from ..hashing import hash_path
from .paths import HASH_LEN
from .registry import RegistryUnwritable

TYPE_CHECKING = False
if TYPE_CHECKING:
    from .core import Store

__all__ = ["Problem", "verify"]

# An unregistered store path is a build's output not yet registered, or a path a collection
# unregistered and had not finished deleting: either is killed midway, and gc removes both.
_LEFT_OVER = "left over from an interrupted build or collection; the next gc removes it"


@dataclass(frozen=True)
class Problem:
    """One finding of :meth:`Store.verify`."""

    path: str
    kind: str  # "missing", "modified", "unregistered", "registry"
    detail: str

    @property
    def is_damage(self) -> bool:
        """Left-overs of interrupted builds and collections are harmless; missing or modified
        paths are not."""
        return self.kind != "unregistered"


def verify(
    store: Store, check_contents: bool = False, names: Iterable[str] | None = None
) -> Iterator[Problem]:
    """Registered paths that are missing or changed, and unregistered left-overs; with
    `names` (registered paths), those paths alone, as ``nix store verify PATH…``: checking a
    few paths' contents need not re-hash the whole store.

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
    for name in sorted(registered if names is None else set(names)):
        target = store.path(name)
        if not os.path.lexists(target):
            yield Problem(name, "missing", "registered but absent from the store")
        elif check_contents:
            actual, _ = hash_path(target)
            expected = store.info(name).nar_hash
            if actual.sri != expected:
                yield Problem(name, "modified", f"expected {expected}, found {actual.sri}")
    if names is None and store.dir.is_dir():
        for entry in sorted(os.listdir(store.dir)):
            if entry not in registered and len(entry) > HASH_LEN:
                yield Problem(entry, "unregistered", _LEFT_OVER)
