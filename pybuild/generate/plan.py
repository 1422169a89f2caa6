"""Plans: what a request resolves to, which file each package is built from, and the cache.

A :class:`Request` (requirements, constraints, hashes, which index) is resolved into a
:class:`Plan`: one :class:`Pin` per project, either the set's own recipe or a release from the
index with the file to fetch (sdist when it builds with the set's tools and the project ships
no compiled wheels, else the wheel for the set's interpreter), its hash, build system and
dependencies as attribute names. Requirement hashes (``--hash``, lock files) restrict the
files to those very bytes.

Choices a user should know of (a recipe of the set passed over, a requested project held
back from its newest release, a wheel instead of the sdist) are printed on stderr whenever a
plan is used, made or cached, unless ``-q`` asks for results, warnings and errors alone
(:func:`quiet_notes`), and kept in the generated recipe's docstring. An extra the request
names that its project does not provide is a warning printed then too, as pip and uv print it:
it adds nothing, so the request resolves all the same, and a misspelt extra would go unseen.
A yanked release taken as pinned exactly is a warning too.

Plans are cached under ``var/cache/pypi/<index>/plans``, keyed by the request, the index and
the interpreter, together with what the set held for every project involved; a cached plan is
used only while the set still holds exactly that, so a repeated request costs no network
round-trip and a changed set is never ignored. A plan is asked again after a day (the index
moves on), unless its roots and every release it takes from the index are ones the request
pins exactly (:meth:`Request.fixes`): a pinned root's unpinned dependency may have a newer
release tomorrow. A stale plan still serves when the index is out of reach.
A command's ``--refresh`` (:func:`refresh_plans`) resolves every request again at once, and
``upgrade`` the packages it upgrades (:func:`refreshing`), as uv's ``--refresh`` and upgrade do.
The evaluation cache's record of a command that used a plan not fixed so holds as long as the
plan does (:func:`~pybuild.evalcache.expires`), so a repeated ``pybuild run pypi:NAME`` is a
no-op for that day.
"""

from __future__ import annotations

import contextlib
import difflib
import hashlib
import json
import time
from collections.abc import Collection, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name, canonicalize_version
from packaging.version import Version

from ..atomic import write_atomic
from ..errors import PybuildError, UsageError
from ..importers.pylock import Selection
from ..importers.requirements import RequirementLine
from ..lazy import force
from ..progress import tell
from .buildenv import BuildEnv
from .cycles import cut_cycles
from .errors import RustSdistOnly
from .files import Pin, Pinner, preference
from .names import set_attrs
from .releases import Releases, cache_root
from .render import recipe_text
from .resolver import Chosen, Req, resolve

__all__ = [
    "Pin",
    "Plan",
    "Request",
    "get_plan",
    "held_notes",
    "quiet_notes",
    "recipe_files",
    "refresh_plans",
    "refreshing",
    "tell_notes",
]

_UNPINNED_TTL = 24 * 3600
_QUIET = {"notes": False}  # -q: the plan's warnings alone are printed
_REFRESH = {"plans": False}  # --refresh: no saved plan is used, each request is resolved again
# Bumped when the generator would choose otherwise, so that no plan of an older choice is
# reused: 3: a requested project is its newest release; 4: hatchling hooks' deps; 5: set
# recipes unsupported here passed over, sdist versions read as pip reads them, Rust sdists
# from their wheels; 6: a set recipe pinning a requested project older gives way; 7: a build
# backend's metadata is the interpreter's own, not the first interpreter's to ask; 8: a
# recipe of the set serves a hashed requirement only when its file is one of the hashes; 9:
# a project with extras is one recipe, where its extras could be the set's and it the index's;
# 10: a plan's notes name the constraint (FILE:LINE) holding a release back; 11: a hashed
# release built from its sdist, as none of its hashed wheels fits here, says so; 12: a project
# held back by what its extra needs names that clash, not its extra's pin on it; 13: a
# dependency cycle among generated recipes is cut (:mod:`.cycles`).
_FORMAT = 13


@dataclass(frozen=True)
class Request:
    """What to resolve: root requirements (with their hashes), constraints, which index."""

    requirements: tuple[RequirementLine, ...]
    constraints: tuple[RequirementLine, ...] = ()
    index_urls: tuple[str, ...] | None = None
    all_from_index: bool = False
    overlay: bool = False
    # A lock's (PEP 751) extras and groups selected, which its markers test; None: no lock.
    lock: Selection | None = None
    # A lock's packages (by name) with the names it locks them to depend on: an extra's
    # dependency among them is the package's own, as the lock made it (``pkg[extra]``).
    locked_dependencies: tuple[tuple[str, tuple[str, ...]], ...] = ()

    def key(self, python: str, prefer: str = "any") -> str:
        lock: dict[str, Any] = {"lock": asdict(self.lock)} if self.lock is not None else {}
        if self.locked_dependencies:
            lock["locked_dependencies"] = self.locked_dependencies
        text = json.dumps(
            {
                **lock,
                "format": _FORMAT,
                "prefer": prefer,
                "requirements": sorted(
                    f"{_normal(r.requirement)} {r.hashes}" for r in self.requirements
                ),
                "constraints": sorted(_normal(r.requirement) for r in self.constraints),
                "all": self.all_from_index,
                "overlay": self.overlay,
                "python": python,
            },
            sort_keys=True,
        )
        return hashlib.sha256(text.encode()).hexdigest()[:32]

    def fixes(self, plan: Plan) -> bool:
        """Whether `plan` holds for good: every root is pinned exactly (``==1.0``; a range's
        newest release may be another tomorrow), and so is every release the plan takes from
        the index, as a root or a constraint. A release taken unpinned (tpypi-app==1.0's
        dependency tpypi-demo, a build tool) may have a newer one tomorrow too; a recipe of
        the set serves a dependency while the set holds it."""
        exact = {str(canonicalize_name(line.name)) for line in self.constraints if _exact(line)}
        exact |= {str(canonicalize_name(line.name)) for line in self.requirements if _exact(line)}
        return all(_exact(line) for line in self.requirements) and all(
            str(canonicalize_name(pin.pname)) in exact for pin in plan.generated()
        )


def _exact(line: RequirementLine) -> bool:
    """Whether `line` pins one release (``==1.0``, ``===1.0``), not a range or a wildcard."""
    return any(
        s.operator in ("==", "===") and "*" not in s.version for s in line.requirement.specifier
    )


def _normal(req: Requirement) -> str:
    """`req` as its key spells it: requests meaning the same (``Demo_X>=1``, ``demo-x >=
    1.0``) have one plan. A version is compared as a Version, with zeros padded (``1`` is
    ``1.0``), but in ``~=`` (``~=1.0`` is not ``~=1.0.0``), a wildcard or ``===``, where the
    spelling is what is compared."""
    normal = Requirement(str(req))
    normal.name = str(canonicalize_name(req.name))
    normal.extras = {str(canonicalize_name(e)) for e in req.extras}
    normal.specifier = SpecifierSet(
        ",".join(
            s.operator + canonicalize_version(s.version, strip_trailing_zero=True)
            if s.operator not in ("~=", "===") and "*" not in s.version
            else str(s)
            for s in req.specifier
        )
    )
    return str(normal)


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
    warnings: list[str] = field(default_factory=list)  # what the request names in vain

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
            warnings=list(data.get("warnings", [])),
        )


def get_plan(pkgs: Any, request: Request, refresh: bool = False) -> Plan:
    """The plan for `request` in `pkgs`: from the cache while it still holds, else resolved;
    resolved in any case with `refresh` or while the command asks it (:func:`refresh_plans`)."""
    from ..evalcache import expires, volatile
    from ..index import Index, IndexUnavailable, index_settings

    refresh = refresh or _REFRESH["plans"]
    given = request.index_urls
    # A file's -i is not read where pip's configuration says no-index, as pip reads none.
    index = Index() if given is None else Index(given, no_index=index_settings().no_index)
    python = pkgs.interpreter.identity
    prefer = preference()
    cache = cache_root(index.urls) / "plans" / f"{request.key(python, prefer)}.json"
    stale = None
    if not refresh:
        entry = _load(cache)
        if entry is not None and _still_holds(pkgs, entry["plan"]):
            fixed = request.fixes(entry["plan"])
            if fixed or time.time() - entry["created"] < _UNPINNED_TTL:
                index.close()
                if not fixed:  # an evaluation using it holds while it does
                    expires(entry["created"] + _UNPINNED_TTL)
                _tell(entry["plan"])
                return entry["plan"]
            stale = entry["plan"]
    try:
        with Releases(index, pkgs) as releases:
            plan = make_plan(pkgs, request, releases, prefer)
    except IndexUnavailable:
        if stale is None:
            raise
        volatile("a stale plan served while the index is out of reach")
        _tell(stale)
        return stale
    _tell(plan)
    _save(cache, plan)
    if not request.fixes(plan):
        expires(time.time() + _UNPINNED_TTL)
    _remember_files(plan)
    return plan


def refresh_plans(on: bool) -> None:
    """Resolve every request again, using no saved plan, for this command (``--refresh``, as
    uv's): a release published or yanked within the day is seen. The new plan is saved."""
    _REFRESH["plans"] = on


@contextlib.contextmanager
def refreshing(on: bool = True) -> Iterator[None]:
    """Requests resolved within the block are resolved again (`on`) or may be answered by a
    saved plan (not `on`), whatever the command asks: ``upgrade`` resolves the packages it
    upgrades again, and keeps the others as their plans have them."""
    before = _REFRESH["plans"]
    _REFRESH["plans"] = on
    try:
        yield
    finally:
        _REFRESH["plans"] = before


def quiet_notes(on: bool) -> None:
    """Print the plan's warnings alone, not its notes (``-q``, which prints only results,
    warnings and errors): the notes would mix into the output of the command a user runs."""
    _QUIET["notes"] = on


def _tell(plan: Plan) -> None:
    """Print the plan's warnings and notes (a recipe passed over, a project held back): each
    time it is used, from the cache too, since an old release must never be chosen silently
    and a second run of the same command would otherwise say nothing of it. Under ``-q``,
    only those that are warnings (a yanked release's note is one). The warnings are the
    evaluation record's too (:func:`~pybuild.evalcache.warned`): a command answered from it,
    without evaluating, says them again; the notes only where it evaluates. Within
    :func:`held_notes`, they are held for the command to tell (:func:`tell_notes`)."""
    lines = [(f"pybuild: warning: {warning}", True) for warning in plan.warnings]
    lines += [
        (f"pybuild: {n}", True) for p in plan.pins.values() for n in p.notes if _is_warning(n)
    ]
    if not _QUIET["notes"]:
        notes = [n for p in plan.pins.values() for n in p.notes if not _is_warning(n)]
        lines += [(f"pybuild: {note}", False) for note in notes]
    _emit(lines)


# The lines told within each :func:`held_notes` block, the innermost last: (line, warning).
_HELD: list[list[tuple[str, bool]]] = []


@contextlib.contextmanager
def held_notes() -> Iterator[list[tuple[str, bool]]]:
    """The plans' warnings and notes told within the block, collected rather than printed,
    for :func:`tell_notes` to print those the command means: a profile's change resolves
    what it keeps again (with what it adds, and alone), and would otherwise tell the same
    notes of the packages already installed on every change, twice."""
    held: list[tuple[str, bool]] = []
    _HELD.append(held)
    try:
        yield held
    finally:
        _HELD.pop()


def tell_notes(lines: Sequence[tuple[str, bool]], known: Collection[tuple[str, bool]] = ()) -> None:
    """Tell `lines` held by :func:`held_notes`, each once, but those in `known` (held while
    evaluating what a change keeps, told when it was installed)."""
    _emit([line for line in dict.fromkeys(lines) if line not in known])


def _emit(lines: Sequence[tuple[str, bool]]) -> None:
    """Print `lines` to standard error, recording the warnings for the evaluation record;
    within :func:`held_notes`, hold them instead."""
    if _HELD:
        _HELD[-1].extend(lines)
        return
    from ..evalcache import warned

    for line, warning in lines:
        tell(line)  # its status word coloured as the command's other warnings are
        if warning:
            warned(line)


def _is_warning(note: str) -> bool:
    """Whether a pin's note is a warning (a yanked release taken), which -q prints too."""
    return note.startswith("warning:")


def make_plan(pkgs: Any, request: Request, releases: Releases, prefer: str = "any") -> Plan:
    """Resolve `request` against the index and the set, and choose every file."""
    env = releases.env
    roots: list[Req] = []
    hashes: dict[str, set[str]] = {}
    locked = dict(request.locked_dependencies)
    for line in request.requirements:
        req = line.requirement
        if req.marker is not None and not _applies(req.marker, env, request.lock):
            continue
        if str(canonicalize_name(req.name)) in locked:  # a copy: the request's is its key's
            req = Requirement(str(req))
            req.extras |= _locked_extras(req, locked, releases)
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
    constraints = [Req.of(c.requirement, c.where, constraint=True) for c in request.constraints]
    chosen = resolve(
        releases,
        pkgs,
        roots,
        constraints=constraints,
        all_from_index=request.all_from_index,
        overlay=request.overlay,
        hashes=hashes,
    )
    releases.prefetch_build_systems(
        (e.name, e.version) for e in chosen.values() if e.origin == "index"
    )
    pinner = Pinner(releases, pkgs, prefer)
    refused: list[RustSdistOnly] = []
    for entry in chosen.values():
        try:
            pinner.add(entry, chosen, hashes.get(entry.name))
        except RustSdistOnly as exc:  # each is told, not the first alone
            refused.append(exc)
    if refused:
        raise RustSdistOnly.of_all(refused)
    _follow_locked_dependencies(pinner.pins, locked)
    used = pinner.used
    observed = {
        name: {
            "attrs": set_attrs(pkgs, name),
            "used": list(used[name]) if name in used else None,
        }
        for name in sorted({*chosen, *used, *(p.pname for p in pinner.pins.values())})
    }
    plan = Plan(
        roots=[Root(chosen[r.name].attr, sorted(r.extras), r.name) for r in roots],
        pins=pinner.pins,
        observed=observed,
        python=_describe(env),
        index_urls=list(releases.index.urls),
        pin_urls=request.index_urls is not None,
        warnings=_unknown_extras(roots, chosen, releases, pkgs),
    )
    required = {
        e.attr: {chosen[r.name].attr: r.name for r in e.requirements if r.name in chosen}
        for e in chosen.values()
    }
    cut_cycles(plan.pins, plan.root_attrs(), required)
    return plan


def _locked_extras(
    req: Requirement, locked: dict[str, tuple[str, ...]], releases: Releases
) -> set[str]:
    """The extras of a lock's exact pin `req` that add a package the lock has it depend on
    (python-slugify's ``unidecode``, when it is locked depending on unidecode): the pin is
    the package with them, as it was locked (``pkg[extra]``)."""
    names = set(locked[str(canonicalize_name(req.name))])
    version = Version(next(iter(req.specifier)).version)
    meta = releases.metadata(req.name, version)
    return {
        extra
        for extra in meta.extras
        if {str(canonicalize_name(r.name)) for r in meta.requirements(releases.env, extra)} & names
    }


def _follow_locked_dependencies(pins: dict[str, Pin], locked: dict[str, tuple[str, ...]]) -> None:
    """Make each generated pin depend on what its extras add that the lock has it depend on
    (python-slugify locked with unidecode, its ``unidecode`` extra's): the recipe is the
    package as locked, so a lock of the imported environment has the same edges."""
    for pin in pins.values():
        names = set(locked.get(str(canonicalize_name(pin.pname)), ()))
        if pin.origin != "index" or not names:
            continue
        added = [
            attr
            for attrs in pin.optional.values()
            for attr in attrs
            if attr in pins and str(canonicalize_name(pins[attr].pname)) in names
        ]
        pin.dependencies = list(dict.fromkeys([*pin.dependencies, *added]))


def _applies(marker: Marker, env: dict[str, str], lock: Selection | None) -> bool:
    """Whether a requested line's marker holds here: a lock's may test its extras and
    dependency groups (``'fmt' in extras``), any other file's the ``extra`` of none."""
    if lock is not None:
        return lock.applies(marker, env)
    return marker.evaluate({**env, "extra": ""})


def tools_plan(pkgs: Any, releases: Releases, env: BuildEnv) -> Plan:
    """A plan of nothing but the build tools `env` takes from the index, each from its wheel:
    what a backend needs to prepare an sdist's metadata in the middle of a resolution."""
    pinner = Pinner(releases, pkgs)
    for entry in env.generated.values():
        pinner.add(entry, env.chosen, build_tool=True)
    plan = Plan([], pinner.pins, {}, _describe(releases.env), list(releases.index.urls))
    _remember_files(plan)
    return plan


def _unknown_extras(
    roots: Sequence[Req], chosen: dict[str, Chosen], releases: Releases, pkgs: Any
) -> list[str]:
    """The extras the request names that the release it resolved to does not provide, each
    said once, as pip and uv say it, with the close one it may have meant. A recipe of the
    set provides its own extras and those of its release's metadata (which the resolver read
    for any other extra)."""
    found = []
    for root in roots:
        entry = chosen[root.name]
        provided: set[str] = set()
        if entry.origin == "set":
            extras = pkgs[entry.attr].attrs["optional_dependencies"]
            provided = {str(canonicalize_name(e)) for e in extras}
        if not root.extras <= provided:
            provided |= set(releases.metadata(entry.name, entry.version).extras)
        for extra in sorted(root.extras - provided):
            text = f"{entry.name} {entry.version} does not provide the extra {extra!r}"
            close = difflib.get_close_matches(extra, sorted(provided), n=1)
            found.append(text + (f"; did you mean {close[0]!r}?" if close else ""))
    return list(dict.fromkeys(found))


def _remember_files(plan: Plan) -> None:
    """Tell ``fetch_pypi`` where each generated recipe's file is, as it would remember after
    finding it itself: evaluating the recipes then needs no index."""
    from ..fetchers import remember_files

    remember_files(
        (pin.hash, pin.pname, pin.version, pin.kind, pin.url, pin.filename, None)
        for pin in plan.generated()
    )


def _describe(env: dict[str, str]) -> str:
    words = [
        env.get("platform_python_implementation", "Python"),
        env.get("python_full_version", ""),
        "on",
        env.get("sys_platform", ""),
        env.get("platform_machine", ""),
    ]
    return " ".join(w for w in words if w)


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
