"""The remote side of a build farm: ``pybuild serve --stdio`` answering one client.

A client (:mod:`pybuild.remote.client`) starts it through ``ssh`` and sends requests; each
gets one reply, in order (see :mod:`pybuild.remote.protocol`):

- ``query-valid``: which of the listed paths this store holds;
- ``import``: a path with its NAR, hash, size and references; it is restored, its hash
  checked, and registered with those references once they are valid here;
- ``build``: realise a ``.drv`` that was imported (with its input closure): the reply names
  the outputs and the time the build took, or carries the failure; either way it carries the
  build's log (its last :data:`~pybuild.remote.protocol.LOG_SENT` bytes), which the client
  keeps as its own;
- ``export``: a valid path's metadata, then its NAR.

A request that cannot be met gets an ``error`` reply and the connection goes on; one that
breaks the protocol ends it. Every path imported or built stays a temporary root of this
process, so a collection on this machine cannot take it while the client still needs it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import IO, Any

from ..buildoptions import BuildOptions
from ..errors import BuildError, PathNotValid, PybuildError
from ..store import Store, remove_tree
from ..store.temproots import add_temp_roots
from .errors import ProtocolError
from .protocol import LOG_SENT, VERSION, Message, receive, receive_nar, send, send_nar

__all__ = ["serve"]

_LOG_TAIL = 64 << 10  # bytes of a failed build's log quoted in its error


def serve(store: Store, inp: IO[bytes], out: IO[bytes], options: BuildOptions) -> None:
    """Answer requests from `inp` on `out` until the client closes the connection."""
    hello = receive(inp)
    hello.expect("op", "hello")
    version = hello.integer("version")
    send(out, {"reply": "hello", "version": VERSION})
    out.flush()
    if version != VERSION:
        raise ProtocolError(f"the client speaks protocol version {version}, this is {VERSION}")
    handlers: dict[str, Callable[[Store, Message, IO[bytes], IO[bytes], BuildOptions], None]] = {
        "query-valid": _query_valid,
        "import": _import,
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
    send(out, {"reply": "valid", "paths": [p for p in paths if store.is_valid(p, root=True)]})


def _import(
    store: Store, request: Message, inp: IO[bytes], out: IO[bytes], _options: BuildOptions
) -> None:
    name, nar_hash = request.name("path"), request.hash("nar_hash")
    nar_size, references = request.integer("nar_size"), request.names("references")
    deriver, ca = request.optional("deriver", request.name), request.optional("ca", request.text)
    with store.lock([name]):
        work = store.new_tmp_dir("import")
        try:
            receive_nar(inp, work / name, nar_size, nar_hash)  # read in full, even if present
            if not store.is_valid(name, root=True):
                store.commit(
                    {name: work / name},
                    references=references,
                    deriver=deriver,
                    ca=ca,
                    expect=nar_hash.sri,
                )
        finally:
            remove_tree(work)
    send(out, {"reply": "imported", "path": name})


def _build(
    store: Store, request: Message, _inp: IO[bytes], out: IO[bytes], options: BuildOptions
) -> None:
    from ..derivations import load_derivation
    from ..realiser import realise

    drv_name = request.name("drv")
    if not store.is_valid(drv_name, root=True):
        raise PathNotValid(str(store.path(drv_name)))  # not imported before its build
    drv = load_derivation(store, drv_name)
    start = time.monotonic()
    try:
        realise([drv], store, options)
    except BuildError as exc:
        send(out, {**_failure(exc.reason, exc.tail, exc.log_path), **_log(store, drv_name)})
        return
    add_temp_roots(store, drv.output_paths.values())
    seconds = time.monotonic() - start
    reply = {"reply": "built", "outputs": drv.output_paths, "seconds": seconds}
    send(out, {**reply, **_log(store, drv_name)})


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
    store: Store, request: Message, _inp: IO[bytes], out: IO[bytes], _options: BuildOptions
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
    send_nar(out, store.path(name))
