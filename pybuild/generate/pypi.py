"""``pkgs.from_pypi(name, version=None, extras=())``: a package straight from the index.

The set's own recipe is returned when it has one for the project at the version asked for.
Otherwise the request is resolved (see :mod:`.plan`): with no version, to the newest release
that fits, as uv would, which is the set's recipe unless the index has a newer one. The
missing recipes are generated, and they are called in the set with each other as inputs, so
their dependencies are the set's packages wherever the set has them. With a version
specifier (``"<5"``, ``">=4.2,<5"``, ``"~=1.26"``) instead of a version, it is the newest
release within it, as ``pip install "django<5"`` picks.

``pypi:NAME``, ``pypi:NAME==VERSION``, ``pypi:NAME<5`` and ``pypi:NAME[extra]>=1,<2`` on the
command line mean the same (:func:`parse_pypi_spec`).

Example::

    >>> from pybuild import package_set
    >>> greet = package_set().from_pypi("greet", "1.0")    # not in the set: from the index
    >>> greet.pname, [p.pname for p in greet.dependencies]
    ('greet', ['shout'])
"""

from __future__ import annotations

import functools
import inspect
import re
from collections.abc import Callable, Iterable
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import InvalidName, canonicalize_name
from packaging.version import InvalidVersion, Version

from ..errors import UsageError, wrong_type
from ..importers.requirements import RequirementLine
from ..lazy import Lazy, force
from ..python.environment import with_extras
from .names import set_recipes
from .plan import Plan, Request, get_plan, recipe_files

__all__ = ["from_pypi", "from_pypi_together", "instantiate", "parse_pypi_spec"]


def parse_pypi_spec(spec: str) -> tuple[str, str | None, tuple[str, ...]]:
    """A requirement as pip takes it on its command line, without markers or URLs -> (name,
    version, extras): the version as :func:`from_pypi` takes it, a release (from ``==``) or
    a specifier set, None for none.

    Example::

        >>> parse_pypi_spec("rich[jupyter]==14.0.0"), parse_pypi_spec("django>=4.2,<5")
        (('rich', '14.0.0', ('jupyter',)), ('django', '<5,>=4.2', ()))
    """
    usage = (
        f"pypi:{spec} is not a project with an optional version specifier (NAME,"
        " NAME==VERSION, NAME<5, NAME[EXTRA]>=1,<2)"
    )
    try:
        req = Requirement(spec)
    except InvalidRequirement as exc:
        reason = str(exc).splitlines()[0]  # packaging's caret, under the spec, follows
        if "semicolon" in reason:  # a name, then what packaging could only take for a marker
            name = re.match(r"[A-Za-z0-9._-]*(\[[^\]]*\])?", spec)[0]  # type: ignore[index]
            reason = f"what follows {name!r} is no version specifier (==1.0, <5, >=1,<2, ~=1.4)"
        raise UsageError(f"{usage}: {reason[0].lower()}{reason[1:]}") from None
    if req.marker is not None:
        error = UsageError(f"{usage}: a marker (; {req.marker}) is not taken here")
        error.hint = (
            "a pypi: package is for the set's interpreter, which decides the markers of its"
            " dependencies; a file of requirements with markers is for pybuild import"
        )
        raise error
    if req.url:
        raise UsageError(
            f"{usage}: a direct URL (@ {req.url}) is not taken: pypi: names a"
            " project on the package index"
        )
    return req.name, _exact(req.specifier) or str(req.specifier) or None, tuple(sorted(req.extras))


def _exact(specifier: SpecifierSet) -> str | None:
    """The one release `specifier` names (``==1.0``), or None when it allows a range."""
    specs = list(specifier)
    if len(specs) == 1 and specs[0].operator == "==" and "*" not in specs[0].version:
        return specs[0].version
    return None


def _specifier(version: str) -> SpecifierSet:
    """`version` as from_pypi takes it, a release or a specifier set, as a specifier set."""
    if version[:1] not in _OPERATOR_STARTS:
        try:
            Version(version)
        except InvalidVersion:
            raise UsageError(f"{version!r} is not a valid version (PEP 440)") from None
        version = f"=={version}"
    try:
        return SpecifierSet(version)
    except InvalidSpecifier:
        raise UsageError(f"{version!r} is not a valid version specifier (PEP 440)") from None


_OPERATOR_STARTS = "<>=!~"  # how a specifier starts (``<5``, ``~=1.2``), unlike a release


def from_pypi(pkgs: Any, name: str, version: str | None = None, extras: Iterable[str] = ()) -> Any:
    """The set's recipe for `name` at `version`, or the newest release that fits (the set's
    recipe, or one generated from the index). `version` is a release (``"4.2.1"``) or a
    version specifier set (``"<5"``, ``">=4.2,<5"``): the newest release within it."""
    extras = _checked(name, version, extras)
    specifier = _specifier(version) if version is not None else SpecifierSet()
    exact = _exact(specifier)
    wanted = Version(exact) if exact is not None else None
    for _, pkg in set_recipes(pkgs, name) if wanted is not None else ():
        if Version(pkg.version) == wanted:
            if not extras:
                return pkg
            if all(e in pkg.attrs["optional_dependencies"] for e in extras):
                return with_extras(pkg, [d for e in extras for d in pkg.optional(e)])
            break
    return from_pypi_together(pkgs, [(name, version, extras)])[0]


def from_pypi_together(
    pkgs: Any, specs: Iterable[tuple[str, str | None, Iterable[str]]]
) -> list[Any]:
    """A package for each ``(name, version, extras)`` of `specs`, as :func:`from_pypi` makes
    one, but resolved together, as ``uv pip install a b`` resolves its arguments: the
    releases chosen fit every request at once (``pypi:black pypi:packaging`` gives black with
    the packaging asked for, where two resolutions would each pick their own)."""
    lines, asked = [], []
    for name, version, extras in specs:
        extras = _checked(name, version, extras)
        text = f"{name}[{','.join(extras)}]" if extras else name
        text += str(_specifier(version)) if version is not None else ""
        lines.append(RequirementLine(Requirement(text), path=f"pypi:{text}"))
        asked.append((str(canonicalize_name(name)), tuple(extras)))
    plan = get_plan(pkgs, Request(tuple(lines)))
    get = instantiate(pkgs, plan)
    # One root a request (a pypi: request has no marker), in the order of the plan, which may
    # be cached from the same request in another order: each is found by its name.
    roots = {(root.name, tuple(root.extras)): root for root in plan.roots}
    chosen = []
    for root in (roots[asking] for asking in asked):
        pkg = get(root.attr)
        if root.extras:
            pkg = with_extras(pkg, [get(a) for a in plan.extra_attrs(root.attr, root.extras)])
        chosen.append(pkg)
    return chosen


def _checked(name: object, version: object, extras: object) -> tuple[str, ...]:
    """`extras` as the plan names them (normalized, each once, sorted), once the arguments of
    a request are checked: refused here, naming the argument, what packaging would refuse
    with a bare InvalidRequirement, or take wrongly (a string of extras, letter by letter)."""
    if not isinstance(name, str) or not _is_name(name):
        raise _not_a_project_name(name)
    who = f"from_pypi({name!r})"
    if version is not None and not isinstance(version, str):
        raise wrong_type(who, "version", version, "a release or a version specifier ('1.0', '<5')")
    takes = "a list of extra names"
    if isinstance(extras, str) or not isinstance(extras, Iterable):
        raise wrong_type(who, "extras", extras, takes)
    given = list(extras)
    for extra in given:
        if not isinstance(extra, str) or not _is_name(extra):
            raise wrong_type(who, "extras", given, takes, f"{given!r} ({extra!r} is not a name)")
    return tuple(sorted({str(canonicalize_name(e)) for e in given}))


def _is_name(text: str) -> bool:
    """Whether `text` is a project's (or an extra's) name, as PEP 508 spells one."""
    try:
        canonicalize_name(text, validate=True)
    except InvalidName:
        return False
    return True


def _not_a_project_name(name: object) -> UsageError:
    """The error for a `name` that is no project's name: where it is a requirement as the
    command line takes it (``pypi:rich==14.0.0``), the hint gives the call that asks for it."""
    if not isinstance(name, str):
        return wrong_type("from_pypi", "name", name, "a project name, as 'rich'")
    error = UsageError(f"from_pypi: {name!r} is not a project name, as 'rich'")
    call = from_pypi_call(name)
    if call:
        error.hint = (
            f"{name!r} is a request as the command line writes one (pypi:NAME[EXTRA]==VERSION);"
            f" from Python, the version and extras are arguments: {call}"
        )
    return error


def from_pypi_call(request: str) -> str:
    """The call of a set's ``from_pypi`` that asks for `request`, as the command line writes
    it (``pypi:rich[jupyter]==14.0.0``: ``pkgs.from_pypi('rich', '14.0.0',
    extras=['jupyter'])``); "" for one that is no request."""
    try:
        project, version, extras = parse_pypi_spec(request.removeprefix("pypi:"))
    except UsageError:
        return ""
    arguments = [repr(project), *([repr(version)] if version else [])]
    arguments += [f"extras={list(extras)!r}"] if extras else []
    return f"pkgs.from_pypi({', '.join(arguments)})"


def instantiate(pkgs: Any, plan: Plan) -> Callable[[str], Any]:
    """A lookup of attributes: the plan's generated recipes, called in `pkgs` with each
    other as inputs; any other name is the set's own."""
    modules = recipe_files(plan)
    made: dict[str, Any] = {}

    def get(attr: str) -> Any:
        if attr not in modules:
            return force(pkgs[attr])
        if attr not in made:
            from ..evaluate import load_module

            fn = load_module(
                modules[attr],
                f"pybuild_pypi_{modules[attr].stem.replace('-', '_').replace('.', '_')}",
            ).recipe
            inputs = {
                p: Lazy(f"pypi.{p}", functools.partial(get, p))
                for p in inspect.signature(fn).parameters
                if p in modules
            }
            made[attr] = pkgs.call_package(fn, **inputs)
        return made[attr]

    return get
