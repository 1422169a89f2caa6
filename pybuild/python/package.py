"""``build_python_package``: a Python package recipe, turned into a derivation on demand.

A :class:`PythonPackage` holds the attributes a user wrote (pname, version, src, build system,
dependencies, …) and makes its derivation only when asked, so a package set of hundreds of
recipes costs nothing until one is used. ``override_python_attrs`` changes attributes (like
nixpkgs' overridePythonAttrs); ``override`` re-calls the recipe function with other inputs
(like callPackage's override). The derivation runs the in-build builder
(``pybuild/python/builder``, copied into the store so that a change to it rebuilds) with the
set's interpreter, whose identity is part of every package's hash.

Example::

    >>> from pybuild import fetch_pypi, package_set
    >>> setuptools = package_set().setuptools
    >>> pinned = "sha256-/3AzXUaOfrbsZblbmdOig2VGBj9jrMUXHeNn6DSTKoE="
    >>> six = build_python_package(
    ...     pname="six",
    ...     version="1.17.0",
    ...     src=fetch_pypi("six", "1.17.0", hash=pinned),
    ...     build_system=[setuptools],
    ... )
    >>> six.drv.name
    'python3...-six-1.17.0'
"""

from __future__ import annotations

import _thread
import functools
import json
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

from .. import lazy
from ..derivations import Derivation, WithInputs, derivation, placeholder
from ..errors import CycleError, MissingAttribute, MissingKey, UsageError, did_you_mean, shown
from ..fetchers import FILE_NAME, fetch_pypi, fetched_from_index
from ..frozen import cached
from ..lazy import force
from ..localsource import LocalSource, local_source
from ..pkgset import _parameters, _where
from ..pygc import evaluated
from ..store import Store, default_home
from ..store.paths import store_spelling
from ..userfiles import call_site, is_user_file
from .builder.phasenames import HOOKS, PHASES
from .interpreter import Interpreter
from .recipecheck import NIXPKGS_NAMES, SOURCE_KINDS, check_attrs

TYPE_CHECKING = False  # typing: an import no evaluation needs
if TYPE_CHECKING:
    from types import TracebackType
    from typing import Any, Literal, TypeAlias

    # What an override's positional argument may be: the changes, or a function of the old.
    Changes: TypeAlias = Mapping[str, Any] | Callable[[dict[str, Any]], Mapping[str, Any]]

__all__ = [
    "PythonPackage",
    "build_python_package",
    "builder_source",
    "closure_of",
    "make_overridable",
    "toolchain",
]

_BUILDER = Path(__file__).parent / "builder"
# The builder's entry in the toolchain, which holds a copy of it compiled for its interpreter
# (``builder/toolchain.py`` copies it there).
_ENTRY = "pybuild-builder/__main__.py"
# What json.dumps(..., sort_keys=True) writes, without making an encoder for every package;
# its characters as they are: escaped (\u00fc), a store path in a home whose path is not ASCII
# would not be found in it, and the package would have no inputs.
_encode_attrs = json.JSONEncoder(sort_keys=True, ensure_ascii=False).encode
# Packages that need each other (as some of the index's projects do, which pip and uv install
# into one folder): a store path cannot refer to one that refers back, in pybuild as in Nix.
_CYCLE_HINT = (
    "a package's store path cannot refer to one that refers back to it (nor can Nix's): break"
    " the cycle as nixpkgs does, taking one of them out of another's dependencies"
    " (override_python_attrs in an overlay), and list both in the environment"
)
# By thread (threading.local without threading's import): the packages whose derivation is
# being made, to catch cycles; forgotten with the thread.
_making = _thread._local()
# The builder's own tools, pinned: installer, PEP 517 hooks and requirement checking. They run
# from their wheels (zip import), so they need no build of their own.
TOOLCHAIN = {
    "installer": ("1.1.0", "sha256-9V9XKP9h091U28Wjl88/cwfLZLGAwgtyr76/AcniyKA="),
    "pyproject-hooks": ("1.3.3", "sha256-X8U/2sn3vWP7zcho+1+QtHhNeKU6PTOIzXOLgHRBogs="),
    "packaging": ("26.3", "sha256-1xk/fI5Ok/RE/eAmK/kK8w4W+grQrUTLVTyHM5sjzRw="),
}
_DEFAULTS: dict[str, Any] = {
    "build_system": (),
    "dependencies": (),
    "optional_dependencies": {},
    "check_inputs": (),
    "do_check": True,
    "imports_check": None,
    "allow_undeclared_imports": False,
    "format": "pyproject",
    "env": {},
    "config_settings": {},
    "pytest_flags": (),
    "disabled_tests": {},  # test name, -k expression or node id -> why it cannot pass here
    "disabled_test_paths": {},  # test file, folder or glob (or node id) -> why
    "skip_phases": (),
    "remove_scripts": {},  # console script name -> why the recipe drops it
    # Changing the source and hooking into the phases (nixpkgs' patches, postPatch, …).
    "patches": (),  # local files or fetches, applied by `patch -p1` in the patch phase
    "post_patch": "",
    "pre_build": "",
    "post_install": "",
    "pre_check": "",
    # Build tools: their bin on PATH and importable by the backend (nativeBuildInputs).
    "native_build_inputs": (),
    # Requirements given way to (pythonRelaxDeps, pythonRemoveDeps): names, or True for all.
    "relax_deps": (),
    "remove_deps": (),
    # What the package is: kept on the package and shown, not part of its hash.
    "meta": {},
}


# Python 3.10 has no tomllib: there the builder reads pyproject.toml with tomli (pure wheel).
_TOMLI = {"tomli-2.5.0-py3-none-any.whl": "sha256-Mqe3msV6LoNnDOMpzPZ1eYvFoglHg6Y2doZrcFA/Lis="}


def toolchain(python: Interpreter) -> Derivation:
    """The pinned toolchain wheels unpacked and the builder beside them, with bytecode compiled
    by `python` (made once per process, home and interpreter): see ``builder/toolchain.py``
    for why not the zip files and the builder's own store path."""
    return _toolchain_in(str(default_home()), python)


def toolchain_wheels(python: Interpreter) -> list[Derivation]:
    """The toolchain's wheels, as fixed-output fetches (tomli too for Python 3.10); each must
    allow `python` by its Requires-Python, as the set's own wheels must."""
    return _wheels_in(str(default_home()), python)


@functools.lru_cache(maxsize=8)
def _wheels_in(home: str, python: Interpreter) -> list[Derivation]:
    pins: list[tuple[str, str, str, dict[str, str] | None]] = [
        (name, version, sri, None) for name, (version, sri) in TOOLCHAIN.items()
    ]
    if python.version_xy == "3.10":
        pins.append(("tomli", "2.5.0", "", _TOMLI))
    return [
        fetch_pypi(name, version, sri, kind="wheel", hashes=hashes, python_version=python.version)
        for name, version, sri, hashes in pins
    ]


@functools.lru_cache(maxsize=8)
def _toolchain_in(home: str, python: Interpreter) -> Derivation:
    wheels = _wheels_in(home, python)
    return derivation(
        name=f"python{python.version_xy}-pybuild-toolchain",
        builder=python.executable,
        args=["-S", builder_source() + "/toolchain.py", *(str(w) for w in wheels)],
        env={"PYBUILD_PYTHON": python.identity},
    )


class PythonPackage:
    """A Python package recipe; behaves as the path of its build output."""

    def __init__(
        self,
        attrs: Mapping[str, Any],
        python: Interpreter,
        caller: Callable[..., PythonPackage] | None = None,
        made_at: str = "",
    ) -> None:
        check_attrs(attrs, known=_DEFAULTS, package=PythonPackage)
        self.attrs = {**_DEFAULTS, **attrs}
        self.python = python
        self._caller = caller
        # Where the recipe gave src and patches ("file:line"), for a local one that is missing:
        # the derivation that finds it so is made later, from no frame of the recipe's.
        self.made_at = made_at
        # The inputs the recipe was called with, for ``.override(fn)``; set by make_overridable.
        self._inputs: Mapping[str, Any] = {}
        # The package this one is with extras (pkg[extra]: the same distribution, needing
        # more), which an environment with both has once (python.environment.with_extras);
        # kept by its overrides, which are that package with extras too. Not hashed.
        self.extends: PythonPackage | None = None

    # -- identity -------------------------------------------------------------------------

    @property
    def pname(self) -> str:
        return str(self.attrs["pname"])

    @property
    def version(self) -> str:
        return str(self.attrs["version"])

    @property
    def meta(self) -> dict[str, str]:
        """Description, homepage, license: what ``pybuild eval`` shows; not in the hash."""
        return dict(self.attrs["meta"])

    @property
    def from_index(self) -> bool:
        """Whether it is built from a release file of the package index (a set's recipe, or
        one generated from the index), which a ``pypi:`` request for its name asks for again:
        a local project, or another download (a fork's archive), may be another project of
        that name."""
        return fetched_from_index(force(self.attrs["src"]))

    @property
    def dependencies(self) -> list[PythonPackage]:
        return [force(d) for d in self.attrs["dependencies"]]

    def optional(self, extra: str) -> list[PythonPackage]:
        """The packages of one extra, for a dependent that wants ``pkg[extra]``."""
        extras = self.attrs["optional_dependencies"]
        if extra not in extras:
            raise UsageError(f"{self.pname} has no extra {extra!r}; it has {sorted(extras)}")
        return [force(d) for d in extras[extra]]

    @cached
    def runtime_closure(self) -> list[PythonPackage]:
        """Dependencies, transitively, each once, nearest first (not this package)."""
        return closure_of(self.dependencies)

    @cached
    def drv(self) -> Derivation:
        """The derivation, made on first use; a package that needs itself is a cycle."""
        try:
            stack: list[PythonPackage] = _making.stack
        except AttributeError:
            stack = _making.stack = []
        if self in stack:
            chain = [p.pname for p in stack[stack.index(self) :]] + [self.pname]
            error = CycleError(chain)
            error.hint = _CYCLE_HINT
            raise error
        stack.append(self)
        try:
            return evaluated(_make_derivation, self)
        finally:
            stack.pop()

    def __fspath__(self) -> str:
        return os.fspath(self.drv)

    def __str__(self) -> str:
        return str(self.drv)

    def __format__(self, spec: str) -> str:
        return format(str(self.drv), spec)

    def __repr__(self) -> str:
        return f"<PythonPackage {self.pname} {self.version}>"

    # -- overriding -----------------------------------------------------------------------

    def override_python_attrs(self, fn: Changes | None = None, **attrs: Any) -> PythonPackage:
        """A new recipe with some attributes changed: ``fn(old_attrs)`` (or a mapping) and
        keyword values.

        Its ``.override`` re-calls the recipe and then makes these changes again (to the new
        attributes, as nixpkgs' overridePythonAttrs does), so neither kind of override undoes
        the other, in whichever order they come."""
        old = _editable(self.attrs)
        changes = {**_changes(fn, old, self.pname, "override_python_attrs"), **attrs}
        caller = _then_changed(self._caller, fn, attrs)
        made_at = self.made_at
        if {"src", "patches"} & changes.keys():
            made_at = _call_site() or lazy.deferred_site() or made_at
        try:
            changed = PythonPackage({**self.attrs, **changes}, self.python, caller, made_at)
        except UsageError as exc:
            if name := getattr(exc, "package_named", ""):  # not the recipe's to take
                exc.hint = (
                    f"give the set's package, pkgs.{name} (final.{name} in an overlay), not"
                    " its name"
                )
            raise
        changed._inputs = self._inputs
        changed.extends = self.extends
        return changed

    def override(self, fn: Changes | None = None, /, **inputs: Any) -> PythonPackage:
        """Re-call the recipe that made this package with some inputs replaced: keyword
        values, or ``fn(old_inputs)`` (or a mapping), as nixpkgs' ``.override`` takes."""
        if self._caller is None:
            raise UsageError(
                f"{self.pname} was not made by a recipe function, so it has no inputs to"
                " override; use override_python_attrs, or make it with call_package(fn)"
                " (prev.call_package(fn) in an overlay), whose parameters name its inputs"
            )
        changes = _changes(fn, self._inputs, self.pname, "override")
        try:
            changed = self._caller(**changes, **inputs)
        except UsageError as exc:
            recipe = _innermost_user_line(exc.__traceback__)
            if not recipe:  # not the recipe's (an input it does not take): the override's
                raise
            raise _of_the_override(exc, recipe) from exc
        changed.extends = self.extends  # with its extras still: the package it was made from
        return changed


def _innermost_user_line(tb: TracebackType | None) -> str:
    """ "file:line" of the innermost frame of the user's code in `tb` ("" for none)."""
    line = ""
    while tb is not None:
        if is_user_file(tb.tb_frame.f_code.co_filename):
            line = f"{tb.tb_frame.f_code.co_filename}:{tb.tb_lineno}"
        tb = tb.tb_next
    return line


def _of_the_override(exc: UsageError, recipe: str) -> UsageError:
    """A mistake the recipe (its line `recipe`), re-called by ``.override`` with other
    inputs, ran into (a None given for a package it lists): the recipe ran with its own
    inputs, so the override's inputs are at fault. Raised again from the override, whose line
    is then the error's innermost of the user's, which the command line names, where it named
    the recipe's, a file the user may not have written."""
    error = UsageError(
        f"{exc.args[0]} (from the recipe at {recipe}, re-called with this .override's inputs)"
    )
    error.hint = (
        "an input given to .override takes the place of the recipe's parameter of that name,"
        " so give what the recipe uses it as (a package: pkgs.NAME); to leave a package out"
        " of one of its attributes, change that attribute with override_python_attrs"
        " (check_inputs=[...], dependencies=[...])"
    )
    return error


def _editable(attrs: Mapping[str, Any]) -> dict[str, Any]:
    """The old attributes an override's function is given: every list-valued one a list
    (a recipe may give a tuple, and one it leaves out is the default's tuple), so nixpkgs'
    ``old.propagatedBuildInputs ++ [x]``, ``old["dependencies"] + [x]``, works on every
    package; and each a copy (mappings too, and the lists of extras), so that editing one in
    place changes neither the package nor, through a default's shared value, every other."""
    return {name: _copy(value) for name, value in attrs.items()}


def _copy(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return list(value)
    if isinstance(value, Mapping):
        return {key: _copy(item) for key, item in value.items()}
    return value


def _changes(fn: Changes | None, old: Mapping[str, Any], pname: str, method: str) -> dict[str, Any]:
    """What an override's positional argument changes: a mapping as it is, a function called
    with (a copy of) the `old` values; anything else, or a function that returns anything
    else (``lambda old: None``), is refused naming it, not by a TypeError from the merge."""
    if fn is None:
        return {}
    what = "attributes" if method == "override_python_attrs" else "inputs"
    if isinstance(fn, Mapping):
        return dict(fn)
    if not callable(fn):
        error = UsageError(
            f"{pname}: {method} takes a function of the old {what} or a dict of the {what}"
            f" to change, not the {shown(fn)}"
        )
        error.hint = f'{method}(name=value), or {method}(lambda old: {{"name": value}})'
        raise error
    value = fn(_OldValues(old, f"{pname}'s old {what}"))
    if isinstance(value, Mapping):
        return dict(value)
    got = "None" if value is None else f"the {shown(value)}"
    error = UsageError(
        f"{pname}: the function given to {method}, {_where(fn)}, returned {got},"
        f" not a dict of the {what} to change"
    )
    error.hint = f'return the changes as a dict: {method}(lambda old: {{"name": value}})'
    raise error


class _OldValues(dict["str", "Any"]):
    """The old values an override's function is given: a key it misspells (``old["dependecies"]``)
    is a :class:`MissingKey` naming the close ones, where a bare KeyError named only the key."""

    def __init__(self, old: Mapping[str, Any], where: str) -> None:
        super().__init__(old)
        self.where = where

    def __missing__(self, key: str) -> Any:
        error = MissingKey(key, self.where, self)
        if key in NIXPKGS_NAMES:  # spelling leads nowhere near pybuild's name: say it
            error.args = (f"no {key!r} in {self.where}; nixpkgs' name for {NIXPKGS_NAMES[key]}",)
        raise error

    def __getattr__(self, name: str) -> Any:
        """``old.dependencies``, nixpkgs' habit (``old.propagatedBuildInputs``): told to be
        read by key, where a bare AttributeError named this class."""
        if name.startswith("__"):
            raise AttributeError(name)
        error = MissingAttribute(name, self.where, self)
        error.args = (f"{self.where} are a dict, read by key: old.{name} is no attribute",)
        key = NIXPKGS_NAMES.get(name, "").strip("'") or name
        if key not in self:
            key = (error.suggestions or ["NAME"])[0]
        error.hint = f"write old[{key!r}]"
        raise error


def _then_changed(
    caller: Callable[..., PythonPackage] | None,
    fn: Changes | None,
    attrs: Mapping[str, Any],
) -> Callable[..., PythonPackage] | None:
    """`caller` (the recipe re-called with other inputs) followed by the same attribute
    changes: what ``.override`` of an attribute-overridden package does, where keeping the
    bare `caller` made it forget them. ``None`` (no recipe to re-call) stays so."""
    if caller is None:
        return None

    def recall(**inputs: Any) -> PythonPackage:
        return caller(**inputs).override_python_attrs(fn, **attrs)

    return recall


def make_overridable(fn: Callable[..., PythonPackage], /, **inputs: Any) -> PythonPackage:
    """Call a recipe function and remember how, so ``.override(**other_inputs)`` re-calls it."""
    result = fn(**inputs)
    if not isinstance(result, PythonPackage):
        if result is None:  # a recipe that builds its package and forgets to return it
            error = UsageError(f"{_where(fn)} returned None, not a package")
            error.hint = "a recipe returns what it makes: return build_python_package(...)"
            raise error
        return result

    def caller(**changes: Any) -> PythonPackage:
        _check_inputs(fn, changes, result.pname)
        return make_overridable(fn, **{**inputs, **changes})

    result._caller = caller
    result._inputs = inputs
    return result


def _check_inputs(fn: Callable[..., Any], changes: Mapping[str, Any], pname: str) -> None:
    """``.override(setuptool=…)``: a name the recipe does not take is refused as such, with
    the close ones and where the recipe is, not by the recipe's bare TypeError. A recipe that
    takes ``**kwargs`` takes any name."""
    known = [name for name, _ in _parameters(fn)]
    unknown = [name for name in changes if name not in known]
    if not unknown or _takes_any_name(fn):
        return
    error = UsageError(
        f"{pname}: the recipe has no input {unknown[0]!r}{did_you_mean(unknown[0], known)}"
    )
    error.hint = f"the inputs of {_where(fn)} are: {', '.join(known) or 'none'}"
    raise error


def _takes_any_name(fn: Callable[..., Any]) -> bool:
    """Whether `fn` has a ``**kwargs`` parameter (asked only of a name it does not list)."""
    import inspect

    kinds = [p.kind for p in inspect.signature(fn).parameters.values()]
    return inspect.Parameter.VAR_KEYWORD in kinds


def build_python_package(
    *,
    pname: str,
    version: str,
    src: Any,
    format: Literal["pyproject", "wheel"] = "pyproject",
    build_system: Sequence[Any] = (),
    dependencies: Sequence[Any] = (),
    optional_dependencies: Mapping[str, Sequence[Any]] | None = None,
    native_build_inputs: Sequence[Any] = (),
    check_inputs: Sequence[Any] = (),
    do_check: bool = True,
    imports_check: Sequence[str] | None = None,
    allow_undeclared_imports: bool = False,
    pytest_flags: Sequence[str] = (),
    disabled_tests: Mapping[str, str] | None = None,
    disabled_test_paths: Mapping[str, str] | None = None,
    patches: Sequence[Any] = (),
    post_patch: str = "",
    pre_build: str = "",
    post_install: str = "",
    pre_check: str = "",
    skip_phases: Sequence[str] = (),
    relax_deps: Sequence[str] | bool = (),
    remove_deps: Sequence[str] | bool = (),
    remove_scripts: Mapping[str, str] | None = None,
    config_settings: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
    meta: Mapping[str, str] | None = None,
    python: Interpreter | None = None,
    **misspelt: Any,
) -> PythonPackage:
    """A Python package recipe: built from `src` when (and only when) it is first needed.

    What it is:

    - `pname`, `version`: the distribution's name and version (its store name says both).
    - `src`: an sdist or wheel fetch (``fetch_pypi``, ``fetch_url``), or a local folder:
      its source files copied into the store by content (in a git work tree, those git
      shows; never caches, virtual environments, build outputs or result links), as
      :func:`~pybuild.localsource.local_source` says, which chooses otherwise.
    - `format`: ``"pyproject"`` builds `src` with its PEP 517 backend; ``"wheel"`` installs a
      prebuilt wheel.
    - `meta`: ``description``, ``homepage``, ``license``: shown by ``pybuild eval``, not part
      of the hash; ``failure_hint``: the hint of a failed build's error (a generated recipe
      built from its sdist names the wheel pip and uv would install).

    What it needs (packages of the set, injected by name in a recipe):

    - `build_system`: the backend and what ``[build-system] requires`` names; nothing else is
      importable while building.
    - `dependencies`: run-time requirements; their closure is what the package imports.
    - `optional_dependencies`: extras, ``{"socks": [pysocks]}``, for ``pkg[extra]``.
    - `native_build_inputs`: build tools (Cython, ninja, meson): on ``PATH`` and importable by
      the backend, not run-time dependencies.
    - `check_inputs`: what the check phase needs besides (pytest and the test requirements).

    How it is built, phase by phase (unpack, patch, build, install, bytecode, runtime deps
    check, scripts check, imports check, check):

    - `patches`: files or fetches applied by ``patch -p1`` after unpacking.
    - `post_patch`, `pre_build`, `post_install`, `pre_check`: shell snippets run by
      ``/bin/sh -e`` around those phases, with the phase's environment.
    - `config_settings`: passed to the backend's ``build_wheel`` (``{"setup-args": [...]}``).
    - `env`: variables every phase sees.
    - `skip_phases`: phases left out, by name (an unknown name is an error).
    - `relax_deps`, `remove_deps`: requirements of the wheel whose bound the runtime deps
      check drops, or that it drops whole (names, or True for all).
    - `remove_scripts`: console scripts dropped from ``bin``, each with the reason.
    - `imports_check`: modules imported after installing (default: the wheel's top level).
      `allow_undeclared_imports` lets one pass that fails only because it imports a project
      its metadata does not declare (logged): for generated recipes, which cannot add it.
    - `do_check`: run the package's tests (with pytest, when it is among `check_inputs`);
      `pytest_flags` are added to pytest's command line; `disabled_tests` and
      `disabled_test_paths` map each test (or path) left out to the reason.
    - `python`: the interpreter; a package set passes its own.

    Any other name is refused, naming the close ones (``dependecies``: did you mean
    ``dependencies``?).

    Example::

        >>> six = build_python_package(pname="six", version="1.17.0", src=Path("."))
        >>> six.pname, six.version, six.attrs["format"]
        ('six', '1.17.0', 'pyproject')
    """
    # What the recipe wrote: an argument left at its default is not an attribute (so that
    # override_python_attrs and the checks see the recipe as written, as before).
    written = locals()
    defaults = build_python_package.__kwdefaults__ or {}
    given = {
        name: written[name]
        for name in _ATTRIBUTES
        if name not in defaults or written[name] is not defaults[name]
    }
    # A name the signature lacks is refused there, with the close names (not a TypeError).
    return PythonPackage(
        {**given, **misspelt}, python or Interpreter.current(), made_at=_call_site()
    )


def _call_site() -> str:
    """The recipe's line that called build_python_package or override_python_attrs, as
    "file:line" ("" when there is none: an override a lazy reference made later, which
    pybuild's evaluation of a dependency runs, not the user's line of the moment)."""
    return call_site(2, through=_FORWARDERS)


# The modules between a recipe's line and the package it makes: the set's references, and
# this one's own functions (an override calls the recipe's function again).
_FORWARDERS = ("lazy.py", "package.py")


# Its parameters but the interpreter, as a package set reads a recipe's (without inspect): the
# attributes (``**misspelt`` is not one).
_ATTRIBUTES = tuple(name for name, _ in _parameters(build_python_package) if name != "python")


def described(python: Interpreter, other: Interpreter) -> str:
    """`python` as an error that sets it against `other` names it: which one and where, and
    the hash of its executable where that is the difference (one rebuilt in place)."""
    where = python.executable
    if (python.implementation, python.version, where) == (
        other.implementation,
        other.version,
        other.executable,
    ):
        where += f", executable {python.executable_hash}"
    return f"{python.implementation} {python.version} ({where})"


def _make_derivation(pkg: PythonPackage) -> Derivation:
    """Only direct inputs are named, as in Nix: the builder walks their closures itself (from
    each input's ``pybuild-package.json``), so a derivation grows with its inputs, not with
    its closure, and evaluating a large set stays linear."""
    attrs, python = pkg.attrs, pkg.python
    home = str(default_home())  # the store's, asked once for the sources, tools and builder
    store = Store.at(home)
    inputs = {
        group: _packages(attrs[group], f"{pkg.pname}: {group}")
        for group in ("dependencies", "build_system", "check_inputs", "native_build_inputs")
    }
    for dep in [d for group in inputs.values() for d in group]:
        if dep.python.identity != python.identity:
            raise UsageError(
                f"{dep.pname} {dep.version}, a dependency of {pkg.pname} {pkg.version}, is built"
                f" for {described(dep.python, python)}, but {pkg.pname} is for"
                f" {described(python, dep.python)}"
            )
    # Inputs' paths first: a dependency cycle is reported before anything is stored. Each is
    # written by placeholder and handed to the derivation with the text that names it.
    used: list[Derivation] = []
    input_paths = {group: _once([_input(d, used) for d in deps]) for group, deps in inputs.items()}
    label = f"{pkg.pname} {pkg.version}"
    builder_attrs = {
        "pname": pkg.pname,
        "version": pkg.version,
        "src": _src_path(attrs["src"], used, store, f"{label}'s src", pkg.made_at),
        "format": attrs["format"],
        **_src_name(attrs["src"], attrs["format"]),
        "site_packages": python.site_packages,
        **input_paths,
        "do_check": bool(attrs["do_check"]),
        "imports_check": list(attrs["imports_check"])
        if attrs["imports_check"] is not None
        else None,
        # only when set: every other recipe keeps its derivation (and store path)
        **({"allow_undeclared_imports": True} if attrs["allow_undeclared_imports"] else {}),
        "config_settings": dict(attrs["config_settings"]),
        "pytest_flags": list(attrs["pytest_flags"]),
        # each with its reason: checked when the recipe was made (recipecheck)
        "disabled_tests": dict(attrs["disabled_tests"]),
        "disabled_test_paths": dict(attrs["disabled_test_paths"]),
        # in the order they run, each once: the builder asks only whether a phase is named
        "skip_phases": [phase for phase in PHASES if phase in attrs["skip_phases"]],
        "remove_scripts": dict(attrs["remove_scripts"]),
        "patches": [
            _src_path(p, used, store, f"{label}'s patch", pkg.made_at) for p in attrs["patches"]
        ],
        **{hook: str(attrs[hook]) for hook in HOOKS},
        "relax_deps": _names_or_all(attrs["relax_deps"]),
        "remove_deps": _names_or_all(attrs["remove_deps"]),
    }
    tools = _toolchain_in(home, python)
    env = {
        **dict(attrs["env"]),
        "PYBUILD_ATTRS": WithInputs(_encode_attrs(builder_attrs), used),
        "PYBUILD_PYTHON": python.identity,
        "PYTHONPATH": tools,
    }
    return derivation(
        name=store_spelling(f"python{python.version_xy}-{pkg.pname}-{pkg.version}"),
        builder=python.executable,
        args=["-S", WithInputs(f"{placeholder(tools)}/{_ENTRY}", [tools])],
        env=env,
        store=store,
        meta={"pname": pkg.pname, "version": pkg.version, **pkg.meta},
    )


def _src_name(src: object, format: str) -> dict[str, str]:
    """``src_name``, the wheel's own file name, for a wheel stored under another
    (``cfn_review_bot-1=….whl`` for ``…-1!….whl``: :func:`~pybuild.store.paths.store_spelling`):
    installer reads the release's version from the file's name, and its ``.data`` folder by
    it. Only then: every other package keeps its derivation."""
    src = force(src)
    name = src.meta.get(FILE_NAME) if isinstance(src, Derivation) else None
    return {"src_name": name} if format == "wheel" and name else {}


def _once(paths: list[str]) -> list[str]:
    """An input list's paths, each once, where first listed: a package listed twice (as
    ``old["dependencies"] + [x]`` lists an x already there) is the same input, as pip takes a
    requirement named twice, so it keeps the derivation and every dependent's."""
    return list(dict.fromkeys(paths))


def _names_or_all(value: bool | Iterable[str]) -> bool | list[str]:
    """``True`` (every requirement), or the names; ``False`` is none, as an empty list."""
    return True if value is True else list(value or ())


def closure_of(packages: Iterable[Any]) -> list[PythonPackage]:
    """Packages and all they need at run time, each once, in breadth-first order."""
    seen: dict[str, PythonPackage] = {}
    todo = _packages(packages)
    while todo:
        pkg = todo.pop(0)
        if pkg.drv.drv_name not in seen:
            seen[pkg.drv.drv_name] = pkg
            todo.extend(pkg.dependencies)
    return list(seen.values())


def _packages(values: Iterable[Any], what: str = "") -> list[PythonPackage]:
    """Python package recipes (lazy references resolved), or a clear error for anything else:
    a reference is checked only here, as the recipe is made without resolving any; `what`
    names the list (``six: dependencies``)."""
    found = [force(v) for v in values]
    for pkg in found:
        if not isinstance(pkg, PythonPackage):
            kind = "None" if pkg is None else f"the {shown(pkg)}"
            from ..pkgset import reference_origin  # the set's attribute that gave it

            origin = next((reference_origin(v) for v in values if force(v) is pkg), "")
            kind += f" ({origin})" if origin else ""
            error = UsageError(f"{what or 'a package list'} must be Python packages, not {kind}")
            error.hint = "list only the set's Python packages there (not a fetch or a function)"
            raise error
    return found


def _input(value: Derivation | PythonPackage, used: list[Derivation]) -> str:
    """`value`'s output as the builder's attributes name it, recorded in `used`."""
    drv = value.drv if isinstance(value, PythonPackage) else value
    used.append(drv)
    return placeholder(drv)


def _src_path(src: object, used: list[Derivation], store: Store, what: str, at: str = "") -> str:
    """A source or patch (`what` names it, given `at` a recipe's line): a fetch or package as
    an input (in `used`), a local path as the copy in `store` of its source files
    (:mod:`pybuild.localsource`: not the caches, venvs and result links a project folder
    holds), found there as a source by the derivation's scan."""
    src = force(src)
    if isinstance(src, Derivation | PythonPackage):
        return _input(src, used)
    if isinstance(src, str | os.PathLike):
        src = local_source(_followed(src))
    if isinstance(src, LocalSource):
        if not os.path.lexists(src.path):
            raise _no_such_source(src.path, what, at)
        return str(store.path(src.add_to(store)))
    given = f" (given at {at})" if at else ""
    shown_src = "None" if src is None else f"the {shown(src)}"
    raise UsageError(f"{what} must be {SOURCE_KINDS}, not {shown_src}{given}")


def _followed(path: str | os.PathLike[str]) -> str | os.PathLike[str]:
    """A source or patch file given by a link (``sdist.tar.gz -> downloads/…``), as the file
    it leads to: its content is the package's source, where the link stored as a link would
    be read live through it, so that an edit rebuilt nothing. (A folder is followed by
    :mod:`~pybuild.localsource`; a derivation's own paths keep their links, as Nix's do.)"""
    return os.path.realpath(path) if os.path.isfile(path) and os.path.islink(path) else path


def _no_such_source(path: str, what: str, at: str) -> UsageError:
    """A local source that is not there, and the recipe's line that gives it (`at`); a
    relative one was looked for from the working folder, which is seldom what the recipe
    meant (Nix reads a path from its file)."""
    given = f" (given at {at})" if at else ""
    if os.path.isabs(path):
        return UsageError(f"{what} {path} does not exist{given}")
    error = UsageError(f"{what} {path} does not exist in the working folder {os.getcwd()}{given}")
    file = at.rpartition(":")[0]
    own = f"the file that gives it, {file}" if file else "the recipe's own file"
    error.hint = (
        f"a relative path is read from the working folder; name it from {own}:"
        f" Path(__file__).parent / {path!r}"
    )
    return error


def _in_builder_source(path: str) -> bool:
    """Whether a file of the builder's folder is part of its copy: not its bytecode, nor
    env.py (environments are built in pybuild's own process, builtin:python-env, and a
    change to their layout must not rebuild every package)."""
    return os.path.basename(path) not in ("__pycache__", "env.py")


BUILDER_SOURCE_NAME = "pybuild-python-builder"  # the builder folder's store name, its hash aside


@functools.lru_cache(maxsize=8)
def _source_in(home: str) -> str:
    store = Store(home)
    added = store.add_path(_BUILDER, BUILDER_SOURCE_NAME, _in_builder_source)
    return str(store.path(added))


def restore_builder_source(store: Store, name: str) -> None:
    """Put back the builder folder `name`, damaged in the store, from pybuild's own files,
    as :func:`_source_in` added it (``pybuild verify --repair``): ``pybuild add`` of them
    would give another path. A PybuildError if they no longer have its content (pybuild
    changed since it added it)."""
    import shutil

    from ..store import remove_tree

    def left_out(folder: str, names: list[str]) -> list[str]:
        return [n for n in names if not _in_builder_source(os.path.join(folder, n))]

    with store.lock([name]):
        work = store.new_tmp_dir("repair")
        try:
            shutil.copytree(_BUILDER, work / name, symlinks=True, ignore=left_out)
            store.replace_contents(name, work / name)
        finally:
            remove_tree(work)


def builder_source() -> str:
    """The in-build builder folder, in the store; once a process and home."""
    return _source_in(str(default_home()))
