"""Nothing a builder starts outlives its build (without the sandbox, whose PID namespace does it).

The builders here leave processes behind the ways real ones do: a background job, and a daemon
that calls setsid() and forks twice. Each such process carries a marker unique to the test in
its command line, so that no process of anything else is mistaken for it.
"""

from __future__ import annotations

import contextlib
import io
import os
import signal
import subprocess
import sys
import textwrap
import threading
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


def test_a_run_of_builds_stays_a_subreaper_and_keeps_its_watchdog(tmp_path: Path) -> None:
    """Between the builds of a run the flag stays set; the sweep after each build spares the
    watchdog, though it is a child in a session of its own; the flag is put back at the end."""
    from pybuild import processes, watchdog

    def build() -> None:
        log = tmp_path / "log"
        with (
            log.open("wb") as out,
            processes.start(["true"], cwd=tmp_path, env={}, log=out, tag="T=1") as builder,
        ):
            assert builder.wait(None)

    with processes.run_of_builds():
        for _ in range(2):
            build()
            assert subreaper_flag() == 1
            assert state(watchdog._WATCHDOG.pid) not in ("", "Z")
    assert subreaper_flag() == 0


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


def sleeping(marker: str) -> list[int]:
    """The ``sleep`` processes of `marker` (not the commands that hold it in their arguments)."""
    found = []
    for pid in marked(marker):
        with contextlib.suppress(OSError):
            if Path(f"/proc/{pid}/cmdline").read_bytes().startswith(b"sleep\0"):
                found.append(pid)
    return found


def _sandboxes() -> list[str]:
    from pybuild.sandbox import _probe

    return ["false", "no group", "true"] if _probe()[0] is not None else ["false", "no group"]


@pytest.mark.parametrize("sandbox", _sandboxes())
def test_a_killed_pybuild_takes_its_builders_group_with_it(tmp_path: Path, sandbox: str) -> None:
    """Outside the sandbox the watchdog kills the group, and the processes with the build's
    tag ("no group": a pybuild killed before it could send the group); in the sandbox,
    bubblewrap kills everything. The builder and its background job are found by their
    command line (in the sandbox their own pids are the PID namespace's), a duration no other
    process sleeps."""
    marker = f"1000.{uuid.uuid4().int % 10**9:09d}"
    script = textwrap.dedent(
        f"""
        from pybuild import watchdog
        from pybuild.derivations import derivation
        from pybuild.realiser import BuildOptions, realise
        if {sandbox == "no group"}:
            watchdog.watch_group = lambda group: None
        drv = derivation(
            name="long", builder="/bin/sh", args=["-c", "sleep {marker} & exec sleep {marker}"]
        )
        realise([drv], options=BuildOptions(sandbox={"true" if sandbox == "true" else "false"!r}))
        """
    )
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(tmp)}
    pybuild = subprocess.Popen([sys.executable, "-c", script], env=env)
    try:
        deadline = time.monotonic() + 30
        while len(sleeping(marker)) < 2 and pybuild.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        builder, job = sleeping(marker)
        pybuild.kill()
        pybuild.wait()
        assert dies(builder) and dies(job)
        # Its build folder, which a killed process cannot remove, goes with the next gc.
        [left] = tmp.iterdir()
        assert left.name.startswith("pybuild-build-long-")
        assert str(left) in collect_garbage(Store.default(), scan_processes=False).tmp_dirs
        assert list(tmp.iterdir()) == []
    finally:
        pybuild.kill()
        pybuild.wait()
        kill_marked(marker)


def test_an_interrupted_run_kills_its_builders_starts_no_other_and_the_next_run_builds(
    store: Store, tmp_path: Path
) -> None:
    """Ctrl-C while builds run in the pool's threads: realise raises at once, with the builds'
    folders removed and their processes gone; the build queued behind them never starts; and
    the process builds again afterwards (a library's caller goes on)."""
    main = threading.get_ident()
    marker = f"1000.{uuid.uuid4().int % 10**9:09d}"
    sleeps = ["-c", f"sleep {marker} & exec sleep {marker}"]
    first = derivation(name="first", builder="/bin/sh", args=sleeps)
    second = derivation(name="second", builder="/bin/sh", args=[*sleeps, "second"])
    after = derivation(
        name="after", builder="/bin/sh", args=["-c", 'echo "$1" > "$out"', "after", first, second]
    )

    def interrupt_once_running() -> None:
        deadline = time.monotonic() + 30
        while len(sleeping(marker)) < 4 and time.monotonic() < deadline:
            time.sleep(0.05)
        signal.pthread_kill(main, signal.SIGINT)  # Ctrl-C, where Python handles it

    interrupter = threading.Thread(target=interrupt_once_running)
    interrupter.start()
    log = io.StringIO()
    start = time.monotonic()
    try:
        with pytest.raises(KeyboardInterrupt):
            realise([after], store, BuildOptions(log=log, jobs=2))
        assert time.monotonic() - start < 30
    finally:
        interrupter.join()
        kill_marked(marker)
    assert "building after" not in log.getvalue()
    assert sleeping(marker) == []
    assert not store.tmp_dir.exists() or os.listdir(store.tmp_dir) == []
    quick = [
        derivation(name=f"quick{i}", builder="/bin/sh", args=["-c", "echo > $out"])
        for i in range(2)
    ]
    assert statuses(
        realise(quick, store, BuildOptions(log=io.StringIO(), jobs=2))
    ) == dict.fromkeys(quick, "built")


def test_a_killed_watchdog_is_replaced_and_told_of_the_running_builders() -> None:
    from pybuild import watchdog

    first = subprocess.Popen(["sleep", "1000"], start_new_session=True)
    second = subprocess.Popen(["sleep", "1000"], start_new_session=True)
    try:
        watchdog.watch_group(first.pid)
        watchdog.watch("T=first")
        old = watchdog._WATCHDOG.pid
        os.kill(old, signal.SIGKILL)
        assert dies(old)
        watchdog.watch_group(second.pid)  # the pipe is broken: a new one is told of all
        assert watchdog._WATCHDOG.pid != old and watchdog.is_watchdog(watchdog._WATCHDOG.pid)
        told = {b"g%d" % first.pid, b"g%d" % second.pid, b"tT=first"}
        assert watchdog._WATCHDOG.watched >= told
    finally:
        watchdog.forget("T=first")
        for proc in (first, second):
            proc.kill()
            watchdog.forget_group(proc.pid)
            proc.wait()


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
        assert {p.pid for p in started} <= {pid for pid, _, _ in listed}
    finally:
        for popen in started:
            popen.kill()
            popen.wait()


def test_builds_go_on_where_no_watchdog_can_start(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An interpreter that cannot run another (sys.executable empty, as embedded) builds."""
    from pybuild import watchdog

    monkeypatch.setattr(watchdog, "_WATCHDOG", watchdog._Watchdog())
    monkeypatch.setattr(sys, "executable", "")
    drv = derivation(name="plain", builder="/bin/sh", args=["-c", "echo > $out"])
    assert realise([drv], store, BuildOptions(log=io.StringIO()))[drv].status == "built"
    assert watchdog._WATCHDOG.unavailable and watchdog._WATCHDOG.watched == set()


def test_a_forked_child_leaves_its_parents_watchdog_to_the_parent(tmp_path: Path) -> None:
    """The parent is killed while a child it forked lives on: the group it watched dies."""
    marker = f"1000.{uuid.uuid4().int % 10**9:09d}"
    script = textwrap.dedent(
        f"""
        import os, signal, subprocess, time
        from pybuild import watchdog
        job = subprocess.Popen(["sleep", "{marker}"], start_new_session=True)
        watchdog.watch_group(job.pid)
        if os.fork() == 0:
            time.sleep(60)  # a child that outlives its parent
            os._exit(0)
        os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    parent = subprocess.Popen([sys.executable, "-c", script], env=env)
    try:
        parent.wait(timeout=30)
        deadline = time.monotonic() + 10
        while sleeping(marker) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert sleeping(marker) == []
    finally:
        kill_marked(marker)
        for pid in marked("time.sleep(60)"):
            os.kill(pid, signal.SIGKILL)
