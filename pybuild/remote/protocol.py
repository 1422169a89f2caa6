"""The remote-build protocol: size-bounded JSON messages and NAR streams over one pipe pair.

``pybuild serve --stdio`` (:mod:`pybuild.remote.serve`) answers requests on its standard
input and output, as ``nix-store --serve`` does; the client (:mod:`pybuild.remote.client`)
reaches it through ``ssh``. A message is an 8-byte little-endian length, then that many bytes
of a UTF-8 JSON object; a length over :data:`MAX_MESSAGE` is refused before anything is read.
A store path's content travels as its NAR right after the message that announces it, exactly
``nar_size`` bytes, restored by the strict NAR parser of :mod:`pybuild.cache.archive` (which
never writes outside its target) and checked against the announced hash on arrival.

Every field is read through :class:`Message`, which checks its type and bounds: a store name
must be ``<hash>-<name>``, a hash an SRI sha256, a size within :data:`MAX_NAR`. Neither side
trusts the other further than that; the receiving store re-hashes (and the client re-scans
references) before anything is registered.

The first exchange is ``hello`` with :data:`VERSION`: a peer speaking another version is
refused at once, with both versions named. A field a later pybuild adds to a message is
ignored by an earlier one, and read as optional by a later one: the version changes only
when the meaning of what both understand does.

Example::

    >>> import io
    >>> pipe = io.BytesIO()
    >>> send(pipe, {"op": "hello", "version": VERSION})
    >>> _ = pipe.seek(0)
    >>> receive(pipe).integer("version") == VERSION
    True
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any, Protocol

from ..cache.archive import restore_nar
from ..cache.errors import ArchiveError
from ..errors import InvalidName
from ..hashing import Hash, nar_chunks, parse_hash
from ..store.paths import split_name
from .errors import PathRefused, ProtocolError, ProtocolMismatch

__all__ = [
    "LOG_SENT",
    "MAX_MESSAGE",
    "MAX_NAR",
    "VERSION",
    "Message",
    "receive",
    "receive_nar",
    "send",
    "send_nar",
]

VERSION = 1
MAX_MESSAGE = 16 << 20  # the largest: a reply listing which of MAX_LIST paths are valid
MAX_NAR = 64 << 30  # no store path is larger; a bigger announcement is an attack or a bug
MAX_LIST = 100_000  # store paths in one message
LOG_SENT = 2 << 20  # bytes of a build's log its reply carries: JSON-escaped, within MAX_MESSAGE
_HEADER = 8
_QUOTED = 200  # bytes of what came instead of a message quoted in the error
_CHUNK = 1 << 20


class _Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


def send(out: IO[bytes], message: dict[str, Any]) -> None:
    """Write one message (the caller flushes once a request or reply is complete)."""
    data = json.dumps(message, separators=(",", ":")).encode()
    if len(data) > MAX_MESSAGE:
        raise ProtocolError(f"a {message.get('op') or message.get('reply')} message is too large")
    out.write(len(data).to_bytes(_HEADER, "little") + data)


def receive(stream: _Readable) -> Message:
    """Read one message; a stream that ends at a message boundary raises EOFError."""
    header = _exactly(stream, _HEADER, at_boundary=True)
    size = int.from_bytes(header, "little")
    if size > MAX_MESSAGE:
        raise ProtocolMismatch(
            f"protocol mismatch, got {_came(header, stream)!r} where a message's size comes"
            f" (at most {MAX_MESSAGE} bytes)"
        )
    try:
        data = json.loads(_exactly(stream, size, at_boundary=False).decode())
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ProtocolError(f"a message is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ProtocolError("a message is not a JSON object")
    return Message(data)


def send_nar(out: IO[bytes], path: str | os.PathLike[str], nar_size: int, nar_hash: Hash) -> str:
    """Write the NAR of `path`, announced in the message before it as `nar_size` bytes that
    hash to `nar_hash` (what the sender's registry records); "" if it is that, else how it
    differs: the sender's copy was changed or damaged since it was registered.

    Its hash and size are taken as it is written, the path being read once. Exactly
    `nar_size` bytes are written whatever the copy holds (a longer one cut, a shorter one
    padded with zeros): the peer refuses them by their hash, and the stream stays in step.
    """
    digest = hashlib.sha256()
    size = 0
    problem = ""
    chunks = nar_chunks(path)
    while True:
        try:
            chunk = next(chunks, None)
        except OSError as exc:  # a file that went, or cannot be read: its reading, not the pipe
            problem = f"{exc.filename or path} cannot be read: {exc.strerror}"
            break
        if chunk is None:
            break
        digest.update(chunk)
        if size < nar_size:
            out.write(chunk[: nar_size - size])
        size += len(chunk)
    for start in range(min(size, nar_size), nar_size, _CHUNK):
        out.write(bytes(min(_CHUNK, nar_size - start)))
    if problem:
        return problem
    if size != nar_size:
        return f"its NAR is {size:,} bytes, its registry records {nar_size:,}"
    if (actual := Hash(digest.digest())) != nar_hash:
        return f"its NAR hash is {actual.sri}, its registry records {nar_hash.sri}"
    return ""


def receive_nar(stream: _Readable, target: Path, nar_size: int, nar_hash: Hash) -> None:
    """Restore the `nar_size` bytes that follow as `target`; they must hash to `nar_hash`.

    All `nar_size` bytes are consumed even when the NAR is refused, so the stream stays in
    step and the peer's next message can be read (and the refusal sent back).
    """
    bounded = _Bounded(stream, nar_size)
    try:
        actual = restore_nar(bounded, target, nar_size)
    except ArchiveError as exc:
        bounded.drain()
        raise PathRefused(f"{target.name}: {exc}") from None
    if actual.sri != nar_hash.sri:
        raise PathRefused(f"{target.name}: NAR hash {actual.sri}, announced {nar_hash.sri}")


class Message:
    """A received message: its fields, each read with the checks its kind needs."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def _field(self, key: str, kind: type | tuple[type, ...]) -> Any:
        value = self.data.get(key)
        if not isinstance(value, kind) or isinstance(value, bool):
            raise ProtocolError(f"field {key!r} is missing or not a {_kind_name(kind)}")
        return value

    def text(self, key: str, limit: int = 1 << 16) -> str:
        value: str = self._field(key, str)
        if len(value) > limit:
            raise ProtocolError(f"field {key!r} is longer than {limit}")
        return value

    def integer(self, key: str, limit: int = MAX_NAR) -> int:
        value: int = self._field(key, int)
        if not 0 <= value <= limit:
            raise ProtocolError(f"field {key!r} is {value}, outside 0..{limit}")
        return value

    def number(self, key: str) -> float:
        value = float(self._field(key, (int, float)))
        if not 0 <= value < 1e9:
            raise ProtocolError(f"field {key!r} is {value}, out of range")
        return value

    def flag(self, key: str) -> bool:
        value = self.data.get(key)
        if not isinstance(value, bool):
            raise ProtocolError(f"field {key!r} is missing or not a bool")
        return value

    def texts(self, key: str, limit: int = 1 << 12, count: int = 64) -> list[str]:
        """A list of at most `count` strings, each at most `limit` characters."""
        values = self._field(key, list)
        if len(values) > count or not all(isinstance(v, str) and len(v) <= limit for v in values):
            raise ProtocolError(
                f"field {key!r} is not a list of at most {count} strings of at most {limit}"
                " characters"
            )
        return values

    def fields(self, key: str) -> Message:
        """A field that is an object of its own, read as a message is."""
        return Message(self._field(key, dict))

    def name(self, key: str) -> str:
        """A store basename: ``<hash>-<name>``, so never a path that leaves the store."""
        return _store_name(self.text(key, 300), key)

    def names(self, key: str) -> list[str]:
        values = self._field(key, list)
        if len(values) > MAX_LIST:
            raise ProtocolError(f"field {key!r} lists more than {MAX_LIST} paths")
        return [_store_name(v, key) if isinstance(v, str) else _store_name("", key) for v in values]

    def hash(self, key: str) -> Hash:
        try:
            return parse_hash(self.text(key, 200))
        except Exception:
            raise ProtocolError(f"field {key!r} is not a hash") from None

    def optional(self, key: str, read: Callable[[str], Any]) -> Any:
        """`read(key)` if the field is there and not null, else None."""
        return None if self.data.get(key) is None else read(key)

    def expect(self, key: str, *allowed: str) -> str:
        """The field `key` (``op`` or ``reply``), which must be one of `allowed`."""
        value = self.text(key, 64)
        if value not in allowed:
            raise ProtocolError(f"unexpected {key} {value!r} (expected {', '.join(allowed)})")
        return value


def _store_name(value: str, key: str) -> str:
    try:
        split_name(value)
    except InvalidName:
        raise ProtocolError(f"field {key!r} holds {value[:80]!r}, not a store path name") from None
    return value


def _kind_name(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return " or ".join(k.__name__ for k in kinds)


def _came(header: bytes, stream: _Readable) -> str:
    """What came where a message was expected, quoted as Nix's "protocol mismatch" does: the
    text of a login script or of a command that is not pybuild. Past the header, only what
    has already come is added (a buffered stream's ``peek``): the peer may say no more."""
    peek = getattr(stream, "peek", None)
    more = peek(_QUOTED)[: _QUOTED - len(header)] if peek is not None else b""
    return (header + more).decode(errors="replace")


def _exactly(stream: _Readable, size: int, at_boundary: bool) -> bytes:
    parts: list[bytes] = []
    left = size
    while left:
        data = stream.read(min(left, _CHUNK))
        if not data:
            if at_boundary and left == size:
                raise EOFError("the peer closed the connection")
            if at_boundary:  # a few bytes, then the end: no message's header
                got = b"".join(parts).decode(errors="replace")
                raise ProtocolMismatch(f"protocol mismatch, got {got!r}, then the end")
            raise ProtocolError("the stream ends inside a message")
        parts.append(data)
        left -= len(data)
    return b"".join(parts)


class _Bounded:
    """Exactly `limit` bytes of a stream, then an end: the NAR parser never reads beyond."""

    def __init__(self, stream: _Readable, limit: int) -> None:
        self.stream, self.left = stream, limit

    def read(self, size: int = -1) -> bytes:
        if size < 0:
            size = _CHUNK
        data = self.stream.read(min(size, self.left)) if self.left else b""
        self.left -= len(data)
        return data

    def drain(self) -> None:
        while self.read(_CHUNK):
            pass
