"""What can go wrong with a remote builder, in the one hierarchy of :mod:`pybuild.errors`.

The realiser tells three kinds apart. A machine that cannot be used (ssh fails, the
connection drops, the remote breaks the protocol or sends something that does not check out)
is :class:`MachineDown`: it is not asked again in this run and the build goes elsewhere. A
machine that works but lacks what some builds need (their builder's program, an interpreter
at another path there or another interpreter at that path; the sandbox a client asks for) is
:class:`Unsuitable`: those builds go elsewhere, as Nix sends a derivation only to machines
with its system and features. A build that fails on a healthy machine is an ordinary
:class:`~pybuild.errors.BuildError`, with the remote log's last lines. An input whose copy
here is not what this store registered fails the build as this store's problem
(:class:`InputDamaged`), not the machine's.
"""

from __future__ import annotations

from ..errors import PybuildError, StoreError

__all__ = [
    "InputDamaged",
    "MachineDown",
    "MachinesError",
    "PathRefused",
    "ProtocolError",
    "ProtocolMismatch",
    "RemoteError",
    "Unsuitable",
]


class RemoteError(PybuildError):
    """Base of remote-building problems."""


class MachinesError(RemoteError):
    """The ``builders`` setting or a machines file cannot be read."""

    hint = (
        "each machine is 'ssh://[user@]host[:port][?home=DIR&pybuild=CMD] [systems [ssh-key"
        " [jobs [speed [features [mandatory-features [public-host-key]]]]]]]' (ssh:// may be"
        " left out), one a line or separated by ';'; '-' skips a column"
    )


class ProtocolError(RemoteError):
    """A message that is not what the protocol allows: too large, malformed or unexpected."""


class ProtocolMismatch(ProtocolError):
    """What came is no message at all but text (a login banner, a command that is not
    pybuild), quoted as Nix's "protocol mismatch, got '…'" quotes it."""


class PathRefused(RemoteError):
    """A store path that arrived is not what was announced (a broken NAR, another hash).

    Its bytes were read in full, so the connection is still in step; nothing was registered.
    """


class InputDamaged(RemoteError, StoreError):
    """This store's copy of an input, `path`, was not sent to a builder: it differs from what
    this store's registry records (`why`), changed or damaged since it was registered.

    The builder is not at fault and takes other builds; the build fails, as Nix's does on a
    corrupt path: one made here from that input would be no better.
    """

    def __init__(self, path: str, why: str, machine: str) -> None:
        self.path = path
        super().__init__(
            f"{path} differs from what this store's registry records ({why}): it was not"
            f" sent to the remote builder {machine}, nor is anything built from it"
        )
        self.hint = f"put it back with: pybuild verify --check-contents --repair {path}"


class MachineDown(RemoteError):
    """A machine cannot be used for the rest of this run; `machine` is its URI.

    `said` is what ssh wrote on its standard error (the remote pybuild's errors among it; its
    progress goes there no more); `hint` is given only where it fits: reaching the machine
    (ssh, a password, the command that runs pybuild there) is worth checking when the
    connection failed before the remote pybuild answered, not when it dropped mid-build.
    """

    def __init__(self, machine: str, reason: str, said: str = "", hint: str = "") -> None:
        self.machine, self.reason, self.said = machine, reason, said
        super().__init__(f"remote builder {machine}: {reason}")
        self.hint = hint

    def report(self, outcome: str) -> str:
        """The warning that tells it: the reason and `outcome` on one line, then what ssh
        said and the hint, each indented below it."""
        lines = [f"warning: remote builder {self.machine}: {self.reason}; {outcome}"]
        if self.said:
            lines += ["  ssh said:", *(f"    {line}" for line in self.said.splitlines())]
        if self.hint:
            lines.append(f"  hint: {self.hint}")
        return "\n".join(lines)


class Unsuitable(RemoteError):
    """Machine `machine` (its URI) works, but lacks `lacks`, which some builds need: it is not
    sent those (described by `builds`) again in this run."""

    def __init__(self, machine: str, reason: str, lacks: str, builds: str) -> None:
        self.machine, self.reason, self.lacks, self.builds = machine, reason, lacks, builds
        super().__init__(f"remote builder {machine}: {reason}")
