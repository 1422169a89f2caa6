"""Which file each generated package is built from: its sdist, or its wheel.

A project is built from its sdist, as nixpkgs builds from source, when it ships no compiled
wheels and its ``[build-system]`` can be met (:mod:`.buildenv`: the set's tools, else tools
from the index); the build tools taken from the index are pinned to their wheels too. Only
when the sdist cannot be built here does a project that has a wheel for the set's interpreter
come from that wheel, as pip and uv would install it, and the choice is written in the
recipe's docstring; so does an sdist that declares no build backend (``setup.py`` alone), whose
build requirements (``setup_requires``) are known only once it runs, and one that compiles Rust
(maturin, setuptools-rust), since no Rust compiler is among the set's tools; such an sdist,
when the release's wheels (or those a lock allows) are all for other platforms, is refused
rather than built to fail. The setting
``prefer = "sdist"`` makes the first an error and the second a build from the sdist, for users
who insist on building from source; ``prefer = "wheel"`` takes the wheel of every project that
has one, as pip and uv do, for a project whose sdist builds but builds wrong (rst2html5's
leaves out its module with today's poetry-core). A project with compiled wheels comes from the
wheel that fits the interpreter best.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from packaging.requirements import Requirement
from packaging.tags import Tag
from packaging.utils import canonicalize_name

from ..index.errors import show_files
from .buildenv import BuildEnv, build_env
from .buildsystem import LEGACY_BACKEND, applicable_requirements
from .errors import MissingBuildBackend, NoFittingFile, RustSdistOnly, ToolWithoutWheel
from .releases import Releases, newest_python
from .resolver import Chosen, Req

__all__ = ["Pin", "Pinner", "preference"]


@dataclass
class Pin:
    """One project of a plan: the set's recipe, or a release of the index to generate."""

    attr: str
    pname: str
    version: str
    origin: str  # "set" or "index"
    dependencies: list[str] = field(default_factory=list)
    optional: dict[str, list[str]] = field(default_factory=dict)
    kind: str = ""
    filename: str = ""
    url: str = ""
    hash: str = ""
    build_system: list[str] = field(default_factory=list)
    backend: str = ""
    metadata_source: str = ""
    summary: str = ""
    notes: list[str] = field(default_factory=list)  # choices a user should know of
    wheel: str = ""  # built from the sdist: the wheel pip and uv would install instead
    remove_deps: list[str] = field(default_factory=list)  # requirements cut from a cycle


def preference() -> str:
    """The ``prefer`` setting: ``"sdist"`` refuses a wheel where the sdist cannot build,
    ``"wheel"`` takes a wheel wherever there is one, ``"any"`` neither (load_settings refuses
    any other value)."""
    from ..settings import load_settings

    return str(load_settings().prefer)


class Pinner:
    """Makes the pins of a plan: one per package, and the build tools the sdists need.

    `used` maps each project met by a recipe of the set (at run time or while building) to
    ``(attribute, version)``, for the plan cache to check the set still holds it.
    """

    def __init__(self, releases: Releases, pkgs: Any, prefer: str = "any") -> None:
        self.releases, self.pkgs = releases, pkgs
        self.prefer_sdist, self.prefer_wheel = prefer == "sdist", prefer == "wheel"
        self.pins: dict[str, Pin] = {}
        self.used: dict[str, tuple[str, str]] = {}
        self._taken: dict[str, str] = {}  # attribute -> version, of the index's packages
        self._resolutions: dict[int, dict[str, Chosen]] = {}  # by id, kept alive

    def add(
        self,
        entry: Chosen,
        chosen: dict[str, Chosen],
        allowed: set[str] | None = None,
        build_tool: bool = False,
    ) -> None:
        """Pin `entry` of the resolution `chosen`; `allowed` are the sha256 its file may have
        (from ``--hash`` or a lock); a `build_tool` comes from its wheel."""
        if build_tool and entry.attr in self.pins:
            return  # the same release is in the plan already
        if id(chosen) not in self._resolutions:  # once per resolution: a plan may have thousands
            self._resolutions[id(chosen)] = chosen
            self._taken.update(
                (e.attr, str(e.version)) for e in chosen.values() if e.origin == "index"
            )
        pin = Pin(
            attr=entry.attr,
            pname=entry.name,
            version=str(entry.version),
            origin=entry.origin,
            dependencies=_flatten(entry.requirements, chosen, {entry.name}),
            optional={
                e: _flatten(reqs, chosen, {entry.name})
                for e, reqs in sorted(entry.extra_requirements.items())
            },
            notes=list(entry.notes),
        )
        if entry.origin == "set":
            self.pins[pin.attr] = pin
            self.used[entry.name] = (pin.attr, pin.version)
            return
        self._choose_file(pin, entry, allowed, build_tool)
        self.pins[pin.attr] = pin

    def _choose_file(
        self, pin: Pin, entry: Chosen, allowed: set[str] | None, build_tool: bool
    ) -> None:
        releases = self.releases
        label = f"{entry.name} {entry.version}"
        files = releases.version_files(entry.name, entry.version)

        def fits(f: Any) -> bool:
            return allowed is None or (f.sha256 is not None and f.sha256 in allowed)

        sdist = releases.sdist(entry.name, entry.version)
        sdist = sdist if sdist is not None and fits(sdist) and not build_tool else None
        wheels = [w for w in releases.wheels(entry.name, entry.version) if fits(w)]
        compiled = any(f.kind == "wheel" and not _pure(f.tags) for f in files)
        env = None
        if sdist is not None and wheels and self.prefer_wheel:
            pin.notes.append(
                f"{label} comes from its wheel {wheels[0].filename}, as prefer = wheel asks"
            )
        elif sdist is not None and (not wheels or not compiled):
            system = releases.build_system(entry.name, entry.version)
            pin.backend = system.backend.split(":")[0]
            rust = "" if self.prefer_sdist else _rust_of(system, releases, label)
            if system.backend == LEGACY_BACKEND and wheels and not self.prefer_sdist:
                pin.notes.append(
                    f"{label} comes from its wheel {wheels[0].filename}, as its sdist declares"
                    " no build backend: what its setup.py needs to build (setup_requires) is"
                    " known only once it runs"
                )
            elif rust and wheels:
                pin.notes.append(
                    f"{label} comes from its wheel {wheels[0].filename}, as its sdist compiles"
                    f" Rust ({rust} in its build requirements) and no Rust compiler is among"
                    " the set's tools"
                )
            elif rust and any(f.kind == "wheel" for f in files):
                raise _rust_sdist_alone(entry, rust, allowed, files, releases)
            else:
                env = self._build_env(pin, system, label, wheels)
            if env is not None and wheels and env.includes(entry.name):
                env = None  # a build tool of its own build (setuptools): its wheel, as in the set
        if sdist is not None and env is not None:
            file = sdist
            if allowed is not None and not wheels:
                pin.notes += _sdist_for_want_of_wheel(label, allowed, files, releases.tags)
            pin.build_system = env.attrs
            pin.wheel = wheels[0].filename if wheels else ""
            self.used.update(env.set_used)
            for tool in env.generated.values():
                self.add(tool, env.chosen, build_tool=True)
        elif wheels:
            file = wheels[0]
            pin.backend = ""
        elif build_tool:
            raise _tool_without_wheel(entry, files, releases.tags)
        elif allowed is not None:
            raise _hash_mismatch(entry, allowed, files, releases)
        else:
            shown = show_files([f.filename for f in files])
            raise NoFittingFile(
                entry.name, f"{label}: no file fits this interpreter; its files: {shown}"
            )
        if file.yanked:  # an exact pin alone takes it (PEP 592): never silently
            reason = f" (reason: {file.yanked_reason})" if file.yanked_reason else ""
            pin.notes.append(f"warning: {label} is yanked{reason}, and taken as pinned exactly")
        meta = releases.metadata(entry.name, entry.version)
        pin.kind = file.kind
        pin.filename, pin.url, pin.hash = file.filename, file.url, releases.sri(file)
        pin.metadata_source, pin.summary = meta.source, meta.summary

    def _build_env(
        self, pin: Pin, system: Any, label: str, wheels: Sequence[Any]
    ) -> BuildEnv | None:
        """The sdist's build environment, or None (and a note) to take the wheel instead: when
        neither the set nor the index can meet its build requirements, or a build tool taken
        from the index has no wheel here (build tools come from wheels): either way the sdist
        cannot be built here, and the wheel is what pip and uv would install."""
        try:
            env = build_env(self.pkgs, system, self.releases, label, self._taken)
            self._wheels_of_tools(env, system, label)
            return env
        except (MissingBuildBackend, ToolWithoutWheel) as exc:
            if not wheels:
                raise
            if self.prefer_sdist:
                exc.hint = (
                    f"{exc.hint}; or allow {label}'s wheel, {wheels[0].filename}, with the"
                    " setting prefer = any (it is prefer = sdist)"
                )
                raise
            pin.notes.append(
                f"{label} comes from its wheel {wheels[0].filename}, as its sdist cannot be"
                f" built here: {_why_not_built(exc)}"
            )
            return None

    def _wheels_of_tools(self, env: BuildEnv, system: Any, label: str) -> None:
        """Raises :class:`ToolWithoutWheel`, naming `label`'s build, when a build tool `env`
        takes from the index has no wheel for this interpreter; before any is pinned, so that
        a wheel taken instead leaves no tool of a build that never happens in the plan."""
        releases = self.releases
        for tool in env.generated.values():
            if not releases.wheels(tool.name, tool.version):
                files = releases.version_files(tool.name, tool.version)
                direct = releases.builds_with(system, label, tool.name)
                raise _tool_without_wheel(tool, files, releases.tags).of_build(label, direct)


def _why_not_built(exc: MissingBuildBackend | ToolWithoutWheel) -> str:
    """Why an sdist cannot be built, on one line, without the error's hint (to add a recipe):
    a missing backend's whole account (what the index said after the newline too); a tool's
    first line, which names it and says it has no wheel here, not the list of its files."""
    if isinstance(exc, ToolWithoutWheel):
        return str(exc.args[0]).splitlines()[0]
    return " ".join(str(exc.args[0]).split())


# Build back-ends and plugins that drive cargo: an sdist naming one needs a Rust compiler,
# which is no Python package (the set cannot provide it, as it provides ninja or cmake).
_RUST_FRONT_ENDS = frozenset({"maturin", "setuptools-rust"})


def _rust_of(system: Any, releases: Releases, label: str) -> str:
    """The Rust front-end among the sdist's build requirements that apply here, or ``""``."""
    return _rust_front_end(applicable_requirements(system, releases.env, label))


def _compiles_rust(rust: str) -> str:
    return (
        f"its sdist compiles Rust ({rust} in its build requirements): no Rust compiler is among"
        " the set's tools"
    )


def _rust_sdist_alone(
    entry: Chosen, rust: str, allowed: set[str] | None, files: Sequence[Any], releases: Releases
) -> RustSdistOnly:
    """The error for a release whose only file that fits here (or that it is locked or
    required with) is an sdist compiling Rust, though it has wheels elsewhere (orjson locked
    for macOS, on Linux): its build would fail for want of a Rust compiler, after the recipe
    was written, where the way out is a wheel for this platform: a lock made here (or for
    every platform), or a release or interpreter that has one."""
    label = f"{entry.name} {entry.version}"
    tags = releases.tags
    hashed = [f for f in files if f.kind == "wheel" and allowed and f.sha256 in allowed]
    mine = releases.wheels(entry.name, entry.version)
    if hashed:
        said = f"{label}: {_locked_wheels(hashed, tags)}"
    elif mine:  # locked or required with its sdist alone
        said = f"{label}: no wheel for this interpreter is among the files it is locked or"
        said += " required with"
    else:
        said = f"{label}'s wheels are for {_wheels_for(files, tags)}"
    here = _with_hashes(mine[:1]) if mine else ""
    message = f"{said}, and {_compiles_rust(rust)}"
    return RustSdistOnly(entry.name, message, here, tags[0].platform, allowed is not None)


def _tool_without_wheel(
    entry: Chosen, files: Sequence[Any], tags: Sequence[Tag]
) -> ToolWithoutWheel:
    """The error for a build tool whose release has no wheel for the interpreter of `tags`:
    what its files are (an sdist among them is said, not cut off a list of dozens of wheels),
    and the newest Python its wheels are for on this platform, for the hint."""
    label = f"{entry.name} {entry.version}"
    wheels = [f for f in files if f.kind == "wheel"]
    said = [f"its wheels are for {_wheels_for(files, tags)}"] if wheels else ["it has no wheel"]
    sdists = len(files) - len(wheels)
    if sdists:
        said.append("it has an sdist" if sdists == 1 else f"it has {sdists} sdists")
    described = f"{label}: {'; '.join(said)} ({len(files)} files)"
    return ToolWithoutWheel(entry.name, label, str(tags[0]), described, newest_python(files, tags))


_SHOWN = 4  # platforms or interpreters named before the rest are counted


def _wheels_for(files: Sequence[Any], tags: Sequence[Tag]) -> str:
    """What a release's wheels, none of which fits the interpreter of `tags`, are for: their
    interpreters if some is for this platform, the newest of them (thinc 8.0.17's ``cp37,
    cp38, cp39, cp310 and 1 older``), else their platforms (orjson has dozens)."""
    wheel_tags = [t for f in files if f.kind == "wheel" for t in f.tags]
    platforms = {t.platform for t in tags}
    if any(t.platform in platforms for t in wheel_tags):
        names = sorted({t.interpreter for t in wheel_tags}, key=lambda i: (len(i), i))
        older = len(names) - _SHOWN
        return ", ".join(names[-_SHOWN:]) + (f" and {older} older" if older > 0 else "")
    names = sorted({t.platform for t in wheel_tags})
    more = len(names) - _SHOWN
    return ", ".join(names[:_SHOWN]) + (f" and {more} more" if more > 0 else "")


_HASHED_SHOWN = 5  # files of a release named with their hashes when none has the one given


def _hash_mismatch(
    entry: Chosen, allowed: set[str], files: Sequence[Any], releases: Releases
) -> NoFittingFile:
    """Why no file of a release fits the hashes given, as pip's "Expected sha256 X, Got Y":
    the hashes, and the files this interpreter could take, each with the sha256 the index
    publishes, so that a user sees which one is wrong (a stale lock, a file replaced). A hash
    that is a file's which does not fit here (numpy's win_amd64 wheel, hashed by a lock made
    on Windows) is said to be that file's, with what it is for: the hashes are right, only
    for another machine."""
    sdist = releases.sdist(entry.name, entry.version)
    wheels = releases.wheels(entry.name, entry.version)
    here = [*wheels, *([sdist] if sdist else [])]
    label = f"{entry.name} {entry.version}"
    hashed = [f for f in files if f.sha256 in allowed]
    if hashed:
        rust = ""
        if sdist is not None:
            rust = _rust_of(releases.build_system(entry.name, entry.version), releases, label)
        buildable = wheels if rust else here  # a Rust sdist is no file to hash for here
        error = _hashed_elsewhere(entry.name, label, allowed, hashed, buildable, releases.tags)
        if rust and not buildable:
            error.hint = (
                f"{label} has no file for this interpreter and platform, as {_compiles_rust(rust)};"
                " ask for another release"
            )
        return error
    usable = here or list(files)
    given = ", ".join(f"sha256:{h}" for h in sorted(allowed))
    are = "hashes given are" if len(allowed) > 1 else "hash given is"
    more = len(files) - min(len(usable), _HASHED_SHOWN)
    others = f", and {more} more" if more else ""
    return NoFittingFile(
        entry.name,
        f"{label}: no file fits the hashes it is locked or required with;"
        f" the {are} {given}; its files are {_with_hashes(usable[:_HASHED_SHOWN])}{others}",
    )


def _with_hashes(files: Sequence[Any]) -> str:
    """Files' names, each with the sha256 the index publishes for it."""
    return ", ".join(
        f"{f.filename} " + (f"sha256:{f.sha256}" if f.sha256 else "(the index gives no sha256)")
        for f in files
    )


def _hashed_elsewhere(
    name: str,
    label: str,
    allowed: set[str],
    hashed: Sequence[Any],
    here: Sequence[Any],
    tags: Sequence[Tag],
) -> NoFittingFile:
    """The error for hashes of files that are the release's but do not fit this interpreter
    (`tags`): whose each hash is and what that file is for, with the files `here` that
    would fit, whose hashes to add."""
    parts = [f"{f.filename}'s, {_made_for(f, tags)}" for f in hashed]
    unknown = sorted(allowed - {f.sha256 for f in hashed})
    parts += [f"sha256:{h}, no file's" for h in unknown]
    if len(parts) == 1:
        said = f"the hash given is {parts[0]}"
    else:
        said = f"the hashes given are {'; '.join(parts)}"
    error = NoFittingFile(
        name, f"{label}: {said}; no file for this interpreter and platform is hashed"
    )
    fitting = f" ({_with_hashes(here[:2])})" if here else ""
    error.hint = (
        f"add the hash of this machine's file{fitting}, or generate hashes of every"
        " platform's files (uv's --universal)"
        if here
        else f"{label} has no file for this interpreter and platform: ask for another release"
    )
    return error


def _sdist_for_want_of_wheel(
    label: str, allowed: set[str], files: Sequence[Any], tags: Sequence[Tag]
) -> list[str]:
    """The note for a release built from its sdist though it is locked (or required) with
    wheels too, none of which fits the interpreter of `tags` (numpy locked on Windows to its
    sdist and its win_amd64 wheel): the lock chose a wheel, this machine builds the sdist."""
    hashed = [f for f in files if f.kind == "wheel" and f.sha256 in allowed]
    if not hashed:
        return []
    which = _locked_wheels(hashed, tags)
    return [
        f"{label} is built from its sdist: {which}, and none is for this interpreter and platform"
    ]


def _locked_wheels(hashed: Sequence[Any], tags: Sequence[Tag]) -> str:
    """The wheels a release is locked or required with, none fitting the interpreter of
    `tags`, each with what it is for."""
    if len(hashed) == 1:
        return (
            f"the wheel it is locked or required with, {hashed[0].filename}, is"
            f" {_made_for(hashed[0], tags)}"
        )
    named = "; ".join(f"{f.filename}, {_made_for(f, tags)}" for f in hashed)
    return f"the wheels it is locked or required with are {named}"


def _made_for(file: Any, tags: Sequence[Tag]) -> str:
    """What a file that does not fit the interpreter of `tags` is for, in words: a wheel's
    platforms (``a wheel for win_amd64``), or its interpreters when it is for this platform
    (``a wheel for cp312``)."""
    if file.kind != "wheel":
        return "an sdist"
    platforms = {t.platform for t in tags}
    if any(t.platform in platforms for t in file.tags):
        return f"a wheel for {', '.join(sorted({t.interpreter for t in file.tags}))}"
    return f"a wheel for {', '.join(sorted({t.platform for t in file.tags}))}"


def _rust_front_end(requires: Sequence[tuple[str, Requirement]]) -> str:
    """The Rust front-end among build requirements (``setuptools-rust>=1.5``), or ``""``.
    A wheel tagged pure may still ship what its sdist compiles (selenium's wheel bundles
    selenium-manager), so a project with no compiled wheel can need Rust all the same."""
    for _, req in requires:
        name = canonicalize_name(req.name)
        if name in _RUST_FRONT_ENDS:
            return str(name)
    return ""


def _pure(tags: frozenset[Tag]) -> bool:
    return all(t.abi == "none" and t.platform == "any" for t in tags)


def _flatten(reqs: Sequence[Req], chosen: dict[str, Chosen], visiting: set[str]) -> list[str]:
    """Attributes for requirements, each extra replaced by what it adds (as nixpkgs writes
    ``[dep] ++ dep.optional-dependencies.extra``)."""
    attrs: list[str] = []
    for req in reqs:
        target = chosen[req.name]
        if req.name not in visiting:
            attrs.append(target.attr)
        for extra in sorted(req.extras):
            key = f"{req.name}[{extra}]"
            if key in visiting:
                continue
            extra_reqs = target.extra_requirements.get(extra, [])
            attrs += _flatten(extra_reqs, chosen, {*visiting, key})
    return list(dict.fromkeys(attrs))
