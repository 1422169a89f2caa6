"""What the command modules share: settings, the store, the package set, JSON output."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from ..buildoptions import trusted_keys
from ..errors import BadArgument, UsageError

TYPE_CHECKING = False  # typing: an import no command needs at run time
if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "PYTHON_HELP",
    "NotAPackage",
    "add_build_flags",
    "add_refresh_flag",
    "as_derivation",
    "backend_output",
    "build_options",
    "built_targets",
    "evaluate_recorded",
    "file_attrs",
    "file_environment",
    "get_settings",
    "located_python",
    "named_targets",
    "open_store",
    "outputs_named",
    "package_set",
    "path_name",
    "print_json",
    "pypi_spec",
    "pypi_words",
    "recorded_valid",
    "refuse_pypi_of_a_file",
    "refuse_set_options",
    "select_attr",
    "select_attrs",
    "set_arguments",
    "target_options",
    "trusted_keys",
]


def get_settings(args: argparse.Namespace) -> Any:
    """The command's settings: its ``--option`` pairs are the process's while it runs (the
    command line sets them, :func:`pybuild.settings.use_command_line`), with its flags."""
    from ..settings import load_settings

    settings = load_settings()
    if getattr(args, "jobs", None) is not None:  # -j is checked as the setting is (at least 1)
        settings = settings.with_overrides(jobs=args.jobs)
    if getattr(args, "builders", None) is not None:
        settings = settings.with_overrides(builders=args.builders)
    if getattr(args, "keep_failed", False):  # -K: only ever turns it on, as Nix's does
        settings = settings.with_overrides(keep_failed=True)
    return settings


def keyed_command(args: argparse.Namespace, command: list[object]) -> list[object]:
    """`command`, the evaluation cache's words for a command line, with its ``--option``
    pairs: a setting can change what an evaluation makes (a ``pypi:`` package's `prefer`),
    and a record made without the option must not answer for it. Without any, the words are
    those the fast path (pybuild/fastpath.py), which takes no ``--option``, names."""
    return [*command, args.option] if args.option else command


def add_build_flags(p: argparse.ArgumentParser) -> None:
    """``-j N`` and ``-K, --keep-failed``, Nix's flags for the ``jobs`` and ``keep-failed``
    settings, on a command that builds (:func:`get_settings` reads them)."""
    p.add_argument(
        "-j",
        "--jobs",
        type=_jobs,
        help="builds to run here at once (setting: jobs; 0: only on remote builders)",
    )
    p.add_argument(
        "-K",
        "--keep-failed",
        action="store_true",
        help="keep a failed build's directories for inspection (setting: keep_failed)",
    )


def _jobs(word: str) -> int:
    """``-j``'s number, refused by argparse as ``-j abc`` is (exit 2), not later by the
    setting's check."""
    try:
        jobs = int(word)
    except ValueError:  # argparse's own message would name this function ("invalid _jobs")
        jobs = -1
    if jobs < 0:
        raise argparse.ArgumentTypeError(
            f"{word} is no number of builds: give 0 or more (0: only on remote builders)"
        )
    return jobs


def add_refresh_flag(p: argparse.ArgumentParser) -> None:
    """``--refresh``, as uv's: the command's ``pypi:`` requests are resolved again, not taken
    from a saved plan nor from the evaluation record of a command line that used one
    (:func:`backend_output` reads it, and each command passes over its record)."""
    p.add_argument(
        "--refresh",
        action="store_true",
        help="resolve pypi: requests again, where a saved resolution (a day old at most, or an"
        " exact pin's) would answer",
    )


def open_store() -> Any:
    from ..store import Store

    return Store.default()


def link_cache(args: argparse.Namespace) -> Any:
    """The ``link_cache`` setting's folder as a :class:`~pybuild.cache.links.LinkCache`
    (warnings on stderr), or None when it is off (set to nothing)."""
    folder = get_settings(args).link_cache
    if not folder:
        return None
    from ..cache.links import LinkCache

    return LinkCache(folder, lambda text: print(text, file=sys.stderr))


def print_json(data: object) -> None:
    print(json.dumps(data, indent=2, sort_keys=True))


PYTHON_HELP = (
    "the interpreter to build for: a version (3.12, found as python3.12 on PATH; 3.12.1, that"
    " release) or a path; by default the one running pybuild"
)


def set_arguments(p: argparse.ArgumentParser) -> None:
    # SUPPRESS: a --python given before the command is not overwritten by this one's default.
    p.add_argument("--python", metavar="PYTHON", default=argparse.SUPPRESS, help=PYTHON_HELP)
    p.set_defaults(takes_python=True)
    p.add_argument(
        "--recipes",
        action="append",
        metavar="DIR",
        help="a recipe folder to add on top of the default set (repeatable; a later one wins)",
    )
    p.add_argument(
        "--no-default-recipes",
        action="store_true",
        help="leave the default set out: only the --recipes folders",
    )
    p.add_argument(
        "--overlay",
        action="append",
        metavar="FILE",
        help="Python file defining overlay(final, prev) (repeatable)",
    )


def package_set(args: argparse.Namespace) -> Any:
    from ..pkgset import load_overlay, package_set

    backend_output(args)
    overlays = [load_overlay(f) for f in args.overlay or []]
    return package_set(
        python=getattr(args, "python", None), recipes=recipe_folders(args), overlays=overlays
    )


def backend_output(args: argparse.Namespace) -> None:
    """What a ``pypi:`` resolution prints while the command evaluates. With ``-v``, what
    build backends say while it prepares sdists' metadata is shown; otherwise it is kept for
    the error of a backend that fails. With ``-q``, its plan's notes (a wheel taken, a project
    held back) are not printed, its warnings are. With ``--refresh``, no saved plan is used
    (:func:`add_refresh_flag`). Each is set for this command, on or off (a
    process runs several commands: the library's users, the tests), and nothing is imported
    to turn off what was never loaded: most commands never resolve any."""
    verbose, quiet = getattr(args, "verbose", False), getattr(args, "quiet", False)
    if verbose or "pybuild.generate.buildsystem" in sys.modules:
        from ..generate.buildsystem import show_backend_output

        show_backend_output(verbose)
    refresh = getattr(args, "refresh", False)
    if quiet or refresh or "pybuild.generate.plan" in sys.modules:
        from ..generate.plan import quiet_notes, refresh_plans

        quiet_notes(quiet)
        refresh_plans(refresh)


def completes_attrs(action: argparse.Action) -> None:
    """Let shell completion offer attribute names for this argument."""
    action.completer = attr_completer  # type: ignore[attr-defined]


def attr_completer(prefix: str, parsed_args: argparse.Namespace, **_: object) -> list[str]:
    """Shell completion of attribute names: the recipe modules of the folders the command
    line names (``--recipes``, the default set), listed without evaluating anything."""
    folders = searched_folders(parsed_args)
    names = {p.stem for f in folders for p in Path(f).glob("*.py") if not p.name.startswith("_")}
    return sorted(n for n in names if n.startswith(prefix))


def completes_settings(action: argparse.Action) -> None:
    """Let shell completion offer the settings for ``--option NAME VALUE``."""
    action.completer = setting_completer  # type: ignore[attr-defined]


def setting_completer(prefix: str, **_: object) -> dict[str, str]:
    """Shell completion of ``--option``'s words: for NAME, the settings, each with what it
    does (zsh and fish show it); for VALUE, the values the setting named takes where they
    are few (its choices, a boolean's true and false), else none, for the shell's own.

    argcomplete calls one completer for both words; which one is asked is read from the
    command line the shell gave it (COMP_LINE, up to COMP_POINT): the word before the
    cursor is ``--option``, or the one before that is."""
    from argcomplete import split_line

    from ..settings import SETTINGS

    line = os.environ.get("COMP_LINE", "")
    words = split_line(line, int(os.environ.get("COMP_POINT", len(line))))[3]
    if words[-1:] == ["--option"]:
        return {name: s.doc for name, s in SETTINGS.items() if name.startswith(prefix)}
    setting = SETTINGS.get(words[-1]) if words[-2:-1] == ["--option"] else None
    if setting is None:
        return {}
    values = ("true", "false") if setting.type is bool else setting.choices
    return {value: setting.doc for value in values if value.startswith(prefix)}


def recipe_folders(args: argparse.Namespace) -> list[str] | None:
    """The recipe folders a command line names: ``--recipes`` folders on top of the default
    set (unless ``--no-default-recipes``); None for the default set alone."""
    from ..bundled import with_default_set

    given = [str(Path(r).absolute()) for r in getattr(args, "recipes", None) or ()]
    no_default = getattr(args, "no_default_recipes", False)
    if no_default and not given:
        raise UsageError("--no-default-recipes needs at least one --recipes DIR")
    return with_default_set(given, no_default)


def searched_folders(args: argparse.Namespace) -> list[str]:
    """Every recipe folder the command line's set reads, the default set's included."""
    from ..bundled import default_recipes

    return recipe_folders(args) or [str(default_recipes())]


class NotAPackage(UsageError):
    """An attribute whose value is neither a package nor a derivation: its own class, so that
    ``build --all`` tells it from a recipe that failed to evaluate with a UsageError."""


def as_derivation(value: Any, attr: str, pkgs: Any = None) -> Any:
    """The derivation of a package (or a derivation itself). Making it may fail with any
    error of the recipe's (a missing input is an AttributeError too): that error is raised,
    never taken for "not a package". `pkgs`, the set `attr` is of, lets the error for a
    value that is no package name the recipe file that returned it."""
    from ..derivations import derivation_of
    from ..errors import CycleError

    try:
        drv = derivation_of(value)
    except CycleError as exc:  # found making a derivation: the set can tell whose it is
        if (locate := getattr(pkgs, "locate_cycle", None)) is not None:
            locate(exc)
        raise
    if drv is None:
        raise _not_a_package(value, attr, pkgs)
    return drv


def _not_a_package(value: Any, attr: str, pkgs: Any) -> NotAPackage:
    """The error for `attr`, whose `value` is neither a package nor a derivation."""
    from ..pkgset import a_noun

    text = f"{attr} is {a_noun(type(value).__name__)}, not a derivation or package"
    origin = pkgs.origin(attr) if pkgs is not None else None
    error = NotAPackage(f"{text} ({origin})" if origin else text)
    error.hint = (
        "what is built is a package (build_python_package(...), call_package(...)) or a"
        " derivation (derivation(...))"
    )
    return error


def build_options(args: argparse.Namespace, settings: Any, **changes: Any) -> Any:
    """Realiser options from the settings (:meth:`~pybuild.buildoptions.BuildOptions.
    from_settings`, as the library takes them), with ``-k`` where a command has it, and the
    progress display (live on a terminal, lines elsewhere, ``-q``, ``--color``); ``-j`` and
    ``-K`` are in `settings` already (:func:`get_settings`)."""
    from ..buildoptions import BuildOptions
    from ..progress import for_stream

    changes.setdefault(
        "progress",
        for_stream(
            quiet=getattr(args, "quiet", False),
            verbose=getattr(args, "verbose", False),
            color=getattr(args, "color", "auto"),
        ),
    )
    changes.setdefault("keep_going", getattr(args, "keep_going", False))
    return BuildOptions.from_settings(settings, **changes)


def add_dry_run(
    p: argparse.ArgumentParser,
    what: str = "print what would be built, downloaded and copied from a cache, and build nothing",
) -> None:
    """``--dry-run``; `what` says what it does where that is not building (``remove``)."""
    p.add_argument("--dry-run", action="store_true", help=what)


def print_work(targets: list[Any], store: Any, options: Any, as_json: bool = False) -> int:
    """``--dry-run``: what realising `targets` would do, as Nix prints it; exit status 0.
    Their .drv files are written first, as Nix's evaluation writes them: every .drv path a
    dry run prints is then in the store, for ``show-derivation``, ``path-info`` or ``log``."""
    from ..derivations import instantiate_all
    from ..plan import planned_work
    from ..progress import plan_line

    instantiate_all(targets, store)
    # As a build would: a path deleted by hand is no output.
    store.refuse_missing(p for t in targets for p in t.output_paths.values())
    work = planned_work(targets, store, options)
    groups = {"build": work.builds, "download": work.downloads, "copy": work.copies}
    if as_json:
        print_json({k: [str(store.path(d.drv_name)) for d in v] for k, v in groups.items()})
    elif not work:
        print("nothing to do: every output is valid", file=sys.stderr)
    else:
        lines = [plan_line(len(work.builds), len(work.downloads), len(work.copies))]
        folder = f"{store.dir}{os.sep}"
        lines += [f"  {verb} {folder}{d.drv_name}" for verb, drvs in groups.items() for d in drvs]
        sys.stderr.write("\n".join(lines) + "\n")  # one write: a line each cost a system call
    return 0


def file_attrs(file: str, attrs: Sequence[str]) -> list[Any]:
    """The attributes `attrs` (``a.b.c``) of the Python file `file`, as ``-f FILE`` names them."""
    from ..errors import MissingAttribute
    from ..evaluate import importable_beside, load_module, select

    for attr in attrs:
        refuse_pypi_of_a_file(file, attr)
        _check_path(attr)
    with importable_beside(file):  # its helper modules, as a script's (overlays' too)
        module = load_module(file)
    try:
        return [select(module, attr, file) for attr in attrs]
    except MissingAttribute as error:
        if error.where == file and not error.suggestions:
            _name_the_files_set(error, module)
        raise


def _name_the_files_set(error: Any, module: Any) -> None:
    """``-f project.py six``, where six is a package of the file's set ``pkgs``: the hint
    names ``pkgs.six``, as a newcomer from ``pybuild build six`` would not guess."""
    from ..pkgset import PackageSet

    sets = {n: v for n, v in vars(module).items() if isinstance(v, PackageSet) and n[0] != "_"}
    held = [f"{n}.{error.name}" for n, pkgs in sets.items() if error.name in pkgs.names()]
    if held:
        error.hint = f"did you mean {' or '.join(held)}? (the package of the file's set)"


def file_environment(file: str, attrs: Sequence[str]) -> Any:
    """One environment of the attributes of `file`: an environment of it as it is (``pybuild
    shell -f shell.py``, ``lock -f shell.py env``), or one of its packages and the packages of
    its environments, for the one interpreter they are built for (``shell -f FILE -p ATTR``)."""
    from ..python.environment import Environment
    from ..python.package import PythonPackage

    values = file_attrs(file, attrs)
    if len(values) == 1 and isinstance(values[0], Environment):
        return values[0]
    roots: list[Any] = []
    pythons = set()
    for value, attr in zip(values, attrs, strict=True):
        if isinstance(value, Environment):
            roots += value.roots
        elif not isinstance(value, PythonPackage):
            raise UsageError(f"{file}: {attr} is neither a Python package nor an environment")
        else:
            roots.append(value)
        pythons.add(value.python)
    if len(pythons) > 1:
        versions = ", ".join(sorted(p.version for p in pythons))
        raise UsageError(
            f"{file}: {', '.join(attrs)} are built for several interpreters ({versions})"
        )
    return Environment(pythons.pop(), roots)


def refuse_set_options(args: argparse.Namespace, path: str | None = None) -> None:
    """The file at `path` (a folder's ``shell.py``; by default ``-f FILE``) makes its own
    package set: the options that choose one would be ignored, so they are refused, with the
    call of ``package_set`` that says in the file what the options said. The ``shell.py`` of
    ``pybuild import`` is written again by each import: another interpreter means importing
    again, other recipes or overlays naming the packages with its overlay beside them."""
    given = set_options_given(args)
    if not given:
        return
    from ..generate.folder import written_by_import

    options = " and ".join(given)
    file = path or args.file
    how = f"write in it {_set_call(args)}"
    if written_by_import(file):
        how = (
            "`pybuild import` decided its packages for the interpreter it was imported for"
            " (markers such as python_version): run the import again with --python X.Y instead"
            if "--python" in given
            else "`pybuild import` writes it again on each import: name the packages instead,"
            f" with its overlay beside yours ({_with_import_overlay(args, file)} -p ATTR)"
        )
    raise UsageError(
        f"{file} makes its own package set, so {options} would not apply to it: {how}, or"
        f" drop {options}"
    )


def _set_call(args: argparse.Namespace) -> str:
    """The call of ``package_set`` that means what the command line's set options say, with
    its import: ``--recipes`` on top of the default set, ``--overlay`` files loaded as
    overlays, their paths absolute (a file's paths are read from the working folder)."""
    folders = [repr(os.path.abspath(f)) for f in getattr(args, "recipes", None) or []]
    alone = getattr(args, "no_default_recipes", False)
    overlays = [
        f"load_overlay({os.path.abspath(file)!r})" for file in getattr(args, "overlay", None) or []
    ]
    arguments = [f"python={args.python!r}"] if getattr(args, "python", None) else []
    names = ["package_set"]
    if folders or alone:
        if not alone:
            folders.insert(0, "DEFAULT_RECIPES")
            names.insert(0, "DEFAULT_RECIPES")
        arguments.append(f"recipes=[{', '.join(folders)}]")
    if overlays:
        arguments.append(f"overlays=[{', '.join(overlays)}]")
        names.insert(-1, "load_overlay")
    call = f"package_set({', '.join(arguments)})"
    return f"`from pybuild.pkgset import {', '.join(names)}` and {call}"


def _with_import_overlay(args: argparse.Namespace, file: str) -> str:
    """The command line that adds the options given to the overlay of the imported folder
    of `file`, as the import's own message tells how to use it."""
    parser = getattr(args, "command_parser", None)
    words = parser.prog.split() if parser is not None else ["pybuild", "shell"]
    imported = os.path.join(os.path.dirname(file), "overlay.py")
    overlays = dict.fromkeys([imported, *(getattr(args, "overlay", None) or [])])
    words += [w for f in overlays for w in ("--overlay", f)]
    words += [w for f in getattr(args, "recipes", None) or [] for w in ("--recipes", f)]
    words += ["--no-default-recipes"] if getattr(args, "no_default_recipes", False) else []
    import shlex  # a message's command line, written when one is told

    return shlex.join(words)


def set_options_given(args: argparse.Namespace) -> list[str]:
    """The options choosing the package set that the command line gives."""
    return [
        option
        for option, value in (
            ("--recipes", getattr(args, "recipes", None)),
            ("--no-default-recipes", getattr(args, "no_default_recipes", False)),
            ("--overlay", getattr(args, "overlay", None)),
            ("--python", getattr(args, "python", None)),
        )
        if value
    ]


def select_attrs(pkgs: Any, attrs: Sequence[str]) -> list[Any]:
    """What each of `attrs` names, as :func:`select_attr` finds it, but with the ``pypi:``
    requests of one command line resolved together, as ``uv pip install a b`` resolves its
    arguments: each request resolved alone could pick a release of a shared dependency that
    another request's rules out (``pypi:black pypi:packaging``)."""
    from_index = [attr for attr in attrs if attr.startswith("pypi:")]
    if len(from_index) < 2:
        return [select_attr(pkgs, attr) for attr in attrs]
    from ..generate.pypi import from_pypi_together

    specs = [pypi_spec(attr) for attr in from_index]
    resolved = iter(from_pypi_together(pkgs, specs))
    return [
        next(resolved) if attr.startswith("pypi:") else select_attr(pkgs, attr) for attr in attrs
    ]


def select_attr(pkgs: Any, attr: str) -> Any:
    """An attribute of the set named on the command line (``numpy``, ``python.pkgs.numpy``),
    or a package from the index: ``pypi:NAME``, ``pypi:NAME==VERSION``, ``pypi:NAME<5``,
    ``pypi:NAME[x]>=1,<2``."""
    from ..evaluate import select

    if attr.startswith("pypi:"):
        return pkgs.from_pypi(*pypi_spec(attr))
    if any(c in attr for c in "=<>!~[], ;"):
        raise _a_requirement_not_an_attribute(pkgs, attr)
    from ..errors import MissingAttribute
    from ..store.paths import is_store_name

    if attr.endswith(".py") and (os.sep in attr or os.path.isfile(attr)):
        raise _a_file_not_an_attribute(attr)  # ``../x.py`` is not even a path of names
    _check_path(attr)
    try:
        return select(pkgs, attr, "the package set")
    except MissingAttribute as error:
        if error.where == "the package set" and (attr.endswith(".py") or os.path.isfile(attr)):
            raise _a_file_not_an_attribute(attr) from None
        if error.where == "the package set" and (os.sep in attr or is_store_name(attr)):
            raise _a_path_not_an_attribute(attr) from None
        if error.where == "the package set" and not error.suggestions and "." not in attr:
            error.hint = (
                "a recipe of your own joins the set with --recipes DIR or --overlay FILE, a"
                " file's attribute is -f FILE ATTR, and a project of the index is pypi:NAME"
            )
        raise


def _a_requirement_not_an_attribute(pkgs: Any, attr: str) -> BadArgument:
    """The error for a requirement where an attribute goes, pip's habit: ``six==1.16.0``, a
    package of the set being at its recipe's version, or ``hatchy[net]``, its extras being
    their packages beside it. Where the set has the package, the hint names it as the set
    takes it (with the extra's packages, on the command line or in a file), and a release of
    the index only where the set's is one: ``pypi:hatchy`` asks the index for whatever
    project it has of that name, not a local project's."""
    index = f"a release from the index is pypi:{attr.replace(' ', '')}"
    request = _requirement(attr)
    found = _set_package(pkgs, request.name) if request is not None else None
    if found is not None and request.extras and not (request.specifier or request.marker):
        name, pkg = found
        error = BadArgument(
            f"{attr!r} is a requirement, not an attribute: a package of the set takes its"
            " extras as their packages beside it"
        )
        error.hint = _with_extras(pkgs, name, pkg, sorted(request.extras))
        error.hint += f"; or {index}" if pkg.from_index else ""
        return error
    error = BadArgument(
        f"{attr!r} is a requirement, not an attribute: a package of the set is at the version"
        " its recipe gives"
    )
    error.hint = index
    if found is not None and not found[1].from_index:
        name, pkg = found
        error.hint = f"the set's {name} is {pkg.version}: name it {name}"
    return error


def _requirement(attr: str) -> Any:
    """`attr` read as a requirement (PEP 508), or None for a word that is none."""
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        return Requirement(attr)
    except InvalidRequirement:
        return None


def _set_package(pkgs: Any, project: str) -> tuple[str, Any] | None:
    """The attribute of the set that names `project` and its Python package, if it has one
    (one that fails to evaluate is none: the error at hand is the command line's)."""
    from ..errors import PybuildError
    from ..generate.names import attr_name
    from ..lazy import force
    from ..python.package import PythonPackage

    name = attr_name(project)
    if name not in pkgs:
        return None
    try:
        pkg = force(pkgs[name])
    except PybuildError:
        return None
    return (name, pkg) if isinstance(pkg, PythonPackage) else None


def _with_extras(pkgs: Any, name: str, pkg: Any, extras: Sequence[str]) -> str:
    """How the set's `pkg` (attribute `name`) is had with `extras`: with the packages they
    need named beside it, by their attributes (where the set names each), or in a file, as
    ``ps.NAME.optional(EXTRA)`` lists them; or, for an extra it lacks, the ones it has."""
    from packaging.utils import canonicalize_name

    from ..errors import PybuildError

    offered = {canonicalize_name(e): e for e in pkg.attrs["optional_dependencies"]}
    lacking = [e for e in extras if canonicalize_name(e) not in offered]
    if lacking:
        has = ", ".join(sorted(offered.values())) or "none"
        return f"the set's {name} has no extra {', '.join(lacking)} (its extras: {has})"
    keys = [offered[canonicalize_name(e)] for e in extras]
    listed = ", ".join([f"ps.{name}", *(f"*ps.{name}.optional({k!r})" for k in keys)])
    in_file = f"pkgs.python.with_packages(lambda ps: [{listed}])"
    try:
        attrs = [_attribute_of(pkgs, dep) for key in keys for dep in pkg.optional(key)]
    except PybuildError:  # a package of the extra that fails to evaluate: named in the file
        attrs = [""]
    extra = f"{'its extra' if len(keys) == 1 else 'its extras'} {', '.join(keys)}"
    if all(attrs):
        words = " ".join(dict.fromkeys([name, *attrs]))
        return (
            f"name the set's {name} and the packages of {extra} in its place: {words}; or,"
            f" in a file (-f FILE), {in_file}"
        )
    return f"the set's {name} with {extra} is, in a file (-f FILE), {in_file}"


def _attribute_of(pkgs: Any, pkg: Any) -> str:
    """The attribute of the set that is `pkg` (by its project's name: a recipe's inputs are
    the set's own values), or "" for none, as an override is."""
    found = _set_package(pkgs, pkg.pname)
    return found[0] if found is not None and found[1] is pkg else ""


def pypi_spec(attr: str) -> tuple[str, str | None, tuple[str, ...]]:
    """The project, version and extras a ``pypi:`` word asks for; one that cannot be read
    is a :class:`BadArgument`."""
    from ..generate import parse_pypi_spec

    try:
        return parse_pypi_spec(attr.removeprefix("pypi:"))
    except UsageError as error:
        raise BadArgument.of(error) from None


def pypi_words(words: Sequence[str]) -> None:
    """Refuse a ``pypi:`` word of `words` that cannot be read, as a :class:`BadArgument`,
    before a command hands them to the library (whose UsageError would exit 1)."""
    for word in words:
        if word.startswith("pypi:"):
            pypi_spec(word)


def refuse_pypi_of_a_file(file: str, attr: str) -> None:
    """``shell -f shell.py -p env pypi:idna``: a project of the index is no attribute of the
    file, whose own set it would be resolved in, not the default set: said so, with the line
    that takes it from the file's set, rather than "shell.py has no attribute 'pypi:idna'"."""
    if not attr.startswith("pypi:"):
        return
    from ..generate.names import attr_name
    from ..generate.pypi import from_pypi_call, parse_pypi_spec

    error = BadArgument(f"{attr}: -f {file} takes attributes of the file, and {attr} is none")
    call = from_pypi_call(attr)
    line = (
        f"{attr_name(parse_pypi_spec(attr[5:])[0])} = {call}"
        if call
        else "NAME = pkgs.from_pypi('NAME')"
    )
    error.hint = (
        f"give the file an attribute of it, {line} (pkgs: the file's package set), and name"
        " that; or leave out -f, to take it from the command line's set"
    )
    raise error


def _check_path(attr: str) -> None:
    """Refuse an attribute path that is none (``six..version``) before anything evaluates."""
    from ..evaluate import attribute_path

    try:
        attribute_path(attr)
    except UsageError as error:
        raise BadArgument.of(error) from None


def _a_file_not_an_attribute(attr: str) -> Any:
    """The error for a file given as an attribute, nix-build's habit (``pybuild build
    project.py``), naming the argument as given: read as an attribute path it stops at its
    first dot (``recipes/six``). A recipe module joins the set from its folder, as
    ``--recipes DIR NAME`` builds it; another file's attributes are ``-f FILE ATTR``."""
    import shlex

    from ..errors import MissingAttribute

    error = MissingAttribute(attr, "the package set", ())
    folder, name = os.path.split(attr)
    if name.endswith(".py") and not name.startswith("_") and _defines_recipe(attr):
        error.hint = (
            f"it is a recipe module: its folder adds it to the set as {name[:-3]}, so build it"
            f" with --recipes {shlex.quote(folder or '.')} {shlex.quote(name[:-3])}"
        )
    else:
        error.hint = f"to use the attributes of a file, name it with -f: -f {attr} ATTR"
    return error


def _a_path_not_an_attribute(attr: str) -> Any:
    """The error for a path, or a store path's name (``<hash>-python3.11-env``), given where
    an attribute is wanted, naming it whole: read as an attribute path it stops at its
    first dot (``<hash>-python3``). A store path's name says where the path is, if it is."""
    from ..errors import MissingAttribute
    from ..store.paths import is_store_name

    error = MissingAttribute(attr, "the package set", ())
    if is_store_name(attr):
        store = open_store()
        error.hint = (
            f"it names the store path {store.path(attr)}: give that path where a command takes"
            " paths"
            if store.is_valid(attr)
            else f"it is {_shaped_but_missing(store)}"
        )
    return error


def _shaped_but_missing(store: Any) -> str:
    """What is said of an argument shaped as a store path's name that `store` has not, as
    an attribute or as a ``.drv``: the store was asked, not the folder here."""
    return f"shaped as a store path's name, but the store {store.dir} has no such path"


def _defines_recipe(file: str) -> bool:
    """Whether `file`'s top level defines ``recipe(...)``, what makes a recipe module
    (:func:`~pybuild.pkgset.recipe_function`). Its syntax is read, nothing is run: a file
    named by mistake may do anything as it is imported (resolve from the index, build)."""
    import ast

    try:
        body = ast.parse(Path(file).read_bytes()).body
    except (OSError, SyntaxError, ValueError):  # ValueError: a null byte
        return False
    return any(isinstance(node, ast.FunctionDef) and node.name == "recipe" for node in body)


TARGET_HELP = (
    "an attribute of the set (or of FILE), or a .drv file, output path or result link (a path"
    " has a '/', unless it is a link into the store or the name of a path in it)"
)


def built_targets(p: argparse.ArgumentParser) -> None:
    """The ``ATTR|PATH…`` arguments of a command that asks the store about them
    (:func:`outputs_named` reads them), with the options that choose the set or file."""
    completes_attrs(
        p.add_argument(
            "targets",
            nargs="+",
            metavar="ATTR|PATH",
            help=f"{TARGET_HELP}; an attribute names its outputs, which must be built",
        )
    )
    target_options(p)


def target_options(p: argparse.ArgumentParser) -> None:
    """``-f FILE`` and the set's options, for a command whose arguments are read by
    :func:`named_targets`."""
    p.add_argument(
        "-f", "--file", help="Python file whose attributes are derivations or packages (ATTR)"
    )
    set_arguments(p)


def named_targets(
    args: argparse.Namespace, targets: Sequence[str], store: Any, *, together: bool = True
) -> list[Any]:
    """What each command-line argument in `targets` names, as Nix's installables: a path's
    store basename, or the derivation of an attribute of the set (evaluated with the set's
    options) or of ``-f FILE``. An argument is a path if it has a separator, ends in ``.drv``,
    is ``.`` or ``..``, is a link into the store or a stored path's basename
    (:func:`names_a_path`). The set is evaluated once, and only when an attribute is named: a
    command given paths alone stays quick. `together`: the ``pypi:`` requests are resolved
    together (:func:`select_attrs`), as the packages of one environment."""
    is_path = [names_a_path(target, store) for target in targets]
    attrs = [target for target, path in zip(targets, is_path, strict=True) if not path]
    if not attrs:
        _refuse_unused_options(args, targets)
    values, pkgs = attr_values(args, attrs, together=together)
    drvs = (as_derivation(value, attr, pkgs) for value, attr in zip(values, attrs, strict=True))
    return [
        path_name(target, store) if path else next(drvs)
        for target, path in zip(targets, is_path, strict=True)
    ]


def path_name(target: str, store: Any) -> str:
    """The store basename the path `target` names (or is, a stored path's basename with no
    file of its name here: one the store has not, a ``.drv``'s, is told as the store's
    absence, not the folder's). One outside the store that does not exist is said to be
    missing, as Nix says: that it is not in the store is the lesser news."""
    from ..errors import InvalidPath
    from ..store.paths import is_store_name

    if not os.path.lexists(target) and os.sep not in target and is_store_name(target):
        if store.is_valid(target):
            return target
        raise InvalidPath(target, _shaped_but_missing(store))
    inside = os.path.abspath(target).startswith(os.path.join(store.dir, ""))
    if not inside and not os.path.lexists(target):
        raise InvalidPath(target, "no such file or directory")
    try:
        return store.parse(target)
    except InvalidPath as error:
        if not inside and not error.hint:  # the store's own hint (a moved home's link) stands
            _name_it_here(error, target, store)
        raise


def refuse_a_bare_name(target: str, command: str, besides: str = "") -> None:
    """Refuse `target`, given to `command`, which takes store paths or result links alone
    (``delete``, ``sign``), when it is neither a file here nor shaped as a store path's name:
    most likely an attribute (``pybuild delete idna``), which each command told in its own
    words of the store (not inside it; no ``<hash>-<name>``). The error is the same for each,
    and says where a package's path is found, then `besides` (what else the command takes)."""
    from ..errors import InvalidPath
    from ..store.paths import is_store_name

    if os.sep in target or os.path.lexists(target) or is_store_name(target):
        return
    import shlex

    error = InvalidPath(target, "no such file or store path")
    error.hint = (
        f"{command} takes store paths or result links; for a package of the set, its path is"
        f" `pybuild path-info {shlex.quote(target)}`"
    ) + (f" ({besides})" if besides else "")
    raise error


def _name_it_here(error: Any, target: str, store: Any) -> None:
    """For `target`, a path of another store (another home's, or its result link): the hint
    names the path of its name in this store, as a binary cache names paths, by name alone."""
    from ..store.paths import is_store_name

    parts = (*Path(os.path.abspath(target)).parts, *Path(os.path.realpath(target)).parts)
    name = next((part for part in parts if is_store_name(part)), None)
    if name is not None:
        error.hint = (
            f"it is in another store: give its basename, {name}, as binary caches name paths,"
            f" or this store's path of that name, {store.path(name)}"
        )


def outputs_named(
    args: argparse.Namespace, targets: Sequence[str], store: Any, *, together: bool = True
) -> list[list[str]]:
    """The store paths (basenames) each argument in `targets` names, each valid: a path
    itself, an attribute its outputs (:func:`named_targets`, `together` as there). An
    attribute is evaluated, not built: its outputs must be in the store already, or the error
    says to build it."""
    named = []
    found_all = named_targets(args, targets, store, together=together)
    for target, found in zip(targets, found_all, strict=True):
        if isinstance(found, str):
            store.info(found)  # a clear error for a path that is not valid
            named.append([found])
        else:
            named.append(_built_outputs(found, target, store))
    return named


def names_a_path(target: str, store: Any) -> bool:
    """Whether the command line's `target` is a path: it has a separator (``./result``, as Nix
    asks), ends in ``.drv``, is ``.`` or ``..`` (no attribute path is), is a link into the
    store (``result``), or into its old location (the home was moved: told as such, not as an
    attribute), or the basename of a path in the store (:func:`_a_stored_basename`). The link
    and the store are compared resolved, not as written: a relative link, or a store reached
    through a ``PYBUILD_HOME`` that is itself a link, leads into the store all the same."""
    if os.sep in target or target.endswith(".drv") or target in (os.curdir, os.pardir):
        return True
    if not os.path.islink(target):
        return _a_stored_basename(target, store)
    if os.path.realpath(target).startswith(os.path.realpath(store.dir) + os.sep):
        return True
    from ..store.roots import moved_link

    return moved_link(store, target) is not None


def _a_stored_basename(target: str, store: Any) -> bool:
    """Whether `target` is the basename of a path in the store (``<hash>-python3.11-env``, as
    ``ls`` of the store shows it): it names that path, as nothing else can be so named."""
    from ..store.paths import is_store_name

    return os.sep not in target and is_store_name(target) and store.is_valid(target)


def attr_values(
    args: argparse.Namespace, attrs: Sequence[str], *, together: bool = True
) -> tuple[list[Any], Any]:
    """The values of `attrs`: of ``-f FILE``, or of the set the command line chooses, with
    that set (None for a file), whose recipes an error about a value can name. `together`:
    the ``pypi:`` requests are resolved together (:func:`select_attrs`); else each alone, as
    ``pybuild build`` of it alone resolves it."""
    if not attrs:
        return [], None
    if args.file:
        refuse_set_options(args)
        backend_output(args)
        return file_attrs(args.file, attrs), None
    pkgs = package_set(args)
    if together:
        return select_attrs(pkgs, attrs), pkgs
    return [select_attr(pkgs, attr) for attr in attrs], pkgs


def _refuse_unused_options(args: argparse.Namespace, paths: Sequence[str]) -> None:
    """Paths alone: the options that choose a set (or ``-f FILE``) would change none of them,
    and are refused rather than ignored."""
    given = set_options_given(args) + (["-f FILE"] if args.file else [])
    if given:
        named = f"{paths[0]} is a store path" if len(paths) == 1 else "these are store paths"
        them = "it" if len(given) == 1 else "them"
        raise UsageError(f"{named}, which {' and '.join(given)} would not change: drop {them}")


def _built_outputs(drv: Any, attr: str, store: Any) -> list[str]:
    """The outputs of `attr`'s derivation `drv`, which must be valid."""
    outputs = list(drv.output_paths.values())
    missing = [output for output in outputs if not store.is_valid(output)]
    if missing:
        error = UsageError(f"{attr}: its output {store.path(missing[0])} is not in the store")
        error.hint = f"build it first (pybuild build {attr}, with the same options)"
        raise error
    return outputs


def located_python(args: argparse.Namespace) -> str | None:
    """The interpreter ``--python`` names now (PATH or a version manager may change it), for
    the evaluation cache's key; None without ``--python``."""
    if getattr(args, "python", None) is None:
        return None
    from ..python.locate import locate_python

    return locate_python(args.python)


@contextlib.contextmanager
def recorded_valid(store: Any, key: str | None) -> Iterator[list[Any] | None]:
    """The targets the evaluation record `key` holds, while their outputs are valid: held as
    temporary roots for the block (taken before checking, so no gc takes them between), or
    None when there is no record, it no longer holds, or an output is gone."""
    from ..evalcache import lookup, repeat_warnings
    from ..store.temproots import temp_roots

    cached = lookup(store, key) if key else None
    if cached is None:
        yield None
        return
    outputs = [p for t in cached for p in t.output_paths.values()]
    with temp_roots(store, outputs):
        # There too: one deleted by hand goes the long way, which says what is wrong.
        valid = all(store.holds(p) for p in outputs)
        if valid:
            repeat_warnings()  # what the evaluation warned of, as though it ran again
        yield cached if valid else None


def evaluate_recorded(store: Any, key: str, evaluate: Callable[[], Any]) -> Any:
    """Run `evaluate` while recording what it reads (:mod:`pybuild.evalcache`), and keep the
    record under `key`; what it returns (derivations, or a list of them)."""
    from ..evalcache import Recorder, save
    from ..fetchers import remembered_files
    from ..python.interpreter import facts_folder
    from ..settings import config_file
    from ..store.validity import notes_folder

    # Besides the store's own records, pybuild's memos of exact answers: where the file of a
    # known hash is, an interpreter's facts by its binary. An entry never changes what it
    # answers, so a new one, written for another command, must not end this command's record.
    memos = [str(remembered_files(store.home)), os.path.join(facts_folder(store.home), "")]
    registry = store.registry
    recorder = Recorder(
        str(store.dir),
        kept=[str(registry.path), str(registry.reserve), notes_folder(str(store.var)), *memos],
    )
    with recorder.recording():
        recorder.note_settings(str(config_file()))
        result = evaluate()
    save(store, key, recorder, result if isinstance(result, list) else [result])
    return result
