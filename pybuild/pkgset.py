"""Package sets: recipes from folders, overlays on top, inputs injected by parameter name.

A set is a lazy fixed point, as nixpkgs is. Each recipe module exposes ``recipe(...)``; its
parameter names are the attributes it needs and are taken from the *final* set (after every
overlay), so an overlay that replaces ``numpy`` changes it for every dependent at once.
Overlays are functions ``(final, prev) -> {name: recipe}``. Nothing is evaluated until an
attribute is used: ``final.x`` and ``prev.x`` inside recipes and overlays are lazy references
that are resolved only when something reads them, and an overlay's call of one
(``final.build_python_package(...)``) is made only when its value is used. Reading one that
leads back to itself is infinite recursion, reported with the chain of names; a misspelt
name suggests close ones.

Example::

    >>> pkgs = package_set()
    >>> pkgs.six.pname, "setuptools" in pkgs
    ('six', True)
    >>> pkgs.sx
    Traceback (most recent call last):
    ...
    pybuild.errors.MissingAttribute: ...
"""

from __future__ import annotations

import _thread
import contextlib
import functools
import os
import stat
import sys
import types
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from keyword import iskeyword
from pathlib import Path

from .bundled import default_recipes, shipped
from .errors import (
    CycleError,
    MissingAttribute,
    MissingInput,
    MissingKey,
    NoPinnedWheel,
    UnsupportedInterpreter,
    UsageError,
    _close_names,
    wrong_type,
)
from .evaluate import (
    RaisedAttributeError,
    importable_beside,
    kind_of,
    load_module,
    select,
    user_code,
)
from .lazy import Lazy, force
from .pygc import evaluated, held
from .python.interpreter import Interpreter

TYPE_CHECKING = False  # typing: an import no evaluation needs
if TYPE_CHECKING:
    from typing import Any, NoReturn

    Overlay = Callable[[Any, Any], Mapping[str, Any]]
else:
    Overlay = Callable  # the same at run time, without typing's Any

__all__ = [
    "DEFAULT_RECIPES",
    "Overlay",
    "PackageSet",
    "ReadTooEarly",
    "being_made",
    "load_overlay",
    "package_set",
    "recipe_function",
    "reference_origin",
]

DEFAULT_RECIPES: Path
"""The folder of the default set, for ``package_set(recipes=[DEFAULT_RECIPES, mine])``. Found
when first asked for (by the module's ``__getattr__``)."""


def __getattr__(name: str) -> Path:
    """``DEFAULT_RECIPES``, found when it is asked for rather than at import: an installation
    that lacks the folder still evaluates sets of the user's own folders, and says the folder
    is missing only to code that names it."""
    if name == "DEFAULT_RECIPES":
        return default_recipes()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# By thread (threading.local without threading's import): the attributes being evaluated,
# forgotten with the thread.
_resolving = _thread._local()


class _Layer:
    """One stage of the fixed point: names defined so far, evaluated against `final`."""

    def __init__(
        self,
        owner: PackageSet,
        definitions: dict[str, Callable[[], Any]],
        overlays: dict[str, Overlay] | None = None,
    ) -> None:
        self.owner = owner
        self.definitions = definitions
        self.overlays = overlays or {}  # the overlay that defined each name, if one did
        self.cache: dict[str, Any] = {}

    def resolve(self, name: str) -> Any:
        if name in self.cache:
            return self.cache[name]
        if name not in self.definitions:
            raise MissingAttribute(name, "the package set", self.owner.names())
        try:
            stack: list[tuple[int, str]] = _resolving.stack
        except AttributeError:
            stack = _resolving.stack = []
        key = (id(self), name)
        if key in stack:
            chain = [n for _, n in stack[stack.index(key) :]] + [name]
            raise self._cycle(chain)
        stack.append(key)
        try:
            value = force(evaluated(self.definitions[name]))
        except (NoPinnedWheel, UnsupportedInterpreter) as exc:  # its hint may name update-pins
            exc.name_attribute(self._pins_target(name))
            if isinstance(exc, UnsupportedInterpreter):  # and its message what needs it
                exc.evaluating(name)
            raise
        except CycleError as exc:
            if name in self.overlays:
                exc.closed_by_overlay(name, *self._overlay_value(name))
            raise
        except AttributeError as exc:  # the recipe's own: not to be taken for `name` missing
            raise RaisedAttributeError(name, exc) from exc
        finally:
            stack.pop()
        self.cache[name] = value
        return value

    def _cycle(self, chain: list[str]) -> CycleError:
        """The error for `chain`, naming where each recipe of it is written: a cycle that no
        overlay closes is in the recipes' parameters (one that an overlay closes is told at
        the overlay's value instead, as :meth:`resolve` unwinds)."""
        error = CycleError(chain)
        if any(n in self.overlays for n in chain):
            return error
        where = {n: self.owner.recipe_where(n) for n in dict.fromkeys(chain)}
        shown = [f"{n}: {w}" for n, w in where.items() if w]
        if shown:
            error.args = (f"{error.args[0]} ({', '.join(shown)})",)
            error.hint = (
                "a recipe's parameters are its inputs: one of these recipes must not take"
                " the next one"
            )
        return error

    def _overlay_value(self, name: str) -> tuple[str, str]:
        """Where the overlay's value of `name` is written, and the hint for a cycle that it
        closes."""
        value = self.definitions[name].args[0]  # type: ignore[attr-defined]  # a partial
        if isinstance(value, Lazy) and value._label == f"final.{name}":
            hint = (
                f"inside an overlay, use prev.{name} for the value before this overlay"
                f" (final.{name} is this very value)"
            )
        else:
            hint = f"read what the overlay's {name} builds on through prev, not final"
        return self._overlay_where(name), hint

    def _overlay_where(self, name: str) -> str:
        """Where the overlay's value of `name` is written: its ``final.x`` reference's line,
        else the overlay function's."""
        value = self.definitions[name].args[0]  # type: ignore[attr-defined]  # a partial
        where = value._where if isinstance(value, Lazy) else ""
        return where or _key_where(self.overlays[name], name)

    def _pins_target(self, name: str) -> str:
        """What ``pybuild update-pins`` is given to pin `name`'s recipe: the attribute, for a
        recipe of the default set (where it looks by default), else the file that defines it
        (a recipe folder's or an overlay's), which it takes as it is."""
        file = _recipe_file(self.definitions.get(name))
        if file is None and name in self.overlays:
            file, _, _ = (_place(self.overlays[name]) or "").rpartition(":")
        if not file or Path(file).parent == shipped("recipes"):  # None: no default set
            return name
        return file

    def origin(self, name: str) -> str | None:
        """Where this layer's `name` is defined, for an error about its value to point at:
        ``set by the overlay at FILE:LINE`` or ``returned by the recipe at FILE:LINE``; None
        for pybuild's own attributes (and names the layer lacks)."""
        if name in self.overlays:
            return f"set by the overlay at {self._overlay_where(name)}"
        where = _recipe_where(self.definitions.get(name))
        return f"returned by the recipe at {where}" if where else None


class _View:
    """What overlays and recipes see as ``final`` or ``prev``: lazy attribute access."""

    def __init__(self, owner: PackageSet, layer: Callable[[], _Layer], label: str) -> None:
        self._owner, self._layer, self._label = owner, layer, label

    def __getattr__(self, name: str) -> Lazy:
        """``final.x`` or ``prev.x`` as an overlay writes it, remembering the line (the
        caller's frame), so that a cycle it closes, or a name the set lacks, can point at
        it: the error comes only when the reference is used, far from the overlay."""
        if name.startswith("__"):
            raise AttributeError(name)
        caller = sys._getframe(1)
        where = f"{caller.f_code.co_filename}:{caller.f_lineno}"
        label = f"{self._label}.{name}"
        return _Written(label, functools.partial(_read, self, name, where), where)

    def __contains__(self, name: str) -> bool:
        return name in self._layer().definitions


class _Written(Lazy):
    """``final.x`` or ``prev.x`` as an overlay writes it. Called in the overlay's body
    (``final.build_python_package(...)``), the call is made when its value is used, as Nix's
    would be: `final` is complete only after every overlay, and a call made at once would see
    only the overlays applied so far (a later one replacing ``build_python_package`` would
    not reach it) and keep that value. A call made once the set is complete, or while an
    attribute is being evaluated (a recipe, a value read), is made at once."""

    __slots__ = ()

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        view = self._thunk.args[0]  # type: ignore[attr-defined]  # partial(_read, view, …)
        if view._owner._final is None and not getattr(_resolving, "stack", None):
            return self._deferred("__call__", args, kwargs)
        return super().__call__(*args, **kwargs)


class PackageSet:
    """Recipes plus overlays, bound to one interpreter; attributes are evaluated on use."""

    def __init__(
        self,
        python: Interpreter,
        recipes: Sequence[Path],
        overlays: Sequence[Overlay] = (),
    ) -> None:
        self.interpreter = python
        self.recipe_dirs = list(recipes)
        self.overlays = list(overlays)
        self._final: _Layer | None = None
        self._provisional: _Layer | None = None
        with held:  # a thousand recipes: a thousand partials, a few overlays
            base = {**self._builtins(), **_recipe_definitions(self.recipe_dirs, self)}
            self._recipes = base  # what the recipes define, under every overlay
            self._latest = _Layer(self, base)  # the last layer made, while overlays apply
            for index, overlay in enumerate(self.overlays):
                try:
                    self._latest = self._apply(overlay, self._latest)
                except ReadTooEarly as exc:
                    self._defined_later(exc, self.overlays[index + 1 :])
                    raise
        self._final, self._provisional = self._latest, None

    def _apply(self, overlay: Overlay, prev: _Layer) -> _Layer:
        _check_overlay_parameters(overlay)
        final_view = _View(self, self._final_layer, "final")
        with user_code("an overlay"):
            changes = overlay(final_view, _View(self, lambda: prev, "prev"))
        if not isinstance(changes, Mapping):
            error = UsageError(
                f"the overlay at {_overlay_where(overlay)} returned"
                f" {a_noun(type(changes).__name__)}, not a dict"
            )
            error.hint = _OVERLAY_SHAPE
            raise error
        if "python" in changes:
            raise self._replaces_python(overlay, changes["python"])
        for name in changes:
            if not _is_python_name(name):
                raise _not_a_python_key(overlay, name)
            own = hasattr(PackageSet, name) or name in _INSTANCE_ATTRIBUTES
            if name.startswith("_") or name == "pkgs" or (own and name not in prev.definitions):
                raise _the_sets_own(overlay, name)
        defined = dict(prev.definitions)
        for name, value in changes.items():
            defined[name] = functools.partial(_identity, value)
        return _Layer(self, defined, {**prev.overlays, **dict.fromkeys(changes, overlay)})

    def _defined_later(self, exc: ReadTooEarly, later: Sequence[Overlay]) -> None:
        """Tell `exc` (an overlay's body read ``final.x``, which the set lacks so far) as read
        too early if one of the `later` overlays defines x: found by calling them on the
        layers made so far, for their keys alone (any error of theirs aside)."""
        final_view = _View(self, self._final_layer, "final")
        prev_view = _View(self, lambda: self._latest, "prev")
        for overlay in later:
            try:
                with user_code("an overlay"):
                    changes = overlay(final_view, prev_view)
            except Exception:  # its own errors are told when it is applied
                continue
            if isinstance(changes, Mapping) and exc.wanted in changes:
                exc.defined_by(_key_where(overlay, exc.wanted))
                return

    def _replaces_python(self, overlay: Overlay, value: Any) -> UsageError:
        """The error for an overlay that sets ``python`` (`value`): the set's interpreter is
        what every recipe is made for (``build_python_package`` and ``fetch_pypi`` are bound
        to it), not an attribute to replace, so every package stayed for the old one while
        ``pkgs.python`` was another set's, whose ``with_packages`` had other packages."""
        ours = self.interpreter.version_xy
        other = _interpreter_version(value)
        chosen = other if other and other != ours else "X.Y"
        error = UsageError(
            f"the overlay at {_overlay_where(overlay)} replaces python, the interpreter of the"
            f" set (Python {ours}), which every package of the set is made for: they would"
            " stay for it, and python.with_packages would pick from another set"
        )
        error.hint = (
            f"choose the set's interpreter: --python {chosen} on the command line, or"
            f' package_set(python="{chosen}"); to change packages, return them from the'
            " overlay by name"
        )
        return error

    def _final_layer(self) -> _Layer:
        """The final layer; while the overlays are still being applied (an overlay reading a
        value in its body, which Nix's laziness never needs; its calls wait, see
        :class:`_Written`), a provisional one made of the layers so far, whose values are
        thrown away once the set is complete."""
        if self._final is not None:
            return self._final
        if (
            self._provisional is None
            or self._provisional.definitions is not self._latest.definitions
        ):
            self._provisional = _Layer(self, self._latest.definitions, self._latest.overlays)
        return self._provisional

    def _builtins(self) -> dict[str, Callable[[], Any]]:
        from .fetchers import fetch_pypi, fetch_url
        from .python.environment import PythonForSet
        from .python.package import build_python_package

        python = self.interpreter
        tags = python.tags
        builtins: dict[str, Any] = {
            "python": PythonForSet(python, self),
            "pkgs": self,
            "build_python_package": functools.partial(build_python_package, python=python),
            "fetch_pypi": functools.partial(fetch_pypi, tags=tags, python_version=python.version),
            "fetch_url": fetch_url,
            "call_package": self.call_package,
        }
        return {name: functools.partial(_identity, value) for name, value in builtins.items()}

    # -- the user's side --------------------------------------------------------------------

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return self._final_layer().resolve(name)

    def __getitem__(self, name: str) -> Any:
        """``pkgs["six"]``: a name the set lacks is a :class:`MissingKey` (a KeyError, for
        ``except KeyError`` around a lookup by name), suggesting close names as
        ``pkgs.sixx``'s AttributeError does. A key that is no string (``pkgs[3]``) is missing
        too, as a dict's would be."""
        layer = self._final_layer()
        if name not in layer.definitions:
            raise MissingKey(name, "the package set", layer.definitions)
        return layer.resolve(name)

    def __contains__(self, name: str) -> bool:
        return name in self._final_layer().definitions

    def names(self) -> list[str]:
        return sorted(self._final_layer().definitions)

    def recipe_file(self, name: str, *, overridden: bool = False) -> Path | None:
        """The recipe module `name` comes from, if a recipe folder defines it (the last one
        that does); None for what an overlay or pybuild itself defines. With `overridden`,
        also the recipe module an overlay's value of `name` takes the place of: the same
        project (``prev.six.override_python_attrs(…)``, a version bump), which a search
        describes by its recipe's summary."""
        definitions = self._recipes if overridden else self._final_layer().definitions
        file = _recipe_file(definitions.get(name))
        return Path(file) if file else None

    def recipe_where(self, name: str) -> str | None:
        """``file:line`` of the ``recipe`` function `name` comes from (only the file, if its
        module is not loaded), for an error to point at; None when no recipe folder defines
        it."""
        return _recipe_where(self._final_layer().definitions.get(name))

    def origin(self, name: str) -> str | None:
        """Where `name` is defined, for an error about its value: ``set by the overlay at
        FILE:LINE`` or ``returned by the recipe at FILE:LINE``; None for pybuild's own."""
        return self._final_layer().origin(name)

    def packages(self) -> list[str]:
        """Attribute names that are recipes (not the builtins such as ``fetch_pypi``)."""
        hidden = set(self._builtins())
        return [n for n in self.names() if n not in hidden]

    def call_package(self, fn: Callable[..., Any], **overrides: Any) -> Any:
        """Call `fn` with its parameters taken from this set by name (nixpkgs' callPackage).

        Called by an overlay while the set is being made, the call waits until it is used:
        `fn`'s inputs may be names that this overlay or a later one adds, which the layers
        made so far lack, so they are looked for in the finished set.
        """
        if not callable(fn):
            raise _not_a_function(fn)
        if self._final is None:
            return Lazy(
                f"call_package({_where(fn)})",
                lambda: _call_by_name(fn, _View(self, self._final_layer, "final"), overrides, self),
            )
        return _call_by_name(fn, _View(self, self._final_layer, "final"), overrides, self)

    def locate_cycle(self, exc: CycleError) -> None:
        """Name the overlay whose value closes the cycle `exc`, found while a package's
        derivation was made (an override's input that needs the package again), after the
        set had handed the package out: no attribute was being evaluated to name it then."""
        layer = self._final_layer()
        for member in exc.chain:
            name = _as_python_name(member)
            if name in layer.overlays:
                others = [m for m in exc.chain if m != member]
                hint = (
                    f"the overlay's {name} takes {others[0] if others else name}, which needs"
                    f" {name} again: give it inputs that do not need it"
                )
                exc.closed_by_overlay(name, layer._overlay_where(name), hint)
                return

    def extend(self, *overlays: Overlay) -> PackageSet:
        """A new set with more overlays on top."""
        for overlay in overlays:
            _check_overlay(overlay, "extend()")
        return PackageSet(self.interpreter, self.recipe_dirs, [*self.overlays, *overlays])

    def from_pypi(self, name: str, version: str | None = None, extras: Iterable[str] = ()) -> Any:
        """The set's recipe for `name` (at `version`, if given), else one generated from the
        package index whose dependencies are the set's packages where the set has them.
        `version` is a release or a version specifier set, the newest release within it.

        Example: ``pkgs.from_pypi("rich", "14.0.0")``, ``pkgs.from_pypi("django", "<5")``;
        see :mod:`pybuild.generate`.
        """
        from .generate import from_pypi

        return from_pypi(self, name, version, extras)

    def from_pypi_together(self, *requests: str) -> list[Any]:
        """A package for each request (``"httpx<0.28"``, ``"requests[socks]"``: a ``pypi:``
        argument, its prefix optional), resolved together, as ``uv pip install a b`` resolves
        its arguments and a command line its ``pypi:`` ones: the releases fit every request
        at once. Two :meth:`from_pypi` calls are resolved each alone, and may choose two
        versions of a dependency they share, which one environment cannot hold.

        Example: ``pkgs.python.with_packages(pkgs.from_pypi_together("httpx", "black"))``.
        """
        from .generate import parse_pypi_spec
        from .generate.pypi import from_pypi_together

        for request in requests:
            if not isinstance(request, str) or not request:
                takes = "requests, each a string (a pypi: argument)"
                listed = isinstance(request, list | tuple)
                got = "a list: give its items, from_pypi_together(*requests)" if listed else ""
                raise wrong_type("from_pypi_together", "requests", request, takes, got)
        if not requests:
            return []
        specs = [parse_pypi_spec(request.removeprefix("pypi:")) for request in requests]
        return from_pypi_together(self, specs)

    def __repr__(self) -> str:
        return f"<PackageSet python {self.interpreter.version}, {len(self.names())} attributes>"


_OVERLAY_SHAPE = (
    "an overlay is a function of (final, prev) returning a dict of the attributes it adds or"
    " replaces: def overlay(final, prev): return {'name': prev.name.override(...)}"
)
_CO_VARARGS = 0x04  # inspect.CO_VARARGS, without inspect's import


def _not_a_function(value: object) -> UsageError:
    """The error for call_package given no function: a recipe file's path (nixpkgs'
    ``callPackage ./x.nix``) most likely, which joins the set from its folder."""
    error = UsageError(
        "call_package takes a function whose parameters name its inputs (a recipe), not"
        f" {a_noun(type(value).__name__)} {value!r}"
    )
    error.hint = (
        "a recipe file joins the set from its folder (--recipes DIR, or package_set(recipes="
        "[DIR])); give call_package its recipe function itself"
    )
    return error


def _overlay_list(overlays: object, who: str) -> list[Overlay]:
    """The overlays `who` was given, as a list; a lone overlay or an overlay file's path in
    their place is refused with how to give it, where Python's TypeError ("'function' object
    is not iterable", "'str' object is not callable") named neither the argument nor the fix."""
    takes = "a list of overlays"
    if isinstance(overlays, (str, os.PathLike)):
        path = os.fspath(overlays)
        got = f"the path {path!r}: load it as one, [load_overlay({path!r})]"
        raise wrong_type(who, "overlays", overlays, takes, got)
    if callable(overlays):
        name = getattr(overlays, "__name__", "")
        got = (
            f"the function {name} alone: put it in a list, [{name}]"
            if _is_python_name(name)
            else f"a function alone ({_overlay_where(overlays)}): put it in a list"
        )
        raise wrong_type(who, "overlays", overlays, takes, got)
    if not isinstance(overlays, Sequence):
        raise wrong_type(who, "overlays", overlays, takes)
    for overlay in overlays:
        _check_overlay(overlay, who)
    return list(overlays)


def _check_overlay(overlay: object, who: str) -> None:
    """Refuse what `who` was given as an overlay that is no function: a path above all (the
    command line's ``--overlay FILE``), which load_overlay makes one."""
    if isinstance(overlay, (str, os.PathLike)):
        path = os.fspath(overlay)
        error = UsageError(f"{who}: overlay {path!r} is a path, not an overlay function")
        error.hint = f"load the file's overlay function: load_overlay({path!r})"
        raise error
    if not callable(overlay):
        error = wrong_type(who, "overlay", overlay, "a function (final, prev) -> dict")
        error.hint = _OVERLAY_SHAPE
        raise error


def _check_overlay_parameters(overlay: Overlay) -> None:
    """Refuse a plain function that cannot be called as ``overlay(final, prev)`` before
    calling it: the call's TypeError would name neither its file nor what an overlay is.
    Other callables (partials, objects) are left to the call."""
    if not isinstance(overlay, types.FunctionType):
        return
    code = overlay.__code__
    takes_two = code.co_argcount >= 2 or bool(code.co_flags & _CO_VARARGS)
    required = code.co_argcount - len(overlay.__defaults__ or ())
    keywords = code.co_kwonlyargcount - len(overlay.__kwdefaults__ or {})
    if takes_two and required <= 2 and not keywords:
        return
    names = code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]
    error = UsageError(
        f"the overlay at {_overlay_where(overlay)} takes ({', '.join(names)}), where an overlay"
        " is called with two arguments, (final, prev)"
    )
    error.hint = _OVERLAY_SHAPE
    raise error


def _overlay_where(overlay: Overlay) -> str:
    """``file:line`` of an overlay function, as a user finds it (its repr, if it has none)."""
    return _place(overlay) or repr(overlay)


def _key_where(overlay: Overlay, name: str) -> str:
    """``file:line`` where the overlay's code writes the key `name` (``"six": …`` or
    ``six=…``), for an error about its value; the overlay function's own line when its
    source cannot be read (or the key is not written as such). Read only for an error."""
    import ast
    import inspect
    import textwrap

    fn = _unwrap(overlay)
    try:
        lines, first = inspect.getsourcelines(fn)
        tree = ast.parse(textwrap.dedent("".join(lines)))
    except (OSError, TypeError, SyntaxError):
        return _overlay_where(overlay)
    for node in ast.walk(tree):
        keys: list[Any] = []
        if isinstance(node, ast.Dict):
            keys = [k for k in node.keys if isinstance(k, ast.Constant) and k.value == name]
        elif isinstance(node, ast.keyword) and node.arg == name:
            keys = [node]
        if keys:
            return f"{fn.__code__.co_filename}:{first + keys[0].lineno - 1}"
    return _overlay_where(overlay)


def _place(fn: Callable[..., Any]) -> str | None:
    """``file:line`` where function `fn` (behind partials and decorators) is written."""
    code = getattr(_unwrap(fn), "__code__", None)
    return f"{code.co_filename}:{code.co_firstlineno}" if code else None


def _interpreter_version(value: Any) -> str:
    """``3.12`` for an interpreter or a set's (``pkgs.python``); "" for anything else, and
    for a lazy reference, which is not resolved for an error's wording."""
    if isinstance(value, Lazy):
        return ""
    version = getattr(value, "version_xy", "")
    return version if isinstance(version, str) else ""


def a_noun(noun: str) -> str:
    """`noun` with its indefinite article: ``a list``, ``an int``."""
    return f"{'an' if noun[:1].lower() in 'aeiou' else 'a'} {noun}"


def being_made(pkgs: PackageSet) -> bool:
    """Whether `pkgs` is still applying its overlays (an overlay's body is running): what
    extends it then runs that overlay again."""
    return pkgs._final is None


def evaluating() -> list[tuple[PackageSet, str]]:
    """The attributes this thread is evaluating, outermost first, each with its set: read
    from the frames of :meth:`_Layer.resolve` on the stack, so that evaluation keeps no
    record for this rare reader (:mod:`pybuild.fetchahead`, once an index lookup missed)."""
    found = []
    frame: Any = sys._getframe(1)
    while frame is not None:
        if frame.f_code is _Layer.resolve.__code__:
            found.append((frame.f_locals["self"].owner, frame.f_locals["name"]))
        frame = frame.f_back
    return found[::-1]


def _identity(value: Any) -> Any:
    return value


def _reference(view: _View, name: str, resolve: Callable[[str], Any] | None = None) -> Lazy:
    """``view.name``, lazily: not even the layer is looked at now (`final` is complete only
    after every overlay), unless the caller knows the layer it resolves in (`resolve`).
    Called directly where the name is a variable: attribute access reaches ``__getattr__``
    only after a failed lookup, which costs as much again."""
    if resolve is not None:
        return Lazy(f"{view._label}.{name}", functools.partial(resolve, name))
    return Lazy(f"{view._label}.{name}", functools.partial(_resolve_in, view, name))


def _resolve_in(view: _View, name: str) -> Any:
    return view._layer().resolve(name)


def _read(view: _View, name: str, where: str) -> Any:
    """The value of ``view.name`` that the code at `where` (an overlay's line) wrote; a name
    the layer lacks is an error naming that line and what would define it (no
    AttributeError: it is read while a value that exists is made, as by a property)."""
    layer = view._layer()
    if name in layer.definitions:
        return layer.resolve(name)
    if being_made(layer.owner):
        raise ReadTooEarly(name, where, sorted(layer.definitions), view._label)
    error = MissingInput(
        name, f"the package set ({view._label}.{name} at {where})", sorted(layer.definitions)
    )
    if view._label == "prev" and name in layer.owner._final_layer().definitions:
        error.hint = (
            f"prev holds what the recipes and the overlays before this one define, and a later"
            f" overlay adds {name}: read it as final.{name}"
        )
    elif not error.suggestions:
        error.hint = _NO_DEFINITION.format(name=name)
    raise error


_NO_DEFINITION = (
    "no recipe folder or overlay given defines {name}: add the one that does"
    " (--recipes DIR, --overlay FILE)"
)


class ReadTooEarly(MissingInput):
    """``final.x`` (or ``prev.x``) read in an overlay's body, which the set lacks so far: a
    later overlay may define it (:meth:`PackageSet._defined_later` asks, and says so). Public,
    as :func:`package_set` raises it to the caller: ``except ReadTooEarly`` can name it."""

    def __init__(self, name: str, read_at: str, known: Iterable[str], label: str) -> None:
        super().__init__(name, f"the package set ({label}.{name} at {read_at})", known)
        self.wanted, self.read_at, self.label = name, read_at, label
        if not self.suggestions:
            self.hint = _NO_DEFINITION.format(name=name)

    def defined_by(self, where: str) -> None:
        """Say that the overlay at `where` defines the name, after the body that read it
        (through ``prev``, which never holds a later overlay's names, or too early through
        ``final``)."""
        read = f"{self.label}.{self.wanted} at {self.read_at}"
        said = f"{read} is read in the overlay's body, before the overlay at {where} that"
        said += " defines it is applied"
        if self.label == "prev":  # which no reading of it, however late, would change
            said += ": prev holds what the recipes and earlier overlays define"
        self.args = (said,)
        self.suggestions = []
        self.hint = (
            f"read final.{self.wanted} lazily: inside a function the set calls later (a"
            f" recipe's parameter, final.call_package(lambda {self.wanted}: …)), not in the"
            " overlay's body, which runs before the later overlays are applied"
        )


def _recipe_definitions(dirs: Iterable[Path], owner: PackageSet) -> dict[str, Callable[[], Any]]:
    definitions: dict[str, Callable[[], Any]] = {}
    for folder in dirs:
        folder = Path(folder)
        if not folder.is_dir():
            raise _not_a_recipe_folder(folder)
        # Names as strings, paths as strings (a Path each would cost as much again), in one
        # comprehension: a thousand-recipe set is listed in a millisecond.
        names = sorted([n for n in os.listdir(folder) if n.endswith(".py") and n[0] != "_"])
        where = str(folder) + os.sep
        call = _call_recipe_file
        defined = {n[:-3]: functools.partial(call, where + n, owner) for n in names}
        if not all(_is_python_name(n) for n in defined):
            raise _not_a_python_name(folder, [n for n in defined if not _is_python_name(n)])
        definitions.update(defined)
    return definitions


def _is_python_name(name: str) -> bool:
    """Whether `name` can be a recipe's parameter (and ``final.name`` in an overlay): Python
    reads an identifier NFKC-normalised, so a parameter spelt ``ﬁx`` (a ligature) is ``fix``
    and no parameter can be ``ﬁx``."""
    return name.isidentifier() and not iskeyword(name) and (name.isascii() or _nfkc(name) == name)


def _nfkc(name: str) -> str:
    """`name` as Python reads it in code (PEP 3131)."""
    import unicodedata  # only a name that is not ASCII pays for it

    return unicodedata.normalize("NFKC", name)


def _not_a_python_name(folder: Path, names: list[str]) -> UsageError:
    """The error for recipe files whose names no parameter can be: ``my-six.py`` would be
    the attribute ``my-six``, which no recipe could take as its input, nor an overlay read."""
    file = folder / f"{names[0]}.py"
    more = f" (and {len(names) - 1} more in {folder})" if len(names) > 1 else ""
    read = _nfkc(names[0])
    what = f"is read by Python as {read!r}" if read != names[0] else "is no Python name"
    error = UsageError(
        f"recipe file {file}{more}: {names[0]!r} {what}, so no recipe could take it as a parameter"
    )
    error.hint = (
        f"rename it {_as_python_name(names[0])}.py: a recipe file NAME.py is the set's"
        " attribute NAME, and a recipe's parameters are its inputs"
    )
    return error


# What a set holds besides its methods: pkgs.interpreter is the set's, whatever an overlay says.
_INSTANCE_ATTRIBUTES = frozenset({"interpreter", "recipe_dirs", "overlays"})


def _the_sets_own(overlay: Overlay, name: str) -> UsageError:
    """The error for an overlay's attribute that ``pkgs.NAME`` could not give: one of the
    set's own (``extend``, ``call_package``, ``pkgs``, the set itself), which it would hide or
    which would hide it, or a name starting with ``_``, which the set keeps for itself."""
    what = "starts with _, which the set keeps" if name.startswith("_") else "is the set's own"
    error = UsageError(
        f"the overlay at {_key_where(overlay, name)} sets {name!r},"
        f" which {what}: pkgs.{name} would not give it"
    )
    error.hint = f"name it otherwise, as my_{name.strip('_')}"
    return error


def _not_a_python_key(overlay: Overlay, name: str) -> UsageError:
    """The error for an overlay's attribute no parameter can take: ``python-dateutil`` would
    be an attribute of its own, which replaces nothing that needs ``python_dateutil``."""
    read = _nfkc(name)
    what = f"which Python reads as {read!r}" if read != name else "which is no Python name"
    where = _key_where(overlay, name)
    error = UsageError(
        f"the overlay at {where} sets {name!r}, {what}: no recipe could take it as an input,"
        " nor would it replace the attribute recipes take"
    )
    error.hint = (
        f"name it {_as_python_name(name)!r}: the set's attributes are Python names, as a"
        " recipe's parameters name its inputs"
    )
    return error


def _as_python_name(name: str) -> str:
    """`name` made a Python name, as an import names a project's attribute (``my_six``), or
    as Python reads it (``fix`` for ``ﬁx``)."""
    from .generate.names import attr_name  # only an error pays for packaging's import

    read = _nfkc(name)
    return read if read != name and _is_python_name(read) else attr_name(name.strip())


def _recipe_file(definition: Callable[[], Any] | None) -> str | None:
    """The recipe file of a layer's definition, if a recipe folder's file makes it."""
    if isinstance(definition, functools.partial) and definition.func is _call_recipe_file:
        return str(definition.args[0])
    return None


def _recipe_where(definition: Callable[[], Any] | None) -> str | None:
    """``file:line`` of the ``recipe`` function a definition calls (only the file, if its
    module is not loaded); None for a definition of no recipe folder's."""
    file = _recipe_file(definition)
    if file is None:
        return None
    module = sys.modules.get(_module_name(file))
    code = getattr(getattr(module, "recipe", None), "__code__", None)
    return f"{file}:{code.co_firstlineno}" if code else file


def reference_origin(value: Any) -> str:
    """For an error about what a set's reference gave (a recipe's parameter, an overlay's
    ``final.six``): the attribute and where the set defines it, as ``six, set by the
    overlay at FILE:LINE``; "" for any other value. Found from the reference's own
    function (see :func:`_reference` and :meth:`_View.__getattr__`): only an error pays."""
    thunk = value._thunk if isinstance(value, Lazy) else None
    if not isinstance(thunk, functools.partial):
        return ""
    if thunk.func in (_read, _resolve_in):
        layer, name = thunk.args[0]._layer(), thunk.args[1]
    elif isinstance(getattr(thunk.func, "__self__", None), _Layer):
        layer, name = thunk.func.__self__, thunk.args[0]  # type: ignore[attr-defined]
    else:
        return ""
    origin = layer.origin(name)
    return f"{name}, {origin}" if origin else name


def _not_a_recipe_folder(folder: Path) -> UsageError:
    """A recipe folder that is not one: absent (or what keeps it from being looked at), an
    overlay file given as one, or a file of another kind (a pipe, a device)."""
    try:
        mode = folder.stat().st_mode
    except FileNotFoundError:
        return UsageError(f"recipe folder {folder} does not exist")
    except OSError as exc:
        return UsageError(f"recipe folder {folder} cannot be read: {exc.strerror}")
    if stat.S_ISREG(mode):
        return UsageError(f"recipe folder {folder} is a file: give an overlay file with --overlay")
    return UsageError(
        f"recipe folder {folder} is {kind_of(mode)}, not a folder: give a folder of recipe modules"
    )


def _call_recipe_file(file: str, owner: PackageSet) -> Any:
    fn = recipe_function(load_module(file, _module_name(file)), file)
    return _call_by_name(fn, _View(owner, owner._final_layer, "final"), {}, owner)


def recipe_function(module: types.ModuleType, file: str | Path) -> Callable[..., Any]:
    """A recipe module's ``recipe(...)``; an error naming the functions it defines that are
    close (``recipes``, ``Recipe``) when it has none."""
    fn = getattr(module, "recipe", None)
    if not callable(fn):
        raise _no_recipe(str(file), module)
    return fn


def _no_recipe(file: str, module: types.ModuleType) -> UsageError:
    """The error for a recipe module without ``recipe(...)``, naming the functions it defines
    that are close (``recipes``, ``Recipe``)."""
    defined = [n for n, v in vars(module).items() if callable(v) and not n.startswith("_")]
    close = _close_names("recipe", defined)
    mean = "; did you mean " + ", ".join(f"{n}(...)" for n in close) + "?" if close else ""
    return UsageError(f"{file}: a recipe module must define recipe(...){mean}")


def _module_name(file: str) -> str:
    """The name a recipe file is loaded as: its own for each path (``sys.modules`` holds it,
    where :meth:`PackageSet.recipe_where` finds it again)."""
    return f"pybuild_recipe_{os.path.basename(file)[:-3]}_{abs(hash(file)):x}"


def _call_by_name(
    fn: Callable[..., Any], final: _View, overrides: Mapping[str, Any], owner: PackageSet
) -> Any:
    """Call `fn`, injecting each parameter from `final`; the result can be ``.override()``-n."""
    from .python.package import make_overridable

    inputs: dict[str, Any] = {}
    layer = final._layer()
    defined = layer.definitions  # what `name in final` asks, once for all
    # Once the set is complete, `final` is always this layer: a reference resolves in it
    # directly (while overlays still apply, it is asked for on use, as `_reference` does).
    resolve = layer.resolve if layer is owner._final else None
    making = _making(layer)
    for name, required in _parameters(fn):
        if name in overrides:
            inputs[name] = overrides[name]
        elif name == making:
            inputs[name] = Lazy(f"final.{name}", functools.partial(_takes_itself, fn, layer, name))
        elif name in defined:
            inputs[name] = _reference(final, name, resolve)
        elif required:
            raise _missing_input(name, fn, owner)
    with user_code("a recipe"):
        return make_overridable(fn, **inputs)


def _making(layer: _Layer) -> str | None:
    """The attribute of `layer` being evaluated (innermost), that a recipe called now makes."""
    stack: list[tuple[int, str]] = getattr(_resolving, "stack", [])
    return stack[-1][1] if stack and stack[-1][0] == id(layer) else None


def _takes_itself(fn: Callable[..., Any], layer: _Layer, name: str) -> NoReturn:
    """Raise the cycle of `fn` using its parameter `name`, the attribute it makes: told at
    the function (and the overlay that sets it), where the derivation's cycle would name
    only the package, twice. An input that is never used is no error."""
    overlay = layer.overlays.get(name)
    where = f"{_where(fn)} takes {name}, the attribute it makes, as an input"
    error = CycleError([name, name])
    if overlay is not None:
        error.overlay = _overlay_where(overlay)
        where += f"; set by the overlay at {error.overlay}"
        error.hint = (
            f"inside an overlay, give it the value before this overlay,"
            f" call_package(fn, {name}=prev.{name}), or take {name} out of its parameters"
        )
    else:
        error.hint = (
            f"a recipe's parameters are its inputs: it must not take {name}, which it makes"
        )
    error.args = (f"{error.args[0]} ({where})",)
    raise error


def _missing_input(name: str, fn: Callable[..., Any], owner: PackageSet) -> MissingInput:
    """The error for a parameter of `fn` the set lacks, suggesting close names (each a
    Python name: recipe files and overlays' attributes are refused otherwise)."""
    where = f"the package set (needed by {_where(fn)})"
    return MissingInput(name, where, owner.names())


def _where(fn: Callable[..., Any]) -> str:
    """Where a recipe function is written, as a user finds it: ``file:line``."""
    place = _place(fn)
    return f"{getattr(fn, '__name__', 'recipe')}() in {place}" if place else repr(fn)


def _unwrap(fn: Any) -> Any:
    """The plain function behind partials and decorators."""
    while True:
        inner = getattr(fn, "__wrapped__", None) or getattr(fn, "func", None)
        if inner is None:
            return fn
        fn = inner


def _parameters(fn: Callable[..., Any]) -> list[tuple[str, bool]]:
    """Each parameter `fn` takes by name, and whether it is required (has no default).

    A plain function's code object says it directly; ``inspect.signature`` (for partials,
    wrapped functions and callable objects) costs as much as evaluating a small recipe.
    """
    if not isinstance(fn, types.FunctionType) or hasattr(fn, "__wrapped__"):
        import inspect

        by_name = (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
        return [
            (p.name, p.default is inspect.Parameter.empty)
            for p in inspect.signature(fn).parameters.values()
            if p.kind in by_name
        ]
    code = fn.__code__
    first_default = code.co_argcount - len(fn.__defaults__ or ())
    keyword_defaults = fn.__kwdefaults__ or {}
    names = code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]
    return [
        (name, i < first_default if i < code.co_argcount else name not in keyword_defaults)
        for i, name in enumerate(names)
        if i >= code.co_posonlyargcount  # positional-only: cannot be passed by name
    ]


def load_overlay(file: str | Path) -> Overlay:
    """The ``overlay(final, prev)`` function of a Python file (``--overlay FILE``), loaded
    with its folder on ``sys.path``, as a script's is (it imports the modules beside it, see
    :func:`_own_modules_beside`); a folder given as one (a recipe folder) is refused as such,
    not as a file that is not there."""
    if os.path.isdir(file):
        raise UsageError(f"overlay {file} is a folder: give a recipe folder with --recipes")
    with importable_beside(file), _own_modules_beside(file):  # its helpers, as a script's
        overlay = select(load_module(file), "overlay", str(file))
    if not callable(overlay):
        raise UsageError(f"{file}: overlay must be a function (final, prev) -> dict")
    from typing import cast  # here: evaluating a set without overlay files needs no typing

    return cast(Overlay, overlay)


@contextlib.contextmanager
def _own_modules_beside(file: str | Path) -> Iterator[None]:
    """While the overlay `file` is loaded, its imports of a module or package beside it are
    of that one: ``sys.modules`` would give a module of the same name imported before (an
    earlier overlay's ``helper``, the caller's own), so two overlays' helpers of one name
    were one. Such entries are hidden while the file runs. The standard library and pybuild
    are never hidden: everything shares the loaded ones.

    Afterwards what the file loaded from its folder stays in ``sys.modules`` under its own
    name, which its code still has (``__name__``): a relative import run when the overlay
    is applied (``from . import sub`` in a helper package's function), or a late
    ``import helper``, finds it there. Only where that name was taken before (a real
    conflict) is the file's module moved out of the way and the other put back: the first
    to come keeps the name, so the next overlay and the caller find theirs, and a late
    import by that name in this file's helpers finds the other's (the docs say so).

    A module moved stays in ``sys.modules`` under a name of its folder's
    (``pybuild_beside_<hash>.helper``), as the overlay's own module stays under one of its
    file's: a module loaded is an input the evaluation cache counts
    (:meth:`pybuild.evalcache.Recorder.inputs`), so an edit of the helper is seen."""
    folder = os.path.dirname(os.path.abspath(file))
    beside = _module_names_in(folder) - set(sys.stdlib_module_names) - {"pybuild"}
    hidden = {
        name: module
        for name, module in sys.modules.items()
        if name.partition(".")[0] in beside and not _loaded_from(module, folder)
    }
    for name in hidden:
        del sys.modules[name]
    taken = {name.partition(".")[0] for name in hidden}
    before = set(sys.modules)
    try:
        yield
    finally:
        kept_as = f"pybuild_beside_{abs(hash(folder)):x}."
        for name in [n for n in sys.modules if n not in before]:
            if name.partition(".")[0] in taken and _loaded_from(sys.modules[name], folder):
                sys.modules[kept_as + name] = sys.modules.pop(name)
        sys.modules.update(hidden)


def _module_names_in(folder: str) -> set[str]:
    """The top-level modules an import finds in `folder`: its ``.py`` files and its
    packages (folders holding an ``__init__.py``)."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return set()
    files = {e.name[:-3] for e in entries if e.name.endswith(".py") and _is(e.is_file)}
    packages = {
        e.name
        for e in entries
        if _is(e.is_dir) and os.path.isfile(os.path.join(e.path, "__init__.py"))
    }
    return files | packages


def _is(question: Callable[[], bool]) -> bool:
    """A folder entry's answer to `question`; False where the entry cannot be looked at (a
    link in a loop beside an overlay is no module of its, and no error of the overlay's)."""
    try:
        return question()
    except OSError:
        return False


def _loaded_from(module: object, folder: str) -> bool:
    """Whether `module` was loaded from a file inside `folder`."""
    file = getattr(module, "__file__", None)
    return isinstance(file, str) and os.path.abspath(file).startswith(folder + os.sep)


def package_set(
    python: str | os.PathLike[str] | Interpreter | None = None,
    recipes: Sequence[str | Path] | None = None,
    overlays: Sequence[Overlay] = (),
) -> PackageSet:
    """The default set (``recipes/``) or your own folders, with overlays, for one interpreter.

    `python` is the interpreter running pybuild by default, or a version (``"3.12"``:
    ``python3.12`` on ``PATH``), a command or a path. Sets for several interpreters live side
    by side: the interpreter is an input of every package, so each has its own store paths.
    """
    if isinstance(python, Interpreter):
        interpreter = python
    elif python is None:
        interpreter = Interpreter.current()
    else:
        from .python.locate import locate_python

        interpreter = Interpreter.at(locate_python(python))
    if isinstance(recipes, (str, os.PathLike)):  # a folder alone: iterated letter by letter
        raise wrong_type("package_set()", "recipes", os.fspath(recipes), "a list of folders")
    dirs = [Path(r) for r in recipes] if recipes is not None else [default_recipes()]
    return PackageSet(interpreter, dirs, _overlay_list(overlays, "package_set()"))
