"""Changing a profile: ``install``, ``remove`` and ``upgrade``, each making one new generation.

A change evaluates the packages it keeps and the ones it adds, builds one environment of them
(as ``with_packages`` makes) and commits it as the next generation, all under the profile's
lock, so two changes at once cannot both make generation N+1. A package kept by a change is
evaluated again from its own recipes and must give the same output: a recipe that changed
since is taken only by ``upgrade``, never behind the user's back by an unrelated install.
Nothing is written before the environment is built, so a failed change leaves the profile as
it was.
"""

from __future__ import annotations

import functools
from pathlib import Path

from .generations import Generation, Profile, ProfileError
from .manifest import Entry, Manifest, normalise_name

TYPE_CHECKING = False  # a rollback loads this package: typing's aliases cost it 2 ms
if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Sequence
    from typing import Any

    Resolve = Callable[[Any, str], Any]
    Log = Callable[[str], None]
    Record = Callable[[Callable[[], Any]], Any]
    # Where a package comes from: recipe folders (None: the default set) and overlays, or the
    # Python file it is an attribute of.
    Source = tuple[tuple[str, ...] | None, tuple[str, ...], str | None]

__all__ = ["install", "remove", "upgrade"]


def install(
    profile: Profile,
    attrs: Sequence[str],
    *,
    recipes: Sequence[str] | None = None,
    overlays: Sequence[str] = (),
    file: str | None = None,
    resolve: Resolve | None = None,
    options: Any = None,
    log: Log | None = None,
    record: Record | None = None,
) -> Generation | None:
    """Add the packages `attrs` of the set, or of the Python file `file` (replacing one of the
    same name); the new generation.

    None when nothing changed. Packages already there keep their versions: they are evaluated
    again from their own recipes and must give the same outputs (else ``upgrade`` them).
    `record`, when given, runs the evaluation (it returns the environment's derivation), as
    the evaluation cache does to note what it reads (:func:`pybuild.commands.common.
    evaluate_recorded`); building and committing are outside it.
    """
    say = log or (lambda _: None)
    with profile.lock():
        work = _Work(profile, resolve)
        chosen: dict[str, tuple[Entry, Any]] = {}
        source = _source(recipes, overlays, file)

        def evaluate() -> Any:
            chosen.update(work.kept())
            for attr in attrs:
                _add(chosen, attr, work.evaluate(attr, *source), source, say)
            return work.environment(chosen)

        drv = record(evaluate) if record else evaluate()
        return work.commit(chosen, drv, f"install {' '.join(attrs)}", options, say)


def remove(
    profile: Profile,
    names: Sequence[str],
    *,
    resolve: Resolve | None = None,
    options: Any = None,
    log: Log | None = None,
) -> Generation | None:
    """Remove packages (by attribute or distribution name); the new generation."""
    say = log or (lambda _: None)
    with profile.lock():
        work = _Work(profile, resolve)
        installed = work.entries()
        keys = [_find(profile, installed, name).key for name in names]
        chosen = work.kept(skip=set(keys))
        for key in dict.fromkeys(keys):
            say(f"removing {installed[key].pname} {installed[key].version}")
        return work.commit(
            chosen, work.environment(chosen), f"remove {' '.join(names)}", options, say
        )


def upgrade(
    profile: Profile,
    names: Sequence[str] = (),
    *,
    recipes: Sequence[str] | None = None,
    overlays: Sequence[str] | None = None,
    resolve: Resolve | None = None,
    options: Any = None,
    log: Log | None = None,
) -> Generation | None:
    """Evaluate packages (`names`, or all) again with the current recipes; the new generation.

    `recipes`/`overlays` replace the ones each package was installed with, when given.
    """
    say = log or (lambda _: None)
    with profile.lock():
        work = _Work(profile, resolve)
        installed = work.entries()
        if not installed:
            raise ProfileError(f"profile {profile.name} has no packages to upgrade")
        keys = [_find(profile, installed, n).key for n in names] or list(installed)
        chosen = work.kept(skip=set(keys))
        given_recipes, given_overlays, _ = _source(recipes, overlays or (), None)
        for key in keys:
            old = installed[key]
            source: Source = (
                old.recipes if recipes is None else given_recipes,
                old.overlays if overlays is None else given_overlays,
                old.file,  # its own file, as it is now
            )
            _refuse_a_lost_file(profile, old)
            pkg = work.evaluate(old.attr, *source)
            entry = _entry(old.attr, pkg, source)
            if entry.out != old.out:
                say(f"upgrading {old.pname} {old.version} -> {entry.pname} {entry.version}")
            chosen[entry.key] = (entry, pkg)
        action = f"upgrade {' '.join(names)}".rstrip()
        return work.commit(chosen, work.environment(chosen), action, options, say)


def _source(recipes: Sequence[str] | None, overlays: Sequence[str], file: str | None) -> Source:
    """Recipe folders, overlay files and the file as absolute paths, as the manifest records
    them; a file's packages come from no folder of recipes."""
    if file is not None:
        return None, (), str(Path(file).absolute())
    dirs = tuple(str(Path(r).absolute()) for r in recipes) if recipes is not None else None
    return dirs, tuple(str(Path(o).absolute()) for o in overlays), None


def _add(
    chosen: dict[str, tuple[Entry, Any]],
    attr: str,
    pkg: Any,
    source: Source,
    say: Log,
) -> None:
    """Put `pkg` (the package `attr` gives) in `chosen`, saying what it adds or replaces."""
    entry = _entry(attr, pkg, source)
    old = chosen.get(entry.key)
    if old is None:
        say(f"installing {entry.pname} {entry.version}")
    elif old[0].out != entry.out:
        say(f"replacing {old[0].pname} {old[0].version} by {entry.pname} {entry.version}")
    chosen[entry.key] = (entry, pkg)


def _pinned(entry: Entry) -> str:
    """The attribute that gives `entry` again: ``pypi:NAME`` means its newest release (and
    ``pypi:NAME<5`` the newest within), so a package kept by install or remove is asked for
    at the version it has (``pypi:NAME==V``).
    """
    if not entry.attr.startswith("pypi:"):
        return entry.attr
    from ..generate import parse_pypi_spec

    name, version, extras = parse_pypi_spec(entry.attr.removeprefix("pypi:"))
    if version == entry.version:
        return entry.attr
    return f"pypi:{name}{'[' + ','.join(extras) + ']' if extras else ''}=={entry.version}"


def _entry(attr: str, pkg: Any, source: Source) -> Entry:
    """The manifest's entry of `pkg`, asked for as `attr` from `source`."""
    recipes, overlays, file = source
    return Entry(attr, pkg.pname, pkg.version, pkg.drv.out, recipes, overlays, file)


def _refuse_a_lost_file(profile: Profile, entry: Entry) -> None:
    """A package installed from a file that is gone can be neither kept nor upgraded."""
    if entry.file is not None and not Path(entry.file).is_file():
        raise ProfileError(
            f"{entry.attr} ({entry.pname} {entry.version}) of profile {profile.name} was"
            f" installed from {entry.file}, which is gone",
            f"put the file back, or remove the package: `pybuild remove {entry.attr}`",
        )


def _where(entry: Entry) -> str:
    return f"its file {entry.file}" if entry.file is not None else "its recipes"


def _find(profile: Profile, installed: dict[str, Entry], name: str) -> Entry:
    for entry in installed.values():
        if name == entry.attr or normalise_name(name) == entry.key:
            return entry
    have = ", ".join(sorted(e.attr for e in installed.values())) or "nothing"
    raise ProfileError(f"{name} is not installed in profile {profile.name} (it has: {have})")


class _Work:
    """One change of a profile: its current generation, interpreter and package sets."""

    def __init__(self, profile: Profile, resolve: Resolve | None) -> None:
        from ..evaluate import select

        self.profile = profile
        self.current = profile.current()
        self.resolve = resolve or (lambda pkgs, attr: select(pkgs, attr, "the package set"))
        self._sets: dict[tuple[Any, ...], Any] = {}
        self._files: dict[str, Any] = {}  # the module of each file, run once

    @functools.cached_property
    def python(self) -> Any:
        """The profile's interpreter, found when first needed: inside the evaluation, so the
        evaluation cache records the interpreter file it depends on."""
        return _interpreter(self.profile, self.current)

    def entries(self) -> dict[str, Entry]:
        packages = self.current.manifest.packages if self.current else ()
        return {e.key: e for e in packages}

    def package_set(self, recipes: tuple[str, ...] | None, overlays: tuple[str, ...]) -> Any:
        key = (recipes, overlays)
        if key not in self._sets:
            from ..pkgset import load_overlay, package_set

            loaded = [load_overlay(f) for f in overlays]
            self._sets[key] = package_set(self.python, recipes, loaded)
        return self._sets[key]

    def evaluate(
        self,
        attr: str,
        recipes: tuple[str, ...] | None,
        overlays: tuple[str, ...],
        file: str | None = None,
    ) -> Any:
        from ..lazy import force
        from ..python.package import PythonPackage

        if file is not None:
            value = force(self._file_attr(file, attr))
        else:
            value = force(self.resolve(self.package_set(recipes, overlays), attr))
        if not isinstance(value, PythonPackage):
            raise ProfileError(
                f"{attr} is a {type(value).__name__}, not a Python package; a profile holds"
                " Python packages"
            )
        return value

    def _file_attr(self, file: str, attr: str) -> Any:
        from ..evaluate import load_module, select

        if file not in self._files:
            self._files[file] = load_module(file)
        return select(self._files[file], attr, file)

    def kept(self, skip: Collection[str] = ()) -> dict[str, tuple[Entry, Any]]:
        """The current packages not in `skip`, evaluated again: each must be unchanged."""
        kept = {}
        for key, entry in self.entries().items():
            if key in skip:
                continue
            _refuse_a_lost_file(self.profile, entry)
            pkg = self.evaluate(_pinned(entry), entry.recipes, entry.overlays, entry.file)
            if pkg.drv.out != entry.out:
                raise ProfileError(
                    f"{entry.attr} ({entry.pname} {entry.version}) of profile"
                    f" {self.profile.name} changed in {_where(entry)} since it was installed"
                    f" (now {pkg.pname} {pkg.version}, {pkg.drv.out})",
                    f"take the new one with `pybuild upgrade {entry.attr}` (or `pybuild"
                    " upgrade` for all), then try again",
                )
            kept[key] = (entry, pkg)
        return kept

    def environment(self, chosen: dict[str, tuple[Entry, Any]]) -> Any:
        """The derivation of the environment of `chosen`; a version conflict is reported here,
        before anything is built."""
        from ..python.environment import Environment

        packages = [chosen[k][1] for k in sorted(chosen)]
        return Environment(self.python, packages, listed_programs_only=True).drv

    def commit(
        self, chosen: dict[str, tuple[Entry, Any]], drv: Any, action: str, options: Any, say: Log
    ) -> Generation | None:
        """Build `drv`, the environment of `chosen`, and make it the next generation."""
        from ..realiser import realise

        entries = tuple(chosen[k][0] for k in sorted(chosen))
        if self.current is not None and (
            self.current.manifest.environment == drv.out
            and self.current.manifest.packages == entries
        ):
            say(f"profile {self.profile.name}: nothing changed")
            return None
        store = self.profile.store
        realise([drv], store, options)  # its output stays rooted until the generation link
        python = {
            "executable": self.python.executable,
            "version": self.python.version,
            "identity": self.python.identity,
        }
        generation = self.profile.add(Manifest(drv.out, python, entries, action))
        say(f"profile {self.profile.name}: generation {generation.number} ({action})")
        return generation


def _interpreter(profile: Profile, current: Generation | None) -> Any:
    """The profile's interpreter: the one its generations recorded, else the running one."""
    from ..errors import UsageError
    from ..python.interpreter import Interpreter

    if current is None:
        return Interpreter.current()
    recorded = current.manifest.python
    try:
        python = Interpreter.at(recorded["executable"])
    except UsageError:
        python = None
    if python is None or python.identity != recorded["identity"]:
        raise ProfileError(
            f"profile {profile.name} uses Python {recorded['version']} at"
            f" {recorded['executable']}, which is gone or has changed; a profile never"
            " changes its interpreter",
            "make a new profile (--profile NAME) for the new interpreter",
        )
    return python
