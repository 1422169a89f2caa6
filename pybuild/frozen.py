"""Immutable values without dataclasses: what evaluation makes (derivations, interpreters,
hashes) must not change once made, and ``dataclasses`` imports ``inspect`` (6 ms), a cost
every evaluation would pay for classes it loads."""

from __future__ import annotations

__all__ = ["Frozen"]


class Frozen:
    """A base whose instances refuse every attribute assignment after ``__init__``.

    ``__init__`` sets the fields with :meth:`_freeze`; ``functools.cached_property`` still
    works, since it writes the instance's ``__dict__`` directly.
    """

    __slots__ = ()

    def _freeze(self, **fields: object) -> None:
        for name, value in fields.items():
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"{type(self).__name__} is immutable: cannot set {name}")
