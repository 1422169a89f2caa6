"""Substitution: make store paths valid by downloading them instead of building them.

The ``substituters`` setting lists binary caches; before building a derivation, the realiser
asks them for its outputs. A path is taken from a cache only if its whole closure can be, and
only if each entry is signed by one of the ``trusted_public_keys`` (unless ``require_sigs`` is
off). Then every archive is downloaded and restored into ``var/tmp``, its file hash and NAR hash
checked against the signed metadata, and the closure is moved into the store and registered in
one transaction, with the references the metadata gives. If anything is wrong (an unsigned or
tampered entry, a truncated archive, a cache that is down, stalls or drips) nothing is
registered, the reason is said in one line, and the caller builds the path itself.

A cache that fails to answer is not asked again in the same run; an entry that was refused is
not offered again, and the next cache that has the path is tried.

Example::

    >>> from pybuild import Store, realise
    >>> from pybuild.cache import copy_to, open_cache
    >>> _ = realise([hello], store)
    >>> report = copy_to(open_cache("cache"), store, [hello.output_paths["out"]], keys=[key])
    >>> elsewhere = Store(tmp / "elsewhere")         # a CI runner's empty store
    >>> subs = Substituters(["cache"], [str(key.public_key())], say=print)
    >>> fetched = subs.fetch("hello", [hello.output_paths["out"]], elsewhere)
    >>> subs.describe(fetched)
    '1 path(s), ... B from cache'
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from ..display import human_size
from ..errors import PathNotValid
from ..store import PathInfo, remove_tree
from .binary_cache import BinaryCache, open_cache
from .errors import CacheError, CacheUnavailable, EntryRefused, NotSubstituted
from .info import NarInfo
from .links import AUTO, LinkCache
from .signing import PublicKey

__all__ = ["Offer", "Substituters"]

_PARALLEL_DOWNLOADS = 4
T = TypeVar("T")


@dataclass(frozen=True)
class Offer:
    """A trusted entry for one store path, and the cache that has it."""

    cache: BinaryCache
    info: NarInfo


class Substituters:
    """The configured binary caches, asked in priority order, and what they offered this run.

    `link_cache` is the setting's: ``"auto"`` (the default, as for the command line and
    ``BuildOptions``) links from the user's link cache where it can, a folder names another,
    and ``""`` turns it off.
    """

    def __init__(
        self,
        urls: Sequence[str],
        trusted_public_keys: Sequence[str] = (),
        *,
        require_sigs: bool = True,
        connect_timeout: float = 5,
        stalled_timeout: float = 60,
        min_speed: int = 1024,
        deadline: float = 3600,
        link_cache: str = AUTO,
        say: Callable[[str], None] | None = None,
    ) -> None:
        self.caches = [
            open_cache(u, connect_timeout, stalled_timeout, min_speed=min_speed, deadline=deadline)
            for u in urls
        ]
        self.keys = [PublicKey.parse(k) for k in trusted_public_keys]
        self.require_sigs = require_sigs
        self.say = say or (lambda text: print(text, file=sys.stderr, flush=True))
        self.links = LinkCache(link_cache, self.say) if link_cache else None
        self._offers: dict[str, Offer | None] = {}
        self._refusals: dict[str, list[tuple[str, str]]] = {}  # path: (cache url, reason)
        self._refused: set[tuple[str, str]] = set()  # (cache url, path) never offered again
        self._told: set[tuple[str, str]] = set()  # (cache url, reason) said already
        self._down: set[str] = set()
        self._lock = threading.RLock()

    @classmethod
    def from_options(cls, options: Any, say: Callable[[str], None]) -> Substituters:
        """From the realiser's BuildOptions (the settings of the same names)."""
        return cls(
            options.substituters,
            options.trusted_public_keys,
            require_sigs=options.require_sigs,
            connect_timeout=options.connect_timeout,
            stalled_timeout=options.stalled_download_timeout,
            min_speed=options.download_min_speed,
            deadline=options.download_deadline,
            link_cache=options.link_cache,
            say=say,
        )

    # -- asking -----------------------------------------------------------------------------

    def _usable(self) -> list[BinaryCache]:
        """The caches that answer, lowest priority number first (then in the given order)."""
        usable = []
        for cache in self.caches:
            if cache.url in self._down:
                continue
            try:
                cache.cache_info()
            except CacheUnavailable as exc:
                self._give_up(cache, exc)
                continue
            usable.append(cache)
        return sorted(usable, key=lambda c: c.cache_info().priority)

    def _give_up(self, cache: BinaryCache, exc: CacheUnavailable) -> None:
        with self._lock:
            if cache.url not in self._down:
                self._down.add(cache.url)
                self.say(f"warning: {exc.reason}: not using binary cache {cache.url} in this run")

    def query(self, path: str) -> Offer | None:
        """The first trusted entry for store basename `path`, or None (reasons are kept)."""
        with self._lock:
            if path in self._offers:
                return self._offers[path]
        offer = None
        skip = [u for u, p in self._refused if p == path]

        def refuse(cache: BinaryCache, reason: str) -> None:
            self._refuse(cache, path, reason)

        for cache, info in self._answers(lambda cache: cache.narinfo(path), refuse, skip):
            distrust = self._distrust(info)
            if distrust:
                refuse(cache, distrust)
                continue
            offer = Offer(cache, info)
            break
        with self._lock:
            self._offers[path] = offer
        return offer

    def log(self, drv_name: str) -> bytes | None:
        """The build log of derivation `drv_name` from the first cache that has it, or None."""

        def warn(cache: BinaryCache, reason: str) -> None:
            self.say(f"warning: {reason}: not read from {cache.url}")

        return next((log for _, log in self._answers(lambda c: c.log(drv_name), warn)), None)

    def _answers(
        self,
        ask: Callable[[BinaryCache], T | None],
        refused: Callable[[BinaryCache, str], None],
        skip: Collection[str] = (),
    ) -> Iterator[tuple[BinaryCache, T]]:
        """What each usable cache (but those in `skip`) answers `ask`, in priority order, as
        it is asked: a cache that fails is given up for the run, a refused entry is told to
        `refused` with its reason, and a cache without one is passed."""
        for cache in self._usable():
            if cache.url in skip:
                continue
            try:
                answer = ask(cache)
            except CacheUnavailable as exc:
                self._give_up(cache, exc)
                continue
            except EntryRefused as exc:
                refused(cache, exc.reason)
                continue
            if answer is not None:
                yield cache, answer

    def _distrust(self, info: NarInfo) -> str:
        """Why a signed-metadata check fails ('' if the entry may be used)."""
        if not self.require_sigs:
            return ""
        if not info.sigs and not info.unreadable:
            return "the entry is unsigned (require_sigs is on)"
        if not self.keys:
            return "no trusted_public_keys are set, so no signature can be trusted"
        if info.trusted_by(self.keys) is not None:
            return ""
        readable = [s.partition(":")[0] for s in info.sigs]
        signers = list(dict.fromkeys([*readable, *info.unreadable]))
        trusted = list(dict.fromkeys(k.name for k in self.keys))
        broken = [name for name in signers if name in trusted]
        if broken:
            # A trusted key's name is on it, yet its signature fails: naming the key as both
            # signer and trusted would read as a contradiction, so say what fails instead.
            which = (
                f"the signature by {broken[0]} does not verify with the trusted key {broken[0]}"
                if len(broken) == 1
                else f"the signatures by {', '.join(broken)} do not verify with the trusted keys"
            )
            if not any(name in readable for name in broken):
                return (
                    f"{which}: its Sig line is damaged (not NAME: and the base64 of a 64-byte"
                    " signature); sign the entry again with `pybuild copy --to CACHE --key FILE`"
                )
            return (
                f"{which}: the entry was changed after it was signed (its NarHash, NarSize"
                " or References), the signature is damaged, or another key of the same"
                " name made it"
            )
        return (
            f"not signed by a trusted key (signed by {', '.join(signers)};"
            f" trusted: {', '.join(trusted)})"
        )

    def _refuse(self, cache: BinaryCache, path: str, reason: str) -> None:
        with self._lock:
            self._refused.add((cache.url, path))
            self._offers.pop(path, None)
            self._refusals.setdefault(path, []).append((cache.url, reason))

    def tell_refusals(self) -> None:
        """Say why caches' entries were passed over, once a run for each cache and reason: a
        plan that builds, without a word, what a cache holds looks like a cache that does not
        work (unsigned entries, no trusted key). A refusal is said once in all: not here if
        :meth:`fetch` said it already, with what followed, nor there if it was said here."""
        with self._lock:
            paths: dict[tuple[str, str], list[str]] = {}
            for path, refusals in self._refusals.items():
                for refusal in refusals:
                    paths.setdefault(refusal, []).append(path)
            new = [(r, p) for r, p in paths.items() if r not in self._told]
            self._told.update(r for r, _ in new)
        for (url, reason), refused in new:
            which = f"{refused[0]} from" if len(refused) == 1 else f"{len(refused)} paths of"
            self.say(f"warning: not using {which} {url}: {reason}")

    def _tell(self, text: str, url: str, reason: str) -> None:
        """Say `text`, the line of a refusal (of `url`, for `reason`), unless that refusal
        was said already."""
        with self._lock:
            if (url, reason) in self._told:
                return
            self._told.add((url, reason))
        self.say(text)

    def closure(self, paths: Iterable[str], store: Any) -> list[Offer] | None:
        """Offers for every path of the closure of `paths` that `store` lacks; None if any
        path of it is in no usable cache."""
        offers: dict[str, Offer] = {}
        todo = list(paths)
        while todo:
            path = todo.pop()
            if path in offers or store.is_valid(path):
                continue
            offer = self.query(path)
            if offer is None:
                return None
            offers[path] = offer
            todo.extend(offer.info.references)
        return list(offers.values())

    def available(self, paths: Iterable[str], store: Any) -> bool:
        """Whether the caches can supply `paths` with their closures (nothing is downloaded)."""
        return self.closure(paths, store) is not None

    def reasons(self, paths: Iterable[str], store: Any) -> list[tuple[str, str, str]]:
        """Why paths of the closure of `paths` were refused, as (path, cache url, reason)
        (empty: simply not cached)."""
        found: list[tuple[str, str, str]] = []
        seen: set[str] = set()
        todo = list(paths)
        while todo:
            path = todo.pop()
            if path in seen or store.is_valid(path):
                continue
            seen.add(path)
            found += [(path, url, reason) for url, reason in self._refusals.get(path, [])]
            offer = self._offers.get(path)
            if offer is not None:
                todo.extend(offer.info.references)
        return found

    def missing(self, paths: Iterable[str], store: Any) -> list[tuple[str, str]]:
        """The paths of the closure of `paths` that `store` lacks and no usable cache offers,
        each with the path that refers to it (``""`` for one of `paths`): what a copy that
        cannot be made names, as Nix names the path it cannot get."""
        found: list[tuple[str, str]] = []
        seen: set[str] = set()
        todo = [(path, "") for path in paths]
        while todo:
            path, referrer = todo.pop()
            if path in seen or store.is_valid(path):
                continue
            seen.add(path)
            offer = self.query(path)
            if offer is None:
                found.append((path, referrer))
            else:
                todo.extend((ref, path) for ref in offer.info.references if ref != path)
        return found

    # -- fetching ---------------------------------------------------------------------------

    def fetch(
        self,
        label: str,
        paths: Sequence[str],
        store: Any,
        held: Collection[str] = (),
        *,
        deriver: str | None = None,
    ) -> list[Fetched] | None:
        """Make `paths` and their closure valid from the caches before a build: what was
        fetched (:meth:`describe` tells it), for the caller's line of the substitution.

        Returns None (having said why, unless no cache simply has them) when they must be
        built instead; nothing is registered then. `held` are paths whose locks the caller
        holds already (the outputs it is about to build); `deriver` is the derivation (its
        ``.drv`` basename) whose outputs `paths` are, as :meth:`substitute` registers it.
        """
        try:
            return self.substitute(paths, store, held, deriver=deriver)
        except NotSubstituted as exc:
            if not exc.reason:
                return None
            if not exc.path:
                which = f"{label}: {exc.reason}"
            elif exc.path in paths:
                which = f"{label} from {exc.url}: {exc.reason}"
            else:  # a path of its closure, which the outputs cannot be fetched without
                which = f"{label}: {exc.path}, which it needs, from {exc.url}: {exc.reason}"
            self._tell(f"not substituting {which}; building it locally", exc.url, exc.reason)
            return None

    def substitute(
        self,
        paths: Sequence[str],
        store: Any,
        held: Collection[str] = (),
        *,
        deriver: str | None = None,
    ) -> list[Fetched]:
        """Make `paths` and their closure valid from the caches; what was fetched (nothing
        when they were valid already).

        `paths` are registered as made by `deriver` when it is given (the derivation whose
        outputs they are), never by the ``Deriver`` their entries give: no signature covers
        that line, and ``pybuild log`` reads the log of the deriver registered. Without one
        (a copy from a cache), and for the rest of the closure, the entry's is kept.

        Raises :class:`NotSubstituted` when the caches cannot supply them, and registers
        nothing then: what to do instead (build, or fail) is the caller's to say, with the
        refusal. An entry refused on the way, whose path another cache then gave, is said
        here.
        """
        if all(store.is_valid(p) for p in paths):
            return []
        dropped: list[EntryRefused] = []
        while True:
            offers = self.closure(paths, store)
            if offers is None:
                reasons = self.reasons(paths, store)
                path, url, reason = reasons[-1] if reasons else ("", "", "")
                raise NotSubstituted(reason, path, url)
            try:
                fetched = self._fetch_all(offers, store, held, dict.fromkeys(paths, deriver))
            except (EntryRefused, CacheUnavailable) as exc:
                self._drop(exc)
                if isinstance(exc, EntryRefused):
                    dropped.append(exc)
                continue  # another cache may have them; else closure() is None above
            except CacheError as exc:
                raise NotSubstituted(str(exc)) from exc
            for refused in dropped:
                said = f"refused {refused}; taken from another cache"
                self._tell(said, refused.url, refused.reason)
            return fetched

    def fresh_copy(self, path: str, target: Any) -> bool:
        """Store basename `path` restored as `target` from the first cache with a trusted
        entry for it, every hash checked as a substitution's; False when none has one.

        For a repair. The link cache is not linked from here: an entry may share the damaged
        files' inodes, and only a caller that has just hashed the entries knows it does not;
        the fresh tree is kept as the entry when there is none.
        """
        while (offer := self.query(path)) is not None:
            try:
                _restore(offer, target, self.links)
            except (EntryRefused, CacheUnavailable) as exc:
                remove_tree(target)
                self._drop(exc)
                if isinstance(exc, EntryRefused):
                    self._tell(f"refused {exc}", exc.url, exc.reason)
                continue
            return True
        return False

    def _drop(self, exc: EntryRefused | CacheUnavailable) -> None:
        """After a restore failed: never offer that entry again (refused), or nothing of that
        cache in this run (unavailable); another cache may have the path."""
        cache = next(c for c in self.caches if c.url == exc.url)
        if isinstance(exc, EntryRefused):
            self._refuse(cache, exc.path, exc.reason)  # said by whoever knows what follows
            return
        self._give_up(cache, exc)
        with self._lock:
            self._offers = {
                p: o for p, o in self._offers.items() if o is None or o.cache is not cache
            }

    def describe(self, fetched: list[Fetched]) -> str:
        """How many paths came, the bytes downloaded and from where, and how many were linked
        from the link cache instead ('' for none: they were valid already)."""
        if not fetched:
            return ""
        linked = [o for o in fetched if o.linked]
        downloaded = [o for o in fetched if not o.linked]
        parts = [f"{len(fetched)} path(s)"]
        if downloaded:
            size = sum(o.info.file_size for o in downloaded)
            urls = ", ".join(dict.fromkeys(o.cache.url for o in downloaded))
            parts.append(f"{human_size(size)} from {urls}")
        if linked and self.links is not None:
            parts.append(f"{len(linked)} hard-linked from {self.links.folder}")
        return ", ".join(parts)

    def _fetch_all(
        self,
        offers: list[Offer],
        store: Any,
        held: Collection[str],
        derivers: dict[str, str | None],
    ) -> list[Fetched]:
        """Download (or link), check and register `offers` as one batch, holding their
        locks; a path of `derivers` with a deriver is registered as made by it."""
        others = [o.info.path for o in offers if o.info.path not in held]
        with _locks(store, others, self.say):
            todo = [o for o in offers if not store.is_valid(o.info.path)]
            if not todo:
                return []
            work = store.new_tmp_dir("substitute")
            try:
                fetched = _restore_all(todo, work, self.links)
                _register(store, todo, work, derivers)
            finally:
                remove_tree(work)
        return fetched


@dataclass(frozen=True)
class Fetched(Offer):
    """An offer taken, restored as ``work/<path>``: whether from the link cache."""

    linked: bool


def _restore_all(todo: list[Offer], work: Any, links: LinkCache | None) -> list[Fetched]:
    """Restore every archive under `work` (or link it from `links`), a few at once; the first
    failure is raised."""
    from concurrent.futures import ThreadPoolExecutor

    def one(offer: Offer) -> Fetched:
        target = work / offer.info.path
        if links is not None and links.link_into(offer.info.nar_hash, target):
            return Fetched(offer.cache, offer.info, linked=True)
        _restore(offer, target, links)
        return Fetched(offer.cache, offer.info, linked=False)

    with ThreadPoolExecutor(max_workers=min(_PARALLEL_DOWNLOADS, len(todo))) as pool:
        futures = [(o, pool.submit(one, o)) for o in todo]
        try:
            return [f.result() for _, f in futures]
        except BaseException:
            for _, future in futures:
                future.cancel()  # the batch fails as a whole: fetch no more of it
            raise


def _restore(offer: Offer, target: Any, links: LinkCache | None) -> None:
    """Download, check and unpack `offer` as `target`; the link cache keeps the tree when it
    has no entry of its NAR hash yet, so the next store links it instead."""
    offer.cache.restore(offer.info, target)
    if links is not None:
        links.keep(offer.info.nar_hash, target)


def _register(store: Any, todo: list[Offer], work: Any, derivers: dict[str, str | None]) -> None:
    """Move the trees restored under `work` into the store and register them in one
    transaction, each with its deriver in `derivers`, else its entry's."""
    infos = [
        PathInfo(
            o.info.path,
            o.info.nar_hash.sri,
            o.info.nar_size,
            o.info.references,
            derivers.get(o.info.path) or o.info.deriver,
            ca=o.info.ca,
        )
        for o in todo
    ]
    batch = {o.info.path for o in todo}
    for info in infos:
        for ref in info.references:
            if ref not in batch and not store.is_valid(ref):
                raise CacheError(f"{info.path} refers to {ref}, which is neither valid nor fetched")
    store.dir.mkdir(parents=True, exist_ok=True)
    moved = []
    try:
        for name, tmp in ((o.info.path, work / o.info.path) for o in todo):
            target = store.path(name)
            if os.path.lexists(target):
                remove_tree(target)  # an unregistered left-over; we hold its lock
            is_dir = os.path.isdir(tmp) and not os.path.islink(tmp)
            if is_dir:
                os.chmod(tmp, 0o755)  # renaming a folder to a new parent rewrites its ".."
            os.rename(tmp, target)
            moved.append(target)
            if is_dir:
                os.chmod(target, 0o555)
        store.registry.register(infos)
    except (OSError, PathNotValid):
        for target in moved:
            remove_tree(target)
        raise
    for o in todo:
        if o.info.sigs:
            store.registry.add_signatures(o.info.path, o.info.sigs)


@contextlib.contextmanager
def _locks(store: Any, names: Iterable[str], say: Callable[[str], None]) -> Iterator[None]:
    """Hold the build locks of `names` without risking a deadlock with a builder.

    The caller may hold other locks already (its outputs), so waiting for all of these at
    once could deadlock; instead, take those that are free, and if one is busy, let all go,
    wait for the busy one alone, and try again. A wait is said, as a build says it: a copy
    waiting silently for another process's build looks like a hang.
    """
    from ..store.locks import try_path_locks

    def waiting(name: str) -> None:
        say(f"waiting for {name}: another process is making {store.path(name)}")

    names = sorted(set(names))
    while True:
        tried = try_path_locks(store.lock_dir, names)
        with tried as taken:
            if taken:
                yield
                return
        with store.lock([str(tried.busy)], on_wait=waiting):  # then try all again
            pass
