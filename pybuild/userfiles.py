"""Which source files are the user's: where an error is placed, and where a recipe is.

An error is shown at the innermost line of the user's code (:mod:`pybuild.diagnostics`), and
a package remembers the recipe's line that gave its source (:mod:`pybuild.python.package`):
both skip pybuild's own modules, the interpreter's standard library and site-packages, but
not the default recipes and example overlays, which are written like a user's code. Kept
apart from the diagnostics, whose imports (traceback, linecache) evaluation never needs.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path

TYPE_CHECKING = False
if TYPE_CHECKING:
    from types import FrameType

__all__ = ["call_site", "is_user_file"]


@functools.lru_cache(maxsize=512)
def is_user_file(file: str) -> bool:
    """Whether the code of `file` (a code object's file name) is the user's."""
    if file.startswith("<"):
        return False  # <frozen importlib._bootstrap>, <string>
    path = Path(file).resolve()
    if any(path.is_relative_to(folder) for folder in _shipped()):
        return True  # the default recipes and example overlays are written like user code
    if path.is_relative_to(_package()):
        return False
    return not any(path.is_relative_to(folder) for folder in _installation())


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


@functools.cache
def _package() -> Path:
    return Path(__file__).resolve().parent


@functools.lru_cache(maxsize=1)
def _shipped() -> tuple[Path, ...]:
    """The shipped folders this installation has: a missing one holds no file to place an
    error in, and saying so here would raise while the error at hand is described."""
    from .bundled import shipped

    return tuple(folder.resolve() for name in ("recipes", "overlays") if (folder := shipped(name)))


@functools.lru_cache(maxsize=1)
def _installation() -> tuple[Path, ...]:
    """The interpreter's own folders: the standard library and site-packages."""
    import sysconfig

    names = ("stdlib", "platstdlib", "purelib", "platlib")
    return tuple({Path(p).resolve() for n in names if (p := sysconfig.get_paths().get(n))})
