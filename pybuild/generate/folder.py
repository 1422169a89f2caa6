"""``pybuild import``: a requirements, pyproject or lock file made into a folder of recipes.

The folder holds an ``overlay.py`` that adds the generated recipes to a set, a ``shell.py``
whose ``env`` is the environment of what the file asked for (``cd DIR && pybuild shell``) on
the interpreter it was imported for (:func:`folder_environment`), and
the folder ``generated-recipes/`` with one recipe module per package the set does not already
have (every package with ``all_from_index``). The recipes are not beside ``shell.py``: Python
puts the current folder first on ``sys.path``, so a ``certifi.py`` there would shadow the real
certifi for ``python -c``, ``-m`` and the REPL; a folder whose name has a hyphen can never be
imported by accident. Everything
is resolved and rendered before the first file is written, and each file is replaced whole,
so a failure never leaves a half-written folder; generated files that a new import no longer
needs are removed, any other file is left alone.

Example::

    >>> from pybuild import package_set
    >>> _ = Path("requirements.txt").write_text("greet==1.0\\nsix\\n")
    >>> result = import_file(package_set(), "requirements.txt", Path("recipes"))
    >>> result.written                       # six is in the set already: not written
    ['greet', 'shout']
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packaging.requirements import Requirement

from ..atomic import write_atomic
from ..importers import Lock, RequirementsFile, read_file
from ..importers.requirements import RequirementLine
from ..lazy import Lazy
from .plan import Plan, Request, get_plan
from .render import GENERATED, RECIPES_FOLDER, overlay_text, recipe_text, shell_text

__all__ = [
    "ImportResult",
    "folder_environment",
    "folder_overlay",
    "import_file",
    "request_for",
    "written_by_import",
]

_SPECIAL = ("overlay", "shell")


@dataclass
class ImportResult:
    """What an import wrote, and what it left to the set's recipes."""

    folder: Path
    plan: Plan
    written: list[str]
    from_set: list[str]
    removed: list[str]
    source_trees: dict[str, str]  # left out: a lock's packages locked to a local folder, by path


def _check_environments(lock: Lock, path: Path, python: Any) -> None:
    """A lock whose ``environments`` (PEP 751) all exclude the set's interpreter is refused, as
    the PEP asks of an installer: its wheels were chosen for another interpreter or platform,
    and its recipes would pin files this one cannot install."""
    from packaging.markers import InvalidMarker, Marker

    from ..importers.errors import ImportFileError
    from .markers import marker_environment

    if not lock.environments:
        return
    env = marker_environment(python)
    try:
        if any(Marker(str(text)).evaluate(env) for text in lock.environments):
            return
    except InvalidMarker as exc:
        raise ImportFileError(path, 0, f"environments: {exc}") from None
    here = f"{env['implementation_name']} {env['python_full_version']} on {env['sys_platform']}"
    raise ImportFileError(
        path,
        0,
        f"the lock holds only where {' or '.join(map(str, lock.environments))}; the set's"
        f" interpreter is {here} ({env['platform_machine']})",
        "lock again for this interpreter (pybuild lock), or import the requirements it was"
        " locked from",
    )


def _check_requires_python(lock: Lock, path: Path, python: Any) -> None:
    """A lock whose ``requires-python`` (PEP 751) excludes the set's interpreter is refused, as
    the PEP asks of an installer and uv does: it was resolved for other Pythons, so its pins
    may not even install on this one, and its markers were decided for those."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    from ..importers.errors import ImportFileError
    from ..python.locate import python_meeting

    if lock.requires_python is None:
        return
    try:
        allowed = SpecifierSet(str(lock.requires_python))
    except InvalidSpecifier as exc:
        raise ImportFileError(path, 0, f"requires-python: {exc}") from None
    if allowed.contains(python.version, prereleases=True):
        return
    fitting = python_meeting(str(allowed), python.version) or "X.Y"
    raise ImportFileError(
        path,
        0,
        f"the lock holds only for Python {lock.requires_python} (its requires-python); the"
        f" set's interpreter is {python.implementation} {python.version}",
        f"import it for an interpreter it allows (pybuild --python {fitting} import"
        f" {path.name}), lock again for this one (pybuild lock), or import the requirements it"
        " was locked from",
    )


def request_for(spec: RequirementsFile | Lock, path: str | Path, all_from_index: bool) -> Request:
    """The resolution request a file makes (a lock's packages become exact pins)."""
    if isinstance(spec, Lock):
        lines = []
        for package in spec.packages:
            if package.directory is not None:
                continue  # a project's own folder: its recipe is the user's (import_file)
            if package.other_source is not None:
                from ..importers.errors import ImportFileError

                raise ImportFileError(
                    path,
                    package.line,
                    f"{package.name} is locked to a {package.other_source}, not to a release"
                    " on an index, so no recipe can be made for it",
                )
            if package.version is None:
                from ..importers.errors import ImportFileError

                raise ImportFileError(path, package.line, f"{package.name} has no version")
            marker = f"; {package.marker}" if package.marker else ""
            lines.append(
                RequirementLine(
                    Requirement(f"{package.name}=={package.version}{marker}"),
                    tuple(f"sha256:{h}" for h in sorted(package.sha256())),
                    str(path),
                    package.line,
                )
            )
        return Request(tuple(lines), all_from_index=all_from_index, overlay=True)
    urls = spec.index_urls()
    if urls is not None:
        from ..index import index_urls

        if urls == index_urls():
            urls = None  # the configured index after all: recipes need not pin URLs
    return Request(
        tuple(spec.requirements),
        tuple(spec.constraints),
        tuple(urls) if urls is not None else None,
        all_from_index=all_from_index,
        overlay=True,
    )


def import_file(
    pkgs: Any,
    path: str | Path,
    folder: str | Path,
    *,
    all_from_index: bool = False,
    extras: Iterable[str] = (),
    groups: Iterable[str] = (),
    recipes: Sequence[str] = (),
    refresh: bool = False,
    python: str | None = None,
) -> ImportResult:
    """Resolve `path` and write its recipes, ``overlay.py`` and ``shell.py`` into `folder`.

    `recipes` are the recipe folders `pkgs` was made from when they are not the default, and
    `python` what named its interpreter (``--python``) when one did, so that ``shell.py``
    makes the same set: its packages were decided for that interpreter.
    """
    path, folder = Path(path), Path(folder)
    spec = read_file(path, extras, groups)
    if isinstance(spec, Lock):
        _check_requires_python(spec, path, pkgs.interpreter)
        _check_environments(spec, path, pkgs.interpreter)
    plan = get_plan(pkgs, request_for(spec, path, all_from_index), refresh=refresh)
    texts = {
        f"{RECIPES_FOLDER}/{pin.attr}.py": recipe_text(pin, plan.python, url=plan.pin_urls)
        for pin in plan.generated()
    }
    texts["overlay.py"] = overlay_text(path.name)
    if python is not None and os.sep in python:  # a path: shell.py is evaluated elsewhere
        python = os.path.abspath(python)
    texts["shell.py"] = shell_text(
        path.name,
        plan.root_attrs(),
        [str(Path(r).resolve()) for r in recipes],
        plan.python,
        pkgs.interpreter.version_xy,
        python,
    )
    (folder / RECIPES_FOLDER).mkdir(parents=True, exist_ok=True)
    removed = []
    # Recipes beside shell.py are from before generated-recipes/: moved, so not "removed".
    moved = {Path(name).name for name in texts}
    for old in sorted([*folder.glob("*.py"), *folder.glob(f"{RECIPES_FOLDER}/*.py")]):
        name = old.relative_to(folder).as_posix()
        if name not in texts and written_by_import(old):
            old.unlink()
            if old.parent.name == RECIPES_FOLDER or old.name not in moved:
                removed.append(old.stem)
    for name, text in texts.items():
        write_atomic(folder / name, text)
    return ImportResult(
        folder=folder,
        plan=plan,
        written=sorted(p.attr for p in plan.generated()),
        from_set=sorted(p.attr for p in plan.pins.values() if p.origin == "set"),
        removed=removed,
        source_trees=_source_trees(spec),
    )


def _source_trees(spec: RequirementsFile | Lock) -> dict[str, str]:
    """A lock's packages locked to a local folder (a project's own, as ``uv export`` locks
    the project itself), by name: an import leaves them out, since a recipe of the user's
    builds them (``src=Path(...)``), and makes recipes of what they need, which the lock
    lists as packages of their own."""
    if not isinstance(spec, Lock):
        return {}
    return {p.name: p.directory for p in spec.packages if p.directory is not None}


def written_by_import(path: str | Path) -> bool:
    """Whether `path` is a file ``pybuild import`` wrote (and rewrites)."""
    try:
        return GENERATED in Path(path).read_text(encoding="utf-8")[:2000]
    except (OSError, UnicodeDecodeError):
        return False


def folder_environment(pkgs: Any, packages: Sequence[str], python: str) -> Any:
    """``env`` of an imported folder's ``shell.py``: the environment of `packages`, a list
    ``pybuild import`` decided for Python `python` (``X.Y``), whose markers (``tomli;
    python_version < "3.11"``) and wheels left some packages out or in. A set for another
    Python would silently lack or add packages, so it is refused: the import is to be run
    again for it. The ``X.Y`` is what ``python_version`` markers and wheels' tags are decided
    by; a later patch release of the same Python still serves.

    Example::

        >>> from pybuild import package_set
        >>> pkgs = package_set()
        >>> env = folder_environment(pkgs, ["six"], pkgs.interpreter.version_xy)
    """
    here = pkgs.interpreter
    if here.version_xy != python:
        from ..errors import UsageError

        error = UsageError(
            f"the packages of this imported folder were decided for Python {python}, and its"
            f" set's interpreter is Python {here.version}: another Python's markers could"
            " leave packages out or in"
        )
        error.hint = (
            f"run the import again for it: pybuild --python {here.version_xy} import FILE -o DIR"
        )
        raise error
    return pkgs.python.with_packages(lambda ps: [ps[name] for name in packages])


def folder_overlay(folder: str | Path) -> Callable[[Any, Any], dict[str, Any]]:
    """An overlay adding every recipe module of `folder` (but ``overlay.py``/``shell.py``).

    Example::

        >>> from pybuild import package_set
        >>> _ = import_file(package_set(), "requirements.txt", Path("recipes"))
        >>> pkgs = package_set(overlays=[folder_overlay("recipes/generated-recipes")])
        >>> pkgs.greet.version
        '1.0'
    """
    folder = Path(folder).resolve()
    files = {
        f.stem: f
        for f in sorted(folder.glob("*.py"))
        if f.stem not in _SPECIAL and not f.name.startswith(("_", "."))
    }

    def overlay(final: Any, prev: Any) -> dict[str, Any]:
        return {
            name: Lazy(f"{folder}/{name}.py", functools.partial(_call, prev, file))
            for name, file in files.items()
        }

    return overlay


def _call(prev: Any, file: Path) -> Any:
    from ..evaluate import load_module

    module = load_module(file, f"pybuild_import_{file.stem}_{abs(hash(str(file))):x}")
    fn = getattr(module, "recipe", None)
    if not callable(fn):
        from ..errors import UsageError

        raise UsageError(f"{file}: a recipe module must define recipe(...)")
    return prev.call_package(fn)
