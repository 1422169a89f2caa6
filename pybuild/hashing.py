"""Hashes in the forms Nix users know, and the canonical serialisation of a file tree.

A hash is kept as its raw sha256 digest (:class:`Hash`) and printed as hex, Nix base-32 or SRI
(``sha256-<base64>``); :func:`parse_hash` reads any of the three, so a user can paste whatever
their tool printed. The tree serialisation is Nix's NAR format, byte for byte, so
``pybuild hash`` agrees with ``nix-hash --type sha256``: names sorted, the executable bit kept,
symbolic links stored as links, nothing else (no owners, no times).

Example::

    >>> str(hash_bytes(b""))
    'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='
"""

from __future__ import annotations

import binascii
import functools
import hashlib
import os
import stat
from collections.abc import Callable, Iterator

from .errors import InvalidHash, InvalidPath
from .frozen import Frozen

__all__ = [
    "Hash",
    "hash_bytes",
    "hash_file",
    "hash_path",
    "hash_text_nar",
    "nar_chunks",
    "nix32_decode",
    "nix32_encode",
    "parse_hash",
]

NIX32_ALPHABET = "0123456789abcdfghijklmnpqrsvwxyz"
_NIX32_INDEX = {c: i for i, c in enumerate(NIX32_ALPHABET)}
# Two digits for every 10-bit number: the high five bits' digit first, as Nix writes them.
_NIX32_PAIRS = [high + low for high in NIX32_ALPHABET for low in NIX32_ALPHABET]
_DIGEST_SIZE = 32
_CHUNK = 1 << 20


def nix32_encode(data: bytes) -> str:
    """Nix's base-32: its own alphabet, and the bytes read from the last 5-bit group down.

    Character k (from the end) is bits 5k to 5k+4 of the bytes read as one little-endian
    integer, which is what Nix's byte-by-byte loop computes. Taken two digits (ten bits) at a
    time from a table: a store name is one call, and evaluating a set makes hundreds.
    """
    count = (len(data) * 8 - 1) // 5 + 1
    number = int.from_bytes(data, "little")
    highest = 10 * (count // 2)  # above the pairs: one more digit if the count is odd
    pairs = "".join([_NIX32_PAIRS[(number >> bit) & 0x3FF] for bit in range(highest - 10, -1, -10)])
    return NIX32_ALPHABET[number >> highest] + pairs if count % 2 else pairs


def nix32_decode(text: str, size: int = _DIGEST_SIZE) -> bytes:
    """Inverse of :func:`nix32_encode` for a digest of `size` bytes."""
    if len(text) != (size * 8 - 1) // 5 + 1:
        raise InvalidHash(text, f"a base-32 sha256 has {(size * 8 - 1) // 5 + 1} characters")
    out = bytearray(size)
    for n, char in enumerate(reversed(text)):
        digit = _NIX32_INDEX.get(char)
        if digit is None:
            raise InvalidHash(text, f"{char!r} is not a Nix base-32 digit")
        bit = n * 5
        i, j = divmod(bit, 8)
        out[i] |= (digit << j) & 0xFF
        if i + 1 < size:
            out[i + 1] |= digit >> (8 - j)
        elif digit >> (8 - j):
            raise InvalidHash(text, "too large for a sha256 digest")
    return bytes(out)


class Hash(Frozen):
    """A sha256 digest, comparable whatever form it was written in; immutable."""

    __slots__ = ("digest",)
    digest: bytes

    def __init__(self, digest: bytes) -> None:
        self._freeze(digest=digest)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Hash) and other.digest == self.digest

    def __hash__(self) -> int:
        return hash(self.digest)

    def __reduce__(self) -> tuple[type[Hash], tuple[bytes]]:
        return Hash, (self.digest,)  # pickle and copy: through __init__ (no attribute can be set)

    def __repr__(self) -> str:
        return f"<Hash {self.sri}>"

    @property
    def hex(self) -> str:
        return self.digest.hex()

    @property
    def base32(self) -> str:
        return nix32_encode(self.digest)

    @property
    def sri(self) -> str:
        return "sha256-" + binascii.b2a_base64(self.digest, newline=False).decode()

    def __str__(self) -> str:
        return self.sri


@functools.lru_cache(maxsize=4096)
def parse_hash(text: str) -> Hash:
    """Read a sha256 written as SRI, ``sha256:<hex|base32>``, bare hex or bare Nix base-32.

    Cached: evaluating a set reads each recipe's hash several times (a Hash is immutable).
    """
    body = text.strip()
    if len(body.split()) > 1:  # stripped: white space left is inside it
        raise InvalidHash(text, "contains white space")
    if body.startswith("sha256-"):
        try:
            digest = binascii.a2b_base64(body[7:], strict_mode=True)
        except ValueError as exc:  # binascii.Error, or a character that is not ASCII
            raise InvalidHash(text, f"bad base64 ({exc})") from None
        if len(digest) != _DIGEST_SIZE:
            raise InvalidHash(text, "an SRI sha256 holds 32 bytes")
        return Hash(digest)
    algo, sep, rest = body.partition(":")
    if sep:
        if algo != "sha256":
            raise InvalidHash(text, f"only sha256 is supported, not {algo}")
        body = rest
    if len(body) == 64:
        try:
            return Hash(bytes.fromhex(body))
        except ValueError:
            raise InvalidHash(text, "not hexadecimal") from None
    if len(body) == 52:
        return Hash(nix32_decode(body))
    if not body:
        raise InvalidHash(text, "empty")
    raise InvalidHash(text, "expected 64 hex digits, 52 base-32 digits or sha256-<base64>")


def hash_bytes(data: bytes) -> Hash:
    return Hash(hashlib.sha256(data).digest())


def hash_file(path: str | os.PathLike[str]) -> Hash:
    """The flat hash of one file's bytes (what an index publishes for a download)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            h.update(chunk)
    return Hash(h.digest())


def hash_path(
    path: str | os.PathLike[str], keep: Callable[[str], bool] | None = None
) -> tuple[Hash, int]:
    """The NAR hash of a file tree and the NAR's size in bytes.

    With `keep`, only the entries it accepts are part of the tree (see :func:`nar_chunks`):
    a source folder is hashed as it will be stored, without the caches and outputs that
    would change its hash whenever a tool runs in it.
    """
    h = hashlib.sha256()
    size = 0
    for chunk in nar_chunks(path, keep):
        h.update(chunk)
        size += len(chunk)
    return Hash(h.digest()), size


def hash_text_nar(data: bytes) -> Hash:
    """The NAR hash of a plain (not executable) file holding `data`, as the store keeps a
    text: what :func:`hash_path` gives of it once written, without writing it."""
    head = _string(b"nix-archive-1") + _strings(b"(", b"type", b"regular", b"contents")
    return hash_bytes(head + _string(data) + _CLOSE)


def _string(data: bytes) -> bytes:
    pad = (8 - len(data) % 8) % 8
    return len(data).to_bytes(8, "little") + data + b"\0" * pad


def _strings(*items: bytes) -> bytes:
    return b"".join(_string(i) for i in items)


def nar_chunks(
    path: str | os.PathLike[str], keep: Callable[[str], bool] | None = None
) -> Iterator[bytes]:
    """Yield the NAR serialisation of `path` in pieces (large files are streamed).

    `keep`, if given, is asked about every entry below `path`, by its path (`path` and the
    names down to it, joined by ``os.path.join``): one it refuses is left out, a folder with
    all it holds, and is never read.
    """
    yield _string(b"nix-archive-1")
    top = os.fspath(path)
    st = os.lstat(top)
    if not stat.S_ISDIR(st.st_mode):
        yield from _nar_leaf(top, st)
        return
    # An explicit stack, not recursion: an output may nest folders far deeper than Python's
    # recursion limit. Each folder: its path and its names not yet serialised.
    yield _DIRECTORY
    stack = [(top, iter(_names(top)))]
    while stack:
        folder, names = stack[-1]
        for name in names:
            entry = os.path.join(folder, name)
            if keep is not None and not keep(entry):
                continue
            yield _strings(b"entry", b"(", b"name", os.fsencode(name), b"node")
            st = os.lstat(entry)
            if stat.S_ISDIR(st.st_mode):
                yield _DIRECTORY
                stack.append((entry, iter(_names(entry))))
                break
            yield from _nar_leaf(entry, st)
            yield _CLOSE
        else:
            stack.pop()
            yield _CLOSE  # the folder's
            if stack:
                yield _CLOSE  # its entry's


def _names(folder: str) -> list[str]:
    """The names in `folder`, in the NAR's order (by their bytes)."""
    return sorted(os.listdir(folder), key=os.fsencode)


def _nar_leaf(path: str, st: os.stat_result) -> Iterator[bytes]:
    """The NAR node of the file or link `path`, whose ``lstat`` is `st`."""
    if stat.S_ISLNK(st.st_mode):
        target = os.fsencode(os.readlink(path))
        yield _strings(b"(", b"type", b"symlink", b"target", target, b")")
    elif stat.S_ISREG(st.st_mode):
        yield _strings(b"(", b"type", b"regular")
        if st.st_mode & stat.S_IXUSR:
            yield _strings(b"executable", b"")
        yield _string(b"contents")
        yield st.st_size.to_bytes(8, "little")
        with open(path, "rb") as f:
            while chunk := f.read(_CHUNK):
                yield chunk
        yield b"\0" * ((8 - st.st_size % 8) % 8)
        yield _CLOSE
    else:
        raise InvalidPath(path, "only regular files, directories and symlinks can be stored")


_DIRECTORY = _strings(b"(", b"type", b"directory")
_CLOSE = _string(b")")
