"""Finding the runtime references of a build output, as Nix does: by scanning its bytes.

A build's references are the inputs whose hash part appears anywhere in its serialisation
(file contents, symlink targets, file names). Scanning the NAR stream covers all three in one
pass, and the same pass yields the content hash.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable

from ..hashing import Hash, nar_chunks
from .paths import HASH_LEN

__all__ = ["hash_and_scan"]

_RUN_RE = re.compile(rb"[0-9abcdfghijklmnpqrsvwxyz]{32,}")
_WINDOW = 1 << 20


def hash_and_scan(
    path: str | os.PathLike[str], candidates: Iterable[str]
) -> tuple[Hash, int, set[str]]:
    """NAR hash, NAR size, and which of the `candidates` hash parts occur in `path`."""
    wanted = {c.encode() for c in candidates}
    found: set[bytes] = set()
    digest = hashlib.sha256()
    size = 0
    pending: list[bytes] = []
    pending_size = 0
    for chunk in nar_chunks(path):
        digest.update(chunk)
        size += len(chunk)
        if not wanted:
            continue
        pending.append(chunk)
        pending_size += len(chunk)
        if pending_size >= _WINDOW:
            buffer = b"".join(pending)
            found |= _scan(buffer, wanted)
            pending, pending_size = [buffer[-(HASH_LEN - 1) :]], HASH_LEN - 1
    if wanted:
        found |= _scan(b"".join(pending), wanted)
    return Hash(digest.digest()), size, {f.decode() for f in found}


def _scan(buffer: bytes, wanted: set[bytes]) -> set[bytes]:
    """Every 32-character window of every run of base-32 characters, checked against `wanted`."""
    hits: set[bytes] = set()
    for match in _RUN_RE.finditer(buffer):
        run = match.group()
        for start in range(len(run) - HASH_LEN + 1):
            window = run[start : start + HASH_LEN]
            if window in wanted:
                hits.add(window)
    return hits
