"""PEP 751 lock files (``pylock.toml``): read the ones pip and uv write, write our own.

Reading keeps what a reproduction needs: each package's name, version, marker, and the sdist
and wheels it was locked to with their hashes (the hashes are kept, so a recipe made from
the lock fetches exactly those bytes), or the local folder (a source tree: a project's own)
it was locked to. Packages locked to a VCS checkout or a bare archive URL are reported,
since they are not on a package index. An entry locked to no file at all is an error, as
in pip and uv: its sdist would be taken from the index unverified. Errors name the line of the
``[[packages]]`` entry at fault.

Writing (:func:`lock_packages`, :func:`format_pylock`) records an environment of the package
set: every package of its closure with the very file its recipe fetches (URL and sha256), or
the folder a project's own recipe takes, so ``uv pip install -r pylock.toml`` installs the
same versions.

Example::

    >>> lock = parse_pylock_text('lock-version = "1.0"\\ncreated-by = "x"\\n'
    ...     '[[packages]]\\nname = "six"\\nversion = "1.17.0"\\n'
    ...     'sdist = { name = "six-1.17.0.tar.gz", hashes = { sha256 = "ff70" } }\\n')
    >>> lock.packages[0].name, lock.packages[0].version
    ('six', '1.17.0')
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from packaging.markers import InvalidMarker, Marker
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from ..errors import did_you_mean
from .errors import ImportFileError, read_import_file
from .pyproject import load_toml
from .toml import Inline, dumps

__all__ = [
    "Lock",
    "LockedFile",
    "LockedPackage",
    "Selection",
    "decided_variables",
    "format_pylock",
    "is_pylock_name",
    "lock_environments",
    "lock_packages",
    "marker_variables",
    "parse_pylock",
    "parse_pylock_text",
]

_NAME = re.compile(r"^pylock(\.[^.]+)?\.toml$")


def is_pylock_name(path: str | Path) -> bool:
    """PEP 751's file names: ``pylock.toml`` or ``pylock.<name>.toml``."""
    return bool(_NAME.match(Path(path).name))


@dataclass(frozen=True)
class LockedFile:
    """An sdist or wheel a package is locked to."""

    name: str | None
    url: str | None
    hashes: Mapping[str, str]
    path: str | None = None
    size: int | None = None

    def to_toml(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "url": self.url,
            "path": self.path,
            "size": self.size,
            "hashes": Inline(self.hashes),
        }


@dataclass(frozen=True)
class LockedPackage:
    """One ``[[packages]]`` entry; `line` is where it starts in the file."""

    name: str
    version: str | None = None
    marker: str | None = None
    requires_python: str | None = None
    dependencies: tuple[Mapping[str, Any], ...] = ()
    index: str | None = None
    sdist: LockedFile | None = None
    wheels: tuple[LockedFile, ...] = ()
    other_source: str | None = None  # "vcs", "directory" or "archive"
    directory: str | None = None  # a source tree's path, from the lock file's folder
    line: int = 0

    def sha256(self) -> set[str]:
        """The sha256 hashes of every file the package is locked to."""
        files = [*([self.sdist] if self.sdist else []), *self.wheels]
        return {f.hashes["sha256"].lower() for f in files if "sha256" in f.hashes}

    def other_source_words(self) -> str:
        """What `other_source` is, in a user's words (``an archive``), for messages."""
        return _SOURCE_WORDS.get(self.other_source or "", "")

    def applies(self, env: Mapping[str, str], selection: Selection | None = None) -> bool:
        """Whether the package is installed in `env` with the lock's `selection`."""
        if self.marker is None:
            return True
        return (selection or Selection()).applies(Marker(self.marker), env)


@dataclass(frozen=True)
class Selection:
    """What an install of a lock selected: its extras and dependency groups, the values of
    PEP 751's marker variables ``extras`` and ``dependency_groups`` (sets: ``'fmt' in
    extras``), which only a lock's markers test."""

    extras: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()

    def applies(self, marker: Marker, env: Mapping[str, str]) -> bool:
        """Whether `marker`, a lock's, holds in `env` with this selection."""
        values: dict[str, str | AbstractSet[str]] = {
            **env,
            "extra": "",
            "extras": frozenset(self.extras),
            "dependency_groups": frozenset(self.groups),
        }
        return marker.evaluate(values, context="lock_file")  # packaging 25's


_SOURCE_WORDS = {"vcs": "a VCS checkout", "directory": "a directory", "archive": "an archive"}


@dataclass
class Lock:
    """A whole lock file."""

    packages: list[LockedPackage] = field(default_factory=list)
    created_by: str = "pybuild"
    lock_version: str = "1.0"
    requires_python: str | None = None
    environments: list[str] = field(default_factory=list)
    extras: list[str] = field(default_factory=list)  # what the lock offers to select
    dependency_groups: list[str] = field(default_factory=list)
    default_groups: list[str] = field(default_factory=list)  # selected when none is asked
    selection: Selection = Selection()  # what the reader asked for (parse_pylock's)

    def dependency_names(self) -> tuple[tuple[str, tuple[str, ...]], ...]:
        """Each package's name with the names of the packages it is locked to depend on."""
        return tuple(
            (str(canonicalize_name(p.name)), tuple(sorted(_dependency_names(p))))
            for p in self.packages
            if p.dependencies
        )

    # What was read but may be missed here, each with its FILE:LINE, for the user to hear.
    warnings: list[str] = field(default_factory=list)


# The lock-version this reader knows (PEP 751): a newer 1.x is read, with a warning.
_KNOWN_LOCK_VERSION = "1.0"


def parse_pylock(path: str | Path, extras: Iterable[str] = (), groups: Iterable[str] = ()) -> Lock:
    path = Path(path)
    text = read_import_file(path)
    return parse_pylock_text(text, str(path), extras, groups)


def parse_pylock_text(
    text: str, path: str = "pylock.toml", extras: Iterable[str] = (), groups: Iterable[str] = ()
) -> Lock:
    """Read a PEP 751 lock file, selecting `extras` and dependency `groups` of those it
    offers (its ``default-groups`` when no group is named), as ``uv pip install -r
    pylock.toml --extra X --group G`` and pip's ``-r 'pylock.toml[X]'`` select them."""
    data = load_toml(text, path)
    version = data.get("lock-version")
    if not isinstance(version, str):
        raise ImportFileError(
            path, _line(text, "lock-version"), "no lock-version (is this a PEP 751 lock file?)"
        )
    try:
        major = Version(version).major
    except InvalidVersion:
        major = -1
    if major != 1:
        raise ImportFileError(
            path,
            _line(text, "lock-version"),
            f"lock-version {version!r} is not supported (only 1.x)",
        )
    warnings = []
    if Version(version) > Version(_KNOWN_LOCK_VERSION):  # as PEP 751 asks of a tool
        warnings.append(
            f"{path}:{_line(text, 'lock-version')}: lock-version {version!r} is newer than the"
            f" {_KNOWN_LOCK_VERSION} pybuild knows: it is read as {_KNOWN_LOCK_VERSION}, and what"
            " the newer version adds is not looked at"
        )
    created_by = data.get("created-by")
    if not isinstance(created_by, str):
        raise ImportFileError(path, 0, "no created-by (PEP 751 requires it)")
    entries = data.get("packages", [])
    if not isinstance(entries, list):
        raise ImportFileError(path, _line(text, "packages"), "packages must be an array of tables")
    starts = [n for n, line in enumerate(text.splitlines(), 1) if line.strip() == "[[packages]]"]
    packages = []
    for i, entry in enumerate(entries):
        line = starts[i] if i < len(starts) else _line(text, "packages")
        packages.append(_package(entry, path, line))
    environments = data.get("environments", [])
    offered = {key: _names(data, key, text, path) for key in _SELECTABLE}
    groups = list(groups) or offered["default-groups"]
    selection = Selection(
        tuple(_select(extras, offered["extras"], "extra", text, path)),
        tuple(_select(groups, offered["dependency-groups"], "dependency group", text, path)),
    )
    return Lock(
        packages=packages,
        created_by=created_by,
        lock_version=version,
        requires_python=data.get("requires-python"),
        environments=list(environments) if isinstance(environments, list) else [],
        extras=offered["extras"],
        dependency_groups=offered["dependency-groups"],
        default_groups=offered["default-groups"],
        selection=selection,
        warnings=warnings,
    )


def _dependency_names(package: LockedPackage) -> set[str]:
    names = (d.get("name") for d in package.dependencies)
    return {str(canonicalize_name(n)) for n in names if isinstance(n, str)}


_SELECTABLE = ("extras", "dependency-groups", "default-groups")


def _names(data: Mapping[str, Any], key: str, text: str, path: str) -> list[str]:
    """The lock's list of names `key` (its extras, groups or default groups)."""
    names = data.get(key, [])
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise ImportFileError(path, _line(text, key), f"{key} must be an array of names")
    return names


def _select(
    asked: Iterable[str], offered: Sequence[str], kind: str, text: str, path: str
) -> list[str]:
    """The names of `offered` that `asked` names (as the lock spells them); a name it does
    not offer is an error, with a close one, as uv refuses it: it would select nothing."""
    by_name = {str(canonicalize_name(n)): n for n in offered}
    selected = []
    for name in asked:
        found = by_name.get(str(canonicalize_name(name)))
        if found is None:
            key = "extras" if kind == "extra" else "dependency-groups"
            has = did_you_mean(name, offered) or f"; it has {_listed(offered)}"
            raise ImportFileError(path, _line(text, key), f"the lock has no {kind} {name!r}{has}")
        selected.append(found)
    return selected


def _listed(names: Sequence[str]) -> str:
    return ", ".join(repr(n) for n in names) if names else "none"


def _package(entry: object, path: str, line: int) -> LockedPackage:
    if not isinstance(entry, dict):
        raise ImportFileError(path, line, "a [[packages]] entry must be a table")
    name = entry.get("name")
    if not isinstance(name, str) or not name:
        raise ImportFileError(path, line, "a package has no name")
    version = entry.get("version")
    if version is not None:
        try:
            Version(str(version))
        except InvalidVersion:
            raise ImportFileError(path, line, f"{name}: invalid version {version!r}") from None
    marker = entry.get("marker")
    if marker is not None:
        try:
            Marker(str(marker))
        except InvalidMarker as exc:
            raise ImportFileError(path, line, f"{name}: invalid marker {marker!r}: {exc}") from None
    sdist = entry.get("sdist")
    wheels = entry.get("wheels", [])
    if not isinstance(wheels, list):
        raise ImportFileError(path, line, f"{name}: wheels must be an array of tables")
    other = next((k for k in ("vcs", "directory", "archive") if k in entry), None)
    if sdist is None and not wheels and other is None:  # as uv and pip refuse it
        raise ImportFileError(
            path,
            line,
            f"{name}: the entry locks no file: it must include one of: wheels, directory,"
            " archive, sdist, or vcs",
            "lock it again with the tool that made the lock; an entry without a file would take"
            " whatever the index serves, unverified",
        )
    tree = entry.get("directory")
    if tree is not None and not (isinstance(tree, dict) and isinstance(tree.get("path"), str)):
        raise ImportFileError(path, line, f"{name}: a directory entry must be a table with a path")
    dependencies = entry.get("dependencies", [])
    return LockedPackage(
        name=name,
        version=str(version) if version is not None else None,
        marker=str(marker) if marker is not None else None,
        requires_python=entry.get("requires-python"),
        dependencies=tuple(d for d in dependencies if isinstance(d, dict)),
        index=entry.get("index"),
        sdist=_file(sdist, path, line, name) if sdist is not None else None,
        wheels=tuple(_file(w, path, line, name) for w in wheels),
        other_source=other,
        directory=tree["path"] if tree is not None else None,
        line=line,
    )


def _file(entry: object, path: str, line: int, package: str) -> LockedFile:
    if not isinstance(entry, dict):
        raise ImportFileError(path, line, f"{package}: a file entry must be a table")
    hashes = entry.get("hashes")
    if not isinstance(hashes, dict) or not hashes:
        raise ImportFileError(path, line, f"{package}: a file entry has no hashes")
    name = entry.get("name")
    url = entry.get("url")
    if name is None and isinstance(url, str):
        name = url.rstrip("/").rsplit("/", 1)[-1]
    size = entry.get("size")
    return LockedFile(
        name=name,
        url=url,
        hashes={str(k): str(v) for k, v in hashes.items()},
        path=entry.get("path"),
        size=size if isinstance(size, int) else None,
    )


def _line(text: str, key: str) -> int:
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip().startswith(key):
            return number
    return 0


# -- writing ---------------------------------------------------------------------------------


def format_pylock(lock: Lock) -> str:
    """The TOML text of a lock file."""
    data: dict[str, Any] = {
        "lock-version": lock.lock_version,
        "environments": lock.environments or None,
        "requires-python": lock.requires_python,
        "created-by": lock.created_by,
        "packages": [_package_table(p) for p in lock.packages],
    }
    return dumps(data)


def _package_table(package: LockedPackage) -> dict[str, Any]:
    return {
        "name": package.name,
        "version": package.version,
        "marker": package.marker,
        "requires-python": package.requires_python,
        "index": package.index,
        "dependencies": [Inline(d) for d in package.dependencies] or None,
        "sdist": package.sdist.to_toml() if package.sdist else None,
        "wheels": [w.to_toml() for w in package.wheels] or None,
        "directory": {"path": package.directory} if package.directory is not None else None,
    }


def lock_packages(
    packages: Sequence[Any],
    python_version: str,
    created_by: str = "pybuild",
    folder: str | Path = ".",
    decided: Mapping[str, str] | None = None,
) -> Lock:
    """A lock of `packages` (an environment's closure): each with the file its recipe fetches.

    A package whose source is a local folder (a project's own, ``src=Path(...)``) is locked
    to that folder, as PEP 751 locks a source tree: by its path from `folder` (where the lock
    is written) and with no version, since its files may change; an installer builds it from
    the whole folder (a recipe's :func:`~pybuild.localsource.local_source` filter is
    pybuild's). Raises :class:`~pybuild.errors.UsageError` for any other source that is no
    download (another derivation's output, a single local file): other tools could not get it.
    `decided` are the marker variables the packages' requirements were decided by, with this
    machine's values (:func:`lock_environments`).
    """
    from ..errors import UsageError
    from ..lazy import force

    names = {str(canonicalize_name(p.pname)) for p in packages}
    locked = []
    for pkg in sorted(packages, key=lambda p: str(canonicalize_name(p.pname))):
        src = force(pkg.attrs["src"])
        deps = sorted(_requires(pkg) & names)
        name = str(canonicalize_name(pkg.pname))
        dependencies = tuple({"name": d} for d in deps)
        tree = _source_tree(src)
        if tree is not None:
            path = Path(os.path.relpath(tree, os.path.abspath(folder))).as_posix()
            locked.append(LockedPackage(name, dependencies=dependencies, directory=path))
            continue
        file = _download(src)
        if file is None:
            raise UsageError(
                f"cannot lock {pkg.pname} {pkg.version}: its source is neither a download from"
                " an index nor a local folder, so other tools could not get it"
            )
        _refuse_changed_files(pkg)
        wheel = pkg.attrs["format"] == "wheel"
        locked.append(
            LockedPackage(
                name=name,
                version=pkg.version,
                dependencies=dependencies,
                sdist=None if wheel else file,
                wheels=(file,) if wheel else (),
            )
        )
    major, minor = python_version.split(".")[:2]
    wheels = [w.name for p in locked for w in p.wheels if w.name]
    return Lock(
        packages=locked,
        created_by=created_by,
        requires_python=f"=={major}.{minor}.*",
        environments=lock_environments(wheels, f"{major}.{minor}", decided),
    )


def _requires(pkg: Any) -> set[str]:
    """The projects `pkg`'s release requires, by canonical name: its recipe's dependencies, and
    those the recipe drops from the release's metadata (``remove_deps``), which its file
    still names. A dependency cycle from the index is cut so (:mod:`~pybuild.generate.cycles`):
    the edge that closes it is still one of the release's, and the environment has both."""
    removed = pkg.attrs["remove_deps"]
    names = [d.pname for d in pkg.dependencies]
    if not isinstance(removed, bool):
        names += removed
    return {str(canonicalize_name(n)) for n in names}


# What a recipe changes of its release's files: another installer, given the file the lock
# names, would install the release as it is, without the change.
_CHANGING = ("patches", "post_patch", "pre_build", "post_install")


def _refuse_changed_files(pkg: Any) -> None:
    """Refuse to lock `pkg` when its recipe changes the files of the release it downloads
    (an overlay's patch, say): the lock would name the release's file, which pip or uv install
    unpatched, and the lock would say nothing of it."""
    from ..errors import UsageError

    changed = [name for name in _CHANGING if pkg.attrs.get(name)]
    if changed:
        error = UsageError(
            f"cannot lock {pkg.pname} {pkg.version}: its recipe changes the release's files"
            f" ({', '.join(changed)}), and a lock names the file an installer takes as it is"
        )
        error.hint = (
            "lock it without the change (the recipe of the set, or the overlay left out), or"
            " use pybuild's environment itself (build, shell, install) where it is patched"
        )
        raise error


def decided_variables(
    packages: Sequence[Any], pkgs: Any, also: Iterable[str] = ()
) -> dict[str, str]:
    """The marker variables the requirements of `packages` (an environment's closure, made in
    the set `pkgs`) test, but ``python_version``, each with its value for the set's
    interpreter: what the environment was decided by, for :func:`lock_environments`.

    Each release's requirements are its core metadata's, as the resolution read them (cached
    under ``var/cache/pypi``, else asked of the index once): every ``Requires-Dist`` of the
    release and of its extras in play counts, the ones false here too (``colorama;
    sys_platform == "win32"``), since that is what another platform would install
    (:func:`_release_variables`). A release whose metadata cannot be had is taken to be
    decided by ``sys_platform`` and ``platform_machine``, with a note on stderr: a lock
    narrowed too far is refused elsewhere, one claiming too much installs an incomplete set.
    A project's own folder (no version) has no metadata on the index and is not asked.
    `also` are variables the environment's own list was decided by (an imported file's
    markers: :attr:`~pybuild.python.environment.Environment.decided_by`).
    """
    import sys

    from ..errors import PybuildError
    from ..generate.markers import marker_environment
    from ..generate.releases import Releases
    from ..index import Index
    from ..lazy import force

    env = marker_environment(pkgs.interpreter)
    used = set(also) - {"python_version"}
    unknown = []
    with Index() as index, Releases(index, pkgs) as releases:
        for pkg in packages:
            if _source_tree(force(pkg.attrs["src"])) is not None:
                continue
            deps = {canonicalize_name(d.pname) for d in pkg.dependencies}
            try:
                meta = releases.metadata(pkg.pname, Version(pkg.version))
                used |= _release_variables(meta, deps, env)
            except PybuildError as exc:
                why = exc.args[0] if exc.args else exc
                unknown.append(f"{pkg.pname} {pkg.version}: {why}")
    if unknown:
        used |= {"sys_platform", "platform_machine"}
        print(
            "pybuild: the lock holds on this platform only, as the requirements of these are"
            " unknown:\n" + "\n".join(f"  {line}" for line in unknown),
            file=sys.stderr,
        )
    return {variable: env[variable] for variable in sorted(used)}


def _release_variables(meta: Any, deps: AbstractSet[str], env: Mapping[str, str]) -> set[str]:
    """The marker variables a release's requirements (its core metadata `meta`) decided,
    where it has the dependencies `deps` (canonical names) and `env` is the interpreter's.

    A requirement of an extra (``brotli; platform_python_implementation == "CPython" and
    extra == "brotli"``) counts only when that extra is in play: what it adds here is among
    `deps`, or it adds nothing here, so that whether it was asked cannot be told. Otherwise
    it installs nowhere, and its markers decide nothing (urllib3's lock holds on PyPy).
    ``python_full_version`` counts where it tells this Python's patch releases apart only
    (:func:`marker_variables`). Raises :class:`~pybuild.generate.errors.InvalidMetadata`
    for a requirement that is none.
    """

    def in_play(extra: str) -> bool:
        return {canonicalize_name(r.name) for r in meta.requirements(env, extra)} <= deps

    used: set[str] = set()
    for req in meta.parsed:
        if req.marker is None:
            continue
        marker = str(req.marker)
        extras = _of_extras(marker)
        if extras and not any(map(in_play, extras)):
            continue
        used |= marker_variables(marker, env["python_version"])
    return used


_EXTRA = re.compile(r"""\bextra\s*==\s*(?:'([^']*)'|"([^"]*)")""")


def _of_extras(marker: str) -> list[str]:
    """The extras a marker is true for only (``extra == "brotli" and …``): none when it has an
    ``or`` (``extra == "a" or sys_platform == "win32"`` holds on Windows without it)."""
    if re.search(r"\bor\b", _QUOTED.sub("", marker)):
        return []
    return [a or b for a, b in _EXTRA.findall(marker)]


def _source_tree(src: object) -> str | None:
    """The absolute path of a source that is a local folder, else None."""
    from ..localsource import LocalSource

    if isinstance(src, str | os.PathLike):
        src = os.fspath(src)
    elif isinstance(src, LocalSource):
        src = src.path
    else:
        return None
    return os.path.abspath(src) if os.path.isdir(src) else None


def _download(src: object) -> LockedFile | None:
    """The file a fixed-output fetch of a URL downloads, else None."""
    from ..derivations import Derivation
    from ..hashing import parse_hash

    url = src.meta.get("url") if isinstance(src, Derivation) else None
    if not (isinstance(src, Derivation) and src.is_fixed_output and url):
        return None
    assert src.output_hash is not None
    return LockedFile(
        name=unquote(urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]) or src.name,
        url=url,
        hashes={"sha256": parse_hash(src.output_hash).hex},
    )


def lock_environments(
    wheels: Sequence[str], python_version: str, decided: Mapping[str, str] | None = None
) -> list[str]:
    """PEP 751's ``environments`` of a lock pinning the wheel files `wheels` (their names),
    for the interpreter of `python_version` (``3.11``): a marker saying which interpreter and
    platform their tags are for, so that an installer elsewhere refuses the lock in so many
    words instead of failing on a wheel it cannot install.

    `decided` maps the marker variables the locked requirements' markers used (``colorama;
    sys_platform == "win32"``) to this machine's values: the package set was decided by them,
    so elsewhere it could lack a package (or hold one too many), and the lock holds only
    where they have those values. ``python_version`` is left to ``requires-python``. Empty
    when every wheel is pure (``py3-none-any``) and nothing was decided: the lock then holds
    wherever ``requires-python`` does.

    A wheel whose name is no wheel's (a URL's odd last part) says nothing.
    """
    from packaging.utils import InvalidWheelFilename, parse_wheel_filename

    clauses: dict[str, set[str]] = {}
    for name in wheels:
        try:
            tags = parse_wheel_filename(name)[3]
        except InvalidWheelFilename:
            continue
        for variable, values in _implied(tags, python_version).items():
            known = clauses.setdefault(variable, values)
            known &= values  # every wheel must install: what they all allow
    if clauses and not all(clauses.values()):
        from ..errors import UsageError

        raise UsageError(f"the locked wheels are for different platforms: {', '.join(wheels)}")
    for variable, value in (decided or {}).items():
        if variable != "python_version":
            clauses[variable] = {value}  # this machine's: what its wheels' tags allow too
    return _markers(clauses) if clauses else []


# PEP 508's marker variables; python_version is requires-python's, extra no environment's.
_VARIABLES = (
    "implementation_name",
    "implementation_version",
    "platform_python_implementation",
    "python_version",
    "python_full_version",
    "os_name",
    "sys_platform",
    "platform_system",
    "platform_release",
    "platform_version",
    "platform_machine",
)
_QUOTED = re.compile(r"'[^']*'|\"[^\"]*\"")
_VARIABLE = re.compile(rf"\b({'|'.join(_VARIABLES)})\b")


def marker_variables(marker: str, python_version: str | None = None) -> set[str]:
    """The environment variables a marker tests, but ``python_version`` and ``extra``, and
    ``python_full_version`` where it has the same answer for every patch release of a Python
    X.Y (:func:`_same_in_series`): the X.Y is requires-python's, as ``python_version`` is.
    With `python_version` (``3.11``), also where it is the same for every ``3.11.*``.

    Example::

        >>> sorted(marker_variables('sys_platform == "win32" and python_version < "3.11"'))
        ['sys_platform']
        >>> marker_variables('python_full_version < "3.11"')
        set()
        >>> marker_variables('python_full_version < "3.11.4"', "3.12")
        set()
        >>> marker_variables('python_full_version < "3.11.4"', "3.11")
        {'python_full_version'}
    """
    variables = set(_VARIABLE.findall(_QUOTED.sub("", marker))) - {"python_version"}
    if "python_full_version" in variables:
        unquoted = _QUOTED.sub("", marker)
        clauses = _FULL_VERSION.findall(marker)
        if len(clauses) == unquoted.count("python_full_version") and all(
            _same_in_series(op, a or b, python_version) for op, a, b in clauses
        ):
            variables.discard("python_full_version")
    return variables


_FULL_VERSION = re.compile(
    r"""\bpython_full_version\s*(===|==|!=|<=|>=|~=|<|>)\s*(?:'([^']*)'|"([^"]*)")"""
)


def _same_in_series(op: str, value: str, python_version: str | None) -> bool:
    """Whether ``python_full_version OP VALUE`` has one answer for every patch release of
    Python `python_version` (X.Y), or of any X.Y when it is None: a comparison at an X.Y's
    start (``< "3.11"``, ``>= "3.11.0"``), a wildcard on an X.Y or coarser (``== "3.*"``),
    or one against a version outside the series. Any other is taken to tell patch releases
    apart (``< "3.11.4"``)."""
    wildcard = op in ("==", "!=") and value.endswith(".*")
    try:
        version = Version(value[:-2] if wildcard else value)
    except InvalidVersion:
        return False
    release = (*version.release, 0, 0)
    if wildcard and len(version.release) <= 2:
        return True
    start = not any(release[2:]) and version == Version(version.base_version)
    if op in ("<", ">=") and start:
        return True
    if python_version is None:
        return False
    return ".".join(map(str, release[:2])) != python_version


def _implied(tags: frozenset[Any], python_version: str) -> dict[str, set[str]]:
    """The marker variables a wheel's tags fix, each with the values they allow: the
    interpreter when a tag is not a pure Python one, the platform when one is not ``any``."""
    implied: dict[str, set[str]] = {}
    implementations = {_IMPLEMENTATIONS.get(t.interpreter[:2], "") for t in tags}
    if any(t.abi != "none" or not t.interpreter.startswith("py") for t in tags):
        implied["python_version"] = {python_version}
        if "" not in implementations:
            implied["implementation_name"] = implementations
    platforms = {_platform(t.platform) for t in tags}
    if "any" not in {t.platform for t in tags} and ("", "") not in platforms:
        implied["sys_platform"] = {system for system, _ in platforms}
        if all(machine for _, machine in platforms):
            implied["platform_machine"] = {machine for _, machine in platforms}
    return implied


_IMPLEMENTATIONS = {"cp": "cpython", "pp": "pypy"}
_LINUX = re.compile(r"^(?:many|musl)?linux(?:\d+|_\d+_\d+)?_(.+)$")
_MAC = re.compile(r"^macosx_\d+_\d+_(.+)$")
_WINDOWS = {"win_amd64": "AMD64", "win_arm64": "ARM64"}


def _platform(tag: str) -> tuple[str, str]:
    """``sys_platform`` and ``platform_machine`` of a wheel's platform tag (a machine of ''
    when the tag allows several, as a macOS universal2 one; ('', '') for one unknown)."""
    if linux := _LINUX.match(tag):
        return "linux", linux[1]
    if mac := _MAC.match(tag):
        machine = mac[1]
        return "darwin", machine if machine in ("x86_64", "arm64") else ""
    if tag.startswith("win"):
        return "win32", _WINDOWS.get(tag, "")
    return "", ""


def _markers(clauses: Mapping[str, set[str]]) -> list[str]:
    """One marker per combination of the clauses' values (one, for a lock made on a machine)."""
    import itertools

    variables = [v for v in _VARIABLES if v in clauses]
    combinations = itertools.product(*(sorted(clauses[v]) for v in variables))
    return [
        " and ".join(f"{v} == {_quote(value)}" for v, value in zip(variables, values, strict=True))
        for values in combinations
    ]


def _quote(value: str) -> str:
    """A marker's string: in single quotes unless it holds one (a ``platform_version``)."""
    return f'"{value}"' if "'" in value else f"'{value}'"
