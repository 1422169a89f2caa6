"""The remote side of a build farm: ``pybuild serve --stdio`` answering one client.

A client (:mod:`pybuild.remote.client`) starts it through ``ssh`` and sends requests; each
gets one reply, in order (see :mod:`pybuild.remote.protocol`):

- ``query-valid``: which of the listed paths this store holds for this client: one another
  client imported only if it is the same as this client's copy, whose NAR hashes the request
  lists (:func:`_valid_for`);
- ``import``: a path with its NAR, hash, size and references; it is restored, its hash
  checked, and registered with those references once they are valid here (and no ``ca``:
  the client's is not checked), marked as a client's (no client is trusted: any may send
  any path under any name); one that another client imported with other content is
  refused (:func:`_same_copy`). A path named by its content (a source added from a file,
  a ``.drv``) is checked against it instead, its references against those its content
  gives it, and kept as this store's own, and one that says it is so named but is not is
  refused (:func:`_content_address`);
- ``build``: realise a ``.drv`` that was imported (with its input closure): the reply names
  the outputs and the time the build took, or carries the failure; either way it carries the
  build's log (its last :data:`~pybuild.remote.protocol.LOG_SENT` bytes), which the client
  keeps as its own, and what the build said (where a failed build was kept); a failure that
  is this machine's (it cannot run the builder's program, its interpreter is another than the
  one the derivation was made for, or the sandbox asked for) says so (``unable``), for the
  client to build it elsewhere (:func:`_right_interpreter`). Outputs valid here only through a
  client's import are built again and compared before they are replied as built, as a local
  build of them is (:meth:`~pybuild.store.Store.client_imported`). The request carries the
  client's build settings, which the build runs under as Nix's remote builds run under the
  client's build-timeout and max-silent-time: see :func:`client_settings`;
- ``export``: a valid path's metadata, then its NAR.

The hello's reply says whether the sandbox can run here (and if not, why): a client that
asks for a sandbox sends no build it could not isolate. A request that cannot be met gets an
``error`` reply and the connection goes on; one that breaks the protocol ends it. A client
that goes away while its build runs (killed, its ssh gone) stops that build: the input's end
is watched for meanwhile (:class:`_ClientWatch`). Every path
imported or built stays a temporary root of this process, so a collection on this machine
cannot take it while the client still needs it.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import re
import select
import stat
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import IO, Any

from .. import processes
from ..buildoptions import BuildOptions
from ..errors import (
    BuildError,
    CannotRunBuilder,
    InvalidHash,
    PathNotValid,
    PybuildError,
    UsageError,
)
from ..hashing import Hash, hash_file, parse_hash
from ..settings import SETTINGS
from ..store import Store, remove_tree
from ..store.paths import HASH_LEN, make_name, split_name
from ..store.temproots import add_temp_roots
from .errors import PathRefused, ProtocolError
from .protocol import LOG_SENT, MAX_LIST, VERSION, Message, receive, receive_nar, send, send_nar

TYPE_CHECKING = False  # typing: an import no command needs at run time
if TYPE_CHECKING:
    from ..derivations import Derivation
    from ..results import Status

__all__ = ["client_settings", "serve"]

_LOG_TAIL = 64 << 10  # bytes of a failed build's log quoted in its error
_MAX_SECONDS = 10**9  # bounds of the client's settings: beyond any real value
_MAX_LINES = 1 << 20
_MAX_CORES = 1 << 16
_MESSAGES = 32  # messages of one build sent back, each of at most _MESSAGE_LENGTH
_MESSAGE_LENGTH = 4096
_BASE32_RUN = re.compile(rb"[0-9abcdfghijklmnpqrsvwxyz]{32,}")  # where a hash part may be


def serve(store: Store, inp: IO[bytes], out: IO[bytes], options: BuildOptions) -> None:
    """Answer requests from `inp` on `out` until the client closes the connection."""
    from ..sandbox import sandbox_problem

    try:
        hello = receive(inp)
    except EOFError:  # a client that went before it said anything: no request, no error
        return
    hello.expect("op", "hello")
    version = hello.integer("version")
    problem = sandbox_problem()
    reply = {"reply": "hello", "version": VERSION, "sandbox": not problem}
    send(out, {**reply, "sandbox_problem": problem} if problem else reply)
    out.flush()
    if version != VERSION:
        raise ProtocolError(f"the client speaks protocol version {version}, this is {VERSION}")
    handlers: dict[str, Callable[[Store, Message, IO[bytes], IO[bytes], BuildOptions], None]] = {
        "query-valid": _query_valid,
        "import": functools.partial(_import, valid=_ValidPaths(store)),
        "build": _build,
        "export": _export,
    }
    while True:
        try:
            request = receive(inp)
        except EOFError:
            return
        op = request.expect("op", *handlers)
        try:
            handlers[op](store, request, inp, out, options)
        except ProtocolError:
            raise  # the stream may be out of step: the connection ends
        except PybuildError as exc:  # a request that cannot be met; the stream is in step
            send(out, {"reply": "error", "error": str(exc)})
        out.flush()


def _query_valid(
    store: Store, request: Message, _inp: IO[bytes], out: IO[bytes], _options: BuildOptions
) -> None:
    paths = request.names("paths")
    hashes = request.optional("nar_hashes", lambda key: request.texts(key, 200, MAX_LIST))
    if hashes is not None and len(hashes) != len(paths):
        raise ProtocolError("field 'nar_hashes' does not list one hash for each path")
    theirs = hashes or [None] * len(paths)
    valid = [p for p, h in zip(paths, theirs, strict=True) if _valid_for(store, p, h)]
    send(out, {"reply": "valid", "paths": valid})


def _valid_for(store: Store, name: str, nar_hash: str | None) -> bool:
    """Whether `name` is valid here for a client whose copy has `nar_hash` (None: a client
    that does not say, an older pybuild).

    A path built or substituted here is valid whatever the client's copy, as Nix's is. One a
    client imported is valid only if it is the same as this client's: else another client
    (anyone of this account) could plant an input that this client's build would then use,
    and its outputs would count as built here. This client then imports its own copy, which
    :func:`_import` refuses, naming the path.
    """
    if not store.is_valid(name, root=True):
        return False
    if not store.client_imported([name]):
        return True
    return nar_hash is not None and _same_hash(store.info(name).nar_hash, nar_hash)


def _same_hash(ours: str, theirs: str) -> bool:
    """Whether two NAR hashes are the same (a client's that is no hash is not)."""
    try:
        return parse_hash(ours).sri == parse_hash(theirs).sri
    except InvalidHash:
        return False


def _import(
    store: Store,
    request: Message,
    inp: IO[bytes],
    out: IO[bytes],
    _options: BuildOptions,
    *,
    valid: _ValidPaths,
) -> None:
    name, nar_hash = request.name("path"), request.hash("nar_hash")
    nar_size, references = request.integer("nar_size"), request.names("references")
    deriver, ca = request.optional("deriver", request.name), request.optional("ca", request.text)
    with store.lock([name]):
        work = store.new_tmp_dir("import")
        try:
            receive_nar(inp, work / name, nar_size, nar_hash)  # read in full, even if present
            kind = _content_address(name, work / name, nar_hash, references, ca, valid)
            if store.is_valid(name, root=True):
                _same_copy(store, name, nar_hash)
                if kind is not None and _registered_as(store, name, references):
                    (store.imported_dir / name).unlink(missing_ok=True)  # its own
            else:
                if kind is None:  # its content is not its name: a client's, kept apart
                    _mark_imported(store, name)  # before it is valid: no build may miss it
                with valid.registering(name):
                    store.commit(
                        {name: work / name},
                        references=references,
                        deriver=deriver,
                        ca=_registered_ca(kind, nar_hash),
                        expect=nar_hash.sri,
                    )
        finally:
            remove_tree(work)
    send(out, {"reply": "imported", "path": name})


def _content_address(
    name: str,
    copy: Path,
    nar_hash: Hash,
    references: list[str],
    ca: str | None,
    valid: _ValidPaths,
) -> str | None:
    """Which content address `name` is of `copy` (``source`` or ``text``), or None for a
    name that is not its content's (an output, named by its derivation).

    This store names a source added from a file by its NAR hash and a text (a ``.drv``) by
    its bytes, so such a path is what its name says whoever sent it, as Nix checks a
    content-addressed path's name when it is added: it is kept as this store's own. One
    that says it is such a path (a ``source:`` or ``text:`` ``ca``, or a ``.drv`` name) but
    is not is refused (PathRefused): else a client could plant a builder script or a
    derivation under the real one's name, which a local evaluation then takes as its own.
    Its references must be those the store gives such a path (:func:`_address_references`).
    """
    kind, digest = _address_of(name, copy, nar_hash) or ("", nar_hash)
    said, _, their_hash = (ca or "").partition(":")
    if not kind:
        if said in ("source", "text") or name.endswith(".drv"):
            raise PathRefused(
                f"{name} is not the name of its content: a path named by its content (a source"
                f" added from a file, a .drv) must have the name it gives ({ca or 'no ca'})"
            )
        return None
    if said and (said != kind or not _same_hash(digest.sri, their_hash)):
        raise PathRefused(f"{name} is not the content its ca {ca} says it is")
    _address_references(name, kind, copy, references, valid)
    return kind


def _address_of(name: str, copy: Path, nar_hash: Hash) -> tuple[str, Hash] | None:
    """The kind of content address `name` is of `copy`, and the hash it is made of."""
    label = split_name(name)[1]
    if make_name("source", nar_hash.hex, label, checked=True) == name:
        return "source", nar_hash
    text = _text_hash(copy)
    if text is not None and make_name("text", text.hex, label, checked=True) == name:
        return "text", text
    return None


def _registered_ca(kind: str | None, nar_hash: Hash) -> str | None:
    """The ``ca`` to register: a source's as :meth:`~pybuild.store.Store.add_path` gives it,
    none for a text (as :meth:`~pybuild.store.Store.add_text` gives none), and none for a
    path not named by its content (an output): the client's ``ca`` of it is its word alone,
    which nothing here checks (it may name any hash, or be no address at all), and the
    registry must hold no false one; a build's outputs are registered with none either."""
    return f"source:{nar_hash.sri}" if kind == "source" else None


def _text_hash(copy: Path) -> Hash | None:
    """The sha256 of `copy`'s bytes, which name a text, if it is a plain file (a text is
    stored as one, not executable); else None."""
    st = os.lstat(copy)
    if not stat.S_ISREG(st.st_mode) or st.st_mode & stat.S_IXUSR:
        return None
    return hash_file(copy)


def _registered_as(store: Store, name: str, references: list[str]) -> bool:
    """Whether `name`, valid here, is registered with `references` (those adding its content
    gives it, checked): a copy an older client imported under a content's name, with other
    references, is not what adding it here gives, and stays a client's."""
    return set(store.info(name).references) == set(references)


def _address_references(
    name: str, kind: str, copy: Path, references: list[str], valid: _ValidPaths
) -> None:
    """Refuse (PathRefused) references that adding the content here would not give `name`:
    none for a source (but itself: a file that names its own path), a derivation's inputs
    (its ``inputDrvs`` and ``inputSrcs``) for a ``.drv``, and for another text the paths of
    this store it names by their hash part, as scanning it finds them (:func:`_text_names`).
    The name does not cover them, so a client could otherwise have a text refer to less than
    it names (which a collection would then take, once adding the text here took that copy
    as its own) or to more."""
    given: set[str]
    if kind == "source":
        given = set(references) & {name}
    elif name.endswith(".drv"):
        try:
            doc = json.loads(copy.read_bytes())
            given = {*doc["inputDrvs"], *doc["inputSrcs"]}
        except (ValueError, KeyError, TypeError) as exc:
            raise PathRefused(f"{name} is not a derivation ({exc!r})") from None
    else:
        given = _text_names(valid, copy.read_bytes(), references)
    lacking, besides = given - set(references), set(references) - given
    if lacking or besides:
        said = [f"lacks {', '.join(sorted(map(str, lacking)))}"] if lacking else []
        said += [f"has {', '.join(sorted(map(str, besides)))} besides"] if besides else []
        raise PathRefused(
            f"{name}: its references are not those its content gives it (its name is made of"
            f" its content alone, so they must be): it {' and '.join(said)}"
        )


def _text_names(valid: _ValidPaths, text: bytes, references: list[str]) -> set[str]:
    """The store paths `text` names: those of `references` and the paths valid here whose
    hash part occurs in it, as scanning it for them finds them (every 32 characters of each
    run of base-32 characters). A path this store lacks cannot be a reference here.

    Each window is looked up among the valid paths' hash parts (:class:`_ValidPaths`), and
    none is kept, as Nix's scanner checks its candidates: a client chooses the text, and
    keeping each window of one made of base-32 letters alone took 180 times its size in
    memory."""
    by_hash = valid.by_hash()
    found = {r for r in references if split_name(r)[0].encode() in text}
    for run in _BASE32_RUN.findall(text):
        for start in range(len(run) - HASH_LEN + 1):
            path = by_hash.get(run[start : start + HASH_LEN])
            if path is not None:
                found.add(path)
    return found


class _ValidPaths:
    """The paths valid here by hash part, for :func:`_text_names`: read once for the session,
    not for each text a client imports (each of a closure's texts read the whole registry).

    Read again only once the registry may have changed
    (:meth:`~pybuild.store.registry.Registry.stamp`: a commit by another process or thread,
    a write of this session's builds), but for this session's own imports, which add what
    each registers (:meth:`registering`): a text's references are still exactly the paths
    valid when it is imported."""

    def __init__(self, store: Store) -> None:
        self._registry = store.registry
        self._by_hash: dict[bytes, str] = {}
        self._stamp: tuple[object, int, int] | None = None

    def by_hash(self) -> dict[bytes, str]:
        """Each valid path by its hash part (bytes, as a text's windows are)."""
        stamp = self._registry.stamp()
        if stamp != self._stamp:
            self._by_hash = {path[:HASH_LEN].encode(): path for path in self._registry.paths()}
            self._stamp = stamp
        return self._by_hash

    @contextlib.contextmanager
    def registering(self, name: str) -> Iterator[None]:
        """Around this session's registration of `name` alone: if the paths read were still
        the valid ones just before it, they are with `name` after it. The ``data_version``
        of before is kept, so a commit by another connection meanwhile is still seen; a
        registration that fails leaves the stamp behind, and the paths are read again."""
        before = self._registry.stamp()
        yield
        if before == self._stamp:
            connection, version, _ = before
            self._by_hash[name[:HASH_LEN].encode()] = name
            self._stamp = (connection, version, self._registry.stamp()[2])


def _same_copy(store: Store, name: str, nar_hash: Hash) -> None:
    """Refuse the import of `name`, valid here through another client's import, if this copy
    differs from that one: it cannot be replaced (what refers to it would change), and this
    client's build must not use the other copy (:func:`_valid_for`), so the client builds
    elsewhere. A path made here is this machine's own, whatever the client's copy."""
    info = store.info(name)
    if store.client_imported([name]) and not _same_hash(info.nar_hash, nar_hash.sri):
        raise PathRefused(
            f"its store holds another copy of {name}, imported by a client, that differs from"
            f" this one (NAR hash {info.nar_hash}, this one {nar_hash.sri}); remove that copy"
            " there (pybuild gc, once nothing refers to it) for builds that need this one"
        )


def _build(
    store: Store, request: Message, inp: IO[bytes], out: IO[bytes], options: BuildOptions
) -> None:
    from ..builtin import is_builtin
    from ..derivations import load_derivation
    from ..realiser import realise
    from ..sandbox import sandbox_problem

    drv_name = request.name("drv")
    if not store.is_valid(drv_name, root=True):
        raise PathNotValid(str(store.path(drv_name)))  # not imported before its build
    drv = load_derivation(store, drv_name)
    wanted = request.optional("settings", request.fields)
    told = _Told()
    options = replace(
        options if wanted is None else client_settings(options, wanted), progress=told
    )
    isolated = options.sandbox_mode() == "true" and not is_builtin(drv.builder)
    if isolated and (problem := sandbox_problem()):
        # Refused before it starts, as a local build would be: never built unisolated.
        reason = f"sandbox = true, but the sandbox cannot run here: {problem}"
        send(out, {**_failure(reason, "", ""), "unable": "sandbox"})
        return
    start = time.monotonic()
    watch = _ClientWatch(inp)
    try:
        _right_interpreter(drv, store)
        with watch:
            realise([drv], store, options)  # outputs a client imported: built to compare
    except (BuildError, KeyboardInterrupt) as exc:
        if watch.gone:
            return  # no one to answer: the next read finds the input's end, and serve ends
        if not isinstance(exc, BuildError):
            raise
        reply = _failure(exc.reason, exc.tail, exc.log_path)
        if isinstance(exc, CannotRunBuilder):  # this machine lacks it: another may not
            reply["unable"] = "builder"
        send(out, {**reply, **_log(store, drv_name), **told.reply()})
        return
    add_temp_roots(store, drv.output_paths.values())
    seconds = time.monotonic() - start
    reply = {"reply": "built", "outputs": drv.output_paths, "seconds": seconds}
    send(out, {**reply, **_log(store, drv_name), **told.reply()})


def _right_interpreter(drv: Derivation, store: Store) -> None:
    """Refuse (:class:`~pybuild.errors.CannotRunBuilder`) a derivation made for another
    interpreter than the one at its builder's path here.

    A Python package's derivation names its interpreter by path, and that interpreter's
    identity in ``PYBUILD_PYTHON``; a machine with another Python at that path (a 3.13 where
    the client evaluated for a 3.12) would build it with that one, and its outputs (another
    version's bytecode, extensions for another ABI) would be taken for the derivation's. So
    the identity there is computed as evaluation computes it and compared first; a program
    that is not there at all is left to the build, which says so itself.
    """
    from ..builtin import is_builtin

    wanted = dict(drv.env).get("PYBUILD_PYTHON")
    if wanted is None or is_builtin(drv.builder) or not os.access(drv.builder, os.X_OK):
        return
    found = _identity_at(drv.builder, store.home)
    if isinstance(found, UsageError):  # not a Python that runs
        why = found.args[0]
    elif found != wanted:
        why = f"it is {found} here"
    else:
        return
    raise CannotRunBuilder(
        drv.name, drv.builder, f"{why}, where its derivation was made for {wanted} (PYBUILD_PYTHON)"
    )


@functools.cache
def _identity_at(path: str, home: Path) -> str | UsageError:
    """The identity of the interpreter at `path` (:attr:`Interpreter.identity
    <pybuild.python.interpreter.Interpreter.identity>`), or why there is none; found once
    per path in this process (asking it starts it and hashes its executable), its facts
    kept where evaluation in `home` keeps them."""
    from ..python.interpreter import Interpreter, facts_folder

    try:
        return Interpreter.at(path, facts_folder(home)).identity
    except UsageError as exc:
        return exc


def _mark_imported(store: Store, name: str) -> None:
    """Mark `name` as a client's import (:meth:`~pybuild.store.Store.client_imported`): valid
    here, but neither built here nor substituted with a signature this machine trusts. A
    build here of it builds it again and compares, which removes the mark; nothing signs it."""
    store.imported_dir.mkdir(parents=True, exist_ok=True)
    (store.imported_dir / name).touch()


class _ClientWatch:
    """While a build runs, whether the client went away; if it does, the build is stopped.

    The client sends nothing until the build's reply, so its input ending then (the client
    killed or interrupted, its ssh gone: sshd closes the pipe or shuts the socket down) means
    no one waits for the build. It is stopped as an interrupted local build is
    (:func:`~pybuild.processes.stop_builds`: its builder's group killed, its folders removed)
    instead of running on for no one and holding its outputs' locks against the client's
    next run. A thread watches the input for its end only (it reads nothing); a stream with
    no file descriptor (a test's) is not watched.
    """

    def __init__(self, inp: IO[bytes]) -> None:
        self.gone = False
        try:
            self._fd: int | None = inp.fileno()
        except (AttributeError, OSError, ValueError):
            self._fd = None

    def __enter__(self) -> None:
        if self._fd is not None:
            self._wake, self._woken = os.pipe()
            self._thread = threading.Thread(target=self._watch, args=(self._fd,), daemon=True)
            self._thread.start()

    def __exit__(self, *_: object) -> None:
        if self._fd is not None:
            os.write(self._woken, b"x")  # the build is over: the thread stops watching
            self._thread.join()
            os.close(self._wake)
            os.close(self._woken)

    def _watch(self, fd: int) -> None:
        poller = select.poll()
        # The end of the input: POLLHUP for a pipe (always reported), POLLRDHUP for a socket.
        poller.register(fd, getattr(select, "POLLRDHUP", 0))
        poller.register(self._wake, select.POLLIN)
        if fd in dict(poller.poll()):
            self.gone = True
            processes.stop_builds()


def client_settings(options: BuildOptions, wanted: Message) -> BuildOptions:
    """`options` (this machine's) with the client's build settings `wanted` applied.

    Each setting the client sends replaces this machine's, but for two. ``cores`` 0 (the
    default: "this machine's") leaves this machine's own count, since the machine is this
    one. ``sandbox`` is the client's unless this machine's is ``true``: a client asking for
    a sandbox gets one (or the build is refused), and a machine whose owner requires one
    keeps it. A setting the client does not send (an older pybuild) stays this machine's;
    one this pybuild does not know (a newer client's) is ignored.
    """
    changes: dict[str, Any] = {}
    if "build_timeout" in wanted.data:
        changes["build_timeout"] = wanted.integer("build_timeout", _MAX_SECONDS)
    if "log_lines" in wanted.data:
        changes["log_lines"] = wanted.integer("log_lines", _MAX_LINES)
    if "keep_failed" in wanted.data:
        changes["keep_failed"] = wanted.flag("keep_failed")
    if wanted.data.get("cores"):
        changes["cores"] = wanted.integer("cores", _MAX_CORES)
    if "sandbox" in wanted.data:
        mode = wanted.expect("sandbox", *SETTINGS["sandbox"].choices)
        changes["sandbox"] = "true" if options.sandbox_mode() == "true" else mode
    return replace(options, **changes)


class _Told:
    """The progress of a build done for a client, which reports the build itself: its plan
    and counter lines would only repeat the client's (and, quoted as what ssh said when a
    connection drops, read as the client's own). What the build says (where a failed build
    is kept, a cache's warning) goes back with the reply, for the client to show."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def planned(self, builds: int, downloads: int, copies: int) -> None:
        pass

    def started(self, name: str, drv_name: str, verb: str) -> None:
        pass

    def finished(self, name: str, status: Status, seconds: float) -> None:
        pass

    def replanned(self, drv_name: str, added: int) -> None:
        pass

    def message(self, text: str) -> None:
        if len(self.messages) < _MESSAGES:
            self.messages.append(text[:_MESSAGE_LENGTH])

    def close(self) -> None:
        pass

    def reply(self) -> dict[str, list[str]]:
        """The reply's field for what was said, if anything was (an older client ignores it)."""
        return {"messages": self.messages} if self.messages else {}


def _failure(reason: str, tail: str, log_path: str) -> dict[str, Any]:
    return {"reply": "failed", "reason": reason, "tail": tail[-_LOG_TAIL:], "log": log_path}


def _log(store: Store, drv_name: str) -> dict[str, str]:
    """The build's log for the reply (none if the realiser wrote none: an output that was
    valid here already). An older client ignores the field."""
    try:
        with open(store.log_dir / f"{drv_name}.log", "rb") as log:
            log.seek(max(0, log.seek(0, 2) - LOG_SENT))
            return {"build_log": log.read().decode("utf-8", "replace")}
    except FileNotFoundError:
        return {}


def _export(
    store: Store, request: Message, _inp: IO[bytes], out: IO[bytes], options: BuildOptions
) -> None:
    name = request.name("path")
    info = store.info(name)
    send(
        out,
        {
            "reply": "nar",
            "path": name,
            "nar_hash": info.nar_hash,
            "nar_size": info.nar_size,
            "references": list(info.references),
        },
    )
    damage = send_nar(out, store.path(name), info.nar_size, parse_hash(info.nar_hash))
    if damage:  # the client refuses it by its hash: told why, in what ssh carries back
        options.say(
            f"error: {store.path(name)} differs from what this store's registry records"
            f" ({damage}); put it back with: pybuild verify --check-contents --repair"
        )
