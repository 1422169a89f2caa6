"""A local folder as a source: which of its files go into the store, and so into its hash.

A project's folder holds more than its source: a virtual environment, what the tools run in
it write (``.pytest_cache``, ``.mypy_cache``), build outputs (``build/``, ``*.egg-info``),
result links into the store. Copied whole, every one of them would be part of the source and
of its hash: running the tests in the development shell would rebuild the project, a result
link kept in the folder (``-o .venv``) would never settle (its target, part of the source, is
a new path with every build), and a virtual environment of a hundred megabytes would be
copied at every edit. Nix users know the answer, nixpkgs' ``lib.cleanSource`` and the copy
of a flake, which takes the files git knows; a folder given as a source (a
``pathlib.Path`` as a package's ``src``, or as a derivation's argument) is taken the same way:

- in a git work tree, only what git would show: the files it tracks and those it does not
  ignore (``.gitignore``, ``.git/info/exclude``, the user's ``core.excludesFile``), as
  ``git ls-files --cached --others --exclude-standard`` lists them and as uv builds a
  source tree (git is asked what it ignores, by ``git status --ignored=matching``, which
  names a folder ignored whole without listing it: a walk then never enters it); a nested
  repository (a submodule) answers for its own files, and a folder
  left with nothing git shows is left out, as a clone would not have it. Without git, or
  where git has no say (no work tree, a repository it does not trust, a folder its
  repository ignores whole: a home folder kept in git that ignores ``*``), the next rule
  alone decides;
- and never what is never source (:func:`never_source`, :func:`never_source_folder`):
  version control folders, ``__pycache__`` and ``*.pyc``, tools' caches, virtual
  environments, build outputs, links into the store, special files.

A folder given by a path that is a link, or that passes through one (a project reached by
``ln -s``, a recipe's ``Path(__file__).parent`` when its file was given through a link), is
the folder the link leads to, its files chosen as above: the same content is the same source
whichever path leads to it, as Nix evaluates a file reached through a link at its real
place, so that its ``./.`` is the real folder (and a folder's store name is
:data:`FOLDER_NAME`, whatever its own). Stored as the link, it would be a link out of
the store, whose content no hash names, and which the build would copy live, all of it. A
link to a file stays a link, as Nix stores one and as a builder's error explains it
(``Path("/bin/sh")`` is the link to ``dash``); a package's source or patch given by a link is
the file's content (:mod:`pybuild.python.package`). Links inside a folder stay links, as Nix
keeps them.

A recipe chooses otherwise with :func:`local_source`: a filter of its own on top, as
nixpkgs' ``cleanSourceWith`` takes one, git left out (``git=False``: a generated file git
ignores but the build needs), or the default rule left out (``clean=False``).

The choice is made by one walk of the folder in this process, so the evaluation cache
(:mod:`pybuild.evalcache`) records the folders listed and the files read, and nothing left
out: writing in ``.pytest_cache`` does not send the next command to evaluate again, an edit
of a source file does. Git's own inputs (its index, the ignore files) are read by git, which
the recorder cannot see: they are asked about here, so that they count too.
"""

from __future__ import annotations

import os
import re

from .frozen import Frozen
from .store.paths import HASH_PART_RE

TYPE_CHECKING = False  # typing: an import no evaluation needs
if TYPE_CHECKING:
    import subprocess
    from collections.abc import Callable, Iterable

    from .store import Store

    Filter = Callable[[str, str], bool]

__all__ = ["LocalSource", "local_source", "never_source", "never_source_folder"]

FOLDER_NAME = "source"
"""The store name of a folder source, whatever the folder's own (as Nix names a flake's copy):
a renamed folder, a second checkout or a ``git worktree`` of the same files is the same
source, and rebuilds nothing. A file keeps its name: the unpack phase reads its extension."""

# Folders and files no build reads: version control, bytecode, what tools write as they run
# in a project (test, type-check and lint caches, tox and nox environments, setuptools'
# downloaded build requirements, coverage data, pytest-benchmark's runs, notebook checkpoints).
_NEVER = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".bzr",
        ".jj",
        "CVS",
        "__pycache__",
        ".pytest_cache",
        ".mypy_cache",
        ".ruff_cache",
        ".pytype",
        ".hypothesis",
        ".tox",
        ".nox",
        ".eggs",
        ".coverage",
        ".benchmarks",
        ".ipynb_checkpoints",
    }
)
_NEVER_SUFFIXES = (".pyc", ".pyo", ".egg-info")
# What setuptools and build write at the top of a project (unless it is a package of that name).
_OUTPUTS = frozenset({"build", "dist"})
# A path in a store, whichever: this one, another pybuild home's, Nix's /nix/store.
_STORE_PATH = re.compile(rf"/store/{HASH_PART_RE.pattern}-[^/]+(?:/|$)")


def never_source(name: str, kind: str, target: str | None) -> bool:
    """Whether an entry is never source, by its `name`, `kind` (as a filter is given it) and,
    for a link, its `target` made absolute: a version control folder, bytecode, a tool's
    cache or an ``.egg-info``, a special file (the store cannot hold a socket or a pipe), or
    a link into a store, whichever (a result link, under any name: its target changes with
    every build, and is no source anyway; another store's too, so that the source is the
    same whichever store it is added to)."""
    if name in _NEVER or name.endswith(_NEVER_SUFFIXES) or kind == "unknown":
        return True
    if name.startswith(".coverage."):  # coverage's parallel data files (-p, pytest-xdist)
        return True
    return target is not None and _STORE_PATH.search(target) is not None


def never_source_folder(path: str, names: Iterable[str]) -> bool:
    """Whether the folder at `path` (relative to the source, ``/``-separated) holding `names`
    is never source: a virtual environment (it holds ``pyvenv.cfg``, whatever its name), or
    ``build/`` or ``dist/`` at the top, unless it is a Python package (holds ``__init__.py``):
    a flat project may be named so."""
    held = set(names)
    return "pyvenv.cfg" in held or (path in _OUTPUTS and "__init__.py" not in held)


class LocalSource(Frozen):
    """A local file or folder as a source, and how its files are chosen (:func:`local_source`).

    A plain path given as a source is one with the defaults.
    """

    __slots__ = ("clean", "filter", "git", "path")
    path: str
    filter: Filter | None
    git: bool
    clean: bool

    def __init__(self, path: str, filter: Filter | None, git: bool, clean: bool) -> None:
        self._freeze(path=path, filter=filter, git=git, clean=clean)

    def __str__(self) -> str:
        return self.path

    def __repr__(self) -> str:
        chosen = [f"filter={self.filter!r}"] if self.filter is not None else []
        chosen += [f"{flag}=False" for flag in ("git", "clean") if not getattr(self, flag)]
        return f"local_source({', '.join([repr(self.path), *chosen])})"

    def add_to(self, store: Store) -> str:
        """Its chosen files in `store`, as a store basename; a file (or a link to one) is
        taken as it is, under its own name: naming it is choosing it. A folder is the one its
        path leads to, through any link (:func:`_resolved`), named :data:`FOLDER_NAME`.

        What is removed from the folder while it is walked, hashed or copied (by a tool that
        writes into it) is :class:`~pybuild.errors.InvalidPath`, as a change the copy's hash
        finds is, rather than the OSError of whichever step met its absence.
        """
        real = _resolved(self.path)
        try:
            if not os.path.isdir(real):
                return store.add_path(real)
            return store.add_path(real, FOLDER_NAME, keep=self.chosen().__contains__)
        except OSError as error:
            gone = _gone(error, real)
            if gone is None:
                raise
            from .errors import InvalidPath

            changed = InvalidPath(self.path, f"changed while it was being added: {gone} is gone")
            changed.hint = (
                "add it again once nothing writes into the folder; what a tool keeps writing"
                " there can be left out of the source with local_source(path, filter)"
            )
            raise changed from error

    def chosen(self) -> frozenset[str]:
        """The absolute paths of what the folder's source holds (files, links and folders),
        as :meth:`~pybuild.store.Store.add_path` asks about them: under the folder its path
        leads to (:func:`_resolved`)."""
        root = _resolved(self.path)
        ignored = _git_ignored(root) if self.git and _in_work_tree(root) else None
        walk = _Walk(self)
        walk.folder(root, "", ignored)
        return frozenset(walk.kept)


def local_source(
    path: str | os.PathLike[str],
    filter: Filter | None = None,
    *,
    git: bool = True,
    clean: bool = True,
) -> LocalSource:
    """A local folder as a source, its files chosen as a recipe says (nixpkgs'
    ``cleanSourceWith``); a plain path is ``local_source(path)``.

    - `filter`: a rule of the recipe's own, on top of the others: called with each entry's
      path relative to the folder (``/``-separated: ``"docs/index.md"``) and its kind
      (``"regular"``, ``"directory"``, ``"symlink"``, ``"unknown"``, as Nix names them), it
      keeps the entry when it returns true; a folder it refuses is not entered.
    - `git`: in a git work tree, only the files git tracks or does not ignore. ``False`` takes
      what git ignores too: a file the build needs that a tool generates (a version file).
    - `clean`: never what is never source (:func:`never_source`, :func:`never_source_folder`).
      ``False`` takes those too (a package named ``build``, a test's fixture venv).

    Example::

        >>> os.makedirs("proj/pkg/__pycache__")
        >>> for name in ("pkg/__init__.py", "pkg/__pycache__/x.pyc", "notes.txt"):
        ...     open(f"proj/{name}", "w").close()
        >>> src = local_source("proj", lambda path, kind: not path.endswith(".txt"))
        >>> from pybuild.store import Store
        >>> store = Store.default()
        >>> copy = store.path(src.add_to(store))
        >>> sorted(os.listdir(copy)), sorted(os.listdir(copy / "pkg"))
        (['pkg'], ['__init__.py'])
    """
    if filter is not None and not callable(filter):
        from .errors import UsageError

        raise UsageError(f"a source's filter is a function of (path, kind), not {filter!r}")
    return LocalSource(os.fspath(path), filter, git, clean)


class _Walk:
    """One walk of a source folder: what it keeps, in :attr:`kept`."""

    def __init__(self, source: LocalSource) -> None:
        self.source = source
        self.kept: set[str] = set()

    def folder(self, folder: str, path: str, ignored: frozenset[str] | None) -> bool:
        """Keep what `folder` (at `path` in the source) holds; whether the folder is kept.

        `ignored` holds what git ignores, or is None where git has no say: then a folder that
        was empty is kept, as Nix keeps one, but not one left empty by what is never source
        (a subpackage's ``__pycache__`` alone, once its modules are gone); where git decides,
        a folder is kept only if it holds anything git shows.
        """
        with os.scandir(folder) as listing:
            entries = list(listing)
        names = [entry.name for entry in entries]
        if path and self.source.clean and never_source_folder(path, names):
            return False
        if self.source.git and path and ".git" in names:  # a nested repository: its own rules
            nested = _git_ignored(folder)
            if nested is not None:
                ignored = (ignored or frozenset()) | nested
        if ignored is not None and ".gitignore" in names:
            _asked([os.path.join(folder, ".gitignore")])  # even one git ignores itself
        found = False
        for entry in entries:
            full, name = entry.path, entry.name
            child = f"{path}/{name}" if path else name
            kind = _kind(entry)
            if (
                (ignored is not None and (full in ignored or name == ".git"))
                or (self.source.clean and never_source(name, kind, _target(entry)))
                or (self.source.filter is not None and not self.source.filter(child, kind))
                or (kind == "directory" and not self.folder(full, child, ignored))
            ):
                continue
            self.kept.add(full)
            found = True
        return found or (ignored is None and not entries)


def _resolved(path: str) -> str:
    """The path a source is taken from: for a folder, the absolute path with no link in it
    of the folder `path` leads to; else `path` as it is (a link to a file is a link).

    A link to a folder given as a source, or a folder reached through one (``pybuild build
    -f alias/project.py``, a recipe's ``Path(__file__).parent``), is the folder it points
    to, as Nix evaluates a file reached through a link at its real place: stored as a link,
    the source would be a link out of the store, whose content no hash names (an edit would
    rebuild nothing) and which the build would copy live, every file of the folder.
    """
    real = os.path.realpath(path)
    return real if os.path.isdir(real) else path


def _gone(error: OSError, root: str) -> str | None:
    """The path under `root` whose absence made `error` and which is gone now, or None: the
    walk's or the hash's FileNotFoundError names it, the copy's shutil.Error lists it."""
    import shutil  # loaded already by the copy; only an error pays for it here

    if isinstance(error, shutil.Error) and isinstance(error.args[0], list):
        paths = [failed[0] for failed in error.args[0]]
    else:
        paths = [error.filename]
    return next(
        (
            path
            for path in paths
            if isinstance(path, str)
            and (path == root or path.startswith(root + os.sep))
            and not os.path.lexists(path)
        ),
        None,
    )


def _target(entry: os.DirEntry[str]) -> str | None:
    """Where a link points, as an absolute path (None for what is no link)."""
    if not entry.is_symlink():
        return None
    return os.path.normpath(os.path.join(os.path.dirname(entry.path), os.readlink(entry.path)))


def _kind(entry: os.DirEntry[str]) -> str:
    """An entry's kind as Nix's path filters name it."""
    if entry.is_symlink():
        return "symlink"
    if entry.is_dir(follow_symlinks=False):
        return "directory"
    return "regular" if entry.is_file(follow_symlinks=False) else "unknown"


def _in_work_tree(folder: str) -> bool:
    """Whether `folder`, or a folder above it, holds ``.git``. Asked here, each level up to
    the root, rather than of git: git then runs only in a work tree, and a ``git init`` made
    later changes an answer the evaluation cache recorded."""
    while not os.path.lexists(os.path.join(folder, ".git")):
        parent = os.path.dirname(folder)
        if parent == folder:
            return False
        folder = parent
    return True


# Where git keeps the index and the repository's own ignore file, relative to the folder.
_GIT_PATHS = ("--git-path", "index", "--git-path", "info/exclude")
# What git ignores: a folder whole when it matches a rule, else each file; nothing else needed
# (untracked files are listed, but kept), and nothing written (no index refresh).
_STATUS = (
    "--no-optional-locks",
    "status",
    "--porcelain=v1",
    "-z",
    "--ignored=matching",
    "--untracked-files=all",
    "--no-renames",
    "--ignore-submodules=all",
    "--",
    ".",
)


def _git_ignored(folder: str) -> frozenset[str] | None:
    """The absolute paths under `folder` that git ignores (a folder whole: git does not list
    what it holds), as ``git status --ignored=matching`` names them; None when git has no
    say: not installed, not a work tree, a repository git does not trust, or `folder`
    ignored whole by its repository.

    Git is run with only the variables it needs to find its configuration (``GIT_DIR`` left
    by a hook must not point it elsewhere), and without the optional lock by which ``status``
    would refresh the index: evaluating must not write in the user's repository.
    """
    import shutil

    git = shutil.which("git")
    if git is None:
        return None
    env = {
        name: value
        for name in ("PATH", "HOME", "XDG_CONFIG_HOME")
        if (value := os.environ.get(name))
    }
    # At once: each is a process start, most of what asking git costs.
    runs = [
        _start(git, folder, env, "rev-parse", "--show-prefix", *_GIT_PATHS),
        _start(git, folder, env, *_STATUS),
        _start(git, folder, env, "config", "--path", "--get", "core.excludesFile"),
    ]
    where, status, excludes = [_output(run) for run in runs]
    if where is None or status is None:
        return None
    prefix, index, exclude = where.split("\n")[:3]
    above = [folder]
    for _ in range(prefix.count("/")):
        above.append(os.path.dirname(above[-1]))
    _asked(
        [
            os.path.join(folder, index),
            os.path.join(folder, exclude),
            excludes.rstrip("\n") if excludes else _default_excludes(env),
            *(os.path.join(up, ".gitignore") for up in above[1:]),
        ]
    )
    ignored = set()
    for line in status.split("\0"):
        if not line.startswith("!! "):
            continue
        entry = line[3:].rstrip("/")
        if prefix.startswith(entry + "/"):
            return None  # the folder itself is ignored: not part of that repository
        ignored.add(os.path.join(folder, entry[len(prefix) :]))
    return frozenset(ignored)


def _start(
    git: str, folder: str, env: dict[str, str], *args: str
) -> subprocess.Popen[bytes] | None:
    """``git -C folder ARGS`` started, or None if it cannot start."""
    import subprocess

    try:
        return subprocess.Popen(
            [git, "-C", folder, *args],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
    except OSError:
        return None


def _output(run: subprocess.Popen[bytes] | None) -> str | None:
    """What a started git printed, or None if it failed."""
    if run is None:
        return None
    out, _ = run.communicate()
    return os.fsdecode(out) if run.returncode == 0 else None


def _default_excludes(env: dict[str, str]) -> str:
    """Git's ``core.excludesFile`` when none is set: ``$XDG_CONFIG_HOME/git/ignore``."""
    config = env.get("XDG_CONFIG_HOME") or os.path.join(env.get("HOME", "/"), ".config")
    return os.path.join(config, "git", "ignore")


def _asked(paths: Iterable[str]) -> None:
    """Ask whether each of `paths` exists: files git reads for this process, which the
    evaluation cache (:mod:`pybuild.evalcache`) sees only when this process asks about them
    (it records a path asked about by its kind, time and content), so that an edit to one
    (a new ignore rule, a file added to the index) sends the next command to evaluate."""
    for path in paths:
        os.path.exists(path)
