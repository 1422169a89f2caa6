"""Nothing a builder starts outlives its build (without the sandbox, whose PID namespace does it).

The builders here leave processes behind the ways real ones do: a background job, and a daemon
that calls setsid() and forks twice. Each such process carries a marker unique to the test in
its command line, so that no process of anything else is mistaken for it.
"""

from __future__ import annotations

import io
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path

import pytest

from pybuild.derivations import Derivation, derivation
from pybuild.realiser import BuildOptions, realise
from pybuild.results import statuses
from pybuild.store import Store
from pybuild.store.gc import collect_garbage

ROOT = Path(__file__).resolve().parent.parent

# A daemon: forks, the child makes a session of its own and forks again, the grandchild writes
# its pid to argv[2] and sleeps; the first two exit at once.
DAEMON = textwrap.dedent(
    """
    import os, sys, time
    if os.fork():
        sys.exit(0)
    os.setsid()
    if os.fork():
        os._exit(0)
    with open(sys.argv[2] + ".tmp", "w") as f:
        f.write(str(os.getpid()))
    os.rename(sys.argv[2] + ".tmp", sys.argv[2])
    time.sleep(1000)
    """
)
SLEEPER = "import sys, time; time.sleep(1000)"


def wait_for(path: str) -> str:
    """A shell loop that waits (at most 30 s) until `path` exists."""
    return f'i=0; while [ ! -e "{path}" ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i+1)); done'


def leaving_builder(name: str, marker: str, pids: Path, script: str = "", **env: str) -> Derivation:
    """A build that starts a background job and a daemon, then `script`, and succeeds."""
    python = sys.executable
    return derivation(
        name=name,
        builder="/bin/sh",
        args=[
            "-c",
            f"{python} -c '{SLEEPER}' {marker} & echo $! > {pids}/background; "
            f'{python} -c "$daemon" {marker} {pids}/daemon; {wait_for(f"{pids}/daemon")}; '
            f'{script} echo done > "$out"',
        ],
        env={"daemon": DAEMON, **env},
    )


def marked(marker: str) -> list[int]:
    """The processes whose command line holds `marker`."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and marker.encode() in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def state(pid: int) -> str:
    """The state letter of `pid` (``Z`` for a zombie), or ``""`` once it is reaped."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return ""


def dies(pid: int, wait: float = 10.0) -> bool:
    """Whether `pid` is dead (reaped, or a zombie) within `wait` seconds."""
    deadline = time.monotonic() + wait
    while state(pid) not in ("", "Z", "X"):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def kill_marked(marker: str) -> None:
    """Clean up after a failing test: no process of it may outlive the test run."""
    for pid in marked(marker):
        os.kill(pid, signal.SIGKILL)


def subreaper_flag() -> int:
    import ctypes

    flag = ctypes.c_int(0)
    ctypes.CDLL(None).prctl(37, ctypes.byref(flag), 0, 0, 0)  # PR_GET_CHILD_SUBREAPER
    return flag.value


def test_nothing_a_builder_leaves_behind_outlives_its_build(store: Store, tmp_path: Path) -> None:
    marker = f"pybuild-test-{uuid.uuid4().hex}"
    pids = tmp_path / "pids"
    pids.mkdir()
    drv = leaving_builder("leaver", marker, pids)
    try:
        assert realise([drv], store, BuildOptions(log=io.StringIO()))[drv].status == "built"
        assert marked(marker) == []
        for name in ("background", "daemon"):  # killed and reaped: not even a zombie is left
            assert state(int((pids / name).read_text())) == "", name
        assert subreaper_flag() == 0  # put back as it was once the builds are done
    finally:
        kill_marked(marker)


def test_a_concurrent_builds_processes_are_left_to_it(store: Store, tmp_path: Path) -> None:
    """With -j, the end of one build kills nothing of another that is still running."""
    marker = f"pybuild-test-{uuid.uuid4().hex}"
    pids = tmp_path / "pids"
    pids.mkdir()
    # The quick build ends once the slow one has started its daemon; the slow one waits until
    # the quick one is in the store, which is after its clean-up, then looks whether its own
    # daemon and background job are still there.
    quick_script = f'{wait_for(f"{pids}/daemon")}; echo q > "$out"'
    quick = derivation(name="quick", builder="/bin/sh", args=["-c", quick_script])
    # (The path is given in two parts: written whole, it would make quick an input of slow.)
    check = (
        f"{wait_for(f'{store.dir}/$quick')}; "
        f"kill -0 $(cat {pids}/daemon) $(cat {pids}/background) && echo alive > {pids}/seen;"
    )
    slow = leaving_builder("slow", marker, pids, check, quick=quick.output_paths["out"])
    try:
        fates = statuses(realise([quick, slow], store, BuildOptions(log=io.StringIO(), jobs=2)))
        assert fates == {quick: "built", slow: "built"}
        assert (pids / "seen").read_text() == "alive\n"
        assert marked(marker) == []
    finally:
        kill_marked(marker)


@pytest.mark.skipif(shutil.which("setpriv") is None, reason="needs setpriv (util-linux)")
def test_a_killed_pybuild_takes_its_builder_with_it(tmp_path: Path) -> None:
    pid_file = tmp_path / "builder.pid"
    script = textwrap.dedent(
        f"""
        from pybuild.derivations import derivation
        from pybuild.realiser import BuildOptions, realise
        drv = derivation(
            name="long", builder="/bin/sh",
            args=["-c", "echo $$ > {pid_file}.tmp; mv {pid_file}.tmp {pid_file}; exec sleep 1000"],
        )
        realise([drv], options=BuildOptions(sandbox="false"))
        """
    )
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(tmp)}
    pybuild = subprocess.Popen([sys.executable, "-c", script], env=env)
    builder = 0
    try:
        deadline = time.monotonic() + 30
        while not pid_file.exists() and pybuild.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        builder = int(pid_file.read_text())
        pybuild.kill()
        pybuild.wait()
        assert dies(builder)
        # Its build folder, which a killed process cannot remove, goes with the next gc.
        [left] = tmp.iterdir()
        assert left.name.startswith("pybuild-build-long-")
        assert str(left) in collect_garbage(Store.default(), scan_processes=False).tmp_dirs
        assert list(tmp.iterdir()) == []
    finally:
        pybuild.kill()
        pybuild.wait()
        if builder and not dies(builder, wait=0):
            os.kill(builder, signal.SIGKILL)


def test_the_children_listed_by_the_kernel_are_those_a_scan_of_proc_finds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Children started by any thread, and exited ones not yet reaped, are found either way."""
    import threading

    from pybuild import processes

    started: list[subprocess.Popen[bytes]] = []
    thread = threading.Thread(target=lambda: started.append(subprocess.Popen(["sleep", "30"])))
    thread.start()
    thread.join()
    started.append(subprocess.Popen(["true"]))
    while not Path(f"/proc/{started[-1].pid}/stat").read_text().split(")")[-1].startswith(" Z"):
        time.sleep(0.01)  # exited, not reaped: a zombie is a child too
    try:
        listed = sorted(processes._children(os.getpid()))
        monkeypatch.setattr(processes, "_listed_children", lambda parent: None)
        scanned = sorted(processes._children(os.getpid()))
        assert listed == scanned
        assert {p.pid for p in started} <= {pid for pid, _ in listed}
    finally:
        for popen in started:
            popen.kill()
            popen.wait()
