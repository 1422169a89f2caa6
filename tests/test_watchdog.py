"""The watchdog: what the builds of a pybuild killed by SIGKILL left running dies with it.

(Its groups and tags are tested with the builders in test_processes.py.)
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from pybuild.buildusers import FIRST_UID, POOL_SIZE
from pybuild.store import remove_tree

ROOT = Path(__file__).resolve().parent.parent


def running(marker: str) -> list[int]:
    """The live processes running ``sleep <marker>``: a duration no other process sleeps."""
    found = []
    for name in filter(str.isdigit, os.listdir("/proc")):
        with contextlib.suppress(OSError):
            if Path(f"/proc/{name}/cmdline").read_bytes() == f"sleep\0{marker}\0".encode():
                state = Path(f"/proc/{name}/stat").read_text().rpartition(")")[2].split()[0]
                if state not in ("Z", "X"):
                    found.append(int(name))
    return found


@pytest.fixture
def top() -> Iterator[Path]:
    """A folder of /tmp that a build user may enter (pytest's own are of mode 0700)."""
    folder = Path(tempfile.mkdtemp(prefix="pybuild-watchdog-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        remove_tree(folder)


@pytest.mark.skipif(os.geteuid() != 0, reason="build users are root's")
def test_a_killed_pybuild_takes_its_build_users_processes_with_it_before_the_uid_is_free(
    top: Path,
) -> None:
    """A daemon of a build outside the sandbox started in a session of its own with an empty
    environment (``setsid env -i``) is in no group the watchdog kills and has no build's tag:
    it ran on as the build uid. The watchdog kills every process of the uids its pybuild's
    builds held, and holds their locks until then, so no build gets the uid before. (A pool
    and uids of the test's own: the machine's builds are not to be killed.)"""
    first = FIRST_UID + POOL_SIZE // 2 + POOL_SIZE // 4
    pool = top / "pool"
    marker = f"1000.{uuid.uuid4().int % 10**9:09d}"
    script = textwrap.dedent(
        f"""
        from pybuild import buildusers
        from pybuild.derivations import derivation
        from pybuild.realiser import BuildOptions, realise
        buildusers.FIRST_UID, buildusers._MACHINE_POOL = {first}, {str(pool)!r}
        args = ["-c", "( setsid env -i sleep {marker} & ); exec sleep 1000"]
        drv = derivation(name="daemon", builder="/bin/sh", args=args)
        realise([drv], options=BuildOptions(sandbox="false"))
        """
    )
    (top / "tmp").mkdir(mode=0o755)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(top / "tmp")}
    env.update(PYBUILD_HOME=str(top / "home"), PYBUILD_BUILD_USERS="true")
    pybuild = subprocess.Popen([sys.executable, "-c", script], env=env)
    try:
        deadline = time.monotonic() + 30
        while not running(marker) and pybuild.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        [daemon] = running(marker)
        assert os.stat(f"/proc/{daemon}").st_uid == first
        pybuild.kill()
        pybuild.wait()
        lock = os.open(pool / str(first), os.O_RDWR)
        try:
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                try:
                    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    time.sleep(0.01)
            else:
                pytest.fail("the uid was not let go")
            assert running(marker) == []  # dead before the uid was free
        finally:
            os.close(lock)
    finally:
        pybuild.kill()
        pybuild.wait()
        for pid in running(marker):
            os.kill(pid, signal.SIGKILL)
