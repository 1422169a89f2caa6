"""Quantities as people read and write them: sizes in bytes, with binary units."""

from __future__ import annotations

import re

from .errors import BadArgument

__all__ = ["human_size", "parse_size"]

_SIZE_RE = re.compile(r"(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?", re.IGNORECASE)
_UNITS = {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30, "t": 1 << 40}


def human_size(size: float) -> str:
    """``512 B``, ``1.5 KiB``, ``203.3 MiB``, ``1.2 GiB``."""
    value = float(size)
    for unit in ("B", "KiB", "MiB"):
        if value < 1024:
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GiB"


def parse_size(text: str) -> int:
    """Bytes from ``500M``, ``2G``, ``1.5GiB``, ``4096`` (units are powers of 1024)."""
    match = _SIZE_RE.fullmatch(text.strip())
    if match is None:
        raise BadArgument(f"{text!r} is not a size; write it like 500M, 2G or 1048576")
    return int(float(match.group(1)) * _UNITS[match.group(2).lower()])
