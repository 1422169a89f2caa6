"""Builtin builders: builds that pybuild runs in its own process, as Nix runs ``builtin:buildenv``.

Some builds only arrange store paths that already exist: an environment is a few small files
and links into its closure. Starting an interpreter, and a sandbox, for them costs more than
the work. A derivation whose builder is ``builtin:NAME`` is built by pybuild's own function of
that name instead, with no process and no sandbox: the function is pybuild's code, it reads
only store paths of the derivation's closure and writes only its outputs, in the build's
temporary folder. Everything else is as for any build (:mod:`pybuild.buildstep`): the inputs
must be valid, the outputs are checked, registered and logged, ``--check`` builds them again,
and a remote builder's ``pybuild serve`` builds them the same way.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping

TYPE_CHECKING = False  # typing: an import no evaluation needs (they load this module)
if TYPE_CHECKING:
    from typing import TextIO

__all__ = ["PREFIX", "BuiltinFailure", "is_builtin", "run"]

PREFIX = "builtin:"

# name -> "module:function", imported when such a build runs; the function is given the
# derivation's environment (outputs included, as paths in the build's folder) and its log.
_BUILDERS = {
    "builtin:python-env": "pybuild.python.environment:build_environment",
}


class BuiltinFailure(Exception):
    """A builtin builder could not make its outputs; the message goes to the build's log."""


def is_builtin(builder: str) -> bool:
    return builder.startswith(PREFIX)


def run(builder: str, env: Mapping[str, str], log: TextIO) -> None:
    """Run the builtin `builder`; :class:`BuiltinFailure` says why it failed."""
    target = _BUILDERS.get(builder)
    if target is None:
        known = ", ".join(sorted(_BUILDERS))
        raise BuiltinFailure(
            f"this pybuild has no builder {builder} (it has {known}): the derivation was"
            " written by another version of pybuild"
        )
    module, name = target.split(":")
    function: Callable[[Mapping[str, str], TextIO], None] = getattr(
        importlib.import_module(module), name
    )
    try:
        function(env, log)
    except Exception as exc:
        if not _failed_to_run(exc):
            raise
        raise BuiltinFailure(str(exc)) from exc


def _failed_to_run(exc: Exception) -> bool:
    """Whether `exc` is the system's refusal (an OSError) or a process's failure: a
    :class:`subprocess.SubprocessError` exists only once a builder has imported subprocess,
    which this module does not import for them (2.5 ms of every build command's start)."""
    subprocess = sys.modules.get("subprocess")
    return isinstance(exc, OSError) or (
        subprocess is not None and isinstance(exc, subprocess.SubprocessError)
    )
