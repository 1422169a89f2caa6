"""``build_python_package``: a Python package recipe, turned into a derivation on demand.

A :class:`PythonPackage` holds the attributes a user wrote (pname, version, src, build system,
dependencies, …) and makes its derivation only when asked, so a package set of hundreds of
recipes costs nothing until one is used. ``override_python_attrs`` changes attributes (like
nixpkgs' overridePythonAttrs); ``override`` re-calls the recipe function with other inputs
(like callPackage's override). The derivation runs the in-build builder
(``pybuild/python/builder``, copied into the store so that a change to it rebuilds) with the
set's interpreter, whose identity is part of every package's hash.

Example::

    >>> six = build_python_package(pname="six", version="1.17.0",
    ...     src=fetch_pypi("six", "1.17.0", hash="sha256-..."), build_system=[setuptools])
    ... # doctest: +SKIP
"""

from __future__ import annotations

import functools
import json
import os
import threading
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from ..derivations import Derivation, derivation
from ..errors import CycleError, UsageError
from ..fetchers import fetch_pypi
from ..lazy import force
from .interpreter import Interpreter

__all__ = [
    "PythonPackage",
    "build_python_package",
    "builder_source",
    "closure_of",
    "make_overridable",
    "toolchain",
]

_BUILDER = Path(__file__).parent / "builder"
_making = threading.local()  # packages whose derivation is being made, to catch cycles
_FORMATS = ("pyproject", "wheel")
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
    "format": "pyproject",
    "env": {},
    "config_settings": {},
    "pytest_flags": (),
    "disabled_tests": {},  # test name, -k expression or node id -> why it cannot pass here
    "disabled_test_paths": {},  # test file, folder or glob (or node id) -> why
    "skip_phases": (),
    "remove_scripts": {},  # console script name -> why the recipe drops it
}


def toolchain() -> list[Derivation]:
    """The pinned toolchain wheels, as fixed-output fetches (made once per process and home)."""
    from ..store import default_home

    return _toolchain_in(str(default_home()))


@functools.lru_cache(maxsize=8)
def _toolchain_in(home: str) -> list[Derivation]:
    return [
        fetch_pypi(name, version, sri, kind="wheel") for name, (version, sri) in TOOLCHAIN.items()
    ]


class PythonPackage:
    """A Python package recipe; behaves as the path of its build output."""

    def __init__(
        self,
        attrs: Mapping[str, Any],
        python: Interpreter,
        caller: Callable[..., PythonPackage] | None = None,
    ) -> None:
        unknown = set(attrs) - {"pname", "version", "src", *_DEFAULTS}
        if unknown:
            raise UsageError(f"build_python_package got unknown attributes {sorted(unknown)}")
        for required in ("pname", "version", "src"):
            if required not in attrs:
                raise UsageError(f"build_python_package needs {required}=")
        self.attrs = {**_DEFAULTS, **attrs}
        if self.attrs["format"] not in _FORMATS:
            raise UsageError(f"format must be one of {_FORMATS}, not {self.attrs['format']!r}")
        self.python = python
        self._caller = caller

    # -- identity -------------------------------------------------------------------------

    @property
    def pname(self) -> str:
        return str(self.attrs["pname"])

    @property
    def version(self) -> str:
        return str(self.attrs["version"])

    @property
    def dependencies(self) -> list[PythonPackage]:
        return [force(d) for d in self.attrs["dependencies"]]

    def optional(self, extra: str) -> list[PythonPackage]:
        """The packages of one extra, for a dependent that wants ``pkg[extra]``."""
        extras = self.attrs["optional_dependencies"]
        if extra not in extras:
            raise UsageError(f"{self.pname} has no extra {extra!r}; it has {sorted(extras)}")
        return [force(d) for d in extras[extra]]

    @functools.cached_property
    def runtime_closure(self) -> list[PythonPackage]:
        """Dependencies, transitively, each once, nearest first (not this package)."""
        return closure_of(self.dependencies)

    @functools.cached_property
    def drv(self) -> Derivation:
        """The derivation, made on first use; a package that needs itself is a cycle."""
        stack: list[PythonPackage] = _making.__dict__.setdefault("stack", [])
        if self in stack:
            chain = [p.pname for p in stack[stack.index(self) :]] + [self.pname]
            raise CycleError(chain)
        stack.append(self)
        try:
            return _make_derivation(self)
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

    def override_python_attrs(
        self, fn: Callable[[dict[str, Any]], Mapping[str, Any]] | None = None, **attrs: Any
    ) -> PythonPackage:
        """A new recipe with some attributes changed: ``fn(old_attrs)`` or keyword values."""
        changes = dict(fn(dict(self.attrs))) if fn is not None else {}
        changes.update(attrs)
        return PythonPackage({**self.attrs, **changes}, self.python, self._caller)

    def override(self, **inputs: Any) -> PythonPackage:
        """Re-call the recipe that made this package with some inputs replaced."""
        if self._caller is None:
            raise UsageError(
                f"{self.pname} was not made by a recipe function, so it has no inputs to"
                " override; use override_python_attrs, or make_overridable(recipe, ...)"
            )
        return self._caller(**inputs)


def make_overridable(fn: Callable[..., PythonPackage], **inputs: Any) -> PythonPackage:
    """Call a recipe function and remember how, so ``.override(**other_inputs)`` re-calls it."""
    result = fn(**inputs)
    if not isinstance(result, PythonPackage):
        return result

    def caller(**changes: Any) -> PythonPackage:
        return make_overridable(fn, **{**inputs, **changes})

    result._caller = caller
    return result


def build_python_package(*, python: Interpreter | None = None, **attrs: Any) -> PythonPackage:
    """A Python package recipe (see the module docstring for the attributes)."""
    return PythonPackage(attrs, python or Interpreter.current())


def _make_derivation(pkg: PythonPackage) -> Derivation:
    """Only direct inputs are named, as in Nix: the builder walks their closures itself (from
    each input's ``pybuild-package.json``), so a derivation grows with its inputs, not with
    its closure, and evaluating a large set stays linear."""
    attrs, python = pkg.attrs, pkg.python
    inputs = {
        "dependencies": pkg.dependencies,
        "build_system": _packages(attrs["build_system"]),
        "check_inputs": _packages(attrs["check_inputs"]),
    }
    for dep in [d for group in inputs.values() for d in group]:
        if dep.python.identity != python.identity:
            raise UsageError(f"{pkg.pname} depends on {dep.pname}, built for another interpreter")
    # Inputs' paths first: a dependency cycle is reported before anything is stored.
    input_paths = {group: [str(d) for d in deps] for group, deps in inputs.items()}
    builder_attrs = {
        "pname": pkg.pname,
        "version": pkg.version,
        "src": _src_path(attrs["src"]),
        "format": attrs["format"],
        "site_packages": python.site_packages,
        **input_paths,
        "do_check": bool(attrs["do_check"]),
        "imports_check": list(attrs["imports_check"])
        if attrs["imports_check"] is not None
        else None,
        "config_settings": dict(attrs["config_settings"]),
        "pytest_flags": list(attrs["pytest_flags"]),
        "disabled_tests": _reasons(attrs, "disabled_tests"),
        "disabled_test_paths": _reasons(attrs, "disabled_test_paths"),
        "skip_phases": list(attrs["skip_phases"]),
        "remove_scripts": dict(attrs["remove_scripts"]),
    }
    env = {
        **dict(attrs["env"]),
        "PYBUILD_ATTRS": json.dumps(builder_attrs, sort_keys=True),
        "PYBUILD_PYTHON": python.identity,
        "PYTHONPATH": os.pathsep.join(str(t) for t in toolchain()),
    }
    return derivation(
        name=f"python{python.version_xy}-{pkg.pname}-{pkg.version}",
        builder=python.executable,
        args=["-S", builder_source() + "/__main__.py"],
        env=env,
        meta={"pname": pkg.pname, "version": pkg.version},
    )


def _reasons(attrs: Mapping[str, Any], key: str) -> dict[str, str]:
    """A ``{test: reason}`` attribute, checked: every deselected test says why, so that the
    recipe documents what its check phase does not prove."""
    value = attrs[key]
    if not isinstance(value, Mapping):
        raise UsageError(f'{key} maps each test to the reason it is off: {{"test_x": "why"}}')
    for test, reason in value.items():
        if not (isinstance(test, str) and test and isinstance(reason, str) and reason.strip()):
            raise UsageError(f"{key}: {test!r} needs a reason (a non-empty string)")
    return dict(value)


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


def _packages(values: Iterable[Any]) -> list[PythonPackage]:
    """Python package recipes (lazy references resolved), or a clear error for anything else."""
    found = [force(v) for v in values]
    for pkg in found:
        if not isinstance(pkg, PythonPackage):
            raise UsageError(f"expected a Python package recipe, got {pkg!r}")
    return found


def _src_path(src: object) -> str:
    src = force(src)
    if isinstance(src, Derivation | PythonPackage):
        return str(src)
    if isinstance(src, str | os.PathLike):
        from ..store import Store

        store = Store.default()
        return str(store.path(store.add_path(src, exclude=("__pycache__", ".git"))))
    raise UsageError(f"src must be a fetch, a path or a derivation, not {type(src).__name__}")


@functools.lru_cache(maxsize=8)
def _source_in(home: str, name: str) -> str:
    from ..store import Store

    store = Store(home)
    if name == "env.py":
        return str(store.path(store.add_path(_BUILDER / name, "pybuild-env-builder.py")))
    # env.py is stored on its own, so that changing it rebuilds environments, not packages.
    added = store.add_path(_BUILDER, "pybuild-python-builder", ("__pycache__", "env.py"))
    return str(store.path(added))


def builder_source(name: str = "") -> str:
    """The in-build builder folder (or its ``env.py``), in the store; once a process and home."""
    from ..store import default_home

    return _source_in(str(default_home()), name)
