"""Builds in the sandbox: an undeclared store path or a connection attempt fails the build."""

from __future__ import annotations

import socket
import threading
from pathlib import Path

import pytest

from pybuild.derivations import derivation
from pybuild.errors import BuildError
from pybuild.hashing import hash_bytes
from pybuild.realiser import BuildOptions, realise
from pybuild.sandbox import _probe
from pybuild.store import Store

pytestmark = pytest.mark.skipif(_probe()[0] is None, reason=f"no bubblewrap: {_probe()[1]}")
SANDBOXED = BuildOptions(sandbox="true", log=open("/dev/null", "w"))  # noqa: SIM115
UNSANDBOXED = BuildOptions(sandbox="false", log=SANDBOXED.log)


def secret(store: Store) -> str:
    """A valid store path that later builds do not declare."""
    drv = derivation(
        name="secret",
        builder="/bin/sh",
        store=store,
        args=["-c", 'mkdir "$out" && echo hidden > "$out/data"'],
    )
    realise([drv], store, SANDBOXED)
    return drv.path(store=store)


def reader(store: Store, path: str) -> object:
    """A build that reads `path` without naming it (split, so it is not found as an input)."""
    head, tail = path[: len(path) // 2], path[len(path) // 2 :]
    return derivation(
        name="reader",
        builder="/bin/sh",
        store=store,
        args=["-c", f'mkdir "$out"; cat "{head}""{tail}/data" > "$out/got"'],
    )


def test_an_undeclared_store_path_is_not_there(store: Store) -> None:
    path = secret(store)
    with pytest.raises(BuildError) as err:
        realise([reader(store, path)], store, SANDBOXED)
    assert "No such file" in err.value.tail
    assert "sandbox" in str(err.value) and "declare" in str(err.value)
    realise([reader(store, path)], store, UNSANDBOXED)  # the same build, unsandboxed, reads it


def test_a_declared_input_is_there(store: Store) -> None:
    path = secret(store)
    drv = derivation(
        name="declared",
        builder="/bin/sh",
        store=store,
        args=["-c", f'mkdir "$out"; cat "{path}/data" > "$out/got"'],
    )
    realise([drv], store, SANDBOXED)
    assert Path(drv.path(store=store), "got").read_text() == "hidden\n"


@pytest.fixture
def listener() -> int:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()

    def serve() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            conn.sendall(b"payload\n")
            conn.close()

    threading.Thread(target=serve, daemon=True).start()
    yield server.getsockname()[1]
    server.close()


def connect(port: int) -> str:
    return (
        f"import socket; s = socket.create_connection(('127.0.0.1', {port}), timeout=5);"
        " open(__import__('os').environ['out'], 'wb').write(s.recv(100))"
    )


def test_a_connection_attempt_fails_the_build(store: Store, listener: int) -> None:
    import sys

    drv = derivation(
        name="online", builder=sys.executable, store=store, args=["-S", "-c", connect(listener)]
    )
    with pytest.raises(BuildError) as err:
        realise([drv], store, SANDBOXED)
    assert "Network is unreachable" in err.value.tail or "refused" in err.value.tail


def test_a_fixed_output_build_keeps_the_network(store: Store, listener: int) -> None:
    import sys

    drv = derivation(
        name="download",
        builder=sys.executable,
        store=store,
        args=["-S", "-c", connect(listener)],
        output_hash=hash_bytes(b"payload\n").sri,
    )
    realise([drv], store, SANDBOXED)
    assert Path(drv.path(store=store)).read_bytes() == b"payload\n"


def test_a_python_package_builds_in_the_sandbox(use_index, tmp_path: Path, store: Store) -> None:
    """A real PEP 517 build (setuptools, console script, a dependency) inside the sandbox."""
    from pybuild.pkgset import DEFAULT_RECIPES, package_set
    from support.fixtures import write_fixture_recipes

    folder = write_fixture_recipes(tmp_path / "recipes", use_index, ("shout", "greet"))
    greet = package_set(recipes=[DEFAULT_RECIPES, folder]).greet
    realise([greet.drv], store, SANDBOXED)
    assert (Path(greet.drv.path(store=store)) / "bin" / "greet").is_file()
