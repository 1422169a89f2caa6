"""Changing a profile: ``install``, ``remove`` and ``upgrade``, each making one new generation.

A change evaluates the packages it keeps and the ones it adds and builds one environment of
them (as ``with_packages`` makes) without the profile's lock, so that a quick change or a
rollback need not wait out another command's long build; it takes the lock only to commit the
environment as the next generation, as ``nix-env`` does. If another command made another
generation current meanwhile, the change starts over from that one (its builds are then mostly
done), so two changes at once neither both make generation N+1 nor lose one another. A
package kept by ``install`` or ``upgrade`` is evaluated again from its own recipes and must
give the same output (the new packages must fit it in one consistent environment): a recipe
that changed since is taken only by ``upgrade``, never behind the user's back by an unrelated
install; one whose recorded file, recipe folder or overlay is gone is refused, naming it.
``remove`` adds nothing for the others to fit, so it keeps them as they are in the store, as
``nix-env -e`` and ``uv tool uninstall`` do: evaluated and rebuilt by no one, needing none of
their sources, even when their recipes, their build tools or pybuild's builder have changed
since. A package that is replaced, upgraded with new sources or removed is not kept, and needs
none of its old ones. Nothing is written before the environment is built, so a failed change
leaves the profile as it was.
"""

from __future__ import annotations

import contextlib
import functools
import sys
from pathlib import Path

from .generations import Generation, Profile, ProfileError
from .manifest import Entry, Manifest, normalise_name

TYPE_CHECKING = False  # a rollback loads this package: typing's aliases cost it 2 ms
if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Iterator, Sequence
    from typing import Any, ParamSpec

    from ..generate import ResolutionFailed

    # What attributes of a set name, in their order: those of one command line together.
    Resolve = Callable[[Any, Sequence[str]], list[Any]]
    Log = Callable[[str], None]
    Record = Callable[[Callable[[], Any]], Any]
    DryRun = Callable[[Any], object]
    Args = ParamSpec("Args")  # a change's arguments, which a start over passes again
    # Where a package comes from: recipe folders (None: the default set) and overlays, or the
    # Python file it is an attribute of.
    Source = tuple[tuple[str, ...] | None, tuple[str, ...], str | None]

__all__ = ["install", "remove", "upgrade"]


class _Moved(Exception):
    """Another command made another generation of the profile current while a change was
    evaluated and built: the change starts over from that one."""


def _starting_over(
    change: Callable[Args, Generation | None],
) -> Callable[Args, Generation | None]:
    """`change` (install, remove or upgrade), run again from the new current generation each
    time another command made one meanwhile (:class:`_Moved`), so no change is lost."""

    @functools.wraps(change)
    def again(*args: Args.args, **kwargs: Args.kwargs) -> Generation | None:
        while True:
            try:
                return change(*args, **kwargs)
            except _Moved:
                continue

    return again


@_starting_over
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
    python: str | None = None,
    dry_run: DryRun | None = None,
) -> Generation | None:
    """Add the packages `attrs` of the set, or of the Python file `file` (replacing one of the
    same name); the new generation.

    None when nothing changed. Packages already there keep their versions: they are evaluated
    again from their own recipes and must give the same outputs (else ``upgrade`` them).
    The ``pypi:`` attributes are resolved together (by `resolve`, given them all at once), as
    ``uv pip install a b`` resolves its arguments, and with the profile's packages from the
    index that the install keeps, each at the version it has: the new ones fit them, as
    ``uv pip install`` keeps what is installed.
    `python` (an interpreter's path) is the one a new profile is made for; a profile that has
    a generation keeps its own, and naming another is an error.
    `record`, when given, runs the evaluation (it returns the environment's derivation), as
    the evaluation cache does to note what it reads (:func:`pybuild.commands.common.
    evaluate_recorded`); building and committing are outside it.
    `dry_run`, when given, makes this a dry run (here and in :func:`remove` and
    :func:`upgrade`): nothing is built or written, the lines say what would change, and
    `dry_run` is told the new environment's derivation, to say what realising it would do.
    """
    from ..python.environment import OtherInterpreter

    say = _teller(log, dry_run)
    work = _Work(profile, resolve, python, dry_run, collected_ok=True)
    chosen: dict[str, tuple[Entry, Any]] = {}
    made: list[Any] = []  # the environment evaluate() makes, for the commit to check
    source = _source(recipes, overlays, file)

    def evaluate() -> Any:
        # The new packages first: one that replaces an installed one needs nothing of
        # the old one's recipes, which are then neither evaluated nor required to exist.
        with _Notes() as notes:
            with notes.of_new():
                new = work.evaluate_new(attrs, source, say)
            replaced = {_entry(attr, pkg, source).key for attr, pkg in new}
            with notes.of_kept():
                chosen.update(work.kept(skip=replaced))
        installed = work.entries()
        added: dict[str, str] = {}  # each distribution's attribute in this command
        for attr, pkg in new:
            _add(chosen, installed, attr, pkg, source, say, added)
        made.append(work.environment(chosen))
        try:
            return made[-1].drv
        except OtherInterpreter as exc:  # its hint's "make the environment with …" is no way
            theirs = exc.package.python
            other = (  # a file makes its own set: --python would not apply to it
                f"make one with a package of the set, `pybuild install --profile NAME --python"
                f" {theirs.version} six`, then install this one there"
                if file is not None
                else f"--profile NAME --python {theirs.version}"
            )
            exc.hint = (
                f"profile {profile.name} is for Python {work.python.version}, which a profile"
                f" never changes: install {exc.package.pname} from a set of that interpreter,"
                f" or into a profile for {theirs.version} ({other})"
            )
            raise

    drv = record(evaluate) if record else evaluate()
    action = f"install {' '.join(attrs)}"
    return work.commit(_entries(chosen), drv, action, options, say, made[-1])


@_starting_over
def remove(
    profile: Profile,
    names: Sequence[str],
    *,
    options: Any = None,
    log: Log | None = None,
    dry_run: DryRun | None = None,
) -> Generation | None:
    """Remove packages (by attribute or distribution name); the new generation. The others
    are kept as the current generation has them, built (:meth:`_Work.stored_environment`)."""
    say = _teller(log, dry_run)
    work = _Work(profile, None, None, dry_run)
    installed = work.entries()
    keys = [_find(profile, installed, name).key for name in names]
    for key in dict.fromkeys(keys):
        say(f"removing {installed[key].pname} {installed[key].version}")
    kept = tuple(entry for key, entry in sorted(installed.items()) if key not in keys)
    drv = work.stored_environment(kept)
    return work.commit(kept, drv, f"remove {' '.join(names)}", options, say)


@_starting_over
def upgrade(
    profile: Profile,
    names: Sequence[str] = (),
    *,
    recipes: Sequence[str] | None = None,
    overlays: Sequence[str] | None = None,
    resolve: Resolve | None = None,
    options: Any = None,
    log: Log | None = None,
    python: str | None = None,
    dry_run: DryRun | None = None,
) -> Generation | None:
    """Evaluate packages (`names`, or all) again with the current recipes; the new generation.

    Their ``pypi:`` requests are resolved again, never answered by a saved plan: an upgrade
    takes the newest releases the index has now, as uv's and ``nix profile upgrade`` do.

    `recipes`/`overlays` replace the ones each package was installed with, when given;
    `python`, if given, must be the profile's interpreter (a profile never changes it).
    """
    say = _teller(log, dry_run)
    work = _Work(profile, resolve, python, dry_run, collected_ok=True)
    installed = work.entries()
    if not installed:
        raise ProfileError(f"profile {profile.name} has no packages to upgrade")
    keys = [_find(profile, installed, n).key for n in names] or list(installed)
    with _Notes() as notes:
        with notes.of_kept():
            chosen = work.kept(skip=set(keys))
        given_recipes, given_overlays, _ = _source(recipes, overlays or (), None)
        for key in keys:
            old = installed[key]
            source: Source = (
                old.recipes if recipes is None else given_recipes,
                old.overlays if overlays is None else given_overlays,
                old.file,  # its own file, as it is now
            )
            # Only what it keeps of its old sources must still be there.
            kept = (
                old.recipes if recipes is None else (),
                source[1] if overlays is None else (),
            )
            _refuse_lost_sources(profile, old, (*kept, old.file))
            with _resolving_again(True), notes.of_upgrade() as changed:
                with _still_defined(profile, old):
                    pkg = work.evaluate(old.attr, *source)
                entry = _entry(old.attr, pkg, source)
                changed(entry.out != old.out)
            if entry.out != old.out:
                say(_upgrading(old, entry))
            chosen[entry.key] = (entry, pkg)
    action = f"upgrade {' '.join(names)}".rstrip()
    env = work.environment(chosen)
    return work.commit(_entries(chosen), env.drv, action, options, say, env)


_WOULD = {
    "installing": "install",
    "replacing": "replace",
    "removing": "remove",
    "upgrading": "upgrade",
    "downgrading": "downgrade",
    "changing": "change",
    "rebuilding": "rebuild",
}


def _teller(log: Log | None, dry_run: DryRun | None) -> Log:
    """Where a change's lines go; in a dry run each says what would be done ("would install
    six 1.17.0"), where "installing six 1.17.0" would read as done."""
    say = log or (lambda _: None)
    if dry_run is None:
        return say

    def would(text: str) -> None:
        verb, _, rest = text.partition(" ")
        say(f"would {_WOULD[verb]} {rest}" if verb in _WOULD else text)

    return would


def _source(recipes: Sequence[str] | None, overlays: Sequence[str], file: str | None) -> Source:
    """Recipe folders, overlay files and the file as absolute paths, as the manifest records
    them; a file's packages come from no folder of recipes."""
    if file is not None:
        return None, (), str(Path(file).absolute())
    dirs = tuple(str(Path(r).absolute()) for r in recipes) if recipes is not None else None
    return dirs, tuple(str(Path(o).absolute()) for o in overlays), None


def _add(
    chosen: dict[str, tuple[Entry, Any]],
    installed: dict[str, Entry],
    attr: str,
    pkg: Any,
    source: Source,
    say: Log,
    added: dict[str, str],
) -> None:
    """Put `pkg` (the package `attr` gives) in `chosen`, saying what it adds or replaces; two
    attributes of one command that give the same distribution are refused (`added`: those
    of the command so far), as a profile holds one of each and would keep the last silently.
    `installed`: the profile's current packages, the one replaced among them."""
    entry = _entry(attr, pkg, source)
    if added.setdefault(entry.key, attr) != attr:
        raise ProfileError(
            f"{added[entry.key]} and {attr} are both {entry.pname}: a profile holds one of each"
            " distribution",
            _one_of_them(added[entry.key], attr),
        )
    old = installed.get(entry.key)
    if old is None:
        say(f"installing {entry.pname} {entry.version}")
    elif old != entry:
        say(_replacing(old, entry))
    chosen[entry.key] = (entry, pkg)


def _one_of_them(first: str, second: str) -> str:
    """The hint for two attributes of one install that are one distribution: one of them,
    or, for two ``pypi:`` requests apart only in their extras, the one request with both."""
    if first.startswith("pypi:") and second.startswith("pypi:"):
        from ..generate import parse_pypi_spec

        (name, version, extras), (_, other, more) = (
            parse_pypi_spec(attr.removeprefix("pypi:")) for attr in (first, second)
        )
        if version == other or None in (version, other):
            both = ",".join(sorted({*extras, *more}))
            spec = version or other or ""
            pinned = f"=={spec}" if spec and spec[0] not in "<>=!~" else spec
            return f"install one of them, or both extras at once: 'pypi:{name}[{both}]{pinned}'"
    return "install one of them"


def _replacing(old: Entry, new: Entry) -> str:
    """What an install does to the installed package `old` that `new` replaces: another
    version, or the same one asked for otherwise (its pin, its extras: the attributes tell
    them apart, where "black 26.10.1 by black 26.10.1" would not), or built otherwise."""
    if (old.pname, old.version) != (new.pname, new.version):
        return f"replacing {old.pname} {old.version} by {new.pname} {new.version}"
    if old.out == new.out:
        if old.attr != new.attr:
            return f"changing {old.attr} to {new.attr} ({new.pname} {new.version}, as installed)"
        return f"changing {new.pname} {new.version}: the same build, from other recipes"
    if old.attr != new.attr:
        return f"replacing {old.attr} by {new.attr} ({new.pname} {new.version})"
    return (
        f"replacing {new.pname} {new.version} by the same version built otherwise (from other"
        " recipes, or its recipes changed)"
    )


def _entries(chosen: dict[str, tuple[Entry, Any]]) -> tuple[Entry, ...]:
    """The manifest's entries of the packages `chosen`, by distribution name."""
    return tuple(chosen[k][0] for k in sorted(chosen))


def _upgrading(old: Entry, new: Entry) -> str:
    """What an upgrade does to a package: another version, or the same one built anew."""
    if (old.pname, old.version) == (new.pname, new.version):
        return f"rebuilding {new.pname} {new.version}: its recipe or an input of it changed"
    return f"{_direction(old, new)} {old.pname} {old.version} -> {new.pname} {new.version}"


def _direction(old: Entry, new: Entry) -> str:
    """ "downgrading" when a recipe went back to an older version (an upgrade takes what the
    recipes say), "upgrading" otherwise, "changing" for versions that do not compare."""
    from packaging.version import InvalidVersion, Version

    try:
        older = Version(new.version) < Version(old.version)
    except InvalidVersion:
        return "changing"
    return "downgrading" if older else "upgrading"


class _Notes:
    """The notes of a change's ``pypi:`` plans (:mod:`pybuild.generate.plan`), told once when
    it ends, of what it adds or upgrades alone: what it keeps is resolved again (with the new
    packages, and each alone), whose notes were told when it was installed, as ``nix-env``
    and ``uv tool`` do not report again the tools they have."""

    def __init__(self) -> None:
        from ..generate.plan import held_notes, tell_notes

        self._hold, self._tell = held_notes, tell_notes
        self._new: list[tuple[str, bool]] = []
        self._kept: list[tuple[str, bool]] = []

    def __enter__(self) -> _Notes:
        return self

    def __exit__(self, *_: object) -> None:
        """Tell the new notes, even when the change fails: they may say why."""
        self._tell(self._new, set(self._kept))

    def of_new(self) -> contextlib.AbstractContextManager[None]:
        return self._into(self._new)

    def of_kept(self) -> contextlib.AbstractContextManager[None]:
        return self._into(self._kept)

    @contextlib.contextmanager
    def of_upgrade(self) -> Iterator[Callable[[bool], None]]:
        """The notes of a package evaluated again by an upgrade: told if it changed (as its
        caller says, calling what this gives), kept silent if it stays as it was, as an
        upgrade that changes nothing says nothing else; told if its evaluation fails."""
        changed = [True]
        with self._hold() as held:
            try:
                yield lambda now: changed.__setitem__(0, now)
            finally:
                (self._new if changed[0] else self._kept).extend(held)

    @contextlib.contextmanager
    def _into(self, notes: list[tuple[str, bool]]) -> Iterator[None]:
        """Hold the notes told meanwhile, then add them to `notes`, even when it fails."""
        with self._hold() as held:
            try:
                yield
            finally:
                notes += held


def _resolving_again(on: bool) -> contextlib.AbstractContextManager[None]:
    """Within it, ``pypi:`` requests are resolved again (`on`: what ``upgrade`` upgrades, as
    uv's upgrade resolves) or answered by their saved plans (a package kept, which must be
    what it was, under ``install --refresh`` too). With the plans' module not loaded, nothing
    has asked to resolve again, and nothing is imported to say so."""
    if not on and "pybuild.generate.plan" not in sys.modules:
        return contextlib.nullcontext()
    from ..generate.plan import refreshing

    return refreshing(on)


def _installed_versions(current: Generation | None, site_packages: str) -> dict[str, str]:
    """The distributions of `current`'s environment, by normalised name: their versions, as
    the ``.dist-info`` folders of its `site_packages` name them (none when it was collected)."""
    if current is None or not current.present:
        return {}
    found = {}
    for entry in (Path(current.link).resolve() / site_packages).glob("*.dist-info"):
        name, _, version = entry.name.removesuffix(".dist-info").partition("-")
        found[normalise_name(name)] = version
    return found


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
    return _exactly(name, extras, entry.version)


def _exactly(name: str, extras: Sequence[str], version: str) -> str:
    """``pypi:NAME[EXTRAS]==VERSION``."""
    return f"pypi:{name}{'[' + ','.join(extras) + ']' if extras else ''}=={version}"


def _entry(attr: str, pkg: Any, source: Source) -> Entry:
    """The manifest's entry of `pkg`, asked for as `attr` from `source`."""
    recipes, overlays, file = source
    return Entry(attr, pkg.pname, pkg.version, pkg.drv.out, recipes, overlays, file)


def _refuse_lost_sources(profile: Profile, entry: Entry, source: Source | None = None) -> None:
    """A package cannot be evaluated again from a recorded file, recipe folder or overlay
    that is gone: an error naming the package and the way out, where the set's own error
    would name only the path. `source`: what it is evaluated from now (default: what the
    manifest recorded); an upgrade's new --recipes or --overlay need none of the old ones."""
    recipes, overlays, file = source or (entry.recipes, entry.overlays, entry.file)
    recorded: list[tuple[str, str, str | None]] = []  # how, the path, the option replacing it
    recorded += [("installed from", file, None)] if file is not None else []
    recorded += [("installed with the recipe folder", r, "--recipes") for r in recipes or ()]
    recorded += [("installed with the overlay", o, "--overlay") for o in overlays]
    for how, path, option in recorded:
        if Path(path).exists():
            continue
        remove = profile.links.command(f"remove {entry.attr}")
        way_out = (
            f"put the file back, or remove the package: {remove}"
            if option is None
            else f"put it back, give the package another with"
            f" {profile.links.command(f'upgrade {entry.attr} {option} NEW')}, or remove it:"
            f" {remove}"
        )
        raise ProfileError(
            f"{entry.attr} ({entry.pname} {entry.version}) of profile {profile.name} was"
            f" {how} {path}, which is gone",
            way_out,
        )


@contextlib.contextmanager
def _still_defined(profile: Profile, entry: Entry) -> Iterator[None]:
    """Evaluating the profile's package `entry` again: its attribute missing from its sources
    (an overlay's key renamed) is told as the profile's package, with the ways out; a name
    its recipe needs stays the recipe's error, at its line."""
    from ..errors import MissingAttribute

    try:
        yield
    except MissingAttribute as exc:
        if exc.name not in entry.attr.split("."):
            raise
        raise _no_longer_defined(profile, entry, exc) from None


def _no_longer_defined(profile: Profile, entry: Entry, exc: Exception) -> ProfileError:
    """The error of a package the profile keeps whose attribute its file, recipe folders or
    overlays no longer define (renamed in an overlay, say): the set's error alone named
    neither the profile's package nor the way out."""
    remove = profile.links.command(f"remove {entry.pname}")
    if entry.file is not None:  # a file's attribute has no other source than its file
        way_out = f"define it again there, or remove it: {remove}"
    else:
        upgrade = profile.links.command(f"upgrade {entry.attr} --overlay FILE")
        way_out = (
            f"define it again there, give it another source ({upgrade}, or --recipes DIR), or"
            f" remove it: {remove}"
        )
    return ProfileError(
        f"{entry.attr} ({entry.pname} {entry.version}) of profile {profile.name} is no longer"
        f" defined by {_sources(entry)}: {exc}",
        way_out,
    )


def _sources(entry: Entry) -> str:
    """What the package `entry` was installed from, in words."""
    if entry.file is not None:
        return f"its file {entry.file}"
    named = [*(entry.recipes or ()), *entry.overlays]
    return "the set" + (f" with {', '.join(named)}" if named else "")


def _where(entry: Entry) -> str:
    """What may have changed a package: what it was evaluated from, or the sources that names
    (a project's folder), or the settings the set read."""
    if entry.file is not None:
        return f"its file {entry.file} (or a source or setting it reads)"
    return "its recipes (or a source or setting they read)"


def _changed(entry: Entry, pkg: Any) -> str:
    """How the package `entry` installed differs from `pkg`, what it evaluates to now: another
    release, or the same one built otherwise (its derivation changed: a build tool or other
    input, a setting, pybuild's builder), which its recipe's text may not show."""
    if (pkg.pname, pkg.version) != (entry.pname, entry.version):
        return (
            f"changed in {_where(entry)} since it was installed (now {pkg.pname}"
            f" {pkg.version}, {pkg.drv.out})"
        )
    return (
        f"is built otherwise than when it was installed: still {pkg.pname} {pkg.version}, but"
        " its derivation changed (an input of it, such as its source, a build tool, a setting"
        f" it reads, or pybuild's own builder): now {pkg.drv.out}, installed {entry.out}"
    )


def _find(profile: Profile, installed: dict[str, Entry], name: str) -> Entry:
    """The installed package `name` names: its attribute, its distribution name, or a
    ``pypi:`` request of its project that its version fits (:func:`_asks_for`)."""
    for entry in installed.values():
        if name == entry.attr or normalise_name(name) == entry.key or _asks_for(name, entry):
            return entry
    have = ", ".join(sorted(e.attr for e in installed.values())) or "nothing"
    raise ProfileError(f"{name} is not installed in profile {profile.name} (it has: {have})")


def _asks_for(name: str, entry: Entry) -> bool:
    """Whether `name`, a ``pypi:`` request, names `entry`, a package installed from the index:
    the same project, at a version the request admits, whatever it was installed as
    (``pypi:black`` is black installed as ``pypi:black==24.1.0``), as ``uv tool uninstall
    black`` finds a tool whatever it was installed with."""
    if not (name.startswith("pypi:") and entry.attr.startswith("pypi:")):
        return False
    from packaging.specifiers import SpecifierSet

    from ..generate import parse_pypi_spec

    project, version, _ = parse_pypi_spec(name.removeprefix("pypi:"))
    if normalise_name(project) != entry.key:
        return False
    if version is None:
        return True
    exact = version[:1].isalnum()  # a release (from ``==``), else a specifier set
    return SpecifierSet(f"=={version}" if exact else version).contains(
        entry.version, prereleases=True
    )


# The resolver's hint when only requirements are at fault: a kept package's pin is none the
# user wrote, to relax.
_RELAX = "relax or change the version requirements named above"


def _kept_in_conflict(
    profile: Profile, exc: ResolutionFailed, pins: dict[str, Entry], asked: Sequence[str]
) -> ResolutionFailed:
    """`exc`, the conflict of a resolution with the profile's kept packages (`pins`: each
    one's pin), with those named as such where it named their pins, which read as
    requirements the user wrote (``pypi:six==1.17.0`` for six installed as ``pypi:six``),
    and a hint with the ways out: upgrade or remove the package kept, or (for an install of
    `asked`) another profile."""
    from ..generate import ResolutionFailed

    named = {pin: entry for pin, entry in pins.items() if f"required by {pin}" in str(exc)}
    if not named:
        return exc
    causes = [_naming_kept(profile, line, named) for line in exc.causes]
    ways = []
    for entry in named.values():
        ways.append(
            f"profile {profile.name} keeps {entry.pname} {entry.version} as installed: take"
            f" what the index has now with {profile.links.command(f'upgrade {entry.pname}')}"
            f" ({profile.links.command('upgrade')} for all, when a package that needs it must"
            f" follow), or remove it with {profile.links.command(f'remove {entry.pname}')}"
        )
    if asked:
        ways.append(f"install {' '.join(asked)} in another profile (--profile NAME)")
    if exc.hint and exc.hint != _RELAX:
        ways.append(exc.hint)
    return ResolutionFailed(exc.summary, causes, "; or ".join(ways))


def _naming_kept(profile: Profile, line: str, named: dict[str, Entry]) -> str:
    """A line of a conflict (``six==1.17.0 is required by pypi:six==1.17.0, …``) with each
    kept package's pin in it named as the profile's package."""
    head, sep, whos = line.partition(" is required by ")
    if not sep:
        return line
    names = whos.split(", ")
    for i, name in enumerate(names):
        who, more, count = name.partition(" and ")  # the last: "X and 3 more"
        entry = named.get(who)
        if entry is not None:
            names[i] = (
                f"{entry.pname} {entry.version} of profile {profile.name} (installed as"
                f" {entry.attr}){more}{count}"
            )
    return f"{head}{sep}{', '.join(names)}"


def _package(attr: str, value: Any) -> Any:
    """What `attr` gives, which must be a Python package."""
    from ..lazy import force
    from ..python.package import PythonPackage

    value = force(value)
    if not isinstance(value, PythonPackage):
        raise ProfileError(
            f"{attr} is a {type(value).__name__}, not a Python package; a profile holds"
            " Python packages"
        )
    return value


class _Work:
    """One change of a profile: its current generation, interpreter and package sets."""

    def __init__(
        self,
        profile: Profile,
        resolve: Resolve | None,
        python: str | None,
        dry_run: DryRun | None = None,
        *,
        collected_ok: bool = False,
    ) -> None:
        """`collected_ok`: the change may start from a current generation whose environment
        was collected (:meth:`Profile.generation`), as ``install`` and ``upgrade`` do: they
        evaluate its packages again, where ``remove`` keeps them as that environment had
        them, and cannot."""
        from ..evaluate import select

        self.profile = profile
        self.dry_run = dry_run
        self.wanted = python  # the interpreter named on the command line, if any
        self.current = profile.current(collected_ok=collected_ok)
        self.resolve = resolve or (
            lambda pkgs, attrs: [select(pkgs, attr, "the package set") for attr in attrs]
        )
        self._sets: dict[tuple[Any, ...], Any] = {}
        self._files: dict[str, Any] = {}  # the module of each file, run once

    @functools.cached_property
    def python(self) -> Any:
        """The profile's interpreter, found when first needed: inside the evaluation, so the
        evaluation cache records the interpreter file it depends on."""
        return _interpreter(self.profile, self.current, self.wanted)

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
        if file is not None:
            return _package(attr, self._file_attr(file, attr))
        (value,) = self.resolve(self.package_set(recipes, overlays), [attr])
        return _package(attr, value)

    def evaluate_new(self, attrs: Sequence[str], source: Source, say: Log) -> list[tuple[str, Any]]:
        """The packages an install adds, each with its attribute. Its ``pypi:`` ones are
        resolved together, with the pins (:func:`_pinned`) of the profile's packages from the
        index it keeps (of the same set: a resolution is one set's), so that they fit what
        the profile has; what the pins resolve to is left: a kept package is what it was
        (:meth:`kept`). A package the install replaces, by any of its attributes, is no pin.
        A bare ``pypi:NAME`` that the profile has as a dependency is asked for at the version
        it has (:meth:`_met`)."""
        asked = [a for a in attrs if a.startswith("pypi:") and source[2] is None]
        found = {a: self.evaluate(a, *source) for a in attrs if a not in asked}
        if asked:
            from ..generate import ResolutionFailed, parse_pypi_spec

            replaced = {_entry(a, pkg, source).key for a, pkg in found.items()}
            replaced |= {normalise_name(parse_pypi_spec(a[5:])[0]) for a in asked}
            pins = {
                _pinned(e): e
                for e in self.entries().values()
                if e.attr.startswith("pypi:")
                and (e.recipes, e.overlays, e.file) == source
                and e.key not in replaced
            }
            wanted = [self._met(a, say) for a in asked]
            try:
                resolved = self.resolve(self.package_set(*source[:2]), [*wanted, *pins])
            except ResolutionFailed as exc:
                raise _kept_in_conflict(self.profile, exc, pins, asked) from None
            found.update(zip(asked, map(_package, asked, resolved[: len(asked)]), strict=True))
        return [(attr, found[attr]) for attr in attrs]

    def _met(self, attr: str, say: Log) -> str:
        """`attr`, or, for a bare ``pypi:NAME`` whose project the profile's environment has
        but not as one of its packages (a dependency of one), ``pypi:NAME==V`` at the version
        it has: the requirement is met, as ``uv pip install NAME`` and pip leave it. The
        index's newest would be a second NAME beside the one its dependent was built with."""
        from ..generate import parse_pypi_spec

        name, version, extras = parse_pypi_spec(attr.removeprefix("pypi:"))
        key = normalise_name(name)
        has = self.installed.get(key)
        if version or has is None or key in self.entries():
            return attr
        say(
            f"{name} {has} is in profile {self.profile.name} already, as a dependency:"
            f" installing that version, as pip leaves a requirement that is met"
            f" (pypi:{name}==VERSION asks for another)"
        )
        return _exactly(name, extras, has)

    @functools.cached_property
    def installed(self) -> dict[str, str]:
        """The versions of the distributions of the current generation's environment."""
        return _installed_versions(self.current, self.python.site_packages)

    def _file_attr(self, file: str, attr: str) -> Any:
        """The attribute `attr` of the Python file `file`."""
        from ..evaluate import importable_beside, load_module, select

        if file not in self._files:
            with importable_beside(file):  # as -f FILE loads it
                self._files[file] = load_module(file)
        return select(self._files[file], attr, file)

    def kept(self, skip: Collection[str] = ()) -> dict[str, tuple[Entry, Any]]:
        """The current packages not in `skip`, evaluated again: each must be unchanged."""
        from ..generate import ResolutionFailed

        kept = {}
        for key, entry in self.entries().items():
            if key in skip:
                continue
            _refuse_lost_sources(self.profile, entry)
            pin = _pinned(entry)
            try:
                with _resolving_again(False), _still_defined(self.profile, entry):
                    pkg = self.evaluate(pin, entry.recipes, entry.overlays, entry.file)
            except ResolutionFailed as exc:  # its release gone from the index, say
                raise _kept_in_conflict(self.profile, exc, {pin: entry}, ()) from None
            if pkg.drv.out != entry.out:
                raise ProfileError(
                    f"{entry.attr} ({entry.pname} {entry.version}) of profile"
                    f" {self.profile.name} {_changed(entry, pkg)}",
                    f"take the new one with {self.profile.links.command(f'upgrade {entry.attr}')}"
                    f" (or {self.profile.links.command('upgrade')} for all), then try again",
                )
            kept[key] = (entry, pkg)
        return kept

    def environment(self, chosen: dict[str, tuple[Entry, Any]]) -> Any:
        """The environment of the packages `chosen` (an :class:`Environment`); a version
        conflict is reported when its derivation is first asked for, before anything is
        built."""
        from ..python.environment import Environment

        packages = [chosen[k][1] for k in sorted(chosen)]
        return Environment(self.python, packages, listed_programs_only=True)

    def stored_environment(self, entries: tuple[Entry, ...]) -> Any:
        """The derivation of an environment of `entries`, packages of the current generation,
        made of their store paths: neither evaluated nor built again, nor needing their
        recipes. Its packages are those of the current environment (its references) that
        `entries` need (their closure in the store), the listed ones first, as
        :class:`Environment` orders them; all else is an environment's of no package. One
        registered but deleted from the store by hand is refused, as a build would refuse it.
        The current environment is a temporary root from here on: without the profile's lock,
        another command may make a newer generation and a ``gc -d`` delete this one."""
        from ..derivations import derivation
        from ..python.environment import spec_text
        from ..store.temproots import add_temp_roots

        store = self.profile.store
        assert self.current is not None  # a package to remove was found in it
        environment = self.current.manifest.environment
        add_temp_roots(store, [environment])
        if not store.is_valid(environment):  # collected since it was read: no longer current
            raise _Moved
        held = set(store.info(environment).references)
        listed = [e.out for e in entries]
        needed = held.intersection(store.closure(listed)).difference(listed)
        # One deleted by hand is refused as such, not as a source of another store's.
        store.refuse_missing([*listed, *sorted(needed)])
        empty = self.environment({})
        spec = {
            **empty.spec,
            "closure": [str(store.path(p)) for p in [*listed, *sorted(needed)]],
            "programs": [str(store.path(p)) for p in listed],
            "listed": [str(store.path(p)) for p in listed],
        }
        return derivation(
            name=empty.drv.name,
            builder=empty.drv.builder,
            env={**dict(empty.drv.env), "PYBUILD_ENV": spec_text(spec)},
            meta={"packages": [e.pname for e in entries]},
        )

    def refuse_collisions(self, env: Any) -> None:
        """Refuse two packages of the environment `env` that install the same file, with what
        a profile's user can do (the environment's builder names an option of
        ``with_packages`` that a profile does not have). Only once its packages are built: the
        check reads their files (a few folders: a dry run can afford it)."""
        from ..python.builder.env import Collision

        if not all(self.profile.store.is_valid(pkg.drv.out) for pkg in env.closure):
            return
        try:
            env.check_collisions()
        except Collision as exc:
            holders = self.holders(exc.packages)
            remove = ", ".join(
                self.profile.links.command(f"remove {name}") for name in holders or ["NAME"]
            )
            hints = []
            if exc.between:
                hints.append(
                    "a profile holds one file of each name: remove the installed package that"
                    f" has it (or pulls in the one that has it) first ({remove}), or install"
                    " this one in a profile of its own (--profile NAME)"
                )
            if exc.hides_own:
                hints.append(
                    "a program named as the profile's python or activate cannot be on its"
                    " PATH: run it from the package's own build (`pybuild build ATTR -o"
                    " result`, then result/bin/NAME)"
                )
            raise ProfileError(f"profile {self.profile.name}: {exc}", "; ".join(hints)) from None

    def holders(self, paths: frozenset[str]) -> list[str]:
        """The installed packages (their names) that are, or pull in (their closure has), a
        package of `paths` (store names: those a :class:`Collision` names): the ones to
        remove, of those the profile has now."""
        store = self.profile.store
        return [
            entry.pname
            for entry in self.entries().values()
            if store.is_valid(entry.out) and paths.intersection(store.closure(entry.out))
        ]

    def unchanged(self, entries: tuple[Entry, ...], drv: Any) -> bool:
        """Whether `drv`, the environment of `entries`, is the current generation's: the same
        derivation, or one of the same packages that links the same store paths. ``remove``
        makes its environment of store paths, where an evaluation makes it of derivations, so
        after a ``remove`` an ``upgrade`` that changes nothing makes another derivation of the
        same environment, which is no new generation either."""
        import json

        if self.current is None or self.current.manifest.packages != entries:
            return False
        if not self.current.present:  # made again, as a new generation
            return False
        environment = self.current.manifest.environment
        if environment == drv.out:
            return True
        spec = dict(drv.env).get("PYBUILD_ENV")
        if spec is None:
            return False
        closure = json.loads(spec)["closure"]
        held = self.profile.store.info(environment).references
        return sorted(Path(p).name for p in closure) == sorted(held)

    def commit(
        self,
        entries: tuple[Entry, ...],
        drv: Any,
        action: str,
        options: Any,
        say: Log,
        env: Any = None,
    ) -> Generation | None:
        """Build `drv`, the environment of the packages `entries`, and make it the next
        generation (in a dry run: say which it would be, and hand `drv` to :attr:`dry_run`).
        `env`: the :class:`Environment` `drv` is of, whose collisions are refused; None for
        one of packages of the current generation, which has none. Only the switch holds the
        profile's lock: :class:`_Moved` if the current generation is no longer the one this
        change started from."""
        from ..errors import BuildError
        from ..realiser import realise

        if self.unchanged(entries, drv):
            nothing = "nothing would change" if self.dry_run else "nothing changed"
            say(f"profile {self.profile.name}: {nothing}")
            return None
        if self.dry_run is not None:
            if env is not None:
                self.refuse_collisions(env)
            numbers = self.profile.numbers()
            number = (numbers[-1] if numbers else 0) + 1
            say(f"profile {self.profile.name}: would make generation {number} ({action})")
            self.dry_run(drv)
            return None
        try:
            realise([drv], self.profile.store, options)  # rooted until the generation link
        except BuildError:
            if env is not None:
                self.refuse_collisions(env)  # the environment's build failed for them, maybe
            raise
        python = {
            "executable": self.python.executable,
            "version": self.python.version,
            "identity": self.python.identity,
        }
        with self.profile.lock(say):
            now = self.profile.current_number()
            if now != (self.current.number if self.current else None):
                say(
                    f"profile {self.profile.name} changed meanwhile (now generation {now}):"
                    " starting over from it"
                )
                raise _Moved
            generation = self.profile.add(Manifest(drv.out, python, entries, action))
        say(f"profile {self.profile.name}: generation {generation.number} ({action})")
        return generation


def _interpreter(profile: Profile, current: Generation | None, wanted: str | None) -> Any:
    """The profile's interpreter: the one its generations recorded, else `wanted` (a path),
    else the running one. A `wanted` one that is not the recorded one is an error: a profile
    never changes its interpreter, and building for another one silently would too."""
    from ..errors import UsageError
    from ..python.interpreter import Interpreter

    asked = Interpreter.at(wanted) if wanted is not None else None
    if current is None:
        return asked or Interpreter.current()
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
    if asked is not None and asked.identity != python.identity:
        raise ProfileError(
            f"profile {profile.name} uses Python {python.version} ({python.executable}), not"
            f" {asked.version} ({asked.executable}): a profile never changes its interpreter",
            f"make a new profile for Python {asked.version}: --profile NAME, or drop --python",
        )
    return python
