"""The local side of a build farm: one ``ssh`` connection to ``pybuild serve --stdio``.

A :class:`Connection` runs one build at a time on its machine: it copies the paths of the
input closure the remote lacks (references first, each NAR checked there on arrival), asks
for the build, and copies the outputs back. An output is accepted only as the announced path,
its NAR parsed strictly into ``var/tmp`` and its hash checked; then the local store commits
it as it commits a local build's output, hashing it again and finding its references among
the build's inputs itself, so a remote can neither register a wrong hash nor add a
reference. Anything unexpected, a dead connection or a refused output raise
:class:`~pybuild.remote.errors.MachineDown` with what ``ssh`` said on its standard error.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import signal
import subprocess
import tempfile
import threading
from collections.abc import Iterator, Sequence
from typing import IO, Any, NoReturn

from .. import processes, watchdog
from ..atomic import write_atomic
from ..buildoptions import BuildOptions
from ..builtin import is_builtin
from ..cache.copy import references_first
from ..derivations import Derivation, input_paths, instantiate
from ..errors import BuildError, PybuildError
from ..hashing import parse_hash
from ..store import Store, remove_tree
from .errors import InputDamaged, MachineDown, ProtocolMismatch, Unsuitable
from .machines import Machine
from .protocol import LOG_SENT, VERSION, Message, receive, receive_nar, send, send_nar

__all__ = ["NEEDS_SANDBOX", "Connection"]

NEEDS_SANDBOX = "sandbox"  # what a machine lacks that cannot isolate a build (no builder's path)
# The client's settings a build runs under there (docs/guides/farm.md), besides `sandbox`:
# those that decide how a build runs. Not build_dir (a folder of this machine), nor the
# store's or the caches' (auto_optimise, substituters: the builder's own), nor jobs.
_SENT_SETTINGS = ("build_timeout", "cores", "keep_failed", "log_lines")
_IN_SANDBOX = "builds in the sandbox"

# The variable that tags each connection's ssh for the watchdog. Not a PYBUILD_ name: a
# pybuild that sees it (run by a wrapper in place of ssh) would take it for a setting.
_TAG = "_PYBUILD_SSH"
_serials = itertools.count()

_REACH_HINT = (
    "check that 'ssh' reaches it without a password and that pybuild runs there"
    " (setting remote_pybuild, or ?pybuild= in its URI)"
)
_MISMATCH_HINT = (
    "something there prints text before pybuild serve starts: the remote user's shell"
    " startup files (.bashrc, .profile), which must print nothing on standard output for a"
    " non-interactive session, or the command that runs pybuild there (setting remote_pybuild,"
    " or ?pybuild= in its URI), which may also not be pybuild"
)
_HOST_KEY_FAILED = "Host key verification failed"  # what ssh says whatever the key's fault
_SSH_HINT = "pybuild runs OpenSSH's client, ssh, found on PATH"
_VERSION_HINT = (
    "run the same pybuild there as here (setting remote_pybuild, or ?pybuild= in its URI,"
    " names the command)"
)
# Seconds ssh is given to exit once its output has ended, for its status to be told: its
# output closes as it exits (or just before), so a process still running a moment is usual.
_EXIT_WAIT = 2
_STDERR_TAIL = 2000  # characters of ssh's standard error quoted when a machine goes down
# Seconds a build's reply may come after build_timeout, which the builder counts itself
# from a later start (after its own locks and checks).
_REPLY_GRACE = 10
_MAX_LOG = LOG_SENT  # characters: at most one for each byte of the log sent
REMOTE_LOG_HEADER = "pybuild: built on "  # the first line of a log kept from a remote build


def _sandbox_problem(hello: Message) -> str:
    """Why the machine of this `hello` reply cannot isolate a build, or "" if it can: an
    older pybuild, which does not say, also applies none of this machine's settings."""
    if "sandbox" not in hello.data:
        return "it is an older pybuild, which does not apply this machine's settings"
    if hello.flag("sandbox"):
        return ""
    problem = hello.optional("sandbox_problem", hello.text) or "it does not say why"
    return f"the sandbox cannot run there: {problem}"


def _keep_log(reply: Message, store: Store, drv_name: str, machine: Machine) -> str:
    """Keep the remote build's log where a local build's goes (``pybuild log`` reads it, and
    ``copy --to`` uploads it), after a line naming the machine; its path, or "" if the remote
    sent none (an older pybuild)."""
    log = reply.optional("build_log", lambda key: reply.text(key, _MAX_LOG))
    if log is None:
        return ""
    path = os.path.join(store.log_dir, f"{drv_name}.log")
    write_atomic(path, f"{REMOTE_LOG_HEADER}{machine.uri}\n{log}")
    return path


class Connection:
    """One running ``ssh … pybuild serve --stdio`` to `machine`, after the hello.

    `connect_timeout` (seconds, 0: none) bounds reaching the machine: ssh's connection gets
    that long (its ``ConnectTimeout``), and the remote pybuild's hello must have come within
    twice that of ssh's start (a login that hangs, a ``pybuild`` that never starts), so that
    an unreachable builder costs a build seconds, not forever.

    ``ssh`` carries a tag of its own in its environment, which the watchdog
    (:mod:`pybuild.watchdog`) is told before ssh starts: if this process ends first, even
    killed (SIGTERM, SIGKILL), the watchdog kills ssh and all it started, so no connection
    outlives the pybuild that opened it, whether it is still connecting or its build still
    runs there (the remote pybuild sees its input end and stops that build). ssh
    also runs in a process group of its own, killed when the connection ends, so that what
    it started goes too (a wrapper's children, which would hold the pipes open).
    """

    sandbox_problem: str  # why builds cannot be isolated there ("": they can), from the hello

    def __init__(
        self,
        machine: Machine,
        ssh_options: Sequence[str],
        remote_pybuild: str,
        connect_timeout: int = 0,
        label: str = "",
    ) -> None:
        self.machine = machine
        self.label = label or machine.host  # its name in what is told of its builds
        self._hello_limit = 2 * connect_timeout
        self._lock = threading.Lock()  # between the hello and the timer that bounds it
        self._hello_over = self._gave_up = False
        self._stopped = False  # the run was interrupted: see _stop
        self.timed_out = False  # the builder did not answer within build_timeout: killed
        self._reached = False  # the remote pybuild answered the hello as it should
        self._tag = f"{os.getpid()}.{next(_serials)}"
        self._stderr = tempfile.TemporaryFile()  # noqa: SIM115 (closed by close())
        self._known_hosts = _known_hosts(machine)
        known_hosts = self._known_hosts.name if self._known_hosts else ""
        watchdog.watch(f"{_TAG}={self._tag}")
        try:
            self._proc = subprocess.Popen(
                machine.ssh_command(ssh_options, remote_pybuild, connect_timeout, known_hosts),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self._stderr,
                env={**os.environ, _TAG: self._tag},
                process_group=0,
            )
        except OSError as exc:
            watchdog.forget(f"{_TAG}={self._tag}")
            self._close_files()
            raise MachineDown(
                machine.uri, f"cannot run ssh: {exc.strerror}", hint=_SSH_HINT
            ) from None
        assert self._proc.stdin is not None and self._proc.stdout is not None
        self._out: IO[bytes] = self._proc.stdin
        self._in: IO[bytes] = self._proc.stdout
        try:
            self._hello()
        except BaseException:
            self.kill()
            raise

    def _hello(self) -> None:
        """Exchange the hellos, within the time limit if there is one: when it runs out, ssh
        is killed, which ends the read that waits for the reply."""
        timer = threading.Timer(self._hello_limit, self._give_up) if self._hello_limit else None
        if timer is not None:
            timer.daemon = True
            timer.start()
        try:
            with self._talking():
                try:
                    send(self._out, {"op": "hello", "version": VERSION})
                    self._out.flush()
                except BrokenPipeError:
                    # The command there has ended already: what it printed says more
                    # (a login script's text, a command that is not pybuild) than the pipe.
                    receive(self._in)
                    raise
                reply = receive(self._in)
                with self._lock:
                    if self._gave_up:  # it came as the time ran out: ssh is killed already
                        raise EOFError
                    self._hello_over = True
                reply.expect("reply", "hello")
                version = reply.integer("version")
                self.sandbox_problem = _sandbox_problem(reply)
        finally:
            with self._lock:  # from now on the timer kills nothing (ssh may be reaped)
                self._hello_over = True
            if timer is not None:
                timer.cancel()
        if version != VERSION:
            reason = f"it speaks protocol {version}, this is {VERSION}"
            raise MachineDown(self.machine.uri, reason, hint=_VERSION_HINT)
        self._reached = True

    def _give_up(self) -> None:
        """The hello's timer ran out (on the timer's thread)."""
        with self._lock:
            if not self._hello_over:
                self._gave_up = True
                self._kill_group()

    def build(self, drv: Derivation, store: Store, options: BuildOptions) -> float:
        """Build `drv` there under `options`' build settings and register its outputs here;
        the seconds the build took there.

        The caller holds the outputs' locks; the inputs are valid here (and rooted).
        Unsuitable if the machine cannot run it: it lacks the sandbox asked for, or the
        builder's program.
        """
        sandbox = options.sandbox_mode()
        if sandbox == "true" and not is_builtin(drv.builder) and self.sandbox_problem:
            raise Unsuitable(
                self.machine.uri,
                f"sandbox = true here, but {self.sandbox_problem}",
                NEEDS_SANDBOX,
                _IN_SANDBOX,
            )
        instantiate(drv, store)
        # An interrupted run kills the ssh (a group of its own, out of Ctrl-C's reach) as it
        # kills local builders: the remote build then ends with its connection.
        with self._talking(), processes.also_stopped(self._stop):
            self._copy_closure(store, [drv.drv_name, *input_paths(drv)])
            settings = {name: getattr(options, name) for name in _SENT_SETTINGS}
            settings["sandbox"] = sandbox
            send(self._out, {"op": "build", "drv": drv.drv_name, "settings": settings})
            self._out.flush()
            reply = self._build_reply(drv, options.build_timeout)
            kept = _keep_log(reply, store, drv.drv_name, self.machine)
            for text in reply.optional("messages", reply.texts) or ():
                options.say(f"on {self.label}: {text}")
            if reply.data["reply"] == "failed":
                self._failed(drv, reply, kept)
            if reply.data.get("outputs") != drv.output_paths:
                raise MachineDown(self.machine.uri, f"it built other outputs than {drv.drv_name}")
            self._fetch_outputs(drv, store)
            return reply.number("seconds")

    def _build_reply(self, drv: Derivation, timeout: int) -> Message:
        """The reply to the build of `drv`, waited for at most `timeout` seconds (0: no
        limit) and :data:`_REPLY_GRACE` more, as Nix bounds a remote build by build-timeout
        here too: the builder applies the timeout itself, and one that does not answer in
        time (wedged, stopped) has its connection killed and the build fails as timed out."""
        timer = threading.Timer(timeout + _REPLY_GRACE, self._time_out) if timeout else None
        if timer is not None:
            timer.daemon = True
            timer.start()
        try:
            return self._reply("built", "failed")
        except (OSError, EOFError, PybuildError):
            if self.timed_out:
                reason = f"timed out after {timeout} s (build_timeout): {self.machine.uri} did"
                raise BuildError(drv.name, f"{reason} not answer") from None
            raise
        finally:
            if timer is not None:
                timer.cancel()

    def _time_out(self) -> None:
        """The build's time ran out (on the timer's thread): the read of its reply ends."""
        self.timed_out = True
        self._kill_group()

    def _failed(self, drv: Derivation, reply: Message, kept: str) -> NoReturn:
        """Raise the failure of `reply`, with the log `kept` here ("": none came back).

        A failure that is the machine's, not the derivation's, is Unsuitable: it lacks the
        builder's program (an interpreter at another path, another interpreter at that path,
        a missing tool), so every build with that builder would fail there the same way,
        after its inputs were copied; or it cannot run the sandbox asked for. Such builds go
        elsewhere, as Nix passes over a machine without a derivation's system or features.
        """
        reason, unable = reply.text("reason"), reply.data.get("unable")
        if unable == "builder":
            raise Unsuitable(
                self.machine.uri, reason, drv.builder, f"builds with the builder {drv.builder}"
            )
        if unable == "sandbox":
            raise Unsuitable(self.machine.uri, reason, NEEDS_SANDBOX, _IN_SANDBOX)
        there = reply.text("log", 4096)  # an older pybuild sends only where its log is
        log = kept or (f"{self.machine.host}:{there}" if there else "")
        where = f"on {self.machine.uri}" + ("" if log else "; it kept no log")
        raise BuildError(drv.name, f"{reason} ({where})", log, reply.text("tail", 1 << 17))

    def close(self) -> None:
        """End the connection: the remote sees its input end and exits, then ssh does."""
        self._end(patience=10)

    def kill(self) -> None:
        """End a connection that failed: nothing more is said on it, so ssh is not waited for
        (a builder that stopped answering would hold it until ssh's keep-alives gave up)."""
        self._end(patience=0)

    def _end(self, patience: float) -> None:
        for stream in (self._out, self._in):
            with contextlib.suppress(OSError):
                stream.close()
        processes.exited(self._proc, patience)  # not reaped yet: its group is still its own
        self._kill_group()  # what is left of it (all of it, if it did not end in time)
        self._proc.wait()
        watchdog.forget(f"{_TAG}={self._tag}")
        self._close_files()

    def _close_files(self) -> None:
        """Close ssh's standard error and remove the known-hosts file written for it."""
        self._stderr.close()
        if self._known_hosts is not None:
            self._known_hosts.close()

    def _stop(self) -> None:
        """The run was interrupted (on the thread that stops it): the connection ends, and
        its end is not the machine's fault."""
        self._stopped = True
        self._kill_group()

    def _kill_group(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self._proc.pid, signal.SIGKILL)

    def _copy_closure(self, store: Store, roots: Sequence[str]) -> None:
        """Import into the remote every path of the closure of `roots` that it lacks.

        Each path's NAR hash goes with the query: a path another client imported there is
        taken only if it is the same as ours, else ours is sent, which the remote refuses
        (it cannot replace its copy), and the build goes elsewhere. A path whose copy here is
        not what this store registered (checked as it is sent) is InputDamaged.
        """
        needed = store.closure(roots)
        infos = {name: store.info(name) for name in needed}
        hashes = [info.nar_hash for info in infos.values()]
        send(self._out, {"op": "query-valid", "paths": needed, "nar_hashes": hashes})
        self._out.flush()
        present = set(self._reply("valid").names("paths"))
        missing = {p for p in needed if p not in present}
        for name in references_first(store, sorted(missing)):
            if name not in missing:
                continue
            info = infos[name]
            header = {
                "op": "import",
                "path": name,
                "nar_hash": info.nar_hash,
                "nar_size": info.nar_size,
                "references": list(info.references),
                "deriver": info.deriver,
                "ca": info.ca,
            }
            send(self._out, header)
            path = store.path(name)
            damage = send_nar(self._out, path, info.nar_size, parse_hash(info.nar_hash))
            self._out.flush()
            if damage:  # the builder refuses what came, as it should: the stream is in step
                receive(self._in)
                raise InputDamaged(str(path), damage, self.machine.uri)
            self._reply("imported")

    def _fetch_outputs(self, drv: Derivation, store: Store) -> None:
        work = store.new_tmp_dir("remote")
        try:
            built = {}
            for name in drv.output_paths.values():
                send(self._out, {"op": "export", "path": name})
                self._out.flush()
                reply = self._reply("nar")
                if reply.name("path") != name:
                    raise MachineDown(self.machine.uri, f"it sent {reply.data['path']} for {name}")
                receive_nar(
                    self._in, work / name, reply.integer("nar_size"), reply.hash("nar_hash")
                )
                built[name] = work / name
            candidates = store.closure(input_paths(drv))
            store.commit(built, candidates=candidates, deriver=drv.drv_name)
        finally:
            remove_tree(work)

    def _reply(self, *expected: str) -> Message:
        reply = receive(self._in)
        if reply.data.get("reply") == "error":
            raise MachineDown(self.machine.uri, f"it refused: {reply.text('error')}")
        reply.expect("reply", *expected)
        return reply

    @contextlib.contextmanager
    def _talking(self) -> Iterator[None]:
        """Turn a broken pipe, a closed stream or a bad message into MachineDown."""
        try:
            yield
        except (BuildError, InputDamaged, MachineDown, Unsuitable):
            raise
        except (OSError, EOFError, PybuildError) as exc:
            if self._stopped:  # pybuild killed ssh itself: the machine is not down
                raise processes.stopped() from None
            raise self._down(exc) from None

    def _down(self, exc: Any) -> MachineDown:
        """The machine is down: why, with what ssh said, and how to reach it if it was never
        reached (the hello did not come), or what printed the text that came instead; where
        the remote pybuild's error names PYBUILD_HOME and the URI set it (home=), that this
        is the home= to change."""
        closed = isinstance(exc, EOFError | BrokenPipeError) and not self._gave_up
        code = self._exit_status() if closed else None  # first: what ssh says as it exits
        self._stderr.seek(0)
        said = self._stderr.read().decode(errors="replace").strip()[-_STDERR_TAIL:]
        reason = str(exc) or type(exc).__name__
        if self._gave_up:
            reason = (
                f"no answer within {self._hello_limit} s (twice connect_timeout: the"
                " connection, then pybuild's start there)"
            )
        elif closed:
            reason = "the connection closed" + (
                f" ({_how_ssh_ended(code)})" if code is not None else ""
            )
        if self.machine.home and "PYBUILD_HOME" in said:  # the remote's hint names it
            hint = (
                f"PYBUILD_HOME there is this machine's home={self.machine.home}: give home= a"
                " folder the remote user can make there, or leave it out for that user's usual"
                " home"
            )
        elif self.machine.host_key and _HOST_KEY_FAILED in said:
            hint = _host_key_hint(self.machine)
        elif self._reached:
            hint = ""
        elif isinstance(exc, ProtocolMismatch):  # ssh got there: text came before the hello
            hint = _MISMATCH_HINT
        else:
            hint = _REACH_HINT
        return MachineDown(self.machine.uri, reason, said, hint)

    def _exit_status(self) -> int | None:
        """ssh's exit status once its output has ended, or None if it is still running after
        :data:`_EXIT_WAIT` seconds: its status came only when the end was read late enough (a
        killed remote, but not a refused host key nor a missing pybuild there)."""
        processes.exited(self._proc, _EXIT_WAIT)
        return self._proc.poll()


def _known_hosts(machine: Machine) -> IO[str] | None:
    """The known-hosts file of `machine`'s host key (removed when closed), or None if its
    line gives none."""
    if machine.host_key is None:
        return None
    known = tempfile.NamedTemporaryFile("w", prefix="pybuild-known-hosts-")  # noqa: SIM115
    known.write(machine.known_hosts())
    known.flush()
    return known


def _host_key_hint(machine: Machine) -> str:
    """How to mend a machine line whose host key is not the host's: ssh's own advice names
    the known-hosts file pybuild wrote from that column, gone once the connection ended, so
    it is the column that must change."""
    port = f"-p {machine.port} " if machine.port is not None else ""
    return (
        "the host key in the 8th column of this machine's line does not match the key the"
        " host shows (the known-hosts file ssh names is pybuild's own, written from that"
        " column and removed since): put there the base64 of the host's public key, what"
        " `base64 -w0 /etc/ssh/ssh_host_ed25519_key.pub` prints on the host (or another of"
        " its /etc/ssh/ssh_host_*_key.pub), or from here"
        f" `ssh-keyscan -t ed25519 {port}{machine.host} | cut -d' ' -f2- | base64 -w0`,"
        " once you have checked that key against the host's own; or - to use your"
        " known-hosts files"
    )


def _how_ssh_ended(code: int) -> str:
    """ssh's exit status in words: a signal by its name (Popen's negative status)."""
    if code >= 0:
        return f"ssh exited {code}"
    try:
        return f"ssh was killed by {signal.Signals(-code).name}"
    except ValueError:  # a real-time signal, which has no name
        return f"ssh was killed by signal {-code}"
