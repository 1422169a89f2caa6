"""A binary cache served by a real nginx on 127.0.0.1, written with WebDAV PUT.

This is the deployment the README recommends: a static web server is the whole cache server.
The set-up starts nginx with its own configuration, pid file, logs and temporary folders in the
test's directory, on a free port, and stops it afterwards. When nginx is missing it is
installed from Debian's packages (``apt-get install nginx-light``, as root); only then do the
tests need a package registry, so only then are they marked ``network``.
"""

from __future__ import annotations

import io
import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_cache import NO_SANDBOX, Chain, make_chain

from pybuild.cache import SecretKey, copy_to, open_cache
from pybuild.cache.info import narinfo_name
from pybuild.cli import main
from pybuild.realiser import BuildOptions, realise
from pybuild.results import statuses
from pybuild.store import Store

_SBIN = ("/usr/sbin", "/usr/local/sbin", "/sbin")


def _find_nginx() -> str | None:
    path = os.pathsep.join([os.environ.get("PATH", ""), *_SBIN])
    return shutil.which("nginx", path=path)


pytestmark = [] if _find_nginx() else [pytest.mark.network]

_CONFIG = """\
{user}
worker_processes 1;
daemon off;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log info;
events {{ worker_connections 64; }}
http {{
    access_log {tmp}/access.log;
    client_body_temp_path {tmp}/body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    default_type application/octet-stream;
    client_max_body_size 0;
    server {{
        listen 127.0.0.1:{port};
        root {root};
        location / {{
            dav_methods PUT;
            create_full_put_path on;
            dav_access user:rw group:r all:r;
        }}
        location /private/ {{  # the farm guide's: anyone reads, a login writes
            dav_methods PUT;
            create_full_put_path on;
            dav_access user:rw group:r all:r;
            limit_except GET HEAD {{
                auth_basic "pybuild cache";
                auth_basic_user_file {tmp}/htpasswd;
            }}
        }}
    }}
}}
"""


def _install_nginx() -> str:
    """nginx from Debian's packages; `apt-get update` first only if the lists are missing."""
    if os.geteuid() != 0:
        pytest.skip("nginx is not installed, and installing it needs root (apt-get)")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    install = ["apt-get", "install", "-y", "-q", "nginx-light"]
    if subprocess.run(install, env=env, capture_output=True).returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], env=env, capture_output=True, check=True)
        subprocess.run(install, env=env, capture_output=True, check=True)
    found = _find_nginx()
    assert found, "apt-get installed nginx-light, but no nginx binary was found"
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def nginx(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """A running nginx serving an empty cache folder with PUT; (its URL, the folder)."""
    binary = _find_nginx() or _install_nginx()
    tmp = tmp_path_factory.mktemp("nginx")
    root = tmp / "cache"
    root.mkdir()
    port = _free_port()
    user = "user root root;" if os.geteuid() == 0 else ""  # workers must reach tmp folders
    conf = tmp / "nginx.conf"
    conf.write_text(_CONFIG.format(user=user, tmp=tmp, port=port, root=root))
    (tmp / "htpasswd").write_text("ci:{PLAIN}secret\n")
    log = tmp / "error.log"
    proc = subprocess.Popen(
        [binary, "-p", str(tmp), "-c", str(conf), "-e", str(log)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            if proc.poll() is not None:
                err = proc.stderr.read().decode() if proc.stderr else ""
                pytest.fail(f"nginx exited at start-up:\n{err}\n{_tail(log)}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail(f"nginx did not listen on port {port}:\n{_tail(log)}")
                time.sleep(0.05)
        yield f"http://127.0.0.1:{port}", root
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _tail(log: Path) -> str:
    return log.read_text()[-2000:] if log.exists() else ""


def test_upload_by_put_then_substitute_into_an_empty_store(
    nginx: tuple[str, Path], tmp_path: Path, store: Store
) -> None:
    url, root = nginx
    chain = make_chain(tmp_path)
    built = Store(tmp_path / "home-a")
    realise([chain.app], built, BuildOptions(log=io.StringIO(), **NO_SANDBOX))
    key = SecretKey.generate("nginx-1")
    report = copy_to(open_cache(url), built, [chain.app.out], keys=[key])
    assert report.uploaded == [chain.lib.out, chain.app.out]
    # nginx wrote what was PUT into its folder
    assert (root / "pybuild-cache-info").read_text().startswith("Format: pybuild-1")
    assert (
        (root / narinfo_name(chain.app.out)).read_text().startswith(f"StorePath: {chain.app.out}")
    )
    chain.counter.unlink()

    log = io.StringIO()
    trusted = (str(key.public_key()),)
    opts = BuildOptions(log=log, substituters=(url,), trusted_public_keys=trusted, **NO_SANDBOX)
    assert statuses(realise([chain.app], store, opts)) == {chain.app: "substituted"}
    assert chain.runs() == []  # no builder ran
    assert store.closure([chain.app.out]) == sorted([chain.app.out, chain.lib.out])
    assert list(store.verify(check_contents=True)) == []
    assert "copied from a cache app (2 path(s)" in log.getvalue()


def _built_with_a_key(tmp_path: Path, salt: str, attr: str) -> tuple[Chain, Store, Path]:
    """A chain with its `attr` built in the home of the test, and the key ci-1 in ``keys``."""
    chain = make_chain(tmp_path, salt=salt)
    built = Store(os.environ["PYBUILD_HOME"])
    realise([getattr(chain, attr)], built, BuildOptions(log=io.StringIO(), **NO_SANDBOX))
    keys = tmp_path / "keys"
    assert main(["key", "generate", "ci-1", "-o", str(keys)]) == 0
    return chain, built, keys


def test_cli_copy_to_and_from_nginx_and_a_partial_upload(
    nginx: tuple[str, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    url, root = nginx
    chain, built, keys = _built_with_a_key(tmp_path, "cli", "app")
    out = str(built.path(chain.app.out))
    assert main(["copy", "--to", url, "--key", str(keys / "ci-1.secret"), out]) == 0
    assert "copied 2 path(s)" in capsys.readouterr().err

    # an upload interrupted after the metadata: the archive of lib is gone from the server
    lib_info = (root / narinfo_name(chain.lib.out)).read_text()
    archive = next(line for line in lib_info.splitlines() if line.startswith("URL: "))[5:]
    saved = (root / archive).read_bytes()
    (root / archive).unlink()
    monkeypatch.setenv("PYBUILD_HOME", str(tmp_path / "home-b"))
    trust = ["--option", "trusted-public-keys", (keys / "ci-1.public").read_text().strip()]
    assert main(["copy", "--from", url, *trust, chain.app.out]) == 1
    err = capsys.readouterr().err
    assert "archive is missing" in err
    fresh = Store(tmp_path / "home-b")
    assert list(fresh.registry.paths()) == []

    (root / archive).write_bytes(saved)
    assert main(["copy", "--from", url, *trust, chain.app.out]) == 0
    assert capsys.readouterr().out.strip() == str(fresh.path(chain.app.out))
    assert fresh.closure([chain.app.out]) == sorted([chain.app.out, chain.lib.out])

    # the copy put app's build log beside its entry (empty: the builder prints nothing); a log
    # of a few chunks, as a large build writes, is read whole over HTTP by `pybuild log`
    log = root / "log" / chain.app.drv_name
    assert log.read_bytes() == b""
    long = b"".join(b"line %d of the build\n" % i for i in range(150_000))
    log.write_bytes(long)
    assert main(["log", str(fresh.path(chain.app.out)), "--option", "substituters", url]) == 0
    assert capsys.readouterr().out.encode() == long


def test_cli_copy_to_uploads_again_the_archives_gone_from_nginx(
    nginx: tuple[str, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """An archive deleted or cut short on the server (its entry kept) shows to a HEAD, and the
    next copy puts it back, where it used to count the path as there already."""
    url, root = nginx
    chain, built, keys = _built_with_a_key(tmp_path, "repair", "app")
    out = str(built.path(chain.app.out))
    copy = ["copy", "--to", url, "--key", str(keys / "ci-1.secret"), out]
    assert main(copy) == 0
    archives = {}
    for drv in (chain.lib, chain.app):
        text = (root / narinfo_name(drv.out)).read_text()
        archives[drv] = root / next(x for x in text.splitlines() if x.startswith("URL: "))[5:]
    archives[chain.lib].unlink()
    archives[chain.app].write_bytes(b"junk\n")
    capsys.readouterr()
    assert main(copy) == 0
    err = capsys.readouterr().err
    assert f"whose archive nar/{archives[chain.lib].name} is missing; it is uploaded again" in err
    assert "has 5 bytes where the entry says" in err
    assert "copied 2 path(s)" in err and "0 already there" in err
    monkeypatch.setenv("PYBUILD_HOME", str(tmp_path / "home-b"))
    trust = ["--option", "trusted-public-keys", (keys / "ci-1.public").read_text().strip()]
    assert main(["copy", "--from", url, *trust, chain.app.out]) == 0
    assert list(Store(tmp_path / "home-b").verify(check_contents=True)) == []


def test_cli_copy_to_a_cache_behind_a_login_asks_for_it_in_netrc(
    nginx: tuple[str, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The farm guide's server: a 401 asks for the login in the netrc file (not whether PUT is
    enabled), and the login it then gives uploads."""
    url, root = nginx
    chain, built, keys = _built_with_a_key(tmp_path, "login", "lib")
    netrc = tmp_path / "netrc"
    monkeypatch.setenv("NETRC", str(netrc))
    copy = ["copy", "--key", str(keys / "ci-1.secret"), str(built.path(chain.lib.out))]
    capsys.readouterr()
    assert main([*copy, "--to", f"{url}/private"]) == 1
    err = capsys.readouterr().err
    assert (
        "PUT pybuild-cache-info: HTTP 401 Unauthorized (the server wants a login for PUT: put"
        f" 'machine 127.0.0.1 login USER password PASSWORD' in {netrc}, readable only by you)"
    ) in err
    assert "PUT enabled" not in err
    netrc.write_text("machine 127.0.0.1 login ci password wrong\n")
    assert main([*copy, "--to", f"{url}/private"]) == 1
    assert f"(the server refused the login 'ci' that {netrc} gives for 127.0.0.1)" in (
        capsys.readouterr().err
    )
    netrc.write_text("machine 127.0.0.1 login ci password secret\n")
    assert main([*copy, "--to", f"{url}/private"]) == 0
    assert (root / "private" / narinfo_name(chain.lib.out)).exists()
