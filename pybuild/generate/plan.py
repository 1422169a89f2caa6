"""Plans: what a request resolves to, which file each package is built from, and the cache.

A :class:`Request` (requirements, constraints, hashes, which index) is resolved into a
:class:`Plan`: one :class:`Pin` per project, either the set's own recipe or a release from the
index with the file to fetch (sdist when it builds with the set's tools and the project ships
no compiled wheels, else the wheel for the set's interpreter), its hash, build system and
dependencies as attribute names. Requirement hashes (``--hash``, lock files) restrict the
files to those very bytes.

Plans are cached under ``var/cache/pypi/<index>/plans``, keyed by the request, the index and
the interpreter, together with what the set held for every project involved; a cached plan is
used only while the set still holds exactly that, so a repeated request costs no network
round-trip and a changed set is never ignored. A request that pins nothing is asked again
after a day (the index moves on), but a stale plan still serves when the index is out of reach.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from packaging.specifiers import SpecifierSet
from packaging.tags import Tag
from packaging.utils import canonicalize_name

from ..atomic import write_atomic
from ..errors import PybuildError, UsageError
from ..importers.requirements import RequirementLine
from ..lazy import force
from .buildsystem import build_tools
from .errors import GenerateError
from .names import set_attrs
from .releases import Releases, cache_root
from .render import recipe_text
from .resolver import Chosen, Req, resolve

__all__ = ["Pin", "Plan", "Request", "get_plan", "recipe_files"]

_UNPINNED_TTL = 24 * 3600
_FORMAT = 1


@dataclass(frozen=True)
class Request:
    """What to resolve: root requirements (with their hashes), constraints, which index."""

    requirements: tuple[RequirementLine, ...]
    constraints: tuple[RequirementLine, ...] = ()
    index_urls: tuple[str, ...] | None = None
    all_from_index: bool = False
    overlay: bool = False

    def key(self, python: str) -> str:
        text = json.dumps(
            {
                "format": _FORMAT,
                "requirements": sorted(f"{r.requirement} {r.hashes}" for r in self.requirements),
                "constraints": sorted(str(r.requirement) for r in self.constraints),
                "all": self.all_from_index,
                "overlay": self.overlay,
                "python": python,
            },
            sort_keys=True,
        )
        return hashlib.sha256(text.encode()).hexdigest()[:32]

    def pinned(self) -> bool:
        return all(
            any(
                s.operator in ("==", "===") and "*" not in s.version
                for s in r.requirement.specifier
            )
            for r in self.requirements
        )


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


@dataclass
class Root:
    """A requested project: its attribute and the extras asked for."""

    attr: str
    extras: list[str]
    name: str


@dataclass
class Plan:
    """The outcome of a request: its roots and a pin for every project they need."""

    roots: list[Root]
    pins: dict[str, Pin]
    observed: dict[str, dict[str, Any]]  # project -> the set's attrs, and the one used
    python: str  # the interpreter the markers were decided for, in words
    index_urls: list[str] = field(default_factory=list)
    pin_urls: bool = False

    def generated(self) -> list[Pin]:
        return [p for p in self.pins.values() if p.origin == "index"]

    def extra_attrs(self, attr: str, extras: Sequence[str]) -> list[str]:
        """The attributes `extras` of `attr` add."""
        pin = self.pins[attr]
        return list(dict.fromkeys(a for e in extras for a in pin.optional.get(e, [])))

    def root_attrs(self) -> list[str]:
        """The roots and what their extras add: the packages of the request's environment."""
        attrs = []
        for root in self.roots:
            attrs += [root.attr, *self.extra_attrs(root.attr, root.extras)]
        return list(dict.fromkeys(attrs))

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Plan:
        return cls(
            roots=[Root(**r) for r in data["roots"]],
            pins={k: Pin(**v) for k, v in data["pins"].items()},
            observed=data["observed"],
            python=data["python"],
            index_urls=list(data.get("index_urls", [])),
            pin_urls=data.get("pin_urls", False),
        )


def get_plan(pkgs: Any, request: Request, refresh: bool = False) -> Plan:
    """The plan for `request` in `pkgs`: from the cache while it still holds, else resolved."""
    from ..evalcache import volatile
    from ..index import Index, IndexUnavailable

    if not request.pinned():
        volatile("a plan for an unpinned request expires")
    index = Index(list(request.index_urls) if request.index_urls is not None else None)
    python = pkgs.interpreter.identity
    cache = cache_root(index.urls) / "plans" / f"{request.key(python)}.json"
    stale = None
    if not refresh:
        entry = _load(cache)
        if entry is not None and _still_holds(pkgs, entry["plan"]):
            fresh = request.pinned() or time.time() - entry["created"] < _UNPINNED_TTL
            if fresh:
                index.close()
                return entry["plan"]
            stale = entry["plan"]
    try:
        with Releases(index, pkgs) as releases:
            plan = make_plan(pkgs, request, releases)
    except IndexUnavailable:
        if stale is None:
            raise
        return stale
    _save(cache, plan)
    _remember_files(plan)
    return plan


def make_plan(pkgs: Any, request: Request, releases: Releases) -> Plan:
    """Resolve `request` against the index and the set, and choose every file."""
    env = releases.env
    roots: list[Req] = []
    hashes: dict[str, set[str]] = {}
    for line in request.requirements:
        req = line.requirement
        if req.marker is not None and not req.marker.evaluate({**env, "extra": ""}):
            continue
        roots.append(Req.of(req, line.where))
        if line.hashes:
            sha = line.sha256()
            if not sha:
                raise UsageError(
                    f"{line.where}: only sha256 hashes can be checked against the index"
                )
            hashes[line.name] = hashes.get(line.name, set()) | sha
    if not roots:
        raise UsageError("nothing to resolve: no requirement applies to this interpreter")
    constraints: dict[str, SpecifierSet] = {}
    for line in request.constraints:
        constraints[line.name] = (
            constraints.get(line.name, SpecifierSet()) & line.requirement.specifier
        )
    chosen = resolve(
        releases,
        pkgs,
        roots,
        constraints=constraints,
        all_from_index=request.all_from_index,
        overlay=request.overlay,
    )
    pins: dict[str, Pin] = {}
    used: dict[str, tuple[str, str]] = {}  # project -> (attr, version) of set recipes used
    for entry in chosen.values():
        pin = _pin(entry, chosen, releases, pkgs, hashes.get(entry.name), used)
        pins[pin.attr] = pin
        if pin.origin == "set":
            used[entry.name] = (pin.attr, pin.version)
    observed = {
        name: {
            "attrs": set_attrs(pkgs, name),
            "used": list(used[name]) if name in used else None,
        }
        for name in sorted({*chosen, *used})
    }
    return Plan(
        roots=[Root(chosen[r.name].attr, sorted(r.extras), r.name) for r in roots],
        pins=pins,
        observed=observed,
        python=_describe(env),
        index_urls=list(releases.index.urls),
        pin_urls=request.index_urls is not None,
    )


def _remember_files(plan: Plan) -> None:
    """Tell ``fetch_pypi`` where each generated recipe's file is, as it would remember after
    finding it itself: evaluating the recipes then needs no index."""
    from ..fetchers import remember_file

    for pin in plan.generated():
        remember_file(pin.hash, pin.pname, pin.version, pin.kind, pin.url, pin.filename)


def _describe(env: dict[str, str]) -> str:
    words = [
        env.get("platform_python_implementation", "Python"),
        env.get("python_full_version", ""),
        "on",
        env.get("sys_platform", ""),
        env.get("platform_machine", ""),
    ]
    return " ".join(w for w in words if w)


def _pin(
    entry: Chosen,
    chosen: dict[str, Chosen],
    releases: Releases,
    pkgs: Any,
    allowed: set[str] | None,
    used: dict[str, tuple[str, str]],
) -> Pin:
    deps = _flatten(entry.requirements, chosen, {entry.name})
    optional = {
        e: _flatten(reqs, chosen, {entry.name})
        for e, reqs in sorted(entry.extra_requirements.items())
    }
    pin = Pin(
        attr=entry.attr,
        pname=entry.name,
        version=str(entry.version),
        origin=entry.origin,
        dependencies=deps,
        optional=optional,
    )
    if entry.origin == "set":
        return pin
    label = f"{entry.name} {entry.version}"
    files = releases.version_files(entry.name, entry.version)

    def fits(f: Any) -> bool:
        return allowed is None or (f.sha256 is not None and f.sha256 in allowed)

    sdist = releases.sdist(entry.name, entry.version)
    sdist = sdist if sdist is not None and fits(sdist) else None
    wheels = [w for w in releases.wheels(entry.name, entry.version) if fits(w)]
    compiled = any(f.kind == "wheel" and not _pure(f.tags) for f in files)
    tools = None
    if sdist is not None and (not wheels or not compiled):
        system = releases.build_system(entry.name, entry.version)
        tools = build_tools(pkgs, system, releases.env, label)
        if wheels and _builds_itself(entry.name, tools):
            tools = None  # a build tool of its own build (setuptools): its wheel, as in the set
    if sdist is not None and tools is not None:
        file = sdist
        pin.build_system = [attr for attr, _ in tools]
        pin.backend = system.backend.split(":")[0]
        used.update((str(canonicalize_name(p.pname)), (a, p.version)) for a, p in tools)
    elif wheels:
        file = wheels[0]
    else:
        where = "the hashes it is locked or required with" if allowed else "this interpreter"
        shown = ", ".join(f.filename for f in files) or "(none)"
        raise GenerateError(f"{label}: no file fits {where}; its files: {shown}")
    meta = releases.metadata(entry.name, entry.version)
    pin.kind = file.kind
    pin.filename, pin.url, pin.hash = file.filename, file.url, releases.sri(file)
    pin.metadata_source, pin.summary = meta.source, meta.summary
    return pin


def _builds_itself(name: str, tools: Sequence[tuple[str, Any]]) -> bool:
    """Whether `name` is among its own build tools or what they need at run time."""
    return any(
        canonicalize_name(p.pname) == name
        for _, tool in tools
        for p in [tool, *tool.runtime_closure]
    )


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


def _still_holds(pkgs: Any, plan: Plan) -> bool:
    """Whether the set still holds what it held when `plan` was made."""
    try:
        for name, held in plan.observed.items():
            if set_attrs(pkgs, name) != held["attrs"]:
                return False
            if held["used"] is not None:
                attr, version = held["used"]
                if force(pkgs[attr]).version != version:
                    return False
    except PybuildError:
        return False
    return True


def _load(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text())
        return {"created": float(data["created"]), "plan": Plan.from_json(data["plan"])}
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _save(path: Path, plan: Plan) -> None:
    write_atomic(path, json.dumps({"created": time.time(), "plan": plan.to_json()}, indent=1))


def recipe_files(plan: Plan) -> dict[str, Path]:
    """The generated recipes of `plan` as modules in the cache (``var/cache/pypi/…/recipes``),
    one file per distinct text, so loading them needs neither network nor regeneration."""
    folder = cache_root(plan.index_urls) / "recipes"
    files = {}
    for pin in plan.generated():
        text = recipe_text(pin, plan.python, url=plan.pin_urls)
        digest = hashlib.sha256(text.encode()).hexdigest()[:16]
        path = folder / f"{pin.attr}-{pin.version}-{digest}.py"
        if not path.is_file():
            write_atomic(path, text)
        files[pin.attr] = path
    return files
