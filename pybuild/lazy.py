"""Lazy references: the laziness that Nix has by nature and Python does not.

Package sets hand recipes and overlays references to attributes instead of values, so that
defining a set evaluates nothing and an overlay can refer to the final set before it exists.
A reference is resolved on first real use; overriding one stays lazy.
"""

from __future__ import annotations

from collections.abc import Callable

TYPE_CHECKING = False  # typing: an import no evaluation needs
if TYPE_CHECKING:
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
        return Lazy(
            self._label, lambda: self.force().override_python_attrs(*args, **kwargs), self._where
        )

    def override(self, *args: Any, **inputs: Any) -> Lazy:
        return Lazy(self._label, lambda: self.force().override(*args, **inputs), self._where)

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


def force(value: Any) -> Any:
    """The value behind a lazy reference (anything else is returned as it is)."""
    return value.force() if isinstance(value, Lazy) else value
