"""Records: the result types of the commands that realise, dataclasses to their users, made
without importing :mod:`dataclasses`.

With ``inspect``, which it imports, ``dataclasses`` cost 51 M instructions of the 329 M of a
dry run of 200 derivations, and making the classes 14 M more: a fifth of every command that
realises, for types it makes a handful of (:class:`~pybuild.buildoptions.BuildOptions`,
:class:`~pybuild.results.BuildResult`, :class:`~pybuild.store.PathInfo`…). A record class is
written as a dataclass is, and gets what ``@dataclass`` gives: ``__init__`` (written out and
compiled, as :mod:`dataclasses` writes it, calling ``__post_init__``), ``__repr__``, ``__eq__``,
``__match_args__``, ``__replace__`` and, frozen, ``__hash__`` and the refusal to assign a field
(:class:`dataclasses.FrozenInstanceError`).

What only :mod:`dataclasses` gives is made by it, the first time a program asks: the fields
(``__dataclass_fields__``: ``dataclasses.fields``, ``replace``, ``asdict``, ``is_dataclass``, a
dataclass subclassing a record, pydantic) and the parameters (``__dataclass_params__``) are
those of a dataclass of the same fields, types and defaults, made then.
"""

from __future__ import annotations

import reprlib  # imported by collections: no cost
import sys

TYPE_CHECKING = False  # typing: an import no command needs at run time
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

__all__ = ["field", "field_names", "record", "replace"]


class _Factory:
    """A field's default made anew for each value (``field(default_factory=...)``)."""

    __slots__ = ("make",)

    def __init__(self, make: Callable[[], Any]) -> None:
        self.make = make


def _field(*, default_factory: Callable[[], Any]) -> Any:
    return _Factory(default_factory)


def _record(cls: type | None = None, /, *, frozen: bool = False) -> Any:
    """``@dataclass`` (and ``@dataclass(frozen=True)``) for a record class."""

    def make(cls: type) -> type:
        annotations = {
            name: kind
            for name, kind in cls.__annotations__.items()  # the class's own (Python >= 3.10)
            if not str(kind).startswith(("ClassVar", "typing.ClassVar"))
        }
        names = tuple(annotations)
        defaults = {name: cls.__dict__[name] for name in names if name in cls.__dict__}
        for name, default in defaults.items():
            if isinstance(default, _Factory):
                delattr(cls, name)
            elif type(default).__hash__ is None:  # as dataclasses refuses a shared list
                raise ValueError(
                    f"mutable default {type(default)} for field {name} is not allowed: use"
                    " default_factory"
                )
        attrs: dict[str, object] = {
            "__init__": _init(cls, annotations, defaults, frozen),
            "__repr__": _repr,
            "__eq__": _eq,
            "__hash__": _hash if frozen else None,
            "__match_args__": names,
            "__replace__": _replace,  # copy.replace (Python 3.13)
            "__record_fields__": names,
            "__record_defaults__": defaults,
            "__record_frozen__": frozen,
            "__dataclass_fields__": _Dataclass("__dataclass_fields__"),
            "__dataclass_params__": _Dataclass("__dataclass_params__"),
        }
        if frozen:
            attrs |= {
                "__setattr__": _refuse_set(cls, names),
                "__delattr__": _refuse_delete(cls, names),
            }
        if "__new__" in cls.__dict__:  # inspect would show __new__'s (*args, **kwargs)
            attrs["__signature__"] = _Signature()
        for name, value in attrs.items():
            setattr(cls, name, value)
        return cls

    return make if cls is None else make(cls)


def _init(
    cls: type, annotations: dict[str, Any], defaults: dict[str, Any], frozen: bool
) -> Callable[..., None]:
    """The ``__init__`` of record `cls`, written out and compiled once, as :mod:`dataclasses`
    writes it: a loop over the fields would run at every value made (a registry's rows). It
    is made in the namespace of `cls`'s module, whose names resolve its annotations
    (``typing.get_type_hints``); its own names, of a form no field takes (``__record_…__``),
    are a closure's."""
    scope: dict[str, Any] = {"__record_set__": object.__setattr__, "__record_made__": _MADE}
    names = list(annotations)
    params, body = ["__record_self__"], []
    for index, name in enumerate(names):
        default = defaults.get(name, _NONE)
        if default is _NONE:
            if any(n in defaults for n in names[:index]):
                raise TypeError(f"non-default argument {name!r} follows default argument")
            params.append(name)
        elif isinstance(default, _Factory):
            scope[f"__record_make_{name}__"] = default.make
            params.append(f"{name}=__record_made__")
            body.append(f" if {name} is __record_made__: {name} = __record_make_{name}__()")
        else:
            scope[f"__record_default_{name}__"] = default
            params.append(f"{name}=__record_default_{name}__")
        if frozen:
            body.append(f" __record_set__(__record_self__, {name!r}, {name})")
        else:
            body.append(f" __record_self__.{name} = {name}")
    if hasattr(cls, "__post_init__"):
        body.append(" __record_self__.__post_init__()")
    lines = "\n".join(f" {line}" for line in body or [" pass"])
    inner = f" def __init__({', '.join(params)}):\n{lines}\n return __init__"
    source = f"def __record_make_init__({', '.join(scope)}):\n{inner}"
    made: dict[str, Any] = {}
    module = sys.modules.get(cls.__module__)
    exec(source, module.__dict__ if module is not None else {}, made)
    function: Callable[..., None] = made["__record_make_init__"](**scope)
    function.__qualname__ = f"{cls.__qualname__}.__init__"
    function.__annotations__ = {**annotations, "return": None}
    return function


_NONE = object()  # no default given


class _Made:
    """The default of a field made by its factory, in ``__init__``'s signature."""

    def __repr__(self) -> str:
        return "<factory>"  # as dataclasses show it


_MADE = _Made()


def _values(self: object) -> tuple[Any, ...]:
    return tuple(getattr(self, name) for name in type(self).__record_fields__)  # type: ignore[attr-defined]


@reprlib.recursive_repr()  # a value holding itself is shown ..., as a dataclass's is
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


def _refuse_set(cls: type, names: tuple[str, ...]) -> Callable[[object, str, object], None]:
    """A frozen record's ``__setattr__``: a field (of `names`), or any name of a value of
    `cls` itself, is refused as a frozen dataclass refuses it; a subclass's own names are
    its own."""

    def __setattr__(self: object, name: str, value: object) -> None:
        if type(self) is cls or name in names:
            raise _frozen(f"cannot assign to field {name!r}")
        super(cls, self).__setattr__(name, value)  # type: ignore[arg-type]

    return __setattr__


def _refuse_delete(cls: type, names: tuple[str, ...]) -> Callable[[object, str], None]:
    """A frozen record's ``__delattr__``, as :func:`_refuse_set`."""

    def __delattr__(self: object, name: str) -> None:
        if type(self) is cls or name in names:
            raise _frozen(f"cannot delete field {name!r}")
        super(cls, self).__delattr__(name)  # type: ignore[arg-type]

    return __delattr__


def _frozen(message: str) -> AttributeError:
    """The error of an assignment a frozen record refuses: :mod:`dataclasses`' own, which
    callers catch, imported only when one is refused."""
    from dataclasses import FrozenInstanceError

    return FrozenInstanceError(message)


class _Dataclass:
    """A record's ``__dataclass_fields__`` or ``__dataclass_params__``, taken on first use
    from a dataclass that :mod:`dataclasses` makes then, of the same fields, types, defaults
    and frozenness; both are then the record class's own."""

    def __init__(self, attribute: str) -> None:
        self.attribute = attribute

    def __get__(self, instance: object, owner: type) -> Any:
        import dataclasses

        defaults: dict[str, Any] = owner.__record_defaults__  # type: ignore[attr-defined]
        types: dict[str, Any] = {}
        for klass in reversed(owner.__mro__):  # a plain subclass's fields are its record's
            types.update(getattr(klass, "__annotations__", {}))
        fields: list[tuple[Any, ...]] = []
        for name in owner.__record_fields__:  # type: ignore[attr-defined]
            default = defaults.get(name, _NONE)
            if isinstance(default, _Factory):
                made = dataclasses.field(default_factory=default.make)
                fields.append((name, types[name], made))
            elif default is _NONE:
                fields.append((name, types[name]))
            else:
                fields.append((name, types[name], dataclasses.field(default=default)))
        frozen = owner.__record_frozen__  # type: ignore[attr-defined]
        made_class = dataclasses.make_dataclass(owner.__name__, fields, frozen=frozen)
        for attribute in ("__dataclass_fields__", "__dataclass_params__"):
            type.__setattr__(owner, attribute, made_class.__dict__[attribute])
        return owner.__dict__[self.attribute]


class _Signature:
    """The signature of a record class whose own ``__new__`` takes any arguments (to check
    them itself): its ``__init__``'s, asked of :mod:`inspect` when a program asks."""

    def __get__(self, instance: object, owner: type) -> Any:
        import inspect

        signature = inspect.signature(owner.__init__)  # type: ignore[misc]
        return signature.replace(parameters=list(signature.parameters.values())[1:])


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
