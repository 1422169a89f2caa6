"""Finding an interpreter from what a user types: ``3.12``, ``python3.12`` or a path.

``pybuild --python 3.12`` and ``package_set(python="3.12")`` mean "CPython 3.12 as this
machine has it": ``python3.12`` on ``PATH``. Version managers put a *shim* there, a script that
runs whichever interpreter the manager has selected, so a shim is never taken as the
interpreter itself (its bytes say nothing about the build): it is run, and asked for
``sys.executable``. pyenv's shim refuses to run a version that is installed but not selected
(``pyenv: python3.12: command not found``); that version is then taken from pyenv's versions
folder, where the shim would have found it.

Example::

    >>> import os, sys
    >>> locate_python(sys.executable) == os.path.realpath(sys.executable)
    True
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

from ..errors import UsageError

__all__ = ["locate_python", "python_meeting"]

_VERSION = re.compile(r"\d+(\.\d+)?")
_ASK = "import sys; print(sys.executable)"


def locate_python(spec: str | os.PathLike[str]) -> str:
    """The real executable (symlinks and shims resolved) that `spec` names.

    `spec` is a version (``3.12``: ``python3.12`` on ``PATH``), a command on ``PATH``
    (``python3``) or a path.
    """
    text = os.fspath(spec)
    command = f"python{text}" if _VERSION.fullmatch(text) else text
    found = command if os.sep in command else shutil.which(command)
    if found is None:
        raise _not_found(text, command)
    if not _is_script(found):
        return os.path.realpath(found)
    answer = subprocess.run([found, "-c", _ASK], capture_output=True, text=True, check=False)
    if answer.returncode == 0 and answer.stdout.strip():
        return os.path.realpath(answer.stdout.strip())
    pyenv = _pyenv_version(command)
    if pyenv is not None:
        return pyenv
    raise UsageError(
        f"{found} (for {text}) is a script that did not name an interpreter: "
        + (answer.stderr.strip().splitlines() or ["no output"])[0]
    )


def _is_script(path: str) -> bool:
    """Whether `path` starts with ``#!``: a shim or wrapper, not an interpreter binary."""
    try:
        with open(path, "rb") as f:
            return f.read(2) == b"#!"
    except OSError:
        raise UsageError(f"{path}: cannot read this interpreter") from None


def _pyenv_version(command: str) -> str | None:
    """`command` from pyenv's versions folder (the newest version that has it), if any."""
    root = Path(os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv")
    found = [p for p in (root / "versions").glob(f"*/bin/{command}") if p.is_file()]
    if not found:
        return None
    newest = max(found, key=lambda p: _version_key(p.parent.parent.name))
    return os.path.realpath(newest)


def _version_key(name: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", name))


def _not_found(text: str, command: str) -> UsageError:
    error = UsageError(f"no interpreter {text!r}: {command} is not on PATH")
    error.hint = "install that Python, or give the interpreter's path (--python /path/to/python)"
    return error


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
