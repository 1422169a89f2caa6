"""Knowing store paths without the registry: from their bytes, as a build's references are found.

The registry is the only record of which paths are valid and what each refers to. When it is
lost or damaged, :func:`recover_registry` rebuilds it from the store itself, as Nix's
``nix-store --load-db`` / ``--register-validity`` would from a dump: every store path is hashed
(NAR hash and size) and scanned for the hash parts of the other store paths, which are its
references (a ``.drv`` is text and is scanned alike; the outputs it names are not its references,
but it becomes their deriver). Registrations made by a substituter (signatures, content
addresses) are not in the store and cannot come back.

What the scan cannot tell: whether a path is whole. A path that an interrupted collection was
deleting is registered as it is found; so is one that a build was interrupted in writing,
though builds write beside the store and rename whole outputs into it. References found
are the hash parts that occur, a superset of what was registered when a path was added with
its references given (a collection keeps more, never less).

The collector uses :func:`unregistered_closure` for roots that lead to paths the registry does
not know: it keeps them and what they refer to, read the same way.

Example::

    >>> from pybuild import Store, realise
    >>> _ = realise([hello], store)
    >>> store.registry.close()
    >>> (store.var / "db.sqlite").unlink()           # the registry is lost
    >>> recovered = recover_registry(Store(store.home)).registered
    >>> sorted(name.split("-", 1)[1] for name in recovered)
    ['hello', 'hello.drv']
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import time
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import RegistryDamaged
from .paths import split_name
from .references import hash_and_scan
from .registry import PathInfo, Registry, stored_names
from .temproots import gc_lock

if TYPE_CHECKING:
    from . import Store

__all__ = ["Recovery", "recover_registry", "remove_stale_recoveries", "unregistered_closure"]


@dataclass
class Recovery:
    """What :func:`recover_registry` registered, and where a damaged registry was moved."""

    registered: list[str] = field(default_factory=list)
    moved_aside: Path | None = None


def recover_registry(store: Store, log: Callable[[str], None] | None = None) -> Recovery:
    """Register every store path that the registry lacks, read from the store.

    A lost or damaged registry is replaced as a whole: the new one is written beside it and
    renamed into place, the old file (and its ``-wal`` and ``-shm``) kept as
    ``db.sqlite.damaged-<time>``. A whole registry keeps what it has and gains the paths it
    lacks (after a restore from an older backup). Runs under the exclusive gc lock, so no
    collection or optimisation runs meanwhile; run it while no build runs either (a lost
    registry stops them anyway). `log` is called with each path registered.
    """
    say = log or (lambda _: None)
    result = Recovery()
    with gc_lock(store, exclusive=True):
        try:
            store.registry.check_whole()
            known: set[str] | None = set(store.registry.paths())
        except RegistryDamaged:
            known = None
        names = stored_names(store.dir)
        todo = [n for n in names if known is None or n not in known]
        derivers = _derivers(store, names)
        pool = {split_name(n)[0]: n for n in names}
        infos = []
        for name in todo:
            say(str(store.path(name)))
            infos.append(_read_info(store, name, pool, derivers.get(name)))
        if known is None:
            result.moved_aside = _replace_registry(store, infos)
        else:
            store.registry.register(infos)
        result.registered = todo
    return result


def unregistered_closure(
    store: Store, names: Iterable[str], registered: Collection[str]
) -> set[str]:
    """The store paths that the unregistered `names` reach, by scanning their bytes.

    Registered paths reached are in the result too (their own closure is the registry's to
    give); `names` that are not in the store are left out.
    """
    present = stored_names(store.dir)
    pool = {split_name(n)[0]: n for n in present}
    todo = [n for n in set(names) & set(present) if n not in registered]
    reached: set[str] = set()
    while todo:
        name = todo.pop()
        if name in reached:
            continue
        reached.add(name)
        if name not in registered:
            _, _, hits = hash_and_scan(store.path(name), pool)
            todo.extend(pool[h] for h in hits)
    return reached


def _read_info(store: Store, name: str, pool: dict[str, str], deriver: str | None) -> PathInfo:
    nar_hash, size, hits = hash_and_scan(store.path(name), pool)
    refs = {pool[h] for h in hits}
    if name.endswith(".drv"):
        refs -= set(_drv_outputs(store, name))  # named in it, built from it: not needed by it
    return PathInfo(name, nar_hash.sri, size, tuple(sorted(refs)), deriver)


def _derivers(store: Store, names: Iterable[str]) -> dict[str, str]:
    """Output -> the .drv in the store that names it (the first, if several do)."""
    derivers: dict[str, str] = {}
    for name in names:
        if name.endswith(".drv"):
            for output in _drv_outputs(store, name):
                derivers.setdefault(output, name)
    return derivers


def _drv_outputs(store: Store, drv: str) -> list[str]:
    """The output basenames a .drv names; none for one that is not a readable derivation."""
    try:
        outputs = json.loads(store.path(drv).read_text())["outputs"]
        return [o for o in outputs.values() if isinstance(o, str)]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return []


def remove_stale_recoveries(store: Store) -> list[Path]:
    """Remove the new registries that recoveries cut short left in ``var`` (``db.sqlite.
    recovering-<pid>``, its journals and lock), and say which. Every one is stale: the caller
    holds the gc lock exclusively, as a recovery does from the first byte it writes to the
    rename, so no process that wrote one is still writing it."""
    db = store.registry.path
    half = re.compile(re.escape(f"{db.name}.recovering-") + r"[0-9]+(-wal|-shm|\.init-lock)?")
    try:
        entries = os.listdir(db.parent)
    except FileNotFoundError:
        return []
    removed = []
    for entry in sorted(entries):
        if half.fullmatch(entry):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(db.parent / entry)
                removed.append(db.parent / entry)
    return removed


def _replace_registry(store: Store, infos: list[PathInfo]) -> Path | None:
    """Write a new registry holding `infos` and put it in place of the lost or damaged one.

    One not written whole (a full disk, an interrupt) is removed with its journals: it is of
    no use to the next recovery, and no other command would ever look at it."""
    db = store.registry.path
    fresh = db.with_name(f"{db.name}.recovering-{os.getpid()}")
    remove_stale_recoveries(store)
    new = Registry(fresh)
    try:
        try:
            new.register(infos)
            new.conn.execute("PRAGMA journal_mode = DELETE")  # all in one file, for the rename
        finally:
            new.close()
            Path(f"{fresh}.init-lock").unlink(missing_ok=True)  # its first opening's turn-taking
    except BaseException:
        for half in _with_journals(fresh):
            half.unlink(missing_ok=True)
        raise
    store.registry.close()
    aside = db.with_name(f"{db.name}.damaged-{time.strftime('%Y%m%d-%H%M%S')}-{os.getpid()}")
    moved = None
    # A -wal left beside the new file would be replayed into it: it goes with the old one.
    for old, kept in zip(_with_journals(db), _with_journals(aside), strict=True):
        if os.path.lexists(old):
            os.rename(old, kept)
            moved = aside
    os.rename(fresh, db)
    return moved


def _with_journals(db: Path) -> list[Path]:
    return [db, db.with_name(f"{db.name}-wal"), db.with_name(f"{db.name}-shm")]
