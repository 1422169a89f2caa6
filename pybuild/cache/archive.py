"""Archives of store paths: a NAR stream, compressed, and its safe inverse.

An archive is the NAR serialisation of a store path (:func:`pybuild.hashing.nar_chunks`, Nix's
format byte for byte), compressed with zstd (the default: Nix reads it too, and it restores
about ten times as fast as xz, which matters most when filling an empty store), with xz from
the standard library (Nix's default: a little smaller), or not at all. The same path always
gives the same bytes (fixed levels and checks, one thread), so an archive is named by its own
hash and uploading it twice changes nothing.

Restoring reads an archive from a cache that may be hostile, so it trusts nothing: the NAR is
parsed strictly (fixed token order, zero padding, entries in strictly increasing byte order,
so no duplicate), names that are empty, ``.``, ``..`` or hold ``/`` or NUL are refused, every
length is bounded (names, link targets, and the whole stream by the size its metadata
declares), files are created fresh (``O_EXCL | O_NOFOLLOW``) and nothing is ever written
through a symbolic link. What it writes gets the store's canonical modes and times, and the
hash of the bytes it parsed is the NAR hash of the tree it made. Folders may nest as deep as a
store path's may (whatever can be copied to a cache can be copied back): each path in the tree,
named from the folder that holds it (as a store path is named from the store), must fit in
PATH_MAX, which no store path's exceeds, so a deeper tree is refused as a damaged archive.

Example::

    >>> _ = (tmp / "greeting.txt").write_text("hello\\n")
    >>> name = store.add_path(tmp / "greeting.txt")
    >>> with open("x.nar.zst", "wb") as out:
    ...     written = write_archive(store.path(name), out)
    >>> with open("x.nar.zst", "rb") as raw:
    ...     restored = unpack_archive(raw, "zstd", tmp / "x", written.file_size, written.nar_size)
    >>> restored == written, (tmp / "x").read_text()
    (True, 'hello\\n')
"""

from __future__ import annotations

import errno
import hashlib
import lzma
import os
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Protocol

import zstandard

from ..hashing import Hash, nar_chunks
from .errors import ArchiveError, WrongFileSize, WrongNarSize

__all__ = [
    "COMPRESSIONS",
    "DEFAULT_COMPRESSION",
    "Archive",
    "restore_nar",
    "unpack_archive",
    "write_archive",
]

COMPRESSIONS = {"zstd": ".nar.zst", "xz": ".nar.xz", "none": ".nar"}
"""Compression name (as the metadata's ``Compression`` field, Nix's names) -> file suffix."""
DEFAULT_COMPRESSION = "zstd"

XZ_PRESET = 3  # xz -3: about 5 MB/s to compress, 10% larger than -6, as fast to restore
ZSTD_LEVEL = 9  # compresses a wheel's tree about as small as xz -3, restores far faster
_ZSTD_WINDOW = 1 << 27  # the most memory a hostile archive can make the restorer take
_MAX_NAME = 255  # NAME_MAX on Linux
_MAX_TARGET = 4095  # PATH_MAX less the terminating NUL
_MAX_TOKEN = 16
_CHUNK = 1 << 20
_CANONICAL_MTIME = 1  # as the store gives every path it commits
_CANONICAL_TIMES = (_CANONICAL_MTIME, _CANONICAL_MTIME)
_FOLDER = os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC


class _Readable(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


@dataclass(frozen=True)
class Archive:
    """The two hashes and sizes of an archive: of the file, and of the NAR inside it."""

    file_hash: Hash
    file_size: int
    nar_hash: Hash
    nar_size: int


def write_archive(
    path: str | os.PathLike[str], out: IO[bytes], compression: str = DEFAULT_COMPRESSION
) -> Archive:
    """Write the archive of `path` to `out`; return its hashes and sizes.

    The output is deterministic: the same tree gives the same bytes (fixed presets and checks).
    """
    if compression not in COMPRESSIONS:
        raise ArchiveError(f"unknown compression {compression!r}; use one of {list(COMPRESSIONS)}")
    compressor = _compressor(compression)
    nar_digest, file_digest = hashlib.sha256(), hashlib.sha256()
    sizes = [0, 0]  # nar, file

    def emit(data: bytes) -> None:
        if data:
            out.write(data)
            file_digest.update(data)
            sizes[1] += len(data)

    pending: list[bytes] = []
    pending_size = 0
    for chunk in nar_chunks(path):
        nar_digest.update(chunk)
        sizes[0] += len(chunk)
        pending.append(chunk)
        pending_size += len(chunk)
        if pending_size >= _CHUNK:  # compress in large pieces: many tiny calls are slow
            block = b"".join(pending)
            emit(compressor.compress(block) if compressor else block)
            pending, pending_size = [], 0
    block = b"".join(pending)
    emit(compressor.compress(block) if compressor else block)
    if compressor:
        emit(compressor.flush())
    return Archive(Hash(file_digest.digest()), sizes[1], Hash(nar_digest.digest()), sizes[0])


def _compressor(compression: str) -> Any:
    """A compressor object (``compress``, ``flush``) for `compression`, None for none."""
    if compression == "xz":
        return lzma.LZMACompressor(format=lzma.FORMAT_XZ, check=lzma.CHECK_CRC64, preset=XZ_PRESET)
    if compression == "zstd":
        return zstandard.ZstdCompressor(
            level=ZSTD_LEVEL, write_checksum=True, threads=0
        ).compressobj()
    return None


def unpack_archive(
    raw: _Readable, compression: str, target: Path, file_size: int, nar_size: int
) -> Archive:
    """Restore the archive read from `raw` as `target` (which must not exist yet).

    `file_size` and `nar_size` are what the metadata declares; more bytes than that are refused
    at once, fewer when the stream ends. Returns the hashes of what was read: the caller
    compares them with the metadata before trusting the tree.
    """
    if compression not in COMPRESSIONS:
        raise ArchiveError(f"unknown compression {compression!r}")
    counted = _Counting(raw, file_size, "archive file")
    try:
        if compression == "xz":
            with lzma.LZMAFile(counted) as decompressed:  # type: ignore[arg-type]
                nar_hash = restore_nar(decompressed, target, nar_size)
        elif compression == "zstd":
            zstd = zstandard.ZstdDecompressor(max_window_size=_ZSTD_WINDOW)
            reader = zstd.stream_reader(counted, read_size=_CHUNK, closefd=False)  # type: ignore[arg-type]
            with reader as decompressed:
                nar_hash = restore_nar(decompressed, target, nar_size)
        else:
            nar_hash = restore_nar(counted, target, nar_size)
    except (lzma.LZMAError, zstandard.ZstdError, EOFError) as exc:
        _refuse_if_short(counted, file_size)
        raise ArchiveError(f"broken {compression} compression: {exc}") from None
    except (WrongNarSize, WrongFileSize):
        raise
    except ArchiveError:
        _refuse_if_short(counted, file_size)  # a NAR that "ends early" is a file that does
        raise
    _refuse_if_short(counted, file_size)  # the rest of the file counts for its hash and size
    return Archive(Hash(counted.digest.digest()), counted.count, nar_hash, nar_size)


def _drain(counted: _Counting) -> None:
    while counted.read(_CHUNK):
        pass


def _refuse_if_short(counted: _Counting, file_size: int) -> None:
    """:class:`WrongFileSize` if the archive file, read to its end, is shorter than declared.

    Checked first when the NAR or its compression broke off: an upload or a copy cut short
    shows as a stream that ends early, and the file's size is the cause to name."""
    _drain(counted)
    if counted.count < file_size:
        raise WrongFileSize(
            f"the archive file is {counted.count:,} bytes, not the {file_size:,} declared",
            short=True,
        )


def restore_nar(stream: _Readable, target: Path, nar_size: int) -> Hash:
    """Parse exactly `nar_size` bytes of NAR from `stream` into `target`; return their hash.

    On an error, `target` may hold a partial tree, which the caller removes."""
    reader = _NarReader(stream, nar_size)
    reader.expect(b"nix-archive-1")
    at = os.open(target.parent, _FOLDER)
    try:
        _restore_tree(reader, at, target.name)
    except OSError as exc:
        if exc.errno != errno.ENAMETOOLONG:
            raise
        raise ArchiveError(_too_deep(target.name)) from None
    finally:
        os.close(at)
    if reader.count != nar_size:
        raise WrongNarSize(f"the NAR is {reader.count:,} bytes, not the {nar_size:,} declared")
    if not reader.at_end():
        raise WrongNarSize(f"the NAR is longer than the {nar_size:,} bytes declared")
    return Hash(reader.digest.digest())


def _too_deep(name: str) -> str:
    """Why a NAR is refused whose paths, named from the folder `name` is in, are longer than
    PATH_MAX: a store path's are shorter (as the store refuses a build's output,
    :func:`~pybuild.store.walk.names_too_long`), so no store made it and it is not the
    path's archive."""
    limit = os.pathconf("/", "PC_PATH_MAX")
    return (
        f"{name} holds folders nested so deep that a path in it is longer than the {limit}"
        " bytes the system lets a path name: no store can hold it"
    )


class _Counting:
    """A reader that hashes what passes and refuses to go past `limit` bytes."""

    def __init__(self, stream: _Readable, limit: int, what: str) -> None:
        self.stream, self.limit, self.what = stream, limit, what
        self.count = 0
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        """Up to `size` bytes (as a file's read); a byte beyond the limit is an error."""
        if size < 0:
            size = _CHUNK
        data = self.stream.read(min(size, self.limit - self.count + 1))
        self.count += len(data)
        if self.count > self.limit:
            raise WrongFileSize(
                f"the {self.what} is longer than its metadata's {self.limit:,} bytes", short=False
            )
        self.digest.update(data)
        return data

    def readable(self) -> bool:
        return True


class _NarReader:
    """The NAR's tokens, read from a buffer filled in large pieces (a NAR has many small ones).

    `count` and :attr:`digest` cover what the parser consumed; never more than `limit` bytes.
    """

    def __init__(self, stream: _Readable, limit: int) -> None:
        self.stream, self.limit = stream, limit
        self.count = 0
        self._digest = hashlib.sha256()  # of the buffers consumed whole
        self._buffer = b""
        self._pos = 0
        self._pulled = 0

    @property
    def digest(self) -> Any:
        """The sha256 of every byte consumed so far."""
        digest = self._digest.copy()
        digest.update(self._buffer[: self._pos])
        return digest

    def _take(self, size: int) -> bytes:
        """Up to `size` bytes (at least one unless the stream ended)."""
        if self.count + size > self.limit:
            raise WrongNarSize(f"the NAR is longer than the {self.limit:,} bytes declared")
        if self._pos == len(self._buffer):
            self._digest.update(self._buffer)  # hashed in large pieces, not token by token
            # Never ask for more than one byte beyond the limit: enough to tell "too long".
            self._buffer = self.stream.read(min(_CHUNK, self.limit + 1 - self._pulled))
            self._pos = 0
            self._pulled += len(self._buffer)
        data = self._buffer[self._pos : self._pos + size]
        self._pos += len(data)
        self.count += len(data)
        return data

    def at_end(self) -> bool:
        return self._pos == len(self._buffer) and not self.stream.read(1)

    def exactly(self, size: int) -> bytes:
        data = self._take(size)
        if len(data) == size:
            return data
        parts = [data]
        left = size - len(data)
        while left:
            data = self._take(left)
            if not data:
                raise ArchiveError("the NAR ends early: truncated")
            parts.append(data)
            left -= len(data)
        return b"".join(parts)

    def integer(self) -> int:
        return int.from_bytes(self.exactly(8), "little")

    def padding(self, size: int) -> None:
        if any(self.exactly((8 - size % 8) % 8)):
            raise ArchiveError("non-zero padding in the NAR")

    def string(self, max_len: int, what: str) -> bytes:
        size = self.integer()
        if size > max_len:
            raise ArchiveError(f"{what} of {size} bytes in the NAR (at most {max_len})")
        data = self.exactly(size)
        self.padding(size)
        return data

    def token(self) -> bytes:
        return self.string(_MAX_TOKEN, "token")

    def expect(self, token: bytes) -> None:
        found = self.token()
        if found != token:
            raise ArchiveError(f"malformed NAR: expected {token!r}, found {found!r}")

    def copy_to(self, fd: int, size: int) -> None:
        left = size
        while left:
            data = self._take(min(left, _CHUNK))
            if not data:
                raise ArchiveError("the NAR ends early inside a file: truncated")
            _write_all(fd, data)
            left -= len(data)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _restore_tree(reader: _NarReader, at: int, top: str) -> None:
    """Restore the node that follows as `top`, named from the folder open as `at`.

    With an explicit stack, one folder per level: an output may nest folders as deep as a
    path can name, far deeper than Python's recursion limit. Each entry is named from `at`,
    not from ``/``, so where the tree is restored (a temporary folder with a longer name than
    the store's) does not bound its depth; the kernel's PATH_MAX does, as for a store path."""
    folders: list[list[Any]] = []  # [path, last entry name] of each folder not yet ended
    path: str | None = top
    while path is not None:
        if _restore_node(reader, at, path):
            folders.append([path, b""])
        elif folders:
            reader.expect(b")")  # the end of the entry that held the node
        path = _next_path(reader, at, folders)


def _next_path(reader: _NarReader, at: int, folders: list[list[Any]]) -> str | None:
    """The path of the next entry, the folders that end before it closed; None after the
    last (the top's end)."""
    while folders:
        path = _next_entry(reader, folders[-1])
        if path is not None:
            return path
        done = folders.pop()[0]
        os.chmod(done, 0o555, dir_fd=at)  # its entries made: closed, and then its time set
        os.utime(done, _CANONICAL_TIMES, dir_fd=at, follow_symlinks=False)
        if folders:
            reader.expect(b")")  # the end of the entry that held it
    return None


def _restore_node(reader: _NarReader, at: int, path: str) -> bool:
    """Restore a file or link whole, True for a folder: made, its entries to follow."""
    reader.expect(b"(")
    reader.expect(b"type")
    kind = reader.token()
    if kind == b"directory":
        os.mkdir(path, 0o700, dir_fd=at)
        return True
    if kind == b"regular":
        _restore_file(reader, at, path)
    elif kind == b"symlink":
        _restore_symlink(reader, at, path)
    else:
        raise ArchiveError(f"malformed NAR: unknown node type {kind!r}")
    os.utime(path, _CANONICAL_TIMES, dir_fd=at, follow_symlinks=False)
    return False


def _next_entry(reader: _NarReader, folder: list[Any]) -> str | None:
    """The path of the next entry of `folder` ([path, last entry name]), None at its end."""
    token = reader.token()
    if token == b")":
        return None
    if token != b"entry":
        raise ArchiveError(f"malformed NAR: expected 'entry' or ')', found {token!r}")
    reader.expect(b"(")
    reader.expect(b"name")
    name = reader.string(_MAX_NAME, "entry name")
    _check_entry_name(name, folder[1])
    folder[1] = name
    reader.expect(b"node")
    path: str = folder[0]
    return f"{path}/{os.fsdecode(name)}"


def _restore_file(reader: _NarReader, at: int, path: str) -> None:
    token = reader.token()
    executable = token == b"executable"
    if executable:
        reader.string(0, "executable marker")
        token = reader.token()
    if token != b"contents":
        raise ArchiveError(f"malformed NAR: expected 'contents', found {token!r}")
    size = reader.integer()
    if size > reader.limit - reader.count:
        raise WrongNarSize(
            f"a file of {size:,} bytes in a NAR declared {reader.limit:,} bytes long"
        )
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
    fd = os.open(path, flags, 0o600, dir_fd=at)
    try:
        reader.copy_to(fd, size)
        os.fchmod(fd, 0o555 if executable else 0o444)
    finally:
        os.close(fd)
    reader.padding(size)
    reader.expect(b")")


def _restore_symlink(reader: _NarReader, at: int, path: str) -> None:
    reader.expect(b"target")
    target = reader.string(_MAX_TARGET, "symbolic link target")
    if not target or b"\0" in target:
        raise ArchiveError("a symbolic link with an empty target or a NUL byte")
    os.symlink(os.fsdecode(target), path, dir_fd=at)
    reader.expect(b")")


def _check_entry_name(name: bytes, previous: bytes) -> None:
    """Refuse names that could escape the folder, and entries out of order or repeated."""
    if name in (b"", b".", b"..") or b"/" in name or b"\0" in name:
        raise ArchiveError(f"unsafe entry name {name!r} in the NAR (a path escape)")
    if previous and name <= previous:
        what = "a duplicate entry" if name == previous else "entries out of order"
        raise ArchiveError(f"{what} in the NAR: {name!r} after {previous!r}")
