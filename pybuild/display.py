"""How quantities are shown to people."""

from __future__ import annotations

__all__ = ["human_size"]


def human_size(size: float) -> str:
    """``512 B``, ``1.5 KiB``, ``203.3 MiB``, ``1.2 GiB``."""
    value = float(size)
    for unit in ("B", "KiB", "MiB"):
        if value < 1024:
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GiB"
