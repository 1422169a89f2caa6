"""The index client: the files of projects on one or more indexes, and the one file to use.

A recipe names a project and a version; :meth:`Index.find` turns that into the one file to
fetch (the preferred sdist, or the wheel that best fits the interpreter's tags), with the
sha256 the index publishes for it. Indexes are read in order and the first to list a file
wins, as with pip's index-url over extra-index-url.
"""

from __future__ import annotations

import functools
import threading
import urllib.parse
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from packaging.tags import Tag, sys_tags
from packaging.utils import BuildTag, NormalizedName, canonicalize_name, parse_wheel_filename
from packaging.version import InvalidVersion, Version

from ..errors import UsageError
from ..hashing import Hash
from .ahead import Once
from .config import index_settings
from .errors import IndexDisabled, NoMatchingFile, ProjectNotFound, VersionNotFound
from .simple import DistFile, Kind, parse_page
from .transport import download, fetch_page, new_session

if TYPE_CHECKING:
    import requests

__all__ = ["Index", "best_ranked", "best_wheel", "default_tags", "show_tags", "tag_ranks"]


@functools.cache
def default_tags() -> list[Tag]:
    """This interpreter's tags, most specific first."""
    return list(sys_tags())


def best_wheel(files: Iterable[DistFile], tags: Sequence[Tag]) -> DistFile | None:
    """The wheel among `files` whose best tag comes earliest in `tags`, or None if none fits.

    A yanked file is chosen only when no other fits: PEP 592 allows it for an exactly pinned
    version, which this always is. The pins of a recipe are chosen among by the same rule
    (:mod:`pybuild.pins`), so a pinned file is the one the index would have given.
    """
    return best_ranked(files, tag_ranks(tags))


def tag_ranks(tags: Iterable[Tag]) -> dict[Tag, int]:
    """Each tag's place in `tags` (most preferred first), for :func:`best_ranked`."""
    rank: dict[Tag, int] = {}
    for i, tag in enumerate(tags):
        rank.setdefault(tag, i)
    return rank


def best_ranked(files: Iterable[DistFile], rank: Mapping[Tag, int]) -> DistFile | None:
    """:func:`best_wheel` with the tags' ranks made already (a set evaluates many wheels for
    one interpreter); a file's few tags are looked up, not the interpreter's many.

    Of wheels equal but for their build tag, the higher build wins, as with pip and uv: it is
    the rebuild that replaces the first (a wheel without one is the lowest build)."""
    ranked: dict[DistFile, tuple[bool, int]] = {}
    for f in files:
        places = [rank[t] for t in f.tags if t in rank] if f.kind == "wheel" else []
        if places:
            ranked[f] = (f.yanked, min(places))
    if not ranked:
        return None
    best = min(ranked.values())
    tied = [f for f, key in ranked.items() if key == best]
    return max(tied, key=_build_tag) if len(tied) > 1 else tied[0]


def _build_tag(wheel: DistFile) -> BuildTag:
    """A wheel's build tag, ``()`` for none; read only to break a tie (rare, so not cached)."""
    return parse_wheel_filename(wheel.filename)[2]


class Index:
    """The files of projects on one or more indexes (by default pip's), fetched on demand.

    Pages are cached per instance, so one resolution sees one consistent state of the index.
    Its methods may be called from several threads: they share one HTTP session, and a page
    that one thread is fetching is waited for by another that asks for it, not fetched twice.
    Where pip's configuration sets ``no-index`` (when no `urls` are given), or `no_index`
    says where it is set (given `urls`, as a requirements file's ``-i``), every page and file is
    :class:`IndexDisabled`.
    """

    def __init__(
        self, urls: Sequence[str] | None = None, timeout: float = 30, no_index: str | None = None
    ) -> None:
        settings = index_settings() if urls is None else None
        self.urls = settings.urls if settings is not None else list(urls or ())
        self._no_index = settings.no_index if settings is not None else no_index
        if not self.urls:
            raise UsageError("Index needs at least one index URL")
        self.timeout = timeout
        self._pages: dict[str, list[DistFile]] = {}
        self._fetching = Once()  # a page another thread is fetching is waited for, not fetched
        self._session: requests.Session | None = None
        self._session_lock = threading.Lock()  # a resolver fetches from several threads

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the pooled HTTP connections, if any were opened."""
        if self._session is not None:
            self._session.close()
            self._session = None

    def files(self, project: str) -> list[DistFile]:
        """Every installable file of `project` on all indexes, earlier indexes first.

        A filename met again on a later index is skipped: the first index wins, as with pip's
        index-url over extra-index-url. Files whose names are not valid sdist or wheel names
        (eggs, installers, other archive types) are left out.
        """
        name = canonicalize_name(project)
        files = self._pages.get(name)
        if files is None:
            files = self._fetching(name, lambda: self._kept_or_fetched(name))
        return files

    def _kept_or_fetched(self, name: NormalizedName) -> list[DistFile]:
        """The page of `name` as kept (by the thread this one waited for), else fetched."""
        if name not in self._pages:
            self._refuse_if_disabled(self.urls[0].rstrip("/") + f"/{name}/")
            found: dict[str, DistFile] = {}
            any_page = False
            for root in self.urls:
                page = fetch_page(root.rstrip("/") + f"/{name}/", self.timeout, self._http)
                if page is not None:
                    any_page = True
                    for dist in parse_page(page.url, page.content_type, page.body, name):
                        found.setdefault(dist.filename, dist)
            if not any_page:
                raise ProjectNotFound(name, self.urls, local_projects(self.urls))
            self._pages[name] = list(found.values())
        return self._pages[name]

    def has_page(self, project: str) -> bool:
        """Whether the page of `project` is kept from an earlier question (one fetched ahead
        among them), rather than to be fetched by the next."""
        return canonicalize_name(project) in self._pages

    def forget(self, project: str) -> None:
        """Let go of the page of `project`: it is fetched again when next asked for (the
        index may have changed since it was kept, a release or a file published, which a
        lookup that failed on it may have missed)."""
        self._pages.pop(canonicalize_name(project), None)

    def versions(self, project: str) -> list[Version]:
        """The versions that have at least one file, oldest first."""
        return sorted({f.version for f in self.files(project)})

    def release(self, project: str, version: str | Version) -> list[DistFile]:
        """Every file of `project` at `version` (at least one, or :class:`VersionNotFound`)."""
        try:
            want = Version(version) if isinstance(version, str) else version
        except InvalidVersion:
            raise UsageError(f"{version!r} is not a valid version (PEP 440)") from None
        name = canonicalize_name(project)
        of_version = [f for f in self.files(name) if f.version == want]
        if not of_version:
            raise VersionNotFound(name, want, self.versions(name))
        return of_version

    def find(
        self,
        project: str,
        version: str | Version,
        kind: Kind = "sdist",
        tags: Sequence[Tag] | None = None,
    ) -> DistFile:
        """The one file to use for `project` at `version`.

        For an sdist, the ``.tar.gz`` (PEP 625) is preferred over a legacy ``.zip``. For a
        wheel, the one whose best tag comes earliest in `tags` (most preferred first; by
        default this interpreter's ``sys_tags()``) wins. A yanked file is chosen only when no
        other fits: PEP 592 allows it for an exactly pinned version, which this always is.
        """
        if kind not in ("sdist", "wheel"):
            raise UsageError(f"kind must be 'sdist' or 'wheel', not {kind!r}")
        of_version = self.release(project, version)
        name, want = canonicalize_name(project), of_version[0].version
        # Candidates keyed by (yanked, preference); the lowest key wins.
        if kind == "sdist":
            ranked: dict[DistFile, tuple[bool, int]] = {
                f: (f.yanked, int(not f.filename.endswith(".tar.gz")))
                for f in of_version
                if f.kind == "sdist"
            }
            if ranked:
                return min(ranked, key=ranked.__getitem__)
            raise NoMatchingFile(name, want, "sdist", [f.filename for f in of_version])
        order = tags if tags is not None else default_tags()
        best = best_wheel(of_version, order)
        if best is None:
            wanted = (
                "wheel compatible with the tags "
                + show_tags(order)
                + _wheels_for(of_version, order)
            )
            error = NoMatchingFile(name, want, wanted, [f.filename for f in of_version])
            error.hint = "use an interpreter it has wheels for, another release, or its sdist"
            raise error
        return best

    def download(self, file: DistFile, dest: Path) -> Hash:
        """Fetch `file` to `dest` over this index's connections; see :func:`download`."""
        self._refuse_if_disabled(file.url)
        http = urllib.parse.urlsplit(file.url).scheme in ("http", "https")
        return download(file, dest, timeout=self.timeout, session=self._http() if http else None)

    def _refuse_if_disabled(self, url: str) -> None:
        if self._no_index is not None:
            raise IndexDisabled(url, self._no_index)

    def _http(self) -> requests.Session:
        with self._session_lock:
            if self._session is None:
                self._session = new_session()
            return self._session


def local_projects(urls: Iterable[str]) -> list[str]:
    """The projects the local (``file:``) indexes of `urls` hold: their folders, listed only
    for an error's close names (a remote index is not listed)."""
    names: list[str] = []
    for url in urls:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme == "file":
            root = Path(urllib.parse.unquote(parts.path))
            if root.is_dir():
                names += [p.name for p in root.iterdir() if p.is_dir() and p.name != "files"]
    return names


def _wheels_for(files: Sequence[DistFile], order: Sequence[Tag]) -> str:
    """What a release's wheels are for, when none fits `order`: its interpreters (``cp310,
    cp311``), and the platforms of those for this one when it has some. The first of a
    thousand tags and a few file names leave the reader to work out either; "" when the
    release has no wheel."""
    tags = [t for f in files if f.kind == "wheel" for t in f.tags]
    if not tags:
        return ""
    pythons = sorted({t.interpreter for t in tags}, key=_python_order)
    said = f": its wheels are for {', '.join(pythons)}"
    mine = {(t.interpreter, t.abi) for t in order}
    platforms = sorted({t.platform for t in tags if (t.interpreter, t.abi) in mine})
    if platforms:
        said += f" ({order[0].interpreter}'s for {', '.join(platforms)})"
    return said


def _python_order(python_tag: str) -> tuple[str, int]:
    """cp39 before cp310: python tags in version order."""
    letters = python_tag.rstrip("0123456789")
    return letters, int(python_tag[len(letters) :] or 0)


def show_tags(tags: Sequence[Tag], limit: int = 3) -> str:
    """The first few of `tags`, for a message."""
    shown = ", ".join(str(t) for t in tags[:limit])
    return f"{shown}, ... ({len(tags)} tags)" if len(tags) > limit else shown or "(none)"
