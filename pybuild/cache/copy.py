"""Copying closures between a store and a binary cache (``pybuild copy --to/--from``).

Copying to a cache uploads every path of the closure that the cache lacks, references first,
so the cache never holds an entry whose references are missing. Copying from a cache is
substitution of the named paths, with the same checks as before a build.

Example::

    >>> from pybuild import realise
    >>> from pybuild.cache import open_cache
    >>> _ = realise([hello], store)
    >>> cache = open_cache("cache")
    >>> copy_to(cache, store, [hello.output_paths["out"]], keys=[key])
    CopyReport(uploaded=['...-hello'], present=[], signed=[])
    >>> copy_to(cache, store, [hello.output_paths["out"]], keys=[key])
    CopyReport(uploaded=[], present=['...-hello'], signed=[])
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..progress import done_line
from ..results import Status
from .archive import DEFAULT_COMPRESSION
from .binary_cache import BinaryCache
from .errors import CacheError, NotSubstituted
from .signing import SecretKey
from .substitute import Substituters

__all__ = [
    "CopyReport",
    "copy_from",
    "copy_to",
    "references_first",
    "refuse_client_imported",
    "sign_local",
]


@dataclass
class CopyReport:
    """What a copy to a cache did: paths uploaded, paths the cache had already, and those of
    them whose entries it signed again (the signatures of the store and the keys added, or
    one that did not verify replaced): a copy that changed the cache says so."""

    uploaded: list[str] = field(default_factory=list)
    present: list[str] = field(default_factory=list)
    signed: list[str] = field(default_factory=list)


def references_first(store: Any, paths: Sequence[str]) -> list[str]:
    """The closure of `paths`, each path after everything it refers to."""
    order: list[str] = []
    done: set[str] = set()
    for root in sorted(set(paths)):
        stack: list[tuple[str, bool]] = [(root, False)]
        while stack:
            path, expanded = stack.pop()
            if path in done:
                continue
            if expanded:
                done.add(path)
                order.append(path)
                continue
            stack.append((path, True))
            for ref in store.info(path).references:
                if ref != path and ref not in done:
                    stack.append((ref, False))
    return order


def copy_to(
    cache: BinaryCache,
    store: Any,
    paths: Sequence[str],
    keys: Sequence[SecretKey] = (),
    compression: str = DEFAULT_COMPRESSION,
    say: Callable[[str], None] = lambda _: None,
) -> CopyReport:
    """Upload the closure of `paths` to `cache`, signing each entry with `keys`.

    The signatures are also recorded in the local store, so a later copy carries them.
    """
    order = references_first(store, paths)
    if keys:
        refuse_client_imported(store, order)  # before anything is uploaded
    cache.initialise()
    report = CopyReport()
    logged: set[str] = set()
    for path in order:
        if keys:
            sign_local(store, path, keys)
        done = cache.upload(store, path, keys=keys, compression=compression, say=say)
        if done == "uploaded":
            report.uploaded.append(path)
            say(f"copied {path} to {cache.url}")
            _upload_log(cache, store, path, logged)
            continue
        report.present.append(path)
        if done == "signed":
            report.signed.append(path)
            say(f"signed {path} again in {cache.url}")
    return report


def _upload_log(cache: BinaryCache, store: Any, path: str, logged: set[str]) -> None:
    """Upload the build log of `path`'s derivation, if it was built here and its log is not
    uploaded yet: whoever substitutes the path can read how it was built (``pybuild log``), as
    Hydra's caches serve their logs. One log serves every output of a derivation."""
    deriver = store.info(path).deriver
    if not deriver or deriver in logged:
        return
    logged.add(deriver)
    try:
        log = (store.log_dir / f"{deriver}.log").read_bytes()
    except FileNotFoundError:
        return  # it was not built here
    cache.upload_log(deriver, log)


def sign_local(store: Any, path: str, keys: Sequence[SecretKey]) -> list[str]:
    """Sign a valid local path with `keys` and record the signatures in the store."""
    from ..hashing import parse_hash
    from .info import fingerprint

    refuse_client_imported(store, [path])
    info = store.info(path)
    data = fingerprint(path, parse_hash(info.nar_hash), info.nar_size, info.references)
    sigs = [key.sign(data) for key in keys]
    store.registry.add_signatures(path, sigs)
    return sigs


def refuse_client_imported(store: Any, paths: Sequence[str]) -> None:
    """Refuse to sign `paths` if a ``pybuild serve`` client imported one of them and this
    store never made it: a signature vouches that its store built the path or trusted where
    it came from, and a client may import anything under any name. A build here of the
    path's derivation checks it (:mod:`pybuild.realiser`) and makes it this store's own."""
    imported = store.client_imported(paths)
    if imported:
        shown = ", ".join(str(store.path(name)) for name in imported[:5])
        more = f" (and {len(imported) - 5} more)" if len(imported) > 5 else ""
        error = CacheError(
            f"{shown}{more} {'was' if len(imported) == 1 else 'were'} imported by a client of"
            " pybuild serve, not built here: a signature would vouch for what that client sent"
        )
        error.hint = _imported_hint(store, imported)
        raise error


def _imported_hint(store: Any, imported: Sequence[str]) -> str:
    """What makes `imported` signable: building a path's derivation here checks it; a path
    no derivation made (a source sent under a file's name) cannot be built, but adding that
    file here compares it (:meth:`~pybuild.store.Store.add_path`), or it can be removed."""
    loose = [name for name in imported if store.info(name).deriver is None]
    hints = []
    if len(loose) < len(imported):
        hints.append(
            "build its derivation here (pybuild build builds it again and compares, and keeps"
            " it as this store's own if it is the same), or sign it where it was built"
        )
    for name in loose[:5]:
        path = store.path(name)
        hints.append(
            f"{path}: no derivation made it; if it is a file or text added here (a source),"
            " add it again here (pybuild add FILE keeps it as this store's own if it is the"
            f" same), or remove it (pybuild delete {path}, once nothing refers to it)"
        )
    return "; ".join(hints)


def copy_from(
    substituters: Substituters, store: Any, paths: Sequence[str], label: str = ""
) -> None:
    """Fetch `paths` and their closures from `substituters` into `store`, or raise why not.

    The substitution before a build says it builds a path the caches cannot supply; a copy
    builds nothing, so it fails with the reason alone.
    """
    start = time.monotonic()
    try:
        fetched = substituters.substitute(paths, store)
    except NotSubstituted as exc:
        raise _not_copied(substituters, store, paths, str(exc) if exc.reason else "") from None
    if fetched:  # the line a build's substitution ends with, from the same words
        name = f"{label or ', '.join(paths)} ({substituters.describe(fetched)})"
        substituters.say(done_line(name, Status.SUBSTITUTED, time.monotonic() - start))


def _not_copied(
    substituters: Substituters, store: Any, paths: Sequence[str], reason: str
) -> CacheError:
    """Why a copy from the caches failed: the refusal, the caches that could not be read
    (not a cache, down, its host unknown) when none could, or the paths no cache has (a path
    named, or a reference of one, named with the path that refers to it) and the caches not
    read."""
    if reason:
        return CacheError(f"cannot copy from the cache: {reason}")
    down = "; ".join(str(c.unavailable) for c in substituters.caches if c.unavailable)
    if down and all(c.unavailable for c in substituters.caches):
        return CacheError(f"cannot copy from the cache: {down}")
    lacks = [
        f"{store.path(path)}, which {store.path(referrer)} refers to"
        if referrer
        else str(store.path(path))
        for path, referrer in substituters.missing(paths, store)
    ]
    unread = f" (not read: {down})" if down else ""
    return CacheError(
        f"cannot copy from the cache: it has no (usable) entry for {'; '.join(lacks)}{unread}"
    )
