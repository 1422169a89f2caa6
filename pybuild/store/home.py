"""Where a user's pybuild home is, by the one rule the store and the command line's fast path
(:mod:`pybuild.fastpath`, which must not load the store's classes) both follow; and the checks
of it: the command line's, before a command uses it, and the store's, as it opens one.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False  # typing is one of the imports the fast path avoids
if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["check_home", "home_dir", "refuse_a_file_home"]


def home_dir(environ: Mapping[str, str]) -> str:
    """``$PYBUILD_HOME``, else ``$XDG_DATA_HOME/pybuild``, else ``~/.local/share/pybuild``, as
    written (it may be relative: the caller makes it absolute its own way)."""
    given = environ.get("PYBUILD_HOME")
    if given:
        return given
    xdg = environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return os.path.join(xdg, "pybuild")


def check_home(environ: Mapping[str, str]) -> None:
    """The command line's check of the home, before any command uses it: that of
    :func:`refuse_a_file_home`, as the store makes it (a command may fail before it opens the
    store, writing a memo into the home), and a relative ``PYBUILD_HOME``, refused as the XDG
    variables' specification rules them out: each folder a command runs in would have a store
    of its own, and a ``~`` that no shell expanded (a quoted value, an env file) makes a
    folder named ``~`` there. The library takes a relative one as of the working folder."""
    given = environ.get("PYBUILD_HOME")
    if given and not os.path.isabs(given):
        _refuse_relative(given)
    refuse_a_file_home(os.path.abspath(home_dir(environ)), "PYBUILD_HOME" if given else "")


def refuse_a_file_home(home: str, named: str = "") -> None:
    """Refuse `home`, an absolute path, when it is a file or lies below one
    (``PYBUILD_HOME=~/notes.txt``): the first folder made in it would fail with the system's
    NotADirectoryError, from wherever that happens to be, as if pybuild had a bug. `named` is
    how the error names it (``PYBUILD_HOME``; "the pybuild home" by default). One ``stat``
    when the home is there."""
    path = home
    while not os.path.isdir(path):
        # made a folder by another process since: a folder after all
        if os.path.lexists(path) and not os.path.isdir(path):
            from ..errors import StoreError

            hint = "set PYBUILD_HOME to a folder, or to a path where one can be made"
            if os.path.islink(path):  # a link to nothing yet: no folder can be made through it
                what = f"a link to {os.readlink(path)}, which does not exist"
                hint = f"make the folder it names, or {hint}"
            else:
                what = "a file, not a folder" if path == home else "a file"
            why = f"is {what}" if path == home else f"cannot be made: {path} is {what}"
            error = StoreError(f"{named or 'the pybuild home'} {home} {why}")
            error.hint = hint
            error.of_the_recipe = False  # evaluation writes to the home: no line of a recipe's
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
