"""What can go wrong when recipes are made from the package index, each saying what to do."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ..errors import PybuildError
from ..index.errors import close_projects, did_you_mean

__all__ = [
    "DependencyMetadataError",
    "GenerateError",
    "InvalidMetadata",
    "MetadataError",
    "MissingBuildBackend",
    "NotOnIndex",
    "ResolutionFailed",
    "RustSdistOnly",
    "ToolWithoutWheel",
]


class GenerateError(PybuildError):
    """Base of the problems met while generating recipes from the index."""


class NotOnIndex(GenerateError):
    """A project the index does not have; `suggestions` are close names it (or the set) has."""

    def __init__(self, name: str, indexes: Sequence[str], known: Iterable[str]) -> None:
        self.name, self.indexes = name, list(indexes)
        self.suggestions = close_projects(name, known)
        # without the suggestions, for a name no user typed (a package's requirement)
        self.unsuggested = f"no project named {name!r} on the package index ({', '.join(indexes)})"
        super().__init__(self.unsuggested + did_you_mean(self.suggestions))
        self.hint = "check the spelling, or add the index that holds it to PIP_EXTRA_INDEX_URL"


class NoFittingFile(GenerateError):
    """A release chosen has no file to take: none for this interpreter, or none with the hashes
    it is required with; `name` is its project, which an imported file's line names."""

    def __init__(self, name: str, message: str) -> None:
        self.name = name
        super().__init__(message)


class MetadataError(GenerateError):
    """A release's core metadata could not be read or made."""


class InvalidMetadata(MetadataError):
    """A release's core metadata has a ``Requires-Dist`` that does not parse: `release` is
    it (``badreq 2.0``), `reason` says which requirement, from where, and why. uv takes
    such a release as unusable, as if the index lacked it, and the resolver does so too: it
    is named where nothing else fits (:meth:`~pybuild.generate.resolver._Provider.unusable`)."""

    def __init__(self, release: str, reason: str) -> None:
        self.release, self.reason = release, reason
        super().__init__(f"{release} has invalid metadata: {reason}")


class ToolWithoutWheel(NoFittingFile, MetadataError):
    """A build tool the index gives at a release with no wheel for this interpreter (thinc
    8.0.17, wheels up to cp310, on 3.11). Build tools come from wheels, as the set's do, so
    that no build needs another build first (:mod:`.buildenv`): its sdist cannot stand in.

    `tool` is the release, `files` says what files it has, `python` is an ``X.Y`` its wheels
    are for on this platform (or ""). Whose build needs it is known where that build is
    asked for, not where the tool is pinned: :meth:`of_build` names it, with whether the tool
    is among its build requirements (`direct`) and a further way out (`way`).

    It is a :class:`MetadataError` too: when that build must prepare a release's metadata,
    the release's metadata cannot be had, and the resolver says so as of any other such
    release (:class:`DependencyMetadataError`: the releases that require it, older ones of
    them), as uv names what included a release whose build fails."""

    def __init__(
        self,
        name: str,
        tool: str,
        here: str,
        files: str,
        python: str,
        build: str = "",
        direct: bool = True,
        way: str = "",
    ) -> None:
        self.tool, self.here, self.files, self.python = tool, here, files, python
        self.build = build
        if build:
            how = "a build requirement" if direct else "needed by its build requirements"
            head = f"{build}'s sdist builds with {tool} ({how}), which"
        else:
            head = f"{tool}, a build tool,"
        super().__init__(
            name,
            f"{head} has no wheel for this interpreter ({here}): a build tool is installed"
            " from its wheel, never built from its sdist, so that no build needs another"
            f" build first\n  {files}",
        )
        ways = [f"pass --python {python}, an interpreter {tool}'s wheels are for"] if python else []
        ways += [way] if way else []
        version = tool.rpartition(" ")[2]
        ways.append(
            f"add a recipe for {name} {version} to a recipe folder, which the build then takes"
            f" (for example: put '{name}=={version}' in a requirements file and run"
            " `pybuild import FILE -o DIR --all`, then pass `--overlay DIR/overlay.py`)"
        )
        self.hint = "; or ".join(ways)

    def of_build(self, build: str, direct: bool, way: str = "") -> ToolWithoutWheel:
        """This error, naming the sdist `build` whose build needs the tool; as it is if it
        names one already (the innermost build is the one that needs it)."""
        if self.build:
            return self
        return ToolWithoutWheel(
            self.name, self.tool, self.here, self.files, self.python, build, direct, way
        )


class RustSdistOnly(NoFittingFile):
    """A release whose only file that fits here is an sdist compiling Rust, which the set's
    tools cannot build (:func:`~pybuild.generate.files.FilePicker`); every such release of a
    plan is told in one error (:meth:`of_all`), so that one lock made again mends them all.

    `wheel_here`: this machine's wheel of the release (with its hash), which a lock made here
    takes, or "" when it has none, and another release or interpreter is the way out; then
    `platform` is this machine's, and `locked` whether a lock names the release."""

    def __init__(
        self, name: str, message: str, wheel_here: str, platform: str, locked: bool
    ) -> None:
        super().__init__(name, message)
        self.wheel_here, self.platform, self.locked = wheel_here, platform, locked
        self.hint = _ways_out([self])

    @classmethod
    def of_all(cls, refused: Sequence[RustSdistOnly]) -> RustSdistOnly:
        """One error telling each of `refused` (one at least), in the order of their names;
        a single one as it is. The error names no project (``name`` is empty): no one line
        of an imported file is at fault."""
        if len(refused) == 1:
            return refused[0]
        told = sorted(refused, key=lambda e: e.name)
        lines = "".join(f"\n  {e.args[0]}" for e in told)
        message = f"{len(told)} packages have no file this machine can build:{lines}"
        error = cls("", message, "", told[0].platform, any(e.locked for e in told))
        error.hint = _ways_out(told)
        return error


def _ways_out(told: Sequence[RustSdistOnly]) -> str:
    """What to do about the releases of `told`, each way said once for all it mends: a lock
    made here, for those with a wheel for this machine; another release or interpreter, for
    the others."""
    here = [e.wheel_here for e in told if e.wheel_here]
    elsewhere = [e for e in told if not e.wheel_here]
    ways = []
    if here:
        wheels = "wheel" if len(here) == 1 else "wheels"
        ways.append(
            "lock again on this platform, or for every platform (uv's --universal), to take"
            f" this machine's {wheels} ({'; '.join(here)})"
        )
    if elsewhere:
        names = ", ".join(e.name for e in elsewhere)
        again = ", and lock again with it" if any(e.locked for e in elsewhere) else ""
        which = "a release of" if len(elsewhere) == 1 else "releases of"
        ways.append(
            f"choose {which} {names} or an interpreter with a wheel for this platform"
            f" ({elsewhere[0].platform}){again}"
        )
    return "; ".join(ways)


class ResolutionFailed(GenerateError):
    """No set of versions satisfies the requirements; the message is the resolver's account."""

    def __init__(self, summary: str, causes: Sequence[str], hint: str = "") -> None:
        self.summary, self.causes = summary, list(causes)
        super().__init__(summary + "".join(f"\n  {line}" for line in self.causes))
        self.hint = hint


class MissingBuildBackend(GenerateError):
    """An sdist needs a build tool the package set has no (fitting) recipe for."""

    def __init__(
        self, package: str, requirement: str, found: str | None, index: str | None = None
    ) -> None:
        self.package, self.requirement, self.found = package, requirement, found
        what = (
            f"the set's recipe gives {found}, which does not satisfy it"
            if found
            else "the package set has no recipe for it"
        )
        text = f"{package}'s sdist builds with {requirement!r}, and {what}"
        if index is not None:  # the index was asked too
            text += "; nor can the index meet its build requirements:\n  " + index
        super().__init__(text)
        name = _project(requirement)
        self.hint = (
            f"add a recipe for {name} to a recipe folder (for example: put {name!r} in a"
            " requirements file and run `pybuild import FILE -o DIR --all`, then pass"
            " `--overlay DIR/overlay.py`)"
        )


class DependencyMetadataError(MetadataError):
    """The metadata of a release the resolver chose could not be had (its backend failed to
    prepare it): `cause` says why; this names the releases that require it (`dependents`)
    and the `ways` around it, each an alternative of the hint after those of the cause's."""

    def __init__(
        self, cause: MetadataError, release: str, dependents: Sequence[str], ways: Sequence[str]
    ) -> None:
        self.cause, self.release, self.dependents = cause, release, list(dependents)
        text = str(cause.args[0]) if cause.args else str(cause)
        if dependents:
            text += f"\n{release} is required by {', '.join(dependents)}"
        super().__init__(text)
        self.hint = "; or ".join(h for h in (cause.hint, *ways) if h)


def _project(requirement: str) -> str:
    """The project a requirement names (``python-sbom`` of ``python-sbom[hatch]>=0.1``)."""
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        return Requirement(requirement).name
    except InvalidRequirement:
        return requirement.split(";")[0].strip()
