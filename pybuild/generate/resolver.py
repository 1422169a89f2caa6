"""Choosing versions: resolvelib (pip's resolver) with the index and the package set as provider.

The resolver is resolvelib, the backtracking resolver pip is built on; this module only tells
it where candidates come from:

- a project the package set has a recipe for is the set's recipe (its plain attribute first,
  then variants such as ``numpy_1``), whose dependencies are pinned to the set's own: recipes
  already in the set win, and their dependents get the set's packages;
- any other project, or one the request pins to a version the set lacks (or every project,
  with ``all_from_index``), is the index's releases that have a file for the set's interpreter,
  newest first, with dependencies from their core metadata, markers decided for that
  interpreter, and ``Requires-Python`` checked.

Extras are their own identifiers (``requests[socks]``) whose candidates depend on the plain
project at the same version, as in pip. When no choice satisfies everything, the error lists
the requirements resolvelib names as the cause, with who asked for each and what exists.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

from .errors import ResolutionFailed
from .names import attr_name, set_attrs, set_recipes
from .releases import Releases

__all__ = ["Candidate", "Chosen", "Req", "resolve"]

PYTHON = "<python>"
_SHOWN = 10


@dataclass(frozen=True)
class Req:
    """A requirement on a project (with extras), and who asked for it."""

    name: str
    extras: frozenset[str] = frozenset()
    specifier: SpecifierSet = field(default_factory=SpecifierSet)
    parent: str = "the request"
    text: str = ""

    @property
    def key(self) -> str:
        return _key(self.name, self.extras)

    @classmethod
    def of(cls, req: Requirement, parent: str) -> Req:
        extras = frozenset(str(canonicalize_name(e)) for e in req.extras)
        text = str(req).split(";")[0].strip()
        return cls(str(canonicalize_name(req.name)), extras, req.specifier, parent, text)


@dataclass(frozen=True)
class Candidate:
    """One version of a project: from the set (with its attribute) or from the index."""

    name: str
    version: Version
    extras: frozenset[str] = frozenset()
    origin: str = "index"  # "index", "set" or "python"
    attr: str = ""

    @property
    def key(self) -> str:
        return _key(self.name, self.extras)

    def __str__(self) -> str:
        extras = f"[{','.join(sorted(self.extras))}]" if self.extras else ""
        return f"{self.name}{extras} {self.version}"


@dataclass
class Chosen:
    """The outcome for one project: version, origin, and its requirements by extra."""

    name: str
    version: Version
    origin: str
    attr: str
    extras: set[str] = field(default_factory=set)
    requirements: list[Req] = field(default_factory=list)  # of the plain project
    extra_requirements: dict[str, list[Req]] = field(default_factory=dict)


def _key(name: str, extras: Iterable[str]) -> str:
    extras = sorted(extras)
    return f"{name}[{','.join(extras)}]" if extras else name


def _split(key: str) -> tuple[str, frozenset[str]]:
    name, _, rest = key.partition("[")
    return name, frozenset(rest.rstrip("]").split(",")) if rest else frozenset()


class _Provider:
    """resolvelib's provider: candidates from the set or the index, dependencies from metadata."""

    def __init__(
        self,
        releases: Releases,
        pkgs: Any,
        from_index: set[str] | None,
        constraints: Mapping[str, SpecifierSet],
        overlay: bool = False,
    ) -> None:
        self.releases, self.pkgs = releases, pkgs
        # With an overlay, a project taken from the index replaces the set's recipe for every
        # dependent, so the set's packages are held to their metadata for it.
        self.overlay = overlay and bool(from_index)
        self.from_index = from_index  # names taken from the index; None means all of them
        self.constraints = constraints
        self.python = Version(pkgs.interpreter.version)
        self.dependencies: dict[Candidate, list[Req]] = {}
        self._set: dict[str, bool] = {}

    # -- what the set has ------------------------------------------------------------------

    def from_set(self, name: str) -> bool:
        """Whether the project's candidates are the set's recipes."""
        if self.from_index is None or name in self.from_index:
            return False
        if name not in self._set:
            self._set[name] = bool(set_attrs(self.pkgs, name))
        return self._set[name]

    def available(self, name: str) -> str:
        if name == PYTHON:
            return f"the set's interpreter is Python {self.python}"
        if self.from_set(name):
            shown = ", ".join(f"{p.version} (recipe {a})" for a, p in set_recipes(self.pkgs, name))
            return f"the package set provides {name} {shown or '(none that evaluates)'}"
        versions = self._index_versions(name)
        shown = ", ".join(str(v) for v in versions[-_SHOWN:]) or "no usable version"
        return f"the index has {name} {shown}"

    # -- resolvelib's interface ------------------------------------------------------------

    def identify(self, requirement_or_candidate: Req | Candidate) -> str:
        return requirement_or_candidate.key

    def get_preference(
        self,
        identifier: str,
        resolutions: Mapping[str, Candidate],
        candidates: Mapping[str, Iterator[Candidate]],
        information: Mapping[str, Iterator[Any]],
        backtrack_causes: Sequence[Any],
    ) -> tuple[bool, bool, bool, str]:
        pinned = any(
            spec.operator in ("==", "===")
            for info in information[identifier]
            for spec in info.requirement.specifier
        )
        causes = {c.requirement.key for c in backtrack_causes}
        return (identifier != PYTHON, identifier not in causes, not pinned, identifier)

    def find_matches(
        self,
        identifier: str,
        requirements: Mapping[str, Iterator[Req]],
        incompatibilities: Mapping[str, Iterator[Candidate]],
    ) -> Iterable[Candidate] | Callable[[], Iterator[Candidate]]:
        name, extras = _split(identifier)
        reqs = list(requirements[identifier])
        bad = {c.version for c in incompatibilities[identifier]}
        spec = SpecifierSet()
        for req in reqs:
            spec &= req.specifier
        if name in self.constraints:
            spec &= self.constraints[name]
        if name == PYTHON:  # Requires-Python, as a requirement on the interpreter
            fits = spec.contains(self.python, prereleases=True)
            return [Candidate(PYTHON, self.python, origin="python")] if fits else []
        if self.from_set(name):
            # Lazily: a variant is evaluated only when the recipes before it do not fit.
            return lambda: (
                Candidate(name, Version(pkg.version), extras, "set", attr)
                for attr, pkg in set_recipes(self.pkgs, name)
                if Version(pkg.version) not in bad and spec.contains(pkg.version, prereleases=True)
            )
        pinned = any(s.operator in ("==", "===") for s in spec)
        versions = [v for v in self._index_versions(name, allow_yanked=pinned) if v not in bad]
        return [
            Candidate(name, v, extras, "index", attr_name(name))
            for v in sorted(spec.filter(versions), reverse=True)
        ]

    def is_satisfied_by(self, requirement: Req, candidate: Candidate) -> bool:
        return requirement.specifier.contains(candidate.version, prereleases=True)

    def get_dependencies(self, candidate: Candidate) -> list[Req]:
        if candidate not in self.dependencies:
            self.dependencies[candidate] = self._dependencies(candidate)
        return self.dependencies[candidate]

    def narrow_requirement_selection(
        self,
        identifiers: Iterable[str],
        resolutions: Mapping[str, Candidate],
        candidates: Mapping[str, Iterator[Candidate]],
        information: Mapping[str, Iterator[Any]],
        backtrack_causes: Sequence[Any],
    ) -> Iterable[str]:
        return identifiers

    # -- helpers ---------------------------------------------------------------------------

    def _index_versions(self, name: str, allow_yanked: bool = False) -> list[Version]:
        """Versions with a file for this interpreter (and its Python), oldest first."""
        tags = set(self.releases.tags)
        usable: dict[Version, bool] = {}  # version -> has a file that is not yanked
        for f in self.releases.files(name):
            if f.kind == "wheel" and f.tags.isdisjoint(tags):
                continue
            if f.requires_python and not _python_ok(f.requires_python, self.python):
                continue
            usable[f.version] = usable.get(f.version, False) or not f.yanked
        return sorted(v for v, fine in usable.items() if fine or allow_yanked)

    def _dependencies(self, candidate: Candidate) -> list[Req]:
        if candidate.origin == "python":
            return []
        label = f"{candidate.name} {candidate.version}"
        if candidate.extras:
            base = Req(candidate.name, frozenset(), SpecifierSet(f"=={candidate.version}"), label)
            return [
                base,
                *(r for e in sorted(candidate.extras) for r in self.extra_reqs(candidate, e)),
            ]
        if candidate.origin == "set":
            return self._set_dependencies(candidate, label)
        meta = self.releases.metadata(candidate.name, candidate.version)
        reqs = [Req.of(r, label) for r in meta.requirements(self.releases.env)]
        if meta.requires_python and _valid_specifier(meta.requires_python):
            spec = SpecifierSet(meta.requires_python)
            reqs.append(Req(PYTHON, frozenset(), spec, label, f"Requires-Python {spec}"))
        return reqs

    def _set_dependencies(self, candidate: Candidate, label: str) -> list[Req]:
        """A set recipe's dependencies: exactly the set's packages it takes, except that one
        the overlay replaces (taken from the index) must satisfy the recipe's metadata."""
        pkg = self.pkgs[candidate.attr]
        who = f"the set's recipe {candidate.attr} ({label})"
        reqs = []
        replaced = set()
        for dep in pkg.dependencies:
            name = str(canonicalize_name(dep.pname))
            if self.overlay and not self.from_set(name):
                replaced.add(name)
            else:
                exact = SpecifierSet(f"=={dep.version}")
                reqs.append(Req(name, frozenset(), exact, who, f"{dep.pname}=={dep.version}"))
        if replaced:
            reqs += self._metadata_reqs(candidate, who, replaced)
        return reqs

    def _metadata_reqs(self, candidate: Candidate, who: str, names: set[str]) -> list[Req]:
        """The set recipe's metadata requirements on `names` (any version when unknown)."""
        from ..index import PackageIndexError
        from .errors import GenerateError

        try:
            meta = self.releases.metadata(candidate.name, candidate.version)
            found = [Req.of(r, who) for r in meta.requirements(self.releases.env)]
        except (GenerateError, PackageIndexError):  # not on the index: the recipe is all we know
            found = []
        found = [r for r in found if r.name in names]
        missing = sorted(names - {r.name for r in found})
        return found + [Req(n, parent=who, text=n) for n in missing]

    def extra_reqs(self, candidate: Candidate, extra: str) -> list[Req]:
        """What `extra` adds to the plain project."""
        label = f"{candidate.name}[{extra}] {candidate.version}"
        if candidate.origin == "set":
            pkg = self.pkgs[candidate.attr]
            if extra in pkg.attrs["optional_dependencies"]:
                return [
                    Req(
                        str(canonicalize_name(d.pname)),
                        frozenset(),
                        SpecifierSet(f"=={d.version}"),
                        label,
                        f"{d.pname}=={d.version}",
                    )
                    for d in pkg.optional(extra)
                ]
        meta = self.releases.metadata(candidate.name, candidate.version)
        return [Req.of(r, label) for r in meta.requirements(self.releases.env, extra=extra)]


def _valid_specifier(text: str) -> bool:
    try:
        SpecifierSet(text)
    except ValueError:  # a malformed Requires-Python is ignored, as pip does
        return False
    return True


def _python_ok(requires: str, python: Version) -> bool:
    try:
        return SpecifierSet(requires).contains(python, prereleases=True)
    except ValueError:  # a malformed Requires-Python is ignored, as pip does
        return True


def resolve(
    releases: Releases,
    pkgs: Any,
    roots: Sequence[Req],
    *,
    constraints: Mapping[str, SpecifierSet] | None = None,
    all_from_index: bool = False,
    overlay: bool = False,
) -> dict[str, Chosen]:
    """Versions for `roots` and everything they need, by project name.

    `overlay` says the result will be an overlay (``pybuild import``): a project taken from
    the index then replaces the set's recipe for the set's own packages too. Raises
    :class:`ResolutionFailed` with resolvelib's causes when there is no solution.
    """
    from resolvelib import BaseReporter, ResolutionImpossible, ResolutionTooDeep, Resolver

    from_index: set[str] | None = None if all_from_index else _overridden(pkgs, roots)
    provider = _Provider(releases, pkgs, from_index, constraints or {}, overlay)
    resolver: Resolver[Req, Candidate, str] = Resolver(provider, BaseReporter())  # type: ignore[arg-type]
    try:
        result = resolver.resolve(roots, max_rounds=5000)
    except ResolutionImpossible as exc:
        raise _explain(exc.causes, provider) from None
    except ResolutionTooDeep:
        raise ResolutionFailed(
            "the resolver gave up after 5000 rounds of backtracking",
            [],
            "pin some versions (NAME==VERSION) to narrow the search",
        ) from None
    chosen: dict[str, Chosen] = {}
    for candidate in result.mapping.values():
        if candidate.origin == "python":
            continue
        entry = chosen.setdefault(
            candidate.name,
            Chosen(candidate.name, candidate.version, candidate.origin, candidate.attr),
        )
        if not candidate.extras:
            entry.requirements = [
                r for r in provider.get_dependencies(candidate) if r.name != PYTHON
            ]
        for extra in candidate.extras:
            entry.extras.add(extra)
            entry.extra_requirements[extra] = provider.extra_reqs(candidate, extra)
    return chosen


def _overridden(pkgs: Any, roots: Sequence[Req]) -> set[str]:
    """Requested projects the set has, but at no version the request accepts."""
    names = set()
    for req in roots:
        if set_attrs(pkgs, req.name) and not any(
            req.specifier.contains(p.version, prereleases=True)
            for _, p in set_recipes(pkgs, req.name)
        ):
            names.add(req.name)
    return names


def _explain(causes: Iterable[Any], provider: _Provider) -> ResolutionFailed:
    """resolvelib's causes, grouped by project, with what exists for each."""
    by_name: dict[str, list[Any]] = {}
    for info in causes:
        by_name.setdefault(info.requirement.name, []).append(info)
    lines = []
    for name, infos in by_name.items():
        for info in infos:
            req = info.requirement
            who = str(info.parent) if info.parent is not None else req.parent
            text = req.text or f"{req.key}{req.specifier}"
            lines.append(f"{text} is required by {who}")
        lines.append(f"  and {provider.available(name)}")
    names = [n if n != PYTHON else "Python" for n in by_name]
    if len(names) == 1:
        summary = f"no version of {names[0]} satisfies every requirement on it:"
    else:
        summary = f"the requirements on {', '.join(names)} cannot all be satisfied:"
    set_involved = any(provider.from_set(n) for n in by_name if n != PYTHON)
    hint = (
        "recipes already in the package set win over the index: change the set's recipe"
        " (an overlay), or import with --all to take every package from the index"
        if set_involved
        else "relax or change the version requirements named above"
    )
    return ResolutionFailed(summary, lines, hint)
