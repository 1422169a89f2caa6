"""An OpenSSH server on a free loopback port, with its own host key and one authorized key.

Tests of remote builders reach "machines" through it: each machine is another pybuild home on
this host, served by ``pybuild serve --stdio`` run over ssh. The client side is told where
the identity and the known host key are through the ``ssh_options`` setting, and how to run
this checkout's pybuild there through ``remote_pybuild``; nothing reads ``~/.ssh``.
"""

from __future__ import annotations

import os
import shlex
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

__all__ = ["SSHD", "Sshd", "client_environ", "running_sshd"]

SSHD = shutil.which("sshd") or "/usr/sbin/sshd"
_CHECKOUT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Sshd:
    """A running server: its port and the client's options (identity, known hosts)."""

    port: int
    ssh_options: tuple[str, ...]

    def uri(self, home: Path, jobs: int = 1) -> str:
        """The machine line of a pybuild home on this server."""
        return f"ssh://root@127.0.0.1:{self.port}?home={home} - - {jobs}"


def client_environ(server: Sshd) -> dict[str, str]:
    """Settings that make the local pybuild reach `server` and run this checkout there.

    The remote runs without the sandbox and build users, as the tests' local builds do
    (tests/conftest.py).
    """
    settings = "PYBUILD_SANDBOX=false PYBUILD_BUILD_USERS=false"
    remote = f"env PYTHONPATH={_CHECKOUT} {settings} {sys.executable} -m pybuild"
    return {
        "PYBUILD_SSH_OPTIONS": shlex.join(server.ssh_options),
        "PYBUILD_REMOTE_PYBUILD": remote,
    }


@contextmanager
def running_sshd(folder: Path) -> Iterator[Sshd]:
    """Start ``sshd -D`` for root on 127.0.0.1; stopped (by its pid) when the block ends."""
    folder.mkdir(parents=True, exist_ok=True)
    for key in ("host_key", "id"):
        subprocess.run(
            ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(folder / key)], check=True
        )
    shutil.copy(folder / "id.pub", folder / "authorized_keys")
    port = _free_port()
    (folder / "sshd_config").write_text(
        f"Port {port}\nListenAddress 127.0.0.1\nHostKey {folder / 'host_key'}\n"
        f"AuthorizedKeysFile {folder / 'authorized_keys'}\nPidFile {folder / 'sshd.pid'}\n"
        "StrictModes no\nUsePAM no\nPasswordAuthentication no\n"
        "KbdInteractiveAuthentication no\nPermitRootLogin prohibit-password\nLogLevel ERROR\n"
    )
    host_key = " ".join((folder / "host_key.pub").read_text().split()[:2])
    (folder / "known_hosts").write_text(f"[127.0.0.1]:{port} {host_key}\n")
    Path("/run/sshd").mkdir(parents=True, exist_ok=True)  # sshd's privilege separation folder
    server = subprocess.Popen(
        [SSHD, "-D", "-f", str(folder / "sshd_config"), "-E", str(folder / "sshd.log")]
    )
    options = (
        "-F",
        os.devnull,
        "-i",
        str(folder / "id"),
        "-o",
        f"UserKnownHostsFile={folder / 'known_hosts'}",
        "-o",
        "StrictHostKeyChecking=yes",
        "-o",
        "IdentitiesOnly=yes",
    )
    try:
        _wait_for(port, server)
        yield Sshd(port, options)
    finally:
        server.terminate()
        server.wait()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for(port: int, server: subprocess.Popen[bytes]) -> None:
    """Until the server accepts connections (it fails at once on a bad configuration)."""
    for _ in range(200):
        if server.poll() is not None:
            raise RuntimeError(f"sshd exited with status {server.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("sshd does not accept connections")
