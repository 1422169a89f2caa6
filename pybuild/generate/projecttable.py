"""An sdist's static ``[project]`` table (PEP 621) as its core metadata, as uv reads it.

A ``PKG-INFO`` older than metadata version 2.2 promises nothing, so its requirements would be
asked of the build backend, which may need what its hook cannot have (a download: the hook
runs offline). But a ``pyproject.toml`` whose ``[project]`` table does not list
``dependencies``, ``optional-dependencies`` or ``requires-python`` in ``dynamic`` fixes them:
PEP 621 forbids a backend to change a field that is not dynamic, and a field neither given nor
dynamic is empty. So they are read from it without running the backend, under uv's rules:

- ``name`` must be the release's (it cannot be dynamic);
- ``version``, when given, must be the release's; when dynamic, the release's version is it
  (an sdist's file name fixes it);
- with no ``dependencies`` and a ``[tool.poetry]`` table, the dependencies are Poetry's
  (old poetry-core reads them from there), so the table says nothing;
- each ``optional-dependencies`` entry is an extra (its name normalised, PEP 685) whose
  requirements are marked ``extra == "NAME"``.

Anything else (no table, a dynamic field, a value of the wrong type, a requirement that does
not parse) answers None: the backend decides then, as before.

Example::

    >>> meta = static_metadata('[project]\\nname = "a"\\nversion = "1"\\n'
    ...                        '[project.optional-dependencies]\\nX = ["b"]\\n', "a", "1")
    >>> meta.requires_dist, meta.extras
    (('b; extra == "x"',), ('x',))
"""

from __future__ import annotations

import tomllib
from typing import Any

from packaging.markers import Marker
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from .metadata import Metadata

__all__ = ["SOURCE", "static_metadata"]

SOURCE = "the sdist's pyproject.toml [project] table"
_NEEDED = {"dependencies", "optional-dependencies", "requires-python"}


def static_metadata(pyproject: str | None, name: str, version: str) -> Metadata | None:
    """The metadata the ``[project]`` table of `pyproject` fixes for release `name`
    `version`, or None when it does not fix all that decides a recipe (module doc)."""
    project, tool = _tables(pyproject)
    if project is None or not _fixed(project, tool, name, version):
        return None
    try:
        requires = [str(Requirement(r)) for r in _strings(project.get("dependencies", []))]
        extras: list[str] = []
        for extra, reqs in _extras(project.get("optional-dependencies", {})).items():
            extras.append(extra)
            requires += [_with_extra(r, extra) for r in _strings(reqs)]
        python = project.get("requires-python")
        if python is not None:
            python = str(SpecifierSet(_string(python)))
    except (InvalidRequirement, InvalidSpecifier, _NotStatic):
        return None
    summary = project.get("description")
    return Metadata(
        name=name,
        version=version,
        requires_dist=tuple(requires),
        requires_python=python,
        extras=tuple(extras),
        source=SOURCE,
        summary=" ".join(summary.split()) if isinstance(summary, str) else "",
    )


class _NotStatic(Exception):
    """A value of the table is not what PEP 621 says it is: the backend must answer."""


def _tables(pyproject: str | None) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """The ``[project]`` table (None without one) and the ``[tool]`` table."""
    if pyproject is None:
        return None, {}
    try:
        data = tomllib.loads(pyproject)
    except tomllib.TOMLDecodeError:
        return None, {}
    project, tool = data.get("project"), data.get("tool")
    return (
        project if isinstance(project, dict) else None,
        tool if isinstance(tool, dict) else {},
    )


def _fixed(project: dict[str, Any], tool: dict[str, Any], name: str, version: str) -> bool:
    """Whether the table fixes the requirements of release `name` `version`."""
    dynamic = project.get("dynamic", [])
    if not isinstance(dynamic, list) or _NEEDED & {str(d) for d in dynamic}:
        return False
    if "dependencies" not in project and "poetry" in tool:
        return False
    own = project.get("name")
    if not isinstance(own, str) or canonicalize_name(own) != canonicalize_name(name):
        return False
    if "version" in dynamic:
        return "version" not in project
    try:
        return Version(str(project.get("version"))) == Version(version)
    except InvalidVersion:
        return False


def _string(value: object) -> str:
    if not isinstance(value, str):
        raise _NotStatic
    return value


def _strings(value: object) -> list[str]:
    if not isinstance(value, list):
        raise _NotStatic
    return [_string(v) for v in value]


def _extras(value: object) -> dict[str, object]:
    """``optional-dependencies`` by normalised extra name."""
    if not isinstance(value, dict):
        raise _NotStatic
    extras = {str(canonicalize_name(str(k))): v for k, v in value.items()}
    if len(extras) < len(value):  # two spellings of one extra: which would a backend keep?
        raise _NotStatic
    return extras


def _with_extra(text: str, extra: str) -> str:
    """The requirement `text` of `extra`: its marker and ``extra == "EXTRA"``."""
    req = Requirement(text)
    marker = f'extra == "{extra}"'
    req.marker = Marker(f"({req.marker}) and {marker}" if req.marker else marker)
    return str(req)
