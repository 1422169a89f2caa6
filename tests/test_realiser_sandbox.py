"""Builds in the sandbox: an undeclared store path or a connection attempt fails the build."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import socket
import sys
import threading
from pathlib import Path

import pytest

from pybuild.buildusers import FIRST_UID, POOL_SIZE, build_user
from pybuild.derivations import derivation
from pybuild.errors import BuildError, PybuildError
from pybuild.fetchers import fetch_url
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


def test_out_is_the_final_path_in_the_sandbox_too(store: Store) -> None:
    """The outputs folder, beside the store, is the one folder of the home the builder may
    write; what it writes as $out becomes the output's store path."""
    drv = derivation(
        name="aware",
        builder="/bin/sh",
        store=store,
        args=["-c", 'mkdir "$out" && echo "$out" > "$out/self" && ln -s "$out/self" "$out/link"'],
    )
    realise([drv], store, SANDBOXED)
    out = Path(drv.path(store=store))
    assert (out / "self").read_text() == f"{out}\n" and os.readlink(out / "link") == f"{out}/self"


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
    drv = derivation(
        name="online", builder=sys.executable, store=store, args=["-S", "-c", connect(listener)]
    )
    with pytest.raises(BuildError) as err:
        realise([drv], store, SANDBOXED)
    assert "Network is unreachable" in err.value.tail or "refused" in err.value.tail


def test_a_fixed_output_build_keeps_the_network(store: Store, listener: int) -> None:
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


def test_a_build_runs_as_a_build_user_and_its_outputs_become_the_stores(store: Store) -> None:
    """As root: a build user with no capabilities; the stored files are the store owner's."""
    script = (
        'mkdir "$out"; id -u > "$out/uid"; grep ^CapEff /proc/self/status > "$out/caps";'
        ' ln -s uid "$out/link"'
    )
    drv = derivation(name="who", builder="/bin/sh", store=store, args=["-c", script])
    realise([drv], store, SANDBOXED)
    out = Path(drv.path(store=store))
    if os.geteuid() == 0:
        assert FIRST_UID <= int((out / "uid").read_text()) < FIRST_UID + POOL_SIZE
    assert int((out / "caps").read_text().split()[1], 16) == 0
    for path in [out, *out.iterdir()]:
        st = os.lstat(path)
        assert (st.st_uid, st.st_gid) == (os.geteuid(), os.getegid()), path
    with build_user(store.var) as user:
        assert user.uid == FIRST_UID  # given back when the build was stored


@pytest.mark.skipif(os.geteuid() != 0, reason="as root: bwrap and setpriv run privileged")
def test_a_derivations_environment_reaches_the_builder_alone_not_the_helpers_run_as_root(
    store: Store, tmp_path: Path
) -> None:
    """bwrap and setpriv were started with the derivation's environment, as root: the
    loader wrote LD_DEBUG_OUTPUT's file on the host as root (and LD_PRELOAD ran its code so).
    The builder, as its build user, still gets every variable. (Outside the sandbox:
    test_buildusers.py.)"""
    victim = tmp_path / "victim"
    victim.mkdir(mode=0o700)  # no build user may write here; root may
    drv = derivation(
        name="loader",
        builder="/bin/sh",
        store=store,
        args=["-c", 'mkdir "$out"; echo "$LD_DEBUG $odd" > "$out/seen"'],
        env={"LD_DEBUG": "libs", "LD_DEBUG_OUTPUT": str(victim / "written"), "odd": "a=b c"},
    )
    realise([drv], store, SANDBOXED)
    assert [(p.name, p.stat().st_uid) for p in victim.iterdir()] == []
    assert (Path(drv.path(store=store)) / "seen").read_text() == "libs a=b c\n"


def test_a_build_cannot_change_its_inputs(store: Store) -> None:
    """A builder remounted its read-only input writable and changed it."""
    path = secret(store)
    script = (
        f'mount -o remount,rw,bind "{path}"; echo changed > "{path}/data";'
        f' chmod 777 "{path}/data"; rm -f "{path}/data"; mkdir "$out"'
    )
    drv = derivation(name="vandal", builder="/bin/sh", store=store, args=["-c", script])
    realise([drv], store, SANDBOXED)
    assert Path(path, "data").read_text() == "hidden\n"
    assert list(store.verify(check_contents=True)) == []


def download(store: Store, code: str, content: bytes, *args: str) -> Path:
    """A fixed-output build of Python `code`, which must make `content`; shows its log if not."""
    drv = derivation(
        name="download",
        builder=sys.executable,
        store=store,
        args=["-S", "-c", code, *args],
        output_hash=hash_bytes(content).sri,
    )
    try:
        realise([drv], store, SANDBOXED)
    except PybuildError as exc:
        pytest.fail(f"{exc}\n{(store.log_dir / f'{drv.drv_name}.log').read_text()}")
    return Path(drv.path(store=store))


def test_a_download_sees_nothing_of_the_host_beyond_its_inputs(
    store: Store, tmp_path: Path
) -> None:
    """A download read a file under /root and the store's registry and sent them away."""
    (tmp_path / "secret").write_text("secret\n")
    hidden = [str(tmp_path / "secret"), str(store.var / "db.sqlite"), "/etc/shadow"]
    code = (
        "import os, sys; seen = [p for p in sys.argv[1:] if os.path.exists(p)]; print(seen);"
        "open(os.environ['out'], 'w').write(repr(seen))"
    )
    download(store, code, b"[]", *hidden)
    assert all(map(os.path.exists, hidden))


def test_a_file_url_download_sees_its_file_only(store: Store, tmp_path: Path) -> None:
    (tmp_path / "wanted").write_text("wanted\n")
    (tmp_path / "sibling").write_text("sibling\n")
    code = (
        "import os, sys, urllib.request; data = urllib.request.urlopen(sys.argv[1]).read();"
        "print(data, os.path.exists(sys.argv[2]));"
        "open(os.environ['out'], 'wb').write(data + str(os.path.exists(sys.argv[2])).encode())"
    )
    url = (tmp_path / "wanted").as_uri()
    download(store, code, b"wanted\nFalse", url, str(tmp_path / "sibling"))


def test_a_download_sees_the_certificates_it_is_told_of(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "ca.pem").write_text("certificate\n")
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "ca.pem"))
    code = "import os; open(os.environ['out'], 'w').write(open(os.environ['SSL_CERT_FILE']).read())"
    download(store, code, b"certificate\n")


def test_fetch_url_downloads_from_a_local_server_and_a_file(store: Store, tmp_path: Path) -> None:
    """The real downloader, by host name (the sandbox's own /etc/hosts) and from a file."""
    served = tmp_path / "served"
    served.mkdir()
    (served / "pkg.txt").write_bytes(b"package\n")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(served))
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
        threading.Thread(target=server.serve_forever, daemon=True).start()
        port = server.server_address[1]
        sha = hash_bytes(b"package\n").sri
        by_http = fetch_url(f"http://localhost:{port}/pkg.txt", sha, store=store)
        by_file = fetch_url((served / "pkg.txt").as_uri(), sha, "by-file", store=store)
        realise([by_http, by_file], store, SANDBOXED)
        server.shutdown()
    for drv in (by_http, by_file):
        assert Path(drv.path(store=store)).read_bytes() == b"package\n"


@pytest.mark.skipif(shutil.which("cc") is None, reason="no C compiler")
def test_a_c_compiler_works_in_the_sandbox(store: Store) -> None:
    """cc is a link through /etc/alternatives, which the sandbox's own /etc keeps."""
    script = 'printf "int main(void) { return 0; }\\n" > t.c && cc -o "$out" t.c && "$out"'
    drv = derivation(name="compiled", builder="/bin/sh", store=store, args=["-c", script])
    realise([drv], store, SANDBOXED)
    assert os.access(drv.path(store=store), os.X_OK)


def test_a_connection_attempt_is_hinted_at_the_sandbox(store: Store, listener: int) -> None:
    drv = derivation(
        name="online", builder=sys.executable, store=store, args=["-S", "-c", connect(listener)]
    )
    with pytest.raises(BuildError) as err:
        realise([drv], store, SANDBOXED)
    assert "the build ran in the sandbox" in err.value.hint


def test_a_failure_with_nothing_of_the_sandbox_in_its_log_is_not_hinted_at_it(
    store: Store,
) -> None:
    """`exit 3` was told to turn the sandbox off, which would change nothing."""
    drv = derivation(name="fails", builder="/bin/sh", store=store, args=["-c", "exit 3"])
    with pytest.raises(BuildError, match="status 3") as err:
        realise([drv], store, SANDBOXED)
    assert err.value.hint == ""


def test_a_missing_build_input_that_pybuild_names_is_not_hinted_at_the_sandbox(
    use_index, tmp_path: Path, store: Store
) -> None:
    """needs-hatch's recipe gives setuptools, not hatchling: pybuild's diagnosis says so, and
    no sandbox setting would change it."""
    from pybuild.pkgset import DEFAULT_RECIPES, package_set
    from support.fixtures import write_fixture_recipes

    folder = write_fixture_recipes(tmp_path / "recipes", use_index, ("needs_hatch",))
    pkg = package_set(recipes=[DEFAULT_RECIPES, folder]).needs_hatch
    with pytest.raises(BuildError) as err:
        realise([pkg.drv], store, SANDBOXED)
    assert "Add the missing packages to build_system" in str(err.value)
    assert err.value.hint == ""


@pytest.mark.parametrize(
    ("log", "hinted"),
    [
        # pybuild named the missing input: even a download tried before it is not the cause
        (
            "Download error: Temporary failure in name resolution\n"
            "pybuild: phase build failed: build-system requires not satisfied by build_system:"
            " missing setuptools>=40.8.0. build_system provides: nothing. Add the missing"
            " packages to build_system.\n",
            False,
        ),
        ("pybuild: phase check failed: the test suite failed (pytest exit status 1)\n", False),
        (
            "E   socket.gaierror: [Errno -3] Temporary failure in name resolution\n"
            "pybuild: phase check failed: the test suite failed (pytest exit status 1)\n",
            True,
        ),
        ("cat: /home/me/notes.txt: No such file or directory\n", True),
        ("cp: cannot create regular file '/usr/lib/x': Read-only file system\n", True),
        ("pip: [Errno 13] Permission denied: '/root/.cache/pip'\n", True),
        # Failures with nothing of the sandbox in sight: turning it off would not help
        ("pybuild: phase build failed: CalledProcessError: Command 'x' returned 1.\n", False),
        (
            "pybuild: phase build failed: setuptools.build_meta:__legacy__ could not build a"
            " wheel (exit status 1); its output, above, says why\n",
            False,
        ),
        ("make: *** [all] Error 2\n", False),
        ("", False),  # exit 3, and nothing said
    ],
)
def test_the_sandbox_hint_is_given_where_the_sandbox_may_be_the_cause(
    store: Store, tmp_path: Path, log: str, hinted: bool
) -> None:
    from pybuild.buildstep import _sandbox_may_be_the_cause

    assert _sandbox_may_be_the_cause(log, store) is hinted
