"""``pybuild shell``: a command or an interactive shell in an environment of packages; ``pybuild
run``: a package's program, as ``nix run`` and ``uvx`` run one."""

from __future__ import annotations

import argparse
import os
import shlex

from ..errors import MissingArgument, MissingAttribute, UsageError
from .common import (
    add_build_flags,
    add_dry_run,
    add_refresh_flag,
    as_derivation,
    backend_output,
    build_options,
    completes_attrs,
    evaluate_recorded,
    file_attrs,
    file_environment,
    get_settings,
    keyed_command,
    located_python,
    open_store,
    package_set,
    print_work,
    recipe_folders,
    recorded_valid,
    refuse_set_options,
    select_attrs,
    set_arguments,
)

TYPE_CHECKING = False  # typing: an import no command needs at run time
if TYPE_CHECKING:
    from typing import Any, NoReturn


def register(commands: Any) -> None:
    p = commands.add("shell", _shell, "run a command (or a shell) in an environment of packages")
    packages = p.add_argument(
        "-p",
        "--packages",
        action="extend",
        nargs="+",
        metavar="ATTR",
        default=[],
        help="packages of the set (or pypi:NAME) to put in the environment (-p a b, as"
        " nix-shell reads it; repeatable); python is the interpreter alone",
    )
    completes_attrs(packages)
    p.add_argument(
        "-f",
        "--file",
        help="Python file whose env is the environment (as ./shell.py is), or whose attributes"
        " the -p packages are",
    )
    set_arguments(p)
    p.add_argument(
        "--pure",
        action="store_true",
        help="start from an empty environment (keeps HOME, TERM, the proxies, the PYBUILD_"
        " settings and a few more); a shell reads none of your start-up files (~/.bashrc), as"
        " nix-shell --pure",
    )
    p.add_argument("--run", metavar="CMD", help="run CMD with /bin/sh instead of a shell")
    add_build_flags(p)
    add_refresh_flag(p)
    add_dry_run(p)
    _register_run(commands)


def _register_run(commands: Any) -> None:
    p = commands.add(
        "run", _run, "run a package's program in an environment of it (as nix run and uvx do)"
    )
    p.description = (
        "Run the program of package ATTR (the one named as the package, or its only one) with"
        " ARGs, in an environment of it and the --with packages. Everything after ATTR is the"
        " program's (as uvx takes it), unless a -- follows options of pybuild run alone:"
        " `pybuild run ATTR --bin NAME -- ARG...` takes --bin as pybuild's and passes the ARGs"
        " after -- to the program (as nix run reads its line). ATTR may be an environment of"
        " FILE (`pybuild run -f shell.py env --bin NAME`): its program is python, or --bin's."
    )
    p.set_defaults(handler=lambda args: _run(_options_after_attr(args, p)))
    completes_attrs(
        p.add_argument(
            "attr",
            metavar="ATTR",
            help="the package (or pypi:NAME), of the set or FILE, or an environment of FILE;"
            " python: the interpreter",
        )
    )
    program_args = p.add_argument(
        "args",
        nargs=argparse.REMAINDER,
        metavar="ARG",
        help="the program's; or options of run, then -- and the program's",
    )
    # argparse (before 3.13) takes a REMAINDER for a required argument: `pybuild run` alone
    # was told ATTR and ARG are required, though a program needs no arguments.
    program_args.required = False
    p.add_argument("-f", "--file", help="Python file whose attributes ATTR and the --with ones are")
    p.add_argument(
        "--bin",
        metavar="NAME",
        help="the program to run, any of the environment's (python, a dependency's)",
    )
    with_ = p.add_argument(
        "--with",
        dest="with_packages",
        action="append",
        metavar="ATTR",
        default=[],
        help="another package in the environment (repeatable)",
    )
    completes_attrs(with_)
    set_arguments(p)
    add_build_flags(p)
    add_refresh_flag(p)
    add_dry_run(p)


def _environment(args: argparse.Namespace) -> Any:
    """The environment of ``-p`` packages (of the set, or of ``-f FILE``), or ``env`` of
    ``-f FILE`` or of ``shell.py`` in this folder (as ``nix-shell FILE`` and ``shell.nix``)."""
    if args.file:
        refuse_set_options(args)
        backend_output(args)
        return file_environment(args.file, args.packages) if args.packages else _env(args.file)
    if args.packages:
        pkgs = package_set(args)
        chosen = [p for p in _chosen(pkgs, args.packages) if p is not None]
        return as_derivation(pkgs.python.with_packages(lambda ps: chosen), "env", pkgs)
    if not os.path.exists("shell.py"):
        raise MissingArgument("name packages with -p ATTR, or write a shell.py whose env is one")
    refuse_set_options(args, "shell.py")
    backend_output(args)
    return _env("shell.py")


def _env(file: str) -> Any:
    """The environment `file` names ``env``; the error for a file without one says what
    ``env`` must be, besides the names the file has."""
    try:
        return file_environment(file, ["env"])
    except MissingAttribute as error:
        if error.name == "env" and error.where == file:
            told = f"{error.hint}; its " if error.hint else ""
            error.hint = f"{told}env must be an environment: env = pkgs.python.with_packages([...])"
        raise


def _chosen(pkgs: Any, attrs: list[str]) -> list[Any]:
    """The Python packages `attrs` name in the set, for an environment, and None where one
    names the set's interpreter (``python``), which every environment has: ``-p python`` is
    an environment of no packages, as ``nix-shell -p python3`` is the interpreter. Anything
    else is an error that names its attribute, before an environment is made of it."""
    from ..lazy import force
    from ..pkgset import a_noun
    from ..python.environment import PythonForSet
    from ..python.package import PythonPackage

    chosen: list[Any] = []
    for attr, value in zip(attrs, map(force, select_attrs(pkgs, attrs)), strict=True):
        if isinstance(value, PythonForSet) and value.interpreter == pkgs.python.interpreter:
            chosen.append(None)
        elif isinstance(value, PythonPackage):
            chosen.append(value)
        else:
            error = UsageError(f"{attr} is {a_noun(type(value).__name__)}, not a Python package")
            error.hint = (
                "an environment is made of Python packages of the set; python alone is its"
                " interpreter (--python X.Y chooses another)"
            )
            raise error
    return chosen


def _shell(args: argparse.Namespace) -> int:
    """Realise the environment (answered from the evaluation cache when a record holds, as
    ``pybuild build`` is), then run the command or shell in it."""
    from ..realiser import realise
    from ..shell import run_in_environment

    store = open_store()
    settings = get_settings(args)
    key = None if args.dry_run or not settings.eval_cache else _cache_key(args, store)
    with recorded_valid(store, None if args.refresh else key) as cached:
        if cached is not None and len(cached) == 1:
            (out, *_) = cached[0].output_paths.values()
            return run_in_environment(str(store.path(out)), args.pure, args.run)
    options = build_options(args, settings)
    if key:
        drv = evaluate_recorded(store, key, lambda: as_derivation(_environment(args), "env"))
    else:
        drv = as_derivation(_environment(args), "env")
    if args.dry_run:
        return print_work([drv], store, options)
    realise([drv], store, options)
    return run_in_environment(drv.path(store=store), args.pure, args.run)


def _cache_key(args: argparse.Namespace, store: Any) -> str:
    """The evaluation cache's name for the environment this command line names (the fast path,
    pybuild/fastpath.py, names ``shell -p ATTR… --run CMD`` the same way)."""
    from ..evalcache import cache_key

    command = [
        "shell",
        args.packages,
        recipe_folders(args),
        args.overlay,
        located_python(args),
        args.file,
    ]
    return cache_key(store, keyed_command(args, command))


class _NotRunOptions(Exception):
    """The words before a ``--`` are not all options of ``pybuild run``."""


class _StrictParser(argparse.ArgumentParser):
    """``run``'s options, each spelled in full, raising instead of printing usage and
    exiting: a program's own argument must never be read as an abbreviated option."""

    def error(self, message: str) -> NoReturn:
        raise _NotRunOptions(message)


def _options_after_attr(args: argparse.Namespace, parser: Any) -> argparse.Namespace:
    """``pybuild run ATTR --bin NAME -- ARG…``, as ``nix run`` reads its line: the words
    between ATTR and the first ``--`` are pybuild's when every one of them parses as an option
    of ``run`` (with its values), and only the ARGs after ``--`` are the program's. Otherwise,
    and without a ``--``, everything after ATTR stays the program's, as ``uvx`` takes it: a
    program's ``pybuild run black -l 80 -- file.py`` keeps its ``-l 80``.

    pybuild/fastpath.py reads a repeated command line the same way."""
    cut = args.args.index("--") if "--" in args.args else 0
    if cut == 0:  # none, or first: run_program drops it
        return args
    strict = _StrictParser(parents=[parser], add_help=False, allow_abbrev=False)
    words = [*args.args[:cut], args.attr]
    try:
        parsed, extra = strict.parse_known_args(words, argparse.Namespace(**vars(args)))
    except _NotRunOptions:
        return args
    if extra or parsed.attr != args.attr or parsed.args:
        return args  # a word of the program's took ATTR's place
    parsed.args = args.args[cut:]  # its -- is dropped by run_program
    vars(args).update(vars(parsed))  # the command line's own: --show-trace, -q are read there
    return args


def _run(args: argparse.Namespace) -> int:
    """Realise the environment of the package (and ``--with``), answered from the evaluation
    cache as ``shell`` is, then run the package's program in it."""
    from ..realiser import realise
    from ..shell import run_program

    store = open_store()
    settings = get_settings(args)
    key = None if args.dry_run or not settings.eval_cache else _run_cache_key(args, store)
    with recorded_valid(store, None if args.refresh else key) as cached:
        if cached is not None:
            paths = [str(store.path(t.output_paths["out"])) for t in cached]
            return run_program(paths, args.bin, args.args, shlex.quote(args.attr))
    options = build_options(args, settings)
    if key:
        targets = evaluate_recorded(store, key, lambda: _run_targets(args))
    else:
        targets = _run_targets(args)
    if args.dry_run:
        return print_work(targets[:1], store, options)
    realise(targets, store, options)  # the package too: in the environment, and checked there
    paths = [t.path(store=store) for t in targets]
    return run_program(paths, args.bin, args.args, shlex.quote(args.attr))


def _run_targets(args: argparse.Namespace) -> list[Any]:
    """The environment of ``run``'s package and ``--with`` packages, and the package's own
    derivation (its programs are the ones it may run); the environment alone when the package
    is the set's interpreter, whose program is python (``run python``, as ``uvx python``)."""
    if args.file:
        return _file_targets(args)
    pkgs = package_set(args)
    try:
        pkg, *more = _chosen(pkgs, [args.attr, *args.with_packages])
    except MissingAttribute as error:
        _explain_options_after_attr(error, args)
        raise
    env = pkgs.python.with_packages(lambda ps: [p for p in [pkg, *more] if p is not None])
    own = [] if pkg is None else [as_derivation(pkg, args.attr, pkgs)]
    return [as_derivation(env, "env", pkgs), *own]


# run's options that choose what ATTR is: given after ATTR (the program's), they are the
# likeliest reason it is not found.
_SET_OPTIONS = ("--overlay", "--recipes", "--no-default-recipes", "-f", "--file", "--python")


def _explain_options_after_attr(error: MissingAttribute, args: argparse.Namespace) -> None:
    """An attribute not found while the program's arguments hold options that would have
    found it (``pybuild run greeter --overlay overlay.py``): the hint says where they go,
    not to use the option the user did use."""
    given = [word for word in args.args if word.split("=", 1)[0] in _SET_OPTIONS]
    if not given:
        return
    option, attr = given[0].split("=", 1)[0], args.attr
    error.hint = (
        f"the words after {attr} are the program's, {option} too: give run's options before"
        f" {attr} (pybuild run {option} ... {attr} ARG...), or end them with --"
        f" (pybuild run {attr} {option} ... -- ARG...)"
    )


def _file_targets(args: argparse.Namespace) -> list[Any]:
    """``run -f FILE ATTR``: a package of the file (a project's own, as ``build -f`` builds
    it), in an environment with its ``--with`` packages, for the interpreter it is built for;
    or an environment of the file (``env`` of a shell.py), with the ``--with`` packages
    added, whose program is python or ``--bin``'s, as ``shell -f FILE --run`` runs it."""
    from ..python.environment import Environment
    from ..python.package import PythonPackage

    refuse_set_options(args)
    backend_output(args)
    pkg, *more = file_attrs(args.file, [args.attr, *args.with_packages])
    if isinstance(pkg, Environment):
        env = pkg
        if more:
            env = Environment(
                pkg.python,
                [*pkg.roots, *more],
                pkg.ignore_collisions,
                pkg.name,
                pkg.listed_programs_only,
            )
        return [as_derivation(env, args.attr)]
    if not isinstance(pkg, PythonPackage):
        raise UsageError(
            f"{args.file}: {args.attr} is neither a Python package nor an environment, so it"
            " has no programs"
        )
    env = Environment(pkg.python, [pkg, *more])
    return [as_derivation(env, "env"), as_derivation(pkg, args.attr)]


def _run_cache_key(args: argparse.Namespace, store: Any) -> str:
    """The evaluation cache's name for ``run``'s environment (the fast path,
    pybuild/fastpath.py, names ``run [--with ATTR…] ATTR`` the same way)."""
    from ..evalcache import cache_key

    command = [
        "run",
        args.attr,
        args.with_packages,
        recipe_folders(args),
        args.overlay,
        located_python(args),
        args.file,
    ]
    return cache_key(store, keyed_command(args, command))
