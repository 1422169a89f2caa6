"""Where a user's pybuild home is, by the one rule the store and the command line's fast path
(:mod:`pybuild.fastpath`, which must not load the store's classes) both follow."""

from __future__ import annotations

import os

TYPE_CHECKING = False  # typing is one of the imports the fast path avoids
if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["home_dir"]


def home_dir(environ: Mapping[str, str]) -> str:
    """``$PYBUILD_HOME``, else ``$XDG_DATA_HOME/pybuild``, else ``~/.local/share/pybuild``, as
    written (it may be relative: the caller makes it absolute its own way)."""
    given = environ.get("PYBUILD_HOME")
    if given:
        return given
    xdg = environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return os.path.join(xdg, "pybuild")
