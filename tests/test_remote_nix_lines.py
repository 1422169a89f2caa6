"""Machine lines as Nix writes them: a host without ssh://, and the host's public key."""

from __future__ import annotations

import base64
import os
import shlex
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_remote import built_on, needs_sshd, outputs, pybuild

from pybuild.remote.errors import MachinesError
from pybuild.remote.machines import parse_machines
from support.sshd import Sshd, client_environ, running_sshd


def test_a_host_without_a_scheme_is_reached_over_ssh() -> None:
    plain, with_key = parse_machines("root@build1; build2?home=/srv/b - /k/id 4")
    assert (plain.user, plain.host, plain.uri) == ("root", "build1", "root@build1")
    assert (with_key.host, with_key.home, with_key.ssh_key, with_key.jobs) == (
        "build2",
        "/srv/b",
        "/k/id",
        4,
    )
    with pytest.raises(MachinesError, match="is not ssh://"):
        parse_machines("http://host")


def test_an_ssh_ng_uri_is_reached_over_ssh_as_ssh_is() -> None:
    """Nix's other ssh scheme, whose lines farm.md says work as they are, was refused."""
    [machine] = parse_machines("ssh-ng://root@h:2222?home=/srv/b - /k/id 4")
    assert (machine.uri, machine.user, machine.host, machine.port, machine.home) == (
        "ssh-ng://root@h:2222?home=/srv/b",
        "root",
        "h",
        2222,
        "/srv/b",
    )
    assert machine.ssh_command([], "pybuild")[-2:] == [
        "root@h",
        "pybuild serve --stdio --home /srv/b",
    ]
    with pytest.raises(MachinesError, match="is not ssh://"):
        parse_machines("ssh-ngx://h")


def test_nix_s_eighth_column_is_the_host_s_public_key() -> None:
    line = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJ0cbb4JrAQyKJ4qvaGkBe4bS2cDmNYqH0n0YCmbqPJ0"
    key = base64.b64encode(line.encode()).decode()
    [machine] = parse_machines(f"ssh://b - - 1 1 - - {key}")
    assert machine.host_key == line
    [none] = parse_machines("ssh://b - - 1 1 - - -")
    assert none.host_key is None
    argv = machine.ssh_command([], "pybuild", known_hosts="/k/hosts")
    assert "UserKnownHostsFile=/k/hosts" in argv and "StrictHostKeyChecking=yes" in argv
    for bad in ("not-base64!", base64.b64encode(b"just-one-word").decode()):
        with pytest.raises(MachinesError, match="public host key"):
            parse_machines(f"ssh://b - - 1 1 - - {bad}")
    with pytest.raises(MachinesError, match="9 columns, at most 8"):
        parse_machines(f"ssh://b - - 1 1 - - {key} more")


@pytest.fixture(scope="module")
def sshd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sshd]:
    with running_sshd(tmp_path_factory.mktemp("sshd")) as server:
        yield server


@needs_sshd
@pytest.mark.parametrize("right", [True, False])
def test_the_host_key_of_the_machine_line_is_the_one_ssh_accepts(
    sshd: Sshd, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pybuild_home: Path, right: bool
) -> None:
    # No known_hosts among ssh's options: only the machine line's key lets ssh in.
    for name, value in client_environ(sshd).items():
        monkeypatch.setenv(name, value)
    identity = sshd.ssh_options[sshd.ssh_options.index("-i") + 1]
    options = ["-F", os.devnull, "-i", identity, "-o", "IdentitiesOnly=yes"]
    monkeypatch.setenv("PYBUILD_SSH_OPTIONS", shlex.join(options))
    if right:
        public = Path(identity).with_name("host_key.pub")
    else:
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", tmp_path / "k"])
        public = tmp_path / "k.pub"
    key = base64.b64encode(public.read_bytes().strip()).decode()
    remote = tmp_path / "remote"
    (tmp_path / "hello.py").write_text(
        "from pybuild import derivation\n"
        "hello = derivation(name='hello', builder='/bin/sh', args=['-c', 'echo hi > $out'])\n"
    )
    machine = f"ssh://root@127.0.0.1:{sshd.port}?home={remote} - - 1 1 - - {key}"
    result = pybuild("build", "-f", tmp_path / "hello.py", "hello", "--builders", machine)
    assert result.returncode == 0, result.stderr
    if right:
        assert outputs(remote) == {"hello"}, result.stderr
    else:
        assert "Host key verification failed" in result.stderr
        assert built_on(pybuild_home) == {"hello"}
        # not 'reaches it without a password': the key of the line's 8th column is wrong
        hint = result.stderr.partition("hint: ")[2]
        assert hint.startswith("the host key in the 8th column of this machine's line"), hint
        assert "without a password" not in hint
        assert "base64 -w0 /etc/ssh/ssh_host_" in hint and "ssh-keyscan" in hint
        scan = next(c for c in hint.split("`") if c.startswith("ssh-keyscan"))
        assert f"-p {sshd.port} 127.0.0.1" in scan
        host_key = Path(identity).with_name("host_key.pub").read_text().split()[:2]
        got = subprocess.run(scan, shell=True, capture_output=True, text=True, check=True)
        [scanned] = parse_machines(f"ssh://b - - 1 1 - - {got.stdout}")
        assert scanned.host_key == " ".join(host_key)  # what the hint runs gives the column
