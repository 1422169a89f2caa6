"""The watchdog: the builders of a pybuild that is killed die with it.

A builder runs in a process group of its own (:mod:`pybuild.processes`), which pybuild kills
when the build ends. A pybuild killed itself (SIGKILL, the kernel's out-of-memory killer) runs
no code to do so. The watchdog, a small process started with the first builder outside the
sandbox, does it for it. It reads, from a socket whose only writer is pybuild, what it is to
watch and to forget: each build's tag (a ``NAME=VALUE`` in its builders' environment that no
other running build has), sent before the builder starts, the builder's process group, sent
as soon as it is known, and, as root, the build uid (:mod:`pybuild.buildusers`), sent with a
copy of the descriptor of the uid's lock. When the socket ends, which the kernel sees to when
pybuild ends however it ends, it kills the groups still listed, every process of a uid still
listed (a daemon that left the group with an empty environment: ``setsid env -i``), and every
process whose environment holds a tag still listed (a builder killed before its group was
sent; a daemon that left the group), then exits. A group is forgotten after it is killed and
before its leader, the builder, is reaped (until then no other group can take its number); a
tag after the build's processes are killed and before its build folder, which the tag names,
is removed for another to take; a uid after its processes are killed and before its lock is
let go. Until the watchdog exits, its copy holds the lock of each uid it is to kill, though
pybuild's is gone: no other build gets the uid while its processes run.

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

TYPE_CHECKING = False  # typing: socket costs a no-op run 2 ms to import
if TYPE_CHECKING:
    import socket

__all__ = [
    "forget",
    "forget_group",
    "forget_user",
    "is_watchdog",
    "watch",
    "watch_group",
    "watch_user",
]

# Run by the interpreter running pybuild (-I -S: nothing of the environment or site-packages);
# any Python 3 runs it. Records end with NUL, which no tag holds: +/- (watch, forget), then
# t (a tag), g (a group) or u (a build uid, its "+" sent with its lock's descriptor: one a
# message, so the descriptors come in the order of their records).
_PROGRAM = """\
import os, signal, socket
watched = {b"t": set(), b"g": set()}
users, received, rest = {}, [], b""
channel = socket.socket(fileno=0)
while True:
    data, descriptors, _, _ = socket.recv_fds(channel, 65536, 8)
    received += descriptors
    if not data:
        break
    *records, rest = (rest + data).split(b"\\0")
    for record in records:
        sign, kind, value = record[:1], record[1:2], record[2:]
        if kind != b"u":
            (watched[kind].add if sign == b"+" else watched[kind].discard)(value)
        elif sign == b"+" and received:
            users[int(value)] = received.pop(0)
        elif int(value) in users:
            os.close(users.pop(int(value)))
for group in watched[b"g"]:
    try:
        os.killpg(int(group), signal.SIGKILL)
    except OSError:
        pass
for uid in users:  # its lock still held: no other build has the uid
    pid = os.fork()
    if pid == 0:
        try:
            os.setgroups([])
            os.setresgid(uid, uid, uid)
            os.setresuid(uid, uid, uid)
            os.kill(-1, signal.SIGKILL)  # every process of the uid but this one
        finally:
            os._exit(0)
    os.waitpid(pid, 0)
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
        # Records without their sign: b"t" + tag, b"g" + group, b"u" + uid.
        self.watched: set[bytes] = set()
        self.descriptors: dict[bytes, int] = {}  # a watched uid's record: its lock's
        self.pid = 0  # none yet
        self._owner = 0  # the process that started it (a fork needs one of its own)
        self._channel: socket.socket | None = None
        self.unavailable = False  # it could not be started: not tried again

    def send(self, sign: bytes, records: list[bytes], descriptor: int | None = None) -> None:
        """Tell it to watch (``+``) or forget (``-``) `records`; a uid's record is watched
        with the `descriptor` of the uid's lock, which the watchdog then holds too."""
        with self.lock:
            for record in records:
                (self.watched.add if sign == b"+" else self.watched.discard)(record)
                if descriptor is not None:
                    self.descriptors[record] = descriptor
                elif sign == b"-":
                    self.descriptors.pop(record, None)
            if self._owner == os.getpid():
                try:
                    self._write(sign, records, descriptor)
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

    def _write(self, sign: bytes, records: list[bytes], descriptor: int | None) -> None:
        import socket

        assert self._channel is not None
        data = b"".join(sign + r + b"\0" for r in records)
        if descriptor is None:
            self._channel.sendall(data)
        else:  # a few bytes: sent whole
            socket.send_fds(self._channel, [data], [descriptor])

    def _start(self) -> None:
        """Start a watchdog told of `watched`; the one before, if any, is dead or not ours."""
        if self._owner == os.getpid() and self._channel is not None:
            self._channel.close()
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self.pid, os.WNOHANG)
            self._owner, self._channel = 0, None
        import socket

        # A socket, not a pipe: a uid's lock goes through it. Neither end is inherited by
        # other children.
        ours, its = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            null = os.devnull
            self.pid = os.posix_spawn(
                sys.executable,
                [sys.executable, "-I", "-S", "-c", _PROGRAM],
                os.environ,
                file_actions=[
                    (os.POSIX_SPAWN_DUP2, its.fileno(), 0),
                    (os.POSIX_SPAWN_OPEN, 1, null, os.O_WRONLY, 0),
                    (os.POSIX_SPAWN_OPEN, 2, null, os.O_WRONLY, 0),
                ],
                setsid=True,  # no terminal's signal reaches it: it outlives a ^C'd pybuild
            )
        except BaseException:
            ours.close()
            raise
        finally:
            its.close()
        self._owner, self._channel = os.getpid(), ours
        plain = sorted(r for r in self.watched if r not in self.descriptors)
        if plain:
            self._write(b"+", plain, None)
        for record, descriptor in sorted(self.descriptors.items()):
            self._write(b"+", [record], descriptor)


_WATCHDOG = _Watchdog()


def _after_fork_in_child() -> None:
    """A forked child (multiprocessing's fork) starts with nothing watched and without the
    parent's end of the pipe: while any copy of that end is open, the parent's watchdog would
    not see the parent end."""
    global _WATCHDOG
    if _WATCHDOG._channel is not None:
        _WATCHDOG._channel.close()
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


def watch_user(uid: int, lock: int) -> None:
    """Kill every process of build uid `uid` if this process ends before
    :func:`forget_user`, holding `lock` (the descriptor of the uid's lock file, which the
    watchdog gets a copy of) until then: the uid is not another build's before its processes
    are killed. Call it before starting a build as the uid."""
    _WATCHDOG.send(b"+", [b"u%d" % uid], lock)


def forget_user(uid: int) -> None:
    """Call it once the uid's processes are killed, before its lock is let go (``LOCK_UN``:
    the watchdog's copy of it may be open a while longer)."""
    _WATCHDOG.send(b"-", [b"u%d" % uid])


def is_watchdog(pid: int) -> bool:
    """Whether child `pid` is this process's watchdog (no builder's orphan, so kept alive)."""
    return pid == _WATCHDOG.pid and _WATCHDOG._owner == os.getpid()
