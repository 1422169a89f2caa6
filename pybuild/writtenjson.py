"""JSON that pybuild wrote itself, read without :mod:`json` where a command must be quick.

``json`` imports ``re`` and ``enum``: a quarter of a rollback's or a repeated ``pybuild run``'s
own time. Text written by ``json.dumps(…, indent=N, sort_keys=True)`` has every top-level key
on a line of its own, ``N`` spaces in, and no string in it holds a raw line break, so a string
value there is read from its line. Any other text (written by hand or by another tool) gives
None, and the caller parses it as JSON, with the same answer or the same error.
"""

from __future__ import annotations

__all__ = ["top_level_string"]


def top_level_string(lines: list[str], key: str, indent: int) -> str | None:
    """The string value of the top-level `key` in the `lines` of JSON written with `indent`,
    when the key is there once and its value needs no unescaping; else None."""
    start = f'{" " * indent}"{key}": "'
    found = [line[len(start) :].removesuffix(",") for line in lines if line.startswith(start)]
    if len(found) != 1 or not found[0].endswith('"') or any(c in found[0][:-1] for c in '"\\'):
        return None
    return found[0][:-1]
