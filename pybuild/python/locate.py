"""Finding an interpreter from what a user types: ``3.12``, ``python3.12`` or a path.

``pybuild --python 3.12`` and ``package_set(python="3.12")`` mean "CPython 3.12 as this machine
has it": ``python3.12`` on ``PATH``, refused when it runs another version (a link gone wrong
would build a set for that one without a word); ``3.12.1``, that release: ``python3.12`` when
it is that one, else pyenv's install of it, as uv finds one. Version managers put a *shim* on
``PATH``, a script that runs whichever interpreter the manager has selected, so a shim is never
taken as the interpreter itself (its bytes say nothing about the build): it is run, and asked
for ``sys.executable``. pyenv's shim refuses to run a version that is installed but not
selected (``pyenv: python3.12: command not found``); that version is then taken from pyenv's
versions folder, where the shim would have found it.

Example::

    >>> import os, sys
    >>> locate_python(sys.executable) == os.path.realpath(sys.executable)
    True
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
from pathlib import Path

from ..errors import UsageError

__all__ = ["choose_python", "locate_python", "python_meeting"]

_VERSION = re.compile(r"\d+(\.\d+)?")
_RELEASE = re.compile(r"(\d+\.\d+)\.\d+")  # 3.12.1: its minor version's command, checked
_ASK = "import sys; print(sys.executable)"


def locate_python(spec: str | os.PathLike[str]) -> str:
    """The real executable (symlinks and shims resolved) that `spec` names.

    `spec` is a version (``3.12``: ``python3.12`` on ``PATH``, refused when it runs
    another), a command on ``PATH`` (``python3``) or a path.
    """
    text = os.fspath(spec)
    release = _RELEASE.fullmatch(text)
    if release:
        return _release(text, release.group(1))
    if not _VERSION.fullmatch(text):
        return _command(text, text)
    found = _command(text, f"python{text}")
    there = _version_of(found)
    if there.split(".")[: text.count(".") + 1] != text.split("."):
        raise _another_version(text, found, there)
    return found


def _command(text: str, command: str) -> str:
    """The real executable of `command` (a name on ``PATH`` or a path), asked for `text`."""
    found = command if os.sep in command else shutil.which(command)
    if found is None:
        raise _not_found(text, command)
    if not _is_script(found):
        return os.path.realpath(found)
    answer = subprocess.run([found, "-c", _ASK], capture_output=True, text=True, check=False)
    if answer.returncode == 0 and answer.stdout.strip():
        return os.path.realpath(answer.stdout.strip())
    pyenv = _pyenv_version(_shim_command(command, found))
    if pyenv is not None:
        return pyenv
    raise UsageError(
        f"{found} (for {text}) is a script that did not name an interpreter: "
        + (answer.stderr.strip().splitlines() or ["no output"])[0]
    )


def _release(version: str, minor: str) -> str:
    """The interpreter of release `version` (``3.12.1``): ``python3.12`` if it is that
    release, else pyenv's install of it; refused, saying which release there is, if neither."""
    found: str | None = None
    there: str | None = None
    with contextlib.suppress(UsageError):  # neither on PATH nor running: pyenv's may be
        found = _command(minor, f"python{minor}")
        there = _version_of(found)
    if found is not None and there == version:
        return found
    installed = _pyenv_root() / "versions" / version / "bin" / f"python{minor}"
    if installed.is_file():
        return os.path.realpath(installed)
    seen = f"python{minor} is {there} ({found})" if found else f"python{minor} is not on PATH"
    error = UsageError(f"no interpreter {version!r}: {seen}")
    error.hint = (
        f"install that release, or name the minor version alone: {choose_python(minor)} (or an"
        " interpreter's path)"
    )
    raise error


def _version_of(path: str) -> str:
    """The release `path` runs (``3.12.1``), from its facts: the set asks them next, so they
    are learnt (and cached) once rather than the interpreter started twice."""
    from .interpreter import Interpreter

    return Interpreter.at(path).version


def _another_version(version: str, found: str, there: str) -> UsageError:
    """The error for ``python3.13`` on ``PATH`` running 3.12 (a link or a wrapper gone wrong)."""
    error = UsageError(f"no interpreter {version!r}: python{version} is {there} ({found})")
    error.hint = (
        f"put CPython {version} first on PATH, or give its interpreter's path:"
        f" {choose_python(f'/path/to/python{version}')}"
    )
    return error


def _is_script(path: str) -> bool:
    """Whether `path` starts with ``#!``: a shim or wrapper, not an interpreter binary."""
    try:
        with open(path, "rb") as f:
            return f.read(2) == b"#!"
    except IsADirectoryError:
        error = UsageError(f"{path} is a folder, not an interpreter")
        inside = os.path.join(path, "bin", "python3")
        error.hint = (
            f"give the interpreter in it: {choose_python(inside)}"
            if os.path.isfile(inside)
            else f"give the interpreter's path: {choose_python('/path/to/bin/python3')}"
        )
        raise error from None
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file") from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot read this interpreter: {exc.strerror}") from None


def _pyenv_root() -> Path:
    return Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv")


def _shim_command(command: str, found: str) -> str:
    """The command pyenv's shim `found` stands for: `command` typed as a name, or the name
    of a shim given by a path (what ``which python3.13`` prints, or a link to it)."""
    shims = os.path.realpath(_pyenv_root() / "shims")
    if os.sep in command and os.path.dirname(os.path.realpath(found)) == shims:
        return os.path.basename(os.path.realpath(found))
    return command


def _pyenv_version(command: str) -> str | None:
    """`command` from pyenv's versions folder (the newest version that has it), if any."""
    found = [p for p in (_pyenv_root() / "versions").glob(f"*/bin/{command}") if p.is_file()]
    if not found:
        return None
    newest = max(found, key=lambda p: _version_key(p.parent.parent.name))
    return os.path.realpath(newest)


def _version_key(name: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", name))


def _not_found(text: str, command: str) -> UsageError:
    error = UsageError(f"no interpreter {text!r}: {command} is not on PATH")
    error.hint = (
        f"install that Python, or give the interpreter's path: {choose_python('/path/to/python')}"
    )
    return error


def choose_python(value: str) -> str:
    """How a hint says to choose interpreter `value`, both where one is chosen: a hint naming
    ``--python`` alone leaves a script's author (``package_set(python=...)``) to translate."""
    return f'--python {value} on the command line, package_set(python="{value}") in Python'


def python_meeting(requires_python: str, current: str) -> str | None:
    """The ``X.Y`` nearest to the `current` interpreter's version (newer ones first) that a
    ``Requires-Python`` allows, for a hint to name a ``--python`` that would do rather than
    leave the user to read specifiers; None when it is malformed or no ``X.Y`` from ``X.0``
    to ten minor versions ahead meets it. The current ``X.Y`` is not offered: it is the
    one that does not. A minor version meets it when its first or a late patch release does
    (``>=3.12.1`` is met by 3.12).

    Example::

        >>> [python_meeting(r, "3.11.7") for r in (">=3.12", "<3.11", "<3")]
        ['3.12', '3.10', None]
    """
    from packaging.specifiers import InvalidSpecifier, SpecifierSet
    from packaging.version import Version

    try:
        allowed = SpecifierSet(requires_python)
    except InvalidSpecifier:
        return None
    major, minor, *_ = (*Version(current).release, 0)
    for other in [*range(minor + 1, minor + 11), *range(minor - 1, -1, -1)]:
        if any(allowed.contains(f"{major}.{other}.{patch}", prereleases=True) for patch in (0, 99)):
            return f"{major}.{other}"
    return None
