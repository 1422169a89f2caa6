"""Profiles: imperative installs of Python packages, each change a new generation.

A profile is a chain of symbolic links, as in Nix::

    var/profiles/default -> default-3-link -> ../../store/<hash>-python3.11-env
                            default-3.json    (the manifest: what was asked for)

Every ``install``, ``remove`` or ``upgrade`` builds a new environment (as ``with_packages``
makes) from the manifest's packages, writes generation N+1 and then switches the profile
link to it with one atomic rename. A reader sees the old generation or the new one, never a
mix; ``rollback`` and ``switch-generation`` are that same rename. Links are relative, so the
home can be moved. ``var/profiles/<name>/bin`` is a stable path to put on ``PATH``: its
``python`` is the set's interpreter, which finds the generation's packages through the link.

The manifest records, for each package, the attribute asked for, the name and version it
gave, its output, and the recipe folders and overlays it was evaluated with, so ``upgrade``
evaluates it again against the current recipes. The interpreter is recorded too and never
changes: every generation of a profile uses the one its first generation used.

Example::

    >>> profile = Profile(Store.default(), "default")              # doctest: +SKIP
    >>> install(profile, ["requests"])                              # doctest: +SKIP
    >>> profile.rollback()                                          # doctest: +SKIP
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import time
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .atomic import write_atomic
from .errors import PybuildError
from .store import Store
from .store.locks import path_locks
from .store.roots import replace_symlink

__all__ = [
    "Entry",
    "Generation",
    "Manifest",
    "Profile",
    "ProfileError",
    "install",
    "remove",
    "upgrade",
]

_NAME_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.+]*(?:-[A-Za-z_][A-Za-z0-9_.+]*)*")
_FORMAT = 1
Resolve = Callable[[Any, str], Any]
Log = Callable[[str], None]


class ProfileError(PybuildError):
    """A profile operation cannot go on; nothing was changed."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint


# -- manifests -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One package asked for: the attribute, what it evaluated to, and where from."""

    attr: str
    pname: str
    version: str
    out: str  # store basename of the package's output
    recipes: tuple[str, ...] | None = None  # None: the default recipes
    overlays: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """The distribution name, normalised: one entry per distribution in a profile."""
        return _normalise(self.pname)

    def to_json(self) -> dict[str, Any]:
        return {
            "attr": self.attr,
            "pname": self.pname,
            "version": self.version,
            "out": self.out,
            "recipes": [_named(r) for r in self.recipes] if self.recipes is not None else None,
            "overlays": [_named(o) for o in self.overlays],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Entry:
        recipes = data.get("recipes")
        return cls(
            attr=str(data["attr"]),
            pname=str(data["pname"]),
            version=str(data["version"]),
            out=str(data["out"]),
            recipes=tuple(map(_located, recipes)) if recipes is not None else None,
            overlays=tuple(_located(o) for o in data.get("overlays") or ()),
        )


@dataclass(frozen=True)
class Manifest:
    """What a generation holds: its environment, interpreter and the packages asked for."""

    environment: str  # store basename
    python: dict[str, str]  # executable, version, identity
    packages: tuple[Entry, ...]
    action: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "version": _FORMAT,
            "environment": self.environment,
            "python": dict(self.python),
            "packages": [e.to_json() for e in self.packages],
            "action": self.action,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Manifest:
        if data.get("version") != _FORMAT:
            raise ValueError(f"manifest format {data.get('version')!r}, expected {_FORMAT}")
        return cls(
            environment=str(data["environment"]),
            python={k: str(v) for k, v in dict(data["python"]).items()},
            packages=tuple(Entry.from_json(e) for e in data["packages"]),
            action=str(data.get("action", "")),
        )


@dataclass(frozen=True)
class Generation:
    """Generation `number` of a profile: its link, when it was made, and its manifest."""

    number: int
    link: Path
    created: float
    manifest: Manifest = field(compare=False)


# -- profiles --------------------------------------------------------------------------------


class Profile:
    """A named profile in ``var/profiles`` of a store."""

    def __init__(self, store: Store, name: str = "default") -> None:
        if not _NAME_RE.fullmatch(name) or name.endswith(".json"):
            raise ProfileError(
                f"{name!r} is not a profile name",
                "use letters, digits, '_', '.' and '+', with '-' only before a letter",
            )
        self.store = store
        self.name = name
        self.dir = store.var / "profiles"
        self.link = self.dir / name

    @property
    def bin_dir(self) -> Path:
        """The stable ``bin`` folder of the profile, whatever generation is current."""
        return self.link / "bin"

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Serialise changes to this profile (two installs at once would both make N+1)."""
        with path_locks(self.store.lock_dir, [f"profile-{self.name}"]):
            yield

    # -- reading ------------------------------------------------------------------------

    def _link_name(self, number: int) -> str:
        return f"{self.name}-{number}-link"

    def numbers(self) -> list[int]:
        if not self.dir.is_dir():
            return []
        pattern = re.compile(re.escape(self.name) + r"-(\d+)-link")
        found = []
        for entry in os.listdir(self.dir):
            match = pattern.fullmatch(entry)
            if match and os.path.islink(self.dir / entry):
                found.append(int(match.group(1)))
        return sorted(found)

    def generation(self, number: int) -> Generation:
        """Generation `number`, checked: its link must lead to the environment it recorded."""
        link = self.dir / self._link_name(number)
        if not os.path.islink(link):
            have = ", ".join(map(str, self.numbers())) or "none"
            raise ProfileError(
                f"profile {self.name} has no generation {number} (it was deleted, or never"
                f" made); its generations: {have}",
                f"see them with `pybuild list-generations --profile {self.name}`",
            )
        manifest_file = self.dir / f"{self.name}-{number}.json"
        try:
            manifest = Manifest.from_json(json.loads(manifest_file.read_text()))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ProfileError(
                f"generation {number} of profile {self.name} has no readable manifest"
                f" ({manifest_file}: {exc})",
                f"delete it with `pybuild delete-generations {number} --profile {self.name}`",
            ) from None
        self._check_link(number, link, manifest)
        return Generation(number, link, os.lstat(link).st_mtime, manifest)

    def _check_link(self, number: int, link: Path, manifest: Manifest) -> None:
        target = os.readlink(link)
        real = os.path.realpath(link)
        store_real = os.path.realpath(self.store.dir)
        inside = real.startswith(store_real + os.sep)
        name = real[len(store_real) + 1 :] if inside else ""
        if name != manifest.environment or not self.store.is_valid(name):
            raise ProfileError(
                f"generation {number} of profile {self.name} was changed by hand: {link}"
                f" points to {target}, but its environment is"
                f" {self.store.path(manifest.environment)}",
                f"put the link back, or delete the generation (`pybuild delete-generations"
                f" {number} --profile {self.name}`)",
            )

    def generations(self) -> list[Generation]:
        return [self.generation(n) for n in self.numbers()]

    def current_number(self) -> int | None:
        """The generation the profile link points to; None before the first install."""
        if not os.path.lexists(self.link):
            if self.numbers():
                raise self._broken("is missing")
            return None
        if not self.link.is_symlink():
            raise self._broken("is not a symbolic link")
        target = os.readlink(self.link)
        match = re.fullmatch(re.escape(self.name) + r"-(\d+)-link", os.path.basename(target))
        parent = os.path.dirname(target)
        local = parent in ("", ".") or os.path.realpath(parent) == os.path.realpath(self.dir)
        if match is None or not local or int(match.group(1)) not in self.numbers():
            raise self._broken(f"points to {target}, which is not one of its generations")
        return int(match.group(1))

    def _broken(self, what: str) -> ProfileError:
        have = self.numbers()
        fix = (
            f"point it back with `pybuild switch-generation {have[-1]} --profile {self.name}`"
            if have
            else f"remove {self.link}"
        )
        return ProfileError(f"the profile link {self.link} {what} (was it changed by hand?)", fix)

    def current(self) -> Generation | None:
        number = self.current_number()
        return None if number is None else self.generation(number)

    # -- changing -----------------------------------------------------------------------

    def add(self, manifest: Manifest) -> Generation:
        """Write generation N+1 for `manifest` and make it current (one atomic rename)."""
        numbers = self.numbers()
        number = (numbers[-1] if numbers else 0) + 1
        manifest_file = self.dir / f"{self.name}-{number}.json"
        write_atomic(manifest_file, json.dumps(manifest.to_json(), indent=2, sort_keys=True) + "\n")
        target = os.path.relpath(self.store.path(manifest.environment), self.dir)
        replace_symlink(self.dir / self._link_name(number), target)
        replace_symlink(self.link, self._link_name(number))
        return self.generation(number)

    def switch(self, number: int) -> Generation:
        """Make generation `number` current; the profile link may have been broken by hand."""
        generation = self.generation(number)
        replace_symlink(self.link, self._link_name(number))
        return generation

    def rollback(self) -> Generation:
        """Switch to the newest generation older than the current one."""
        current = self.current_number()
        if current is None:
            raise ProfileError(f"profile {self.name} has no generation yet; nothing to roll back")
        older = [n for n in self.numbers() if n < current]
        if not older:
            raise ProfileError(
                f"generation {current} is the oldest of profile {self.name}: no generation to"
                " roll back to",
                "`pybuild list-generations` shows them",
            )
        return self.switch(older[-1])

    def delete_generations(self, spec: Sequence[str], now: float | None = None) -> list[int]:
        """Delete generations: ``old`` (all but the current), ``N…``, ``+N`` (keep the last N),
        ``Nd`` (older than N days, keeping the one that was current then). Never the current.
        """
        current = self.current_number()
        numbers = self.numbers()
        victims = _select_victims(self, spec, numbers, current, now)
        for number in victims:
            os.unlink(self.dir / self._link_name(number))
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.dir / f"{self.name}-{number}.json")
        return victims


def _select_victims(
    profile: Profile,
    spec: Sequence[str],
    numbers: list[int],
    current: int | None,
    now: float | None,
) -> list[int]:
    if len(spec) == 1 and spec[0] == "old":
        return [n for n in numbers if n != current]
    if len(spec) == 1 and (m := re.fullmatch(r"\+(\d+)", spec[0])):
        keep = set(numbers[-int(m.group(1)) :]) if int(m.group(1)) else set()
        return [n for n in numbers if n not in keep and n != current]
    if len(spec) == 1 and (m := re.fullmatch(r"(\d+)d", spec[0])):
        cutoff = (time.time() if now is None else now) - int(m.group(1)) * 86400
        victims, older_seen = [], False
        for number in reversed(numbers):
            if older_seen and number != current:
                victims.append(number)
            elif os.lstat(profile.dir / profile._link_name(number)).st_mtime < cutoff:
                older_seen = True  # the generation that was current at the cutoff stays
        return sorted(victims)
    if not spec or not all(s.isdigit() for s in spec):
        raise ProfileError(
            f"cannot read {' '.join(spec)!r} as generations to delete",
            "give `old`, generation numbers, `+N` (keep the last N) or `Nd` (older than N days)",
        )
    asked = sorted({int(s) for s in spec})
    missing = [n for n in asked if n not in numbers]
    if missing:
        have = ", ".join(map(str, numbers)) or "none"
        raise ProfileError(
            f"profile {profile.name} has no generation {', '.join(map(str, missing))};"
            f" its generations: {have}"
        )
    if current in asked:
        raise ProfileError(
            f"generation {current} is the current one of profile {profile.name}",
            "switch to another generation first (`pybuild rollback`)",
        )
    return asked


# -- installing, removing, upgrading ---------------------------------------------------------


def install(
    profile: Profile,
    attrs: Sequence[str],
    *,
    recipes: Sequence[str] | None = None,
    overlays: Sequence[str] = (),
    resolve: Resolve | None = None,
    options: Any = None,
    log: Log | None = None,
) -> Generation | None:
    """Add the packages `attrs` of the set (replacing one of the same name); the new generation.

    None when nothing changed. Packages already there keep their versions: they are evaluated
    again from their own recipes and must give the same outputs (else ``upgrade`` them).
    """
    say = log or (lambda _: None)
    with profile.lock():
        work = _Work(profile, resolve)
        chosen = work.kept()
        source = _source(recipes, overlays)
        for attr in attrs:
            pkg = work.evaluate(attr, *source)
            entry = _entry(attr, pkg, *source)
            old = chosen.get(entry.key)
            if old is not None and old[0].out != entry.out:
                say(f"replacing {old[0].pname} {old[0].version} by {entry.pname} {entry.version}")
            elif old is None:
                say(f"installing {entry.pname} {entry.version}")
            chosen[entry.key] = (entry, pkg)
        return work.commit(chosen, f"install {' '.join(attrs)}", options, say)


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
        return work.commit(chosen, f"remove {' '.join(names)}", options, say)


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
        given_recipes, given_overlays = _source(recipes, overlays or ())
        for key in keys:
            old = installed[key]
            source = (
                old.recipes if recipes is None else given_recipes,
                old.overlays if overlays is None else given_overlays,
            )
            pkg = work.evaluate(old.attr, *source)
            entry = _entry(old.attr, pkg, *source)
            if entry.out != old.out:
                say(f"upgrading {old.pname} {old.version} -> {entry.pname} {entry.version}")
            chosen[entry.key] = (entry, pkg)
        return work.commit(chosen, f"upgrade {' '.join(names)}".rstrip(), options, say)


def _source(
    recipes: Sequence[str] | None, overlays: Sequence[str]
) -> tuple[tuple[str, ...] | None, tuple[str, ...]]:
    """Recipe folders and overlay files as absolute paths, as the manifest records them."""
    dirs = tuple(str(Path(r).absolute()) for r in recipes) if recipes is not None else None
    return dirs, tuple(str(Path(o).absolute()) for o in overlays)


_SHIPPED = "pybuild:"  # a manifest names pybuild's own folders so, not by where they lie
# Where they lay before they moved to the top of the repository: old manifests name them so.
_OLD_SHIPPED = (f"{os.sep}pybuild{os.sep}recipes", f"{os.sep}pybuild{os.sep}overlays{os.sep}")


def _named(path: str) -> str:
    """A recipe folder or overlay file as a manifest records it: pybuild's own by name (so a
    profile survives an upgrade or a move of pybuild), any other by its absolute path."""
    from .bundled import default_recipes, example_overlays

    for name, folder in (("recipes", default_recipes()), ("overlays", example_overlays())):
        if Path(path) == folder or Path(path).is_relative_to(folder):
            return _SHIPPED + "/".join([name, *Path(path).relative_to(folder).parts])
    return path


def _located(text: str) -> str:
    """The path a manifest's name stands for (see :func:`_named`)."""
    from .bundled import default_recipes, example_overlays

    folders = {"recipes": default_recipes(), "overlays": example_overlays()}
    if text.startswith(_SHIPPED):
        name, *rest = text.removeprefix(_SHIPPED).split("/")
        return str(folders[name].joinpath(*rest))
    if not os.path.exists(text):
        old_recipes, old_overlays = _OLD_SHIPPED
        if text.endswith(old_recipes):
            return str(folders["recipes"])
        if old_overlays in text:
            return str(folders["overlays"] / text.rsplit(old_overlays, 1)[1])
    return text


def _pinned(entry: Entry) -> str:
    """The attribute that gives `entry` again: ``pypi:NAME`` means its newest release, so a
    package kept by install or remove is asked for at the version it has (``pypi:NAME==V``).
    """
    if entry.attr.startswith("pypi:") and "==" not in entry.attr:
        return f"{entry.attr}=={entry.version}"
    return entry.attr


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _entry(
    attr: str, pkg: Any, recipes: tuple[str, ...] | None, overlays: tuple[str, ...]
) -> Entry:
    return Entry(attr, pkg.pname, pkg.version, pkg.drv.out, recipes, overlays)


def _find(profile: Profile, installed: dict[str, Entry], name: str) -> Entry:
    for entry in installed.values():
        if name == entry.attr or _normalise(name) == entry.key:
            return entry
    have = ", ".join(sorted(e.attr for e in installed.values())) or "nothing"
    raise ProfileError(f"{name} is not installed in profile {profile.name} (it has: {have})")


class _Work:
    """One change of a profile: its current generation, interpreter and package sets."""

    def __init__(self, profile: Profile, resolve: Resolve | None) -> None:
        from .evaluate import select

        self.profile = profile
        self.current = profile.current()
        self.python = _interpreter(profile, self.current)
        self.resolve = resolve or (lambda pkgs, attr: select(pkgs, attr, "the package set"))
        self._sets: dict[tuple[Any, ...], Any] = {}

    def entries(self) -> dict[str, Entry]:
        packages = self.current.manifest.packages if self.current else ()
        return {e.key: e for e in packages}

    def package_set(self, recipes: tuple[str, ...] | None, overlays: tuple[str, ...]) -> Any:
        key = (recipes, overlays)
        if key not in self._sets:
            from .pkgset import load_overlay, package_set

            loaded = [load_overlay(f) for f in overlays]
            self._sets[key] = package_set(self.python, recipes, loaded)
        return self._sets[key]

    def evaluate(
        self, attr: str, recipes: tuple[str, ...] | None, overlays: tuple[str, ...]
    ) -> Any:
        from .lazy import force
        from .python.package import PythonPackage

        value = force(self.resolve(self.package_set(recipes, overlays), attr))
        if not isinstance(value, PythonPackage):
            raise ProfileError(
                f"{attr} is a {type(value).__name__}, not a Python package; a profile holds"
                " Python packages"
            )
        return value

    def kept(self, skip: Collection[str] = ()) -> dict[str, tuple[Entry, Any]]:
        """The current packages not in `skip`, evaluated again: each must be unchanged."""
        kept = {}
        for key, entry in self.entries().items():
            if key in skip:
                continue
            pkg = self.evaluate(_pinned(entry), entry.recipes, entry.overlays)
            if pkg.drv.out != entry.out:
                raise ProfileError(
                    f"{entry.attr} ({entry.pname} {entry.version}) of profile"
                    f" {self.profile.name} changed in its recipes since it was installed"
                    f" (now {pkg.pname} {pkg.version}, {pkg.drv.out})",
                    f"take the new one with `pybuild upgrade {entry.attr}` (or `pybuild"
                    " upgrade` for all), then try again",
                )
            kept[key] = (entry, pkg)
        return kept

    def commit(
        self, chosen: dict[str, tuple[Entry, Any]], action: str, options: Any, say: Log
    ) -> Generation | None:
        """Build the environment of `chosen` and make it the next generation."""
        from .python.environment import Environment
        from .realiser import realise
        from .store.temproots import temp_roots

        ordered = [chosen[k] for k in sorted(chosen)]
        env = Environment(self.python, [pkg for _, pkg in ordered])
        drv = env.drv  # a version conflict is reported here, before anything is built
        entries = tuple(e for e, _ in ordered)
        if self.current is not None and (
            self.current.manifest.environment == drv.out
            and self.current.manifest.packages == entries
        ):
            say(f"profile {self.profile.name}: nothing changed")
            return None
        store = self.profile.store
        # Protected from a concurrent gc from the build until the generation link holds it.
        with temp_roots(store, [drv.out, drv.drv_name]):
            realise([drv], store, options)
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
    from .errors import UsageError
    from .python.interpreter import Interpreter

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
