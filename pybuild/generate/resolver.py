"""Choosing versions: resolvelib (pip's resolver) with the index and the package set as provider.

The resolver is resolvelib, the backtracking resolver pip is built on; this module only tells
it where candidates come from:

- a project the package set has a recipe for is first the set's recipe (its plain attribute
  first, then variants such as ``numpy_1``), whose dependencies are pinned to the set's own:
  recipes already in the set are preferred, and their dependents get the set's packages;
  then, when no recipe of the set fits, the index's releases, each under an attribute of its
  own (``python_dateutil_2_9_0_post0``), so that it lives in the store beside the set's
  recipe instead of replacing it, and :mod:`.explain` says which recipe was passed over;
  a *requested* project (a root of the request) is the exception: as uv would, it resolves
  to the index's newest release that fits even when the set's recipe is older, and falls
  back to the recipe (and then older releases) only when the rest of the request needs it;
- any other project, or one the request pins to a version the set lacks (or every project,
  with ``all_from_index``), or to hashes (``--hash``, a lock) that no file of the set's
  recipes has, is the index's releases that have a file for the set's interpreter,
  newest first, with dependencies from their core metadata, markers decided for that
  interpreter, and ``Requires-Python`` checked; a release whose metadata has a requirement
  that does not parse is left out, as uv leaves it out.

The specifiers on a project are merged once per call, not pairwise, and a ``Requires-Python``
the interpreter meets is not handed to resolvelib at all: resolvelib gives ``find_matches``
every requirement on an identifier each time one is added, so both would make large requests
quadratic. While the resolver works, the metadata of each new dependency's newest fitting
release is fetched ahead on a thread pool (:meth:`Releases.prefetch`).

Extras are their own identifiers (``requests[socks]``) whose candidates depend on the plain
project at the same version, as in pip, and of the same origin: the set's recipe, or the
index's release under its own attribute, never one for the extra and the other for the
project. When no choice satisfies everything, the error lists the requirements resolvelib
names as the cause, with who asked for each and what exists; when backtracking goes on too
long, the error names the conflict it kept meeting; when a release's metadata cannot be had,
the error names what requires it as the resolver stands (resolvelib's state, which the
reporter hands the provider), not what did before backtracking.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.tags import Tag
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version
from resolvelib import BaseReporter

from .errors import (
    DependencyMetadataError,
    GenerateError,
    InvalidMetadata,
    MetadataError,
    NotOnIndex,
)
from .explain import explain_conflict, held_back, passed_over
from .metadata import Metadata
from .names import attr_name, set_attrs, set_recipes, version_attr
from .releases import Releases, python_ok

__all__ = ["PYTHON", "Candidate", "Chosen", "Req", "merged", "resolve"]

PYTHON = "<python>"
_SHOWN = 10
_MAX_CONFLICTS = 500  # backtracking steps before giving up, naming the last conflict
_MAX_ROUNDS = 1_000_000  # resolvelib's rounds: one per pin, so no bound on a request's size
_PROMOTED_AFTER = 5  # conflicts a project unpinned takes part in before it is pinned first


@dataclass(frozen=True)
class Req:
    """A requirement on a project (with extras), and who asked for it."""

    name: str
    extras: frozenset[str] = frozenset()
    specifier: SpecifierSet = field(default_factory=SpecifierSet)
    parent: str = "the request"
    text: str = ""
    attr: str = ""  # only the candidate of that attribute satisfies it (a set recipe's input)
    # A constraint (``-c FILE``) rather than a requirement: it narrows the versions of a
    # project something else asks for, and `parent` is where it was written (FILE:LINE).
    constraint: bool = False

    @property
    def key(self) -> str:
        return _key(self.name, self.extras)

    @classmethod
    def of(cls, req: Requirement, parent: str, constraint: bool = False) -> Req:
        extras = frozenset(str(canonicalize_name(e)) for e in req.extras)
        text = str(req).split(";")[0].strip()
        name = str(canonicalize_name(req.name))
        return cls(name, extras, req.specifier, parent, text, constraint=constraint)


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
    notes: list[str] = field(default_factory=list)  # why not the set's recipe, or the newest


def _is_released(pinned: str, released: set[Version]) -> bool:
    """Whether an exact pin's version is among `released` (as versions compare: 2.0 is 2.0.0)."""
    try:
        return Version(pinned) in released
    except InvalidVersion:
        return True  # no version a release can have: not this note's to say


def _itself(candidate: Candidate, reqs: list[Req]) -> list[Req]:
    """`reqs` of a release of the index, those on its own project (an extra that adds others:
    dask's ``complete`` asks for ``dask[array,dataframe,…]``) pinned to its version, as pip
    and uv read them: one release of a project is installed. Left open, each was a project
    of its own whose every release resolvelib tried before the one that asked (dask[complete]
    went back through 215 releases, each one's metadata read, to a 2015 sdist that failed)."""
    exact = SpecifierSet(f"=={candidate.version}")
    return [
        replace(r, specifier=r.specifier & exact) if r.name == candidate.name else r for r in reqs
    ]


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
        constraints: Sequence[Req],
        overlay: bool = False,
        roots: Collection[str] = (),
        hashes: Mapping[str, Collection[str]] | None = None,
        requests: Sequence[Req] = (),
        verified: set[tuple[str, Version]] | None = None,
    ) -> None:
        self.releases, self.pkgs = releases, pkgs
        # Project -> the sha256 its file must have: a recipe of the set fetching another file
        # is no candidate, as pip's hash-checking mode would refuse what it installs.
        self.hashes = hashes or {}
        self.roots = frozenset(roots)  # requested projects: the index's newest release first
        # Requested projects with no exact version -> the newest release that fits them: a
        # recipe of the set pinning one of them older is tried after the index's releases.
        self.newest_roots: dict[str, Version] = {}
        # With an overlay, a project taken from the index replaces the set's recipe for every
        # dependent, so the set's packages are held to their metadata for it.
        self.overlay = overlay and bool(from_index)
        self.from_index = from_index  # names taken from the index; None means all of them
        # Constraints by project: each one, to be named where it holds a release back or takes
        # part in a conflict, and all of them merged, to narrow the candidates.
        self.constrained: dict[str, list[Req]] = {}
        for constraint in constraints:
            self.constrained.setdefault(constraint.name, []).append(constraint)
        self.constraints = {
            name: merged([c.specifier for c in found], None)
            for name, found in self.constrained.items()
        }
        self.python = Version(pkgs.interpreter.version)
        self.dependencies: dict[Candidate, list[Req]] = {}
        self._set: dict[str, bool] = {}
        # Who requires a release whose metadata cannot be had: resolvelib's state, which the
        # reporter keeps (:meth:`_Reporter.ending_round`), and before its first round ends,
        # when only the request asks for anything, the request's requirements.
        self.state: Any = None
        self.requests = list(requests)
        # The request's projects (with extras, and without) -> where the request names them
        # first: they are pinned in that order, before the projects only they ask for.
        self.order: dict[str, int] = {}
        for i, request in enumerate(self.requests):
            self.order.setdefault(request.key, i)
            self.order.setdefault(request.name, i)
        # Releases whose metadata cannot be had, not asked again (:meth:`_release_metadata`),
        # those whose metadata :meth:`_usable` has read, and those it left out as invalid.
        self.failed: dict[tuple[str, Version], MetadataError] = {}
        # Releases with no wheel for this interpreter -> the metadata of a wheel for another
        # (:meth:`_read`; None: it has none), and those whose own metadata has told what
        # they require instead, after a resolution pinned one whose wheel's told otherwise
        # (the caller's set, kept from one resolution of the request to the next).
        self.borrowed: dict[tuple[str, Version], Metadata | None] = {}
        self.verified = verified if verified is not None else set()
        self.checked: set[tuple[str, Version]] = set()
        self.invalid: dict[tuple[str, Version], InvalidMetadata] = {}
        # Projects not yet pinned -> how many conflicts they took part in; those in as many
        # as _PROMOTED_AFTER are pinned before any other (:meth:`narrow_requirement_selection`).
        self.in_conflicts: dict[str, int] = {}
        self.promoted: set[str] = set()
        self.not_on_index: set[str] = set()  # projects required that the index lacks

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
        index = self._index_says(name)
        if self.from_set(name):
            shown = ", ".join(f"{p.version} (recipe {a})" for a, p in set_recipes(self.pkgs, name))
            return f"the package set provides {name} {shown or '(none that evaluates)'}; {index}"
        return index

    def left_out(self, name: str, within: SpecifierSet) -> dict[Version, str]:
        """The releases `within` the versions asked for that the index has but whose
        ``Requires-Python`` excludes the set's interpreter: version -> that
        ``Requires-Python``, oldest first (pre-releases only as `within` would take them)."""
        from ..index import PackageIndexError

        try:
            excluded = self.releases.python_excluded(name, self.python)
        except (GenerateError, PackageIndexError):
            return {}
        return {v: excluded[v] for v in within.filter(excluded)}

    def yanked(self, name: str, within: SpecifierSet) -> dict[Version, str]:
        """The yanked releases `within` the versions asked for, which a range does not take:
        version -> the index's reason, oldest first (none when `within` pins one exactly, as
        it is then a candidate like any other)."""
        from ..index import PackageIndexError

        if any(s.operator in ("==", "===") for s in within):
            return {}
        try:
            yanked = self.releases.yanked(name, self.python)
        except (GenerateError, PackageIndexError):
            return {}
        return {v: yanked[v] for v in within.filter(yanked)}

    def newest(self, name: str, within: SpecifierSet | None = None) -> Version | None:
        """The newest final release the index has a usable file of, `within` the versions a
        request names (None: there is none, or the index has no such project, as a private
        recipe of the set)."""
        from ..index import PackageIndexError

        try:
            versions = self._index_versions(name)
        except (GenerateError, PackageIndexError):
            return None
        final = [v for v in versions if not v.is_prerelease and (within is None or v in within)]
        return final[-1] if final else None

    def needs(self, name: str, version: Version, extras: Iterable[str] = ()) -> list[Requirement]:
        """What a release requires here, with what its `extras` add (nothing when its
        metadata cannot be had): for the note saying why a requested project is not at that
        release (httpx[cli] 0.29.0's rich<15 is its cli extra's)."""
        from ..index import PackageIndexError

        env = self.releases.env
        try:
            meta = self._release_metadata(name, version)
            return [
                *meta.requirements(env),
                *(r for extra in extras for r in meta.requirements(env, extra=extra)),
            ]
        except (GenerateError, PackageIndexError):  # invalid too: the note says so (held_back)
            return []

    def unusable(self, name: str, within: SpecifierSet) -> list[InvalidMetadata]:
        """Why the releases `within` the versions asked for that the resolver left out, as
        their metadata is invalid (:meth:`_usable`), were, oldest first: an error names them,
        or it would read as if they fit."""
        found = {v: e for (n, v), e in self.invalid.items() if n == name}
        return [found[v] for v in within.filter(sorted(found))]

    def _index_says(self, name: str) -> str:
        """What the index has of `name`, for an error: its newest usable versions."""
        from ..index import PackageIndexError

        try:
            versions = self._index_versions(name)
        except (GenerateError, PackageIndexError):
            return f"the index has no release of {name}"
        if not versions:
            return f"the index has no usable version of {name}"
        shown = ", ".join(str(v) for v in versions[-_SHOWN:])
        older = len(versions) - _SHOWN
        return f"the index has {name} {shown}" + (f" and {older} older" if older > 0 else "")

    def never_released(self, name: str, specifiers: Iterable[SpecifierSet]) -> list[str]:
        """The exact versions `specifiers` pin (``numpy==2.0.0rc1``, a build requirement of
        scikit-learn 1.4.2) that the index has no file of, of any kind: an error names them,
        or they would seem to hide among the older releases it counts."""
        from ..index import PackageIndexError

        pinned = [s.version for spec in specifiers for s in spec if s.operator in ("==", "===")]
        pinned = [v for v in dict.fromkeys(pinned) if "*" not in v]
        if not pinned:
            return []
        try:
            released = {f.version for f in self.releases.files(name)}
        except (GenerateError, PackageIndexError):
            return []  # the project itself is missing: said by what the index has
        return [v for v in pinned if not _is_released(v, released)]

    def no_file(self, name: str, within: SpecifierSet) -> dict[Version, set[Tag]]:
        """Releases `within` the versions asked for that the index has but with no file this
        interpreter can use (no fitting wheel, no sdist): version -> the tags its wheels are
        for, oldest first, so the error says so rather than reading as if they did not exist."""
        from ..index import PackageIndexError

        try:
            files = self.releases.files(name)
            usable = set(self._index_versions(name, allow_yanked=True))
        except (GenerateError, PackageIndexError):
            return {}
        found: dict[Version, set[Tag]] = {}
        for f in files:
            if f.version in usable or f.version not in within:
                continue
            if f.kind == "sdist":  # an sdist excluded by Requires-Python: said elsewhere
                found.pop(f.version, None)
                usable.add(f.version)
            elif f.kind == "wheel":
                found.setdefault(f.version, set()).update(f.tags)
        return {v: found[v] for v in sorted(found)}

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
    ) -> tuple[bool, bool, bool, float, bool, str]:
        """Which project to pin next, as pip orders them: one promoted by the conflicts it
        took part in (:meth:`narrow_requirement_selection`), then one pinned exactly, then one with
        an upper bound, then the request's in its order, then one with any specifier, then
        by name. The order decides the answer, as each project takes its newest candidate
        that fits what is pinned so far: by name alone, jupyter-console's ipykernel 7.4.0
        (jupyter-client>=8) was pinned before the request's notebook<7, which it then held
        back to 6.5.4, where pip and uv pin notebook 6.5.7 first (jupyter-client<8) and take
        ipykernel 6.29.5."""
        specs = [s for info in information[identifier] for s in info.requirement.specifier]
        pinned = any(
            s.operator == "===" or (s.operator == "==" and "*" not in s.version) for s in specs
        )
        upper = any(
            s.operator in ("<", "<=", "~=") or (s.operator == "==" and "*" in s.version)
            for s in specs
        )
        order = self.order.get(identifier, math.inf)
        return (
            identifier not in self.promoted,
            not pinned,
            not upper,
            order,
            not specs,
            identifier,
        )

    def narrow_requirement_selection(
        self,
        identifiers: Iterable[str],
        resolutions: Mapping[str, Candidate],
        candidates: Mapping[str, Iterator[Candidate]],
        information: Mapping[str, Iterator[Any]],
        backtrack_causes: Sequence[Any],
    ) -> Iterable[str]:
        """The interpreter alone when it is to be pinned (its one candidate fails or fits at
        once), then the projects of the last conflict, as pip narrows them: both the
        requirement's project and the release that asked for it, so that backtracking settles
        the conflict before pinning anything else; then those promoted.

        A project that takes part in conflict after conflict while unpinned is promoted, as
        pip 26 promotes it: pinned before any other from then on, so that its bounds prune
        the candidates of the rest rather than being met only after they are pinned.
        ``protobuf<4`` with ``google-api-core[grpc]`` took more than 1,000 conflicts, each
        grpcio-status release pinned, then given up for protobuf; promoted, protobuf is pinned
        early and it takes a few dozen, as pip's."""
        named = [c.requirement.key for c in backtrack_causes]
        named += [c.parent.key for c in backtrack_causes if c.parent is not None]
        for key in named:
            if key not in resolutions:
                self.in_conflicts[key] = count = self.in_conflicts.get(key, 0) + 1
                if count >= _PROMOTED_AFTER:
                    self.promoted.add(key)
        causes = set(named)
        found, promoted = [], []
        for identifier in identifiers:
            if identifier == PYTHON:
                return [identifier]
            if identifier in causes:
                found.append(identifier)
            elif identifier in self.promoted:
                promoted.append(identifier)
        return found or promoted or identifiers

    def find_matches(
        self,
        identifier: str,
        requirements: Mapping[str, Iterator[Req]],
        incompatibilities: Mapping[str, Iterator[Candidate]],
    ) -> Iterable[Candidate] | Callable[[], Iterator[Candidate]]:
        name, extras = _split(identifier)
        reqs = list(requirements[identifier])
        bad = {(c.origin, c.attr, c.version) for c in incompatibilities[identifier]}
        spec = merged([r.specifier for r in reqs], self.constraints.get(name))
        if name == PYTHON:  # Requires-Python, as a requirement on the interpreter
            fits = spec.contains(self.python, prereleases=True)
            return [Candidate(PYTHON, self.python, origin="python")] if fits else []
        attrs = {r.attr for r in reqs if r.attr}
        if len(attrs) > 1:  # two recipes of the set take two different recipes of one project
            return []

        def index(attr: Callable[[Version], str], last: bool = False) -> Iterator[Candidate]:
            """The releases that fit, newest first: finals (pre-releases where the request
            names one, or no final fits it); `last`, the pre-releases that fit besides, which
            uv takes once no final works with the rest of the request (black with click<8:
            21.12b0), and so come after every other candidate."""
            pinned = any(s.operator in ("==", "===") for s in spec)
            try:
                versions = self._index_versions(name, allow_yanked=pinned)
            except NotOnIndex:
                if name in self.order:  # the request names it (a user, or an sdist's
                    raise  # [build-system]): said as it is
                self.not_on_index.add(name)  # a dependency no release of which exists
                return  # (litellm[proxy] 1.110.2's litellm-proxy): none fits, and
                # backtracking goes on, as with pip and uv
            usable = [v for v in versions if ("index", attr(v), v) not in bad]
            taken = list(spec.filter(usable))
            if last:
                first = set(taken)
                taken = [v for v in spec.filter(usable, prereleases=True) if v not in first]
            for v in sorted(taken, reverse=True):
                yield Candidate(name, v, extras, "index", attr(v))

        if not self.from_set(name):
            own = attr_name(name)
            return lambda: self._usable(
                itertools.chain(index(lambda v: own), index(lambda v: own, True))
            )
        recipes = [
            c
            for c in self._set_candidates(name, extras)
            if (c.origin, c.attr, c.version) not in bad
            and (not attrs or c.attr in attrs)
            and spec.contains(c.version, prereleases=True)
        ]

        def releases(last: bool = False) -> Iterator[Candidate]:
            found = self._quietly(lambda: index(lambda v: version_attr(name, v), last))
            return (c for c in found if c.attr in attrs) if attrs else found

        holding = [c for c in recipes if self._holds_back(c)] if not attrs else []
        fine = [c for c in recipes if c not in holding]
        if name in self.roots and not attrs:
            return lambda: self._usable(
                itertools.chain(_newest_first(fine, list(releases()), holding), releases(last=True))
            )
        if holding:
            ordered = _holding_last(fine, holding, releases)
            return lambda: self._usable(itertools.chain(ordered(), releases(last=True)))
        # The set's recipes first, then the index's releases under attributes of their own:
        # lazily, so the index is asked only when no recipe of the set fits.
        return lambda: self._usable(itertools.chain(recipes, releases(), releases(last=True)))

    def _usable(self, found: Iterable[Candidate]) -> Iterator[Candidate]:
        """`found` less the index's releases whose metadata is invalid (badreq 2.0's wheel
        says ``Requires-Dist: not a requirement!``), which uv leaves out as if the index
        lacked them (it takes badreq 1.0): each is kept, for the error that nothing fits
        (:meth:`unusable`) and the note that a requested project is not at its newest. A
        release's metadata is read as the resolver comes to it, lazily, which it did when
        pinning it; one that cannot be had is told when the resolver pins it, as before."""
        for candidate in found:
            if candidate.origin != "index" or self._valid(candidate.name, candidate.version):
                yield candidate

    def _valid(self, name: str, version: Version) -> bool:
        """Whether a release's metadata is not invalid, read once (each requirement added on
        a project asks again)."""
        key = (name, version)
        if key not in self.checked:
            self.checked.add(key)
            try:
                invalid = self._read(name, version).invalid()
            except MetadataError:
                invalid = None  # :meth:`_metadata` says so, naming what requires it
            if invalid is not None:
                self.invalid[key] = invalid
        return key not in self.invalid

    def _holds_back(self, candidate: Candidate) -> bool:
        """Whether a recipe of the set takes a requested project at a version older than the
        newest release that fits the request: taking it first would hold that project back
        where uv would not (the set's pandas pins numpy 2.4.6; uv gives numpy 2.5.5)."""
        if candidate.origin != "set":
            return False
        for dep in self.pkgs[candidate.attr].dependencies:
            name = str(canonicalize_name(dep.pname))
            if name in self.newest_roots and Version(dep.version) < self.newest_roots[name]:
                return True
        return False

    def _set_candidates(self, name: str, extras: frozenset[str]) -> Iterator[Candidate]:
        for attr, pkg in self._recipes(name):
            yield Candidate(name, Version(pkg.version), extras, "set", attr)

    def _recipes(self, name: str) -> Iterator[tuple[str, Any]]:
        """The set's recipes of a project that may serve it (:func:`_hashed_recipes`)."""
        return _hashed_recipes(self.pkgs, name, self.hashes.get(name))

    @staticmethod
    def _quietly(candidates: Callable[[], Iterator[Candidate]]) -> Iterator[Candidate]:
        """The index's releases of a project the set has, or none if the index does not know
        it (a recipe of the set may well be private)."""
        from ..index import PackageIndexError

        try:
            yield from candidates()
        except (GenerateError, PackageIndexError):
            return

    def is_satisfied_by(self, requirement: Req, candidate: Candidate) -> bool:
        if requirement.attr and candidate.attr != requirement.attr:
            return False
        # resolvelib asks this for every pin in every round: most requirements have no bound
        return not requirement.specifier or requirement.specifier.contains(
            candidate.version, prereleases=True
        )

    def get_dependencies(self, candidate: Candidate) -> list[Req]:
        if candidate not in self.dependencies:
            self.dependencies[candidate] = self._dependencies(candidate)
            self._prefetch(self.dependencies[candidate])
        return self.dependencies[candidate]

    def _prefetch(self, reqs: Iterable[Req]) -> None:
        """Have the metadata of what `reqs` will most likely resolve to fetched ahead."""
        wanted = [
            (r.name, r.specifier)
            for r in reqs
            if r.name != PYTHON and not r.extras and not r.attr and not self._set_fits(r)
        ]
        if wanted:
            self.releases.prefetch(wanted, self.python)

    def _set_fits(self, req: Req) -> bool:
        """Whether a recipe of the set (the first choice) satisfies `req`."""
        if not self.from_set(req.name):
            return False
        return any(
            req.specifier.contains(p.version, prereleases=True) for _, p in self._recipes(req.name)
        )

    # -- helpers ---------------------------------------------------------------------------

    def _index_versions(self, name: str, allow_yanked: bool = False) -> list[Version]:
        """Versions with a file for this interpreter (and its Python), oldest first."""
        return self.releases.usable_versions(name, self.python, allow_yanked)

    def _dependencies(self, candidate: Candidate) -> list[Req]:
        if candidate.origin == "python":
            return []
        label = f"{candidate.name} {candidate.version}"
        if candidate.extras:
            # the project itself, from where the extra is: requests[socks] the set's recipe
            # and requests the index's release would put both requests' inputs in one place
            exact = SpecifierSet(f"=={candidate.version}")
            base = Req(candidate.name, frozenset(), exact, label, attr=candidate.attr)
            return [
                base,
                *(r for e in sorted(candidate.extras) for r in self.extra_reqs(candidate, e)),
            ]
        if candidate.origin == "set":
            return self._set_dependencies(candidate, label)
        meta = self._metadata(candidate)
        reqs = _itself(candidate, [Req.of(r, label) for r in meta.requirements(self.releases.env)])
        if meta.requires_python and not python_ok(meta.requires_python, self.python):
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
                text = f"{dep.pname}=={dep.version}"
                reqs.append(Req(name, frozenset(), exact, who, text, self._attr_of(dep)))
        if replaced:
            reqs += self._metadata_reqs(candidate, who, replaced)
        return reqs

    def _metadata_reqs(self, candidate: Candidate, who: str, names: set[str]) -> list[Req]:
        """The set recipe's metadata requirements on `names` (any version when unknown)."""
        from ..index import PackageIndexError

        try:
            meta = self._release_metadata(candidate.name, candidate.version)
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
                        self._attr_of(d),
                    )
                    for d in pkg.optional(extra)
                ]
        meta = self._metadata(candidate)
        reqs = meta.requirements(self.releases.env, extra=extra)
        return _itself(candidate, [Req.of(r, label) for r in reqs])

    def _metadata(self, candidate: Candidate) -> Metadata:
        """The metadata of a release of the index; when it cannot be had, the error names the
        releases that require it, and the lines of the request that bound it, and what else
        to take: the backend's output alone left the user to find out why it was wanted at
        all, and a request's bound is as often the cause (``pypi:tornado<6``, on a Python
        no tornado 5 builds for)."""
        try:
            return self._read(candidate.name, candidate.version)
        except MetadataError as exc:
            raise self._unobtainable(candidate, exc) from None

    def _read(self, name: str, version: Version) -> Metadata:
        """The metadata the resolver takes a release by. A release with no wheel for this
        interpreter, whose own metadata was never had, is taken by a wheel's for another, as
        uv takes it, rather than by building its sdist: backtracking past releases that do
        not fit builds none of them (grpcio-tools 1.58.3 to 1.49.1 on 3.12 with
        ``protobuf<4``: their wheels for 3.11 require protobuf>=4, and each sdist's backend
        fails here). Those still pinned at the end have their own metadata prepared then,
        as before: a backend that fails is the error it was, and a release that requires
        other things here is resolved again by its own (:func:`resolve`)."""
        key = (name, version)
        if key not in self.verified:
            if key not in self.borrowed:
                self.borrowed[key] = self._borrowed(name, version)
            borrowed = self.borrowed[key]
            if borrowed is not None:
                return borrowed
        return self._release_metadata(name, version)

    def _borrowed(self, name: str, version: Version) -> Metadata | None:
        """A wheel's metadata for another interpreter (:meth:`Releases.metadata_elsewhere`)
        where the release has no wheel for this one and its own metadata is not known; else
        None, as for one that cannot be read or is invalid."""
        from ..index import PackageIndexError

        releases = self.releases
        if releases.wheels(name, version) or releases.known_metadata(name, version):
            return None
        try:
            meta = releases.metadata_elsewhere(name, version)
        except (GenerateError, PackageIndexError):
            return None
        return meta if meta is not None and meta.invalid() is None else None

    def check_borrowed(self, pinned: Iterable[Candidate]) -> set[tuple[str, Version]]:
        """Of the `pinned` releases taken by another interpreter's wheel, those whose own
        metadata, prepared now, requires other things here; raises the error of one whose
        metadata cannot be had (:meth:`_unobtainable`)."""
        differing = set()
        for candidate in pinned:
            key = (candidate.name, candidate.version)
            borrowed = self.borrowed.get(key) if candidate.origin == "index" else None
            if borrowed is None or key in self.verified:
                continue
            try:
                own = self._release_metadata(*key)
            except MetadataError as exc:
                raise self._unobtainable(candidate, exc) from None
            extras = sorted(candidate.extras)
            if _asks(own, self.releases.env, extras) != _asks(borrowed, self.releases.env, extras):
                differing.add(key)
        return differing

    def _unobtainable(self, candidate: Candidate, exc: MetadataError) -> DependencyMetadataError:
        """The error of a release whose metadata cannot be had, `exc`: see :meth:`_metadata`."""
        asking = self._asking(candidate.name)
        # the releases and the set's recipes of other projects that ask for it; where
        # none does, the request's requirements with extras: a release reached through
        # its own extras alone (dask[complete] asks for dask[array,…]: :func:`_itself`)
        dependents = list(
            dict.fromkeys(p for _, p in asking if p is not None and p.name != candidate.name)
        )
        named = [r.parent for r, p in asking if p in dependents] or [
            r.parent for r, p in asking if p is None and r.extras
        ]
        bounding = self._bounding(candidate.name)
        release = f"{candidate.name} {candidate.version}"
        ways = [
            *(f"loosen the request {b}" for b in bounding),
            *self._older(dependents),
            self._recipe_way(candidate),
        ]
        named = list(dict.fromkeys([*bounding, *named]))
        return DependencyMetadataError(exc, release, named, ways)

    def _bounding(self, name: str) -> list[str]:
        """The lines of the request (``pypi:tornado<6``) that bound the versions of project
        `name`: the user's own, which a way out may loosen (none for an sdist's build
        requirements, which no user wrote)."""
        if name not in self.roots:
            return []
        return [r.parent for r in self.requests if r.name == name and r.specifier]

    def _bound(self, name: str) -> SpecifierSet:
        """The versions of project `name` the request and the constraints allow."""
        asked = [r.specifier for r in self.requests if r.name == name]
        return merged(asked, self.constraints.get(name))

    def _release_metadata(self, name: str, version: Version) -> Metadata:
        """:meth:`Releases.metadata`, whose failure is kept: :meth:`_usable` reads a release's
        metadata before the resolver pins it, and the notes (:meth:`needs`) and a set recipe's
        requirements (:meth:`_metadata_reqs`) read it too, and a backend that failed is run
        for none of them again. Its hint offers no release the request excludes."""
        if (name, version) in self.failed:
            raise self.failed[(name, version)]
        try:
            return self.releases.metadata(name, version, self._bound(name))
        except MetadataError as exc:
            self.failed[(name, version)] = exc
            raise

    def _asking(self, name: str) -> list[tuple[Req, Candidate | None]]:
        """The requirements on project `name` (with any extras) in the resolver's current
        state, each with the release or recipe that asks for it (None: the request). Not
        those asked before backtracking gave them up: user 2.0, which asked for dep[x]>=2
        and was given up for user 1.0, does not require the dep 1.0 that user 1.0 does."""
        if self.state is None:  # its first round: the request alone asks
            return [(r, None) for r in self.requests if r.name == name]
        return [
            (info.requirement, info.parent)
            for key, criterion in self.state.criteria.items()
            if _split(key)[0] == name
            for info in criterion.information
        ]

    def _older(self, dependents: Iterable[Candidate]) -> list[str]:
        """Each dependent from the index that has an older release, which may not need it
        (once for a project's release and its extras')."""
        return list(
            dict.fromkeys(
                f"take an older {d.name}, which may not need it (pypi:{d.name}<{d.version})"
                for d in dependents
                if d.origin == "index" and self.newest(d.name, SpecifierSet(f"<{d.version}"))
            )
        )

    def _recipe_way(self, candidate: Candidate) -> str:
        """Taking the project from the set (another version the request allows, which a
        dependent may allow too), else from a recipe of the user's own."""
        name = candidate.name
        bound = self._bound(name)
        recipes = [
            (a, p)
            for a, p in set_recipes(self.pkgs, name)
            if Version(p.version) != candidate.version
            and bound.contains(p.version, prereleases=True)
        ]
        if recipes:
            shown = ", ".join(f"{p.version} (pkgs.{a})" for a, p in recipes)
            return f"take the set's {name} {shown}, if what requires it allows it"
        return f"give {name} a recipe of your own in an overlay (--overlay FILE)"

    def _attr_of(self, dep: Any) -> str:
        """The set's attribute holding `dep` (one of a recipe's inputs)."""
        name = str(canonicalize_name(dep.pname))
        for attr, pkg in set_recipes(self.pkgs, name):
            if pkg.drv.drv_name == dep.drv.drv_name:
                return attr
        return ""


def _newest_first(
    recipes: list[Candidate], releases: list[Candidate], holding: Sequence[Candidate] = ()
) -> list[Candidate]:
    """A requested project's candidates: as uv would, its newest release that fits, even
    when the set's recipe is older; then the set's recipes, then the older releases.
    Recipes `holding` another requested project back go after the releases as new as they
    are (:func:`_holding_last`)."""
    best = max((c.version for c in [*recipes, *holding]), default=None)
    newer = [c for c in releases if best is None or c.version > best]
    rest = [c for c in releases if c not in newer]
    if holding:
        floor = max(c.version for c in holding)
        rest = [
            *(c for c in rest if c.version >= floor),
            *holding,
            *(c for c in rest if c.version < floor),
        ]
    return [*newer, *recipes, *rest]


def _holding_last(
    recipes: list[Candidate],
    holding: list[Candidate],
    releases: Callable[[], Iterator[Candidate]],
) -> Callable[[], Iterator[Candidate]]:
    """A project's candidates when some of the set's recipes would hold a requested project
    back: the other recipes, then the index's releases as new as those recipes, then those
    recipes, then older releases. Backtracking still reaches the recipe when nothing newer
    works with the rest of the request."""

    def ordered() -> Iterator[Candidate]:
        yield from recipes
        floor = max(c.version for c in holding)
        older = []
        for release in releases():
            if release.version >= floor:
                yield release
            else:
                older.append(release)
        yield from holding
        yield from older

    return ordered


def _asks(meta: Metadata, env: Mapping[str, str], extras: Sequence[str]) -> tuple[Any, ...]:
    """What a release's metadata `meta` requires here, with `extras`, compared as parsed
    (two sources write one requirement differently: ``protobuf (>=4)``, ``protobuf>=4``)."""
    reqs = [*meta.requirements(env), *(r for e in extras for r in meta.requirements(env, e))]
    python = SpecifierSet(meta.requires_python or "")
    return python, {(canonicalize_name(r.name), frozenset(r.extras), r.specifier) for r in reqs}


def merged(specifiers: Iterable[SpecifierSet], constraint: SpecifierSet | None) -> SpecifierSet:
    """One specifier set of many, built once (``&`` pairwise is quadratic in their number)."""
    parts = {s for spec in specifiers for s in spec}
    if constraint is not None:
        parts.update(constraint)
    return SpecifierSet(parts)


def resolve(
    releases: Releases,
    pkgs: Any,
    roots: Sequence[Req],
    *,
    constraints: Sequence[Req] = (),
    all_from_index: bool = False,
    overlay: bool = False,
    build: bool = False,
    hashes: Mapping[str, Collection[str]] | None = None,
) -> dict[str, Chosen]:
    """Versions for `roots` and everything they need, by project name.

    `overlay` says the result will be an overlay (``pybuild import``): a project taken from
    the index then replaces the set's recipe for the set's own packages too. Raises
    :class:`ResolutionFailed` with resolvelib's causes when there is no solution. `build`
    says the roots are an sdist's build requirements: a release of the index never replaces
    the set's recipe then, and a root held back from its newest release is no news. `hashes`
    are the sha256 a project's file must have (``--hash``, a lock): a recipe of the set whose
    file is another gives way to the index's releases, whose file must then be one of them.
    `constraints` (``-c FILE``) narrow the versions of the projects they name; the notes and
    errors name one, with its FILE:LINE, wherever it holds a release back.
    """
    from resolvelib.structs import RequirementInformation

    hashes = hashes or {}
    from_index: set[str] | None = set() if build else _overridden(pkgs, roots, hashes)
    if all_from_index:
        from_index = None
    requested = () if build else [r.name for r in roots]
    verified: set[tuple[str, Version]] = set()
    while True:  # again while a release pinned by another interpreter's wheel differs here
        provider = _Provider(
            releases, pkgs, from_index, constraints, overlay, requested, hashes, roots, verified
        )
        if not build:
            provider.newest_roots = _newest_roots(provider, roots)
        result = _resolved(provider, roots)
        differing = provider.check_borrowed(result.mapping.values())
        if not differing:
            break
        verified |= differing
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
    infos = {k: list(c.information) for k, c in result.criteria.items()}
    for name, found in provider.constrained.items():
        if name in infos:  # a constraint holds back only what is asked for
            infos[name] += [RequirementInformation(c, None) for c in found]
    for entry in chosen.values():
        if entry.origin == "index" and provider.from_set(entry.name):
            entry.notes.append(passed_over(entry, infos, chosen, pkgs, entry.name in requested))
    for root in roots:
        entry = chosen[root.name]
        if not build:
            # the newest the request itself allows: `django<5` is not held back by itself
            newest = provider.newest(root.name, root.specifier)
            needs = (
                provider.needs(root.name, newest, sorted(root.extras))
                if newest and newest > entry.version
                else []
            )
            unusable = provider.invalid.get((root.name, newest)) if newest else None
            entry.notes += held_back(
                entry, infos, newest, needs, chosen, sorted(root.extras), unusable,
                provider.not_on_index,
            )  # fmt: skip
    return chosen


def _resolved(provider: _Provider, roots: Sequence[Req]) -> Any:
    """resolvelib's result for `roots`, or :class:`ResolutionFailed` explaining why none."""
    from resolvelib import ResolutionImpossible, ResolutionTooDeep, Resolver

    reporter = _Reporter(provider)
    resolver: Resolver[Req, Candidate, str] = Resolver(provider, reporter)  # type: ignore[arg-type]
    try:
        return resolver.resolve(roots, max_rounds=_MAX_ROUNDS)
    except ResolutionImpossible as exc:
        raise explain_conflict(exc.causes, provider) from None
    except (ResolutionTooDeep, _GaveUp):
        raise explain_conflict(
            reporter.causes, provider, f"after {reporter.conflicts} conflicts"
        ) from None


def _newest_roots(provider: _Provider, roots: Sequence[Req]) -> dict[str, Version]:
    """The newest fitting release of each requested project that pins no exact version and
    that the set has an older recipe of: uv would take it, so the set's recipes that pin it
    older give way to releases of the index where some way exists."""
    found = {}
    for root in roots:
        if any(s.operator in ("==", "===") for s in root.specifier):
            continue
        newest = provider.newest(root.name, root.specifier)
        recipes = set_recipes(provider.pkgs, root.name)
        if newest is not None and recipes and all(Version(p.version) < newest for _, p in recipes):
            found[root.name] = newest
    return found


class _GaveUp(Exception):
    """Backtracking went on too long (resolvelib counts rounds, one per pin, not conflicts)."""


class _Reporter(BaseReporter):  # type: ignore[type-arg]
    """resolvelib's reporter: counts the conflicts met and remembers the latest, to stop
    after :data:`_MAX_CONFLICTS` and name it; and gives the provider the state each round
    ends with, which the next one works on (who requires a release is asked of it)."""

    def __init__(self, provider: _Provider) -> None:
        self.provider = provider
        self.causes: list[Any] = []
        self.conflicts = 0

    def ending_round(self, index: int, state: Any) -> None:
        """The state the next round works on. (A newer resolvelib may also roll its
        optimistic backjumping back as a round starts, unreported: only after about a tenth
        of :data:`_MAX_ROUNDS` rounds of it, which no resolution comes near.)"""
        self.provider.state = state

    def resolving_conflicts(self, causes: Collection[Any]) -> None:
        self.causes = list(causes)
        self.conflicts += 1
        if self.conflicts >= _MAX_CONFLICTS:
            raise _GaveUp


def _overridden(pkgs: Any, roots: Sequence[Req], hashes: Mapping[str, Collection[str]]) -> set[str]:
    """Requested projects the set has, but at no version the request accepts, or with no
    file among the `hashes` the request gives."""
    names = set()
    for req in roots:
        if set_attrs(pkgs, req.name) and not any(
            req.specifier.contains(p.version, prereleases=True)
            for _, p in _hashed_recipes(pkgs, req.name, hashes.get(req.name))
        ):
            names.add(req.name)
    return names


def _hashed_recipes(
    pkgs: Any, name: str, allowed: Collection[str] | None
) -> Iterator[tuple[str, Any]]:
    """The set's recipes of a project whose file is one of the sha256 `allowed` (all of
    them when None): as pip's hash-checking mode, a recipe fetching another file may not
    serve a requirement that gives hashes."""
    for attr, pkg in set_recipes(pkgs, name):
        if allowed is None or _file_sha256(pkg) in allowed:
            yield attr, pkg


def _file_sha256(pkg: Any) -> str | None:
    """The sha256 (hex) of the file a recipe of the set fetches, or None when its source is
    no download of one file (a local folder, an unpacked archive's hash)."""
    from ..derivations import Derivation
    from ..hashing import parse_hash
    from ..lazy import force

    src = force(pkg.attrs["src"])
    if not isinstance(src, Derivation) or src.output_hash is None:
        return None
    return parse_hash(src.output_hash).hex if src.output_hash_mode == "flat" else None
