"""Immutable values without dataclasses: what evaluation makes (derivations, interpreters,
hashes) must not change once made, and ``dataclasses`` imports ``inspect`` (6 ms), a cost
every evaluation would pay for classes it loads; the result types of the commands that
realise are :func:`record` classes, dataclasses to their users, for the same reason."""

from __future__ import annotations

TYPE_CHECKING = False  # typing: an import no evaluation needs
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

__all__ = ["Frozen", "cached", "field", "field_names", "record", "replace"]


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


class _Factory:
    """A field's default made anew for each value (``field(default_factory=...)``)."""

    __slots__ = ("make",)

    def __init__(self, make: Callable[[], Any]) -> None:
        self.make = make


def _field(*, default_factory: Callable[[], Any]) -> Any:
    return _Factory(default_factory)


def _record(cls: type | None = None, /, *, frozen: bool = False) -> Any:
    """``@dataclass`` for the result types a command makes, without importing
    :mod:`dataclasses`: with ``inspect``, which it imports, it cost 51 M instructions of a
    dry run's 329 M (the dataclasses made, 14 M more), a fifth of every command that
    realises. Each field is an annotated class attribute, in order, with its default if it
    has one; the class gets ``__init__`` (calling ``__post_init__``), ``__repr__``,
    ``__eq__``, ``__match_args__`` and, frozen, ``__hash__`` and a refused assignment.

    The values stay dataclasses to their users: ``dataclasses.fields``, ``replace``,
    ``asdict`` and ``is_dataclass`` take them, through fields made by :mod:`dataclasses`
    itself the first time one is asked for (:class:`_DataclassFields`)."""

    def make(cls: type) -> type:
        names = tuple(
            name
            for name, kind in cls.__annotations__.items()  # the class's own (Python >= 3.10)
            if not str(kind).startswith(("ClassVar", "typing.ClassVar"))
        )
        defaults = {name: cls.__dict__[name] for name in names if name in cls.__dict__}
        for name, default in defaults.items():
            if isinstance(default, _Factory):
                delattr(cls, name)
        attrs = {
            "__init__": _init(cls, names, defaults, frozen),
            "__repr__": _repr,
            "__eq__": _eq,
            "__hash__": _hash if frozen else None,
            "__match_args__": names,
            "__replace__": _replace,  # copy.replace (Python 3.13), as a dataclass has it
            "__record_fields__": names,
            "__dataclass_fields__": _DataclassFields(defaults),
        }
        if frozen:
            attrs |= {"__setattr__": Frozen.__setattr__, "__delattr__": _refuse_delete}
        for name, value in attrs.items():
            setattr(cls, name, value)
        return cls

    return make if cls is None else make(cls)


def _init(
    cls: type, names: tuple[str, ...], defaults: dict[str, Any], frozen: bool
) -> Callable[..., None]:
    """The ``__init__`` of a record with fields `names`, written out and compiled once, as
    :mod:`dataclasses` writes it: a loop over the fields would run at every value made (a
    registry's rows)."""
    scope: dict[str, Any] = {"_set": object.__setattr__ if frozen else None, "_made": _MADE}
    params, body = [], []
    for name in names:
        default = defaults.get(name, _NONE)
        if default is _NONE:
            if any(n in defaults for n in names[: names.index(name)]):
                raise TypeError(f"{cls.__name__}: field {name} without a default follows one with")
            params.append(name)
        elif isinstance(default, _Factory):
            scope[f"_make_{name}"] = default.make
            params.append(f"{name}=_made")
            body.append(f" if {name} is _made: {name} = _make_{name}()")
        else:
            scope[f"_default_{name}"] = default
            params.append(f"{name}=_default_{name}")
        body.append(f" _set(self, {name!r}, {name})" if frozen else f" self.{name} = {name}")
    if hasattr(cls, "__post_init__"):
        body.append(" self.__post_init__()")
    source = f"def __init__(self, {', '.join(params)}):\n" + "\n".join(body or [" pass"])
    exec(source, scope)
    function: Callable[..., None] = scope["__init__"]
    function.__qualname__ = f"{cls.__qualname__}.__init__"
    return function


_NONE = object()  # no default given


class _Made:
    """The default of a field made by its factory, in ``__init__``'s signature."""

    def __repr__(self) -> str:
        return "<factory>"  # as dataclasses show it


_MADE = _Made()


def _values(self: object) -> tuple[Any, ...]:
    return tuple(getattr(self, name) for name in type(self).__record_fields__)  # type: ignore[attr-defined]


def _repr(self: object) -> str:
    shown = ", ".join(
        f"{name}={getattr(self, name)!r}"
        for name in type(self).__record_fields__  # type: ignore[attr-defined]
    )
    return f"{type(self).__qualname__}({shown})"


def _eq(self: object, other: object) -> bool:
    if other.__class__ is not self.__class__:
        return NotImplemented
    return _values(self) == _values(other)


def _hash(self: object) -> int:
    return hash(_values(self))


def _refuse_delete(self: object, name: str) -> None:
    raise AttributeError(f"{type(self).__name__} is immutable: cannot delete {name}")


class _DataclassFields:
    """A record's ``__dataclass_fields__``, made on first use by :mod:`dataclasses` (a
    dataclass of the same fields and defaults, whose fields the record takes as its own), so
    that its functions take the record as they take any dataclass, and only a program that
    uses them imports the module."""

    def __init__(self, defaults: dict[str, Any]) -> None:
        self.defaults = defaults

    def __get__(self, instance: object, owner: type) -> dict[str, Any]:
        import dataclasses

        fields: list[tuple[Any, ...]] = []
        for name in owner.__record_fields__:  # type: ignore[attr-defined]
            default = self.defaults.get(name, _NONE)
            if isinstance(default, _Factory):
                fields.append((name, object, dataclasses.field(default_factory=default.make)))
            elif default is _NONE:
                fields.append((name, object))
            else:
                fields.append((name, object, dataclasses.field(default=default)))
        made: dict[str, Any] = dataclasses.make_dataclass(owner.__name__, fields).__dict__[
            "__dataclass_fields__"
        ]
        type.__setattr__(owner, "__dataclass_fields__", made)
        return made


def _replace(value: Any, /, **changes: Any) -> Any:
    """`value` with `changes`, as :func:`dataclasses.replace` makes it."""
    fields = {name: getattr(value, name) for name in type(value).__record_fields__}
    return type(value)(**(fields | changes))


def field_names(cls: type) -> tuple[str, ...]:
    """The names of the fields of record class `cls`, in order."""
    names: tuple[str, ...] = cls.__record_fields__  # type: ignore[attr-defined]
    return names


if TYPE_CHECKING:  # type checkers see the dataclasses they behave as
    from dataclasses import dataclass as record
    from dataclasses import field, replace
else:
    record, field, replace = _record, _field, _replace
