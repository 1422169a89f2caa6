"""Immutable values without dataclasses: what evaluation makes (derivations, interpreters,
hashes) must not change once made, and ``dataclasses`` imports ``inspect`` (6 ms), a cost
every evaluation would pay for classes it loads (the result types of the commands that
realise are records, :mod:`pybuild.records`, for the same reason)."""

from __future__ import annotations

TYPE_CHECKING = False  # typing: an import no evaluation needs
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

__all__ = ["Frozen", "cached"]


class Frozen:
    """A base whose instances refuse every attribute assignment after ``__init__``.

    ``__init__`` sets the fields with :meth:`_freeze`; ``functools.cached_property`` still
    works, since it writes the instance's ``__dict__`` directly.
    """

    __slots__ = ()

    def _freeze(self, **fields: object) -> None:
        if type(self).__dictoffset__:  # fields in the instance's dict: one update for all
            self.__dict__.update(fields)
            return
        for name, value in fields.items():  # fields in slots
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable: cannot set {name}")


class _Cached:
    """A value computed from an immutable object on first use and kept in its ``__dict__``:
    ``functools.cached_property`` without the lock it takes on every first use before Python
    3.12 (which dropped it). Evaluating a set makes thousands of first uses (every
    derivation's output paths, hash and ``.drv`` name), and the lock cost 3 ms of the 50 of
    the deepest recipe of a thousand. Two threads computing one value at once both get it
    right: each value depends only on its immutable object."""

    def __init__(self, func: Callable[[Any], Any]) -> None:
        self.func, self.name = func, func.__name__
        self.__doc__ = func.__doc__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, instance: object, owner: type | None = None) -> Any:
        if instance is None:
            return self
        value = instance.__dict__[self.name] = self.func(instance)
        return value


if TYPE_CHECKING:  # what type checkers know: the same contract, with the value's type
    from functools import cached_property as cached
else:
    cached = _Cached
