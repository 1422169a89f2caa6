"""Builtin builders: builds that pybuild runs in its own process, as Nix runs ``builtin:buildenv``.

Some builds only arrange store paths that already exist: an environment is a few small files
and links into its closure. Starting an interpreter, and a sandbox, for them costs more than
the work. A derivation whose builder is ``builtin:NAME`` is built by pybuild's own function of
that name instead, with no process and no sandbox: the function is pybuild's code, it reads
only store paths of the derivation's inputs and writes only its outputs, in the build's
temporary folder. As it runs as pybuild does (as root, when pybuild is), what the derivation
tells it is checked first, for a derivation can be written by hand: a builder that is given
paths to read gets only its inputs, and one given paths to write gets only relative ones
inside its outputs, or the build fails, naming what was refused, before anything is made.
Everything else is as for any build (:mod:`pybuild.buildstep`): the inputs
must be valid, the outputs are checked, registered and logged, ``--check`` builds them again,
and a remote builder's ``pybuild serve`` builds them the same way.
"""

from __future__ import annotations

import importlib
import json
import os
import re
import sys
from collections.abc import Callable, Collection, Mapping

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


def run(
    builder: str,
    env: Mapping[str, str],
    log: TextIO,
    inputs: Collection[str],
    outputs: Collection[str],
) -> None:
    """Run the builtin `builder`, whose derivation has the store paths `inputs` and the
    outputs named `outputs` (their variables in `env` name the folders to write; any other
    variable is the derivation's own); :class:`BuiltinFailure` says why it failed."""
    target = _BUILDERS.get(builder)
    if target is None:
        known = ", ".join(sorted(_BUILDERS))
        raise BuiltinFailure(
            f"this pybuild has no builder {builder} (it has {known}): the derivation was"
            " written by another version of pybuild"
        )
    check = _CHECKS.get(builder)
    if check is not None:
        check(env, inputs, outputs)
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


def _check_environment(
    env: Mapping[str, str], inputs: Collection[str], outputs: Collection[str]
) -> None:
    """Refuse an environment's description (``PYBUILD_ENV``, see
    :func:`pybuild.python.environment.build_environment`) that would have the builder read
    anything but the derivation's inputs (the packages it links, whose folders it lists and
    whose programs it reads) or write anywhere but ``$out`` (site-packages and the names of
    the interpreter are paths in it). ``$out`` is the build's own folder only when ``out``
    is the derivation's output, its one: of a derivation without it, ``out`` would be a
    variable of its own, naming any folder. The interpreter's path is only written, into
    ``pyvenv.cfg`` and links, never read. One of another layout (another pybuild's) is left
    to the builder, which refuses it before it reads anything, saying so."""
    from .python.environment import _layout_version

    if list(outputs) != ["out"]:
        raise _refused("outputs", f"are {sorted(outputs)}, where an environment has one, out")
    layout = env.get("PYBUILD_ENV_LAYOUT")
    if layout is None:
        raise _refused("PYBUILD_ENV_LAYOUT", "is missing")
    if layout != _layout_version():
        return
    try:
        spec = json.loads(env["PYBUILD_ENV"])
    except (KeyError, ValueError):
        raise _refused("PYBUILD_ENV", "is not an environment's description (JSON)") from None
    if not isinstance(spec, dict):
        raise _refused("PYBUILD_ENV", "is not an environment's description (a JSON object)")
    for field in ("closure", "programs", "listed"):
        paths = spec.get(field, [])  # an environment of an older pybuild has no "listed"
        if not isinstance(paths, list):
            raise _refused(field, f"is {paths!r:.80}, not a list of store paths")
        for path in paths:
            if path not in inputs:
                raise _refused(field, f"names {path!r:.200}, which is not an input of the build")
    site = spec.get("site_packages")
    if not isinstance(site, str) or not all(map(_RELATIVE_PART.fullmatch, site.split("/"))):
        raise _refused("site_packages", f"is {site!r:.200}, not a relative path without '..'")
    version = spec.get("version")
    if not isinstance(version, str) or not _VERSION.fullmatch(version):
        raise _refused("version", f"is {version!r:.80}, not a Python version (3.12.1)")
    python = spec.get("python")
    if not isinstance(python, str) or not os.path.isabs(python) or not _PATH.fullmatch(python):
        raise _refused("python", f"is {python!r:.200}, not the absolute path of an interpreter")
    if not isinstance(spec.get("ignore_collisions"), bool):
        raise _refused("ignore_collisions", "is not true or false")


def _refused(field: str, why: str) -> BuiltinFailure:
    return BuiltinFailure(
        f"the environment's derivation is refused: its {field} {why}; an environment is made"
        " by with_packages, not written by hand"
    )


_RELATIVE_PART = re.compile(r"(?!\.\.?$)[\w.+-]+", re.ASCII)  # a name, not "." or ".."
_VERSION = re.compile(r"[0-9]+\.[0-9]+[\w.+]*", re.ASCII)  # 3.12.1, 3.13.0rc1, 3.14.0a1+
_PATH = re.compile(r"[^\0\n\r]+")  # a line of pyvenv.cfg, read with universal newlines

# name -> what checks its derivation's environment before it runs, as pybuild runs it.
_CHECKS: dict[str, Callable[[Mapping[str, str], Collection[str], Collection[str]], None]] = {
    "builtin:python-env": _check_environment,
}


def _failed_to_run(exc: Exception) -> bool:
    """Whether `exc` is the system's refusal (an OSError) or a process's failure: a
    :class:`subprocess.SubprocessError` exists only once a builder has imported subprocess,
    which this module does not import for them (2.5 ms of every build command's start)."""
    subprocess = sys.modules.get("subprocess")
    return isinstance(exc, OSError) or (
        subprocess is not None and isinstance(exc, subprocess.SubprocessError)
    )
