"""Garbage-collector roots: what keeps store paths alive, how some are made and how all are found.

A collection deletes only what no root reaches, so missing a root loses a path someone needs.
Roots are:

- the generations of profiles (``var/profiles``),
- links in ``var/gcroots``, among them the indirect roots of result links,
- the temporary roots of running pybuild processes (:mod:`pybuild.store.temproots`),
- store paths in use by running processes: their executable, the program they were started
  as (followed link by link), working directory, open files, mapped libraries and
  environment (from ``/proc``, where readable).

A result link (``-o result``) lives wherever the user made it, so the store records an
indirect root, ``var/gcroots/auto/<hash of the link's path>`` pointing at the link; a root
whose link was deleted or re-pointed out of the store no longer holds anything (and a
collection removes it).

A result link is absolute: once the home is moved, it points into the store's old location.
A store path's name never depends on where the store is, so a link of ``var/gcroots`` (or the
result link of an indirect one) that names ``<anywhere>/<hash>-<name>`` where that name is
valid in this store still holds it: the root is found with the old target as its `elsewhere`
(:func:`moved_links` lists them, so that gc can say how to re-point them). Keeping such a path
costs a little space; dropping it would lose what the user built.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shlex
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..atomic import replace_symlink
from .paths import is_store_name
from .resolution import steps
from .temproots import read_temp_roots

if TYPE_CHECKING:
    from . import Store

__all__ = ["Root", "add_result_link", "find_roots", "moved_link", "moved_links"]

_NAME_CHARS = rb"[A-Za-z0-9+\-._?=]"


def add_result_link(
    store: Store, link: str | os.PathLike[str], target: str | os.PathLike[str]
) -> Path:
    """Make `link` point at `target` and register it as an indirect root of `store`.

    `target` is a store basename, as every :class:`~pybuild.store.Store` API takes it, or a
    path in the store; the link is absolute, to the path in the store. A target outside the
    store is refused (:class:`~pybuild.errors.InvalidPath`): nothing there is kept by a root.
    """
    from ..errors import UsageError

    link_path = Path(link).absolute()
    if link_path.exists() and not link_path.is_symlink():
        raise UsageError(f"{link}: exists and is not a symbolic link; will not replace it")
    # Its folder is made if missing, as `lock -o` makes its file's; a file in the way or a
    # folder we may not write to is the user's to fix, and said so, not a bug of pybuild's.
    folder = link_path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        replace_symlink(link_path, _in_store(store, target))
    except OSError as exc:
        raise UsageError(
            f"cannot make the result link {link} in {folder}: {exc.strerror}"
        ) from None
    indirect = _indirect_root(store, link_path)
    indirect.parent.mkdir(parents=True, exist_ok=True)
    replace_symlink(indirect, str(link_path))
    return link_path


def _indirect_root(store: Store, link_path: Path) -> Path:
    """The link of ``var/gcroots/auto`` that records the result link `link_path` (absolute)."""
    key = hashlib.sha256(str(link_path).encode()).hexdigest()[:32]
    return store.gcroots_dir / "auto" / key


def _in_store(store: Store, target: str | os.PathLike[str]) -> str:
    """The absolute path in the store that a result link names for `target`: a basename's
    full path, a path in the store as given, the store path a link into it leads to."""
    given = os.fspath(target)
    name = store.parse(store.path(given) if os.sep not in given else given)  # or InvalidPath
    inside = os.path.isabs(given) and given.startswith(f"{store.dir}{os.sep}")
    return given if inside else str(store.path(name))


@dataclass(frozen=True)
class Root:
    """One thing that keeps a store path alive.

    `kind` is ``profile``, ``result`` (a result link, through its indirect root), ``gcroot``
    (a link in ``var/gcroots``), ``temp`` (a running build) or ``runtime`` (a process);
    `source` is where it was found (a link's path, or a process); `path` the basename it holds.
    `elsewhere` is, for a link into another location of the store (the home was moved), the
    target it still names; empty for every other root.
    """

    kind: str
    source: str
    path: str
    elsewhere: str = ""

    def describe(self) -> str:
        what = {
            "profile": "held by the profile link",
            "result": "held by the result link",
            "gcroot": "held by the gc root",
            "temp": "in use by",
            "runtime": "in use by",
        }[self.kind]
        return f"{what} {self.source}"

    def how_to_remove(self) -> str:
        if self.kind == "profile":
            return self._how_to_remove_a_generation()
        if self.kind in ("result", "gcroot"):
            return f"rm {shlex.quote(self.source)}"  # pasted: a space must not split it
        return "wait for that process to end"

    def _how_to_remove_a_generation(self) -> str:
        """For a profile's link, the profile's own commands: its current generation (the
        profile link) goes by removing the package and then deleting the generation that had
        it (delete-generations never deletes the current one); an older one by deleting it."""
        from ..profiles.links import GenerationLinks, generation_of, is_profile_name

        folder, entry = os.path.split(self.source)
        generation = generation_of(entry)
        profile = generation[0] if generation else entry
        if not is_profile_name(profile):
            return "pybuild delete-generations, or switch the profile away from it"
        links = GenerationLinks(folder, profile)
        if generation:
            return links.command(f"delete-generations {generation[1]}")
        listing = links.command("list")
        remove, old = links.command("remove PACKAGE"), links.command("delete-generations old")
        return f"{remove} ({listing} names the packages), then {old}"

    def target(self, store: Store) -> str:
        """Where the root points: the path it holds, or for a link into another location of
        the store, the target it names there (what ``ls -l`` shows, not this store's path)."""
        return self.elsewhere or str(store.path(self.path))

    def how_to_repoint(self, store: Store) -> str:
        """What to say of a link into another location of the store: where it points, what it
        still holds, and the command that points it here (or a new build with ``-o``)."""
        hint = self.repoint_hint(store)
        return f"{self.source} {self.moved(store)}. {hint[0].upper()}{hint[1:]}"

    def moved(self, store: Store) -> str:
        """That a link points into another location of the store, and what it still keeps: a
        result link or a link in ``var/gcroots`` keeps the path; one made by hand elsewhere is
        no root (``gc --print-roots`` does not list it), and names the path, keeping nothing."""
        said = f"points into another location of the store ({self.elsewhere}: moved?)"
        if self.kind == "result" or Path(self.source).is_relative_to(store.gcroots_dir):
            return f"{said}; it still keeps {store.path(self.path)}"
        return f"{said}; it names {store.path(self.path)}, but a link made by hand is not a gc root"

    def repoint_hint(self, store: Store) -> str:
        """The command that points a link into another location of the store here."""
        name_end = self.elsewhere.index(self.path) + len(self.path)
        here = str(store.path(self.path)) + self.elsewhere[name_end:]
        link = shlex.quote(self.source)  # pasted: a space must not split it
        again = f", or build again with -o {link}" if self.kind == "result" else ""
        return f"point it here with `ln -sfn {shlex.quote(here)} {link}`{again}"


def find_roots(store: Store, *, scan_processes: bool = True, clean: bool = False) -> list[Root]:
    """Every root of `store`; with `clean`, stale indirect roots and temp-roots files go."""
    store_dirs = _store_dirs(store)
    roots = list(_profile_roots(store, store_dirs))
    roots.extend(_link_roots(store, store_dirs, clean))
    for owner, name in read_temp_roots(store, clean):
        roots.append(Root("temp", f"a running pybuild process (pid {owner})", name))
    if scan_processes:
        roots.extend(_runtime_roots(store_dirs))
    return roots


def _profile_roots(store: Store, store_dirs: Sequence[str]) -> Iterator[Root]:
    profiles = store.var / "profiles"
    if profiles.is_dir():
        for link in _symlinks_below(profiles):
            name = _store_name_of(link, store_dirs)
            if name is not None:
                yield Root("profile", str(link), name)


def _link_roots(store: Store, store_dirs: Sequence[str], clean: bool) -> Iterator[Root]:
    """The links of ``var/gcroots``; an indirect one stands for the result link it names."""
    if not store.gcroots_dir.is_dir():
        return
    auto = store.gcroots_dir / "auto"
    for link in _symlinks_below(store.gcroots_dir):
        name, elsewhere = _store_name_of(link, store_dirs), ""
        if name is None:
            name, elsewhere = _name_elsewhere(store, link)
        indirect = link.parent == auto
        if name is not None:
            source = os.readlink(link) if indirect else str(link)
            yield Root("result" if indirect else "gcroot", source, name, elsewhere)
        elif indirect and clean:
            link.unlink()  # the result link was deleted or points elsewhere now


def moved_links(store: Store) -> list[Root]:
    """The roots of ``var/gcroots`` whose links point into another location of the store."""
    return [root for root in _link_roots(store, _store_dirs(store), False) if root.elsewhere]


def moved_link(store: Store, link: str | os.PathLike[str]) -> Root | None:
    """`link` as a root, if it is a link into another location of the store that names a path
    valid here (a result link made before the home was moved); None for anything else.

    It is a ``result`` root if the store records it as one, else a ``gcroot`` (a link the
    user made by hand): only a result link is made again by a build with ``-o``.
    """
    path = Path(link).absolute()
    if not path.is_symlink() or _store_name_of(path, _store_dirs(store)) is not None:
        return None
    name, elsewhere = _name_elsewhere(store, path)
    if name is None:
        return None
    kind = "result" if os.path.lexists(_indirect_root(store, path)) else "gcroot"
    return Root(kind, str(path), name, elsewhere)


def _store_dirs(store: Store) -> list[str]:
    """The store directory as given and as it really is (it may be reached by a link)."""
    return sorted({str(store.dir), os.path.realpath(store.dir)})


def _symlinks_below(folder: Path) -> Iterator[Path]:
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in sorted(filenames + dirnames):
            path = Path(dirpath, name)
            if path.is_symlink():
                yield path


def _store_name_of(link: Path | str, store_dirs: Sequence[str]) -> str | None:
    """The store basename a link leads to, or None (dangling, or outside the store)."""
    try:
        real = os.path.realpath(link, strict=True)
    except OSError:
        return None
    for store_dir in store_dirs:
        if real.startswith(store_dir + os.sep):
            first = real[len(store_dir) + 1 :].split(os.sep, 1)[0]
            return first if is_store_name(first) else None
    return None


def _name_elsewhere(store: Store, link: Path) -> tuple[str | None, str]:
    """The valid path of `store` that `link` names outside it, and the link's target: the
    first part of the target (followed as far as it exists) that is a store name valid here,
    as a result link made before the home was moved names it; (None, "") if none is."""
    target = os.path.realpath(link)
    for part in Path(target).parts:
        if is_store_name(part) and store.is_valid(part):
            return part, target
    return None, ""


def _runtime_roots(store_dirs: Sequence[str]) -> Iterator[Root]:
    """Store paths that running processes use, as far as /proc lets us read."""
    prefixes = b"|".join(re.escape(os.fsencode(d)) for d in store_dirs)
    pattern = re.compile(
        rb"(?:" + prefixes + rb")/([0-9abcdfghijklmnpqrsvwxyz]{32}-" + _NAME_CHARS + rb"+)"
    )
    try:
        pids = [p for p in os.listdir("/proc") if p.isdigit()]
    except OSError:
        return
    for pid in pids:
        found: dict[str, str] = {}
        for what, data in _process_paths(f"/proc/{pid}"):
            for match in pattern.finditer(data):
                name = os.fsdecode(match.group(1))
                if is_store_name(name):
                    found.setdefault(name, what)
        for name, what in sorted(found.items()):
            yield Root("runtime", f"process {pid} ({what})", name)


def _process_paths(base: str) -> Iterator[tuple[str, bytes]]:
    """(what, bytes naming paths) for one process: links, the program it was started as,
    open files, maps, environment.

    The program is the command line's first word, followed link by link
    (:func:`_program_paths`): an environment's ``bin/python`` links to an interpreter outside
    the store, so ``exe`` names no store path, yet the process reads its packages from the
    environment, found through the path it was started by (a console script's ``#!`` line
    starts the interpreter so too). Nix needs no such word, its ``bin/python`` being a wrapper
    that names the environment in the environment variables. The other words are not uses:
    ``sh -c 'pybuild delete PATH'`` would keep PATH.
    """
    links: dict[str, str] = {}
    for what in ("exe", "cwd", "root"):
        with contextlib.suppress(OSError):
            links[what] = os.readlink(f"{base}/{what}")
            yield what, os.fsencode(links[what])
    # Our own environment is not a use (the shell that started us is scanned anyway).
    environ = None
    if base != f"/proc/{os.getpid()}":
        with contextlib.suppress(OSError), open(f"{base}/environ", "rb") as f:
            environ = f.read()
    with contextlib.suppress(OSError), open(f"{base}/cmdline", "rb") as f:
        program = os.fsdecode(f.read().partition(b"\0")[0])
        if links.get("root", os.sep) == os.sep:  # else its paths are not ours to follow
            for path in _program_paths(program, links.get("cwd"), environ):
                yield "program", os.fsencode(path)
    with contextlib.suppress(OSError):
        for fd in os.listdir(f"{base}/fd"):
            with contextlib.suppress(OSError):
                yield "open file", os.fsencode(os.readlink(f"{base}/fd/{fd}"))
    with contextlib.suppress(OSError), open(f"{base}/maps", "rb") as f:
        yield "mapped file", f.read()
    if environ is not None:
        yield "env", environ


def _program_paths(program: str, cwd: str | None, environ: bytes | None) -> Iterator[str]:
    """The paths met from the program a process was started as to the file it runs.

    A program with a slash is where it names, relative to the process's folder (as it is
    now: a process that changed folder since it started is followed from the new one); one
    without, the first executable of that name in the ``PATH`` the process started with (the
    shell that started it searched its own, most often the same). Each is followed one link
    at a time (:func:`_links_on_the_way`), so a profile's ``bin/python`` leads through the
    profile's links to its environment's store path and on to the interpreter: every store
    path met on the way is in use, not only the last, outside the store. Links are read as
    they are now: one re-pointed since the process started (a profile switched to another
    generation) leads to what it names now.
    """
    if not program:
        return
    yield program  # as it is written: the store directory as given may be a link
    if os.sep not in program:
        found = _on_path(program, environ)
        if found is None:
            return
        program = found
    elif not os.path.isabs(program):
        if cwd is None:
            return
        program = os.path.join(cwd, program)
    yield from _links_on_the_way(program)


def _on_path(program: str, environ: bytes | None) -> str | None:
    """The first executable `program` in the ``PATH`` of `environ` (as execvp finds it)."""
    for entry in (environ or b"").split(b"\0"):
        if entry.startswith(b"PATH="):
            for folder in os.fsdecode(entry[5:]).split(os.pathsep):
                candidate = os.path.join(folder, program)
                if os.path.isabs(folder) and os.access(candidate, os.X_OK):
                    return candidate
    return None


def _links_on_the_way(path: str) -> Iterator[str]:
    """The links and folders an absolute `path` passes through, as the kernel resolves it
    (:func:`~pybuild.store.resolution.steps`): each link's own path, the folder walked so far
    before a ``..``, and the end, so that every store path met in the middle of a chain is
    named. A chain of too many links (or a loop) ends the walk where it is."""
    try:
        for kind, where, _ in steps(path):
            if kind != "name":
                yield where
    except OSError:  # ELOOP
        return
