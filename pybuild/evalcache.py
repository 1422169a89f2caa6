"""The evaluation cache: a no-op ``pybuild build`` answers without evaluating anything.

Evaluating a command line means running Python: the file or set, dozens of recipe modules, a
derivation each — most of a no-op build's time. What it yields (each target's ``.drv`` and
output names) depends only on what the evaluation read, so the cache records exactly that
while it runs, and a later run of the same command answers from the record when every input
is unchanged and every output is still valid in the store.

What is recorded (Nix's flakes cache evaluations too, but forbid impure reads; we record them):

- the file of every module loaded (pybuild itself, the recipes, overlays, the ``-f`` file
  and the libraries they use) and every file opened for reading (settings, caches, the files
  of a local source added to the store, anything a recipe reads), by size, time and inode —
  a file that was missing is recorded as missing (of a local source, only the files it is
  made of are read: :mod:`pybuild.localsource`, which asks about the files git reads to
  choose them, so that they count too);
- every folder listed (a recipe folder: a new recipe changes the set), by the names in it
  and whether each is a folder;
- every path whose existence, kind or metadata was asked (``os.stat``/``lstat``/``access``/
  ``readlink``, and so ``Path.exists``, ``is_file``, ``os.path.isdir``, ``glob``…): by kind,
  link target and, for a file, its stamp as a read file's (a folder's own time is not
  recorded: it changes whenever anything inside is written);
- every environment variable read, by value (all of them if the environment was iterated,
  but those a shell sets by itself: :data:`_SHELLS_OWN`);
- the settings, read before the recording starts: the config file, and every ``PYBUILD_*``
  variable set, by value (:meth:`Recorder.note_settings`);
- the command line, the working directory, the interpreter and the store, and which pybuild
  runs (its folder): a record lists the files of the pybuild that made it, which another
  checkout of pybuild, or an older one switched back to, leaves unchanged, so it must never
  be that one's answer.

Not recorded: what the store keeps about itself, and pybuild's memos of exact answers (the
caller names them: where the file of a known hash is, an interpreter's facts), whose entries
never change what they answer; counted, each new entry for any command ended every record.

A record is not saved while an input is younger than two seconds (as git's index treats racy
files): a file written while the evaluation ran, or in the same clock tick as it was read,
would look unchanged; a later run saves it. A file the evaluation wrote itself (a plan it
made), as its write left it, is what it used: that one counts as settled. An evaluation that
depends on the clock or the network is not cached when the code that does so says so
(:func:`volatile`: a stale plan served while the index is out of reach), or cached until a time
it names (:func:`expires`: an unpinned package from the index, whose plan is asked again after
a day); a recipe of your own that depends on them must have the ``eval_cache`` setting turned
off.

A file's time and inode are not what was read, only its bytes: they are compared first,
because a ``stat`` is cheap, and a file (read or asked about) whose stamp changed still holds
if its size, mode and content hash are the same (a ``touch``, a ``git checkout`` of another
branch and back, an editor that saves unchanged text), as Nix's flakes key their cache on
content. Files of the interpreter's installation (an install changes their stamp) and files
over a mebibyte (an interpreter's binary) are not hashed: for them the stamp decides.

Records are kept in ``var/cache/eval``, a file per command line holding its last few answers
(:data:`_KEPT`), so that a command run by turns with two values of a variable, or on two
branches, answers from a record each time. A collection (``pybuild gc``) removes the files
none of whose answers can be given any more (:func:`stale_records`).
"""

from __future__ import annotations

import builtins
import io
import marshal
import os
import stat
import sys
import time

TYPE_CHECKING = False  # typing costs more to import than a no-op answered from a record
if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping, Sequence
    from contextlib import AbstractContextManager
    from typing import Any

try:  # the builtin module: hashlib would load OpenSSL (2 ms, a no-op's budget) for one hash
    # (by __import__: importing importlib loads warnings, which a no-op needs nowhere else)
    _sha256 = __import__("_sha2" if sys.version_info >= (3, 12) else "_sha256").sha256
except ImportError:  # an interpreter built without it
    from hashlib import sha256 as _sha256

__all__ = [
    "CachedTarget",
    "Recorder",
    "cache_key",
    "expires",
    "lookup",
    "save",
    "stale_records",
    "text_hash",
    "volatile",
]

_FORMAT = 7  # 5: a file's content hash beside its stamp, several answers; 6: answers expire;
# 7: the PYBUILD_* variables the settings were read from
_KEPT = 4  # answers kept for a command line, the newest first
_HASHED = 1 << 20  # files up to this size are hashed too; a larger one's stamp decides
_SETTLED_NS = 2_000_000_000  # inputs younger than this are not trusted to have settled
_ALL = "*"  # the environment was iterated: every variable counts, but the shell's own
# The variables a shell sets by itself as it runs commands: the last argument, the working
# folder (part of every record's key) and the one before, the shell's depth. Code that scans
# the environment (pip's configuration for PIP_*, requests for proxies, pybuild's settings)
# does not mean them; counted, a record held only in the folder, and shell, it was made in.
_SHELLS_OWN = frozenset({"_", "PWD", "OLDPWD", "SHLVL"})
_SETTINGS_PREFIX = "PYBUILD_"  # the settings' variables, and PYBUILD_HOME and PYBUILD_CONFIG
# What reading a damaged record raises (marshal's errors, or a part missing or of a wrong kind).
_DAMAGED = (OSError, ValueError, KeyError, TypeError, AttributeError, EOFError)
_volatile: list[str] = []
_expiry: list[float] = []  # when the running evaluation's answer stops holding (time.time())
_warned: list[str] = []  # what the running evaluation warned of (a yanked release it took)
_answer_warned: list[str] = []  # what the record's answer just looked up warned of
# The os functions that answer questions about a path; os.path, pathlib and glob call them.
_PROBES = (
    "stat",
    "lstat",
    "access",
    "readlink",
)  # why the evaluation running now must not be cached


def volatile(reason: str) -> None:
    """Say that the running evaluation depends on something no record can check (the clock,
    the network): it is then not cached. Code that does so calls this; it costs nothing
    outside a recorded evaluation."""
    _volatile.append(reason)


def warned(line: str) -> None:
    """Say that the running evaluation printed the warning `line` (a yanked release taken):
    its record keeps it, and a command answered from the record says it again
    (:func:`repeat_warnings`), since what was worth a warning must never turn silent. It
    costs nothing outside a recorded evaluation."""
    _warned.append(line)


def repeat_warnings() -> None:
    """Print the warnings of the evaluation whose record answered the last :func:`lookup`,
    once the command answers from it."""
    if _answer_warned:
        from .progress import tell  # coloured as when the evaluation told them

        for line in _answer_warned:
            tell(line)


def expires(at: float) -> None:
    """Say that the running evaluation's answer holds until `at` (seconds since the epoch,
    as :func:`time.time`) and no longer: its record answers until then. Code that depends on
    the clock in that way calls this; it costs nothing outside a recorded evaluation."""
    _expiry.append(at)


class CachedTarget:
    """What a build command needs of a target, as a record remembers it.

    A plain class, not a dataclass: :mod:`pybuild.fastpath` reads records, and importing
    ``dataclasses`` would cost it more than the rest of a no-op.
    """

    __slots__ = ("drv_name", "output_paths")

    def __init__(self, drv_name: str, output_paths: Mapping[str, str]) -> None:
        self.drv_name = drv_name
        self.output_paths = output_paths

    @property
    def outputs(self) -> tuple[str, ...]:
        return tuple(self.output_paths)

    def path(self, output: str, store: Any) -> str:
        return str(store.path(self.output_paths[output]))


class _RecordingEnviron(os._Environ):  # type: ignore[type-arg]
    """``os.environ`` that notes which variables were read (it shares the real one's data)."""

    def __init__(self, real: os._Environ, read: set[str]) -> None:  # type: ignore[type-arg]
        super().__init__(
            real._data,  # type: ignore[attr-defined]
            real.encodekey,
            real.decodekey,
            real.encodevalue,
            real.decodevalue,
        )
        self._read = read

    def __getitem__(self, key: str) -> str:
        if isinstance(key, str):  # os.get_exec_path asks for b"PATH" too, which no str names
            self._read.add(key)
        return super().__getitem__(key)

    def __iter__(self) -> Iterator[str]:
        self._read.add(_ALL)
        return super().__iter__()

    def copy(self) -> dict[str, str]:
        self._read.add(_ALL)
        return self._all()

    def items(self) -> Any:
        self._read.add(_ALL)
        return self._all().items()

    def values(self) -> Any:
        self._read.add(_ALL)
        return self._all().values()

    def _all(self) -> dict[str, str]:
        """Every variable, each not noted as read by name: iterating counts them all (but
        the shell's own, :data:`_SHELLS_OWN`), and a name read by itself counts even then."""
        data = self._data  # type: ignore[attr-defined]
        return {self.decodekey(k): self.decodevalue(v) for k, v in data.items()}


# Cached bytecode is no input: it is used (by imports, and by a set for its recipe files) only
# while it matches the time and size of its source, which is one. A set's recipes would
# otherwise count twice, and a no-op would check a hundred more files.
_BYTECODE = f"{os.sep}__pycache__{os.sep}"


class Recorder:
    """While active, notes the files, folders and variables this process reads."""

    def __init__(self, store_dir: str, kept: Sequence[str] = ()) -> None:
        self.started_ns = time.time_ns()
        self.files: set[str] = set()
        self.folders: set[str] = set()
        self.probed: set[str] = set()
        self.variables: set[str] = set()
        # Store paths never change. The store's listing, and what the store keeps about
        # itself (`kept`: the registry with its -wal, -shm and lock files and its reserve,
        # the notes of what it holds), change with every build, and what an evaluation gets
        # from them never depends on them: names are made from contents. A record that
        # counted them would hold only until the next build of anything.
        self._store = store_dir.rstrip(os.sep)
        self._skip = (self._store + os.sep, *kept)
        # Files this evaluation replaced (its plans, pybuild's caches): path -> the stamp its
        # own write left, which :meth:`settled` trusts however young (see :meth:`_record`).
        self.written: dict[str, list[int]] = {}
        # The PYBUILD_* variables, read before the recording (the settings): see note_settings.
        self.settings = _settings_variables(os.environ)

    def recording(self) -> AbstractContextManager[Recorder]:
        """Patch every way Python reads the file system or the environment, for the block."""
        import contextlib  # here: the fast path imports this module and never records

        return contextlib.contextmanager(self._record)()

    def _record(self) -> Iterator[Recorder]:
        """The body of :meth:`recording`.

        Import machinery calls ``posix`` directly, so only what the evaluation's own code asks
        is seen; pathlib, ``os.path`` and ``glob`` all end in the functions patched here, but
        for ``Path.glob`` from 3.13 on, whose globber keeps ``os.scandir`` and ``os.lstat`` as
        they were when ``glob`` was imported (:func:`_kept_by_glob`): those are patched too.
        """
        real = {
            name: getattr(os, name) for name in (*_PROBES, "scandir", "listdir", "open", "replace")
        }
        globber, kept = _kept_by_glob(real)
        real_open, real_environ = builtins.open, os.environ

        def opening(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
            if isinstance(file, str | os.PathLike) and not any(c in mode for c in "wax+"):
                self._note(self.files, file)
            return real_open(file, mode, *args, **kwargs)

        def os_opening(path: Any, flags: int, *args: Any, **kwargs: Any) -> Any:
            if not flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
                self._note(self.files, path)
            return real["open"](path, flags, *args, **kwargs)

        def replacing(src: Any, dst: Any, *args: Any, **kwargs: Any) -> None:
            # A file written whole and renamed into place (write_atomic) by the evaluation
            # itself: a new inode, whose stamp is this write's until another replaces it.
            real["replace"](src, dst, *args, **kwargs)
            if not isinstance(dst, int):
                full = os.path.abspath(os.fsdecode(dst))
                self.written[full] = (_file_stamp(full) or [])[:3]

        def watched(name: str, seen: set[str]) -> Any:
            def call(path: Any = ".", *args: Any, **kwargs: Any) -> Any:
                self._note(seen, path)
                return real[name](path, *args, **kwargs)

            return call

        builtins.open = io.open = opening  # type: ignore[assignment]
        os.open = os_opening  # type: ignore[assignment]
        os.replace = replacing
        os.scandir = watched("scandir", self.folders)
        os.listdir = watched("listdir", self.folders)
        for name in _PROBES:
            setattr(os, name, watched(name, self.probed))
        for name in kept:
            setattr(globber, name, staticmethod(getattr(os, name)))
        _volatile.clear()
        _expiry.clear()
        _warned.clear()
        # The same variables behind a recording view; os.getenv reads it too.
        os.environ = _RecordingEnviron(real_environ, self.variables)  # noqa: B003
        try:
            yield self
        finally:
            builtins.open = io.open = real_open  # type: ignore[assignment]
            for name, function in real.items():
                setattr(os, name, function)
            for name, method in kept.items():
                setattr(globber, name, method)
            os.environ = real_environ  # noqa: B003

    def note_settings(self, config_file: str) -> None:
        """Count the settings as inputs: the config file here, and every ``PYBUILD_*``
        variable (those set, by value, and that no other is), as :meth:`__init__` found them.
        They are read before the recording starts, but the fast path (:mod:`pybuild.fastpath`)
        answers without reading them, so the record must stop holding when one could have
        turned the cache off, or is one the full command line refuses (a value not of its
        type, a misspelt name). The full command line then says what is wrong, or evaluates
        again, once, and keeps the answer for the new values beside the old."""
        self._note(self.files, config_file)

    def _note(self, seen: set[str], path: Any) -> None:
        if isinstance(path, int):
            return  # a file descriptor: its file was opened, and noted, by name
        full = os.path.abspath(os.fsdecode(path))
        if full == self._store or full.startswith(self._skip) or _BYTECODE in full:
            return
        seen.add(full)

    def inputs(self) -> dict[str, Any]:
        """Everything read, with the modules loaded so far (pybuild's own code among them),
        stamped now: :meth:`settled` then refuses anything that changed since the start."""
        paths = set(self.files)
        paths.update(
            path
            for module in list(sys.modules.values())
            if isinstance(path := getattr(module, "__file__", None), str)
        )
        paths.add(os.path.realpath(sys.executable))
        # What an interpreter's installs own changes only by an install, which changes its
        # stamp too: hashing it (most of the bytes of the modules loaded) would buy nothing.
        installed = tuple(
            os.path.join(p, "") for p in {sys.prefix, sys.base_prefix, sys.exec_prefix}
        )
        files = {path: _read_stamp(path, not path.startswith(installed)) for path in sorted(paths)}
        folders = {path: _folder_stamp(path) for path in sorted(self.folders)}
        # A path read and asked about counts both ways: a read file is judged by its bytes,
        # but whether it is a link (to the same bytes) is a question only the probe answers.
        probed = {
            path: _probed_stamp(path, not path.startswith(installed))
            for path in sorted(self.probed)
        }
        environ = os.environ
        named = self.variables - {_ALL}
        names = sorted(set(environ) - _SHELLS_OWN | named if _ALL in self.variables else named)
        return {
            "files": files,
            "folders": folders,
            "probed": probed,
            "environ": {name: environ.get(name) for name in names},
            "all_environ": _ALL in self.variables,
            "settings": self.settings,
        }

    def settled(self, inputs: Mapping[str, Any]) -> bool:
        """Whether every input is older than the evaluation by a safe margin: a file written
        while it ran (or in the same clock tick as it was read) may not be what was read.
        A file the evaluation wrote itself (a plan it made), still as its write left it, is
        what it used, however young: its first run is then kept too, not only the second."""
        own = self.written  # by time, size and inode: a file's stamp [0:3], a path's [3:6]
        stamps = [s[0] for p, s in inputs["files"].items() if s and own.get(p) != s[:3]]
        stamps += [
            s[3] for p, s in inputs["probed"].items() if s and len(s) > 3 and own.get(p) != s[3:6]
        ]
        return max(stamps, default=0) < self.started_ns - _SETTLED_NS


def _file_stamp(path: str) -> list[int] | None:
    """A file's time, size, inode and mode (``os.access`` and ``stat`` answer by the mode)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return [st.st_mtime_ns, st.st_size, st.st_ino, st.st_mode]


def _read_stamp(path: str, hashed: bool) -> list[Any] | None:
    """A read file's stamp (:func:`_file_stamp`) and, if `hashed`, the hash of its bytes:
    what decides when the stamp alone does not (:func:`_saved_hash`)."""
    stamp: list[Any] | None = _file_stamp(path)
    if stamp is not None:
        stamp.append(_saved_hash(path, stamp[1], hashed))
    return stamp


def _saved_hash(path: str, size: int, hashed: bool) -> bytes | None:
    """The hash a record keeps of a file (None if not `hashed`, or larger than
    :data:`_HASHED`). By OpenSSL, loaded by then: the builtin SHA-256 of the no-op's checks is
    five times slower."""
    if not hashed:
        return None
    from hashlib import sha256

    return _content_hash(path, size, sha256)


def _content_hash(path: str, size: int, sha256: Callable[[bytes], Any] = _sha256) -> bytes | None:
    """The SHA-256 of a file of at most :data:`_HASHED` bytes; None for a larger or unreadable
    one."""
    if size > _HASHED:
        return None
    try:
        with open(path, "rb", buffering=0) as f:
            return bytes(sha256(f.readall()).digest())
    except OSError:
        return None


def _same_file(path: str, recorded: list[Any] | None) -> bool:
    """Whether the file read is as it was: the same stamp, or the same size, mode and bytes
    (only a ``stat`` in the usual case; the bytes are read when the stamp differs)."""
    now = _file_stamp(path)
    if now is None or recorded is None:
        return now is recorded
    return now == recorded[:4] or (
        now[1] == recorded[1] and now[3] == recorded[3] and _same_bytes(path, now[1], recorded[4])
    )


def _same_bytes(path: str, size: int, digest: bytes | None) -> bool:
    """Whether a file whose stamp changed holds the bytes `digest` was made of; never for one
    that was not hashed (None), whose stamp alone decides."""
    return digest is not None and _content_hash(path, size) == digest


def _folder_stamp(path: str) -> list[str] | None:
    """The names in a folder, a folder's with a ``/``: its time would change with every
    ``__pycache__`` written."""
    try:
        with os.scandir(path) as entries:
            return sorted(
                e.name + "/" if e.is_dir() else e.name for e in entries if e.name != "__pycache__"
            )
    except OSError:
        return None


def _path_stamp(path: str) -> list[Any] | None:
    """What a question about `path` could have learnt: the link it is and where it points,
    the kind of what it names, and a file's stamp (a folder's time is left out on purpose)."""
    try:
        lst = os.lstat(path)
    except OSError:
        return None
    link = os.readlink(path) if stat.S_ISLNK(lst.st_mode) else None
    try:
        st = os.stat(path)
    except OSError:
        return [link, None]
    if stat.S_ISDIR(st.st_mode):
        return [link, "dir", st.st_mode & 0o7777]
    return [
        link,
        stat.S_IFMT(st.st_mode),
        st.st_mode & 0o7777,
        st.st_mtime_ns,
        st.st_size,
        st.st_ino,
    ]


def _probed_stamp(path: str, hashed: bool) -> list[Any] | None:
    """A path asked about (:func:`_path_stamp`); a regular file's with the hash of its bytes
    (if `hashed`, as :func:`_read_stamp`), though they were not read: a checkout there and
    back keeps the record, and a file read by a way no patch sees still counts by content."""
    stamp = _path_stamp(path)
    if stamp is not None and len(stamp) == 6 and stamp[1] == stat.S_IFREG:
        stamp.append(_saved_hash(path, stamp[4], hashed))
    return stamp


def _same_path(path: str, recorded: list[Any] | None) -> bool:
    """Whether a path asked about answers as it did: the same stamp, or a regular file's same
    link, kind, mode, size and bytes."""
    now = _path_stamp(path)
    if now is None or recorded is None or len(now) < 6 or len(recorded) < 7:
        return now == recorded
    return now == recorded[:6] or (
        now[:3] == recorded[:3] and now[4] == recorded[4] and _same_bytes(path, now[4], recorded[6])
    )


def text_hash(text: str) -> str:
    """A short name for `text` (a record's, a kept help text's): 32 hex digits of its SHA-256."""
    return str(_sha256(text.encode()).hexdigest()[:32])


def _kept_by_glob(real: Mapping[str, Any]) -> tuple[Any, dict[str, Any]]:
    """The class of ``glob`` that holds functions of `real` (``os.scandir``…) from its import,
    with those it holds: pathlib's ``Path.glob`` lists folders through it from Python 3.13
    on, unseen by a patch of ``os`` alone (a new file matching a recipe's glob would not end
    its record). None and nothing where ``glob`` is not loaded or keeps none."""
    globber = getattr(sys.modules.get("glob"), "_StringGlobber", None)
    if globber is None:
        return None, {}
    held = vars(globber).items()
    return globber, {
        name: value
        for name, value in held
        if isinstance(value, staticmethod) and value.__func__ is real.get(name)
    }


def cache_key(store: Any, command: Sequence[object]) -> str:
    """The record's name: the command line, where it runs, with which interpreter and store,
    and which pybuild (its folder)."""
    where = [os.getcwd(), sys.executable, str(store.home), os.path.dirname(__file__)]
    return text_hash(repr([_FORMAT, list(command), *where]))


def _record_path(store: Any, key: str) -> str:
    return os.path.join(_records(store), key + ".marshal")


def _records(store: Any) -> str:
    return os.path.join(store.var, "cache", "eval")


def lookup(store: Any, key: str) -> list[CachedTarget] | None:
    """The targets of the record, if nothing it read has changed since; else None.

    Whether the outputs are still valid is the caller's to check, once it holds them as
    temporary roots.
    """
    try:
        for inputs, targets in _answers(_record_path(store, key)):
            if _unchanged(inputs):
                _answer_warned[:] = inputs.get("warned", ())
                return targets
    except _DAMAGED:
        return None
    return None


def _answers(path: str) -> Iterator[tuple[Mapping[str, Any], list[CachedTarget]]]:
    """A record's answers, the newest first, each parsed only when it is asked for: each one's
    inputs and targets. A damaged record raises one of ``_DAMAGED``."""
    for blob in _read_blobs(path):
        entry = marshal.loads(blob)
        yield entry["inputs"], [CachedTarget(t["drv"], t["outputs"]) for t in entry["targets"]]


def _read_blobs(path: str) -> list[bytes]:
    """A record's answers as they are kept, each in marshal's format of its own: the first
    usually answers, and a no-op then parses only it."""
    with open(path, "rb") as f:
        # Read whole, then parsed: marshal.load(f) asks the file for every object it reads,
        # which made a 44 kB record cost 0.8 ms of a 15-20 ms no-op, against 65 us.
        blobs = marshal.loads(f.read())
    if not isinstance(blobs, list) or not all(isinstance(b, bytes) for b in blobs):
        raise TypeError("a record is a list of answers")
    return blobs


def stale_records(store: Any, is_valid: Callable[[str], bool]) -> list[str]:
    """The records that can no longer answer, for a collection to remove: one naming an output
    that is not valid (collected since) sends its command to evaluate anyway, until a new
    evaluation replaces it, and one that cannot be read never answers; both would otherwise
    stay forever. Removing a record costs at most one evaluation: the next run saves it again.
    """
    folder = _records(store)
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return []
    known: dict[str, bool] = {}  # many records share outputs (a set's environments)
    stale = []
    for name in names:
        if name.startswith(".") or not name.endswith(".marshal"):
            continue  # a record being written (under its temporary name)
        path = os.path.join(folder, name)
        try:
            answers = [
                [o for t in targets for o in t.output_paths.values()]
                for _, targets in _answers(path)
            ]
        except _DAMAGED:
            stale.append(path)
            continue
        for output in {o for outputs in answers for o in outputs}:
            if output not in known:
                known[output] = is_valid(output)
        if not any(all(known[o] for o in outputs) for outputs in answers):
            stale.append(path)
    return stale


def _settings_variables(environ: Mapping[str, str]) -> dict[str, str]:
    """The ``PYBUILD_*`` variables of `environ`, by value."""
    return {name: environ[name] for name in environ if name.startswith(_SETTINGS_PREFIX)}


def _unchanged(inputs: Mapping[str, Any]) -> bool:
    expires = inputs.get("expires")
    if expires is not None and time.time() >= expires:
        return False
    environ = os.environ
    if inputs["settings"] != _settings_variables(environ):
        return False
    if inputs["all_environ"]:  # the same names (but the shell's own), as the values below
        present = {name for name, value in inputs["environ"].items() if value is not None}
        if set(environ) - _SHELLS_OWN != present - _SHELLS_OWN:
            return False
    return (
        all(environ.get(name) == value for name, value in inputs["environ"].items())
        and all(_same_file(p, s) for p, s in inputs["files"].items())
        and all(_folder_stamp(p) == s for p, s in inputs["folders"].items())
        and all(_same_path(p, s) for p, s in inputs["probed"].items())
    )


def save(store: Any, key: str, recorder: Recorder, targets: Sequence[Any]) -> None:
    """Keep what this evaluation read and yielded, once its inputs have settled."""
    if _volatile:
        return
    inputs = recorder.inputs()
    if not recorder.settled(inputs):
        return
    if _expiry:
        inputs["expires"] = min(_expiry)
    if _warned:
        inputs["warned"] = list(_warned)
    entry = {
        "inputs": inputs,
        "targets": [{"drv": t.drv_name, "outputs": dict(t.output_paths)} for t in targets],
    }
    path = _record_path(store, key)
    try:  # not parsed: an older answer from the same inputs (its outputs were gone) is never
        kept = _read_blobs(path)  # reached behind this one, and falls off in its turn
    except _DAMAGED:
        kept = []
    from .atomic import write_atomic

    write_atomic(path, marshal.dumps([marshal.dumps(entry), *kept][:_KEPT]))
