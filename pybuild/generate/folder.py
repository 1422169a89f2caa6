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
needs are removed, any other file is left alone. A file of the user's where the import would
write one (a hand-written ``shell.py``: pybuild knows its own by the line :data:`GENERATED`
its files carry) is never overwritten: the import is refused, naming it.

What the file itself demands is checked first, as pip and uv check it: a ``pyproject.toml``'s
``requires-python`` and a lock's must allow the set's interpreter, and ``--require-hashes``
wants a hash in the file for every package that comes from the index to run (build tools,
which a requirements file has no way to name, excepted, as in pip). What the file says that
pybuild ignores, or reads without knowing it (a newer ``lock-version``), is a warning on
stderr with its file and line; so is a lock's package ``index`` that pip's configuration,
which every release is resolved from, does not name. What is checked after the
resolution: a lock must hold every package its packages need here (it is exact pins, which
an installer does not resolve), and a requirements file's ``--require-hashes`` a hash of
each package taken from the index.

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
from packaging.utils import canonicalize_name

from ..atomic import write_atomic
from ..importers import Lock, RequirementsFile, read_file
from ..importers.pylock import LockedPackage
from ..importers.requirements import RequirementLine
from ..lazy import Lazy
from ..progress import tell
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


def _check_requires_python(spec: RequirementsFile | Lock, path: Path, python: Any) -> None:
    """A lock or project whose ``requires-python`` excludes the set's interpreter is refused,
    as PEP 751 asks of an installer and uv does for a lock (it was resolved for other Pythons,
    so its pins may not even install on this one, and its markers were decided for those),
    and as ``pip install .`` and ``uv sync`` refuse a project (its code may not run here)."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    from ..importers.errors import ImportFileError
    from ..python.locate import python_meeting

    line = 0 if isinstance(spec, Lock) else spec.requires_python_line
    if spec.requires_python is None:
        return
    try:
        allowed = SpecifierSet(str(spec.requires_python))
    except InvalidSpecifier as exc:
        raise ImportFileError(path, line, f"requires-python: {exc}") from None
    if allowed.contains(python.version, prereleases=True):
        return
    fitting = python_meeting(str(allowed), python.version) or "X.Y"
    here = f"the set's interpreter is {python.implementation} {python.version}"
    command = f"pybuild --python {fitting} import {path.name}"
    if isinstance(spec, Lock):
        raise ImportFileError(
            path,
            0,
            f"the lock holds only for Python {spec.requires_python} (its requires-python); {here}",
            f"import it for an interpreter it allows ({command}), lock again for this one"
            " (pybuild lock), or import the requirements it was locked from",
        )
    raise ImportFileError(
        path,
        line,
        f"the project needs Python {spec.requires_python} (its requires-python); {here}, which"
        " pip and uv would refuse to install it for",
        f"import it for an interpreter it allows ({command})",
    )


def request_for(spec: RequirementsFile | Lock, path: str | Path, all_from_index: bool) -> Request:
    """The resolution request a file makes (a lock's packages become exact pins)."""
    if isinstance(spec, Lock):
        lines = [
            _locked_line(package, path)
            for package in spec.packages
            if package.directory is None  # a project's own folder: its recipe is the user's
        ]
        return Request(
            tuple(lines),
            all_from_index=all_from_index,
            overlay=True,
            lock=spec.selection,
            locked_dependencies=spec.dependency_names(),
        )
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


def _other_indexes(lock: Lock, path: Path) -> list[str]:
    """A warning, at the first package's line, for each index the lock names (a package's
    ``index``) that pybuild does not resolve from: every release comes from the indexes of
    pip's configuration, where the locked files may be missing or differ, and the error would
    then blame the hashes."""
    from ..index import index_urls

    if not any(package.index for package in lock.packages):
        return []  # pip's configuration is not read for nothing: importing pip is slow
    configured = index_urls()
    known = {url.rstrip("/") for url in configured}
    by_index: dict[str, list[LockedPackage]] = {}
    for package in lock.packages:
        if package.index and package.index.rstrip("/") not in known:
            by_index.setdefault(package.index.rstrip("/"), []).append(package)
    warnings = []
    for url, packages in by_index.items():
        first, others = packages[0], [p.name for p in packages[1:]]
        names = f"{first.name} (and {', '.join(others)}) are" if others else f"{first.name} is"
        warnings.append(
            f"{path}:{first.line}: {names} locked from the index {url}, which pybuild does not"
            f" resolve from: it resolves from pip's configuration: {', '.join(configured)},"
            " where the locked files may be missing or differ; to import"
            f" from that index, name it in pip's configuration (PIP_INDEX_URL={url}, or"
            " PIP_EXTRA_INDEX_URL, or pip.conf)"
        )
    return warnings


def _locked_line(package: LockedPackage, path: str | Path) -> RequirementLine:
    """The exact pin a locked package asks for, with the sha256 hashes of its files: the
    only ones the index can check. A package whose files carry none (only ``sha512`` or
    ``md5``) is refused at its line, as a requirements file's ``--hash=sha512:…`` is: its
    pin would have no hash, and its recipe would take whatever the index serves."""
    from ..importers.errors import ImportFileError

    if package.other_source is not None:
        raise ImportFileError(
            path,
            package.line,
            f"{package.name} is locked to {package.other_source_words()}, not to a release"
            " on an index, so no recipe can be made for it",
        )
    if package.version is None:
        raise ImportFileError(path, package.line, f"{package.name} has no version")
    if not package.sha256():
        given = sorted({a for f in (package.sdist, *package.wheels) if f for a in f.hashes})
        raise ImportFileError(
            path,
            package.line,
            f"{package.name}: only sha256 hashes can be checked against the index, and its"
            f" files have {', '.join(given)} only",
            "lock it again with a tool that records sha256 hashes (as pip and uv do)",
        )
    marker = f"; {package.marker}" if package.marker else ""
    return RequirementLine(
        Requirement(f"{package.name}=={package.version}{marker}"),
        tuple(f"sha256:{h}" for h in sorted(package.sha256())),
        str(path),
        package.line,
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
    _refuse_overwriting(folder, ["overlay.py", "shell.py"])  # before a long resolution
    spec = read_file(path, extras, groups)
    warnings = [*spec.warnings, *(_other_indexes(spec, path) if isinstance(spec, Lock) else [])]
    for warning in warnings:
        tell(f"pybuild: warning: {warning}")  # coloured as the command's other warnings are
    _check_requires_python(spec, path, pkgs.interpreter)
    if isinstance(spec, Lock):
        _check_environments(spec, path, pkgs.interpreter)
    request = request_for(spec, path, all_from_index)
    plan = _plan_at_its_lines(pkgs, request, refresh, spec)
    if isinstance(spec, RequirementsFile):
        _check_required_hashes(spec, plan, path)
    else:
        _check_lock_complete(spec, plan, path, pkgs.interpreter)
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
        _decided_by(request),
    )
    # the recipes' files: overlay.py and shell.py were checked before the resolution
    _refuse_overwriting(folder, [n for n in texts if n.startswith(RECIPES_FOLDER)])
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


def _plan_at_its_lines(
    pkgs: Any, request: Request, refresh: bool, spec: RequirementsFile | Lock
) -> Plan:
    """The plan of `request`; an index the file names (``-i``, ``--extra-index-url``) that
    cannot be reached is said at that line, as the cause to look at, in words rather than as
    the HTTP library's exception."""
    from ..index import IndexDisabled, IndexUnavailable
    from .errors import GenerateError

    try:
        return get_plan(pkgs, request, refresh=refresh)
    except IndexDisabled:
        raise  # not read, as pip's configuration says: the URL is not at fault
    except IndexUnavailable as exc:
        lines = spec.index_lines if isinstance(spec, RequirementsFile) else {}
        given = next((u for u in lines if exc.url.startswith(u.rstrip("/"))), None)
        if given is None:
            raise
        option, where = lines[given]
        error = GenerateError(
            f"{where}: the index given by {option} {given} cannot be reached: {_unreached(exc)}"
        )
        error.hint = f"check the URL at {where}, and that its host can be reached from here"
        raise error from exc


def _unreached(exc: Exception) -> str:
    """Why a URL could not be fetched, in words: the host's name does not resolve, or it
    refuses the connection; else what the index client said."""
    import socket
    import urllib.parse

    seen: list[BaseException] = []
    todo: list[object] = [exc]
    while todo:  # requests and urllib3 nest the cause in args, reason, __context__
        cause = todo.pop()
        if isinstance(cause, BaseException) and cause not in seen:
            seen.append(cause)
            todo += [*cause.args, getattr(cause, "reason", None), cause.__cause__]
            todo += [cause.__context__]
    if any(isinstance(e, socket.gaierror) for e in seen):
        return f"cannot resolve host {urllib.parse.urlsplit(getattr(exc, 'url', '')).hostname}"
    if any(isinstance(e, ConnectionRefusedError) for e in seen):
        return "connection refused"
    return str(getattr(exc, "reason", exc))


def _refuse_overwriting(folder: Path, names: Iterable[str]) -> None:
    """Refuse to replace a file of `folder` that ``pybuild import`` did not write (a
    hand-written ``shell.py``): an import rewrites only its own files."""
    from ..errors import UsageError

    for name in names:
        target = folder / name
        if not (target.exists() or target.is_symlink()) or written_by_import(target):
            continue
        error = UsageError(
            f"{target} is not a file pybuild import wrote (it lacks the line"
            f" {GENERATED!r}): the import would overwrite it"
        )
        error.hint = (
            "import into a folder of its own (-o DIR), or move"
            f" {target} away if the import may replace it"
        )
        raise error


def _check_required_hashes(spec: RequirementsFile, plan: Plan, path: Path) -> None:
    """``--require-hashes``, as pip reads it: every package installed from the index has a
    hash in the file. The requirements themselves were checked when read; here, each package
    the plan takes from the index for the request's environment (not a build tool) has to be
    one of them. The set's recipes pin hashes of their own."""
    if not spec.require_hashes:
        return
    hashed = {entry.name for entry in spec.requirements if entry.hashes}
    needed, todo = set(), list(plan.root_attrs())
    while todo:
        attr = todo.pop()
        if attr not in needed and attr in plan.pins:
            needed.add(attr)
            todo += plan.pins[attr].dependencies
    missing = [
        pin
        for attr, pin in plan.pins.items()
        if attr in needed and pin.origin == "index" and canonicalize_name(pin.pname) not in hashed
    ]
    if not missing:
        return
    from ..hashing import parse_hash
    from ..importers.errors import ImportFileError

    error = ImportFileError(
        path,
        0,
        f"--require-hashes ({spec.require_hashes}) asks a --hash of every package from the"
        " index, as in pip, and the file gives none for what its requirements need:"
        f" {', '.join(f'{pin.pname} {pin.version}' for pin in missing)}",
    )
    lines = "; ".join(
        f"{pin.pname}=={pin.version} --hash=sha256:{parse_hash(pin.hash).hex}" for pin in missing
    )
    error.hint = f"add them with the hashes of the files the index has now, once checked: {lines}"
    raise error


def _check_lock_complete(lock: Lock, plan: Plan, path: Path, python: Any) -> None:
    """A lock is exact pins (PEP 751: an installer does not resolve), so a package its
    packages need here that it lacks, or has with a marker false here (keyring's SecretStorage
    and jeepney on Linux, in a lock made for Windows), means it was not made for this
    platform: the import is refused, naming each such package and who requires it, where it
    would otherwise take them from the index, unhashed, as uv would never install them."""
    from ..importers.errors import ImportFileError
    from .markers import marker_environment

    env = marker_environment(python)
    locked = {
        canonicalize_name(p.name)
        for p in lock.packages
        if p.directory is not None or p.applies(env, lock.selection)
    }
    required_by: dict[str, list[str]] = {}
    seen, todo = set(), list(plan.root_attrs())
    while todo:
        attr = todo.pop()
        if attr in seen or attr not in plan.pins:
            continue
        seen.add(attr)
        for dep in plan.pins[attr].dependencies:
            required_by.setdefault(dep, []).append(plan.pins[attr].pname)
            todo.append(dep)
    missing = [
        f"{pin.pname} (required by {', '.join(sorted(set(required_by.get(attr, []))))})"
        for attr, pin in sorted(plan.pins.items())
        if attr in seen and canonicalize_name(pin.pname) not in locked
    ]
    if not missing:
        return
    here = f"{env['sys_platform']}, {env['platform_machine']}"
    platforms = _locked_platforms(lock)
    made = f" (its wheels are for {', '.join(platforms)})" if platforms else ""
    raise ImportFileError(
        path,
        0,
        f"the lock lacks what its packages need on this platform: {', '.join(missing)}",
        f"was it made for another platform{made}? Lock it again for this one ({here}), or for"
        " every platform (uv's --universal); a lock naming its environments is refused in so"
        " many words where it does not hold",
    )


def _locked_platforms(lock: Lock) -> list[str]:
    """The platforms of a lock's wheels but ``any`` (``win_amd64``): what it was made for."""
    from packaging.utils import InvalidWheelFilename, parse_wheel_filename

    platforms: set[str] = set()
    for package in lock.packages:
        for wheel in package.wheels:
            try:
                tags = parse_wheel_filename(wheel.name or "")[3]
            except InvalidWheelFilename:
                continue
            platforms |= {t.platform for t in tags if t.platform != "any"}
    return sorted(platforms)


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


def _decided_by(request: Any) -> list[str]:
    """The marker variables the request's own markers test, but python_version (the folder's
    Python is fixed): their lines were kept or left out for this machine."""
    from ..importers.pylock import marker_variables

    markers = [line.requirement.marker for line in request.requirements]
    return sorted({v for m in markers if m is not None for v in marker_variables(str(m))})


def folder_environment(
    pkgs: Any, packages: Sequence[str], python: str, decided: Sequence[str] = ()
) -> Any:
    """``env`` of an imported folder's ``shell.py``: the environment of `packages`, a list
    ``pybuild import`` decided for Python `python` (``X.Y``), whose markers (``tomli;
    python_version < "3.11"``) and wheels left some packages out or in. A set for another
    Python would silently lack or add packages, so it is refused: the import is to be run
    again for it. The ``X.Y`` is what ``python_version`` markers and wheels' tags are decided
    by; a later patch release of the same Python still serves. `decided` are the other marker
    variables the imported file's own markers test (``pywin32; sys_platform == "win32"``):
    ``pybuild lock`` of the environment holds where they have this machine's values only.

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
    env = pkgs.python.with_packages(lambda ps: [ps[name] for name in packages])
    env.decided_by = tuple(decided)
    return env


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
    from ..pkgset import recipe_function

    module = load_module(file, f"pybuild_import_{file.stem}_{abs(hash(str(file))):x}")
    return prev.call_package(recipe_function(module, file))
