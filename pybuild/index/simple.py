"""The simple repository API's project pages: PEP 691 (JSON) and PEP 503 (HTML), read alike.

Both list a project's files with the sha256 the index publishes, which turns a download into
a fixed-output input whose hash is known before it is fetched; and the data PEPs 592
(yanked), 658 and 714 (separate metadata) add. Files whose names are not valid sdist or wheel
names (eggs, installers, other archive types) are left out, and so are files named for
another project, as pip leaves them out. A page that breaks the
specification (JSON without a files list, an unknown API version, a malformed sha256) is the
index's fault and says so (:class:`InvalidIndexPage`).
"""

from __future__ import annotations

import contextlib
import json
import re
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Literal

from packaging.tags import Tag
from packaging.utils import (
    InvalidSdistFilename,
    InvalidWheelFilename,
    NormalizedName,
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version

from .errors import InvalidIndexPage

__all__ = ["HTML_TYPE", "JSON_TYPE", "DistFile", "Kind", "parse_page"]

Kind = Literal["sdist", "wheel"]

JSON_TYPE = "application/vnd.pypi.simple.v1+json"
HTML_TYPE = "text/html"

# An absolute http(s) URL, with a host, that joining to any page's URL leaves as it is: no
# query, fragment, parameters, white space, control or non-ASCII character, its scheme in
# lowercase (:func:`_joined`).
_PLAIN_ABSOLUTE = re.compile(
    r"https?://[-A-Za-z0-9._~%!$&'()*+,=:@]+(?:/[-A-Za-z0-9._~%!$&'()*+,=:@/]*)?\Z"
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
    yanked_reason: str = field(default="", compare=False)  # PEP 592's, where the index gives one
    tags: frozenset[Tag] = frozenset()
    core_metadata: bool | Mapping[str, str] = field(default=False, hash=False)


def parse_page(url: str, content_type: str, body: bytes, project: NormalizedName) -> list[DistFile]:
    """The files of `project` a page lists, read as its media type (lowercase, no parameters)
    says."""
    if content_type == "application/json" or content_type.endswith("+json"):
        return _parse_json(url, body, project)
    if content_type == HTML_TYPE or content_type.endswith("+html"):
        return _parse_html(url, body, project)
    raise InvalidIndexPage(url, f"unexpected content type {content_type!r}")


def _parse_json(url: str, body: bytes, project: NormalizedName) -> list[DistFile]:
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
            project,
            filename=entry["filename"],
            href=entry["url"],
            sha256=hashes.get("sha256") if isinstance(hashes, dict) else None,
            requires_python=entry.get("requires-python"),
            yanked=bool(entry.get("yanked", False)),
            yanked_reason=_reason(entry.get("yanked")),
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


def _parse_html(url: str, body: bytes, project: NormalizedName) -> list[DistFile]:
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
            project,
            filename=urllib.parse.unquote(bare.rstrip("/").rsplit("/", 1)[-1]),
            href=bare,
            sha256=value if algo == "sha256" else None,
            requires_python=attrs.get("data-requires-python"),
            yanked="data-yanked" in attrs,
            yanked_reason=_reason(attrs.get("data-yanked")),
            core_metadata=metadata,
        )
        if dist is not None:
            result.append(dist)
    return result


def _dist_file(
    page_url: str,
    project: NormalizedName,
    *,
    filename: str,
    href: str,
    sha256: object,
    requires_python: object,
    yanked: bool,
    yanked_reason: str,
    core_metadata: bool | Mapping[str, str],
) -> DistFile | None:
    """A DistFile for one listed file, or None if its name is not an sdist's or a wheel's of
    `project`."""
    try:
        if filename.endswith(".whl"):
            name, version, _, tags = parse_wheel_filename(filename)
            kind: Kind = "wheel"
        else:
            name, version = _sdist_name(filename, project)
            tags, kind = frozenset(), "sdist"
    except (InvalidSdistFilename, InvalidWheelFilename, InvalidVersion):
        return None
    if name != project:
        return None
    return DistFile(
        filename=filename,
        url=_joined(page_url, href),
        sha256=_hex_sha256(page_url, filename, sha256),
        kind=kind,
        version=version,
        requires_python=requires_python if isinstance(requires_python, str) else None,
        yanked=yanked,
        yanked_reason=yanked_reason,
        tags=frozenset(tags),
        core_metadata=core_metadata,
    )


def _joined(page_url: str, href: str) -> str:
    """`href` resolved against the page's URL, as ``urljoin`` does. A JSON page gives each file
    an absolute URL, which ``urljoin`` would split and put together again unchanged: that was
    a third of reading a project's page (pydantic-core lists 15,000 files), so such a URL is
    taken as it is."""
    if _PLAIN_ABSOLUTE.match(href):
        return href
    return urllib.parse.urljoin(page_url, href)


def _reason(yanked: object) -> str:
    """Why a file is yanked: PEP 691's ``yanked`` (or PEP 503's ``data-yanked``) is the reason
    when it is a string, and may be empty or ``true`` (then no reason is given)."""
    return yanked if isinstance(yanked, str) else ""


def _sdist_name(filename: str, project: NormalizedName) -> tuple[NormalizedName, Version]:
    """An sdist's project and version. Both may hold ``-``: packaging splits at the last one,
    so ``selenium-2.0-dev-9429.tar.gz`` would be version 9429 of ``selenium-2.0-dev``; where
    that is not `project`, the version is what follows `project`'s name, as pip reads it
    (2.0.dev9429, a pre-release, and not the newest selenium)."""
    name, version = parse_sdist_filename(filename)
    if name == project:
        return name, version
    stem = filename.removesuffix(".tar.gz").removesuffix(".zip")
    for end, char in enumerate(stem):
        if char == "-" and canonicalize_name(stem[:end]) == project:
            return project, Version(stem[end + 1 :])
    return name, version


def _hex_sha256(page_url: str, filename: str, value: object) -> str | None:
    """The published sha256 as lowercase hex; a malformed one is the index's fault."""
    if value is None:
        return None
    with contextlib.suppress(ValueError):
        if isinstance(value, str) and len(digest := bytes.fromhex(value)) == 32:
            return digest.hex()
    raise InvalidIndexPage(page_url, f"bad sha256 {value!r} for {filename}")
