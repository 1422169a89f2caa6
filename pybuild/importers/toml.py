"""A small TOML writer for the files pybuild writes (lock files, ``[project]`` tables).

``tomllib`` reads TOML but the standard library cannot write it. The files written here
need only strings, integers, booleans, arrays, tables and arrays of tables, so this emits
exactly that, correctly escaped, in a stable order: a table's plain keys first, then its
sub-tables, then its arrays of tables, as TOML requires. A dict wrapped in :class:`Inline`
is written as an inline table (``hashes = {sha256 = "…"}``) to keep small records on one line.

Example::

    >>> print(dumps({"name": "a", "pkg": [{"n": 1}]}), end="")
    name = "a"
    <BLANKLINE>
    [[pkg]]
    n = 1
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

__all__ = ["Inline", "dumps"]

_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
_ESCAPES = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\t": "\\t",
    "\n": "\\n",
    "\f": "\\f",
    "\r": "\\r",
}


class Inline(dict):  # type: ignore[type-arg]
    """A table to write inline, on one line."""


def dumps(data: Mapping[str, Any]) -> str:
    """TOML text for `data` (keys in insertion order)."""
    lines: list[str] = []
    _table(data, (), lines, header=None)
    return "\n".join(lines).strip("\n") + "\n"


def _table(
    data: Mapping[str, Any], path: tuple[str, ...], lines: list[str], header: str | None
) -> None:
    if header is not None:
        if lines:
            lines.append("")
        lines.append(header)
    tables, arrays = [], []
    for key, value in data.items():
        if value is None:
            continue
        if isinstance(value, Mapping) and not isinstance(value, Inline):
            tables.append((key, value))
        elif _is_table_array(value):
            arrays.append((key, value))
        else:
            lines.append(f"{_key(key)} = {_value(value)}")
    for key, value in tables:
        sub = (*path, key)
        _table(value, sub, lines, header=f"[{'.'.join(map(_key, sub))}]")
    for key, items in arrays:
        sub = (*path, key)
        for item in items:
            _table(item, sub, lines, header=f"[[{'.'.join(map(_key, sub))}]]")


def _is_table_array(value: object) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(v, Mapping) and not isinstance(v, Inline) for v in value)
    )


def _key(key: str) -> str:
    return key if _BARE_KEY.match(key) else _string(key)


def _string(text: str) -> str:
    out = []
    for char in text:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, Mapping):
        items = ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items() if v is not None)
        return "{" + items + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} as TOML")
