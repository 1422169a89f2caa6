"""A build farm: the local machine and remote builders, each with its slots.

The realiser hands every derivation it would build to :meth:`Farm.build`, which waits for a
free slot: a remote machine's when one is free (the least busy, the fastest of those), else
a local one, so local builds fill in while the remotes are busy. A machine that cannot be
reached or misbehaves is marked down for the rest of the run and the derivation goes
elsewhere (another machine, or here); one that lacks what a build needs (the builder's
program, the sandbox a client asks for) is not sent such builds again; either is told once,
not by each of its slots that found it; a build that fails
there fails as a local one would, with the remote log's last lines. Connections are kept
open between builds, one per slot.

Example::

    >>> from pybuild.remote.machines import parse_machines
    >>> farm = Farm(parse_machines("ssh://build1 - - 2"), local_jobs=1)
    >>> farm.slots
    3
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Sequence

from .. import processes
from ..buildoptions import BuildOptions
from ..builtin import is_builtin
from ..derivations import Derivation
from ..store import Store
from .client import NEEDS_SANDBOX, Connection
from .errors import MachineDown, Unsuitable
from .machines import Machine, required_features

__all__ = ["Farm"]


class Farm:
    """The machines of the ``builders`` setting and this one, and which slots are taken."""

    def __init__(
        self,
        machines: Sequence[Machine],
        local_jobs: int,
        ssh_options: Sequence[str] = (),
        remote_pybuild: str = "pybuild",
        connect_timeout: int = 0,
    ) -> None:
        self.machines = list(machines)
        self.local_jobs = local_jobs
        self.ssh_options, self.remote_pybuild = tuple(ssh_options), remote_pybuild
        self.connect_timeout = connect_timeout  # seconds to reach a machine (0: no limit)
        self.labels = _labels(self.machines)  # each machine's name in progress lines, by URI
        self._busy = {m.uri: 0 for m in self.machines}
        self._local_busy = 0
        self._down: set[str] = set()
        # What each machine was found to lack (Unsuitable): builds that need it go elsewhere.
        self._lacks: dict[str, set[str]] = {m.uri: set() for m in self.machines}
        self._idle: dict[str, list[Connection]] = {m.uri: [] for m in self.machines}
        self._cond = threading.Condition()
        self.timings: list[tuple[float, float]] = []  # per remote build: (its build there, all)

    @property
    def slots(self) -> int:
        """How many builds may run at once, here and on every machine."""
        return self.local_jobs + sum(m.jobs for m in self.machines)

    def build(
        self, drv: Derivation, store: Store, options: BuildOptions, here: Callable[[], None]
    ) -> None:
        """Build `drv` on a free machine, or call `here` in a free local slot."""
        # A download is as quick from here, and its result is checked by hash anyway; a
        # builtin build (an environment's links) takes less time than sending it its inputs
        # would: both stay here, as Nix keeps builtins and preferLocalBuild (buildEnv) here.
        here_only = drv.is_fixed_output or is_builtin(drv.builder)
        required = None if here_only else required_features(drv.env)
        # What a machine may lack (Unsuitable): the builder's program, and the sandbox.
        needs = {drv.builder, NEEDS_SANDBOX}
        while True:
            machine = self._acquire(required, needs)
            if processes.stopping():  # stopped while it waited for a slot: start nothing
                self._release(machine)
                raise processes.stopped()
            if machine is None:
                try:
                    here()
                finally:
                    self._release(None)
                return
            try:
                self._build_on(machine, drv, store, options)
                return
            except MachineDown as exc:
                if self._mark_down(machine):  # told once, not by each of its slots
                    options.say(exc.report("it takes no more builds in this run"))
            except Unsuitable as exc:
                if self._mark_lacking(machine, exc.lacks):  # as a machine down: told once
                    options.say(
                        f"warning: {exc}; {exc.builds} go to other machines or are done here"
                    )
            finally:
                self._release(machine)

    def close(self) -> None:
        """End every kept connection."""
        with self._cond:
            idle = [c for conns in self._idle.values() for c in conns]
            self._idle = {uri: [] for uri in self._idle}
        for conn in idle:
            conn.close()

    def _build_on(
        self, machine: Machine, drv: Derivation, store: Store, options: BuildOptions
    ) -> None:
        import time

        with self._cond:
            conn = self._idle[machine.uri].pop() if self._idle[machine.uri] else None
        label = self.labels[machine.uri]
        options.reporter.started(drv.name, drv.drv_name, f"building on {label}")
        start = time.monotonic()
        if conn is None:
            conn = Connection(
                machine, self.ssh_options, self.remote_pybuild, self.connect_timeout, label
            )
        try:
            there = conn.build(drv, store, options)
        except MachineDown:
            conn.kill()
            raise
        except Exception:
            if conn.timed_out:  # killed for it
                conn.kill()
            else:
                self._keep(machine, conn)  # a failed build: the connection is still good
            raise
        except BaseException:
            conn.kill()  # interrupted (in this thread): the remote build ends with it
            raise
        self._keep(machine, conn)
        with self._cond:
            self.timings.append((there, time.monotonic() - start))

    def _keep(self, machine: Machine, conn: Connection) -> None:
        with self._cond:
            down = machine.uri in self._down
            if not down:
                self._idle[machine.uri].append(conn)
        if down:
            conn.close()

    def _acquire(self, required: frozenset[str] | None, needs: set[str]) -> Machine | None:
        """A machine with a free slot that takes `required` features (None: no machine may)
        and has what the build `needs`, else None for a local slot; waits while neither is
        free."""
        with self._cond:
            while True:
                able = [
                    m
                    for m in self.machines
                    if required is not None
                    and m.uri not in self._down
                    and m.accepts(required)
                    and not needs & self._lacks[m.uri]
                ]
                free = [m for m in able if self._busy[m.uri] < m.jobs]
                if free:
                    machine = min(free, key=lambda m: (self._busy[m.uri] / m.jobs, -m.speed))
                    self._busy[machine.uri] += 1
                    return machine
                # With local_jobs 0 (remote builds only) and no machine left, one at a time here.
                if self._local_busy < (self.local_jobs or (0 if able else 1)):
                    self._local_busy += 1
                    return None
                self._cond.wait()

    def _release(self, machine: Machine | None) -> None:
        with self._cond:
            if machine is None:
                self._local_busy -= 1
            else:
                self._busy[machine.uri] -= 1
            self._cond.notify_all()

    def _mark_lacking(self, machine: Machine, lacks: str) -> bool:
        """Record that `machine` lacks `lacks`; whether it was not known yet (its other slots
        may have been sent builds that need it before the first of them failed)."""
        with self._cond:
            new = lacks not in self._lacks[machine.uri]
            self._lacks[machine.uri].add(lacks)
        return new

    def _mark_down(self, machine: Machine) -> bool:
        """Mark `machine` down; whether it was not already (its other slots may have found
        it down at the same time)."""
        with self._cond:
            new = machine.uri not in self._down
            self._down.add(machine.uri)
            idle, self._idle[machine.uri] = self._idle[machine.uri], []
        for conn in idle:
            conn.close()
        return new


def _labels(machines: Sequence[Machine]) -> dict[str, str]:
    """Each machine's name in progress lines, by URI: its host, short, where no other machine
    is on that host; else ``user@host[:port]`` where that is the machine's alone (two
    accounts, or two ports, of one host); else its whole URI (two homes of one account)."""
    hosts = Counter(m.host for m in machines)
    addresses = Counter(_address(m) for m in machines)
    labels = {}
    for m in machines:
        if hosts[m.host] == 1:
            labels[m.uri] = m.host
        else:
            labels[m.uri] = _address(m) if addresses[_address(m)] == 1 else m.uri
    return labels


def _address(machine: Machine) -> str:
    """``[user@]host[:port]``, an IPv6 address in brackets where a port follows it."""
    host = f"[{machine.host}]" if machine.port and ":" in machine.host else machine.host
    user = f"{machine.user}@" if machine.user else ""
    return f"{user}{host}:{machine.port}" if machine.port else f"{user}{host}"
