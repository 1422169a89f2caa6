"""What can go wrong reading a package index, each error naming the URL or project concerned.

All are :class:`PackageIndexError`, so a caller that resolves against an index catches one
class; each says what was tried (the URL, the indexes, the versions there are), since the
user cannot see the index's answer otherwise.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from packaging.version import Version

from ..errors import PybuildError

__all__ = [
    "IndexConfigError",
    "IndexDisabled",
    "IndexUnavailable",
    "InvalidIndexPage",
    "NoMatchingFile",
    "PackageIndexError",
    "ProjectNotFound",
    "VersionNotFound",
    "close_projects",
    "did_you_mean",
    "show_files",
]

_VERSIONS_SHOWN = 15


class PackageIndexError(PybuildError):
    """Base of the problems met while reading a package index."""


class IndexConfigError(PackageIndexError):
    """pip's configuration, where the index URLs come from, cannot be read."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"cannot read the package index configuration: {reason}")
        self.hint = "pass the index URLs explicitly: Index(urls=[...])"


class IndexUnavailable(PackageIndexError):
    """A URL could not be fetched: no connection, a time-out, or an HTTP error status."""

    def __init__(self, url: str, reason: str) -> None:
        self.url, self.reason = url, reason
        super().__init__(f"cannot fetch {url}: {reason}")


class IndexDisabled(IndexUnavailable):
    """pip's configuration says to read no index (``no-index``), and an index was needed:
    out of reach as if offline, so that what serves offline (a saved plan) serves here too."""

    def __init__(self, url: str, where: str) -> None:
        super().__init__(url, f"pip's configuration sets no-index (in {where})")
        self.hint = (
            "to read an index, unset no-index (`pip config debug` lists where it is set); "
            "find-links folders are not read: to read local files, unset no-index and lay them "
            "out as a simple index (<folder>/<project>/index.html), with PIP_INDEX_URL set to "
            "file://<folder>"
        )


class InvalidIndexPage(PackageIndexError):
    """An index page is not the JSON or HTML the simple API specifies."""

    def __init__(self, url: str, reason: str) -> None:
        self.url, self.reason = url, reason
        super().__init__(f"invalid index page {url}: {reason}")


class ProjectNotFound(PackageIndexError):
    """No index has a page for the project; `suggestions` are close names of `known` (what a
    local index lists: a remote one cannot be listed whole)."""

    def __init__(self, project: str, indexes: Sequence[str], known: Iterable[str] = ()) -> None:
        self.project, self.indexes = project, list(indexes)
        self.suggestions = close_projects(project, known)
        text = f"project {project!r} is not on any index; tried: {', '.join(indexes)}"
        super().__init__(text + did_you_mean(self.suggestions))
        self.hint = "check the spelling, or add the index holding it to PIP_EXTRA_INDEX_URL"


def close_projects(name: str, known: Iterable[str]) -> list[str]:
    """The names of `known` close to project `name` (a typo's: ``wcwdith``, ``humanise``)."""
    import difflib  # only an error pays for it

    return difflib.get_close_matches(name, sorted(set(known)), n=3, cutoff=0.7)


def did_you_mean(suggestions: Sequence[str]) -> str:
    """``; did you mean 'a', 'b'?``, or "" when there is none."""
    return "; did you mean " + ", ".join(map(repr, suggestions)) + "?" if suggestions else ""


class VersionNotFound(PackageIndexError):
    """The project exists but has no file of the requested version."""

    def __init__(self, project: str, version: Version, available: Sequence[Version]) -> None:
        self.project, self.version, self.available = project, version, list(available)
        shown = ", ".join(str(v) for v in available[-_VERSIONS_SHOWN:])
        if len(available) > _VERSIONS_SHOWN:
            shown = f"... {shown} (latest {_VERSIONS_SHOWN} of {len(available)})"
        super().__init__(f"{project} has no version {version}; versions: {shown or '(none)'}")


class NoMatchingFile(PackageIndexError):
    """The version exists but none of its files is of the wanted kind or fits the tags."""

    def __init__(self, project: str, version: Version, wanted: str, files: Sequence[str]):
        self.project, self.version, self.files = project, version, list(files)
        super().__init__(f"{project} {version} has no {wanted}; its files: {show_files(files)}")


def show_files(names: Sequence[str], limit: int = 3) -> str:
    """The first few of a release's file names and how many there are, for a message: a
    compiled project has dozens of wheels, and all their names would bury the message."""
    shown = ", ".join(names[:limit])
    return f"{shown}, ... ({len(names)} files)" if len(names) > limit else shown or "(none)"
