"""The watchdog: the builders of a pybuild that is killed die with it.

A builder runs in a process group of its own (:mod:`pybuild.processes`), which pybuild kills
when the build ends. A pybuild killed itself (SIGKILL, the kernel's out-of-memory killer) runs
no code to do so. The watchdog, a small process started with the first builder outside the
sandbox, does it for it. It reads, from a pipe whose only writer is pybuild, what it is to
watch and to forget: each build's tag (a ``NAME=VALUE`` in its builders' environment that no
other running build has), sent before the builder starts, and the builder's process group,
sent as soon as it is known. When the pipe ends, which the kernel sees to when pybuild ends
however it ends, it kills the groups still listed and every process whose environment holds a
tag still listed (a builder killed before its group was sent; a daemon that left the group),
then exits. A group is forgotten after it is killed and before its leader, the builder, is
reaped (until then no other group can take its number); a tag after the build's processes are
killed and before its build folder, which the tag names, is removed for another to take.

Nix gives its builder a parent-death signal between fork and exec. Python can only do that in
a ``preexec_fn`` (which runs Python in the child of a process with threads, and forks where
Popen could use vfork) or by running a program that sets it and then execs the builder
(``setpriv --pdeathsig KILL``): both cost 0.8 ms a build on top of 0.8 ms for the start of
``/bin/sh``, a fifth of a small build. The signal also reached only the builder, not the
processes it left in its group. The watchdog costs one process for the whole run, started
beside the first build. In the sandbox, bubblewrap's ``--die-with-parent`` and its PID
namespace already do the watchdog's work, so none is started for sandboxed builders.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading

__all__ = ["forget", "forget_group", "is_watchdog", "watch", "watch_group"]

# Run by the interpreter running pybuild (-I -S: nothing of the environment or site-packages);
# any Python 3 runs it. Records end with NUL, which no tag holds: +/- (watch, forget), then
# t (a tag) or g (a group).
_PROGRAM = """\
import os, signal, sys
watched = {b"t": set(), b"g": set()}
for record in sys.stdin.buffer.read().split(b"\\0")[:-1]:
    chosen = watched[record[1:2]]
    (chosen.add if record[:1] == b"+" else chosen.discard)(record[2:])
for group in watched[b"g"]:
    try:
        os.killpg(int(group), signal.SIGKILL)
    except OSError:
        pass
tags = watched[b"t"]
for _ in range(100 if tags else 0):
    found = []
    for name in os.listdir("/proc") if os.path.isdir("/proc") else ():
        try:
            with open("/proc/" + name + "/environ", "rb") as f:
                if tags.intersection(f.read().split(b"\\0")):
                    found.append(int(name))
        except (OSError, ValueError):
            pass
    if not found:
        break
    for pid in found:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
"""


class _Watchdog:
    """The watchdog process of this process, and what it was told to watch."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.watched: set[bytes] = set()  # records without their sign: b"t" + tag, b"g" + group
        self.pid = 0  # none yet
        self._owner = 0  # the process that started it (a fork needs one of its own)
        self._pipe = -1
        self.unavailable = False  # it could not be started: not tried again

    def send(self, sign: bytes, records: list[bytes]) -> None:
        with self.lock:
            for record in records:
                (self.watched.add if sign == b"+" else self.watched.discard)(record)
            if self._owner == os.getpid():
                try:
                    os.write(self._pipe, b"".join(sign + r + b"\0" for r in records))
                    return
                except OSError:  # it was killed: another, told of everything still watched
                    pass
            if self.unavailable or sign == b"-":  # a new one is told only what is watched
                return
            try:
                self._start()
            except (AttributeError, NotImplementedError, OSError, ValueError):
                # no interpreter to run it (embedded), no posix_spawn with setsid: builds go on
                self.unavailable = True

    def _start(self) -> None:
        """Start a watchdog told of `watched`; the one before, if any, is dead or not ours."""
        if self._owner == os.getpid():
            os.close(self._pipe)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self.pid, os.WNOHANG)
            self._owner, self._pipe = 0, -1
        read, write = os.pipe()  # neither is inherited by other children (O_CLOEXEC)
        try:
            null = os.devnull
            self.pid = os.posix_spawn(
                sys.executable,
                [sys.executable, "-I", "-S", "-c", _PROGRAM],
                os.environ,
                file_actions=[
                    (os.POSIX_SPAWN_DUP2, read, 0),
                    (os.POSIX_SPAWN_OPEN, 1, null, os.O_WRONLY, 0),
                    (os.POSIX_SPAWN_OPEN, 2, null, os.O_WRONLY, 0),
                ],
                setsid=True,  # no terminal's signal reaches it: it outlives a ^C'd pybuild
            )
        except BaseException:
            os.close(write)
            raise
        finally:
            os.close(read)
        self._owner, self._pipe = os.getpid(), write
        if self.watched:
            os.write(write, b"".join(b"+" + r + b"\0" for r in sorted(self.watched)))


_WATCHDOG = _Watchdog()


def _after_fork_in_child() -> None:
    """A forked child (multiprocessing's fork) starts with nothing watched and without the
    parent's end of the pipe: while any copy of that end is open, the parent's watchdog would
    not see the parent end."""
    global _WATCHDOG
    if _WATCHDOG._pipe != -1:
        os.close(_WATCHDOG._pipe)
    _WATCHDOG = _Watchdog()


os.register_at_fork(after_in_child=_after_fork_in_child)


def watch(tag: str) -> None:
    """Kill the processes with `tag` in their environment if this process ends before
    :func:`forget`: call it before starting a build's builder."""
    _WATCHDOG.send(b"+", [b"t" + os.fsencode(tag)])


def watch_group(group: int) -> None:
    """Kill process group `group` too if this process ends before :func:`forget_group`."""
    _WATCHDOG.send(b"+", [b"g%d" % group])


def forget_group(group: int) -> None:
    """Call it after killing the group, before reaping its leader."""
    _WATCHDOG.send(b"-", [b"g%d" % group])


def forget(tag: str) -> None:
    """Call it once the build's processes are killed, before its tag may name another's."""
    _WATCHDOG.send(b"-", [b"t" + os.fsencode(tag)])


def is_watchdog(pid: int) -> bool:
    """Whether child `pid` is this process's watchdog (no builder's orphan, so kept alive)."""
    return pid == _WATCHDOG.pid and _WATCHDOG._owner == os.getpid()
