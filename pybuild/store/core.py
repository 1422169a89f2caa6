"""The store itself: immutable, hash-named build outputs under ``$PYBUILD_HOME/store``.

Every path gets in the same way (:meth:`Store.commit`): written beside the store (in
``var/tmp``, or a build's outputs folder: :meth:`Store.new_outputs_dir`), made read-only with
canonical times, hashed and scanned for references, renamed into place, then registered in
one transaction. Until that transaction, the path does not exist for pybuild; a crash at
any point leaves either nothing or a complete, valid path.

Example::

    >>> _ = Path("greeting.txt").write_text("hello\\n")
    >>> store = Store.default()
    >>> name = store.add_path("greeting.txt")
    >>> store.is_valid(name), store.path(name).read_text()
    (True, 'hello\\n')
"""

from __future__ import annotations

import contextlib
import errno
import functools
import hashlib
import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path

from ..errors import InvalidPath, PathNotValid
from ..hashing import Hash, hash_path, hash_text_nar, parse_hash
from .home import home_dir, refuse_a_file_home
from .locks import path_locks
from .paths import HASH_PART_RE, make_name, split_name
from .references import hash_and_scan
from .temproots import add_temp_roots
from .validity import valid
from .walk import fd_walk, names_too_long, walk

TYPE_CHECKING = False  # typing's import, for names used only in annotations
if TYPE_CHECKING:
    from .registry import PathInfo, Registry
    from .verify import Problem

__all__ = ["BUILD_DIR_RECORD", "Store", "default_home", "remove_tree", "unshare"]

_CANONICAL_MTIME = 1
# The link in var/tmp that names a build's folder outside the store: this, then the name of
# the build's folder in var/tmp (so it ends in that folder's -<pid>-<random>, as the
# collector's test of a stale entry expects).
BUILD_DIR_RECORD = "build-dir-of-"
# A build's outputs folder in the home is named by a dot and 4 of these (store/gc.py reads it)
_OUTPUTS_DIR_LETTERS = "abcdefghijklmnopqrstuvwxyz0123456789"
# What a query takes for a store basename rather than a path: <hash>- and a name
_BASENAME_RE = re.compile(HASH_PART_RE.pattern + "-.")


def default_home(environ: Mapping[str, str] | None = None) -> Path:
    """``$PYBUILD_HOME``, else ``$XDG_DATA_HOME/pybuild``, else ``~/.local/share/pybuild``;
    a :class:`~pybuild.errors.StoreError` if it is a file or below one, as the command line
    says it (:func:`~pybuild.store.home.refuse_a_file_home`), not the NotADirectoryError of
    whatever first writes there (an interpreter's facts, the store)."""
    env = os.environ if environ is None else environ
    home = home_dir(env)
    named = "PYBUILD_HOME" if env.get("PYBUILD_HOME") else ""
    return _absolute(home, None if os.path.isabs(home) else os.getcwd(), named)


@functools.lru_cache(maxsize=16)
def _absolute(home: str, _cwd: str | None, named: str) -> Path:
    """Cached, checked once: evaluating a set asks for the home hundreds of times (once per
    derivation). A home refused is not cached: it is refused each time."""
    path = Path(home).absolute()
    refuse_a_file_home(str(path), named)
    return path


class Store:
    """One pybuild home: its store directory, registry, locks, logs and build directories."""

    def __init__(self, home: str | os.PathLike[str]) -> None:
        """The store of `home`, a folder, made as the store first writes there; a
        :class:`~pybuild.errors.StoreError` if it is a file or below one."""
        self.home = Path(home).absolute()
        refuse_a_file_home(str(self.home))
        self.dir = self.home / "store"
        self.var = self.home / "var"
        self.tmp_dir = self.var / "tmp"
        self.log_dir = self.var / "log"
        self.gcroots_dir = self.var / "gcroots"
        self.lock_dir = self.var / "locks"
        # The marks of paths a remote client imported (pybuild serve): valid, not made here.
        self.imported_dir = self.var / "serve" / "imported"

    def __repr__(self) -> str:
        """``Store('/home/me/.local/share/pybuild')``: its home, as it is made from one."""
        return f"Store({str(self.home)!r})"

    @functools.cached_property
    def registry(self) -> Registry:
        """The registry of valid paths, loaded on first use: evaluating a set that finds its
        sources valid (:meth:`is_valid_rooted`) never needs SQLite's module (2.7 ms)."""
        from .registry import Registry

        return Registry(self.var / "db.sqlite", self.dir)

    @classmethod
    def default(cls) -> Store:
        """The store of the current ``PYBUILD_HOME``; one object (and connection) per home."""
        return _store_at(str(default_home()))

    @classmethod
    def at(cls, home: str) -> Store:
        """The store of `home`, an absolute path, as :meth:`default` gives it: one object
        (and connection) per home."""
        return _store_at(home)

    # -- naming -----------------------------------------------------------------------------

    def path(self, name: str) -> Path:
        """The absolute path of a store basename."""
        return self.dir / name

    def parse(self, path: str | os.PathLike[str]) -> str:
        """The store basename that `path` is, or lies in (a result link is followed, and the
        store is found at its resolved location too: :meth:`_in_store`). `path` is
        normalised as written (``..`` drops the name before it), links not followed, as
        ``realpath -s`` does: read part by part, ``<a>/../<b>`` would be <a>, and ``delete``
        would delete it."""
        given = os.fspath(path)
        full = self._in_store(Path(os.path.abspath(given)))
        try:
            relative = full.relative_to(self.dir)
        except ValueError:
            raise self._outside(given) from None
        if not relative.parts:
            raise InvalidPath(given, "is the store directory itself, not a store path")
        basename = relative.parts[0]
        try:
            split_name(basename)
        except Exception:
            raise InvalidPath(given, "not a store path (<hash>-<name>)") from None
        return basename

    def _in_store(self, full: Path) -> Path:
        """`full`, a normalised absolute path, as a path below :attr:`dir` where it is in the
        store by another way: below the store folder's resolved location (a ``PYBUILD_HOME``
        that is a link, as macOS's ``/tmp`` is), through a linked folder, or a link into the
        store (a result link), followed. Else `full` itself, which is outside. A path below
        :attr:`dir` as written is taken as it is: a store path that is a link is not
        followed."""
        if full.is_relative_to(self.dir):
            return full
        store_real = Path(os.path.realpath(self.dir))
        through_folders = Path(os.path.realpath(full.parent), full.name)
        for way in (full, through_folders, Path(os.path.realpath(full))):
            if way.is_relative_to(store_real):
                return self.dir / way.relative_to(store_real)
        return full

    def _outside(self, given: str) -> InvalidPath:
        """The error of a path `given` outside the store. A link into the store's old location
        (a result link made before the home was moved) is told as gc tells it, with how to
        point it here: it names a path valid here, which "not inside the store" denied."""
        from .roots import moved_link  # only a mistake pays for it

        moved = moved_link(self, given)
        if moved is None:
            return InvalidPath(given, f"not inside the store {self.dir}")
        error = InvalidPath(given, moved.moved(self))
        error.hint = moved.repoint_hint(self)
        return error

    # -- queries ----------------------------------------------------------------------------
    #
    # Each takes a store basename, as every Store API does, or a path in the store: the full
    # path (``str(derivation)``, a ``Path`` that :meth:`path` gave), a path below one, a result
    # link. A path outside the store is an :class:`InvalidPath`, never "not valid".

    def is_valid(self, name: str | os.PathLike[str], *, root: bool = False) -> bool:
        """Whether `name` is registered.

        With `root`, `name` is first made a temporary root of this process (see
        :func:`~pybuild.store.temproots.add_temp_roots`): a valid answer then stays true until
        the process ends, whatever collection runs meanwhile. Evaluation asks so before it
        reuses a path; a build, which holds its own roots, need not.
        """
        name = self._basename(name)
        if root:
            add_temp_roots(self, [name])
        return self.registry.is_valid(name)

    def valid_among(self, names: Iterable[str | os.PathLike[str]]) -> set[str]:
        """Those of `names` that are registered, asked at once (a build's plan asks of its
        whole graph), by their basenames."""
        return self.registry.valid_among(self._basenames(names))

    def holds(self, name: str) -> bool:
        """Whether `name` is registered and there: one deleted by hand stays registered."""
        return self.is_valid(name) and os.path.lexists(self.path(name))

    def client_imported(self, names: Iterable[str]) -> list[str]:
        """Those of `names` (basenames) marked as a ``pybuild serve`` client's import: valid
        here, but not made here, nor vouched for by a signature this store trusts. A store no
        client ever imported into is answered by one stat, whatever the number of names."""
        if not self.imported_dir.is_dir():
            return []
        return [name for name in names if (self.imported_dir / name).exists()]

    def refuse_missing(self, names: Iterable[str]) -> None:
        """Refuse one of `names` that is registered but gone from the store folder (deleted by
        hand): answered as valid, its path would be printed, or linked, as built while it is
        not there. One lstat each; the registry is asked only of one that is missing. A path
        registered is not rebuilt over: what refers to it is registered too, so putting it
        back is ``verify --repair``'s, which checks what it puts back against its hash."""
        for name in names:
            path = self.path(name)
            if not os.path.lexists(path) and self.is_valid(name):
                from ..errors import StoreError

                error = StoreError(f"{path} is registered but missing from the store folder")
                error.hint = (
                    f"pybuild verify --check-contents --repair {path} puts it back (from the link"
                    " cache or a binary cache, else rebuilt)"
                )
                raise error

    def is_valid_rooted(self, name: str | os.PathLike[str]) -> bool:
        """``is_valid(name, root=True)`` answered from a note while the registry is unchanged
        (:mod:`~pybuild.store.validity`): evaluation asks it of the few sources a set names
        (the builder's scripts, local folders), once a process each."""
        name = self._basename(name)
        add_temp_roots(self, [name])
        return valid(str(self.var), [name], present=False)  # registered, as is_valid says

    def info(self, name: str | os.PathLike[str]) -> PathInfo:
        name = self._basename(name)
        info = self.registry.info(name)
        if info is None:
            raise PathNotValid(str(self.path(name)))
        return info

    def closure(
        self, names: str | os.PathLike[str] | Iterable[str | os.PathLike[str]]
    ) -> list[str]:
        """Every path reachable from `names` (one, or several) by references, sorted, by
        basename (:class:`PathNotValid` for one not valid, by its full path)."""
        if isinstance(names, (str, os.PathLike)):
            names = [names]
        try:
            return self.registry.closure(self._basenames(names))
        except PathNotValid as exc:
            raise PathNotValid(str(self.path(exc.path))) from None

    def _basename(self, name: str | os.PathLike[str]) -> str:
        """The basename a query asks about. A basename is the hot case (evaluation, a plan,
        gc ask of thousands): a string shaped ``<hash>-<name>`` is one, by a regular
        expression's match. Any other string is a path, even without a slash (``result``, a
        result link here), and so is :meth:`parse`'s: read as a basename, it would be
        answered "not valid" of a path that is."""
        if type(name) is str and os.sep not in name:
            if _BASENAME_RE.match(name):
                return name
            if not os.path.lexists(name):
                raise InvalidPath(name, "neither a store basename (<hash>-<name>) nor a path here")
        return self.parse(name)

    def _basenames(self, names: Iterable[str | os.PathLike[str]]) -> list[str]:
        return [self._basename(n) for n in names]

    # -- adding content ---------------------------------------------------------------------

    def lock(
        self, names: Iterable[str], on_wait: Callable[[str], None] | None = None
    ) -> contextlib.AbstractContextManager[None]:
        """Hold the build locks of `names` (see :mod:`pybuild.store.locks`); `on_wait` is told
        a name another process holds, before this one waits for it."""
        return path_locks(self.lock_dir, names, on_wait)

    def new_tmp_dir(self, label: str) -> Path:
        """A fresh directory on the store's filesystem, so renames into the store are atomic.

        Its name ends in ``-<pid>-<random>``: the garbage collector removes only the
        directories whose process is gone. Made as ``tempfile.mkdtemp`` makes one (a random
        name, mode 0o700, another name if it is taken), without importing :mod:`tempfile`:
        it imports :mod:`shutil`, and with it zlib, bz2 and lzma, 13.6 M instructions of the
        487 M of a new environment, which needs none of them.
        """
        self.tmp_dir.mkdir(parents=True, exist_ok=True)
        prefix = f"{self.tmp_dir}{os.sep}{label}-{os.getpid()}-"
        # 8 characters, as mkdtemp's (store/gc.py reads them)
        return _first_free(lambda _: prefix + os.urandom(4).hex())

    def new_outputs_dir(self, label: str) -> tuple[Path, Path]:
        """A fresh folder for a build's outputs, and the link in ``var/tmp`` that records it.

        The folder is in the home beside the store, named by a dot and 4 random letters or
        digits, so that its path is exactly as long as the store's (``store``, 5 characters):
        where a builder writes its outputs' paths into them (a script's ``#!`` line, a
        wrapper, a pkg-config file), each is rewritten in place to the final path
        (:mod:`pybuild.store.rewrite`), in binaries too, and committing stays one rename. It
        is made by ``mkdir`` (mode 0o700, another name if taken): never ``store``, ``var`` or
        anything else of the home.

        The record is named as :meth:`new_tmp_dir` names its folders
        (``<label>-<pid>-<random>``) and stands for the build in ``var/tmp``: a process killed
        before it removes its folders (SIGKILL) leaves both, and the garbage collector then
        removes the folder through the record once the process is gone. It names the folder
        relatively (``../../.k3x9``): always the home's own, however the home is spelt or
        wherever it was moved. It is made after the folder: a kill between the two leaves an
        empty folder, where the other order could leave a record of a folder another build
        had just made.
        """
        self.tmp_dir.mkdir(parents=True, exist_ok=True)
        folder = _first_free(lambda _: f"{self.home}{os.sep}.{_random_code(4)}")
        prefix = f"{self.tmp_dir}{os.sep}{label}-{os.getpid()}-"
        relative = os.path.join(os.pardir, os.pardir, folder.name)
        record = _first_free(lambda _: prefix + os.urandom(4).hex(), _link_to(relative))
        return folder, record

    def remove_outputs_dir(self, folder: Path, record: Path) -> None:
        """Remove a folder made by :meth:`new_outputs_dir`, then its record."""
        remove_tree(folder)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(record)

    def new_build_dir(self, work: Path, label: str, parent: str | None = None) -> Path:
        """A fresh folder for a build's own files outside the store: in `parent`, else the
        temporary folder (``TMPDIR``, often a tmpfs); only its owner may enter it.

        Its name is the label and the first free number, as Nix names ``nix-build-NAME-0``:
        a build that writes its folder's path into its output (numpy's ``__config__.py``
        records its compiler flags, build folder included) then makes the same output when it
        is built again, as ``build --check`` does. A random name made every such rebuild
        differ. The folder is made by ``mkdir``, so a name that anyone else made first (a
        file, a link, a folder) is passed over, never used.

        A link in ``var/tmp`` named after `work` (:data:`BUILD_DIR_RECORD`), the entry there
        that stands for the build (the record of its outputs folder), points to it, out of the
        builder's reach: a process killed before it removes its folders (SIGKILL, the kernel's
        out-of-memory killer) leaves both, and the garbage collector then removes the folder
        with `work`. Without the record it would stay in ``/tmp`` until the machine restarts,
        however large the build was.
        """
        if parent is not None:
            try:
                os.makedirs(parent, exist_ok=True)
            except (FileExistsError, NotADirectoryError):  # a file there, or above it
                from ..errors import StoreError

                raise StoreError(
                    f"build_dir {parent} is not a folder: a file is in its way"
                ) from None
        # TMPDIR as it is: tempfile.gettempdir() would first probe it with a file of a random
        # name, which a SIGKILL at that moment leaves where no collection looks for it.
        # abspath: a relative `parent` is not var/tmp's.
        folder = os.path.abspath(parent if parent is not None else _temporary_folder())
        path = _first_free(lambda n: os.path.join(folder, f"pybuild-build-{label}-{n}"))
        os.symlink(path, self._build_dir_record(work))
        return path

    def remove_build_dir(self, work: Path, build_dir: Path) -> None:
        """Remove a folder made by :meth:`new_build_dir` for `work`, then its record."""
        remove_tree(build_dir)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self._build_dir_record(work))

    def _build_dir_record(self, work: Path) -> str:
        return f"{self.tmp_dir}{os.sep}{BUILD_DIR_RECORD}{work.name}"

    def add_path(
        self,
        src: str | os.PathLike[str],
        name: str | None = None,
        keep: Callable[[str], bool] | None = None,
    ) -> str:
        """Copy a file or folder into the store, named by its content (Nix's ``./path``).

        A symlink is added as itself, its target as written (``/bin/sh`` as a link to
        ``dash``), as Nix adds one and as its NAR hash describes it: following it would store
        content that hash does not name.

        With `keep`, a folder's entries are asked of it by their absolute path (the folder's
        ``os.path.abspath`` and the names down to them, joined by ``os.path.join``), as a Nix
        path filter is: what it refuses, a folder with all it holds, is neither hashed nor
        copied (:mod:`pybuild.localsource` chooses the files of a local source this way).
        The path stays a root until this process ends, so a collection cannot take it from
        a recipe being evaluated before its build starts.
        """
        src_path = Path(src)
        if not os.path.lexists(src_path):  # a link's target may be absent
            raise InvalidPath(os.fspath(src), "does not exist")
        root = os.path.abspath(src)  # what `keep` is asked about starts here
        self._refuse_holding_home(root, keep)
        nar_hash = _source_hash(root, keep)
        basename = make_name("source", nar_hash.hex, name or _safe_name(src_path.name))
        if self.is_valid_rooted(basename):
            self._own_copy(basename, lambda: nar_hash, root)
            return basename
        import shutil

        work = self.new_tmp_dir("add")
        try:
            copy = work / "content"
            if src_path.is_symlink():
                os.symlink(os.readlink(root), copy)
            elif src_path.is_dir():
                _copy_tree(root, os.fspath(copy), keep)
            else:
                shutil.copy2(src_path, copy)
            with self.lock([basename]):
                if not self.is_valid(basename):
                    try:
                        self.commit(
                            {basename: copy}, ca=f"source:{nar_hash.sri}", expect=nar_hash.sri
                        )
                    except InvalidPath as exc:  # told of the copy: the user knows the source
                        if exc.path != str(copy):
                            raise
                        raise InvalidPath(root, "changed while it was being added") from None
        finally:
            remove_tree(work)
        return basename

    def _refuse_holding_home(self, root: str, keep: Callable[[str], bool] | None) -> None:
        """Refuse to add the folder `root` if it holds this store's home (a project's own
        ``PYBUILD_HOME=.pybuild`` and ``pybuild add .``), unless `keep` leaves the home out:
        the copy would be made inside what it copies, growing as it goes, and the store's
        files would be in the source."""
        home = os.path.realpath(self.home)
        real = os.path.realpath(root)
        if not home.startswith(real.rstrip(os.sep) + os.sep):
            return
        if keep is not None:  # asked as a folder's entries are, from the top down
            inside = root
            for part in Path(os.path.relpath(home, real)).parts:
                inside = os.path.join(inside, part)
                if not keep(inside):
                    return
        raise InvalidPath(
            root,
            f"holds this pybuild home ({self.home}): a copy of it would hold the store it is"
            " copied into; leave the home out (a recipe's source: local_source(..., filter=...)"
            " or, in a git tree, the home in .gitignore), add a folder that does not hold it,"
            " or move the home out of it (PYBUILD_HOME)",
        )

    def add_text(self, name: str, text: str, references: Iterable[str] = ()) -> str:
        """Store a small text (a .drv file) under a name derived from its content.

        Like :meth:`add_path`, the path stays a root until this process ends.
        """
        data, refs = text.encode(), list(references)
        basename = make_name("text", hashlib.sha256(data).hexdigest(), name)
        if self.is_valid(basename, root=True):
            self._own_copy(basename, lambda: hash_text_nar(data), f"the text {name}", refs)
            return basename
        work = self.new_tmp_dir("text")
        try:
            (work / "content").write_bytes(data)
            with self.lock([basename]):
                if not self.is_valid(basename):
                    self.commit({basename: work / "content"}, references=refs)
        finally:
            remove_tree(work)
        return basename

    def add_texts(self, texts: Sequence[tuple[str, str, Sequence[str]]]) -> list[str]:
        """Store small texts (name, text, references) at once, in one registry transaction:
        the .drv files of a whole build graph, where one transaction each cost more than the
        builds of a small graph. References may be earlier texts of the same call. Their
        basenames, in order; each stays a root until this process ends."""
        named = [
            (make_name("text", hashlib.sha256(t.encode()).hexdigest(), n), t.encode(), refs)
            for n, t, refs in texts
        ]
        add_temp_roots(self, [basename for basename, _, _ in named])
        valid = self.registry.valid_among([basename for basename, _, _ in named])  # one query
        imported = set(self.client_imported(valid))  # one stat when no client imported any
        for basename, data, references in named:
            if basename in imported:
                what = f"the text {split_name(basename)[1]}"
                nar_hash = functools.partial(hash_text_nar, data)
                self._own_copy(basename, nar_hash, what, references)
        missing = [item for item in named if item[0] not in valid]
        if missing:
            work = self.new_tmp_dir("text")
            try:
                files = {}
                for i, (basename, data, _) in enumerate(missing):
                    files[basename] = work / str(i)
                    files[basename].write_bytes(data)
                refs = {basename: list(r) for basename, _, r in missing}
                with self.lock(files):
                    valid = self.registry.valid_among(files)  # another process's, meanwhile
                    fresh = {b: f for b, f in files.items() if b not in valid}
                    if fresh:
                        self.commit(fresh, references_of=refs)
            finally:
                remove_tree(work)
        return [basename for basename, _, _ in named]

    def _own_copy(
        self,
        name: str,
        nar_hash: Callable[[], Hash],
        what: str,
        references: Sequence[str] | None = None,
    ) -> None:
        """Take `name`, valid here and the name of content whose NAR hash is `nar_hash()`
        (`what`: a file or text being added), as this store's own if a ``pybuild serve``
        client imported it (:meth:`client_imported`) and it is that content, registered with
        the `references` it is added with (a text: its name does not cover them); refuse it
        (StoreError) if it is other content under that name, or has other references: a
        collection would take what the text names and the copy does not refer to.

        Serve refuses a copy that says it is named by its content and is not, but one that
        says nothing (as an output's import does) is kept apart unchecked: only here is it
        known to bear the name of a source or text, which is then what it must hold, or a
        client would choose what a local build runs. One stat when no client imported it."""
        if not self.client_imported([name]):
            return
        info = self.info(name)
        if parse_hash(info.nar_hash) != nar_hash():
            other = "other content"
        elif references is not None and set(info.references) != set(references):
            other = f"other references ({', '.join(info.references) or 'none'})"
        else:
            other = ""
        if other:
            from ..errors import StoreError

            path = self.path(name)
            error = StoreError(
                f"{path} was imported by a client of pybuild serve with {other} than"
                f" {what}, whose name it bears: it is not used in its place"
            )
            error.hint = (
                f"remove it (pybuild delete {path}, once nothing refers to it: pybuild"
                " why-depends finds what does), then run again"
            )
            raise error
        (self.imported_dir / name).unlink(missing_ok=True)

    def commit(
        self,
        built: Mapping[str, Path],
        *,
        candidates: Iterable[str] = (),
        references: Iterable[str] | None = None,
        references_of: Mapping[str, Sequence[str]] | None = None,
        deriver: str | None = None,
        ca: str | None = None,
        expect: str | None = None,
    ) -> list[PathInfo]:
        """Move finished content into the store and register it; the caller holds the locks.

        References are the `candidates` (and the outputs themselves) whose hash part occurs in
        the content, unless `references` (for all) or `references_of` (for each) are given
        outright. `expect` is a NAR hash the content must have (for content-addressed adds).
        If the registration fails (a reference not valid), what was moved in is taken out.
        """
        from .registry import PathInfo  # with SQLite, which evaluation alone need not load

        if references is not None:
            references_of = {name: list(references) for name in built}
        pool = {split_name(c)[0]: c for c in [*candidates, *built]}
        infos = []
        for name, tmp in built.items():
            with names_too_long(tmp):
                _canonicalise(tmp)
                nar_hash, size, hits = hash_and_scan(tmp, pool if references_of is None else ())
            if expect is not None and nar_hash.sri != parse_hash(expect).sri:
                raise InvalidPath(str(tmp), "changed while it was being added")
            if references_of is not None:
                refs = sorted(references_of[name])
            else:
                refs = sorted(pool[h] for h in hits)
            infos.append(PathInfo(name, nar_hash.sri, size, tuple(refs), deriver, ca=ca))
        self.registry.open()  # a registry exists before the store holds paths (or it is lost)
        self.dir.mkdir(parents=True, exist_ok=True)
        moved: list[str] = []
        try:
            for name, tmp in built.items():
                self._move_in(name, tmp)
                moved.append(name)
            self.registry.register(infos)
        except BaseException:
            self._take_out(moved)
            raise
        return infos

    def _move_in(self, name: str, tmp: Path) -> None:
        """Rename `tmp` to the store path `name`, in place of an unregistered left-over."""
        target = self.path(name)
        if os.path.lexists(target):
            remove_tree(target)  # an unregistered left-over of an interrupted build
        # Moving a directory to a new parent needs write access to it (its ".." entry
        # changes), so the top stays writable until it is in place.
        is_dir = tmp.is_dir() and not tmp.is_symlink()
        if is_dir:
            os.chmod(tmp, 0o755)
        os.rename(tmp, target)
        if is_dir:
            os.chmod(target, 0o555)

    def _take_out(self, moved: Sequence[str]) -> None:
        """Remove what a commit moved in before its registration failed (a reference not
        valid, an interruption): bad input never leaves an unregistered path in the store.
        One registered after all (interrupted once its transaction was committed) stays."""
        for name in set(moved) - self.registry.valid_among(moved):
            remove_tree(self.path(name))

    def replace_contents(self, name: str, fresh: Path, *, canonical: bool = False) -> None:
        """Put `fresh` in place of the damaged contents of the valid path `name`.

        `fresh` must have the NAR hash the registry holds for `name` (a rebuild or re-fetch of
        it), so the registration stays true; the caller holds the path's lock. The damaged
        copy is moved aside first and deleted after, so a crash leaves one or the other. A
        store folder that is gone is made again, as a commit makes it.
        `canonical`: `fresh` is as a substitution makes a path (restored from a binary cache,
        or hard-linked from the link cache), so it is left as it is: making a rebuild's output
        canonical would copy every file the link cache shares.
        """
        expected = self.info(name).nar_hash
        if not canonical:
            _canonicalise(fresh)
        actual, _ = hash_path(fresh)
        if actual.sri != expected:
            raise InvalidPath(
                str(fresh), f"is not the content of {name}: {actual.sri} != {expected}"
            )
        target = self.path(name)
        aside = self.new_tmp_dir("repair") / "damaged"
        if os.path.lexists(target):
            if target.is_dir() and not target.is_symlink():
                os.chmod(target, 0o755)
            os.rename(target, aside)
        if fresh.is_dir() and not fresh.is_symlink():
            os.chmod(fresh, 0o755)
        self.dir.mkdir(parents=True, exist_ok=True)  # gone with every path, as commit makes it
        os.rename(fresh, target)
        if target.is_dir() and not target.is_symlink():
            os.chmod(target, 0o555)
        remove_tree(aside.parent)

    # -- checking ---------------------------------------------------------------------------

    def verify(
        self, check_contents: bool = False, names: Iterable[str | os.PathLike[str]] | None = None
    ) -> Iterator[Problem]:
        """Registered paths that are missing or changed, and unregistered left-overs; or of
        `names` alone, given as the queries take them (:func:`pybuild.store.verify.verify`)."""
        from .verify import verify

        return verify(self, check_contents, None if names is None else self._basenames(names))


@functools.lru_cache(maxsize=16)
def _store_at(home: str) -> Store:
    return Store(home)


def _source_hash(path: str, keep: Callable[[str], bool] | None) -> Hash:
    """The NAR hash of a source; a file's is remembered while its size and time are unchanged.

    Evaluation adds the same builder scripts again and again; hashing them once is enough.
    """
    if not os.path.isfile(path) or os.path.islink(path):
        return hash_path(path, keep)[0]
    st = os.stat(path)
    return _file_hash(path, st.st_size, st.st_mtime_ns, st.st_ino)


def _copy_tree(source: str, target: str, keep: Callable[[str], bool] | None) -> None:
    """Copy the folder `source` to `target`, links as links, only what `keep` accepts (asked
    as :func:`~pybuild.hashing.hash_path` asks it), so that the copy holds exactly what was
    hashed; at any depth (``shutil.copytree`` recursed, failing a folder some 500 deep)."""
    import shutil

    pending = [(source, target)]
    while pending:
        source, target = pending.pop()
        os.mkdir(target)
        with os.scandir(source) as listing:
            for entry in listing:
                if keep is not None and not keep(entry.path):
                    continue
                to = os.path.join(target, entry.name)
                if entry.is_symlink():
                    os.symlink(os.readlink(entry.path), to)
                elif entry.is_dir(follow_symlinks=False):
                    pending.append((entry.path, to))
                else:
                    shutil.copy2(entry.path, to, follow_symlinks=False)


@functools.lru_cache(maxsize=256)
def _file_hash(path: str, size: int, mtime_ns: int, inode: int) -> Hash:
    return hash_path(path)[0]


def _safe_name(name: str) -> str:
    """A file name made fit for a store name: what a store name cannot hold (spaces, letters
    out of ASCII, which ``str.isalnum`` would keep) becomes ``_``."""
    cleaned = "".join(
        c if (c.isascii() and c.isalnum()) or c in "+-._?=" else "_" for c in name
    ).lstrip(".")
    return cleaned or "source"


def _canonicalise(root: Path) -> None:
    """Read-only, canonical times, no special bits: all that a NAR does not record is erased.

    Files a build user made (pybuild.buildusers) become the store owner's again. A file with
    other names (hard links) is copied (:func:`unshare`) before anything about it changes.
    """
    owner = (os.geteuid(), os.getegid())
    for path in _walk_bottom_up(root):
        st = os.lstat(path)
        if not (stat.S_ISDIR(st.st_mode) or stat.S_ISREG(st.st_mode) or stat.S_ISLNK(st.st_mode)):
            raise InvalidPath(str(path), "special files (devices, sockets, fifos) cannot be stored")
        if st.st_nlink > 1 and not stat.S_ISDIR(st.st_mode):
            unshare(path)
            st = os.lstat(path)
        if (st.st_uid, st.st_gid) != owner:
            os.lchown(path, *owner)  # before chmod: a change of owner clears setuid bits
        if stat.S_ISLNK(st.st_mode):
            os.utime(path, (_CANONICAL_MTIME, _CANONICAL_MTIME), follow_symlinks=False)
            continue
        executable = stat.S_ISDIR(st.st_mode) or st.st_mode & stat.S_IXUSR
        os.chmod(path, 0o555 if executable else 0o444)
        os.utime(path, (_CANONICAL_MTIME, _CANONICAL_MTIME))


def unshare(path: str) -> None:
    """Replace the file or link `path`, which has other names (hard links), by a copy of its
    own, made by this process: its owner, mode, time or content can then be changed without
    changing those of the other names.

    Whatever changes a builder's output (the rewrite of its folder, storing it, giving a
    failed build's folders back) must call this first: a builder can link any file it may
    write into its output, as root any file at all (``ln /etc/shadow $out/x``), and those
    other names lie outside. A NAR has no hard links, so the copy loses nothing. It keeps the
    file's permission bits but no setuid, setgid or sticky bit, as a change of owner would.
    """
    st = os.lstat(path)
    parent = os.path.dirname(path)
    folder_mode = stat.S_IMODE(os.lstat(parent).st_mode)
    closed = not os.access(parent, os.W_OK | os.X_OK)
    if closed:
        os.chmod(parent, folder_mode | stat.S_IWUSR | stat.S_IXUSR)
    try:
        if stat.S_ISLNK(st.st_mode):
            copy = _first_free(
                lambda _: os.path.join(parent, f".unshare-{_random_code(8)}"),
                _link_to(os.readlink(path)),
            )
            with _removed_if_failed(str(copy)):
                os.replace(copy, path)
        else:
            _copy_in_place(path, stat.S_IMODE(st.st_mode) & 0o777)
    finally:
        if closed:
            os.chmod(parent, folder_mode)


def _copy_in_place(path: str, mode: int) -> None:
    """Replace the regular file `path` by a copy of its content, of mode `mode`."""
    import shutil
    import tempfile

    try:
        src = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except PermissionError:
        why = "has other names (hard links) and cannot be read to make a copy of its own"
        raise InvalidPath(path, why) from None
    with open(src, "rb") as source:
        fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path), prefix=".unshare-")
        with _removed_if_failed(tmp):
            with os.fdopen(fd, "wb") as copy:
                shutil.copyfileobj(source, copy)
                os.fchmod(copy.fileno(), mode)
            os.replace(tmp, path)


@contextlib.contextmanager
def _removed_if_failed(tmp: str) -> Iterator[None]:
    """`tmp`, a copy on its way to its place, removed if it does not get there."""
    try:
        yield
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _walk_bottom_up(root: Path) -> Iterator[str]:
    if root.is_dir() and not root.is_symlink():
        for dirpath, dirnames, filenames in walk(root, topdown=False):
            for name in filenames + dirnames:
                yield os.path.join(dirpath, name)
    yield str(root)


def _temporary_folder() -> str:
    """``TMPDIR`` (or ``TEMP``, ``TMP``) as given, else the one :mod:`tempfile` finds."""
    for name in ("TMPDIR", "TEMP", "TMP"):
        if os.environ.get(name):
            return os.environ[name]
    import tempfile

    return tempfile.gettempdir()


def _private_folder(path: str) -> None:
    os.mkdir(path, 0o700)  # only its owner may enter


def _first_free(name: Callable[[int], str], make: Callable[[str], None] = _private_folder) -> Path:
    """The first of ``name(0)``, ``name(1)``… that `make` makes (by default a folder, mode
    0o700): one that exists, whoever made it (a file, a link, a folder), is passed over, never
    used."""
    attempt = 0
    while True:
        path = name(attempt)
        try:
            make(path)
            return Path(path)
        except FileExistsError:
            attempt += 1


def _link_to(target: str) -> Callable[[str], None]:
    return lambda path: os.symlink(target, path)


def _random_code(length: int) -> str:
    """`length` random lowercase letters or digits."""
    return "".join(_OUTPUTS_DIR_LETTERS[b % 36] for b in os.urandom(length))


def remove_tree(path: str | os.PathLike[str]) -> None:
    """Delete a path even when it was made read-only (store content always is), at any
    depth (:func:`~pybuild.store.walk.fd_walk`: ``shutil.rmtree`` recursed once per level,
    and its paths grew past what the kernel takes)."""
    path = os.fspath(path)
    try:
        os.rmdir(path)  # empty, as a build's folders are once its outputs are stored: one call
        return
    except FileNotFoundError:
        return
    except OSError:
        pass  # not empty, not a folder, or a link
    try:
        top = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    except OSError as exc:
        if exc.errno not in (errno.ENOTDIR, errno.ELOOP):
            raise
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)  # a file or a link
        return
    opened = os.geteuid() != 0  # root enters and empties a read-only folder as it is
    try:
        if opened:
            os.fchmod(top, 0o700)
        for fd, dirnames, filenames in fd_walk(top, _remove_folder):
            for name in dirnames if opened else ():  # open to their owner, to be emptied
                with contextlib.suppress(FileNotFoundError):
                    os.chmod(name, 0o700, dir_fd=fd)
            for name in filenames:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(name, dir_fd=fd)
    finally:
        os.close(top)
    with contextlib.suppress(FileNotFoundError):
        os.rmdir(path)


def _remove_folder(parent: int, name: str) -> None:
    """Remove the folder `name` of `parent`, emptied by :func:`remove_tree`'s walk."""
    with contextlib.suppress(FileNotFoundError):
        os.rmdir(name, dir_fd=parent)
