"""Reading and writing the files other Python tools use to say what a project needs.

- :mod:`.requirements`: pip's ``requirements.txt`` (with ``--hash``, ``-r``, ``-c``);
- :mod:`.pyproject`: ``[project]`` dependencies, extras and dependency groups of
  ``pyproject.toml``;
- :mod:`.pylock`: PEP 751 ``pylock.toml``, as pip and uv write it, and as ``pybuild lock``
  writes it.

Each reader returns plain data and raises :class:`ImportFileError` (file, line, reason) for
malformed input; :func:`read_file` picks the reader from the file's name. Turning what was
read into recipes is :mod:`pybuild.generate`'s job.

Example::

    >>> _ = Path("requirements.txt").write_text("requests[socks]>=2.31\\nsix==1.17.0\\n")
    >>> [str(r.requirement) for r in read_file("requirements.txt").requirements]
    ['requests[socks]>=2.31', 'six==1.17.0']
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from .errors import ImportFileError
from .pylock import Lock, is_pylock_name, parse_pylock
from .pyproject import parse_pyproject
from .requirements import RequirementsFile, parse_requirements

__all__ = ["ImportFileError", "Lock", "RequirementsFile", "file_kind", "read_file"]


def file_kind(path: str | Path) -> str:
    """``"pylock"``, ``"pyproject"`` or ``"requirements"``, from the file name."""
    name = Path(path).name
    if is_pylock_name(name):
        return "pylock"
    if name == "pyproject.toml":
        return "pyproject"
    return "requirements"


def read_file(
    path: str | Path, extras: Iterable[str] = (), groups: Iterable[str] = ()
) -> RequirementsFile | Lock:
    """Read a requirements file, a ``pyproject.toml`` or a ``pylock.toml``.

    `extras` and `groups` select optional dependencies and dependency groups of a
    ``pyproject.toml``; for the other kinds they are an error.
    """
    kind = file_kind(path)
    extras, groups = list(extras), list(groups)
    if kind == "pyproject":
        return parse_pyproject(path, extras, groups)
    if extras or groups:
        raise ImportFileError(path, 0, "--extra and --group apply to a pyproject.toml only")
    if kind == "pylock":
        return parse_pylock(path)
    return parse_requirements(path)
