"""What became of each derivation a build was asked to realise: a typed result, not a string.

A caller (a command, CI, a script) must tell success from failure without reading messages,
and must be able to say *why* a derivation was not built: its own error and log, or the input
whose failure stopped it. Nix reports the same three things per derivation.

Example::

    >>> from pybuild import derivation, realise
    >>> from pybuild.realiser import BuildOptions
    >>> greet = 'mkdir "$out" && echo hello > "$out/greeting"'
    >>> hello = derivation(name="hello", builder="/bin/sh", args=["-c", greet])
    >>> app = derivation(name="app", builder="/bin/sh", args=["-c", f"cat {hello}/greeting > $out"])
    >>> results = realise([app])
    >>> results[app].ok  # built now, or valid already from an earlier run (or substituted)
    True

The result holds each target and every derivation it had to build or substitute: ``hello``
is in it only when it was not valid already (on a fresh store, both are ``BUILT``). What this
run made is what is not ``VALID``::

    >>> set(results) <= {app, hello}, all(result.ok for result in results.values())
    (True, True)
    >>> made = [drv.name for drv, result in results.items() if result.status != "valid"]

A failure is a result too, with ``keep_going``::

    >>> broken = derivation(name="broken", builder="/bin/sh", args=["-c", "exit 1"])
    >>> results = realise([broken], options=BuildOptions(keep_going=True))
    >>> results[broken].status, results[broken].ok
    (<Status.FAILED: 'failed'>, False)
"""

from __future__ import annotations

import enum
from collections.abc import Mapping

from .errors import PybuildError
from .records import record

TYPE_CHECKING = False  # typing: an import no command needs at run time
if TYPE_CHECKING:
    from typing import TypeVar

    K = TypeVar("K")

__all__ = ["BuildResult", "Status", "statuses"]


class Status(enum.StrEnum):
    """The fate of one derivation in one realisation."""

    VALID = "valid"  # its outputs were valid already: nothing to do
    BUILT = "built"
    SUBSTITUTED = "substituted"  # copied from a binary cache
    FAILED = "failed"  # its builder (or fetch, or check of its outputs) failed
    DEPENDENCY_FAILED = "dependency failed"  # not tried: an input failed

    @property
    def ok(self) -> bool:
        """Whether the outputs are there: valid already, built, or copied from a cache."""
        return self in (Status.VALID, Status.BUILT, Status.SUBSTITUTED)


@record(frozen=True)
class BuildResult:
    """One derivation's result: its status, and for a failure the error and the log.

    For ``DEPENDENCY_FAILED``, `failed_input` names the input that failed (by its ``.drv``
    store name) and `error`/`log_path` are that input's, so the cause is never lost.
    """

    status: Status
    error: PybuildError | None = None
    log_path: str | None = None
    failed_input: str | None = None
    copied: str = ""  # a substitution's: the paths and bytes copied, and from which caches

    @property
    def ok(self) -> bool:
        return self.status.ok

    @classmethod
    def failure(cls, error: PybuildError) -> BuildResult:
        return cls(Status.FAILED, error, getattr(error, "log_path", None) or None)

    def blocked(self, failed_input: str) -> BuildResult:
        """The result of a dependent that this failure stopped."""
        return BuildResult(Status.DEPENDENCY_FAILED, self.error, self.log_path, failed_input)

    def describe(self) -> str:
        """One message for a user: the status, or the error (and which input it was)."""
        if self.ok:
            return str(self.status)
        cause = str(self.error) if self.error is not None else "failed"
        if self.status is Status.DEPENDENCY_FAILED:
            return f"not built: its input {self.failed_input} failed: {cause}"
        return cause

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {"status": str(self.status)}
        if not self.ok:
            data["error"] = str(self.error) if self.error is not None else None
            data["log"] = self.log_path
        if self.failed_input is not None:
            data["failedInput"] = self.failed_input
        return data


def statuses(results: Mapping[K, BuildResult]) -> dict[K, Status]:
    """Each derivation's status alone: ``{drv: Status.BUILT, …}`` (a Status equals its text)."""
    return {key: result.status for key, result in results.items()}
