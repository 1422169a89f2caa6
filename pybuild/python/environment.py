"""Environments: ``pkgs.python.with_packages(lambda ps: [ps.numpy])``.

An environment is a store path laid out like a virtual environment (``pyvenv.cfg``,
``bin/python``, ``bin/activate``, the packages' programs) whose site-packages, like their
data (``share``, ``etc``, ``lib/pkgconfig``), merges those of every package of the closure
with relative links, as Nix's ``buildEnv`` does. Python finds it exactly as it finds a venv
(and imports from it as fast), so ``sys.executable`` subprocesses see the same packages and
no ``PYTHONPATH`` is ever set.
pybuild lays it out in its own process, with the builtin builder ``builtin:python-env``
(Nix's ``buildEnv`` is ``builtin:buildenv``). Before anything is built, the closure is
checked for two versions of one distribution, and for a package built for another
interpreter; the error says who pulled in each. A package with extras (``pkg[extra]``,
:func:`with_extras`) is one distribution with the plain package: an environment that has both
(a package of the extra needs it back, as pytest-xdist of ``pytest[dev]``) has it once, with
its extras, as uv installs it; and two of its extras asked apart (``pkg[a]``, ``pkg[b]``) are
one build with both.

Example::

    >>> from pybuild import package_set, realise
    >>> pkgs = package_set()
    >>> env = pkgs.python.with_packages(lambda ps: [ps.six])
    >>> realise([env.drv])[env.drv].ok
    True
    >>> import subprocess
    >>> subprocess.run([f"{env}/bin/python", "-c", "import six; print(six.__version__)"],
    ...                capture_output=True, text=True).stdout
    '1.17.0\\n'
"""

from __future__ import annotations

import functools
import json
import os
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

from ..builtin import BuiltinFailure
from ..derivations import Derivation, derivation
from ..errors import PybuildError, UsageError
from ..hashing import hash_file
from ..lazy import Lazy, force
from ..pkgset import being_made
from ..userfiles import call_site
from .interpreter import Interpreter
from .package import PythonPackage, described

TYPE_CHECKING = False  # typing: an import no evaluation needs
if TYPE_CHECKING:
    from typing import Any, TextIO

    from ..pkgset import PackageSet

__all__ = [
    "BUILDER",
    "Environment",
    "OtherInterpreter",
    "PythonForSet",
    "VersionConflict",
    "build_environment",
    "spec_text",
    "with_extras",
]

BUILDER = "builtin:python-env"  # run by pybuild itself: see build_environment
_LAYOUT = Path(__file__).parent / "builder" / "env.py"


def with_extras(pkg: Any, extra: Iterable[Any]) -> PythonPackage:
    """`pkg` with the packages `extra` (what some of its extras need) among its dependencies,
    as ``pkg[extra]`` is: the same distribution, needing more. An environment with `pkg` too
    keeps this one alone (:meth:`Environment.closure`): the extra's packages may need `pkg`
    back (pytest-xdist of ``pytest[dev]`` needs pytest), and two builds of one version are
    otherwise refused."""
    pkg = force(pkg)
    have = {force(d).drv.drv_name for d in pkg.attrs["dependencies"]}
    more: dict[str, Any] = {}  # each once: two extras may need one package
    for dep in extra:
        if (name := force(dep).drv.drv_name) not in have:
            more.setdefault(name, dep)
    if not more:  # the same build: no package extends itself
        return pkg
    extended: PythonPackage = pkg.override_python_attrs(
        dependencies=[*pkg.attrs["dependencies"], *more.values()]
    )
    extended.extends = pkg
    return extended


def _made_from(pkg: PythonPackage) -> list[PythonPackage]:
    """The packages `pkg` is made from by :func:`with_extras`, the nearest first: the last
    extends none."""
    chain = []
    base = pkg.extends
    while base is not None:
        chain.append(base)
        base = base.extends
    return chain


def _extended(pkg: PythonPackage) -> list[str]:
    """The derivation names of the packages `pkg` is made from by :func:`with_extras`."""
    return [base.drv.drv_name for base in _made_from(pkg)]


def _merged(builds: list[PythonPackage]) -> PythonPackage | None:
    """One build with the extras of all `builds` (one distribution's, none extending another)
    when they all extend the same package, as uv installs ``pkg[a]`` and ``pkg[b]`` as
    ``pkg[a,b]``; None when they are otherwise different builds."""
    chains = [_made_from(pkg) for pkg in builds]
    if not all(chains) or len({chain[-1].drv.drv_name for chain in chains}) > 1:
        return None
    return with_extras(chains[0][-1], [d for pkg in builds for d in pkg.attrs["dependencies"]])


def _replaced(builds: dict[str, PythonPackage]) -> dict[str, PythonPackage]:
    """Of `builds` (one distribution's, by derivation name), those that another of them extends
    with extras, each with one that does and that none extends in turn."""
    covered = {name for pkg in builds.values() for name in _extended(pkg) if name in builds}
    return {
        name: next(
            pkg for key, pkg in builds.items() if key not in covered and name in _extended(pkg)
        )
        for name in covered
    }


class VersionConflict(PybuildError):
    """One distribution twice in an environment: at different versions, or as two builds of
    one version (one of them overridden: a dependent that still has the set's); `versions`
    names each (a build by its store path too) with who pulled it in."""

    def __init__(
        self,
        name: str,
        versions: dict[str, list[str]],
        builds: bool = False,
        listed: Sequence[str] = (),
        from_index: bool = True,
    ) -> None:
        """`listed`: the projects listed in the environment that pulled the versions in, a
        requirement each (``packaging==25.0`` where the distribution is listed itself).
        `from_index`: whether those and the distribution's builds are all releases of the
        index, which alone it could resolve anew: a ``pypi:`` request for a local project's
        name (or a fork's) asks for another project of that name."""
        self.name, self.versions = name, versions
        lines = [
            f"  {version}, pulled in by {' -> '.join(chain)}" for version, chain in versions.items()
        ]
        how = "as two builds of one version" if builds else "at different versions"
        super().__init__(f"{name} is in the environment twice, {how}:\n" + "\n".join(lines))
        self.hint = "keep one of them: override the dependent, or use an overlay"
        if from_index:
            self.hint += "; " + (
                _together(listed)
                if listed and not builds
                else "packages asked for from the index one by one (pkgs.from_pypi) are"
                " resolved each alone: ask for them together, pkgs.from_pypi_together(...)"
            )


def _together(listed: Sequence[str]) -> str:
    """How to have the index resolve the `listed` requirements (of the packages that pull in
    the two versions) together: an environment cannot tell whether its packages came from a
    command line (``shell -p``, ``install``'s arguments) or from Python, so both ways are
    named, each with those requirements."""
    import shlex

    command = " ".join(shlex.quote(f"pypi:{req}") for req in listed)
    python = ", ".join(repr(req) for req in listed)
    return (
        f"or have the index resolve them together: on the command line {command} (after -p"
        f" each, for shell and run), from Python pkgs.from_pypi_together({python})"
        " (packages asked for one by one, pkgs.from_pypi, are resolved each alone, and the"
        " set's own keep the set's dependencies)"
    )


class OtherInterpreter(PybuildError):
    """A package built for another interpreter than the environment's: its modules are in
    another ``lib/pythonX.Y`` (or compiled for another ABI), so the environment would not
    import them, and its programs would run with the wrong interpreter."""

    def __init__(self, package: PythonPackage, chain: list[str], python: Interpreter) -> None:
        self.package, self.python = package, python
        super().__init__(
            f"{package.pname} {package.version} is built for {described(package.python, python)},"
            f" but the environment is for {described(python, package.python)}: pulled in by"
            f" {' -> '.join(chain)}"
        )
        self.hint = (
            f"take {package.pname} from a package set of the environment's interpreter, or make"
            " the environment with the python of the set it comes from"
        )


def _check_builds(
    name: str,
    builds: list[tuple[PythonPackage, list[str]]],
    ignore_collisions: bool,
    listed: Mapping[str, PythonPackage],
) -> None:
    """Two versions of one distribution are an error; two builds of one version (one of them
    overridden) too, unless the environment ignores collisions, as its layout then does for
    their files: each named with its store path, and who pulled it in. `listed` gives each
    listed package, in order, by the label its chains start with, to name those that pulled
    them in."""
    versions: dict[str, list[str]] = {}
    for pkg, chain in builds:
        versions.setdefault(pkg.version, chain)
    indexed = all(pkg.from_index for pkg, _ in builds)
    if len(versions) > 1:
        via = {chain[1] for chain in versions.values()}  # in the order they are listed:
        roots = [pkg for label, pkg in listed.items() if label in via]
        reqs = list(dict.fromkeys(_asked_for(pkg, name) for pkg in roots))
        indexed = indexed and all(pkg.from_index for pkg in roots)
        raise VersionConflict(name, versions, listed=reqs, from_index=indexed)
    if not ignore_collisions:
        each = {f"{pkg.version} ({pkg.drv.out})": chain for pkg, chain in builds}
        raise VersionConflict(name, each, builds=True, from_index=indexed)


def _asked_for(pkg: PythonPackage, conflicting: str) -> str:
    """The requirement that asks the index for listed package `pkg`, for the hint at
    resolving the packages of two versions of `conflicting` together: with the extras it
    has (``httpx[cli]``: without them its CLI lacks its dependencies), and pinned to its
    version when it is `conflicting` itself and a release the index was asked for (a recipe
    generated from it, as only those allow undeclared imports), as ``pypi:packaging<26``
    gave 25.0. The set's own recipe (``-p rich``) is not pinned: nobody asked for its
    version, and the pin could leave the index only releases of the other without the
    extra."""
    from packaging.utils import canonicalize_name  # an error's: not every environment's

    name = str(canonicalize_name(pkg.pname))
    extras = _extras_of(pkg)
    req = f"{name}[{','.join(extras)}]" if extras else name
    if name == canonicalize_name(conflicting) and pkg.attrs["allow_undeclared_imports"]:
        req += f"=={pkg.version}"
    return req


def _extras_of(pkg: PythonPackage) -> list[str]:
    """The extras `pkg` was made with by :func:`with_extras`: those of the package it extends
    whose packages it added, all of them among its dependencies."""
    chain = _made_from(pkg)
    if not chain:
        return []
    base = chain[-1]
    have = {force(d).drv.drv_name for d in pkg.attrs["dependencies"]}
    added = have - {force(d).drv.drv_name for d in base.attrs["dependencies"]}
    found = []
    for extra, deps in base.attrs["optional_dependencies"].items():
        names = {force(d).drv.drv_name for d in deps}
        if names & added and names <= have:
            found.append(extra)
    return sorted(found)


def _placed(
    order: dict[str, PythonPackage], pkg: PythonPackage, before: str
) -> dict[str, PythonPackage]:
    """`order` with `pkg` just before the package named `before`: a build that merges several
    takes the place of the first of them."""
    placed: dict[str, PythonPackage] = {}
    for key, there in order.items():
        if key == before:
            placed[pkg.drv.drv_name] = pkg
        placed[key] = there
    return placed


class Environment:
    """A set of packages made into one virtual-environment-like store path."""

    # The marker variables (sys_platform, …) that decided which packages it lists, beyond
    # its releases' own requirements: an imported folder's, whose file's markers were
    # evaluated for this machine (pybuild lock narrows its lock's environments by them).
    decided_by: tuple[str, ...] = ()

    def __init__(
        self,
        python: Interpreter,
        packages: Sequence[Any],
        ignore_collisions: bool = False,
        name: str | None = None,
        listed_programs_only: bool = False,
    ) -> None:
        self.python = python
        self.roots = [force(p) for p in packages]
        for pkg in self.roots:
            if isinstance(pkg, PythonForSet):
                raise UsageError(
                    "with_packages wants Python packages, got the set's interpreter (ps.python),"
                    " which every environment has: leave it out"
                )
            if not isinstance(pkg, PythonPackage):
                raise UsageError(f"with_packages wants Python packages, got {pkg!r}")
        self.ignore_collisions = ignore_collisions
        self.name = name or f"python{python.version_xy}-env"
        # Every package's programs, as a venv has them; a profile's, as a tool's installer
        # (nix-env, uv tool, pipx) puts them on PATH: only those of the packages installed.
        self.listed_programs_only = listed_programs_only

    @functools.cached_property
    def closure(self) -> list[PythonPackage]:
        """Every package of the environment, listed ones first; checked for conflicts (two
        versions of one distribution, a package built for another interpreter). A package
        that one with extras extends is not among them: that one is in its place."""
        order, replaced = self._walk
        return [pkg for key, pkg in order.items() if key not in replaced]

    @functools.cached_property
    def _walk(self) -> tuple[dict[str, PythonPackage], dict[str, PythonPackage]]:
        """Every package reached from the listed ones, by derivation name, in the closure's
        order; and those a package with extras replaces (:func:`with_extras`), each with the
        one that does. Conflicts are refused here."""
        order: dict[str, PythonPackage] = {}
        by_name: dict[str, dict[str, tuple[PythonPackage, list[str]]]] = {}
        todo = [(pkg, ["environment"]) for pkg in self.roots]
        while todo:
            pkg, via = todo.pop(0)
            chain = [*via, f"{pkg.pname} {pkg.version}"]
            if pkg.python.identity != self.python.identity:
                raise OtherInterpreter(pkg, chain, self.python)
            key = pkg.drv.drv_name
            by_name.setdefault(_normalise(pkg.pname), {}).setdefault(key, (pkg, chain))
            if key in order:
                continue
            order[key] = pkg
            todo.extend((dep, chain) for dep in pkg.dependencies)
        replaced: dict[str, PythonPackage] = {}
        for name, builds in by_name.items():
            if len(builds) > 1:
                replaced.update(_replaced({key: pkg for key, (pkg, _) in builds.items()}))
                kept = [build for key, build in builds.items() if key not in replaced]
                merged = _merged([pkg for pkg, _ in kept]) if len(kept) > 1 else None
                if merged is not None:
                    order = _placed(order, merged, next(iter(builds)))
                    replaced.update(dict.fromkeys(builds, merged))
                elif len(kept) > 1:
                    listed = {f"{p.pname} {p.version}": p for p in self.roots}
                    _check_builds(name, kept, self.ignore_collisions, listed)
        return order, replaced

    @functools.cached_property
    def listed(self) -> list[PythonPackage]:
        """The packages listed, each once (``shell -p six six``, ``-p six pypi:six``): the
        same packages give the same environment, as nixpkgs' ``withPackages`` does. One that
        a package with extras replaces in the closure is that one."""
        replaced = self._walk[1]
        unique: dict[str, PythonPackage] = {}
        for pkg in self.roots:
            pkg = replaced.get(pkg.drv.drv_name, pkg)
            unique.setdefault(pkg.drv.drv_name, pkg)
        return list(unique.values())

    @property
    def with_programs(self) -> list[PythonPackage]:
        """The packages whose programs the environment's ``bin`` has."""
        return self.listed if self.listed_programs_only else self.closure

    @functools.cached_property
    def spec(self) -> dict[str, Any]:
        """What the builder lays out (:func:`.builder.env.build`)."""
        return {
            "python": self.python.executable,
            "version": self.python.version,
            "site_packages": self.python.site_packages,
            "closure": [str(p) for p in self.closure],
            "programs": [str(p) for p in self.with_programs],
            "listed": [str(p) for p in self.listed],
            "ignore_collisions": self.ignore_collisions,
        }

    def check_collisions(self) -> None:
        """Refuse (:class:`.builder.env.Collision`) two packages' same file as the build would,
        before it: the packages must be built, for their files are read."""
        from .builder import env as layout

        layout.refuse_collisions(self.spec)

    @functools.cached_property
    def drv(self) -> Derivation:
        return derivation(
            name=self.name,
            builder=BUILDER,
            env={
                "PYBUILD_ENV": spec_text(self.spec),
                "PYBUILD_ENV_LAYOUT": _layout_version(),
                "PYBUILD_PYTHON": self.python.identity,
            },
            meta={"packages": [p.pname for p in self.listed]},
        )

    def __fspath__(self) -> str:
        return os.fspath(self.drv)

    def __str__(self) -> str:
        return str(self.drv)

    def __repr__(self) -> str:
        return f"<Environment of {', '.join(p.pname for p in self.roots)}>"


def build_environment(env: Mapping[str, str], log: TextIO) -> None:
    """The builtin builder of environments (:mod:`pybuild.builtin`): lay out ``$out``.

    Only the pybuild whose layout the derivation names builds it, so that an environment is
    the same wherever it is built (a remote builder may run another version).
    """
    from .builder import env as layout

    if env["PYBUILD_ENV_LAYOUT"] != _layout_version():
        raise BuiltinFailure(
            "this pybuild lays out environments differently from the one that wrote the"
            " derivation: build it with that version of pybuild"
        )
    spec = json.loads(env["PYBUILD_ENV"])
    gone = [path for path in spec["closure"] if not os.path.lexists(path)]
    if gone:  # deleted by hand: the layout would leave its package out without a word
        raise BuiltinFailure(f"{gone[0]}, a package of it, is not in the store folder")
    try:
        count = layout.build(spec, env["out"])
    except layout.Collision as exc:
        raise BuiltinFailure(
            f"{exc}\n  (use ignore_collisions=True to let the first package win)"
        ) from None
    log.write(f"pybuild: environment of {count} packages\n")


def spec_text(spec: Mapping[str, Any]) -> str:
    """An environment's spec as its derivation holds it (``PYBUILD_ENV``): JSON with its
    characters as they are, for escaped (``\\u00fc``) a store path in a home whose path is not
    ASCII would not be found in it, and the environment would have no inputs."""
    return json.dumps(spec, sort_keys=True, ensure_ascii=False)


@functools.cache
def _layout_version() -> str:
    """The hash of the layout's code: a change to it makes new environments, as a new builder
    would (the builtin builder itself is not a store path)."""
    return hash_file(_LAYOUT).sri


def _selected(select: Any, pkgs: Any) -> list[Any]:
    """The packages `select` names: a list (any iterable) of them, or a function of the set
    `pkgs` that gives one. Anything else, a single package too, is refused, named."""
    select = force(select)  # a set's attribute is a lazy reference, which is callable
    chosen = force(select(pkgs)) if callable(select) else select
    if isinstance(chosen, Iterable) and not isinstance(chosen, str | bytes | Mapping):
        return list(chosen)
    given = "a function that gave " if chosen is not select else ""
    error = UsageError(
        "with_packages wants a list of packages, or a function of the set that gives one;"
        f" it was given {given}{chosen!r:.80}"
    )
    error.hint = "with_packages([pkgs.six, pkgs.numpy]), or with_packages(lambda ps: [ps.six])"
    raise error


def _inputs_of(package: Any) -> list[PythonPackage]:
    """What `package` needs to run, build and test: its Python inputs (a native tool, such as
    a compiler, has no place in an environment's ``site-packages``)."""
    package = force(package)
    if not isinstance(package, PythonPackage):
        raise UsageError(f"inputs_from wants Python packages, got {package!r}")
    attrs = package.attrs
    inputs = [*attrs["dependencies"], *attrs["build_system"], *attrs["check_inputs"]]
    return [p for p in map(force, inputs) if isinstance(p, PythonPackage)]


def _normalise(name: str) -> str:
    """A project name as PEP 503 defines it (``Foo.Bar_baz`` -> ``foo-bar-baz``).

    The PEP's own formula: ``packaging.utils`` would cost a no-op build 10 ms to import.
    """
    return re.sub(r"[-_.]+", "-", name).lower()


class PythonForSet:
    """A set's interpreter, as recipes and users see it (``pkgs.python``).

    It answers everything an :class:`Interpreter` does, and adds what needs the set:
    ``with_packages`` and ``override(package_overrides=…)``.
    """

    def __init__(
        self, interpreter: Interpreter, pkgs: Any, extending: PackageSet | None = None
    ) -> None:
        self.interpreter = interpreter
        self.pkgs = pkgs
        # The set that `pkgs` (made when used) extends, for one made by override() in an
        # overlay's body, while that set is being made.
        self.extending = extending

    def __getattr__(self, name: str) -> Any:
        return getattr(self.interpreter, name)

    def with_packages(
        self,
        select: Callable[[Any], Iterable[Any]] | Iterable[Any],
        *,
        ignore_collisions: bool = False,
        name: str | None = None,
        listed_programs_only: bool = False,
        inputs_from: Sequence[Any] = (),
    ) -> Environment:
        """An environment of the packages `select` names and everything they need, with the
        programs of them all (of the packages listed alone, `listed_programs_only`, as a
        profile has).

        `select` is the packages themselves, a list (``with_packages([pkgs.six])``, as uv and
        pip take them), or a function of the set that gives them, as nixpkgs' is
        (``with_packages(lambda ps: [ps.six])``), which can pick from the set of an overlay.

        `inputs_from`: packages whose inputs join the environment, but not the packages
        themselves, as nixpkgs' ``mkShell { inputsFrom = [ … ]; }``: the development shell of
        a project works on its folder with what it needs to run, build and test (its
        dependencies, build system and check inputs), and does not wait for its own build,
        nor fail with its tests.
        """
        options: dict[str, Any] = {
            "ignore_collisions": ignore_collisions,
            "name": name,
            "listed_programs_only": listed_programs_only,
            "inputs_from": inputs_from,
        }
        if self.extending is not None and being_made(self.extending):
            # In the overlay's body, of an overridden python: made when used, as its set is
            # (a reference's deferred call, whose error is told at the overlay's line).
            now = Lazy("python.with_packages(…)", lambda: self)
            # A reference stands for its value, as the set's attributes do.
            return now._deferred("_environment", (select,), options)  # type: ignore[return-value]
        return self._environment(select, **options)

    def _environment(
        self,
        select: Callable[[Any], Iterable[Any]] | Iterable[Any],
        *,
        ignore_collisions: bool,
        name: str | None,
        listed_programs_only: bool,
        inputs_from: Sequence[Any],
    ) -> Environment:
        packages = _selected(select, self.pkgs) + [i for p in inputs_from for i in _inputs_of(p)]
        return Environment(
            self.interpreter, packages, ignore_collisions, name, listed_programs_only
        )

    def override(self, *, package_overrides: Any = None) -> PythonForSet:
        """The same interpreter over the set with one more overlay (nixpkgs' packageOverrides).

        Written in an overlay's body (nixpkgs' ``python3.override { packageOverrides = … }``),
        while the set is being made, its set is made when used, and its ``with_packages``
        waits too: the set it makes has every overlay, this one too, which would make it again
        at once, without end."""
        if package_overrides is None:
            return self
        base = self.pkgs if self.extending is None else self.extending  # the set being made
        if not being_made(base):
            python: PythonForSet = self.pkgs.extend(package_overrides).python
            return python

        def extended() -> Any:
            if being_made(base):  # used in an overlay's body: this overlay runs again
                raise _overridden_too_early(call_site(1, through=("lazy.py", "environment.py")))
            return self.pkgs.extend(package_overrides)

        made = Lazy("python.override(package_overrides=…).pkgs", extended)
        return PythonForSet(self.interpreter, made, extending=base)

    def __repr__(self) -> str:
        return f"<python {self.interpreter.version} of {self.pkgs!r}>"


def _overridden_too_early(where: str) -> UsageError:
    """The error for ``python.override(package_overrides=…)`` used in an overlay's body (its
    ``pkgs``, its environment's packages), at `where`: the set it makes runs the overlay
    again, which would use it again, without end (a bare RecursionError)."""
    at = f" at {where}" if where else ""
    error = UsageError(
        f"python.override(package_overrides=…) is used{at}, in an overlay's body, before the"
        " set is complete: the set it makes has every overlay, this one too, which would"
        " make it again, without end"
    )
    error.hint = (
        "make what uses it through final.call_package, whose call waits until the set is"
        " complete: final.call_package(lambda python: python.override(package_overrides=…)"
        ".with_packages(…))"
    )
    return error
