"""What the resolver tells a user besides the versions: why it failed, and why an answer is not
the obvious one.

Three accounts, each naming the requirements responsible and who asked for them:

- a conflict (no solution, or backtracking that never ends): the requirements resolvelib names
  as its cause, with what the set and the index have of each project, the releases that
  would fit but are yanked (with the index's reason), those whose ``Requires-Python``
  excludes the set's interpreter, those with no file for it: wheels for another Python
  (a ``--python`` would take them) or only for other platforms (pywin32's Windows wheels: no
  Python version helps), and those whose metadata is invalid, which uv leaves out too;
- a recipe of the set passed over for a release of the index: the requirement the recipe's
  version does not meet (``botocore 1.40.0 requires python-dateutil<3``), the inputs it is
  pinned to that the rest of the resolution does not use, or, for a requested project, a
  newer release;
- a requested project resolved to a release older than its newest: the requirement that held
  it back. A package manager that silently picks a release from years ago is worse than one
  that fails, so this is said every time.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.tags import Tag
from packaging.utils import canonicalize_name
from packaging.version import Version

from .errors import InvalidMetadata, ResolutionFailed
from .names import set_recipes

if TYPE_CHECKING:
    from .resolver import Chosen

__all__ = ["explain_conflict", "held_back", "passed_over"]

# Who asks for one requirement, named before the rest are counted.
_WHO_SHOWN = 4
_LEFT_OUT_SHOWN = 5  # releases a conflict names as left out by Requires-Python, or fileless


def _who(info: Any) -> str:
    """Who asked for a requirement: a release, the request, or a recipe of the set, which is
    named as such (its pins are the set's choice, not its project's metadata)."""
    parent = info.parent
    if parent is None:
        return str(info.requirement.parent)
    if getattr(parent, "origin", "") == "set":
        return f"the set's recipe {parent.attr} ({parent})"
    return str(parent)


def _whence(info: Any) -> tuple[str, str]:
    """Whence a requirement: ``required by`` who asked for it, or ``a constraint at`` the
    FILE:LINE of a constraint (``-c``), which asks for nothing but narrows what others do."""
    if getattr(info.requirement, "constraint", False):
        return "a constraint at", info.requirement.parent
    return "required by", _who(info)


def _by(info: Any) -> str:
    return " ".join(_whence(info))


def _text(info: Any) -> str:
    req = info.requirement
    return req.text or f"{req.key}{req.specifier}"


def _on(name: str, infos: Mapping[str, list[Any]]) -> list[Any]:
    """The requirements on `name`, with or without extras."""
    return [i for key, found in infos.items() if key.partition("[")[0] == name for i in found]


def _required_by(infos: Iterable[Any]) -> list[str]:
    """A line for each requirement text, naming who asks for it; past :data:`_WHO_SHOWN`,
    counted: every release of a project that backtracking tried (black 26.10.1 back to 22.1.0,
    each asking click>=8) would otherwise be a line of its own."""
    whos: dict[tuple[str, str], list[str]] = {}
    for info in infos:
        how, who = _whence(info)
        whos.setdefault((_text(info), how), []).append(who)
    lines = []
    for (text, how), names in whos.items():
        more = len(names) - _WHO_SHOWN
        shown = ", ".join(names[: _WHO_SHOWN if more > 1 else len(names)])
        lines.append(f"{text} is {how} {shown}" + (f" and {more} more" if more > 1 else ""))
    return lines


def explain_conflict(causes: Iterable[Any], provider: Any, after: str = "") -> ResolutionFailed:
    """resolvelib's causes, grouped by project, with what exists for each; `after` says the
    resolver gave up (``after 500 conflicts``) rather than proved it impossible.

    Releases that would satisfy every requirement on a project but whose ``Requires-Python``
    excludes the set's interpreter are named with it, as pip and uv do: the resolver never
    sees them, and without them the account reads as if the index lacked them. The hint then
    names an interpreter that would do (``--python 3.12``)."""
    from resolvelib.structs import RequirementInformation

    from .resolver import PYTHON, merged

    by_name: dict[str, list[Any]] = {}
    for info in causes:
        by_name.setdefault(info.requirement.name, []).append(info)
    for name, infos in by_name.items():  # resolvelib knows no constraints: each is named too
        infos += [RequirementInformation(c, None) for c in provider.constrained.get(name, ())]
    lines = []
    needs: list[tuple[str, str]] = []  # (who, the Requires-Python the interpreter fails)
    no_file: list[tuple[str, Version, str | None]] = []  # no file here; a Python they fit
    unusable: list[tuple[str, str]] = []  # (project, a release whose metadata is invalid)
    for name, infos in by_name.items():
        lines += _required_by(infos)
        lines.append(f"  and {provider.available(name)}")
        if name == PYTHON:
            needs += [(_who(info), str(info.requirement.specifier)) for info in infos]
            continue
        within = merged((i.requirement.specifier for i in infos), provider.constraints.get(name))
        for version in provider.never_released(name, [i.requirement.specifier for i in infos]):
            lines.append(f"  but no {name} {version} at all")
        fileless = provider.no_file(name, within)
        for version in list(fileless)[-_LEFT_OUT_SHOWN:]:
            line, python = _without_file(name, version, fileless[version], provider.releases.tags)
            lines.append(f"  but {line}")
            no_file.append((name, version, python))
        older = len(fileless) - _LEFT_OUT_SHOWN
        if older > 0:
            which = f"{older} older releases" if older > 1 else "1 older release"
            lines.append(f"  and {which} of {name} with no file for this interpreter either")
        yanked = provider.yanked(name, within)
        if yanked:
            lines.append(f"  and {_yanked(name, yanked)}")
        left = provider.left_out(name, within)
        if left:
            lines.append(f"  but {_left_out(name, left, provider.python)}")
            needs += [(f"{name} {v}", left[v]) for v in reversed(left)]  # newest first
        for error in provider.unusable(name, within):
            lines.append(f"  but {error}")
            unusable.append((name, error.release))
    names = [n if n != PYTHON else "Python" for n in by_name]
    if not names:
        summary = f"the resolver gave up {after}"
    elif len(names) == 1:
        summary = f"no version of {names[0]} satisfies every requirement on it:"
    else:
        summary = f"the requirements on {', '.join(names)} cannot all be satisfied:"
    if after and names:
        summary = f"the resolver gave up {after}; the last conflict: " + summary
    # --all helps when a recipe of the set asks for the clashing version (its pin, not its
    # project's metadata), not when the set merely has a package of the name: the index's
    # releases are candidates then too.
    set_involved = any(
        getattr(info.parent, "origin", "") == "set"
        for name, infos in by_name.items()
        if name != PYTHON
        for info in infos
    )
    if after:
        hint = "pin some versions (NAME==VERSION) to narrow the search"
    elif set_involved:
        hint = (
            "a recipe of the set is pinned to the set's own inputs: change the set's recipe"
            " (an overlay), or import with --all to take every package from the index"
        )
    else:
        hint = "relax or change the version requirements named above"
    if no_file and not after:
        hint = _no_file_hint(no_file, provider)
    elif unusable and not after:
        name, release = unusable[-1]
        hint = (
            f"{release} cannot be used (uv leaves it out too): take an older release of what"
            f" requires {name}, which may not need it; or give {name} a recipe of your own in"
            " an overlay (--overlay FILE)"
        )
    if needs:
        hint = f"{_other_python(needs, provider.python)}; or {hint}"
    return ResolutionFailed(summary, lines, hint)


def _without_file(
    name: str, version: Version, tags: Iterable[Tag], here: Sequence[Tag]
) -> tuple[str, str | None]:
    """Why a release has no file for the interpreter whose tags are `here`, given its wheels'
    `tags`; and the ``--python`` that would take one of them, None when none is for this
    platform. pywin32's wheels name this very Python, but for Windows: blaming the Python and
    hinting another one would send a user the wrong way, so the platforms are named, as uv
    names them."""
    platforms = {t.platform for t in here}
    pythons = sorted({t.interpreter for t in tags if t.platform in platforms}, key=_tag_order)
    if pythons:
        return (
            f"{name} {version} has no wheel for this interpreter ({here[0]}) and no sdist;"
            f" its wheels are for {', '.join(pythons)}",
            _python_of(pythons),
        )
    others = sorted({t.platform for t in tags})
    return (
        f"{name} {version} has no wheel for this platform ({here[0].platform}) and no sdist;"
        f" its wheels are for {', '.join(others)}",
        None,
    )


def _tag_order(tag: str) -> tuple[int, str]:
    """``cp39`` before ``cp310``."""
    return len(tag), tag


def _no_file_hint(no_file: Sequence[tuple[str, Version, str | None]], provider: Any) -> str:
    """What to do about releases with no file here: pass the ``--python`` of the newest one a
    Python version would help; else say that no release of a project can be installed on
    this platform at all, when none can (pywin32 off Windows), or ask for another release."""
    pythons = [(name, version, python) for name, version, python in no_file if python]
    if pythons:
        name, version, python = pythons[-1]
        return (
            f"{name} {version} cannot be installed on this interpreter: ask for a release that"
            f" has a wheel for it (the index's releases are named above), or pass --python"
            f" {python} for an interpreter its wheels are for"
        )
    platform = provider.releases.tags[0].platform
    for name in dict.fromkeys(name for name, _, _ in no_file):
        elsewhere = provider.releases.other_platforms(name)
        if elsewhere:
            return (
                f"no release of {name} can be installed on this platform ({platform}): it has"
                f" no sdist, and its wheels are for {', '.join(elsewhere)} only"
            )
    name, version, _ = no_file[-1]
    return (
        f"{name} {version} has wheels for other platforms only: ask for a release that has a"
        f" wheel for this platform ({platform}) or an sdist (the index's releases are named"
        " above); no other Python version would help"
    )


def _python_of(tags: Sequence[str]) -> str:
    """The newest CPython version among wheel interpreter tags (``cp311`` -> ``3.11``), or
    ``X.Y`` when none names one."""
    versions = [t[2:] for t in tags if t.startswith("cp") and t[2:].isdigit() and len(t) > 3]
    if not versions:
        return "X.Y"
    newest = max(versions, key=lambda v: (len(v), v))
    return f"{newest[0]}.{newest[1:]}"


def _left_out(name: str, left: Mapping[Version, str], python: Version) -> str:
    """``Requires-Python leaves out sphinx 9.1.0, 9.2.0 (>=3.12) …``: the newest releases
    left out, each run of them followed by the ``Requires-Python`` they share."""
    shown = list(left)[-_LEFT_OUT_SHOWN:]
    runs = _runs(shown, left)
    text = ", ".join(f"{', '.join(map(str, vs))} ({requires})" for requires, vs in runs)
    older = len(left) - len(shown)
    more = f" and {older} older" if older else ""
    return (
        f"Requires-Python leaves out {name} {text}{more} for the set's interpreter, Python {python}"
    )


def _yanked(name: str, yanked: Mapping[Version, str]) -> str:
    """``requests 2.32.0, 2.32.1 would match but are yanked: REASON``: the newest yanked
    releases that would fit, with the index's reason, or reasons when they differ."""
    shown = list(yanked)[-_LEFT_OUT_SHOWN:]
    older = len(yanked) - len(shown)
    more = f" and {older} older" if older else ""
    are = "are" if len(yanked) > 1 else "is"
    runs = _runs(shown, yanked)
    if len(runs) == 1:
        reason, versions = runs[0]
        why = f": {reason}" if reason else ""
        return f"{name} {', '.join(map(str, versions))}{more} would match but {are} yanked{why}"
    text = ", ".join(
        ", ".join(map(str, vs)) + (f" (reason: {reason})" if reason else "") for reason, vs in runs
    )
    return f"{name} {text}{more} would match but are yanked"


def _runs(
    versions: Iterable[Version], of: Mapping[Version, str]
) -> list[tuple[str, list[Version]]]:
    """`versions` in runs that share what `of` says of them, in order."""
    runs: list[tuple[str, list[Version]]] = []
    for version in versions:
        if runs and runs[-1][0] == of[version]:
            runs[-1][1].append(version)
        else:
            runs.append((of[version], [version]))
    return runs


def _other_python(needs: Iterable[tuple[str, str]], python: Version) -> str:
    """The hint to pass ``--python`` for an interpreter that meets a ``Requires-Python`` named
    above: the one nearest the set's (the first newer, else the latest older) that any of them
    allows, with the first of `needs` (the newest release) that allows it; else the first.
    sphinx>=8.2 on 3.10 is offered 3.11, which 8.2 and 9.0 need, not 3.13, which only its
    newest release needs."""
    from ..python.locate import python_meeting

    needs = list(needs)
    who, requires, fitting = *needs[0], "X.Y"
    nearest: tuple[int, int] | None = None
    for other, its in needs:
        found = python_meeting(its, str(python))
        if found is None:
            continue
        rank = _nearness(found, python)
        if nearest is None or rank < nearest:
            who, requires, fitting, nearest = other, its, found, rank
    return (
        f"{who} needs Python {requires}: pass --python {fitting} for an interpreter that meets it"
    )


def _nearness(found: str, python: Version) -> tuple[int, int]:
    """How near ``X.Y`` is to `python`, in the order
    :func:`~pybuild.python.locate.python_meeting` tries them: the newer minor versions first,
    the nearest first, then the older ones, the nearest first."""
    minor = int(found.split(".")[1])
    return (0, minor) if minor > python.minor else (1, -minor)


def passed_over(
    entry: Chosen,
    infos: Mapping[str, list[Any]],
    chosen: Mapping[str, Chosen],
    pkgs: Any,
    requested: bool = False,
) -> str:
    """Why `entry`, a release of the index, was taken instead of the set's recipes (those
    passed over for the same reason are named together); a `requested` project takes its
    newest release that fits, as uv would, over an older recipe."""
    by_reason: dict[str, list[str]] = {}
    unsupported: dict[str, str] = {}
    for attr, pkg in set_recipes(pkgs, entry.name, unsupported):
        version = Version(pkg.version)
        unmet = [i for i in _on(entry.name, infos) if not i.requirement.specifier.contains(version)]
        if unmet:
            why = "; ".join(_excludes(i) for i in unmet)
        elif requested and entry.version > version:
            why = "it is older, and a requested project is its newest release that fits"
        else:
            why = _other_inputs(pkg, chosen) or "it conflicts with the rest of the request"
        by_reason.setdefault(why, []).append(f"{attr} ({entry.name} {pkg.version})")
    for attr, why in unsupported.items():
        by_reason.setdefault(why, []).append(attr)
    reasons = [
        f"the set's recipe{'s' if len(recipes) > 1 else ''} {', '.join(recipes)}"
        f" {'are' if len(recipes) > 1 else 'is'} passed over: {why}"
        for why, recipes in by_reason.items()
    ]
    head = f"{entry.name} {entry.version} comes from the index"
    return head + (": " + "; ".join(reasons) if reasons else "")


def _excludes(info: Any) -> str:
    """A requirement that a recipe's version does not meet, and whence it comes."""
    how, who = _whence(info)
    if how == "required by":
        return f"{who} requires {_text(info)}"
    return f"{_text(info)}, {how} {who}, excludes it"


def _other_inputs(pkg: Any, chosen: Mapping[str, Chosen]) -> str:
    """The inputs the recipe is pinned to that this resolution has at other versions."""
    found = []
    for dep in pkg.dependencies:
        other = chosen.get(str(canonicalize_name(dep.pname)))
        if other is not None and (other.origin != "set" or str(other.version) != dep.version):
            found.append(f"{dep.pname} {dep.version}, where the request needs {other.version}")
    return ("it takes " + ", ".join(found)) if found else ""


def held_back(
    entry: Chosen,
    infos: Mapping[str, list[Any]],
    newest: Version | None,
    needs: Sequence[Requirement] = (),
    chosen: Mapping[str, Chosen] | None = None,
    extras: Sequence[str] = (),
    unusable: InvalidMetadata | None = None,
    not_on_index: Collection[str] = (),
) -> list[str]:
    """Why a requested project is not at its `newest` release (nothing when it is).

    `unusable` says why `newest` was left out, when its metadata is invalid (as uv leaves
    it out, warning that it is); `not_on_index`, the projects required that the index lacks
    (litellm[proxy] 1.110.2 requires litellm-proxy, which it has no release of).

    Either a requirement on the project itself excludes `newest`, or `newest` needs what the
    rest of the request excludes: its requirements (`needs`, with those of the `extras`
    asked for) are checked against the versions `chosen`, so the note names the clash
    (``botocore 1.44.8 requires python-dateutil<3, where python-dateutil>=3 is required by
    the request``) rather than a bare "cannot be combined". The pin of the project's own
    extras on it (``httpx==0.19.0``, required by ``httpx[cli] 0.19.0``) follows from the
    version taken, and is no cause."""
    if newest is None or entry.version >= newest:
        return []
    blockers = [
        i
        for i in _on(entry.name, infos)
        if not i.requirement.specifier.contains(newest)
        and getattr(i.parent, "name", None) != entry.name
    ]
    head = f"{entry.name} {entry.version} is not its newest release ({newest})"
    if blockers:
        return [head + ": held back by " + "; ".join(f"{_text(i)}, {_by(i)}" for i in blockers)]
    if unusable is not None:
        return [f"{head}: {unusable}"]
    clashes = _clashes(entry.name, needs, infos, chosen or {}, not_on_index)
    asked = f"{entry.name}[{','.join(extras)}]" if extras else entry.name
    if clashes:
        return [head + f": {asked} {newest} requires " + "; ".join(clashes)]
    return [head + f": {entry.name} {newest} cannot be combined with the rest of the request"]


def _clashes(
    held: str,
    needs: Sequence[Requirement],
    infos: Mapping[str, list[Any]],
    chosen: Mapping[str, Chosen],
    not_on_index: Collection[str] = (),
) -> list[str]:
    """The requirements of a newer release of `held` that the resolution's versions do not
    meet, each with the requirements on that project that exclude it (or the version taken),
    or on a project `not_on_index`.

    What only the release taken instead asks for is left out: botocore 0.76.0's
    ``jmespath==0.5.0`` is why jmespath is 0.5.0, a consequence of holding botocore back and
    not its cause."""
    found = []
    for req in needs:
        name = str(canonicalize_name(req.name))
        other = chosen.get(name)
        if other is None and name in not_on_index:
            found.append(f"{req.name}{req.specifier}, which the index has no release of")
            continue
        if other is None or req.specifier.contains(other.version, prereleases=True):
            continue
        others = [i for i in _on(name, infos) if getattr(i.parent, "name", None) != held]
        if not others:
            continue
        against = [
            f"{_text(i)} is {_by(i)}"
            for i in others
            if i.requirement.specifier and not _overlap(req.specifier, i.requirement.specifier)
        ]
        text = f"{req.name}{req.specifier}, where " if req.specifier else f"{req.name}, where "
        found.append(text + (", ".join(against) or f"the request takes {name} {other.version}"))
    return found


def _overlap(a: SpecifierSet, b: SpecifierSet) -> bool:
    """Whether two specifier sets could both hold: told by trying the boundaries they name
    (exact enough for the note, which is only said of requirements already known to clash)."""
    both = a & b
    points = [Version(s.version.rstrip(".*")) for s in [*a, *b] if _is_version(s.version)]
    return any(both.contains(v, prereleases=True) for v in points) or not points


def _is_version(text: str) -> bool:
    try:
        Version(text.rstrip(".*"))
    except ValueError:
        return False
    return True
