"""Reading and writing the files other Python tools use to say what a project needs.

- :mod:`.requirements`: pip's ``requirements.txt`` (with ``--hash``, ``-r``, ``-c``);
- :mod:`.pyproject`: ``[project]`` dependencies, extras and dependency groups of
  ``pyproject.toml``;
- :mod:`.pylock`: PEP 751 ``pylock.toml``, as pip and uv write it, and as ``pybuild lock``
  writes it.

Each reader returns plain data and raises :class:`ImportFileError` (file, line, reason) for
malformed input; :func:`read_file` picks the reader from the file's name. Any other TOML file
and uv's own ``uv.lock`` are refused with what to do, not read as a requirements file, whose
first line they would fail as. Turning what was read into recipes is :mod:`pybuild.generate`'s
job.

Example::

    >>> _ = Path("requirements.txt").write_text("requests[socks]>=2.31\\nsix==1.17.0\\n")
    >>> [str(r.requirement) for r in read_file("requirements.txt").requirements]
    ['requests[socks]>=2.31', 'six==1.17.0']
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from packaging.utils import canonicalize_name

from .errors import ImportFileError, read_import_file
from .pylock import Lock, is_pylock_name, parse_pylock
from .pyproject import load_toml, parse_pyproject
from .requirements import RequirementsFile, parse_requirements

__all__ = [
    "ImportFileError",
    "Lock",
    "RequirementsFile",
    "file_kind",
    "read_file",
    "where_named",
]


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
    ``pyproject.toml``, or the extras and groups a ``pylock.toml`` offers; for a requirements
    file they are an error.
    """
    kind = file_kind(path)
    extras, groups = list(extras), list(groups)
    if kind == "pyproject":
        return parse_pyproject(path, extras, groups)
    if kind == "pylock":
        return parse_pylock(path, extras, groups)
    if extras or groups:
        raise ImportFileError(
            path, 0, "--extra and --group apply to a pyproject.toml or a pylock.toml only"
        )
    _refuse_other_toml(Path(path))
    return parse_requirements(path)


def where_named(spec: RequirementsFile | Lock, path: str | Path, name: str) -> tuple[str, int]:
    """The file and line (0: none) that first name the project `name`, as a requirement, a
    constraint or a locked package: where an error about that project is the file's."""
    name = str(canonicalize_name(name))
    if isinstance(spec, Lock):
        found = [(str(path), p.line) for p in spec.packages if canonicalize_name(p.name) == name]
    else:
        entries = [*spec.requirements, *spec.constraints]
        found = [(e.path or str(path), e.line) for e in entries if e.name == name]
    return found[0] if found else (str(path), 0)


def _refuse_other_toml(path: Path) -> None:
    """A lock file named otherwise, uv's own lock or another TOML file: an error saying what
    the file is and how to import it (``pip install -r`` reads it as requirements and fails)."""
    if path.name == "uv.lock":
        raise ImportFileError(
            path,
            0,
            "a uv.lock is uv's own format, not a requirements file",
            "export it as a PEP 751 lock file and import that: uv export --format pylock.toml"
            " -o pylock.toml",
        )
    if path.suffix != ".toml":
        return
    data = load_toml(read_import_file(path), str(path))
    if "lock-version" in data:
        raise ImportFileError(
            path,
            0,
            "a PEP 751 lock file (it has a lock-version), but not named as one",
            "rename it: PEP 751 lock files are named pylock.toml or pylock.NAME.toml, where NAME"
            " has no dots",
        )
    if "project" in data:
        raise ImportFileError(
            path,
            0,
            "a project's pyproject.toml (it has a [project] table) under another name",
            "rename it pyproject.toml",
        )
    raise ImportFileError(
        path,
        0,
        "a TOML file that is neither a pyproject.toml nor a PEP 751 lock file (pylock.toml)",
        "import a requirements file, a pyproject.toml or a pylock.toml",
    )
