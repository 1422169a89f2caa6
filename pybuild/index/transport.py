"""Fetching from an index: project pages and files, over ``http(s)://`` or from ``file://``.

``http(s)://`` indexes are asked for JSON and answered in JSON or HTML, whichever the server
speaks; requests' errors become :class:`IndexUnavailable` naming the URL. ``file://`` indexes
are folders laid out like the URLs of a served index: ``<root>/<project>/index.json`` (PEP 691)
or, failing that, the ``<root>/<project>/index.html`` of a static PEP 503 mirror.

`requests` is imported only when an ``http(s)`` URL is first fetched, because it costs far
more to import than the rest of the index client. A download is checked against the sha256
the index published before it is put in place.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import HashMismatch, UsageError
from ..hashing import Hash, parse_hash
from .errors import IndexUnavailable
from .simple import HTML_TYPE, JSON_TYPE, DistFile

if TYPE_CHECKING:
    import requests

__all__ = ["Page", "download", "fetch_page", "new_session"]

# What pip sends: JSON preferred, HTML accepted from servers that only speak PEP 503.
_ACCEPT = f"{JSON_TYPE}, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01"
_MAX_REDIRECTS = 10
_CHUNK = 1 << 20
_FILE_PAGES = (("index.json", JSON_TYPE), ("index.html", HTML_TYPE))


@dataclass(frozen=True)
class Page:
    """A page as fetched: where it was found (after redirects), its media type, its bytes."""

    url: str
    content_type: str  # lowercase, without parameters
    body: bytes


def fetch_page(url: str, timeout: float, http: Callable[[], requests.Session]) -> Page | None:
    """The project page at `url`, or None if the index has no such page.

    `http` gives the session to fetch ``http(s)`` URLs with (made only when one is fetched).
    """
    scheme = urllib.parse.urlsplit(url).scheme
    if scheme == "file":
        return _file_page(url)
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
    return Page(response.url, content_type, body)


def _file_page(url: str) -> Page | None:
    """The project page in the folder of `url`, or None when the index has no such project:
    when its own folder is there. An index folder that is gone (a mount not there, a typo)
    is an index that does not answer, as an http one that is down, not one that lacks
    every project (a stale plan may serve meanwhile)."""
    folder = _file_path(url)
    for page, content_type in _FILE_PAGES:
        try:
            body = (folder / page).read_bytes()
        except (FileNotFoundError, NotADirectoryError):
            continue
        except OSError as exc:
            raise IndexUnavailable(url + page, exc.strerror or str(exc)) from None
        return Page(url + page, content_type, body)
    if not folder.parent.is_dir():
        root = url.rstrip("/").rpartition("/")[0] + "/"
        raise IndexUnavailable(root, f"no such folder: {folder.parent}")
    return None


def new_session() -> requests.Session:
    """A requests session whose pooled connections one index client reuses."""
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


def _file_path(url: str) -> Path:
    """The local path of a ``file://`` URL (POSIX; urllib.request, which knows more, is slow
    to import)."""
    return Path(urllib.parse.unquote(urllib.parse.urlsplit(url).path))


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
    http = session if session is not None else new_session()
    try:
        with _http_errors(url, timeout), http.get(url, stream=True, timeout=timeout) as response:
            if response.status_code >= 400:
                raise IndexUnavailable(url, f"HTTP {response.status_code} {response.reason}")
            yield from response.iter_content(_CHUNK)
    finally:
        if session is None:
            http.close()
