"""A client for Python package indexes: the simple API of PEP 691 (JSON) and PEP 503 (HTML).

A recipe names a project and a version; this module turns that into the one file to fetch and
the sha256 the index publishes for it, so the download becomes a fixed-output input whose hash
is known before it is fetched. It reads the same indexes pip would (pip's configuration, its
environment variables, its default), so a machine set up for pip needs no extra setup.

Two transports are supported. ``http(s)://`` indexes are asked for JSON and answered in JSON or
HTML, whichever the server speaks. ``file://`` indexes are folders laid out like the URLs of a
served index: ``<root>/<project>/index.json`` (PEP 691) or, failing that, the
``<root>/<project>/index.html`` of a static PEP 503 mirror.

`requests` is imported only when an ``http(s)`` URL is first fetched, and pip only when the
configuration is read, because both cost far more to import than everything else here.

Example::

    index = Index(["file:///srv/simple"])
    sdist = index.find("attrs", "23.1.0")  # the sdist of that version
    index.download(sdist, Path("attrs-23.1.0.tar.gz"))  # checked against its sha256
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import tempfile
import urllib.parse
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from packaging.tags import Tag, sys_tags
from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version

from .errors import HashMismatch, PybuildError, UsageError
from .hashing import Hash, parse_hash

if TYPE_CHECKING:
    import requests

__all__ = [
    "DistFile",
    "Index",
    "IndexConfigError",
    "IndexUnavailable",
    "InvalidIndexPage",
    "Kind",
    "NoMatchingFile",
    "PackageIndexError",
    "ProjectNotFound",
    "VersionNotFound",
    "download",
    "index_urls",
]

Kind = Literal["sdist", "wheel"]

_JSON_TYPE = "application/vnd.pypi.simple.v1+json"
# What pip sends: JSON preferred, HTML accepted from servers that only speak PEP 503.
_ACCEPT = f"{_JSON_TYPE}, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01"
_MAX_REDIRECTS = 10
_CHUNK = 1 << 20
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


class InvalidIndexPage(PackageIndexError):
    """An index page is not the JSON or HTML the simple API specifies."""

    def __init__(self, url: str, reason: str) -> None:
        self.url, self.reason = url, reason
        super().__init__(f"invalid index page {url}: {reason}")


class ProjectNotFound(PackageIndexError):
    """No index has a page for the project."""

    def __init__(self, project: str, indexes: Sequence[str]) -> None:
        self.project, self.indexes = project, list(indexes)
        super().__init__(f"project {project!r} is not on any index; tried: {', '.join(indexes)}")
        self.hint = "check the spelling, or add the index holding it to PIP_EXTRA_INDEX_URL"


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
        super().__init__(
            f"{project} {version} has no {wanted}; its files: {', '.join(files) or '(none)'}"
        )


@dataclass(frozen=True, kw_only=True)
class DistFile:
    """One downloadable file of a project, as an index lists it.

    `sha256` is lowercase hex, or None when the index publishes no sha256. `core_metadata` is
    False, True, or the hashes of the separately served METADATA file (PEP 658/714).
    """

    filename: str
    url: str
    sha256: str | None
    kind: Kind
    version: Version
    requires_python: str | None = None
    yanked: bool = False
    tags: frozenset[Tag] = frozenset()
    core_metadata: bool | Mapping[str, str] = field(default=False, hash=False)


def index_urls() -> list[str]:
    """The indexes pip would use: its index-url first, then its extra-index-urls.

    Read through pip's own configuration code so that pip.conf files, ``PIP_CONFIG_FILE``,
    ``PIP_INDEX_URL`` and ``PIP_EXTRA_INDEX_URL`` (space-separated) all mean what they mean to
    pip; sections override as in ``pip install``: global, then install, then the environment.
    """
    try:
        from pip._internal.configuration import Configuration
        from pip._internal.exceptions import ConfigurationError
        from pip._internal.models.index import PyPI
    except ImportError as exc:
        raise IndexConfigError(f"pip is not importable ({exc})") from None
    config = Configuration(isolated=False)
    try:
        config.load()
    except ConfigurationError as exc:
        raise IndexConfigError(str(exc)) from None
    values = dict(config.items())

    def setting(key: str) -> str | None:
        found = None
        for section in ("global", "install", ":env:"):
            found = values.get(f"{section}.{key}", found)
        return found

    main = setting("index-url") or PyPI.simple_url
    return [main, *(setting("extra-index-url") or "").split()]


@functools.cache
def _default_tags() -> list[Tag]:
    return list(sys_tags())


class Index:
    """The files of projects on one or more indexes (by default pip's), fetched on demand.

    Pages are cached per instance, so one resolution sees one consistent state of the index.
    """

    def __init__(self, urls: Sequence[str] | None = None, timeout: float = 30) -> None:
        self.urls = list(urls) if urls is not None else index_urls()
        if not self.urls:
            raise UsageError("Index needs at least one index URL")
        self.timeout = timeout
        self._pages: dict[str, list[DistFile]] = {}
        self._session: requests.Session | None = None

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
        if name not in self._pages:
            found: dict[str, DistFile] = {}
            any_page = False
            for root in self.urls:
                page = _fetch_page(root.rstrip("/") + f"/{name}/", self.timeout, self._http)
                if page is not None:
                    any_page = True
                    for dist in page:
                        found.setdefault(dist.filename, dist)
            if not any_page:
                raise ProjectNotFound(name, self.urls)
            self._pages[name] = list(found.values())
        return self._pages[name]

    def versions(self, project: str) -> list[Version]:
        """The versions that have at least one file, oldest first."""
        return sorted({f.version for f in self.files(project)})

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
        try:
            want = Version(version) if isinstance(version, str) else version
        except InvalidVersion:
            raise UsageError(f"{version!r} is not a valid version (PEP 440)") from None
        name = canonicalize_name(project)
        of_version = [f for f in self.files(name) if f.version == want]
        if not of_version:
            raise VersionNotFound(name, want, self.versions(name))
        # Candidates keyed by (yanked, preference); the lowest key wins.
        if kind == "sdist":
            ranked: dict[DistFile, tuple[bool, int]] = {
                f: (f.yanked, int(not f.filename.endswith(".tar.gz")))
                for f in of_version
                if f.kind == "sdist"
            }
            wanted = "sdist"
        else:
            order = tags if tags is not None else _default_tags()
            rank: dict[Tag, int] = {}
            for i, tag in enumerate(order):
                rank.setdefault(tag, i)
            ranked = {
                f: (f.yanked, min(rank[t] for t in f.tags if t in rank))
                for f in of_version
                if f.kind == "wheel" and not f.tags.isdisjoint(rank)
            }
            wanted = "wheel compatible with the tags " + _show_tags(order)
        if not ranked:
            raise NoMatchingFile(name, want, wanted, [f.filename for f in of_version])
        return min(ranked, key=ranked.__getitem__)

    def download(self, file: DistFile, dest: Path) -> Hash:
        """Fetch `file` to `dest` over this index's connections; see :func:`download`."""
        http = urllib.parse.urlsplit(file.url).scheme in ("http", "https")
        return download(file, dest, timeout=self.timeout, session=self._http() if http else None)

    def _http(self) -> requests.Session:
        if self._session is None:
            self._session = _new_session()
        return self._session


def _show_tags(tags: Sequence[Tag], limit: int = 3) -> str:
    shown = ", ".join(str(t) for t in tags[:limit])
    return f"{shown}, ... ({len(tags)} tags)" if len(tags) > limit else shown or "(none)"


def _new_session() -> requests.Session:
    import requests

    session = requests.Session()
    session.max_redirects = _MAX_REDIRECTS
    return session


@contextlib.contextmanager
def _http_errors(url: str, timeout: float) -> Iterator[None]:
    """Turn requests' exceptions into IndexUnavailable naming the URL."""
    import requests

    try:
        yield
    except requests.Timeout:
        raise IndexUnavailable(url, f"no answer within {timeout:g} s") from None
    except requests.TooManyRedirects:
        raise IndexUnavailable(url, f"more than {_MAX_REDIRECTS} redirects") from None
    except requests.RequestException as exc:
        raise IndexUnavailable(url, str(exc) or type(exc).__name__) from None


def _fetch_page(
    url: str, timeout: float, http: Callable[[], requests.Session]
) -> list[DistFile] | None:
    """The files listed on the project page at `url`, or None if the index has no such page."""
    scheme = urllib.parse.urlsplit(url).scheme
    if scheme == "file":
        folder = _file_path(url)
        for page, parse in (("index.json", _parse_json), ("index.html", _parse_html)):
            try:
                body = (folder / page).read_bytes()
            except (FileNotFoundError, NotADirectoryError):
                continue
            except OSError as exc:
                raise IndexUnavailable(url + page, exc.strerror or str(exc)) from None
            return parse(url + page, body)
        return None
    if scheme not in ("http", "https"):
        raise UsageError(f"unsupported index URL {url!r}: use http://, https:// or file://")
    with _http_errors(url, timeout):
        response = http().get(url, headers={"Accept": _ACCEPT}, timeout=timeout)
        body = response.content
    if response.status_code in (404, 410):
        return None
    if response.status_code >= 400:
        raise IndexUnavailable(url, f"HTTP {response.status_code} {response.reason}")
    content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if content_type == "application/json" or content_type.endswith("+json"):
        return _parse_json(response.url, body)
    if content_type == "text/html" or content_type.endswith("+html"):
        return _parse_html(response.url, body)
    raise InvalidIndexPage(response.url, f"unexpected content type {content_type!r}")


def _file_path(url: str) -> Path:
    """The local path of a ``file://`` URL (POSIX; urllib.request, which knows more, is slow
    to import)."""
    return Path(urllib.parse.unquote(urllib.parse.urlsplit(url).path))


def _parse_json(url: str, body: bytes) -> list[DistFile]:
    """Read a PEP 691 project page."""
    try:
        data = json.loads(body)
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError
        raise InvalidIndexPage(url, f"not valid JSON ({exc})") from None
    if not isinstance(data, dict) or not isinstance(data.get("files"), list):
        raise InvalidIndexPage(url, "no 'files' list in the JSON")
    meta = data.get("meta")
    api = meta.get("api-version", "1.0") if isinstance(meta, dict) else "1.0"
    if not str(api).startswith("1."):
        raise InvalidIndexPage(url, f"api-version {api} is not supported (only 1.x)")
    result = []
    for entry in data["files"]:
        if not (
            isinstance(entry, dict)
            and isinstance(entry.get("filename"), str)
            and isinstance(entry.get("url"), str)
        ):
            raise InvalidIndexPage(url, f"a file entry lacks filename or url: {entry!r}")
        hashes = entry.get("hashes")
        metadata = entry.get("core-metadata", entry.get("dist-info-metadata", False))
        dist = _dist_file(
            url,
            filename=entry["filename"],
            href=entry["url"],
            sha256=hashes.get("sha256") if isinstance(hashes, dict) else None,
            requires_python=entry.get("requires-python"),
            yanked=bool(entry.get("yanked", False)),
            core_metadata=metadata if isinstance(metadata, dict) else bool(metadata),
        )
        if dist is not None:
            result.append(dist)
    return result


class _Anchors(HTMLParser):
    """Collects the attributes of every ``<a>`` of a PEP 503 page."""

    def __init__(self) -> None:
        super().__init__()
        self.anchors: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.anchors.append(dict(attrs))


def _parse_html(url: str, body: bytes) -> list[DistFile]:
    """Read a PEP 503 project page (with the data- attributes of PEPs 592, 658 and 714)."""
    parser = _Anchors()
    try:
        parser.feed(body.decode("utf-8"))
        parser.close()
    except UnicodeDecodeError as exc:
        raise InvalidIndexPage(url, f"not UTF-8 ({exc})") from None
    result = []
    for attrs in parser.anchors:
        href = attrs.get("href")
        if not href:
            continue
        bare, fragment = urllib.parse.urldefrag(href)
        algo, _, value = fragment.partition("=")
        metadata_attr = attrs.get("data-core-metadata", attrs.get("data-dist-info-metadata"))
        metadata: bool | dict[str, str] = metadata_attr is not None
        if metadata_attr and "=" in metadata_attr:
            meta_algo, _, meta_value = metadata_attr.partition("=")
            metadata = {meta_algo: meta_value}
        dist = _dist_file(
            url,
            filename=urllib.parse.unquote(bare.rstrip("/").rsplit("/", 1)[-1]),
            href=bare,
            sha256=value if algo == "sha256" else None,
            requires_python=attrs.get("data-requires-python"),
            yanked="data-yanked" in attrs,
            core_metadata=metadata,
        )
        if dist is not None:
            result.append(dist)
    return result


def _dist_file(
    page_url: str,
    *,
    filename: str,
    href: str,
    sha256: object,
    requires_python: object,
    yanked: bool,
    core_metadata: bool | Mapping[str, str],
) -> DistFile | None:
    """A DistFile for one listed file, or None if its name is not an sdist's or a wheel's."""
    try:
        if filename.endswith(".whl"):
            _, version, _, tags = parse_wheel_filename(filename)
            kind: Kind = "wheel"
        else:
            _, version = parse_sdist_filename(filename)
            tags, kind = frozenset(), "sdist"
    except (InvalidSdistFilename, InvalidWheelFilename, InvalidVersion):
        return None
    return DistFile(
        filename=filename,
        url=urllib.parse.urljoin(page_url, href),
        sha256=_hex_sha256(page_url, filename, sha256),
        kind=kind,
        version=version,
        requires_python=requires_python if isinstance(requires_python, str) else None,
        yanked=yanked,
        tags=frozenset(tags),
        core_metadata=core_metadata,
    )


def _hex_sha256(page_url: str, filename: str, value: object) -> str | None:
    """The published sha256 as lowercase hex; a malformed one is the index's fault."""
    if value is None:
        return None
    with contextlib.suppress(ValueError):
        if isinstance(value, str) and len(digest := bytes.fromhex(value)) == 32:
            return digest.hex()
    raise InvalidIndexPage(page_url, f"bad sha256 {value!r} for {filename}")


def download(
    file: DistFile, dest: Path, *, timeout: float = 30, session: requests.Session | None = None
) -> Hash:
    """Fetch `file` to `dest` and return the sha256 of its bytes.

    The bytes go to a temporary file beside `dest` that is renamed into place only once
    complete and, when the index published a sha256, only if it matches; otherwise
    :class:`~pybuild.errors.HashMismatch` is raised. Either way a failure leaves no `dest` and
    no temporary file behind. `session` is a requests Session whose connections to reuse.
    """
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=dest.parent, prefix=f".{dest.name}.", suffix=".part")
    tmp = Path(tmp_name)
    try:
        digest = hashlib.sha256()
        with os.fdopen(fd, "wb") as out:
            for chunk in _chunks(file.url, timeout, session):
                digest.update(chunk)
                out.write(chunk)
        actual = Hash(digest.digest())
        if file.sha256 is not None and actual.hex != file.sha256:
            raise HashMismatch(file.url, parse_hash(file.sha256).sri, actual.sri)
        tmp.chmod(0o644)  # mkstemp's 0600 is for the half-written file, not the result
        os.replace(tmp, dest)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return actual


def _chunks(url: str, timeout: float, session: requests.Session | None) -> Iterator[bytes]:
    """The bytes at `url` in pieces, so large files are never held in memory whole."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme == "file":
        path = _file_path(url)
        try:
            with path.open("rb") as f:
                while chunk := f.read(_CHUNK):
                    yield chunk
        except OSError as exc:
            raise IndexUnavailable(url, exc.strerror or str(exc)) from None
        return
    if parts.scheme not in ("http", "https"):
        raise UsageError(f"cannot download {url!r}: use http://, https:// or file://")
    http = session if session is not None else _new_session()
    try:
        with _http_errors(url, timeout), http.get(url, stream=True, timeout=timeout) as response:
            if response.status_code >= 400:
                raise IndexUnavailable(url, f"HTTP {response.status_code} {response.reason}")
            yield from response.iter_content(_CHUNK)
    finally:
        if session is None:
            http.close()
