"""Builder processes: nothing a builder starts outlives its build.

A builder may leave processes behind: ``sleep 1000 &``, or a daemon that calls setsid() and
forks twice. In the sandbox the PID namespace ends them with the builder; without it they
would keep running after the build, write into an output already registered, and outlive
the build lock. So, for every builder:

- It runs in a session and process group of its own, and that group is killed as soon as the
  builder exits, successful or not. Until then the builder is left unreaped (a zombie), so
  no other process can take the group's number before the group is killed.
- While builders run, this process is a child subreaper (Linux's ``PR_SET_CHILD_SUBREAPER``):
  a process that leaves the group is handed to us, not to init, when its parent exits. After
  each build, these orphans are killed and reaped, except those that still belong to a build
  that is running (with ``-j``): in a running builder's session, or with a running build's
  tag in their environment (a daemon leaves the session but keeps the environment). Children
  in our own session, or there before builders ran, are not a builder's and are left alone.
- A builder outside the sandbox is watched (:mod:`pybuild.watchdog`): a pybuild killed with
  SIGKILL takes the builder's group with it. (In the sandbox, bubblewrap's
  ``--die-with-parent`` and its PID namespace do that.)
- A run of builds that is interrupted (Ctrl-C, SIGTERM) kills every builder's group at once
  (:func:`stop_builds`), and no builder starts after that in the run: the threads running the
  other builds then clean up as after a failure, instead of the interruption waiting for them.

Example::

    >>> argv = ["/bin/sh", "-c", "sleep 60 & echo started"]
    >>> with open(tmp / "build.log", "wb") as log, start(
    ...     argv, cwd=tmp, env={"T": "1"}, log=log, tag="T=1"
    ... ) as builder:
    ...     builder.wait(timeout=None)
    True
    >>> builder.returncode, (tmp / "build.log").read_text()
    (0, 'started\\n')

The ``sleep`` it left behind was killed when the block ended.
"""

from __future__ import annotations

import contextlib
import functools
import os
import select
import signal
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from types import TracebackType

from . import watchdog

TYPE_CHECKING = False  # typing: an import no command needs at run time
if TYPE_CHECKING:
    from typing import IO

__all__ = [
    "Builder",
    "also_stopped",
    "exited",
    "in_group_below",
    "run_of_builds",
    "start",
    "stop_builds",
    "stopped",
    "stopping",
]

_PR_SET_CHILD_SUBREAPER = 36
_PR_GET_CHILD_SUBREAPER = 37


def start(
    argv: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str],
    log: IO[bytes],
    tag: str,
    dies_with_us: bool = False,
) -> Builder:
    """Start `argv` as a builder writing to `log`; OSError if it cannot be started.

    `tag` is a ``NAME=VALUE`` of `env` that no other build has: it tells this build's
    processes from a concurrent build's. `dies_with_us` says that `argv` ends itself when
    this process does (``bwrap --die-with-parent``); otherwise the watchdog sees to it. Use
    the result as a context manager: leaving it kills whatever is left of the build.
    """
    watched = None if dies_with_us else tag
    if watched:
        watchdog.watch(watched)  # before it starts: a pybuild killed at once still takes it
    with _REAPER.lock:  # no sweep may see the new builder before it is registered
        _REAPER.enter()
        try:
            if _REAPER.stopping:
                raise stopped()
            popen = subprocess.Popen(
                argv,
                cwd=cwd,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        except BaseException:
            _REAPER.leave()
            if watched:
                watchdog.forget(watched)
            raise
        _REAPER.running[popen.pid] = tag
    if watched:
        watchdog.watch_group(popen.pid)  # the builder leads a group of its own
    return Builder(popen, watched)


class Builder:
    """A running builder; see :func:`start`."""

    def __init__(self, popen: subprocess.Popen[bytes], watched: str | None) -> None:
        self._popen = popen
        self._watched = watched  # its tag, if the watchdog watches it

    @property
    def returncode(self) -> int:
        """The exit status (negative: killed by that signal), read after the `with` block."""
        return self._popen.wait()

    def wait(self, timeout: float | None) -> bool:
        """Whether the builder exited within `timeout` seconds (None: no limit)."""
        return exited(self._popen, timeout)

    def __enter__(self) -> Builder:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Kill the builder's group, reap the builder, then kill and reap its orphans."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self._popen.pid, signal.SIGKILL)
        if self._watched:  # before the reaping: until then no other group can have its number
            watchdog.forget_group(self._popen.pid)
        with _REAPER.lock:  # reaped under it: stop_builds() never signals a group number freed
            self._popen.wait()
            del _REAPER.running[self._popen.pid]
            _REAPER.sweep()
            _REAPER.leave()
        if self._watched:  # its processes are gone; its build folder is not yet
            watchdog.forget(self._watched)


@contextlib.contextmanager
def run_of_builds() -> Iterator[None]:
    """Keep what builders need from the first to start until the end of a run of builds,
    not one build at a time: making this process a subreaper, and listing the children it had
    before, cost a build of a chain of small ones (200 ``/bin/sh`` builds) 6% of its time."""
    with _REAPER.lock:
        _REAPER.holds += 1
    try:
        yield
    finally:
        with _REAPER.lock:
            _REAPER.holds -= 1
            if _REAPER.holds == 0:
                _REAPER.stopping = False  # the interrupted run is over: a new one may build
            _REAPER.settle()


def stop_builds() -> None:
    """Kill the group of every builder running in this process, and let no other builder
    start until the run of builds (:func:`run_of_builds`) ends, for an interrupted run.

    Ctrl-C or SIGTERM interrupts only the main thread; a build running in another thread would
    go on until its builder ended (hours, for a compiler), and so would the interruption, which
    waits for that thread, and a thread between two steps would start its next builder. Each
    killed builder's thread then sees it fail, and cleans up as after any failure.
    """
    with _REAPER.lock:
        _REAPER.stopping = True
        for pid in _REAPER.running:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
        stoppers = list(_REAPER.stoppers.values())
    for stop in stoppers:
        stop()


def stopping() -> bool:
    """Whether the run of builds under way was stopped (:func:`stop_builds`): no build may
    start, here or on another machine."""
    with _REAPER.lock:
        return _REAPER.stopping


def stopped() -> KeyboardInterrupt:
    """What a build raises when it finds the run stopped: the interruption, not a failure of
    its own, so that nothing is reported or retried for it."""
    return KeyboardInterrupt("the run of builds was interrupted")


@contextlib.contextmanager
def also_stopped(stop: Callable[[], None]) -> Iterator[None]:
    """While in the block, an interrupted run of builds (:func:`stop_builds`) calls `stop`
    too: for a build's work that is no builder of this machine, such as the ssh that a remote
    builder's build runs over (a group of its own, which Ctrl-C at the terminal misses). A run
    already stopped raises :func:`stopped` at once: that work must not begin."""
    key = object()
    with _REAPER.lock:
        if _REAPER.stopping:
            raise stopped()
        _REAPER.stoppers[key] = stop
    try:
        yield
    finally:
        with _REAPER.lock:
            del _REAPER.stoppers[key]


def exited(popen: subprocess.Popen[bytes], timeout: float | None) -> bool:
    """Wait for `popen` to exit without reaping it (a pidfd becomes readable at its exit):
    until it is reaped, no other process or group can take its number, so its group can
    still be killed safely."""
    try:
        pidfd = os.pidfd_open(popen.pid)
    except (AttributeError, OSError):  # not Linux >= 5.3: reap it (a tiny reuse window)
        try:
            popen.wait(timeout)
        except subprocess.TimeoutExpired:
            return False
        return True
    try:
        poller = select.poll()
        poller.register(pidfd, select.POLLIN)
        return bool(poller.poll(None if timeout is None else timeout * 1000))
    finally:
        os.close(pidfd)


class _Reaper:
    """The builders running in this process, and the subreaper flag while any runs."""

    def __init__(self) -> None:
        self.lock = threading.Lock()  # held to start a builder, and to sweep
        self.running: dict[int, str] = {}  # builder pid -> its tag
        self.holds = 0  # runs of builds under way (:func:`run_of_builds`)
        self.stopping = False  # the runs under way were interrupted: no builder may start
        self.stoppers: dict[object, Callable[[], None]] = {}  # see also_stopped()
        self._users = 0
        self._active = False  # whether this process is a subreaper by our doing
        self._was_subreaper = 0
        self._before: set[int] = set()  # children from before: none is a builder's orphan

    def enter(self) -> None:
        """Orphans of builders come to this process from now on."""
        prctl = _prctl()
        if not self._active and prctl is not None:
            self._was_subreaper = _get_subreaper(prctl)
            prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
            self._before = {pid for pid, _, _ in _children(os.getpid())}
            self._active = True
        self._users += 1

    def leave(self) -> None:
        self._users -= 1
        self.settle()

    def settle(self) -> None:
        """The flag is put back as it was once no builder runs and no run of builds is under
        way (pybuild may be a library)."""
        if self._active and self._users == 0 and self.holds == 0:
            prctl = _prctl()
            assert prctl is not None  # active: it was set with it
            prctl(_PR_SET_CHILD_SUBREAPER, self._was_subreaper, 0, 0, 0)
            self._active = False

    def sweep(self) -> None:
        """Kill and reap the orphans of finished builds; again for their own children, which
        are handed to us as they die. (Off Linux no orphan comes to us.)"""
        if _prctl() is None:
            return
        ours = os.getsid(0)
        while orphans := [p for p, _, sid in _children(os.getpid()) if self._left(p, sid, ours)]:
            for pid in orphans:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
            for pid in orphans:
                with contextlib.suppress(ChildProcessError):
                    os.waitpid(pid, 0)

    def _left(self, pid: int, session: int, ours: int) -> bool:
        """Whether child `pid` (in `session`) is left behind by a finished build.

        Children in our own session `ours`, or there before builders ran, were started by
        other code of this process, not by a builder: builders have sessions of their own.
        """
        if pid in self.running or pid in self._before or watchdog.is_watchdog(pid):
            return False
        if session in self.running or session == ours:
            return False
        return not _has_tag(pid, set(self.running.values()))


def in_group_below(root: int) -> list[int]:
    """The processes below `root` (its children, theirs…) that are in its process group: the
    ones a terminal's Ctrl-C would reach with it. A command ``sh -c`` runs is one, as dash does not
    exec even a single command; a job an interactive shell put in a group of its own, or a
    daemon in a session of its own, is not (nor what is below it). Without ``/proc`` (off
    Linux) none is known."""
    if not os.path.isdir("/proc"):
        return []
    group = os.getpgid(root)
    found, parents = [], [root]
    while parents:
        below = [pid for parent in parents for pid, pgrp, _ in _children(parent) if pgrp == group]
        found += below
        parents = below
    return found


def _children(parent: int) -> Iterator[tuple[int, int, int]]:
    """The pid, process group and session of each child of `parent`, zombies included.

    The kernel lists each thread's children (``/proc/PID/task/TID/children``): reading them
    costs a file per thread of ours, where scanning ``/proc`` costs one per process of the
    machine (on a shared one, a third of a small build's time). Without that file (a kernel
    built without it), ``/proc`` is scanned.
    """
    pids = _listed_children(parent)
    candidates = pids if pids is not None else (e.name for e in os.scandir("/proc"))
    for name in candidates:
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                # After the name (in parentheses, any bytes): state, ppid, pgrp, session.
                fields = f.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            continue  # it has exited meanwhile
        if int(fields[1]) == parent:
            yield int(name), int(fields[2]), int(fields[3])


def _listed_children(parent: int) -> list[str] | None:
    """The children the kernel lists for `parent`'s threads; None if it keeps no such lists."""
    if not os.path.exists(f"/proc/{parent}/task/{parent}/children"):
        return None
    found: list[str] = []
    for thread in os.listdir(f"/proc/{parent}/task"):
        try:
            with open(f"/proc/{parent}/task/{thread}/children", "rb") as f:
                found += f.read().decode().split()
        except OSError:
            continue  # the thread ended meanwhile
    return found


def _has_tag(pid: int, tags: set[str]) -> bool:
    """Whether process `pid` started with one of `tags` in its environment."""
    if not tags:
        return False
    try:
        environ = Path(f"/proc/{pid}/environ").read_bytes().split(b"\0")
    except OSError:
        return False
    return any(os.fsencode(tag) in environ for tag in tags)


@functools.cache
def _prctl() -> Callable[..., int] | None:
    """libc's prctl on Linux, else None (no subreaper: orphans go to init)."""
    if sys.platform != "linux":
        return None
    import ctypes

    prctl: Callable[..., int] = ctypes.CDLL(None, use_errno=True).prctl
    return prctl


def _get_subreaper(prctl: Callable[..., int]) -> int:
    import ctypes

    flag = ctypes.c_int(0)
    prctl(_PR_GET_CHILD_SUBREAPER, ctypes.byref(flag), 0, 0, 0)
    return flag.value


_REAPER = _Reaper()
