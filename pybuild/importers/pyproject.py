"""A project's ``pyproject.toml``: the requirements of ``[project]`` (PEP 621), and writing
them back.

``dependencies`` are always taken; ``optional-dependencies`` only for the extras asked for,
and ``[dependency-groups]`` (PEP 735) only for the groups asked for, with their
``{include-group = …}`` entries followed. A requirement on the project itself
(``all = ["app[cli,web]"]``) means its own extras, as pip and uv read it: it is replaced by
what those extras require (recursively, a cycle followed once, its marker added to theirs),
never looked up on an index, where another project may have the name. Dependencies the
build backend computes (``dynamic = ["dependencies"]``) cannot be read from the file, and say
so. ``[tool.uv]``'s ``constraint-dependencies`` are constraints, as uv reads them; its other
settings that change what uv resolves (``override-dependencies``, ``sources``, ``index``…)
are not honoured, and each is a warning. So are Poetry's and PDM's own dependency-group
tables (``[tool.poetry.group.NAME.dependencies]``, ``[tool.poetry.dev-dependencies]``,
``[tool.pdm.dev-dependencies]``): groups are read from PEP 735's only, and a ``--group``
that only such a table has is refused naming it. The project's ``requires-python`` is kept,
for the import to refuse an interpreter it excludes, as ``pip install .`` and ``uv sync`` do.

Example::

    >>> spec = parse_pyproject_text('[project]\\nname = "app"\\ndependencies = ["rich>=13"]\\n')
    >>> [str(r.requirement) for r in spec.requirements]
    ['rich>=13']
    >>> spec = parse_pyproject_text('[project]\\nname = "app"\\n[project.optional-dependencies]\\n'
    ...     'cli = ["typer"]\\nall = ["app[cli]", "rich"]\\n', extras=["all"])
    >>> [str(r.requirement) for r in spec.requirements]
    ['typer', 'rich']
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from packaging.markers import Marker
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name

from .errors import ImportFileError, read_import_file
from .requirements import RequirementLine, RequirementsFile

__all__ = ["format_pyproject", "parse_pyproject", "parse_pyproject_text"]

_OPTIONAL = "project.optional-dependencies"


def parse_pyproject(
    path: str | Path, extras: Iterable[str] = (), groups: Iterable[str] = ()
) -> RequirementsFile:
    """The requirements of a ``pyproject.toml`` (with `extras` and dependency `groups`)."""
    path = Path(path)
    text = read_import_file(path)
    return parse_pyproject_text(text, str(path), extras, groups)


def parse_pyproject_text(
    text: str, path: str = "pyproject.toml", extras: Iterable[str] = (), groups: Iterable[str] = ()
) -> RequirementsFile:
    data = load_toml(text, path)
    where = _Lines(text)
    project = data.get("project")
    if not isinstance(project, dict):
        raise ImportFileError(
            path,
            0,
            "no [project] table: nothing says what the project depends on",
            "list the dependencies under [project] (PEP 621), or import a requirements file",
        )
    dynamic = project.get("dynamic", [])
    if "dependencies" in dynamic:
        raise ImportFileError(
            path,
            where.key("project", "dynamic"),
            "dependencies are dynamic (the build backend computes them), so the file does not"
            " list them",
            "import a requirements or lock file made from the installed project instead",
        )
    name = project.get("name")
    own = str(canonicalize_name(name)) if isinstance(name, str) and name else None
    optional = project.get("optional-dependencies", {})
    if not isinstance(optional, dict):
        raise ImportFileError(
            path,
            where.key("project", "optional-dependencies"),
            "optional-dependencies must be a table",
        )
    optional = {str(canonicalize_name(k)): v for k, v in optional.items()}
    warnings: list[str] = []

    def expand(entries: list[RequirementLine], within: tuple[str, ...]) -> list[RequirementLine]:
        """`entries` with each requirement on the project itself replaced by what the extras
        it names require; `within` are the extras being expanded, a cycle's way back."""
        found = []
        for entry in entries:
            if entry.name != own:
                found.append(entry)
                continue
            for extra in sorted(str(canonicalize_name(e)) for e in entry.requirement.extras):
                if extra in within:
                    continue  # all = ["app[all]"], or a longer cycle: each extra counts once
                if extra not in optional:
                    warnings.append(
                        f"{entry.where}: {entry.requirement} names the project's own extra"
                        f" {extra!r}, which its [project.optional-dependencies] do not have"
                        f" (it has {', '.join(sorted(optional)) or 'none'}); it adds nothing"
                    )
                    continue
                added = _requirements(where, path, optional[extra], _OPTIONAL, extra)
                marker = entry.requirement.marker
                found += expand([_under(e, marker) for e in added], (*within, extra))
        return found

    found = expand(
        _requirements(where, path, project.get("dependencies", []), "project", "dependencies"), ()
    )
    for extra in extras:
        key = str(canonicalize_name(extra))
        if key not in optional:
            raise ImportFileError(
                path,
                0,
                f"no extra {extra!r} in [project.optional-dependencies];"
                f" it has {sorted(optional) or 'none'}",
            )
        found += expand(_requirements(where, path, optional[key], _OPTIONAL, key), (key,))
    table = data.get("dependency-groups", {})
    tool_groups = _tool_groups(where, data)
    warnings += _tool_group_warnings(path, tool_groups)
    for group in groups:
        if str(canonicalize_name(group)) not in {_norm(k) for k in table}:
            _no_group(path, table, group, tool_groups)
        found += expand(_group(where, path, table, group, ()), ())
    requires_python = project.get("requires-python")
    line = where.key("project", "requires-python")
    if requires_python is not None:
        try:
            SpecifierSet(str(requires_python))
        except InvalidSpecifier as exc:
            raise ImportFileError(path, line, f"requires-python: {exc}") from None
    constraints = _uv_constraints(where, path, data, warnings)
    return RequirementsFile(
        requirements=list(dict.fromkeys(found)),
        constraints=constraints,
        warnings=warnings,
        requires_python=str(requires_python) if requires_python is not None else None,
        requires_python_line=line if requires_python is not None else 0,
    )


# What the import does instead of each ``[tool.uv]`` setting it does not honour; the others
# (cache, Python downloads, build settings of uv's own) change no resolution and go unsaid.
_UV_IGNORED = {
    "override-dependencies": (
        "the releases stay as every requirement allows: write the pin into [project]"
        " dependencies, or import a lock uv made with it (uv export --format pylock.toml)"
    ),
    "dev-dependencies": "name them as a dependency group and import it with --group",
    "default-groups": "only the groups named with --group are imported",
    "sources": (
        "every project comes from the index: import a lock uv made with them"
        " (uv export --format pylock.toml)"
    ),
    "index": "the index is pybuild's own setting (index_urls), or a requirements file's -i",
    "index-url": "the index is pybuild's own setting (index_urls), or a requirements file's -i",
    "extra-index-url": "the indexes are pybuild's own setting (index_urls)",
    "find-links": "recipes come from a package index",
    "no-index": "recipes come from a package index",
    "prerelease": (
        "a pre-release is taken only where a requirement's own specifier names one,"
        " or no final release fits it"
    ),
    "resolution": "each project takes the newest release the request allows",
    "exclude-newer": "each project takes the newest release the request allows",
    "no-binary": "pybuild chooses each project's file itself (the setting prefer)",
    "no-binary-package": "pybuild chooses each project's file itself (the setting prefer)",
    "no-build": "pybuild chooses each project's file itself (the setting prefer)",
    "no-build-package": "pybuild chooses each project's file itself (the setting prefer)",
}


def _uv_constraints(
    where: _Lines, path: str, data: dict[str, Any], warnings: list[str]
) -> list[RequirementLine]:
    """``[tool.uv]``: its ``constraint-dependencies`` are constraints, as a requirements
    file's ``-c`` lines are (uv reads them so); each setting that would change what uv
    resolves and the import does not honour is a warning, never silence."""
    tool = data.get("tool", {})
    uv = tool.get("uv", {}) if isinstance(tool, dict) else {}
    if not isinstance(uv, dict):
        return []
    for key in sorted(uv.keys() & _UV_IGNORED.keys()):
        warnings.append(
            f"{path}:{where.key('tool', 'uv', key)}: [tool.uv] {key} is uv's own setting, which the"
            f" import does not honour: {_UV_IGNORED[key]}"
        )
    if "constraint-dependencies" not in uv:
        return []
    values = uv["constraint-dependencies"]
    return _requirements(where, path, values, "tool.uv", "constraint-dependencies")


class _ToolGroup(NamedTuple):
    """A dependency group a tool's own table holds: its name (canonical), the table, the
    tool's name and the table's line."""

    name: str
    table: str
    tool: str
    line: int


def _tool_groups(where: _Lines, data: dict[str, Any]) -> list[_ToolGroup]:
    """The groups of Poetry's ``[tool.poetry.group.NAME.dependencies]`` and
    ``[tool.poetry.dev-dependencies]``, PDM's ``[tool.pdm.dev-dependencies]`` and uv's
    ``[tool.uv] dev-dependencies``: what those tools install as dependency groups, which
    the import reads from PEP 735's ``[dependency-groups]`` only."""
    tool = _table(data, "tool")
    poetry, pdm, uv = _table(tool, "poetry"), _table(tool, "pdm"), _table(tool, "uv")
    found = [
        _ToolGroup(
            _norm(name),
            f"[tool.poetry.group.{name}.dependencies]",
            "Poetry",
            where.key("tool", "poetry", "group", name, "dependencies"),
        )
        for name, group in _table(poetry, "group").items()
        if isinstance(group, dict) and "dependencies" in group
    ]
    if "dev-dependencies" in poetry:
        line = where.key("tool", "poetry", "dev-dependencies")
        found.append(_ToolGroup("dev", "[tool.poetry.dev-dependencies]", "Poetry", line))
    line = where.key("tool", "pdm", "dev-dependencies")
    found += [
        _ToolGroup(_norm(name), "[tool.pdm.dev-dependencies]", "PDM", line)
        for name in _table(pdm, "dev-dependencies")
    ]
    if "dev-dependencies" in uv:
        line = where.key("tool", "uv", "dev-dependencies")
        found.append(_ToolGroup("dev", "[tool.uv] dev-dependencies", "uv", line))
    return found


def _table(data: object, key: str) -> dict[str, Any]:
    """The table at `key` of `data`, or an empty one where there is none (or no table)."""
    value = data.get(key, {}) if isinstance(data, dict) else {}
    return value if isinstance(value, dict) else {}


def _tool_group_warnings(path: str, groups: Sequence[_ToolGroup]) -> list[str]:
    """A warning for each table of Poetry's and PDM's own groups (uv's is one of the
    ``[tool.uv]`` settings warned of), with what PEP 735 calls it."""
    warnings = []
    for group in groups:
        if group.tool == "Poetry":
            warnings.append(
                f"{path}:{group.line}: {group.table} is Poetry's own dependency group"
                f" {group.name!r}, which the import does not read: write it as a PEP 735 group"
                f" ([dependency-groups] {group.name} = [...], each dependency a requirement such"
                f' as "pytest>=8,<9" for Poetry\'s "^8") and import it with --group {group.name}'
            )
    pdm = [g for g in groups if g.tool == "PDM"]
    if pdm:
        names = ", ".join(repr(g.name) for g in pdm)
        warnings.append(
            f"{path}:{pdm[0].line}: {pdm[0].table} are PDM's own dependency groups {names},"
            " which the import does not read: move them to PEP 735's [dependency-groups] (the"
            " same lists of requirements) and import each with --group NAME"
        )
    return warnings


def _no_group(
    path: str, table: dict[str, Any], group: str, tool_groups: Sequence[_ToolGroup]
) -> None:
    """Refuse `group`, which [dependency-groups] lacks, naming the tool's own table that has
    it when one does (the group the user meant)."""
    has = sorted(_norm(k) for k in table) or "none"
    reason = f"no dependency group {group!r}; it has {has}"
    hint = ""
    for found in tool_groups:
        if found.name == _norm(group):
            reason += (
                f"; {found.table} (at line {found.line}) is {found.tool}'s own group"
                f" {found.name!r}, which the import does not read"
            )
            hint = (
                f"write it as a PEP 735 group: [dependency-groups] {found.name} = [...],"
                " one requirement per dependency"
            )
            break
    raise ImportFileError(path, 0, reason, hint)


def _under(entry: RequirementLine, marker: Marker | None) -> RequirementLine:
    """`entry` required only where `marker` holds too (the marker of ``app[cli]; …``)."""
    if marker is None:
        return entry
    requirement = Requirement(str(entry.requirement))
    own = requirement.marker
    requirement.marker = Marker(f"({own}) and ({marker})") if own is not None else marker
    return RequirementLine(requirement, entry.hashes, entry.path, entry.line)


def load_toml(text: str, path: str) -> dict[str, Any]:
    """Parse TOML; a syntax error names its line."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"at line (\d+)", str(exc))
        line = int(match.group(1)) if match else 0
        if "end of document" in str(exc):
            line = len(text.splitlines())
        reason = re.sub(r"\s*\((at line \d+, column \d+|at end of document)\)", "", str(exc))
        raise ImportFileError(path, line, f"not valid TOML: {reason}") from None


def _requirements(
    where: _Lines, path: str, values: object, table: str, key: str
) -> list[RequirementLine]:
    """The requirements `values` of `key` in `table` (dotted), each at its own line."""
    at = (*table.split("."), key)
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise ImportFileError(path, where.key(*at), f"{key} must be a list of strings")
    found = []
    for value in values:
        line = where.value(value, *at)
        try:
            req = Requirement(value)
        except InvalidRequirement as exc:
            raise ImportFileError(path, line, f"invalid requirement {value!r}: {exc}") from None
        if req.url:
            raise ImportFileError(
                path,
                line,
                f"{req.name} is a direct reference ({req.url})",
                "name a released version instead (NAME==VERSION)",
            )
        found.append(RequirementLine(req, (), path, line))
    return found


def _group(
    where: _Lines, path: str, table: dict[str, Any], group: str, seen: Sequence[str]
) -> list[RequirementLine]:
    """The requirements of the dependency group `group`, its includes followed; `seen` are
    the groups including it, a cycle's way back. Errors name the group's line."""
    groups = {str(canonicalize_name(k)): v for k, v in table.items()}
    key = str(canonicalize_name(group))
    line = where.key("dependency-groups", group)
    if key in seen:
        raise ImportFileError(path, line, f"dependency group {group!r} includes itself")
    entries = groups[key]
    if not isinstance(entries, list):
        raise ImportFileError(path, line, f"dependency group {group!r} must be a list")
    found: list[RequirementLine] = []
    for entry in entries:
        if isinstance(entry, dict) and set(entry) == {"include-group"}:
            included = str(entry["include-group"])
            if str(canonicalize_name(included)) not in groups:
                raise ImportFileError(
                    path,
                    where.value(included, "dependency-groups", group),
                    f"dependency group {group!r} includes {included!r}, which"
                    f" [dependency-groups] does not have; it has {sorted(groups)}",
                )
            found += _group(where, path, table, included, (*seen, key))
        elif isinstance(entry, str):
            found += _requirements(where, path, [entry], "dependency-groups", group)
        else:
            raise ImportFileError(
                path,
                line,
                f"dependency group {group!r}: {entry!r} is neither a requirement (a string)"
                " nor an {include-group = NAME} table",
            )
    return found


_HEADER = re.compile(r"^\s*\[\[?\s*([^\[\]]+?)\s*\]\]?\s*(#.*)?$")
_KEY = re.compile(
    r"""^\s*((?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"[^"]*"|'[^']*'))*)"""
    r"\s*=(?!=)"
)


class _Lines:
    """Where a key is written in a TOML text: tomllib keeps no positions, and the first line
    merely mentioning a name is often another's (``name = "a"`` for the group ``a``). Each
    table header and key line is read with its full dotted path (``[project]`` then
    ``optional-dependencies.web =`` is ``project.optional-dependencies.web``); a key's value
    spans the lines up to the next key or header, where its strings are looked for."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.keys: list[tuple[int, tuple[str, ...]]] = []
        table: tuple[str, ...] = ()
        for number, line in enumerate(self.lines, 1):
            if header := _HEADER.match(line):
                table = _dotted(header.group(1))
                self.keys.append((number, table))
            elif key := _KEY.match(line):
                self.keys.append((number, (*table, *_dotted(key.group(1)))))

    def key(self, *path: str) -> int:
        """The line of the key (or table header) at `path` (names compared as project names
        are, as extras and groups are), or 0."""
        wanted = tuple(_norm(p) for p in path)
        return next((n for n, found in self.keys if found == wanted), 0)

    def value(self, value: str, *path: str) -> int:
        """The line of the string `value` within the value of the key at `path`, else the
        key's own line."""
        start = self.key(*path)
        if not start:
            return 0
        end = next((n for n, _ in self.keys if n > start), len(self.lines) + 1)
        quoted = (f'"{value}"', f"'{value}'")
        for number in range(start, end):
            if any(q in self.lines[number - 1] for q in quoted):
                return number
        return start


def _dotted(key: str) -> tuple[str, ...]:
    parts = re.findall(r"""[A-Za-z0-9_-]+|"[^"]*"|'[^']*'""", key)
    return tuple(_norm(p.strip("\"'")) for p in parts)


def _norm(name: str) -> str:
    return str(canonicalize_name(name))


def format_pyproject(name: str, version: str, requirements: Sequence[Requirement]) -> str:
    """A minimal ``pyproject.toml`` whose ``[project]`` depends on `requirements`."""
    from .toml import dumps

    project = {
        "name": name,
        "version": version,
        "dependencies": [str(r) for r in requirements],
    }
    return dumps({"project": project})
