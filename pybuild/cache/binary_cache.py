"""A binary cache: a folder of archives and metadata, local or behind any static web server.

Layout (the same on disk and over HTTP)::

    pybuild-cache-info            format and priority (see CacheInfo)
    <hash part>.narinfo           metadata of one store path (see NarInfo)
    nar/<file hash>.nar.xz        its archive, named by its own hash
    log/<hash>-<name>.drv         the build log of a derivation whose outputs were uploaded

A cache is opened from a URL: ``file:///srv/cache`` or a plain path is read and written
directly (each file written under a temporary name, then renamed: a reader never sees half a
file); ``http://`` and ``https://`` are read with GET and written with PUT, so nginx with WebDAV
``PUT`` enabled, or an object store, is a cache. Every request has a time-out, and every
download a minimum speed and a deadline (:class:`~pybuild.builders.fetch.Pace`): a cache that
is down, stalls or drips is reported as :class:`CacheUnavailable`, never waited on for ever.

Uploads go archive first, metadata last, and a path's references before the path: an entry
whose metadata can be read has its archive and its references' entries already in place, and
an interrupted upload leaves only files no metadata points to.

Example::

    >>> from pybuild import realise
    >>> _ = realise([hello], store)
    >>> cache = open_cache(f"file://{tmp}/cache")
    >>> cache.initialise().priority
    50
    >>> cache.upload(store, hello.output_paths["out"], keys=[key])
    'uploaded'
    >>> cache.narinfo(hello.output_paths["out"]).references
    ()
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import secrets
import stat
import threading
import urllib.parse
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from ..builders.fetch import Pace, TooSlow
from ..errors import UsageError
from ..hashing import Hash
from ..store import remove_tree
from ..store.paths import check_name
from .archive import COMPRESSIONS, DEFAULT_COMPRESSION, Archive, unpack_archive, write_archive
from .errors import (
    ArchiveError,
    CacheError,
    CacheUnavailable,
    EntryRefused,
    WrongFileSize,
    WrongNarSize,
)
from .info import CACHE_INFO_FILE, MAX_INFO_SIZE, CacheInfo, InvalidInfo, NarInfo, narinfo_name
from .links import unsafe_step
from .signing import SecretKey

if TYPE_CHECKING:
    import http.client  # heavy at start-up: imported where a request failed

MAX_LOG_SIZE = 64 << 20

Uploaded = Literal["uploaded", "signed", "present"]
"""What an upload did: the entry written, its signatures added to, or left as it was."""

__all__ = ["BinaryCache", "FileCache", "HttpCache", "display_url", "open_cache"]

_CHUNK = 1 << 20
_WRITE_TRIES = 3  # writes of an entry whose signatures another writer's write lost
_LOCK_FILE = ".metadata.lock"  # of a folder: held while an entry is read and written again


def open_cache(
    url: str,
    connect_timeout: float = 5,
    stalled_timeout: float = 60,
    *,
    min_speed: int = 1024,
    deadline: float = 3600,
) -> BinaryCache:
    """The cache at `url`: ``file://…``, a local path, or ``http(s)://…``.

    `connect_timeout` bounds connecting and each small request; `stalled_timeout` bounds how
    long an archive download or upload may go without progress (0 for either: no limit).
    A download must also average `min_speed` bytes per second over each `stalled_timeout`
    seconds, and end within `deadline` seconds (the settings ``download_min_speed`` and
    ``download_deadline``).
    """
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme in ("http", "https"):
        if not parsed.netloc:
            raise UsageError(f"binary cache URL {display_url(url)!r} has no host")
        return HttpCache(url, connect_timeout, stalled_timeout, min_speed, deadline)
    if parsed.scheme == "file":
        if parsed.netloc not in ("", "localhost"):
            host, rest = parsed.netloc.rpartition("@")[2], parsed.path  # no login shown
            raise UsageError(
                f"binary cache URL {display_url(url)!r}: a file:// URL names no host"
                f" ({host!r} is read as one); write file:///ABSOLUTE/PATH, or give the"
                f" folder's path alone ({host}{rest})"
            )
        return FileCache(url, Path(urllib.parse.unquote(parsed.path)))
    if parsed.scheme and len(parsed.scheme) > 1:  # "c:" would be a drive, not a scheme
        raise UsageError(
            f"binary cache URL {display_url(url)!r}: unknown scheme {parsed.scheme!r}",
        )
    return FileCache(url, Path(url).absolute())


def display_url(url: str) -> str:
    """`url` as it is shown to the user: with the password of a login in it (which requests
    sends) hidden, ``http://farm:***@host/cache``, since every message names the cache."""
    netloc = urllib.parse.urlsplit(url).netloc
    login, at, host = netloc.rpartition("@")
    user, colon, _ = login.partition(":")
    if not at or not colon:
        return url
    return url.replace(netloc, f"{user}:***@{host}", 1)


class BinaryCache:
    """What every cache does, built on five primitives its subclasses provide.

    `url` names the cache in every message (and to :class:`~.substitute.Substituters`): the
    URL it was opened from, its password hidden (:func:`display_url`); only the requests see
    the password.
    """

    url: str

    def __init__(self, url: str) -> None:
        self.url = display_url(url)
        self._info: CacheInfo | None = None
        self.unavailable: CacheUnavailable | None = None

    # -- primitives -------------------------------------------------------------------------

    def _get(self, rel: str, limit: int) -> bytes | None:
        """The file `rel` (at most `limit` bytes), or None when the cache has no such file."""
        raise NotImplementedError

    def _open(self, rel: str) -> contextlib.AbstractContextManager[Any]:
        """A readable stream of the file `rel` (EntryRefused if it is absent)."""
        raise NotImplementedError

    def _put(self, rel: str, data: bytes | Path) -> None:
        """Write the file `rel` atomically from bytes or from a local file."""
        raise NotImplementedError

    def _size(self, rel: str) -> int | None:
        """The size of the file `rel` (a stat, or a HEAD: nothing is read), None if it is
        absent, or -1 if the server does not say."""
        raise NotImplementedError

    # -- the cache's description ------------------------------------------------------------

    def cache_info(self) -> CacheInfo:
        """The cache's ``pybuild-cache-info``; CacheUnavailable if it is not a pybuild cache
        or cannot be reached, kept as :attr:`unavailable`: a caller that asked the caches
        tells "it could not be read" from "it has no entry"."""
        if self._info is None:
            try:
                self._info = self._read_info()
            except CacheUnavailable as exc:
                self.unavailable = exc
                raise
            self.unavailable = None
        return self._info

    def _read_info(self) -> CacheInfo:
        try:
            text = self._get(CACHE_INFO_FILE, 4096)
        except EntryRefused as exc:
            raise CacheUnavailable(self.url, exc.reason) from None
        if text is None:
            raise CacheUnavailable(
                self.url,
                f"not a pybuild binary cache (it has no {CACHE_INFO_FILE}; "
                "`pybuild copy --to` makes one)",
            )
        try:
            return CacheInfo.parse(text.decode("utf-8", "replace"))
        except InvalidInfo as exc:
            raise CacheUnavailable(self.url, f"{CACHE_INFO_FILE}: {exc}") from None

    def initialise(self, priority: int = 50) -> CacheInfo:
        """Make this a cache (write its cache-info) unless it is one already."""
        self._create()
        if self._get(CACHE_INFO_FILE, 4096) is not None:
            return self.cache_info()  # of another format: that is an error, not replaced
        info = CacheInfo(priority=priority)
        self._put(CACHE_INFO_FILE, info.to_text().encode())
        self._info = info
        return info

    def _create(self) -> None:
        """Make the cache's location where that is needed (a local folder)."""

    # -- reading ----------------------------------------------------------------------------

    def narinfo(self, path: str) -> NarInfo | None:
        """The metadata of store basename `path`, None if the cache lacks it.

        Malformed or unsafe metadata raises EntryRefused (the path is built instead).
        """
        data = self._get(narinfo_name(path), MAX_INFO_SIZE)
        if data is None:
            return None
        try:
            return NarInfo.parse(data.decode("utf-8"), expect_path=path)
        except UnicodeDecodeError:
            raise EntryRefused(self.url, path, "metadata is not UTF-8 text") from None
        except InvalidInfo as exc:
            raise EntryRefused(self.url, path, f"bad metadata: {exc}") from None

    def restore(self, info: NarInfo, target: Path) -> Archive:
        """Download `info`'s archive and restore it as `target`, checking every hash and size.

        EntryRefused if the archive is absent, truncated, tampered with or unsafe; `target`
        may then hold a partial tree, which the caller removes.
        """
        try:
            with self._open(info.url) as raw:
                got = unpack_archive(raw, info.compression, target, info.file_size, info.nar_size)
        except WrongNarSize as exc:
            raise EntryRefused(
                self.url,
                info.path,
                f"archive {info.url} does not match the narinfo's NarSize and NarHash: {exc}"
                " (the narinfo's URL names another path's archive, or the archive was changed)",
            ) from None
        except WrongFileSize as exc:
            causes = (
                "the archive was cut short, as by an interrupted upload or copy, or the"
                " narinfo's FileSize was changed"
                if exc.short
                else "the narinfo's URL names another path's archive, or the archive or its"
                " FileSize was changed"
            )
            raise EntryRefused(
                self.url,
                info.path,
                f"archive {info.url} does not match the narinfo's FileSize: {exc} ({causes})",
            ) from None
        except ArchiveError as exc:
            raise self._damaged(info, f"bad archive {info.url}: {exc}") from None
        if got.file_hash != info.file_hash:
            raise self._damaged(
                info,
                f"archive {info.url} has hash {got.file_hash.sri}, its metadata says "
                f"{info.file_hash.sri}: tampered with or corrupt",
            )
        if got.nar_hash != info.nar_hash:
            raise self._damaged(
                info,
                f"content has NAR hash {got.nar_hash.sri}, its signed metadata says "
                f"{info.nar_hash.sri}: tampered with",
            )
        return got

    def _damaged(self, info: NarInfo, reason: str) -> EntryRefused:
        """The refusal of `info`'s archive, damaged at the size its entry says: a copy to the
        cache sees only that size (:meth:`_archive_fault`) and would leave the entry as it
        is, so the refusal says how to mend the cache."""
        return EntryRefused(
            self.url,
            info.path,
            f"{reason}; to mend the cache, delete its {narinfo_name(info.path)} and copy the"
            " path to it again",
        )

    def log(self, drv_name: str) -> bytes | None:
        """The build log of derivation `drv_name` (a ``.drv`` basename), None if the cache lacks
        it. Logs are not signed (nor are Nix's): they are read, never used to build."""
        check_name(drv_name)  # a basename: the file asked for is in log/, nowhere else
        return self._get(f"log/{drv_name}", MAX_LOG_SIZE)

    # -- writing ----------------------------------------------------------------------------

    def upload(
        self,
        store: Any,
        path: str,
        keys: Sequence[SecretKey] = (),
        compression: str = DEFAULT_COMPRESSION,
        say: Callable[[str], None] = lambda _: None,
    ) -> Uploaded:
        """Put store path `path` in the cache, signed by the store's signatures and `keys`.

        What is written and signed is always the local store's record of the path (NAR hash
        and size, references, deriver), never what the cache holds: a cache folder may be
        shared with runs that are not trusted (a pull request's CI job may write it first), and
        a signature over their metadata would make every consumer register what they chose.
        So an entry the cache has already is kept only when it says what the store says and its
        archive file is there, of the size it says; it then gains the signatures it lacks
        (``"signed"``, with `say` telling of a signature by a key of `keys` that it replaces,
        which does not verify with that key), or is left as it was (``"present"``). One whose
        archive is missing or of another size (deleted, cut
        short) gets its archive again, with `say` telling so. One that says anything else
        is replaced, with `say` telling which fields differed: its metadata is written again
        from the store, with only the store's signatures and `keys`'s, and its archive is
        uploaded again unless the cache's file is byte for byte the store's archive
        (``"uploaded"``, as for a path the cache lacks).
        The path's references must be uploaded first (:func:`copy_to` does so).
        """
        local = store.info(path)
        sigs = list(store.registry.signatures(path))
        try:
            existing = self.narinfo(path)
        except EntryRefused as exc:
            existing = None  # broken metadata: replace it
            say(
                f"warning: {self.url} had an entry of {path} that cannot be read ({exc.reason});"
                " it is replaced from this store"
            )
        if existing is not None:
            differ = _differences(existing, local)
            fault = "" if differ else self._archive_fault(existing)
            if not differ and not fault:
                info = _with_sigs(existing, sigs, keys)
                if set(info.sigs) == set(existing.sigs):
                    return "present"
                for name in _failing_signatures(existing, info, keys):
                    say(
                        f"warning: {self.url} had an entry of {path} whose signature by {name}"
                        f" does not verify with the key {name} given; it is signed again"
                    )
                added = [s for s in info.sigs if s not in existing.sigs]
                self._put_info(info, added, local, say)
                return "signed"
            if fault:  # the entry is the store's: its signatures stay valid
                sigs = [*existing.sigs, *sigs]
                say(
                    f"warning: {self.url} had an entry of {path} whose archive {existing.url}"
                    f" {fault}; it is uploaded again"
                )
                existing = None  # whatever is left of the file is not read: it is replaced
            else:
                fields = (
                    f"{differ[0]} field differs"
                    if len(differ) == 1
                    else f"{', '.join(differ[:-1])} and {differ[-1]} fields differ"
                )
                say(
                    f"warning: {self.url} had an entry of {path} whose {fields} from this"
                    " store's; it is replaced from this store"
                )
        if compression not in COMPRESSIONS:
            raise UsageError(f"unknown compression {compression!r}; use {list(COMPRESSIONS)}")
        url, archive = self._upload_archive(store, path, local.nar_hash, compression, existing)
        info = NarInfo(
            path=path,
            url=url,
            compression=compression,
            file_hash=archive.file_hash,
            file_size=archive.file_size,
            nar_hash=archive.nar_hash,
            nar_size=archive.nar_size,
            references=tuple(local.references),
            deriver=local.deriver,
            ca=_content_address(local),
        )
        info = _with_sigs(info, sigs, keys)
        self._put_info(info, info.sigs, local, say)
        return "uploaded"

    def _put_info(
        self, info: NarInfo, ours: Sequence[str], local: Any, say: Callable[[str], None]
    ) -> None:
        """Write entry `info`, keeping the signatures of the entry the cache holds by then,
        then read it back to see that it holds the signatures `ours`.

        Another job may write the same entry at the same time (a CI job per key, pushing one
        closure): each reads the entry, adds its signature and writes it back, and the last
        write wins. So the entry is read again just before it is written, and the
        signatures of one that says what the store says are kept beside ours. A folder holds
        a lock over that read and write (:meth:`_metadata_lock`), so no write is lost there;
        no HTTP server serialises them, so an entry read back without one of `ours`, but still
        of the store's metadata (`local`), gets them merged into what it holds and is written
        again, a few times; a signature still lost is warned of, naming the path, as is an
        entry replaced meanwhile with other metadata, which is not signed.
        """
        for _ in range(_WRITE_TRIES):
            with self._metadata_lock():
                info = _merged(info, self._readable(info.path), local)
                self._put(narinfo_name(info.path), info.to_text().encode())
            there = self._readable(info.path)
            lost = [s for s in ours if there is None or s not in there.sigs]
            if not lost:
                return
            if there is not None and _differences(there, local):
                why = "another writer replaced it with other metadata, which is not signed"
                break
        else:
            why = (
                f"it was written {_WRITE_TRIES} times, and each time another writer's copy"
                " without it replaced it; copy again to sign it"
            )
        names = list(dict.fromkeys(s.partition(":")[0] for s in lost))
        which = "signature" if len(names) == 1 else "signatures"
        say(
            f"warning: {self.url}: the entry of {info.path} lacks the {which} by"
            f" {', '.join(names)}: {why}"
        )

    def _readable(self, path: str) -> NarInfo | None:
        """The cache's entry of `path`, None when it has none or one that cannot be read."""
        try:
            return self.narinfo(path)
        except EntryRefused:
            return None

    def _metadata_lock(self) -> contextlib.AbstractContextManager[None]:
        """Held while an entry is read and written again: nothing, unless the cache can lock."""
        return contextlib.nullcontext()

    def _upload_archive(
        self, store: Any, path: str, nar_hash: str, compression: str, existing: NarInfo | None
    ) -> tuple[str, Archive]:
        """Write the archive of `path` and put it in the cache; its URL and hashes.

        An entry being replaced (`existing`) keeps its archive file when that file is the very
        archive written here (archives are deterministic, and named by their hash), checked
        byte for byte: its metadata alone may have been changed.
        """
        # The store's temporary folder names its owner, so a collection removes an upload
        # whose process was killed (SIGKILL) as soon as that process is gone.
        work = store.new_tmp_dir("upload")
        try:
            with open(work / "archive", "wb") as tmp:
                archive = write_archive(store.path(path), tmp, compression)
            if archive.nar_hash.sri != nar_hash:
                raise CacheError(
                    f"{store.path(path)} does not match its registered hash; it was changed "
                    "after it was built (run `pybuild verify --check-contents`)"
                )
            url = f"nar/{archive.file_hash.base32}{COMPRESSIONS[compression]}"
            if existing is None or existing.url != url or not self._holds(url, archive.file_hash):
                self._put(url, work / "archive")
        finally:
            remove_tree(work)
        return url, archive

    def _archive_fault(self, info: NarInfo) -> str:
        """What is wrong with the archive file of entry `info` ('' if nothing shows): its size
        alone is asked, not its hash, since reading every archive on every copy would make a
        copy to a large cache (over HTTP above all) as slow as downloading it whole. A
        deleted or cut-off file shows; one of the same size whose bytes changed is refused by
        whoever downloads it, and built there instead."""
        size = self._size(info.url)
        if size is None:
            return "is missing"
        if size not in (-1, info.file_size):
            return f"has {size:,} bytes where the entry says {info.file_size:,}"
        return ""

    def _holds(self, rel: str, file_hash: Hash) -> bool:
        """Whether the cache's file `rel` exists and has the hash `file_hash` (read whole)."""
        digest = hashlib.sha256()
        try:
            with self._open(rel) as stream:
                while chunk := stream.read(_CHUNK):
                    digest.update(chunk)
        except ArchiveError:
            return False  # absent
        return Hash(digest.digest()) == file_hash

    def upload_log(self, drv_name: str, log: bytes) -> None:
        """Put the build log `log` of derivation `drv_name` in the cache (as bytes, not as a
        file: an empty file would go over HTTP chunked, which not every server takes)."""
        check_name(drv_name)
        self._put(f"log/{drv_name}", log)


def _write_new(folder: int, name: str, data: bytes | Path) -> None:
    """Write `name` in `folder` (a descriptor) under a temporary name, then rename it: a
    reader never sees half a file, and a link in its place is replaced, never followed."""
    tmp = f".{name}.{secrets.token_hex(6)}"
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    fd = os.open(tmp, flags, 0o644, dir_fd=folder)
    try:
        with os.fdopen(fd, "wb") as out:
            if isinstance(data, Path):
                with open(data, "rb") as src:
                    while chunk := src.read(_CHUNK):
                        out.write(chunk)
            else:
                out.write(data)
            os.fchmod(out.fileno(), 0o644)  # whatever the umask
        os.replace(tmp, name, src_dir_fd=folder, dst_dir_fd=folder)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp, dir_fd=folder)
        raise


def _differences(info: NarInfo, local: Any) -> list[str]:
    """The fields of cache metadata `info` that say otherwise than the store's record `local`
    of the path (a :class:`~pybuild.store.registry.PathInfo`)."""
    fields = {
        "NarHash": (info.nar_hash.sri, local.nar_hash),
        "NarSize": (info.nar_size, local.nar_size),
        "References": (set(info.references), set(local.references)),
        "Deriver": (info.deriver, local.deriver),
        "CA": (info.ca, _content_address(local)),
    }
    return [name for name, (theirs, ours) in fields.items() if theirs != ours]


def _content_address(local: Any) -> str | None:
    """The CA line of a path: only a source's, whose address is its NAR hash (a consumer
    checks it against the signed NarHash)."""
    ca: str | None = local.ca
    return ca if ca == f"source:{local.nar_hash}" else None


def _with_sigs(info: NarInfo, sigs: Sequence[str], keys: Sequence[SecretKey]) -> NarInfo:
    """`info` with the signatures `sigs` and those of `keys` that it lacks added at the end,
    in the order it has them: an entry that has them all is unchanged, whichever key signed
    it last (a key's signature of given data is always the same), so a copy with it is
    'already there', never written again. One by a key of `keys` that is not that key's
    signature (it does not verify) is replaced by it."""
    merged = replace(info, sigs=tuple(dict.fromkeys([*info.sigs, *sigs])))
    for key in keys:
        named = [s for s in merged.sigs if s.partition(":")[0] == key.name]
        if named != [key.sign(merged.fingerprint())]:
            merged = merged.signed(key)
    return merged


def _merged(info: NarInfo, there: NarInfo | None, local: Any) -> NarInfo:
    """`info` with the signatures of `there`, the entry the cache holds, when that says what
    the store (`local`) says: another writer's, made over the same fingerprint. Not one
    named as a signature of `info` is (that key signed again, replacing one that fails)."""
    if there is None or _differences(there, local):
        return info
    names = {s.partition(":")[0] for s in info.sigs}
    kept = [s for s in there.sigs if s.partition(":")[0] not in names]
    return replace(info, sigs=(*info.sigs, *kept)) if kept else info


def _failing_signatures(old: NarInfo, new: NarInfo, keys: Sequence[SecretKey]) -> list[str]:
    """The names of `keys` whose signature `old` carries but `new` replaces: one that does
    not verify with that key (an Ed25519 signature is one for given data and key), so made
    of other metadata, damaged, or by another key of the same name."""
    return [
        key.name
        for key in keys
        if any(s.partition(":")[0] == key.name and s not in new.sigs for s in old.sigs)
    ]


class FileCache(BinaryCache):
    """A cache in a local folder (``file://`` or a plain path).

    The folder may be shared, and written by users who are not trusted: nothing is written
    outside it through a link one of them made there. Its lock file is never followed if it is
    a link, and nar/ and log/ are entered through the folder's descriptor, not followed when
    a link another user made. Run as root, pybuild writes only in a cache folder that no other
    user could change (:func:`~pybuild.cache.links.unsafe_step`, asked of the folder, the
    folders it is in and its nar/ and log/): one of another user's could have any of them
    swapped for a link meanwhile.
    """

    def __init__(self, url: str, root: Path) -> None:
        super().__init__(url)
        self.root = root

    def _create(self) -> None:
        existing = next(p for p in (self.root, *self.root.parents) if os.path.lexists(p))
        self._check_root_may_write(existing)  # nothing is made where another user rules
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CacheUnavailable(self.url, f"cannot create {self.root}: {exc.strerror}") from None

    def _check_root_may_write(self, path: Path) -> None:
        """As root, refuse to write in `path` (the cache folder, a folder it is in, or its
        nar/ or log/) when another user could change it."""
        if os.geteuid() != 0:
            return
        try:
            unsafe = unsafe_step(path, self.root if path in self.root.parents else path)
        except OSError as exc:
            raise CacheUnavailable(self.url, f"cannot read {path}: {exc.strerror}") from None
        if unsafe is not None:
            raise CacheUnavailable(
                self.url,
                f"{unsafe.step} {unsafe.why}, so pybuild, run as root, does not write in the cache"
                " (that user could swap its files for links to root's): chown -R root the"
                " cache folder and make it writable by root alone, or run the copy as the"
                " user who owns it",
            )

    def _file(self, rel: str) -> Path:
        return self.root / rel  # rel is a fixed name or a checked "nar/<hash>.nar.xz"

    def _get(self, rel: str, limit: int) -> bytes | None:
        if not self.root.is_dir():
            raise CacheUnavailable(self.url, f"no such folder {self.root}")
        try:
            with open(self._file(rel), "rb") as f:
                data = f.read(limit + 1)
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise CacheUnavailable(self.url, f"cannot read {rel}: {exc.strerror}") from None
        if len(data) > limit:
            raise EntryRefused(self.url, rel, f"{rel} is larger than {limit} bytes")
        return data

    @contextlib.contextmanager
    def _open(self, rel: str) -> Iterator[Any]:
        try:
            f = open(self._file(rel), "rb")  # noqa: SIM115 - closed below
        except FileNotFoundError:
            raise ArchiveError("the archive is missing (a partial upload?)") from None
        with f:
            yield f

    def _put(self, rel: str, data: bytes | Path) -> None:
        sub, _, name = rel.rpartition("/")  # a file of the folder, or of nar/ or log/
        self._check_root_may_write(self.root)
        try:
            folder = os.open(self.root, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
            try:
                if sub:
                    outer, folder = folder, self._enter(folder, sub)
                    os.close(outer)
                _write_new(folder, name, data)
            finally:
                os.close(folder)
        except OSError as exc:
            raise CacheUnavailable(self.url, f"cannot write {rel}: {exc.strerror}") from None

    def _enter(self, folder: int, name: str) -> int:
        """A descriptor of subfolder `name` of `folder` (made if missing), not followed if it
        is a link another user made (the user's own link, to another disk say, is)."""
        with contextlib.suppress(FileExistsError):
            os.mkdir(name, 0o755, dir_fd=folder)
        self._check_root_may_write(self.root / name)
        info = os.stat(name, dir_fd=folder, follow_symlinks=False)
        flags = os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC
        if stat.S_ISLNK(info.st_mode) and info.st_uid not in (0, os.geteuid()):
            raise CacheUnavailable(
                self.url,
                f"{self.root / name} is a link another user made, which pybuild does not"
                " follow: remove it (a link you made is followed)",
            )
        if not stat.S_ISLNK(info.st_mode):
            flags |= os.O_NOFOLLOW  # a folder: not a link put in its place since
        return os.open(name, flags, dir_fd=folder)

    @contextlib.contextmanager
    def _metadata_lock(self) -> Iterator[None]:
        """An exclusive lock on the folder's lock file, so two copies to it, in processes or
        threads, read and write an entry in turn: neither writes over a signature the other
        has just added (flock, held by an open file, so threads exclude each other too).
        A link in its place is not followed: it could point anywhere another user chose."""
        import fcntl

        self._check_root_may_write(self.root)
        lock = self.root / _LOCK_FILE
        flags = os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC
        try:
            fd = os.open(lock, flags, 0o644)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise CacheUnavailable(
                    self.url, f"{lock} is a link, which pybuild does not follow: remove it"
                ) from None
            raise CacheUnavailable(self.url, f"cannot open {_LOCK_FILE}: {exc.strerror}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # releases the lock

    def _size(self, rel: str) -> int | None:
        try:
            return self._file(rel).stat().st_size
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise CacheUnavailable(self.url, f"cannot read {rel}: {exc.strerror}") from None


class HttpCache(BinaryCache):
    """A cache behind a web server: GET to read, PUT to write (nginx WebDAV, object stores)."""

    def __init__(
        self,
        url: str,
        connect_timeout: float,
        stalled_timeout: float,
        min_speed: int = 1024,
        deadline: float = 3600,
    ) -> None:
        super().__init__(url)
        self.base = url if url.endswith("/") else url + "/"
        self.login = _url_login(url)
        self.connect_timeout = connect_timeout or None
        self.stalled_timeout = stalled_timeout or None
        self.min_speed, self.deadline = min_speed, deadline
        self._local = threading.local()  # a requests session per thread

    @property
    def _session(self) -> Any:
        if getattr(self._local, "session", None) is None:
            import requests

            session = requests.Session()
            # requests applies a netrc login over the URL's; the URL's is the one meant
            session.auth = self.login
            self._local.session = session
        return self._local.session

    def _request(self, method: str, rel: str, *, big: bool = False, **kwargs: Any) -> Any:
        import requests

        timeout = (self.connect_timeout, self.stalled_timeout if big else self.connect_timeout)
        try:
            return self._session.request(method, self.base + rel, timeout=timeout, **kwargs)
        except requests.Timeout:
            raise CacheUnavailable(
                self.url, f"no answer to {method} {rel} in time (connect_timeout)"
            ) from None
        except requests.RequestException as exc:
            raise CacheUnavailable(self.url, f"{method} {rel} failed: {_reason(exc)}") from None

    def _get(self, rel: str, limit: int) -> bytes | None:
        with self._request("GET", rel, stream=True) as response:
            if response.status_code in (404, 410):
                return None
            _check_status(self, "GET", rel, response)
            body = _Body(self, rel, response)
            data = bytearray()  # grown in place: a build log may be megabytes
            while chunk := body.read(_CHUNK):
                data += chunk
                if len(data) > limit:
                    raise EntryRefused(self.url, rel, f"{rel} is larger than {limit} bytes")
            return bytes(data)

    @contextlib.contextmanager
    def _open(self, rel: str) -> Iterator[Any]:
        with self._request("GET", rel, stream=True, big=True) as response:
            if response.status_code in (404, 410):
                raise ArchiveError("the archive is missing (a partial upload?)")
            _check_status(self, "GET", rel, response)
            yield _Body(self, rel, response)

    def _put(self, rel: str, data: bytes | Path) -> None:
        if isinstance(data, Path):
            with open(data, "rb") as body:
                response = self._request("PUT", rel, data=body, big=True)
        else:
            response = self._request("PUT", rel, data=data)
        with response:
            _check_status(self, "PUT", rel, response)

    def _size(self, rel: str) -> int | None:
        # identity: a server that compressed the answer would give the compressed length
        with self._request("HEAD", rel, headers={"Accept-Encoding": "identity"}) as response:
            if response.status_code in (404, 410):
                return None
            _check_status(self, "HEAD", rel, response)
            length = response.headers.get("Content-Length", "")
            return int(length) if length.isdigit() else -1


class _Body:
    """A response's body, read as it arrives and within the cache's download limits.

    A socket time-out fires only when nothing comes at all; a server that drips a few bytes
    now and then would hold pybuild for ever without the minimum speed and the deadline.
    Every failure is CacheUnavailable, so the cache is not asked again in this run.
    """

    def __init__(self, cache: HttpCache, rel: str, response: Any) -> None:
        self.cache, self.rel = cache, rel
        response.raw.decode_content = True
        # urllib3 2's read1 returns what has arrived; read (urllib3 1) waits for `size` bytes.
        self._read = getattr(response.raw, "read1", response.raw.read)
        self._pace = Pace(cache.stalled_timeout or 0, cache.min_speed, cache.deadline)

    def read(self, size: int = -1) -> bytes:
        import requests
        import urllib3

        try:
            data: bytes = self._read(size if size > 0 else _CHUNK)
            self._pace.advance(len(data))
        except TooSlow as exc:
            raise CacheUnavailable(self.cache.url, f"GET {self.rel}: {exc}") from None
        except (requests.RequestException, urllib3.exceptions.HTTPError) as exc:
            reason = _reason(exc)
            raise CacheUnavailable(self.cache.url, f"GET {self.rel} failed: {reason}") from None
        return data


def _url_login(url: str) -> tuple[str, str] | None:
    """The login (user, password) that `url` gives, None if it gives none."""
    parsed = urllib.parse.urlsplit(url)
    if parsed.username is None:
        return None
    return urllib.parse.unquote(parsed.username), urllib.parse.unquote(parsed.password or "")


def _check_status(cache: HttpCache, method: str, rel: str, response: Any) -> None:
    status = response.status_code
    if not 200 <= status < 300:
        hint = ""
        if status in (401, 403):
            hint = f" ({_login_hint(method, response, cache.login)})"
        elif method == "PUT" and status in (405, 501):  # the method is not allowed, or unknown
            hint = " (is PUT enabled on the server? nginx: dav_methods PUT)"
        raise CacheUnavailable(cache.url, f"{method} {rel}: HTTP {status} {response.reason}{hint}")


def _login_hint(method: str, response: Any, url_login: tuple[str, str] | None) -> str:
    """What a 401 or 403 asks of the user. The login named is the one the request sent (its
    Authorization header): the cache's URL's (`url_login`) if it has one, else the one that
    the netrc file (``$NETRC``, else ``~/.netrc``) gives for the host the request went to,
    where the guides put it (a password in the URL is sent, but hidden in every message that
    names the cache). So either the login sent was refused, or none was sent, and that file
    has no login for the host."""
    import base64

    host = urllib.parse.urlsplit(response.url).hostname
    netrc = os.environ.get("NETRC") or "~/.netrc"
    header = response.request.headers.get("Authorization", "")
    if not header.startswith("Basic "):
        return (
            f"the server wants a login for {method}: put 'machine {host} login USER"
            f" password PASSWORD' in {netrc}, readable only by you"
        )
    sent = base64.b64decode(header.removeprefix("Basic ")).decode("latin-1")  # as requests
    user = sent.partition(":")[0]
    from_url = url_login is not None and sent == ":".join(url_login)
    source = "the cache's URL gives" if from_url else f"{netrc} gives for {host}"
    if response.status_code == 401:
        return f"the server refused the login {user!r} that {source}"
    return (
        f"the server does not let {user!r}, the login {source}, {method} there: check its"
        " access rules"
    )


def _reason(exc: BaseException) -> str:
    """The innermost cause of a requests/urllib3 error in words: 'connection refused', 'the
    connection broke after 819,200 of 2,184,437 bytes', never the repr of the tuple (a
    message and the cause) that urllib3 raises."""
    import http.client
    import socket

    causes = _causes(exc)
    broken = next((e for e in causes if isinstance(e, http.client.IncompleteRead)), None)
    if broken is not None:
        return _broke_after(broken)
    if any(isinstance(e, socket.gaierror) for e in causes):
        request = getattr(exc, "request", None)  # requests' errors carry what was asked
        host = urllib.parse.urlsplit(request.url).hostname if request is not None else None
        return f"cannot resolve host {host}" if host else "cannot resolve the cache's host"
    said = " ".join(map(str, causes))
    if "Connection refused" in said:
        return "connection refused (is the server running?)"
    if "timed out" in said.lower():
        return "timed out"
    while exc.__context__ is not None and exc.args and not isinstance(exc.args[0], str):
        exc = exc.__context__
    text = exc.args[0] if exc.args and isinstance(exc.args[0], str) else str(exc)
    return text[:200]


def _causes(exc: BaseException) -> list[BaseException]:
    """`exc` and every exception it wraps: requests and urllib3 pass a cause in their
    arguments as well as in ``__cause__``/``__context__``."""
    found: list[BaseException] = []
    todo = [exc]
    while todo:
        cause = todo.pop(0)
        if any(cause is seen for seen in found):
            continue
        found.append(cause)
        todo += [arg for arg in cause.args if isinstance(arg, BaseException)]
        todo += [c for c in (cause.__cause__, cause.__context__) if c is not None]
    return found


def _broke_after(error: http.client.IncompleteRead) -> str:
    """How far a download got before the server closed the connection (killed, restarted):
    its bytes read, out of the whole when the server said how many were to come."""
    got = error.partial if isinstance(error.partial, int) else len(error.partial)
    if error.expected is None or error.expected < 0:
        return f"the connection broke after {got:,} bytes"
    return f"the connection broke after {got:,} of {got + error.expected:,} bytes"
