"""Ed25519 signing keys and signatures, written as Nix writes them: ``NAME:base64``.

A secret key is ``NAME:`` and the base64 of 64 bytes (the 32-byte seed, then the public key),
a public key is ``NAME:`` and the base64 of its 32 bytes, and a signature is ``NAME:`` and the
base64 of 64 bytes. The name says which key made a signature, so a cache entry can carry
signatures of several keys and a client checks the ones it trusts. The cryptography itself is
the ``cryptography`` library's Ed25519, a maintained, audited implementation.

Example::

    >>> key = SecretKey.generate("ci-1")
    >>> signature = key.sign(b"data")
    >>> key.public_key().verify(b"data", signature)
    True
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass

from .errors import InvalidKey

__all__ = ["PublicKey", "SecretKey", "check_key_name", "parse_signature"]

_SEED = 32
_PUBLIC = 32
_SIGNATURE = 64


_NEW_NAME = re.compile(r"[A-Za-z0-9._-]+")


def check_key_name(name: str) -> str:
    """The name of a key pybuild makes: letters, digits, ``.``, ``-`` and ``_``
    (``cache.example.org-1`` is typical). It names the key's files too (``NAME.secret``), so a
    ``/`` would put them in a folder that is not there, or elsewhere than asked."""
    if not _NEW_NAME.fullmatch(name):
        raise InvalidKey(f"invalid key name {name!r}: use letters, digits, '.', '-' or '_'")
    return name


def _check_read_name(name: str, what: str) -> None:
    """The name of a public key or signature read: anything printable without spaces (``:``
    ends it). Looser than :func:`check_key_name`, as Nix is, so that what keys made elsewhere,
    or by an older pybuild, signed is still checked; a name here never becomes a file name."""
    if not name or not name.isprintable() or any(c.isspace() for c in name):
        raise InvalidKey(f"invalid {what} name {name!r}: a name is printable, without spaces")


def _check_secret_name(name: str) -> None:
    """The name of a secret key read to sign with: the rule of :func:`check_key_name`, since
    every signature it makes carries the name, which is how a client picks the key it trusts.
    A name pybuild would not make means the file holds something else than what ``key
    generate`` wrote (a line ``CACHE_SIGNING_KEY=ci-1:…`` pasted from a dotenv file would sign
    as ``CACHE_SIGNING_KEY=ci-1``, and no client trusts that). A name with spaces or characters
    that do not print is not shown: it may be part of the secret, with its ``:`` misplaced."""
    if not name or not name.isprintable() or any(c.isspace() for c in name):
        raise InvalidKey(
            "invalid secret key: its name, before ':', is empty or has spaces or characters"
            " that do not print"
        )
    if not _NEW_NAME.fullmatch(name):
        raise InvalidKey(
            f"invalid secret key name {name!r}: a key signs with a name of letters, digits,"
            " '.', '-' or '_'"
        )


def _split(text: str, size: int, what: str, *, secret: bool = False) -> tuple[str, bytes]:
    """The name and the raw bytes of `text`, ``NAME:base64``. A `secret` key's text is never
    quoted in a message (a few of its characters in a CI log are a few too many), and its name
    follows the stricter rule of the names pybuild makes."""
    name, sep, data = text.strip().partition(":")
    if not sep:
        shown = "" if secret else f" {_shorten(text)!r}"
        raise InvalidKey(f"invalid {what}{shown}: expected NAME:base64")
    if secret:
        _check_secret_name(name)
    else:
        _check_read_name(name, what)
    try:
        raw = base64.b64decode(data, validate=True)
    except binascii.Error:
        raise InvalidKey(
            f"invalid {what} named {name!r}: {_not_base64(what, name, data)}"
        ) from None
    if len(raw) != size:
        raise InvalidKey(f"invalid {what} named {name!r}: {len(raw)} bytes, expected {size}")
    return name, raw


def _not_base64(what: str, name: str, data: str) -> str:
    """Why `data`, the part after a key's name, is not base64: the likely mistake when it is
    two words (two public keys in one item of ``trusted_public_keys``, apart by a space or a
    line break), two secret keys on lines of their own, or two lines (a secret key pasted
    with a line break), else that it is not base64. Nothing of it shown but key names."""
    words = data.split()
    if what == "public key" and len(words) > 1:
        names = [name, *(w.partition(":")[0] for w in words[1:] if ":" in w)]
        items = ", ".join(f'"{n}:…"' for n in names) if len(names) > 1 else '"NAME:…", …'
        return (
            f"it holds whitespace, so more than one key: give each key as a list item of its own"
            f" ([{items}]), or separate them with spaces in --option trusted-public-keys"
        )
    if what == "secret key" and (names := _key_names(data)):
        return (
            f"it holds {len(names) + 1} keys, one a line ({', '.join([name, *names])}); --key"
            " takes one: keep the key to sign with alone in the file, as `pybuild key"
            " generate` writes it"
        )
    if what == "secret key" and len(data.splitlines()) > 1:
        return (
            f"it is split over {len(data.splitlines())} lines; a key is one line, as"
            " `pybuild key generate` writes it"
        )
    return "not base64"


def _key_names(data: str) -> list[str]:
    """The names of the keys on the lines of `data` after its first (a secret key's text,
    after the first key's name): a line that starts ``NAME:`` begins another key, where the
    rest of a key split over lines, base64, holds no ``:``. Only names are returned."""
    lines = data.strip().splitlines()[1:]
    heads = (line.strip().partition(":") for line in lines)
    return [name for name, sep, _ in heads if sep and _NEW_NAME.fullmatch(name)]


def _shorten(text: str) -> str:
    return text if len(text) <= 24 else text[:20] + "…"


def parse_signature(text: str) -> tuple[str, bytes]:
    """The key name and the 64 raw bytes of a signature ``NAME:base64``."""
    return _split(text, _SIGNATURE, "signature")


@dataclass(frozen=True)
class PublicKey:
    """A key that signatures are checked against (the ``trusted_public_keys`` setting)."""

    name: str
    raw: bytes

    @classmethod
    def parse(cls, text: str) -> PublicKey:
        return cls(*_split(text, _PUBLIC, "public key"))

    def __str__(self) -> str:
        return f"{self.name}:{base64.b64encode(self.raw).decode()}"

    def verify(self, data: bytes, signature: str) -> bool:
        """Whether `signature` is this key's valid signature of `data` (False if by another)."""
        from cryptography.exceptions import InvalidSignature
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

        name, raw = parse_signature(signature)
        if name != self.name:
            return False
        try:
            Ed25519PublicKey.from_public_bytes(self.raw).verify(raw, data)
        except InvalidSignature:
            return False
        return True


@dataclass(frozen=True)
class SecretKey:
    """A signing key; keep it secret (a CI secret, a file readable only by its owner)."""

    name: str
    seed: bytes

    @classmethod
    def generate(cls, name: str) -> SecretKey:
        import os

        return cls(check_key_name(name), os.urandom(_SEED))

    @classmethod
    def parse(cls, text: str) -> SecretKey:
        name, raw = _split(text, _SEED + _PUBLIC, "secret key", secret=True)
        key = cls(name, raw[:_SEED])
        if key.public_key().raw != raw[_SEED:]:
            raise InvalidKey(f"invalid secret key named {name!r}: its two halves do not match")
        return key

    def __str__(self) -> str:
        raw = self.seed + self.public_key().raw
        return f"{self.name}:{base64.b64encode(raw).decode()}"

    def __repr__(self) -> str:
        return f"SecretKey(name={self.name!r}, seed=...)"  # never print the secret by accident

    def public_key(self) -> PublicKey:
        from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

        raw = self._private().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
        return PublicKey(self.name, raw)

    def sign(self, data: bytes) -> str:
        """The signature ``NAME:base64`` of `data`."""
        return f"{self.name}:{base64.b64encode(self._private().sign(data)).decode()}"

    def _private(self):  # type: ignore[no-untyped-def]
        from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

        return Ed25519PrivateKey.from_private_bytes(self.seed)
