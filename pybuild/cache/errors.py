"""What can go wrong with a binary cache, in the one hierarchy of :mod:`pybuild.errors`.

Two kinds matter to the caller. A cache that cannot be used at all (down, slow, not a pybuild
cache, refusing uploads) is :class:`CacheUnavailable`: the substituter stops asking it. One
entry that cannot be trusted (malformed metadata, no trusted signature, an archive that is
truncated, tampered with or escapes its folder) is :class:`EntryRefused`: that path is built
locally instead, and the reason is said.
"""

from __future__ import annotations

from ..errors import PybuildError

__all__ = [
    "ArchiveError",
    "CacheError",
    "CacheUnavailable",
    "EntryRefused",
    "InvalidKey",
    "NotSubstituted",
    "WrongFileSize",
    "WrongNarSize",
]


class CacheError(PybuildError):
    """Base of binary cache problems."""


class CacheUnavailable(CacheError):
    """A cache cannot be read or written: it is down, too slow, or not a pybuild cache."""

    def __init__(self, url: str, reason: str) -> None:
        self.url, self.reason = url, reason
        super().__init__(f"binary cache {url}: {reason}")


class EntryRefused(CacheError):
    """One cache entry is refused; `path` is the store basename it claimed to hold."""

    def __init__(self, url: str, path: str, reason: str) -> None:
        self.url, self.path, self.reason = url, path, reason
        super().__init__(f"{path} from {url}: {reason}")


class NotSubstituted(CacheError):
    """The caches cannot supply some paths with their closures; nothing was registered.

    `reason` is why the last entry or cache was refused, or ``""`` when no cache simply has
    them; for a refused entry, `path` is its store basename and `url` its cache. The caller
    says what follows, in one line with the reason: the realiser builds them, a copy fails.
    """

    def __init__(self, reason: str, path: str = "", url: str = "") -> None:
        self.reason, self.path, self.url = reason, path, url
        said = f"{path} from {url}: {reason}" if path else reason
        super().__init__(said or "no binary cache has them")


class ArchiveError(CacheError):
    """An archive is not a well-formed, safe NAR (or its compression is broken)."""


class WrongNarSize(ArchiveError):
    """A NAR is not of the size declared for it: for a cache's entry, the archive is not the
    one its signed NarSize and NarHash describe (its URL, unsigned, names another)."""


class WrongFileSize(ArchiveError):
    """An archive file is not of the size declared for it: for a cache's entry, the archive
    is not the one its FileSize describes (its URL names another, or it was changed or cut).
    `short`: the file is shorter than declared, not longer (the likely causes differ)."""

    def __init__(self, message: str, *, short: bool) -> None:
        super().__init__(message)
        self.short = short


class InvalidKey(CacheError):
    """A signing key or a signature is not ``NAME:base64`` of the right length."""
