"""A package index on the local disk, and over loopback HTTP, for hermetic tests.

Tests must not depend on the network or on what a public index holds today, so they build
their own tiny distributions (:func:`make_sdist`, :func:`make_wheel`), publish them as a PEP 691
index in a folder (:func:`write_index`) and, to exercise the HTTP client, serve that folder on
127.0.0.1 (:func:`serve_index`). The archives are byte-for-byte reproducible, so their hashes
can be compared across runs.
"""

from __future__ import annotations

import base64
import contextlib
import gzip
import hashlib
import http.server
import io
import json
import shutil
import tarfile
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from packaging.tags import parse_tag
from packaging.utils import (
    canonicalize_name,
    parse_sdist_filename,
    parse_wheel_filename,
)
from packaging.version import Version

from support.serving import serve

__all__ = ["JSON_TYPE", "make_sdist", "make_wheel", "serve_index", "write_index"]

JSON_TYPE = "application/vnd.pypi.simple.v1+json"
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def _dist_name(name: str) -> str:
    """The name as it appears in sdist and wheel file names (PEP 625, PEP 491)."""
    return canonicalize_name(name).replace("-", "_")


def _metadata(name: str, version: str) -> str:
    return f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"


def make_sdist(tmp: Path, name: str, version: str, files: dict[str, str]) -> Path:
    """Pack `files` (relative path -> text) as the PEP 625 sdist of `name` `version` in `tmp`.

    Written with tarfile rather than a build backend so it is fast and has no dependencies;
    sorted members, zero times and owners make it reproducible.
    """
    stem = f"{_dist_name(name)}-{Version(version)}"
    members = {**files, "PKG-INFO": _metadata(name, str(Version(version)))}
    buffer = io.BytesIO()
    with (
        gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0) as gz,
        tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar,
    ):
        for path in sorted(members):
            data = members[path].encode()
            info = tarfile.TarInfo(f"{stem}/{path}")
            info.size, info.mtime, info.mode = len(data), 0, 0o644
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            tar.addfile(info, io.BytesIO(data))
    out = Path(tmp) / f"{stem}.tar.gz"
    out.write_bytes(buffer.getvalue())
    return out


def _record_hash(data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
    return "sha256=" + digest.decode()


def make_wheel(
    tmp: Path, name: str, version: str, files: dict[str, str], tag: str = "py3-none-any"
) -> Path:
    """A minimal valid wheel of `files` in `tmp`, with METADATA, WHEEL and a hashed RECORD.

    `tag` may be a compressed tag set such as ``py2.py3-none-any``; the WHEEL file lists each
    tag it expands to, as the wheel spec asks.
    """
    stem = f"{_dist_name(name)}-{Version(version)}"
    dist_info = f"{stem}.dist-info"
    pure = all(t.platform == "any" for t in parse_tag(tag))
    wheel_lines = [
        "Wheel-Version: 1.0",
        "Generator: pybuild-tests",
        f"Root-Is-Purelib: {'true' if pure else 'false'}",
        *(f"Tag: {t}" for t in sorted(str(t) for t in parse_tag(tag))),
    ]
    members = {
        **files,
        f"{dist_info}/METADATA": _metadata(name, str(Version(version))),
        f"{dist_info}/WHEEL": "\n".join(wheel_lines) + "\n",
    }
    encoded = {path: text.encode() for path, text in members.items()}
    record = "".join(
        f"{path},{_record_hash(data)},{len(data)}\n" for path, data in sorted(encoded.items())
    )
    encoded[f"{dist_info}/RECORD"] = (record + f"{dist_info}/RECORD,,\n").encode()
    out = Path(tmp) / f"{stem}-{tag}.whl"
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        # RECORD goes last, as wheel writers conventionally place it.
        for path in sorted(encoded, key=lambda p: (p.endswith("/RECORD"), p)):
            info = zipfile.ZipInfo(path, date_time=_ZIP_EPOCH)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, encoded[path])
    return out


def _project_of(filename: str) -> tuple[str, Version]:
    if filename.endswith(".whl"):
        name, version, _, _ = parse_wheel_filename(filename)
    else:
        name, version = parse_sdist_filename(filename)
    return name, version


def write_index(
    root: Path,
    files: Iterable[Path],
    requires_python: Mapping[str, str] | None = None,
    yanked: Mapping[str, str] | None = None,
) -> str:
    """Publish `files` as a PEP 691 (API 1.1) index under `root`; return its ``file://`` URL.

    The files are copied to ``root/files/`` and each project gets ``root/<project>/index.json``
    linking to them relatively (``../files/<name>``), so the same folder works when served.
    `requires_python` gives a file (by name) the ``requires-python`` the index lists for it,
    `yanked` the reason it is yanked for (PEP 592; "" for none given).
    """
    root = Path(root)
    (root / "files").mkdir(parents=True, exist_ok=True)
    by_project: dict[str, list[Path]] = defaultdict(list)
    for path in files:
        published = root / "files" / path.name
        if not published.exists() or not published.samefile(path):
            shutil.copyfile(path, published)
        by_project[_project_of(path.name)[0]].append(published)
    for project, paths in by_project.items():
        entries = [
            {
                "filename": p.name,
                "url": f"../files/{p.name}",
                "hashes": {"sha256": hashlib.sha256(p.read_bytes()).hexdigest()},
                "requires-python": (requires_python or {}).get(p.name),
                "yanked": (yanked or {}).get(p.name) or p.name in (yanked or {}),
                "size": p.stat().st_size,
            }
            for p in sorted(paths)
        ]
        versions = sorted({_project_of(p.name)[1] for p in paths})
        page = {
            "meta": {"api-version": "1.1"},
            "name": project,
            "files": entries,
            "versions": [str(v) for v in versions],
        }
        (root / project).mkdir(exist_ok=True)
        (root / project / "index.json").write_text(json.dumps(page, indent=1) + "\n")
    return root.resolve().as_uri()


class _IndexHandler(http.server.BaseHTTPRequestHandler):
    """Serves a :func:`write_index` folder the way an index server lays out its URLs."""

    root: Path

    def do_GET(self) -> None:
        parts = [p for p in self.path.split("?", 1)[0].split("/") if p]
        if not parts or any(p in (".", "..") for p in parts):
            self._send(404, "text/plain", b"not found\n")
        elif parts[0] == "files" and len(parts) == 2:
            self._send_file(self.root / "files" / parts[1], "application/octet-stream")
        elif len(parts) > 1:
            self._send(404, "text/plain", b"not found\n")
        elif not self.path.endswith("/"):
            # Real indexes redirect /<project> to /<project>/; clients must follow.
            self.send_response(301)
            self.send_header("Location", f"/{parts[0]}/")
            self.send_header("Content-Length", "0")
            self.end_headers()
        elif (self.root / parts[0] / "index.json").is_file():
            self._send_file(self.root / parts[0] / "index.json", JSON_TYPE)
        else:
            self._send_file(self.root / parts[0] / "index.html", "text/html; charset=utf-8")

    def _send_file(self, path: Path, content_type: str) -> None:
        if path.is_file():
            self._send(200, content_type, path.read_bytes())
        else:
            self._send(404, "text/plain", b"not found\n")

    def _send(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Silence the per-request lines http.server writes to stderr."""


@contextlib.contextmanager
def serve_index(root: Path) -> Iterator[str]:
    """Serve `root` (as written by :func:`write_index`) on a free loopback port.

    ``GET /<project>/`` answers the project's ``index.json`` as PEP 691 JSON, or its
    ``index.html`` as PEP 503 HTML; ``GET /files/<name>`` answers the file. Yields the base
    URL, ``http://127.0.0.1:<port>/``; the server stops when the block exits.
    """
    with serve(type("Handler", (_IndexHandler,), {"root": Path(root)})) as url:
        yield f"{url}/"
