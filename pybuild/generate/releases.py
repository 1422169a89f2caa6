"""What the index says about a release: its files, its core metadata, its sdist's build system.

Metadata is taken from the cheapest source that can be trusted, in the order pip uses:

1. the metadata file the index serves beside a wheel (PEP 658/714), checked against its hash;
2. the ``METADATA`` of a wheel that fits the set's interpreter;
3. the sdist's ``PKG-INFO``, when its metadata version (2.2 or later) promises it is final;
4. the sdist's ``pyproject.toml``, when its ``[project]`` table fixes the requirements (none of
   them dynamic, PEP 621), as uv reads it (:mod:`.projecttable`);
5. the sdist's build backend, ``prepare_metadata_for_build_wheel``, run with its build
   environment: the set's tools, else tools from the index (:func:`.buildenv.tool_packages`).

A release with no wheel for this interpreter may also be read by a wheel of it for another
(:meth:`Releases.metadata_elsewhere`): the resolver pins it by that until the end, as uv does
(:meth:`~pybuild.generate.resolver._Provider._read`).

Static metadata of an sdist (3, 4) with a ``Requires-Dist`` that does not parse is no answer,
as uv takes it: the next source is asked. A wheel's, or the backend's, is the answer, and the
resolver takes the release as unusable, as uv does (:meth:`.metadata.Metadata.invalid`).

Answers are facts about a published release, so they are cached for good under
``var/cache/pypi/<index>/releases``: asking again costs no network round-trip. The build
backend's answer is a fact about the release *and the interpreter that ran it*: a ``setup.py``
may decide its requirements by ``sys.version_info`` or the platform, so that answer is kept
for that interpreter (version and platform) alone, and another one asks its backend again.

A resolver asks one question at a time, and most of its time would be spent waiting for the
index; so :meth:`Releases.prefetch` fetches the pages and PEP 658 metadata files it will most
likely ask for next on a few threads (:class:`~pybuild.index.ahead.Ahead`), over the index
client's one HTTP session, while it works. Each answer is computed once, whichever thread asks
first; the others wait for it.

Example::

    >>> from packaging.version import Version
    >>> from pybuild import package_set
    >>> from pybuild.index import Index
    >>> with Index() as index, Releases(index, package_set()) as releases:
    ...     [str(r) for r in releases.metadata("greet", Version("1.0")).requires_dist]
    ['shout']
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import io
import json
import tarfile
import tempfile
import threading
import urllib.parse
import zipfile
from collections.abc import Hashable, Iterable, Sequence
from pathlib import Path
from typing import Any

from packaging.specifiers import SpecifierSet
from packaging.tags import Tag, parse_tag
from packaging.utils import canonicalize_name
from packaging.version import Version

from ..atomic import write_atomic
from ..hashing import parse_hash
from ..index import DistFile, Index, IndexUnavailable, ProjectNotFound
from ..index.ahead import Ahead, Once
from ..index.client import local_projects
from ..index.errors import show_files
from .buildsystem import (
    BuildSystem,
    applicable_requirements,
    prepare_metadata,
    read_build_system,
)
from .errors import MetadataError, NotOnIndex, ToolWithoutWheel
from .markers import marker_environment
from .metadata import Metadata, parse_metadata, reliable_sdist_metadata
from .projecttable import static_metadata

__all__ = ["Releases", "cache_root", "python_ok"]

_MEMBER_LIMIT = 16 << 20  # PKG-INFO and pyproject.toml are small; refuse absurd ones


_BUILD_SYSTEM = "build_system_2"  # 2: with hatchling's build hooks' dependencies
_METADATA = "metadata_2"  # 2: a build backend's answer is no longer served to every interpreter
_ELSEWHERE = "metadata_elsewhere"  # a wheel's for another interpreter, by this one's platform


def cache_root(index_urls: Iterable[str]) -> Path:
    """``var/cache/pypi/<key>``: one folder per list of index URLs."""
    from ..store import default_home

    key = hashlib.sha256("\n".join(index_urls).encode()).hexdigest()[:16]
    return default_home() / "var" / "cache" / "pypi" / key


class Releases:
    """The index as a generator sees it: one consistent view for one resolution."""

    def __init__(self, index: Index, pkgs: Any) -> None:
        self.index = index
        self.pkgs = pkgs
        python = pkgs.interpreter
        self.tags: list[Tag] = [t for text in python.tags for t in parse_tag(text)]
        self.env = marker_environment(python)
        self.root = cache_root(index.urls)
        self._scratch = tempfile.TemporaryDirectory(prefix="pybuild-pypi-")
        self._downloads: dict[str, Path] = {}
        self._ahead = Ahead()
        self._once = Once()
        self._guard = threading.Lock()  # over the fact files
        self._versions: dict[Hashable, list[Version]] = {}  # the index's pages do not change
        self._tag_set = frozenset(self.tags)
        # what the backend answers depends on the Python running it, and its platform
        platform = python.platform_tag
        self._prepared = f"{_METADATA} {python.implementation}-{python.version} {platform}"

    def __enter__(self) -> Releases:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._ahead.close()  # the questions under way use the scratch folder and the index
        self._scratch.cleanup()
        self.index.close()

    # -- fetching ahead ----------------------------------------------------------------------

    def prefetch(self, wanted: Sequence[tuple[str, SpecifierSet]], python: Version) -> None:
        """Start fetching, in the background, the page of each project in `wanted` and the
        PEP 658 metadata of its newest release that fits the specifier and `python`."""
        for name, spec in wanted:
            key = ("prefetch", name, str(spec))
            self._ahead.ask(functools.partial(self._fetch_ahead, name, spec, python), key)

    def prefetch_build_systems(self, releases: Iterable[tuple[str, Version]]) -> None:
        """Start reading the ``[build-system]`` of each release's sdist in the background, for
        those with no compiled wheel (the others come from a wheel). An sdist must be
        downloaded for it: one at a time, they would take most of a cold resolution."""
        for name, version in releases:
            compiled = any(
                f.kind == "wheel" and any(t.abi != "none" or t.platform != "any" for t in f.tags)
                for f in self.version_files(name, version)
            )
            if not compiled and self.sdist(name, version) is not None:
                key = ("sdist", name, version)
                self._ahead.ask(functools.partial(self.build_system, name, version), key)

    def _fetch_ahead(self, name: str, spec: SpecifierSet, python: Version) -> None:
        newest = max(spec.filter(self.usable_versions(name, python)), default=None)
        if newest is not None and any(w.core_metadata for w in self.wheels(name, newest)):
            self.metadata(name, newest)

    # -- files -----------------------------------------------------------------------------

    def files(self, name: str) -> list[DistFile]:
        """Every file of a project; a project the index lacks is :class:`NotOnIndex`."""
        try:
            return self.index.files(name)  # a page another thread is fetching is waited for
        except ProjectNotFound:
            raise NotOnIndex(str(canonicalize_name(name)), self.index.urls, self._known()) from None

    def usable_versions(
        self, name: str, python: Version, allow_yanked: bool = False
    ) -> list[Version]:
        """Versions with a file for this interpreter (and its Python), oldest first; yanked
        ones only with `allow_yanked` (PEP 592: for an exact pin)."""
        key = ("versions", name, python, allow_yanked)
        if key not in self._versions:
            self._versions[key] = self._usable_versions(name, python, allow_yanked)
        return self._versions[key]

    def _usable_versions(self, name: str, python: Version, allow_yanked: bool) -> list[Version]:
        tags = self._tag_set
        usable: dict[Version, bool] = {}  # version -> has a file that is not yanked
        for f in self.files(name):
            if f.kind == "wheel" and f.tags.isdisjoint(tags):
                continue
            if f.requires_python and not python_ok(f.requires_python, python):
                continue
            usable[f.version] = usable.get(f.version, False) or not f.yanked
        return sorted(v for v, fine in usable.items() if fine or allow_yanked)

    def yanked(self, name: str, python: Version) -> dict[Version, str]:
        """The releases that have a file for this interpreter but only yanked ones, which a
        range never takes (PEP 592): version -> the index's reason ("" when it gives none),
        oldest first, for an error to name them rather than read as if they did not exist."""
        fine = set(self.usable_versions(name, python))
        found: dict[Version, str] = {}
        for version in self.usable_versions(name, python, allow_yanked=True):
            if version not in fine:
                reasons = [f.yanked_reason for f in self.files(name) if f.version == version]
                found[version] = next((r for r in reasons if r), "")
        return found

    def python_excluded(self, name: str, python: Version) -> dict[Version, str]:
        """The releases left out of :meth:`usable_versions` (yanked ones or not) whose files'
        ``Requires-Python``, as the index lists it, excludes `python`: version -> that
        ``Requires-Python``, oldest first. An error must name them for that reason rather than
        call them missing: the index has them, for another interpreter."""
        usable = set(self.usable_versions(name, python, allow_yanked=True))
        found: dict[Version, str] = {}
        for f in self.files(name):
            if (
                f.version not in usable
                and f.requires_python
                and not python_ok(f.requires_python, python)
            ):
                found.setdefault(f.version, f.requires_python)
        return dict(sorted(found.items()))

    def other_platforms(self, name: str) -> list[str]:
        """The platforms of the project's wheels when no file of it, of any release, is for
        this interpreter's platform (no sdist, no such wheel), so that no Python version could
        install it here, as pywin32 off Windows; else none."""
        here = {t.platform for t in self.tags}
        platforms: set[str] = set()
        for f in self.files(name):
            if f.kind != "wheel" or any(t.platform in here for t in f.tags):
                return []
            platforms.update(t.platform for t in f.tags)
        return sorted(platforms)

    def version_files(self, name: str, version: Version) -> list[DistFile]:
        return [f for f in self.files(name) if f.version == version]

    def wheels(self, name: str, version: Version) -> list[DistFile]:
        """The wheels of a release that fit the interpreter, best first."""
        rank = {tag: i for i, tag in reversed(list(enumerate(self.tags)))}
        fitting = [
            f
            for f in self.version_files(name, version)
            if f.kind == "wheel" and not f.tags.isdisjoint(rank)
        ]
        return sorted(fitting, key=lambda f: (f.yanked, min(rank[t] for t in f.tags if t in rank)))

    def sdist(self, name: str, version: Version) -> DistFile | None:
        sdists = [f for f in self.version_files(name, version) if f.kind == "sdist"]
        sdists.sort(key=lambda f: (f.yanked, not f.filename.endswith(".tar.gz")))
        return sdists[0] if sdists else None

    def sri(self, file: DistFile) -> str:
        """The file's sha256 as SRI: published by the index, or learnt by downloading it."""
        if file.sha256:
            return parse_hash(file.sha256).sri
        path = self._download(file)
        return parse_hash(hashlib.sha256(path.read_bytes()).hexdigest()).sri

    # -- metadata --------------------------------------------------------------------------

    def metadata(self, name: str, version: Version, within: SpecifierSet | None = None) -> Metadata:
        """The release's core metadata, from the first source that answers (module doc).
        `within`: the versions of `name` a request allows; where the metadata cannot be
        had, the hint offers no release outside them (the user excluded it)."""
        key = ("metadata", name, version)
        return self._once(key, lambda: self._metadata(name, version, within or SpecifierSet()))

    def _metadata(self, name: str, version: Version, within: SpecifierSet) -> Metadata:
        known = self.known_metadata(name, version)
        if known is not None:
            return known
        meta, key = self._fetch_metadata(name, version, within)
        if (
            canonicalize_name(meta.name) != canonicalize_name(name)
            or Version(meta.version) != version
        ):
            raise MetadataError(
                f"{name} {version}: its metadata ({meta.source}) says {meta.name} {meta.version}"
            )
        self._store(name, version, key, meta.to_json())
        return meta

    def known_metadata(self, name: str, version: Version) -> Metadata | None:
        """The release's core metadata if it was had before (cached), else None: nothing is
        fetched or built."""
        facts = self._facts(name, version)
        for key in (self._prepared, _METADATA):
            if facts.get(key) is not None:
                return Metadata.from_json(facts[key])
        return None

    def build_system(self, name: str, version: Version) -> BuildSystem:
        """The ``[build-system]`` of the release's sdist."""
        return self._once(("sdist", name, version), lambda: self._build_system(name, version))

    def _build_system(self, name: str, version: Version) -> BuildSystem:
        cached = self._cached(name, version, _BUILD_SYSTEM)
        if cached is not None:
            return BuildSystem.from_json(cached)
        sdist = self.sdist(name, version)
        if sdist is None:
            raise MetadataError(f"{name} {version} has no sdist")
        *_, system = self._read_sdist(name, version, sdist)
        return system

    def _fetch_metadata(
        self, name: str, version: Version, within: SpecifierSet
    ) -> tuple[Metadata, str]:
        """The metadata, and the key it is cached under: one for every interpreter when it is
        static (a wheel's, a final ``PKG-INFO``), this interpreter's when the backend made it."""
        wheels = self.wheels(name, version)
        for wheel in wheels:
            if wheel.core_metadata:
                text = self._core_metadata(wheel)
                if text is not None:
                    return parse_metadata(text, "the index's metadata file, PEP 658"), _METADATA
        if wheels:
            text = self._wheel_metadata(wheels[0])
            return parse_metadata(text, "the wheel's METADATA"), _METADATA
        sdist = self.sdist(name, version)
        if sdist is None:
            files = show_files([f.filename for f in self.version_files(name, version)])
            raise MetadataError(
                f"{name} {version} has no sdist and no wheel for this interpreter"
                f" ({self.tags[0]}); its files: {files}"
            )
        pkg_info, pyproject, system = self._read_sdist(name, version, sdist)
        if pkg_info is not None and reliable_sdist_metadata(pkg_info):
            meta = parse_metadata(pkg_info, "the sdist's PKG-INFO")
            if meta.invalid() is None:  # else, as uv, no answer: the table's or the backend's
                return meta, _METADATA
        static = static_metadata(pyproject, name, str(version))
        if static is not None:
            return static, _METADATA
        from ..python.builder.unpack import unpack
        from .buildenv import tool_packages  # which imports this module

        label = f"{name} {version}"
        try:
            tools = tool_packages(self.pkgs, system, self, label)
        except ToolWithoutWheel as exc:
            direct = self.builds_with(system, label, exc.name)
            way = self._release_with_wheel_way(name, version, within)
            raise exc.of_build(label, direct, way) from None
        with tempfile.TemporaryDirectory(prefix="pybuild-sdist-") as tmp:
            dest = Path(tmp) / "src"
            dest.mkdir()
            source = unpack(self._download(sdist), dest)
            try:
                text = prepare_metadata(self.pkgs, source, system, label, tools)
            except MetadataError as exc:
                exc.hint = self._wheel_elsewhere_hint(name, version, within) or exc.hint
                raise
        meta = parse_metadata(text, "the build backend's prepare_metadata_for_build_wheel")
        return meta, self._prepared

    def metadata_elsewhere(self, name: str, version: Version) -> Metadata | None:
        """The metadata of a wheel of the release that is not for this interpreter, or None
        if it has no wheel: what the release requires where it has one. uv reads it rather
        than build the sdist (astral-sh/uv#380: a release's wheels share their metadata), and
        so learns that grpcio-tools 1.58.3, whose sdist cannot prepare its metadata on 3.12,
        requires protobuf>=4 where its wheels are for 3.11. A wheel for this platform is read
        first, and one with a PEP 658 file: no other wheel is downloaded."""
        key = ("elsewhere", name, version)
        return self._once(key, lambda: self._metadata_elsewhere(name, version))

    def _metadata_elsewhere(self, name: str, version: Version) -> Metadata | None:
        key = f"{_ELSEWHERE} {self.tags[0].platform}"
        cached = self._cached(name, version, key)
        if cached is not None:
            return Metadata.from_json(cached)
        here = {t.platform for t in self.tags}
        wheels = sorted(
            (f for f in self.version_files(name, version) if f.kind == "wheel"),
            key=lambda f: (
                f.yanked,
                all(t.platform not in here for t in f.tags),
                not f.core_metadata,
            ),
        )
        if not wheels:
            return None
        wheel = wheels[0]
        text = self._core_metadata(wheel) if wheel.core_metadata else None
        if text is None:
            text = self._wheel_metadata(wheel)
        meta = parse_metadata(text, f"{wheel.filename}'s METADATA")
        if (
            canonicalize_name(meta.name) != canonicalize_name(name)
            or Version(meta.version) != version
        ):
            return None
        self._store(name, version, key, meta.to_json())
        return meta

    def _wheel_elsewhere_hint(self, name: str, version: Version, within: SpecifierSet) -> str:
        """What to do when a release that has wheels, none for this interpreter, must be built
        from its sdist (orjson 3.9.10 on 3.13, a Rust build): take a release with a wheel for
        it, or an interpreter it has wheels for, as uv would install either without building.
        A release the request excludes (`within`) is not offered: where no release within it
        has a wheel here, that is said instead. Empty if the release has no wheel at all: its
        sdist is all there is."""
        files = self.version_files(name, version)
        if not any(f.kind == "wheel" for f in files):
            return ""
        with_wheel = self._with_wheel(name, within)
        fitting = _newest_before(with_wheel, version)
        ways = [f"a release with a wheel for it (pypi:{name}=={fitting})"] if fitting else []
        if python := newest_python(files, self.tags):
            ways.append(f"an interpreter its wheels are for (--python {python})")
        none = within and not with_wheel
        none_within = f", and no release {name}{within} has one" if none else ""
        choose = f": choose {' or '.join(ways)}" if ways else ""
        return (
            f"{name} {version} has no wheel for this interpreter ({self.tags[0]}), so it is"
            f" built from its sdist{none_within}{choose}"
        )

    def _with_wheel(self, name: str, within: SpecifierSet) -> list[Version]:
        """The releases of `name` `within` the versions asked for with a wheel for this
        interpreter, oldest first."""
        python = Version(self.pkgs.interpreter.version)
        usable = within.filter(self.usable_versions(name, python), prereleases=True)
        return [v for v in usable if self.wheels(name, v)]

    def _release_with_wheel_way(self, name: str, version: Version, within: SpecifierSet) -> str:
        """The way out of a build of `name` `version`'s sdist that cannot be had: an older
        release `within` the versions asked for with a wheel for this interpreter, which is
        installed unbuilt; "" when it has none."""
        fitting = _newest_before(self._with_wheel(name, within), version)
        if fitting is None:
            return ""
        return (
            f"choose a release of {name} with a wheel for this interpreter (pypi:{name}=={fitting})"
        )

    def builds_with(self, system: BuildSystem, label: str, name: str) -> bool:
        """Whether project `name` is among the build requirements of `system` (`label`'s)
        that apply here, rather than something they need."""
        return any(
            canonicalize_name(req.name) == name
            for _, req in applicable_requirements(system, self.env, label)
        )

    def _core_metadata(self, wheel: DistFile) -> str | None:
        """The PEP 658 metadata file of `wheel`, or None if the index does not really have it."""
        hashes = wheel.core_metadata if isinstance(wheel.core_metadata, dict) else {}
        file = dataclasses.replace(
            wheel,
            filename=wheel.filename + ".metadata",
            url=_with_suffix(wheel.url, ".metadata"),
            sha256=hashes.get("sha256"),
        )
        target = Path(self._scratch.name) / file.filename
        try:
            self.index.download(file, target)
        except IndexUnavailable:
            return None
        return target.read_text(encoding="utf-8")

    def _wheel_metadata(self, wheel: DistFile) -> str:
        with zipfile.ZipFile(self._download(wheel)) as zf:
            candidates = [
                n for n in zf.namelist() if n.count("/") == 1 and n.endswith(".dist-info/METADATA")
            ]
            if not candidates:
                raise MetadataError(f"{wheel.filename} has no .dist-info/METADATA")
            return zf.read(candidates[0]).decode("utf-8")

    def _read_sdist(
        self, name: str, version: Version, sdist: DistFile
    ) -> tuple[str | None, str | None, BuildSystem]:
        """PKG-INFO, pyproject.toml and the build system of an sdist (the last is cached)."""
        members = _sdist_members(self._download(sdist), ("PKG-INFO", "pyproject.toml"))
        pyproject = members.get("pyproject.toml")
        system = read_build_system(pyproject, sdist.filename)
        self._store(name, version, _BUILD_SYSTEM, system.to_json())
        return members.get("PKG-INFO"), pyproject, system

    # -- plumbing --------------------------------------------------------------------------

    def _download(self, file: DistFile) -> Path:
        if file.filename not in self._downloads:
            target = Path(self._scratch.name) / file.filename
            self.index.download(file, target)
            self._downloads[file.filename] = target
        return self._downloads[file.filename]

    def _fact_file(self, name: str, version: Version) -> Path:
        return self.root / "releases" / str(canonicalize_name(name)) / f"{version}.json"

    def _cached(self, name: str, version: Version, key: str) -> Any:
        return self._facts(name, version).get(key)

    def _facts(self, name: str, version: Version) -> dict[str, Any]:
        """What is known of the release, by key; nothing if its file is missing or damaged."""
        try:
            facts = json.loads(self._fact_file(name, version).read_text())
        except (OSError, ValueError):
            return {}
        return facts if isinstance(facts, dict) else {}

    def _store(self, name: str, version: Version, key: str, value: object) -> None:
        with self._guard:
            data = self._facts(name, version)
            data[key] = value
            write_atomic(self._fact_file(name, version), json.dumps(data, indent=1, sort_keys=True))

    def _known(self) -> list[str]:
        """Project names to suggest from: the set's recipes and a local index's folders."""
        return [n.replace("_", "-") for n in self.pkgs.packages()] + local_projects(self.index.urls)


def _newest_before(versions: Sequence[Version], version: Version) -> Version | None:
    """The newest of `versions` (oldest first) older than `version`, the one a hint offers: a
    resolver comes to a release after the newer ones, so a newer one, which a hint offered
    (grpcio-tools 1.85.4 where ``protobuf<4`` holds it at 1.48.2), was found not to fit."""
    older = [v for v in versions if v < version]
    return older[-1] if older else None


def newest_python(files: Sequence[DistFile], tags: Sequence[Tag]) -> str:
    """``3.Y`` of the newest CPython 3 that a wheel among `files` is for on the platform of
    `tags` (``cp310`` -> ``3.10``), or ``""`` when none is: the ``--python`` a hint offers."""
    platforms = {t.platform for t in tags}
    minors = [
        int(t.interpreter[3:])
        for f in files
        if f.kind == "wheel"
        for t in f.tags
        if t.platform in platforms and t.interpreter[:3] == "cp3" and t.interpreter[3:].isdigit()
    ]
    return f"3.{max(minors)}" if minors else ""


@functools.lru_cache(maxsize=4096)
def python_ok(requires: str, python: Version) -> bool:
    """Whether `python` meets a ``Requires-Python``; a malformed one is ignored, as pip does."""
    try:
        return SpecifierSet(requires).contains(python, prereleases=True)
    except ValueError:
        return True


def _with_suffix(url: str, suffix: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path=parts.path + suffix))


def _sdist_members(path: Path, wanted: Iterable[str]) -> dict[str, str]:
    """The text of top-level files of an sdist (``<name>-<version>/<file>``), when present."""
    wanted = set(wanted)
    found: dict[str, str] = {}
    if path.name.endswith(".zip"):
        with zipfile.ZipFile(path) as zf:
            for info in zf.infolist():
                parts = info.filename.split("/")
                if len(parts) == 2 and parts[1] in wanted and info.file_size < _MEMBER_LIMIT:
                    found.setdefault(parts[1], zf.read(info).decode("utf-8", "replace"))
        return found
    try:
        with tarfile.open(path) as tar:
            for member in tar:
                parts = member.name.lstrip("./").split("/")
                if len(parts) == 2 and parts[1] in wanted and member.isfile():
                    if member.size >= _MEMBER_LIMIT:
                        continue
                    data = tar.extractfile(member)
                    if data is not None:
                        found.setdefault(
                            parts[1], io.TextIOWrapper(data, "utf-8", "replace").read()
                        )
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise MetadataError(f"cannot read the sdist {path.name}: {exc}") from None
    return found
