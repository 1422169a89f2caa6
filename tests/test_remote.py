"""Remote builders: derivations built on other pybuild homes reached over ssh.

The "machines" are pybuild homes on this host behind a real ``sshd`` on 127.0.0.1 (skipped
when OpenSSH's server is not installed; ``.ci/run`` installs it). The protocol's defences are
tested without ssh: a hostile server, and hostile requests fed to ``serve`` directly.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from pybuild.buildoptions import BuildOptions
from pybuild.hashing import nar_chunks
from pybuild.remote.client import REMOTE_LOG_HEADER
from pybuild.remote.errors import MachinesError, ProtocolError
from pybuild.remote.machines import parse_machines
from pybuild.remote.protocol import MAX_MESSAGE, VERSION, receive, send
from pybuild.remote.serve import serve
from pybuild.store import Store
from support.fixtures import BuildIndex, write_fixture_recipes
from support.sshd import SSHD, Sshd, client_environ, running_sshd

needs_sshd = pytest.mark.skipif(
    not (os.path.exists(SSHD) and os.geteuid() == 0), reason="needs OpenSSH's sshd, as root"
)

DRVS = """\
from pybuild import derivation

def waiting(name):
    # Each waits until the other has started: they can only finish if they run at once.
    return derivation(name=name, builder="/bin/sh", args=["-c",
        'mkdir "$out"; touch "$1/$2"; while [ ! -e "$1/left" ] || [ ! -e "$1/right" ]; do'
        ' sleep 0.05; done; echo "$2" > "$out/name"', name, {meet!r}, name])

left, right = waiting("left"), waiting("right")
top = derivation(name="top", builder="/bin/sh",
    args=["-c", f'mkdir "$out"; cat {{left}}/name {{right}}/name > "$out/both"'])
bad = derivation(name="bad", builder="/bin/sh",
    args=["-c", "echo something went wrong; echo on its second line >&2; exit 3"])
slow = derivation(name="slow", builder="/bin/sh", args=["-c",
    'case "$out" in "$3"*) echo $$ > "$1"; while [ ! -e "$2" ]; do sleep 0.05; done;;'
    ' esac; echo built > "$out"', "slow", {marker!r}, {flag!r}, {remote!r}])
"""


@pytest.fixture(scope="module")
def sshd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sshd]:
    with running_sshd(tmp_path_factory.mktemp("sshd")) as server:
        yield server


@pytest.fixture
def farm(sshd: Sshd, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Two remote homes (``remote-a``, ``remote-b``) under tmp_path; the derivations file."""
    for name, value in client_environ(sshd).items():
        monkeypatch.setenv(name, value)
    (tmp_path / "meet").mkdir()
    drvs = tmp_path / "drvs.py"
    drvs.write_text(
        DRVS.format(
            meet=str(tmp_path / "meet"),
            remote=str(tmp_path / "remote-"),
            marker=str(tmp_path / "slow.pid"),
            flag=str(tmp_path / "slow.go"),
        )
    )
    return drvs


def pybuild(
    *args: object, home: Path | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYBUILD_HOME=str(home)) if home else None
    return subprocess.run(
        [sys.executable, "-m", "pybuild", *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
    )


def outputs(home: Path) -> set[str]:
    """The names (without hash) of the store paths of `home` that are not .drv files."""
    store = home / "store"
    names = os.listdir(store) if store.is_dir() else []
    return {n.partition("-")[2] for n in names if not n.endswith(".drv")}


def built_on(home: Path) -> set[str]:
    """The names of the derivations whose builders ran in `home` (each left a log there; the
    log of a remote build, kept by the client, names the machine first)."""
    logs = home / "var" / "log"
    names = os.listdir(logs) if logs.is_dir() else []
    return {
        n.partition("-")[2].removesuffix(".drv.log")
        for n in names
        if n.endswith(".drv.log") and not remote_log(logs / n)
    }


def remote_log(log: Path) -> bool:
    return log.read_text().startswith(REMOTE_LOG_HEADER + "ssh://")


def verified(home: Path) -> bool:
    result = pybuild("verify", "--check-contents", home=home)
    return result.returncode == 0 and "0 damaged" in result.stdout + result.stderr


# -- machines ---------------------------------------------------------------------------------


def test_a_machines_file_is_read_like_nix_s(tmp_path: Path) -> None:
    (tmp_path / "machines").write_text(
        "# the farm\nssh://root@one:2222?home=/srv/a - /k/id 4 2 big,kvm\n\nssh://two  # spare\n"
    )
    one, two, three = parse_machines(f"@{tmp_path / 'machines'}; ssh://three?pybuild=/opt/pb")
    assert (one.user, one.host, one.port, one.home, one.ssh_key) == (
        "root",
        "one",
        2222,
        "/srv/a",
        "/k/id",
    )
    assert (one.jobs, one.speed, one.features) == (4, 2, frozenset({"big", "kvm"}))
    assert (two.host, two.jobs, three.pybuild) == ("two", 1, "/opt/pb")
    assert one.ssh_command(["-v"], "pybuild")[-1] == "pybuild serve --stdio --home /srv/a"
    assert "-p" in one.ssh_command([], "pybuild") and "-i" in one.ssh_command([], "pybuild")
    assert three.ssh_command([], "pybuild")[-1] == "/opt/pb serve --stdio"


@pytest.mark.parametrize(
    "line",
    [
        "http://host",
        "ssh://",
        "ssh://h?user=x",
        "ssh://h?home",
        "ssh://[::1",
        "ssh://h - - 0",
        "ssh://h:x",
        "ssh://h 1 2 3 4 5 6 7 8",
    ],
)
def test_a_bad_machine_line_is_refused_with_the_format(line: str) -> None:
    with pytest.raises(MachinesError) as error:
        parse_machines(line)
    assert "ssh://[user@]host" in str(error.value)
    assert "[?home=DIR&pybuild=CMD] [systems" in str(error.value)  # the hint: every column


def test_an_unknown_query_key_is_named_with_the_known_one_it_is_close_to() -> None:
    with pytest.raises(MachinesError, match=r"unknown query key 'hom' \(did you mean home=\?\)"):
        parse_machines("ssh://root@127.0.0.1:2222?hom=/x")
    with pytest.raises(MachinesError, match=r"unknown query key 'user'; it may hold home="):
        parse_machines("ssh://h?user=x")
    with pytest.raises(MachinesError, match="home= is given twice"):
        parse_machines("ssh://h?home=/a&home=/b")


def test_a_home_the_remote_cannot_make_is_told_as_the_machine_s_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The remote's hint names PYBUILD_HOME, which the user set through home=: the warning
    # says which one that is.
    hello = fake_ssh(tmp_path, monkeypatch, f"{sys.executable} -m pybuild")
    result = pybuild("build", "-f", hello, "hello", "--builders", "ssh://x?home=/proc/nope")
    assert result.returncode == 0, result.stderr
    assert (
        "  hint: PYBUILD_HOME there is this machine's home=/proc/nope: give home= a folder"
        in result.stderr
    ), result.stderr


def test_a_relative_home_is_refused_and_a_tilde_kept_for_the_remote_to_expand() -> None:
    with pytest.raises(MachinesError, match="home 'farm' is relative: give an absolute path"):
        parse_machines("ssh://h?home=farm")
    [machine] = parse_machines("ssh://h?home=~/farm")
    assert machine.ssh_command([], "pybuild")[-1] == "pybuild serve --stdio --home '~/farm'"


def test_a_home_written_with_a_tilde_is_in_the_remote_user_s_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The remote shell does not expand the quoted ~ of ssh's command: serve, run as the
    # remote user, does, where it made a folder named ~ in the folder ssh started it in.
    hello = fake_ssh(tmp_path, monkeypatch, f"{sys.executable} -m pybuild")
    monkeypatch.setenv("HOME", str(tmp_path / "user"))
    monkeypatch.chdir(tmp_path)
    result = pybuild("build", "-f", hello, "hello", "--builders", "ssh://x?home=~/farm")
    assert result.returncode == 0, result.stderr
    assert outputs(tmp_path / "user" / "farm") == {"hello"}
    assert not (tmp_path / "~").exists()


def test_a_bad_line_of_a_machines_file_is_named_by_its_file_and_line(tmp_path: Path) -> None:
    machines = tmp_path / "machines"
    machines.write_text(
        "# the farm\nssh://root@host1 - - 2; ssh://host3\nssh://root@host2 - - two\n"
    )
    with pytest.raises(MachinesError) as error:
        parse_machines(f"ssh://here; @{machines}")
    assert str(error.value).startswith(
        f"{machines}:3: machine 'ssh://root@host2': jobs must be a positive integer, not 'two'"
    )


@pytest.mark.parametrize(
    ("uri", "port"),
    [("ssh://h:22", 22), ("ssh://u@[::1]:2222", 2222), ("ssh://[::1]", None), ("ssh://h", None)],
)
def test_a_machine_s_port_is_read_after_the_user_and_an_ipv6_address(
    uri: str, port: int | None
) -> None:
    assert parse_machines(uri)[0].port == port


@pytest.mark.parametrize("port", ["99999", "65536", "0"])
def test_a_port_out_of_range_is_told_so(port: str) -> None:
    with pytest.raises(MachinesError, match=rf"the port {port} is out of range \(1-65535\)"):
        parse_machines(f"ssh://root@127.0.0.1:{port}")


def test_features_decide_which_machine_takes_a_derivation() -> None:
    plain, big, only_big = parse_machines("ssh://a; ssh://b - - 1 1 big; ssh://c - - 1 1 - big")
    assert plain.accepts(frozenset()) and not plain.accepts(frozenset({"big"}))
    assert big.accepts(frozenset()) and big.accepts(frozenset({"big"}))
    assert only_big.accepts(frozenset({"big"})) and not only_big.accepts(frozenset())


def test_downloads_and_derivations_no_machine_takes_are_built_here(store: Store) -> None:
    from pybuild.derivations import derivation
    from pybuild.hashing import hash_bytes
    from pybuild.remote.farm import Farm

    fetch = derivation(
        name="fetched",
        builder="/bin/sh",
        args=["-c", "printf x > $out"],
        output_hash=hash_bytes(b"x").sri,
    )
    big = derivation(
        name="big", builder="/bin/sh", args=["-c", "true"], env={"requiredSystemFeatures": "kvm"}
    )
    # Never reached: ssh to it would fail, and the test would see the warning.
    farm = Farm(parse_machines("ssh://nowhere.invalid - - 4 1 big"), local_jobs=0)
    log = io.StringIO()
    here: list[str] = []
    links = derivation(name="links", builder="builtin:python-env", args=[])
    for drv in (fetch, big, links):
        farm.build(drv, store, BuildOptions(log=log), lambda name=drv.name: here.append(name))
    farm.close()
    assert here == ["fetched", "big", "links"] and log.getvalue() == ""


# -- the protocol, fed hostile input ----------------------------------------------------------


def _stream(*parts: dict[str, object] | bytes) -> io.BytesIO:
    """A client's side of a conversation: messages and raw bytes (NARs), after the hello."""
    out = io.BytesIO()
    send(out, {"op": "hello", "version": VERSION})
    for part in parts:
        if isinstance(part, bytes):
            out.write(part)
        else:
            send(out, part)
    out.seek(0)
    return out


def _serve(store: Store, inp: io.BytesIO) -> list[dict[str, object]]:
    """Run the server on `inp`; its replies after the hello."""
    out = io.BytesIO()
    try:
        serve(store, inp, out, BuildOptions(log=io.StringIO()))
    finally:
        out.seek(0)
        replies = []
        while out.tell() < len(out.getvalue()):
            replies.append(receive(out).data)
    return replies[1:]


def _nar_of(tmp_path: Path, text: str) -> tuple[bytes, str]:
    """The NAR of a file holding `text`, and its hash."""
    from pybuild.hashing import hash_path

    (tmp_path / "file").write_text(text)
    return b"".join(nar_chunks(tmp_path / "file")), hash_path(tmp_path / "file")[0].sri


NAME = "0" * 32 + "-payload"


def _nothing_written(store: Store) -> bool:
    left = [p for p in (store.dir.iterdir() if store.dir.is_dir() else [])]
    tmp = [p for p in (store.tmp_dir.iterdir() if store.tmp_dir.is_dir() else [])]
    return not left and not tmp and not list(store.registry.paths())


def test_a_client_gone_before_its_hello_ends_serve_quietly(store: Store) -> None:
    """A connection closed before anything was said (ssh's probe, `</dev/null`) is no error:
    serve ends, having written nothing, as it does when a client goes after its requests."""
    out = io.BytesIO()
    serve(store, io.BytesIO(), out, BuildOptions(log=io.StringIO()))
    assert out.getvalue() == b""


def test_an_oversized_message_is_refused_before_it_is_read(store: Store) -> None:
    inp = _stream((MAX_MESSAGE + 1).to_bytes(8, "little") + b"{")
    with pytest.raises(ProtocolError, match="at most"):
        _serve(store, inp)
    assert _nothing_written(store)


def test_a_path_outside_the_store_is_refused(store: Store, tmp_path: Path) -> None:
    nar, nar_hash = _nar_of(tmp_path, "evil\n")
    request = {"op": "import", "path": "../../evil", "nar_hash": nar_hash, "nar_size": len(nar)}
    with pytest.raises(ProtocolError, match="not a store path name"):
        _serve(store, _stream({**request, "references": []}, nar))
    assert _nothing_written(store) and not (store.home.parent / "evil").exists()


def test_a_path_whose_hash_does_not_match_is_not_registered(store: Store, tmp_path: Path) -> None:
    nar, _ = _nar_of(tmp_path, "the real thing\n")
    _, other_hash = _nar_of(tmp_path, "something else\n")
    request = {"op": "import", "path": NAME, "nar_hash": other_hash, "nar_size": len(nar)}
    query = {"op": "query-valid", "paths": [NAME]}
    replies = _serve(store, _stream({**request, "references": []}, nar, query))
    assert replies[0]["reply"] == "error" and "NAR hash" in str(replies[0]["error"])
    assert replies[1] == {"reply": "valid", "paths": []}  # the stream stayed in step
    assert _nothing_written(store)


def test_a_nar_longer_than_announced_is_refused(store: Store, tmp_path: Path) -> None:
    nar, nar_hash = _nar_of(tmp_path, "payload\n")
    request = {"op": "import", "path": NAME, "nar_hash": nar_hash, "nar_size": len(nar) - 8}
    replies = _serve(store, _stream({**request, "references": []}, nar[:-8]))
    assert replies[0]["reply"] == "error"
    assert _nothing_written(store)


def test_another_protocol_version_is_refused(store: Store) -> None:
    inp = io.BytesIO()
    send(inp, {"op": "hello", "version": VERSION + 1})
    inp.seek(0)
    with pytest.raises(ProtocolError, match="version"):
        serve(store, inp, io.BytesIO(), BuildOptions(log=io.StringIO()))


HOSTILE = """\
import sys
import pybuild.remote.serve as server
from pybuild.cli import main

mode = sys.argv.pop(1)
send, send_nar = server.send, server.send_nar

def tampered_nar(out, path, *_):  # same size, one byte changed, and not told
    for chunk in server.nar_chunks(path):
        out.write(chunk.replace(b"built", b"bUilt"))
    return ""

def tampered_send(out, message):
    if message.get("reply") == "nar":
        message = {**message, **CHANGES[mode]}
    send(out, message)

CHANGES = {"escape": {"path": "../../escaped"}, "huge": {"nar_size": 1 << 40}, "hash": {}}
server.send = tampered_send
if mode == "hash":
    server.send_nar = tampered_nar
sys.exit(main(sys.argv[1:]))
"""

FAKE_SSH = '#!/bin/sh\nfor last; do :; done\nexec /bin/sh -c "$last"\n'
HELLO = (
    "from pybuild import derivation\n"
    "hello = derivation(name='hello', builder='/bin/sh', args=['-c', 'echo built > $out'])\n"
)


def fake_ssh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, remote_pybuild: str) -> Path:
    """No ssh: an "ssh" on PATH that runs the remote command here, the command that runs
    pybuild there being `remote_pybuild`; a derivations file with ``hello``, returned."""
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "ssh").write_text(FAKE_SSH)
    (tmp_path / "bin" / "ssh").chmod(0o755)
    checkout = Path(__file__).resolve().parents[1]
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}:{os.environ['PATH']}")
    monkeypatch.setenv("PYBUILD_REMOTE_PYBUILD", remote_pybuild)
    monkeypatch.setenv("PYTHONPATH", str(checkout))
    (tmp_path / "hello.py").write_text(HELLO)
    return tmp_path / "hello.py"


@pytest.mark.parametrize("mode", ["hash", "escape", "huge"])
def test_a_hostile_builder_is_marked_down_and_nothing_it_sent_is_registered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pybuild_home: Path, mode: str
) -> None:
    # A server whose outputs are tampered.
    (tmp_path / "hostile.py").write_text(HOSTILE)
    hello = fake_ssh(tmp_path, monkeypatch, f"{sys.executable} {tmp_path / 'hostile.py'} {mode}")
    remote = tmp_path / "remote"
    result = pybuild("build", "-f", hello, "hello", "--builders", f"ssh://x?home={remote}")
    assert result.returncode == 0, result.stderr
    assert "remote builder ssh://x" in result.stderr and "no more builds" in result.stderr
    assert Path(result.stdout.strip()).read_text() == "built\n"  # built here, after all
    assert verified(pybuild_home) and verified(remote)
    assert not (tmp_path / "escaped").exists() and not (pybuild_home / "escaped").exists()
    assert sorted(outputs(pybuild_home)) == ["hello"]


# -- a builder that cannot be reached ---------------------------------------------------------

# A "pybuild" there that never answers (a login that hangs, a host that accepted the
# connection and went silent); it records its pid, so the test can see that it was ended.
HANG = '#!/bin/sh\necho $$ > "$HANG_PID"\nexec sleep 600\n'


def hanging(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    """A builder that never answers, behind the fake ssh: the derivations file and where the
    pid of what ssh ran there will be."""
    (tmp_path / "hang").write_text(HANG)
    (tmp_path / "hang").chmod(0o755)
    monkeypatch.setenv("HANG_PID", str(tmp_path / "hang.pid"))
    return fake_ssh(tmp_path, monkeypatch, str(tmp_path / "hang")), tmp_path / "hang.pid"


def alive(pid: int) -> bool:
    """Whether process `pid` runs (a zombie no longer does: its parent may be a PID 1 that
    reaps nothing, in a container)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[0] != "Z"


def wait_for(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_connect_timeout_bounds_ssh_unless_its_own_options_say_otherwise() -> None:
    [machine] = parse_machines("ssh://build1")
    argv = machine.ssh_command(["-o", "ConnectTimeout=30"], "pybuild", 5)
    # ssh keeps an option's first value: the user's ssh_options win over the setting.
    assert argv.index("ConnectTimeout=30") < argv.index("ConnectTimeout=5") < argv.index("--")
    assert not any("ConnectTimeout" in arg for arg in machine.ssh_command([], "pybuild", 0))


def test_a_builder_that_never_answers_is_given_up_and_the_build_done_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pybuild_home: Path
) -> None:
    hello, pid_file = hanging(tmp_path, monkeypatch)
    start = time.monotonic()
    result = pybuild(
        "build", "-f", hello, "hello", "--builders", "ssh://x", "--option", "connect_timeout",
        "1", timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert time.monotonic() - start < 30
    assert "warning: remote builder ssh://x: no answer within 2 s" in result.stderr
    assert result.stderr.count("no answer") == 1
    assert "\n  hint: check that 'ssh' reaches it without a password" in result.stderr
    assert result.stderr.count("[1/1] building") == 2 and "[2/" not in result.stderr
    assert Path(result.stdout.strip()).read_text() == "built\n"
    assert built_on(pybuild_home) == {"hello"}
    # what ssh ran was ended with it, not left behind
    assert not alive(int(pid_file.read_text()))


@pytest.mark.parametrize("said", ["serve --stdio", "hi"], ids=["long", "short"])
def test_a_remote_command_that_prints_text_is_quoted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, said: str
) -> None:
    # What a login script's echo, or a command that is not pybuild, gives: quoted as Nix's
    # "protocol mismatch, got '…'", not read as the size of a message.
    hello = fake_ssh(tmp_path, monkeypatch, f"/bin/echo {said} #")
    result = pybuild("build", "-f", hello, "hello", "--builders", "ssh://x", timeout=60)
    assert result.returncode == 0, result.stderr
    assert f"warning: remote builder ssh://x: protocol mismatch, got '{said}\\n'" in (result.stderr)
    # ssh worked and the command there started: its text is what to look at, as Nix says
    hint = "hint: something there prints text before pybuild serve starts: the remote user's"
    assert f"{hint} shell startup files (.bashrc, .profile)" in result.stderr
    assert "bytes announced" not in result.stderr


def test_text_of_a_command_that_ended_before_the_hello_was_sent_is_quoted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The command there printed its text and ended before the hello was written: the pipe is
    # broken, but what it printed still names the problem (the test above, lost in a race).
    import pybuild.remote.client as client

    fake_ssh(tmp_path, monkeypatch, "/bin/echo hi #")
    machine = parse_machines("ssh://x")[0]
    started: list[subprocess.Popen[bytes]] = []
    real_popen, real_send = subprocess.Popen, client.send

    def popen(*args: Any, **kwargs: Any) -> subprocess.Popen[bytes]:
        started.append(real_popen(*args, **kwargs))
        return started[-1]

    def send_late(out: Any, message: dict[str, Any]) -> None:
        started[-1].wait()  # the command there has ended
        real_send(out, message)

    monkeypatch.setattr(client, "send", send_late)
    monkeypatch.setattr(client.subprocess, "Popen", popen)
    with pytest.raises(
        client.MachineDown, match=r"protocol mismatch, got 'hi\\n', then the end"
    ) as error:
        client.Connection(machine, [], "/bin/echo hi #")
    assert "shell startup files" in error.value.hint


@pytest.mark.parametrize(
    ("script", "reason", "said"),
    [
        # ssh's output ends as it exits, or before (a refused host key, no pybuild there):
        # the status comes a moment after the end, which is waited for, where it was told
        # only when the end was read late enough.
        (
            "exec >&-; sleep 0.5; echo 'pybuild: not found' >&2; exit 127 #",
            "the connection closed (ssh exited 127)",
            "pybuild: not found",
        ),
        # killed (the kernel's out-of-memory killer): Popen's -9 was shown as it is
        ("kill -9 $$ #", "the connection closed (ssh was killed by SIGKILL)", ""),
    ],
)
def test_a_closed_connection_tells_how_ssh_exited_even_after_its_output_ended(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, script: str, reason: str, said: str
) -> None:
    import pybuild.remote.client as client

    fake_ssh(tmp_path, monkeypatch, script)
    with pytest.raises(client.MachineDown) as error:
        client.Connection(parse_machines("ssh://x")[0], [], script)
    assert error.value.reason == reason
    assert error.value.said == said


def test_a_machine_down_is_told_once_whatever_its_slots(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pybuild_home: Path
) -> None:
    # Both slots connect at once and both give up: one warning, as for a machine of one slot.
    hello, _ = hanging(tmp_path, monkeypatch)
    hello.write_text(
        HELLO + "other = derivation(name='other', builder='/bin/sh', args=['-c', 'echo > $out'])\n"
    )
    result = pybuild(
        "build", "-f", hello, "hello", "other", "-j", "0", "--builders", "ssh://x - - 2",
        "--option", "connect_timeout", "1", timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("warning: remote builder ssh://x") == 1, result.stderr
    assert built_on(pybuild_home) == {"hello", "other"}


@pytest.mark.skipif(shutil.which("ssh") is None, reason="needs OpenSSH's client")
def test_a_host_that_accepts_and_never_answers_is_left_after_connect_timeout(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, pybuild_home: Path
) -> None:
    # What a host that drops packets costs without a limit, in a test's time: ssh waits for
    # the server's banner. ConnectTimeout bounds it (the hello's limit would come later).
    monkeypatch.setenv("PYBUILD_SSH_OPTIONS", f"-F {os.devnull}")
    (tmp_path / "hello.py").write_text(HELLO)
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        result = pybuild(
            "build", "-f", tmp_path / "hello.py", "hello", "--builders",
            f"ssh://root@127.0.0.1:{port}", "--option", "connect_timeout", "1", timeout=60,
        )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert f"warning: remote builder ssh://root@127.0.0.1:{port}: the connection closed" in (
        result.stderr
    )
    assert "banner exchange" in result.stderr  # ssh's own timeout ended it
    assert built_on(pybuild_home) == {"hello"}


def test_no_connection_outlives_a_pybuild_that_is_terminated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hello, pid_file = hanging(tmp_path, monkeypatch)
    build = subprocess.Popen(
        [sys.executable, "-m", "pybuild", "build", "-f", hello, "hello", "--builders", "ssh://x",
         "--option", "connect_timeout", "0"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )  # fmt: skip
    pid = 0
    try:
        assert wait_for(lambda: pid_file.exists() and bool(pid_file.read_text().strip()), 60)
        pid = int(pid_file.read_text())
        build.terminate()
        build.wait(timeout=30)
        assert wait_for(lambda: not alive(pid), 10), "ssh's command outlived pybuild"
    finally:
        if build.poll() is None:
            build.kill()
            build.wait()
        if pid and alive(pid):
            os.kill(pid, signal.SIGKILL)
        if build.stderr is not None:
            build.stderr.close()


@pytest.mark.parametrize("attrs", [["slow"], ["slow", "other"]], ids=["alone", "in-a-pool"])
def test_an_interrupted_build_ends_its_remote_build_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pybuild_home: Path, attrs: list[str]
) -> None:
    """Ctrl-C at the terminal reaches pybuild, not the ssh of a remote build (a process group
    of its own): the interrupted run ends that connection, as it kills local builders, and
    pybuild exits at once, not when the remote build would have finished. One build runs in
    the main thread; several, in a pool's threads. The machine is not told as down (pybuild
    killed its ssh itself), and nothing is built here after the interruption."""
    fake_ssh(tmp_path, monkeypatch, f"{sys.executable} -m pybuild")
    started = tmp_path / "started"
    drvs = tmp_path / "drvs.py"
    drvs.write_text(
        "from pybuild import derivation\n"
        "slow = derivation(name='slow', builder='/bin/sh',\n"
        f"    args=['-c', 'touch {started}; sleep 60; echo > $out'])\n"
        "other = derivation(name='other', builder='/bin/sh', args=['-c', 'sleep 60'])\n"
    )
    build = subprocess.Popen(
        [sys.executable, "-m", "pybuild", "build", "-f", drvs, *attrs, "-j", "0",
         "--builders", f"ssh://x?home={tmp_path / 'remote'} - - 2", "--option", "sandbox",
         "false"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip
    try:
        assert wait_for(started.exists, 60), "the remote build did not start"
        serving = _serving(tmp_path / "remote")
        build.send_signal(signal.SIGINT)
        _, stderr = build.communicate(timeout=5)  # the build itself sleeps a minute
        assert build.returncode == 130, stderr
        assert wait_for(lambda: not alive(serving), 10), "the remote pybuild outlived the run"
        assert "remote builder" not in stderr and stderr.count("building") == len(attrs), stderr
        assert not (pybuild_home / "var" / "log").exists() or not os.listdir(
            pybuild_home / "var" / "log"
        )
    finally:
        if build.poll() is None:
            build.kill()
            build.communicate()


@pytest.mark.parametrize("content", ["planted\n", "built\n"])
def test_an_output_a_client_imported_is_not_replied_as_built_unless_a_build_here_agrees(
    store: Store, tmp_path: Path, content: str
) -> None:
    """Another client of the builder's account imports an output for a derivation it did not
    build; a build request for that derivation builds it here to compare, and fails if the
    import differs, rather than replying "built" with what the other client planted."""
    from pybuild.derivations import derivation, instantiate

    drv = derivation(name="target", builder="/bin/sh", args=["-c", 'echo built > "$out"'])
    instantiate(drv, store)
    nar, nar_hash = _nar_of(tmp_path, content)
    plant = {"op": "import", "path": drv.out, "nar_hash": nar_hash, "nar_size": len(nar)}
    build = {"op": "build", "drv": drv.drv_name}
    replies = _serve(store, _stream({**plant, "references": []}, nar, build, build))
    assert replies[0]["reply"] == "imported"
    if content == "planted\n":
        assert [r["reply"] for r in replies[1:]] == ["failed", "failed"]
        assert "imported from a client, not built here" in str(replies[1]["reason"])
        assert "differs from them (the output itself)" in str(replies[1]["reason"])  # not (.)
    else:  # the same as a build here: built, and no longer built again for each request
        assert [r["reply"] for r in replies[1:]] == ["built", "built"]
        assert sum("checking" in m for r in replies[1:] for m in r.get("messages", [])) == 1


def test_a_collected_import_loses_its_mark_and_a_new_import_marks_it_again(
    store: Store, tmp_path: Path
) -> None:
    """A client's import that gc deletes leaves no mark behind (a path built here later under
    that name is not taken for an import); imported again, it is marked again."""
    from pybuild.derivations import derivation, instantiate
    from pybuild.store.gc import collect_garbage
    from pybuild.store.temproots import release_temp_roots

    drv = derivation(name="target", builder="/bin/sh", args=["-c", 'echo built > "$out"'])
    instantiate(drv, store)
    nar, nar_hash = _nar_of(tmp_path, "planted\n")
    plant = {"op": "import", "path": drv.out, "nar_hash": nar_hash, "nar_size": len(nar)}
    _serve(store, _stream({**plant, "references": []}, nar))
    mark = store.imported_dir / drv.out
    assert mark.exists()
    release_temp_roots(store)
    assert drv.out in collect_garbage(store).deleted
    assert not mark.exists()
    build = {"op": "build", "drv": drv.drv_name}
    instantiate(drv, store)
    replies = _serve(store, _stream({**plant, "references": []}, nar, build))
    assert mark.exists() and replies[-1]["reply"] == "failed"


def test_serve_stops_a_build_whose_client_went_away(store: Store, tmp_path: Path) -> None:
    """A client killed mid-build (its ssh gone, sshd closes the remote's input): the remote
    build is stopped, not run to its end for no one while it holds the outputs' lock."""
    from pybuild.derivations import derivation, instantiate

    pid_file = tmp_path / "builder.pid"
    drv = derivation(
        name="long", builder="/bin/sh", args=["-c", f'echo $$ > {pid_file}; sleep 60; mkdir "$out"']
    )
    instantiate(drv, store)
    serving = subprocess.Popen(
        [sys.executable, "-m", "pybuild", "serve", "--stdio"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert serving.stdin is not None and serving.stdout is not None
    try:
        send(serving.stdin, {"op": "hello", "version": VERSION})
        send(serving.stdin, {"op": "build", "drv": drv.drv_name})
        serving.stdin.flush()
        receive(serving.stdout)  # the hello
        assert wait_for(lambda: pid_file.exists() and bool(pid_file.read_text().strip()), 30)
        serving.stdin.close()  # the client is gone
        assert serving.wait(timeout=15) == 0
        assert wait_for(lambda: not alive(int(pid_file.read_text())), 5)
    finally:
        if serving.poll() is None:
            serving.kill()
            serving.wait()
        serving.stdout.close()
    assert not any(map(store.is_valid, drv.output_paths.values()))
    assert not store.tmp_dir.exists() or not [
        p for p in store.tmp_dir.iterdir() if not p.name.startswith(".")
    ]


# -- the client's build settings --------------------------------------------------------------

SETTINGS_DRVS = """\
from pybuild import derivation

slow = derivation(name="slow", builder="/bin/sh", args=["-c", "sleep 20; echo > $out"])
noisy = derivation(name="noisy", builder="/bin/sh",
    args=["-c", "for i in 1 2 3 4 5 6; do echo line $i; done; exit 1"])
# Built only where it cannot see the test's files: in the sandbox.
isolated = derivation(name="isolated", builder="/bin/sh", args=["-c",
    'if [ -e "$1" ]; then echo "it sees $1"; exit 1; fi; echo isolated > "$out"', "-", {secret!r}])
other = derivation(name="other", builder="/bin/sh", args=["-c", "echo other > $out"])
"""

# A pybuild from before the client's settings travelled: its hello does not say whether it
# can sandbox, it ignores the settings, and its replies carry neither what a build said, nor
# whether the machine could not run it, nor the log.
OLDER = """\
import sys
import pybuild.remote.serve as server
from pybuild.cli import main

ADDED = {"sandbox", "sandbox_problem", "messages", "unable", "build_log"}
send, receive = server.send, server.receive

def older_send(out, message):
    send(out, {key: value for key, value in message.items() if key not in ADDED})

def older_receive(stream):
    message = receive(stream)
    message.data.pop("settings", None)
    return message

server.send, server.receive = older_send, older_receive
sys.exit(main(sys.argv[1:]))
"""


def settings_farm(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, remote_pybuild: str = ""
) -> tuple[Path, str]:
    """The derivations of SETTINGS_DRVS behind the fake ssh; the machine line."""
    fake_ssh(tmp_path, monkeypatch, remote_pybuild or f"{sys.executable} -m pybuild")
    (tmp_path / "secret").write_text("the test's\n")
    drvs = tmp_path / "drvs.py"
    drvs.write_text(SETTINGS_DRVS.format(secret=str(tmp_path / "secret")))
    return drvs, f"ssh://x?home={tmp_path / 'remote'}"


def sandbox_runs() -> bool:
    from pybuild.sandbox import sandbox_problem

    return not sandbox_problem()


def test_the_client_s_build_timeout_applies_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    drvs, machine = settings_farm(tmp_path, monkeypatch)
    start = time.monotonic()
    result = pybuild(
        "build", "-f", drvs, "slow", "--builders", machine, "--option", "build_timeout", "1"
    )
    assert result.returncode == 1
    assert "build of slow failed: timed out after 1 s (build_timeout) (on ssh://x" in (
        result.stderr
    )
    assert time.monotonic() - start < 15  # not the 20 s of the builder


# A builder that stops dead (SIGSTOP) when asked to build: it neither answers nor closes.
WEDGED = """\
import os, signal, sys
import pybuild.remote.serve as server
from pybuild.cli import main

def wedged(*args):
    os.kill(os.getpid(), signal.SIGSTOP)

server._build = wedged
sys.exit(main(sys.argv[1:]))
"""


def test_the_client_s_build_timeout_bounds_its_wait_for_a_wedged_builder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "wedged.py").write_text(WEDGED)
    hello = fake_ssh(tmp_path, monkeypatch, f"{sys.executable} {tmp_path / 'wedged.py'}")
    start = time.monotonic()
    result = pybuild(
        "build", "-f", hello, "hello", "--builders", f"ssh://x?home={tmp_path / 'remote'}",
        "--option", "build_timeout", "1", timeout=60,
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    assert (
        "build of hello failed: timed out after 1 s (build_timeout): ssh://x?home=" in result.stderr
    )
    assert "remote builder" not in result.stderr and "Traceback" not in result.stderr
    assert time.monotonic() - start < 30


def test_the_client_s_log_lines_and_keep_failed_apply_there_and_it_is_told_where(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pybuild_home: Path
) -> None:
    drvs, machine = settings_farm(tmp_path, monkeypatch)
    (tmp_path / "tmp").mkdir()
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))  # where the remote's build folders go
    result = pybuild(
        "build", "-f", drvs, "noisy", "--builders", machine,
        "--option", "log_lines", "2", "--option", "keep_failed", "true",
    )  # fmt: skip
    assert result.returncode == 1
    assert "(on ssh://x" in result.stderr and "    line 5\n    line 6\n" in result.stderr
    assert "line 4" not in result.stderr
    kept = re.search(r"^on x: keeping the failed build's directories (\S+) and (\S+)$",
                     result.stderr, re.MULTILINE)  # fmt: skip
    assert kept is not None, result.stderr
    assert all(Path(folder).is_dir() for folder in kept.groups())
    assert Path(kept.group(1)).parent == tmp_path / "tmp"


@pytest.mark.skipif(not sandbox_runs(), reason="the sandbox cannot run here")
def test_a_client_asking_for_the_sandbox_gets_it_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pybuild_home: Path
) -> None:
    # The remote's own setting is the tests' sandbox = false (PYBUILD_SANDBOX, conftest).
    drvs, machine = settings_farm(tmp_path, monkeypatch)
    result = pybuild(
        "build", "-f", drvs, "isolated", "--builders", machine, "--option", "sandbox", "true"
    )
    assert result.returncode == 0, result.stderr
    assert built_on(tmp_path / "remote") == {"isolated"} and built_on(pybuild_home) == set()


@pytest.mark.skipif(not sandbox_runs(), reason="the sandbox cannot run here")
@pytest.mark.parametrize("remote", ["without bwrap", "older"])
def test_a_machine_that_cannot_isolate_is_not_sent_builds_that_ask_for_the_sandbox(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pybuild_home: Path, remote: str
) -> None:
    (tmp_path / "older.py").write_text(OLDER)
    remote_pybuild = {
        "without bwrap": f"env PATH=/nonexistent {sys.executable} -m pybuild",
        "older": f"{sys.executable} {tmp_path / 'older.py'}",
    }[remote]
    drvs, machine = settings_farm(tmp_path, monkeypatch, remote_pybuild)
    result = pybuild(
        "build", "-f", drvs, "isolated", "other", "--builders", machine,
        "--option", "sandbox", "true",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    why = {
        "without bwrap": "the sandbox cannot run there: bwrap is not installed",
        "older": "it is an older pybuild, which does not apply this machine's settings",
    }[remote]
    assert f"warning: remote builder {machine}: sandbox = true here, but {why}; builds in" in (
        result.stderr
    )
    assert result.stderr.count("warning") == 1  # not tried again for the second build
    assert built_on(pybuild_home) == {"isolated", "other"}
    assert built_on(tmp_path / "remote") == set()


def test_serve_refuses_to_build_unisolated_what_a_client_asks_to_isolate(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pybuild.derivations import derivation, instantiate

    monkeypatch.setattr("pybuild.sandbox.sandbox_problem", lambda: "bwrap is not installed")
    marker = tmp_path / "ran"
    drv = derivation(name="escape", builder="/bin/sh", args=["-c", f"touch {marker}; echo > $out"])
    instantiate(drv, store)
    build = {"op": "build", "drv": drv.drv_name}
    replies = _serve(store, _stream({**build, "settings": {"sandbox": "true"}}))
    assert replies[0]["reply"] == "failed" and replies[0]["unable"] == "sandbox"
    assert "the sandbox cannot run here: bwrap is not installed" in str(replies[0]["reason"])
    assert not marker.exists()
    assert not any(map(store.is_valid, drv.output_paths.values()))


def test_with_no_jobs_here_every_build_goes_to_the_builders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pybuild_home: Path
) -> None:
    drvs, machine = settings_farm(tmp_path, monkeypatch)
    result = pybuild("build", "-f", drvs, "noisy", "other", "-k", "-j", "0", "--builders", machine)
    assert result.returncode == 1 and "build of noisy failed" in result.stderr
    assert built_on(tmp_path / "remote") == {"noisy", "other"}
    assert built_on(pybuild_home) == set()


# -- a builder that lacks the builder's program -----------------------------------------------

TOOL_DRVS = """\
from pybuild import derivation

# The interpreter of a derivation, at a path the builder may not have (as the python3.12
# of a pyenv on the workstation only).
first, second = (
    derivation(name=name, builder={tool!r}, args=[name]) for name in ("first", "second")
)
"""


@pytest.mark.skipif(not sandbox_runs(), reason="needs bubblewrap, to hide the tool from the remote")
def test_a_builder_without_the_builder_s_program_sends_its_builds_elsewhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pybuild_home: Path
) -> None:
    tools = tmp_path / "tools"
    tools.mkdir()
    (tools / "python3.12").write_text('#!/bin/sh\necho "built $1" > "$out"\n')
    (tools / "python3.12").chmod(0o755)
    # The remote pybuild runs where the tools' folder is empty.
    hidden = f"bwrap --dev-bind / / --tmpfs {tools} -- {sys.executable} -m pybuild"
    fake_ssh(tmp_path, monkeypatch, hidden)
    drvs = tmp_path / "drvs.py"
    drvs.write_text(TOOL_DRVS.format(tool=str(tools / "python3.12")))
    machine = f"ssh://x?home={tmp_path / 'remote'}"
    result = pybuild("build", "-f", drvs, "first", "second", "--builders", machine)
    assert result.returncode == 0, result.stderr
    assert (
        f"warning: remote builder {machine}: cannot run builder {tools / 'python3.12'}: it is not"
        f" an executable file; builds with the builder {tools / 'python3.12'} go to other"
        " machines or are done here"
    ) in result.stderr
    assert result.stderr.count("warning") == 1  # the second build was not sent there
    assert built_on(pybuild_home) == {"first", "second"}
    assert outputs(tmp_path / "remote") == set()


def test_a_remote_failure_without_a_log_says_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An older builder, which neither says that the machine could not run the builder nor
    # sends the log: the failure is the build's, and there is no log to name.
    (tmp_path / "older.py").write_text(OLDER)
    fake_ssh(tmp_path, monkeypatch, f"{sys.executable} {tmp_path / 'older.py'}")
    drvs = tmp_path / "drvs.py"
    drvs.write_text(TOOL_DRVS.format(tool=str(tmp_path / "nowhere" / "python3.12")))
    machine = f"ssh://x?home={tmp_path / 'remote'}"
    result = pybuild("build", "-f", drvs, "first", "--builders", machine)
    assert result.returncode == 1
    assert (
        f"error: build of first failed: cannot run builder {tmp_path}/nowhere/python3.12: it is"
        f" not an executable file (on {machine}; it kept no log)"
    ) in result.stderr
    assert "full log" not in result.stderr


# -- a builder with another interpreter at the derivation's path --------------------------------

PYTHON_DRVS = """\
from pybuild import derivation

# Made for the interpreter at that path as the workstation found it (its identity, as a
# package's derivation names it), which a builder may have another Python at.
first, second = (
    derivation(name=name, builder={python!r}, env={{"PYBUILD_PYTHON": {identity!r}}},
        args=["-S", "-c", "import os; open(os.environ['out'], 'w').write('built')"])
    for name in ("first", "second")
)
"""
OTHER_PYTHON = "cpython-3.12.1 sha256-0000000000000000000000000000000000000000000= cp312-cp312-x"


def python_drvs(tmp_path: Path, identity: str) -> Path:
    drvs = tmp_path / "drvs.py"
    drvs.write_text(PYTHON_DRVS.format(python=sys.executable, identity=identity))
    return drvs


def test_serve_refuses_a_derivation_made_for_another_interpreter_at_its_builder_s_path(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pybuild.derivations import derivation, instantiate
    from pybuild.python.interpreter import Interpreter

    found = Interpreter.current().identity
    asked: list[str] = []
    at = Interpreter.at
    monkeypatch.setattr(
        Interpreter, "at", lambda path, *rest: asked.append(path) or at(path, *rest)
    )
    drv = derivation(
        name="first",
        builder=sys.executable,
        args=["-c", "pass"],
        env={"PYBUILD_PYTHON": OTHER_PYTHON},
    )
    instantiate(drv, store)
    build = {"op": "build", "drv": drv.drv_name}
    replies = _serve(store, _stream(build, build))
    assert [(r["reply"], r["unable"]) for r in replies] == [("failed", "builder")] * 2
    assert replies[0]["reason"] == (
        f"cannot run builder {sys.executable}: it is {found} here, where its derivation was made"
        f" for {OTHER_PYTHON} (PYBUILD_PYTHON)"
    )
    assert asked == [sys.executable]  # once for the process, not for each build
    assert not any(map(store.is_valid, drv.output_paths.values()))


@pytest.mark.parametrize("same", [True, False], ids=["same", "another"])
def test_a_builder_with_another_interpreter_at_the_path_sends_its_builds_elsewhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pybuild_home: Path, same: bool
) -> None:
    from pybuild.python.interpreter import Interpreter

    here = Interpreter.current().identity
    drvs = python_drvs(tmp_path, here if same else OTHER_PYTHON)
    fake_ssh(tmp_path, monkeypatch, f"{sys.executable} -m pybuild")
    machine = f"ssh://x?home={tmp_path / 'remote'}"
    result = pybuild("build", "-f", drvs, "first", "--builders", machine)
    assert result.returncode == 0, result.stderr
    assert Path(result.stdout.strip()).read_text() == "built"
    if same:
        assert "warning" not in result.stderr
        assert built_on(tmp_path / "remote") == {"first"}
        return
    assert (
        f"warning: remote builder {machine}: cannot run builder {sys.executable}: it is {here}"
        f" here, where its derivation was made for {OTHER_PYTHON} (PYBUILD_PYTHON); builds with"
        f" the builder {sys.executable} go to other machines or are done here"
    ) in result.stderr
    assert built_on(pybuild_home) == {"first"}
    assert outputs(tmp_path / "remote") == set()


# A pybuild there whose connections wait for each other: both slots of the machine are in
# flight before either is answered.
MEETING = (
    '#!/bin/sh\ntouch "$MEET/$$"\nwhile [ "$(ls "$MEET" | wc -l)" -lt 2 ]; do sleep 0.05; done\n'
)


def test_a_machine_that_cannot_run_a_builder_is_told_once_whatever_its_slots(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pybuild_home: Path
) -> None:
    # Both slots are sent a build with that builder before either fails: one warning, as for
    # a machine down.
    drvs = python_drvs(tmp_path, OTHER_PYTHON)
    (tmp_path / "meet").mkdir()
    (tmp_path / "meeting").write_text(MEETING + f'exec {sys.executable} -m pybuild "$@"\n')
    (tmp_path / "meeting").chmod(0o755)
    monkeypatch.setenv("MEET", str(tmp_path / "meet"))
    fake_ssh(tmp_path, monkeypatch, str(tmp_path / "meeting"))
    machine = f"ssh://x?home={tmp_path / 'remote'} - - 2"
    result = pybuild("build", "-f", drvs, "first", "second", "-j", "0", "--builders", machine)
    assert result.returncode == 0, result.stderr
    assert len(os.listdir(tmp_path / "meet")) == 2  # both were sent there
    assert result.stderr.count("warning: remote builder ssh://x") == 1, result.stderr
    assert built_on(pybuild_home) == {"first", "second"}


# -- over ssh ---------------------------------------------------------------------------------


@needs_sshd
def test_two_machines_share_the_work_and_every_store_verifies(
    farm: Path, sshd: Sshd, tmp_path: Path, pybuild_home: Path
) -> None:
    a, b = tmp_path / "remote-a", tmp_path / "remote-b"
    builders = f"{sshd.uri(a)}; {sshd.uri(b)}"
    result = pybuild("build", "-f", farm, "top", "--builders", builders)
    assert result.returncode == 0, result.stderr
    assert Path(result.stdout.strip(), "both").read_text() == "left\nright\n"
    # left and right can only finish together (each waits for the other): one on each.
    assert {"left", "right"} <= outputs(a) | outputs(b)
    assert len(built_on(a) & {"left", "right"}) == 1 == len(built_on(b) & {"left", "right"})
    assert "top" in built_on(a) | built_on(b) and built_on(pybuild_home) == set()
    assert {"left", "right", "top"} <= outputs(pybuild_home)
    # each remote build's log is kept here too, naming its machine: `pybuild log` reads it
    logged = pybuild("log", "-f", farm, "top")
    assert logged.returncode == 0, logged.stderr
    assert logged.stdout.startswith(f"{REMOTE_LOG_HEADER}ssh://root@127.0.0.1:")
    assert verified(pybuild_home) and verified(a) and verified(b)


@needs_sshd
def test_an_unreachable_machine_is_marked_down_and_the_build_done_here(
    farm: Path, sshd: Sshd, tmp_path: Path, pybuild_home: Path
) -> None:
    closed = f"ssh://root@127.0.0.1:{_closed_port()}?home={tmp_path / 'remote-a'}"
    result = pybuild("build", "-f", farm, "bad", "slow", "-k", "--builders", closed)
    assert "remote builder ssh://root@127.0.0.1" in result.stderr
    assert "ssh said:" in result.stderr and "no more builds" in result.stderr
    assert result.stderr.count("no more builds") == 1  # asked once, then left alone
    assert {"bad", "slow"} <= built_on(pybuild_home)


def _closed_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # nothing listens there once the socket is closed


@needs_sshd
def test_the_log_of_a_remote_failure_comes_back(
    farm: Path, sshd: Sshd, tmp_path: Path, pybuild_home: Path
) -> None:
    result = pybuild("build", "-f", farm, "bad", "--builders", sshd.uri(tmp_path / "remote-a"))
    assert result.returncode != 0
    assert "build of bad failed: builder exited with status 3 (on ssh://" in result.stderr
    assert "something went wrong" in result.stderr and "on its second line" in result.stderr
    assert "Traceback" not in result.stderr
    # the whole log came back too, where a local build's goes
    log = re.search(r"full log: (\S+)", result.stderr)
    assert log is not None and log.group(1).startswith(str(pybuild_home / "var" / "log"))
    logged = pybuild("log", "-f", farm, "bad")
    assert logged.stdout.splitlines()[1:] == ["something went wrong", "on its second line"]


@needs_sshd
def test_a_remote_killed_mid_build_leaves_the_build_to_this_machine(
    farm: Path, sshd: Sshd, tmp_path: Path, pybuild_home: Path
) -> None:
    remote = tmp_path / "remote-a"
    build = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pybuild",
            "build",
            "-f",
            farm,
            "slow",
            "--builders",
            sshd.uri(remote),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        marker = tmp_path / "slow.pid"
        for _ in range(1200):  # until the remote builder runs (it writes its pid)
            if (marker.exists() and marker.read_text().strip()) or build.poll() is not None:
                break
            time.sleep(0.05)
        assert marker.exists(), build.communicate()
        os.kill(_serving(remote), signal.SIGKILL)
        stdout, stderr = build.communicate(timeout=120)
    finally:
        (tmp_path / "slow.go").touch()  # the orphaned remote builder ends too
        if build.poll() is None:
            build.kill()
    assert build.returncode == 0, stderr
    assert "no more builds" in stderr
    # Told as the one derivation of the plan it is, built here after the remote failed;
    # nothing of the remote pybuild's progress is quoted as what ssh said, and no hint
    # about reaching the machine, which was reached.
    assert stderr.count("derivation will be built") == 1
    assert stderr.count("[1/1] building") == 2 and "[2/" not in stderr
    assert "hint:" not in stderr
    assert Path(stdout.strip()).read_text() == "built\n"
    assert outputs(remote) == set()  # nothing of the killed build was registered there
    assert verified(pybuild_home) and verified(remote)


def _serving(home: Path) -> int:
    """The pid of the ``pybuild serve`` process for `home` (started over ssh by the test)."""
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                argv = Path("/proc", entry, "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            if b"serve" in argv and os.fsencode(home) in argv:
                return int(entry)
    raise AssertionError(f"no pybuild serve process for {home}")


@needs_sshd
def test_fixture_sdists_and_their_environment_build_on_the_remote_and_arrive_registered(
    sshd: Sshd,
    build_index: BuildIndex,
    use_index: BuildIndex,
    tmp_path: Path,
    pybuild_home: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name, value in client_environ(sshd).items():
        monkeypatch.setenv(name, value)
    recipes = write_fixture_recipes(tmp_path / "recipes", build_index, ["shout", "greet"])
    remote = tmp_path / "remote"
    result = pybuild("build", "--recipes", recipes, "greet", "--builders", sshd.uri(remote))
    assert result.returncode == 0, result.stderr
    # greet, the last to be ready, finds the remote free; the others may have been built here
    # while it was busy (local builds fill in).
    there = built_on(remote)
    assert "greet-1.0" in {n.partition("-")[2] for n in there}, there
    greet = Path(result.stdout.strip())
    assert subprocess.run([greet / "bin" / "greet"], capture_output=True).returncode == 0
    # An environment only links its closure: it is built here, not sent there with it.
    before = built_on(remote)
    env_file = tmp_path / "env.py"
    env_file.write_text(
        "from pybuild.pkgset import DEFAULT_RECIPES, package_set\n"
        f"pkgs = package_set(recipes=[DEFAULT_RECIPES, {str(recipes)!r}])\n"
        "env = pkgs.python.with_packages(lambda ps: [ps.greet])\n"
    )
    result = pybuild("build", "-f", env_file, "env", "--builders", sshd.uri(remote))
    assert result.returncode == 0, result.stderr
    assert built_on(remote) == before
    env = Path(result.stdout.strip())
    assert subprocess.run([env / "bin" / "python", "-c", "import greet"]).returncode == 0
    assert verified(pybuild_home) and verified(remote)
