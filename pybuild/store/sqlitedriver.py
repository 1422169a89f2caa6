"""SQLite's driver, without the :mod:`sqlite3` package's Python layer.

The package is the extension module ``_sqlite3`` plus adapters and converters for dates,
which import :mod:`datetime`: 6.6 M instructions, half of what a no-op runs beyond the
interpreter's start, for types no query here uses (the validity notes ask one count, the
registry stores text and numbers). Both take the extension itself, and the package only on
an interpreter whose extension does not offer ``connect``.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing's import, and types': the no-op's fast path asks through this
if TYPE_CHECKING:
    from types import ModuleType

__all__ = ["sqlite_driver"]


def sqlite_driver() -> ModuleType:
    """The module whose ``connect``, ``Connection``, ``Cursor``, errors and result codes
    are :mod:`sqlite3`'s (a module typed as :mod:`sqlite3` is where it is imported as such)."""
    try:
        import _sqlite3

        if hasattr(_sqlite3, "connect") and hasattr(_sqlite3, "Error"):
            return _sqlite3
    except ImportError:
        pass
    import sqlite3

    return sqlite3
