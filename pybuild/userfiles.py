"""Which source files are the user's: where an error is placed, and where a recipe is.

An error is shown at the innermost line of the user's code (:mod:`pybuild.diagnostics`), and
a package remembers the recipe's line that gave its source (:mod:`pybuild.python.package`):
both skip pybuild's own modules, the interpreter's standard library and site-packages, but
not the default recipes and example overlays, which are written like a user's code. Kept
apart from the diagnostics, whose imports (traceback, linecache) evaluation never needs.
"""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path

TYPE_CHECKING = False
if TYPE_CHECKING:
    from types import FrameType

__all__ = ["call_site", "is_user_file", "shown_file"]


@functools.lru_cache(maxsize=4096)  # a set of a thousand recipes asks of each file twice
def is_user_file(file: str) -> bool:
    """Whether the code of `file` (a code object's file name) is the user's."""
    if file.startswith("<"):
        return False  # <frozen importlib._bootstrap>, <string>
    path = _real(file)
    if any(_within(path, folder) for folder in _shipped()):
        return True  # the default recipes and example overlays are written like user code
    if _within(path, _package()):
        return False
    return not any(_within(path, folder) for folder in _installation())


def _real(file: str) -> str:
    """`file` with every link on its way resolved, as :func:`os.path.realpath` makes it, its
    folder's resolved once: each recipe of a set is a file of its own, asked of once or
    twice, and resolving each whole (a system call per folder above it, in pathlib's
    objects) was a fifth of evaluating the deepest recipe of a thousand."""
    folder, name = os.path.split(file)
    if not name or os.path.islink(file):
        return os.path.realpath(file)
    return os.path.join(_real_folder(folder), name)


@functools.lru_cache(maxsize=64)
def _real_folder(folder: str) -> str:
    return os.path.realpath(folder or os.curdir)


def _within(path: str, folder: str) -> bool:
    """Whether the resolved `path` is `folder` (resolved too) or under it."""
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def call_site(depth: int = 1, through: tuple[str, ...] | None = None) -> str:
    """The user's line that led to the caller's caller (`depth` frames above this one), as
    "file:line": the innermost frame outside pybuild's own code, the shipped recipes and
    overlays aside (a set hands a recipe lazy references to pybuild's functions, which call
    each other); "" when there is none. With `through`, only frames of pybuild's modules of
    those file names may come between: a call that pybuild's own code made for itself (the
    build tools' downloads a derivation needs) is nobody's line, and not searched for."""
    frame: FrameType | None = sys._getframe(depth + 1)
    while frame is not None:
        file = frame.f_code.co_filename
        if is_user_file(file):
            return f"{file}:{frame.f_lineno}"
        if through is not None and file.rpartition("/")[2] not in through:
            return ""
        frame = frame.f_back
    return ""


def shown_file(file: str) -> str:
    """A path relative to the working folder when it lies below it, as a user typed it."""
    try:
        return os.path.relpath(file) if Path(file).resolve().is_relative_to(Path.cwd()) else file
    except ValueError:
        return file


@functools.cache
def _package() -> str:
    return os.path.dirname(os.path.realpath(__file__))


@functools.lru_cache(maxsize=1)
def _shipped() -> tuple[str, ...]:
    """The shipped folders this installation has: a missing one holds no file to place an
    error in, and saying so here would raise while the error at hand is described."""
    from .bundled import shipped

    folders = (shipped(name) for name in ("recipes", "overlays"))
    return tuple(os.path.realpath(folder) for folder in folders if folder)


@functools.lru_cache(maxsize=1)
def _installation() -> tuple[str, ...]:
    """The interpreter's own folders: the standard library and site-packages."""
    import sysconfig

    names = ("stdlib", "platstdlib", "purelib", "platlib")
    return tuple({os.path.realpath(p) for n in names if (p := sysconfig.get_paths().get(n))})
