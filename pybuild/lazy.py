"""Lazy references: the laziness that Nix has by nature and Python does not.

Package sets hand recipes and overlays references to attributes instead of values, so that
defining a set evaluates nothing and an overlay can refer to the final set before it exists.
A reference is resolved on first real use; overriding one stays lazy.
"""

from __future__ import annotations

import sys
from _thread import _local  # threading's local, without the module: evaluation needs no other part
from collections.abc import Callable
from types import TracebackType

from .userfiles import is_user_file

TYPE_CHECKING = False  # typing: an import no evaluation needs
if TYPE_CHECKING:
    from types import FrameType
    from typing import Any

__all__ = ["Lazy", "force"]


class Lazy:
    """A reference to a set attribute, resolved on first real use.

    Overriding a lazy reference stays lazy (the change is recorded and applied on use), so
    overlays can say ``prev.scipy.override_python_attrs(...)`` without evaluating anything.
    """

    __slots__ = ("_label", "_thunk", "_value", "_where")

    def __init__(self, label: str, thunk: Callable[[], Any], where: str = "") -> None:
        """`where` is ``file:line`` of the code that wrote the reference (an overlay's
        ``final.x``), for an error to point at; private, as every public name is the
        value's."""
        self._label, self._thunk, self._value, self._where = label, thunk, _UNSET, where

    def force(self) -> Any:
        if self._value is _UNSET:
            self._value = force(self._thunk())
        return self._value

    def override_python_attrs(self, *args: Any, **kwargs: Any) -> Lazy:
        return self._deferred("override_python_attrs", args, kwargs)

    def override(self, *args: Any, **inputs: Any) -> Lazy:
        return self._deferred("override", args, inputs)

    def _deferred(self, method: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Lazy:
        """``value.method(*args, **kwargs)`` once the value is used. The user's line that
        asked for it is gone from the stack by then (an overlay has returned), so an error of
        the call is raised as if from that line too, which the command line names (``at
        overlay.py:2, in overlay``) where it named no line, or the line that used the value."""
        site = _user_site(sys._getframe(2))

        def call() -> Any:
            value = self.force()  # an error of the value's own is not this line's
            _calling.sites = [*getattr(_calling, "sites", ()), site]
            try:
                return getattr(value, method)(*args, **kwargs)
            except Exception as exc:
                if site is not None:
                    frame, lasti, line = site
                    exc.__traceback__ = TracebackType(exc.__traceback__, frame, lasti, line)
                raise
            finally:
                _calling.sites = _calling.sites[:-1]

        return Lazy(self._label, call, self._where)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.force()(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.force(), name)

    def __fspath__(self) -> str:
        return str(self.force())

    def __str__(self) -> str:
        return str(self.force())

    def __format__(self, spec: str) -> str:
        return format(str(self.force()), spec)

    def __repr__(self) -> str:
        return f"<lazy {self._label}>"


_UNSET = object()
_calling = _local()  # `sites`: the user's lines of the deferred calls under way


def deferred_site() -> str:
    """The user's line ("file:line") that wrote the deferred call under way in this thread
    (an overlay's ``prev.six.override_python_attrs(patches=…)``, made once the value is
    used, when that line has returned); "" outside one, or for one pybuild's code made."""
    sites = getattr(_calling, "sites", ())
    site = sites[-1] if sites else None
    return f"{site[0].f_code.co_filename}:{site[2]}" if site else ""


def _user_site(frame: FrameType | None) -> tuple[FrameType, int, int] | None:
    """The frame of the user's code that called a lazy reference's method (through other
    references' methods), with its instruction and line of the moment; None for a call
    pybuild's own code made."""
    while frame is not None:
        file = frame.f_code.co_filename
        if is_user_file(file):
            return frame, frame.f_lasti, frame.f_lineno
        if file != __file__:
            return None
        frame = frame.f_back
    return None


def force(value: Any) -> Any:
    """The value behind a lazy reference (anything else is returned as it is)."""
    return value.force() if isinstance(value, Lazy) else value
