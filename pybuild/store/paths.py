"""Store path names: ``<hash>-<name>``, where the hash never depends on the store's location.

Nix folds its store directory into every path hash, so a store cannot be moved. We hash only
what identifies the content (a kind, a digest and the name): the same derivation gets the same
hash part in any ``PYBUILD_HOME``, and a moved store stays valid.
"""

from __future__ import annotations

import hashlib
import re

from ..errors import InvalidName
from ..hashing import nix32_encode

__all__ = [
    "HASH_LEN",
    "HASH_PART_RE",
    "MAX_NAME",
    "check_name",
    "is_store_name",
    "make_name",
    "split_name",
    "store_spelling",
]

HASH_LEN = 32
_HASH_BYTES = 20
_NAME_RE = re.compile(r"[A-Za-z0-9+\-._?=]+")
MAX_NAME = 211
HASH_PART_RE = re.compile(r"[0-9abcdfghijklmnpqrsvwxyz]{32}")


def check_name(name: str) -> str:
    """Reject names that would be ambiguous or unsafe as a file name, as Nix does."""
    if not name:
        raise InvalidName(name, "it is empty")
    if name.startswith("."):
        raise InvalidName(name, "it starts with a dot")
    if len(name) > MAX_NAME:
        raise InvalidName(name, f"it is longer than {MAX_NAME} characters")
    if not _NAME_RE.fullmatch(name):
        bad = sorted({c for c in name if not _NAME_RE.fullmatch(c)})
        raise InvalidName(name, f"characters {''.join(bad)!r} are not allowed")
    return name


# A PEP 440 epoch's mark ("1!2.0"), which a store name cannot hold, and its spelling there.
_EPOCH, _EPOCH_IN_NAME = "!", "="


def store_spelling(name: str) -> str:
    """`name` (a release file's, or ``<pname>-<version>``) as a store name spells it: a
    version's epoch mark ``!``, which Nix's names cannot hold, as ``=``; any name without one
    is itself, so no path of a release without an epoch changes.

    nixpkgs (``lib.strings.sanitizeDerivationName``) replaces what a name cannot hold with
    ``-``, and a URL's file name here has ``_`` for it: both are a version's own separators
    (``1-2`` is a spelling of 1.post2, ``1_2`` of 1.2), and ``-`` splits a wheel's file name
    into its fields (``x-1-2.0-py3-none-any.whl`` is x 1 with build tag 2.0). ``=`` is in no
    spelling of a version (PEP 440's, normalised or not) nor in a distribution's name or a
    wheel's tags, so 1!2.0's name (``x-1=2.0``) is never another release's. Where the file's
    own name matters (an installer reads a wheel's version from it), the builder is given it
    (``src_name``: :mod:`pybuild.python.package`)."""
    return name.replace(_EPOCH, _EPOCH_IN_NAME)


def make_name(kind: str, digest_hex: str, name: str, *, checked: bool = False) -> str:
    """The basename of a store path: 160 bits of sha256 over kind, digest and name (`checked`
    by the caller already: a derivation checks its own once, not at each of its paths)."""
    if not checked:
        check_name(name)
    fingerprint = f"{kind}:sha256:{digest_hex}:{name}".encode()
    hash_part = nix32_encode(hashlib.sha256(fingerprint).digest()[:_HASH_BYTES])
    return f"{hash_part}-{name}"


def split_name(basename: str) -> tuple[str, str]:
    """Split ``<hash>-<name>`` into its parts, or raise InvalidName if it is not shaped so."""
    hash_part, dash, name = basename.partition("-")
    if not dash or len(hash_part) != HASH_LEN or not HASH_PART_RE.fullmatch(hash_part):
        raise InvalidName(basename, "a store path is <32-character hash>-<name>")
    check_name(name)
    return hash_part, name


def is_store_name(basename: str) -> bool:
    """Whether `basename` is shaped like a store path (unlike ``.links`` or a temporary file)."""
    try:
        split_name(basename)
    except InvalidName:
        return False
    return True
