"""The small text files of a binary cache: one per store path, and one for the cache itself.

A path's metadata (``<hash part>.narinfo``, as Nix's ``.narinfo``) says where its archive is
and what it must contain::

    StorePath: 0a1b…-requests-2.34.2
    URL: nar/1x2y….nar.xz
    Compression: xz
    FileHash: sha256:1x2y…
    FileSize: 61234
    NarHash: sha256:0c9d…
    NarSize: 312456
    References: 0a1b…-requests-2.34.2 9f8e…-urllib3-2.5.0
    Deriver: 7d6c…-requests-2.34.2.drv
    Sig: ci-1:base64…

Paths are basenames: a pybuild store path does not depend on the store's directory, so one
cache serves stores anywhere. The signature covers :meth:`NarInfo.fingerprint` (the path,
NAR hash, NAR size and references); the archive's own hash only locates a download, and a
tampered archive shows as a NAR hash that does not match.

Parsing is strict, because the file comes from a machine we may not trust: every key known and
given once, paths that are plain store basenames, an archive URL inside the cache's ``nar/``
folder, sizes that are plain numbers. Only a ``Sig`` line that is no signature is passed
over (as Nix does), not refused: the entry is used if another, trusted, signature verifies.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from ..errors import PybuildError
from ..hashing import NIX32_ALPHABET, Hash, parse_hash
from ..store.paths import split_name
from .archive import COMPRESSIONS
from .errors import CacheError
from .signing import PublicKey, SecretKey, parse_signature

__all__ = [
    "CACHE_INFO_FILE",
    "FORMAT",
    "CacheInfo",
    "InvalidInfo",
    "NarInfo",
    "fingerprint",
    "narinfo_name",
]

CACHE_INFO_FILE = "pybuild-cache-info"
FORMAT = "pybuild-1"
MAX_INFO_SIZE = 1 << 20
_MAX_NUMBER = 1 << 62
_SUFFIXES = "|".join(map(re.escape, COMPRESSIONS.values()))
_URL_RE = re.compile(rf"nar/[{NIX32_ALPHABET}]{{52}}(?:{_SUFFIXES})")
_KEYS = ("StorePath", "URL", "Compression", "FileHash", "FileSize", "NarHash", "NarSize")
_OPTIONAL = ("References", "Deriver", "CA")


class InvalidInfo(CacheError):
    """A metadata file is malformed or unsafe; the message says which field and why."""


def fingerprint(path: str, nar_hash: Hash, nar_size: int, references: Iterable[str]) -> bytes:
    """What a signature of a store path covers: its basename, NAR hash, size and references.

    The format tag keeps a pybuild signature from meaning anything to another tool.
    """
    refs = ",".join(sorted(set(references)))
    return f"{FORMAT};{path};sha256:{nar_hash.base32};{nar_size};{refs}".encode()


def narinfo_name(path: str) -> str:
    """The metadata file of a store basename: its hash part and ``.narinfo``."""
    return split_name(path)[0] + ".narinfo"


@dataclass(frozen=True)
class NarInfo:
    """The metadata of one store path in a cache."""

    path: str
    url: str
    compression: str
    file_hash: Hash
    file_size: int
    nar_hash: Hash
    nar_size: int
    references: tuple[str, ...] = ()
    deriver: str | None = None
    ca: str | None = None
    sigs: tuple[str, ...] = field(default=())
    # The names on Sig lines that are no signature: passed over, but remembered so that a
    # refusal can say a line by a trusted key's name is there and damaged, not missing.
    unreadable: tuple[str, ...] = field(default=(), compare=False)

    def fingerprint(self) -> bytes:
        """What a signature covers: path, NAR hash, NAR size and references (sorted)."""
        return fingerprint(self.path, self.nar_hash, self.nar_size, self.references)

    def signed(self, key: SecretKey) -> NarInfo:
        """This metadata with `key`'s signature added (replacing an older one by that key)."""
        others = [s for s in self.sigs if s.partition(":")[0] != key.name]
        return replace(self, sigs=(*others, key.sign(self.fingerprint())))

    def trusted_by(self, keys: list[PublicKey]) -> str | None:
        """The name of the first of `keys` that made a valid signature of this path, if any."""
        data = self.fingerprint()
        for sig in self.sigs:
            for key in keys:
                if key.verify(data, sig):
                    return key.name
        return None

    def to_text(self) -> str:
        lines = [
            f"StorePath: {self.path}",
            f"URL: {self.url}",
            f"Compression: {self.compression}",
            f"FileHash: sha256:{self.file_hash.base32}",
            f"FileSize: {self.file_size}",
            f"NarHash: sha256:{self.nar_hash.base32}",
            f"NarSize: {self.nar_size}",
            f"References: {' '.join(sorted(self.references))}",
        ]
        if self.deriver:
            lines.append(f"Deriver: {self.deriver}")
        if self.ca:
            lines.append(f"CA: {self.ca}")
        lines += [f"Sig: {sig}" for sig in self.sigs]
        return "\n".join(lines) + "\n"

    @classmethod
    def parse(cls, text: str, expect_path: str | None = None) -> NarInfo:
        """Read metadata; `expect_path` is the basename it was fetched for (it must match)."""
        fields, sigs = _fields(text)
        missing = [k for k in _KEYS if k not in fields]
        if missing:
            raise InvalidInfo(f"metadata lacks {', '.join(missing)}")
        path = _basename(fields["StorePath"], "StorePath")
        if expect_path is not None and path != expect_path:
            raise InvalidInfo(f"metadata is for {path}, not for {expect_path}")
        compression = fields["Compression"]
        if compression not in COMPRESSIONS:
            raise InvalidInfo(f"unknown Compression {compression!r}")
        url = _archive_url(fields["URL"], compression)
        refs = tuple(_basename(r, "References") for r in fields.get("References", "").split())
        deriver = fields.get("Deriver") or None
        if deriver is not None and not _basename(deriver, "Deriver").endswith(".drv"):
            raise InvalidInfo(f"Deriver {deriver!r} is not a .drv")
        nar_hash = _hash(fields["NarHash"], "NarHash")
        ca = fields.get("CA") or None
        if ca is not None and ca != f"source:{nar_hash.sri}":
            raise InvalidInfo(f"CA {ca!r} does not match the NarHash")
        readable = {s: _readable(s) for s in sigs}  # each parsed once
        return cls(
            path=path,
            url=url,
            compression=compression,
            file_hash=_hash(fields["FileHash"], "FileHash"),
            file_size=_number(fields["FileSize"], "FileSize"),
            nar_hash=nar_hash,
            nar_size=_number(fields["NarSize"], "NarSize"),
            references=tuple(sorted(set(refs))),
            deriver=deriver,
            ca=ca,
            sigs=tuple(s for s in sigs if readable[s]),
            unreadable=tuple(_signer(s) for s in sigs if not readable[s]),
        )


def _readable(sig: str) -> bool:
    """Whether `sig` is a signature at all, ``NAME:`` and the base64 of 64 bytes. One that is
    not is passed over, as Nix does, not the entry refused: any signer may add a Sig line, and
    one signer's damaged line must not make the others' valid signatures useless."""
    try:
        parse_signature(sig)
    except PybuildError:
        return False
    return True


def _signer(sig: str) -> str:
    """The name a Sig line that is no signature gives, shortened, or ``?`` when it has none
    (no ``:``, or an empty name): the line is shown nowhere else."""
    name, sep, _ = sig.partition(":")
    if not sep or not name or not name.isprintable():
        return "?"
    return name if len(name) <= 40 else name[:40] + "…"


def _archive_url(url: str, compression: str) -> str:
    """The URL of an archive: ``nar/<its hash><the suffix of its compression>``, nothing
    else (no other folder, no other host)."""
    suffix = COMPRESSIONS[compression]
    if not _URL_RE.fullmatch(url):
        *others, last = COMPRESSIONS.values()
        names = f"nar/<hash>{', '.join(others)} or {last}"
        raise InvalidInfo(f"URL {url!r} is not an archive of this cache ({names})")
    if not url.endswith(suffix):
        raise InvalidInfo(
            f"URL {url!r} is not an archive of this cache (nar/<hash>{suffix}, for Compression"
            f" {compression})"
        )
    return url


def _fields(text: str) -> tuple[dict[str, str], list[str]]:
    if len(text) > MAX_INFO_SIZE:
        raise InvalidInfo(f"metadata is larger than {MAX_INFO_SIZE} bytes")
    fields: dict[str, str] = {}
    sigs: list[str] = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        key, sep, value = line.partition(": ")
        if not sep:
            key, sep, value = line.partition(":")  # "References:" with nothing after it
            if not sep or value.strip():
                raise InvalidInfo(f"line {number} is not 'Key: value': {line[:60]!r}")
        value = value.strip()
        if key == "Sig":
            sigs.append(value)
        elif key not in _KEYS and key not in _OPTIONAL:
            raise InvalidInfo(f"unknown field {key!r} on line {number}")
        elif key in fields:
            raise InvalidInfo(f"field {key!r} is given twice")
        else:
            fields[key] = value
    return fields, sigs


def _basename(text: str, what: str) -> str:
    """A plain store basename: no folder, no ``..``, nothing outside the store."""
    try:
        split_name(text)
    except PybuildError:
        raise InvalidInfo(f"{what} {text[:80]!r} is not a store path basename") from None
    return text


def _hash(text: str, what: str) -> Hash:
    if not text.startswith("sha256:"):
        raise InvalidInfo(f"{what} {text!r} is not sha256:<base32>")
    try:
        return parse_hash(text)
    except PybuildError as exc:
        raise InvalidInfo(f"{what}: {exc}") from None


def _number(text: str, what: str) -> int:
    if not text.isascii() or not text.isdigit() or int(text) > _MAX_NUMBER:
        raise InvalidInfo(f"{what} {text!r} is not a size in bytes")
    return int(text)


@dataclass(frozen=True)
class CacheInfo:
    """The cache's own description (``pybuild-cache-info``): its format and priority.

    There is no ``StoreDir`` (unlike Nix's ``nix-cache-info``): entries are store basenames,
    valid for a store in any directory. A lower `priority` is asked first, as in Nix; caches
    of equal priority are asked in the order of the ``substituters`` setting.
    """

    format: str = FORMAT
    priority: int = 50

    def to_text(self) -> str:
        return f"Format: {self.format}\nStoreDirIndependent: 1\nPriority: {self.priority}\n"

    @classmethod
    def parse(cls, text: str) -> CacheInfo:
        values = {}
        for line in text.splitlines():
            key, sep, value = line.partition(":")
            if sep:
                values[key.strip()] = value.strip()
        if "Format" not in values:
            raise InvalidInfo(
                f"it has no 'Format:' line ({_first_line(text)}); is this a pybuild binary"
                f" cache? If so, the file is damaged: delete it, and `pybuild copy --to` writes"
                " it again"
            )
        if values["Format"] != FORMAT:
            raise InvalidInfo(f"cache format {values['Format']!r} is not {FORMAT!r}")
        return cls(values["Format"], _number(values.get("Priority", "50"), "Priority"))


def _first_line(text: str) -> str:
    """What a description without a Format line holds instead, shortened for a message."""
    line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    if not line:
        return "it is empty"
    return f"it starts {line[:40]!r}{'…' if len(line) > 40 else ''}"
