"""Where a user's pybuild home is, by the one rule the store and the command line's fast path
(:mod:`pybuild.fastpath`, which must not load the store's classes) both follow; and the check
the command line makes of it before a command uses it."""

from __future__ import annotations

import os

TYPE_CHECKING = False  # typing is one of the imports the fast path avoids
if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["check_home", "home_dir"]


def home_dir(environ: Mapping[str, str]) -> str:
    """``$PYBUILD_HOME``, else ``$XDG_DATA_HOME/pybuild``, else ``~/.local/share/pybuild``, as
    written (it may be relative: the caller makes it absolute its own way)."""
    given = environ.get("PYBUILD_HOME")
    if given:
        return given
    xdg = environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return os.path.join(xdg, "pybuild")


def check_home(environ: Mapping[str, str]) -> None:
    """Refuse a home that is a file, or lies below one (``PYBUILD_HOME=~/notes.txt``): the
    first folder made in it would fail with the system's NotADirectoryError, from wherever
    that happens to be, as if pybuild had a bug. One ``stat`` when the home is there.

    Refuse a relative ``PYBUILD_HOME`` too, as the XDG variables' specification rules them
    out: each folder a command runs in would have a store of its own, and a ``~`` that no
    shell expanded (a quoted value, an env file) makes a folder named ``~`` there."""
    given = environ.get("PYBUILD_HOME")
    if given and not os.path.isabs(given):
        _refuse_relative(given)
    home = os.path.abspath(home_dir(environ))
    path = home
    while not os.path.isdir(path):
        if os.path.lexists(path):
            from ..errors import UsageError

            named = "PYBUILD_HOME" if environ.get("PYBUILD_HOME") else "the pybuild home"
            why = "is a file, not a folder" if path == home else f"cannot be made: {path} is a file"
            error = UsageError(f"{named} {home} {why}")
            error.hint = "set PYBUILD_HOME to a folder, or to a path where one can be made"
            raise error
        parent = os.path.dirname(path)
        if parent == path:
            return
        path = parent


def _refuse_relative(given: str) -> None:
    from ..errors import UsageError

    error = UsageError(f"PYBUILD_HOME={given} is not an absolute path")
    if given == "~" or given.startswith("~/"):
        error.hint = (
            f"write $HOME{given[1:]}: a ~ is the shell's, which does not expand it in quotes"
            " or in an env file"
        )
    else:
        error.hint = (
            f"write it from /, such as $PWD/{given}: a relative home would be another store"
            " in each folder a command runs in"
        )
    raise error
