"""The answer before the parser: the commands that usually do nothing, at the interpreter's pace.

``pybuild --version``, ``--help``, a repeated ``pybuild build [-f FILE] ATTR…``, a repeated
``pybuild shell -p ATTR… --run CMD`` and ``pybuild run ATTR ARG…`` are what people (and
scripts) run most, and most often
they have nothing to do; ``rollback`` and ``switch-generation`` are one rename. Answering them
through :mod:`pybuild.cli` costs argparse, every command module, the settings (TOML), the
store's classes and SQLite's registry layer: three times the interpreter's own start. Here they
are answered with what the standard library has loaded anyway, plus the evaluation record
(:mod:`pybuild.evalcache`) and whether the outputs are valid (asked of the registry, then noted
until it changes: :mod:`pybuild.store.validity`); ``pybuild --help`` is a copy of
argparse's text, kept beside the evaluation records and made again whenever the command modules
or the terminal's width change.

Anything this module does not recognise exactly (another option, a record that does not hold,
an output no longer valid, any error) goes to the full command line, which gives the same
answer the long way: the fast path may only ever answer less, never differently.
"""

from __future__ import annotations

import os
import sys

from .rootsfile import HeldRoots
from .store.home import home_dir

TYPE_CHECKING = False  # typing is one of the imports this module exists to avoid
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

__all__ = ["answer", "help_text_path", "version_line"]

_HELP = ("-h", "--help")


def version_line() -> str:
    """``pybuild 0.1.0 from /…/pybuild (python 3.11)``, as pip says its version: which
    pybuild answers, where two (a checkout on PYTHONPATH, an older one) may be at hand."""
    from . import __version__

    python = ".".join(map(str, sys.version_info[:2]))
    return f"pybuild {__version__} from {os.path.dirname(__file__)} (python {python})"


def answer(argv: Sequence[str]) -> int | None:
    """The exit status of `argv` answered here, or None: the full command line must run."""
    if list(argv) == ["--version"]:
        print(version_line())
        return 0
    if list(argv) in ([], ["-h"], ["--help"]):
        return _help(len(argv) == 0)
    if not argv or argv[0] not in ("build", "shell", "run", "rollback", "switch-generation"):
        return None
    home = _home()
    if home is None:
        return None
    try:
        if argv[0] == "build":
            return _build(home, argv[1:])
        if argv[0] == "shell":
            return _shell(home, argv[1:])
        if argv[0] == "run":
            return _run(home, argv[1:])
        return _switch(home, argv[0], argv[1:])
    except BrokenPipeError:
        raise  # the reader of the output has gone: the full command line would not help
    except (OSError, ValueError):
        return None  # whatever went wrong, the full command line says it properly


def _home() -> str | None:
    """The store's home as :func:`pybuild.store.default_home` finds it, when it is already
    absolute and normal (``pathlib`` would spell any other the same way only after work)."""
    home = home_dir(os.environ)
    if not os.path.isabs(home) or os.path.normpath(home) != home or home.startswith("//"):
        return None
    return home


_VALUED = {
    "-f": "file",
    "--file": "file",
    "--recipes": "recipes",
    "-p": "packages",
    "--packages": "packages",
    "--run": "run",
    "--with": "with",
    "--bin": "bin",
}
_SINGLE = ("file", "run", "bin")  # argparse keeps the last of these: given twice, the long way


def _scan(rest: Sequence[str], allowed: set[str]) -> dict[str, list[str]] | None:
    """The options of a command line as argparse reads them, or None for anything else: an
    option not in `allowed`, an abbreviation, ``--x=y``, a value that looks like an option,
    attributes not given in one run (argparse refuses those), one option given twice."""
    found: dict[str, list[str]] = {"attrs": []}
    i, attrs_ended = 0, False
    while i < len(rest):
        token = rest[i]
        name = _VALUED.get(token)
        if token == "--no-default-recipes" and token in allowed:
            found["no_default"] = []
            i += 1
        elif name is not None and token in allowed:
            if i + 1 == len(rest) or rest[i + 1].startswith("-"):
                return None
            if name in _SINGLE and name in found:
                return None
            found.setdefault(name, []).append(rest[i + 1])
            attrs_ended = attrs_ended or bool(found["attrs"])
            i += 2
            while name == "packages" and i < len(rest) and not rest[i].startswith("-"):
                found[name].append(rest[i])  # ``-p a b``: argparse's nargs="+" takes them all
                i += 1
        elif token.startswith("-") or attrs_ended or "attrs" not in allowed:
            return None
        else:
            found["attrs"].append(token)
            i += 1
    return found


def _recipe_folders(found: dict[str, list[str]]) -> list[str] | bool | None:
    """The recipe folders as :func:`pybuild.commands.common.recipe_folders` names them (None:
    the default set), or False when only the full command line can say (or refuse)."""
    given = found.get("recipes", [])
    if any(os.path.normpath(r) != r or r.startswith("//") for r in given):
        return False  # pathlib would spell it otherwise
    absolute = [r if os.path.isabs(r) else os.path.join(os.getcwd(), r) for r in given]
    if not absolute:  # the default set alone, or refused by the full command line
        return False if "no_default" in found else None
    from .bundled import shipped, with_default_set

    if "no_default" not in found and shipped("recipes") is None:
        return False  # the default set is missing: the full command line says so
    return with_default_set(absolute, "no_default" in found)


def _build(home: str, rest: Sequence[str]) -> int | None:
    """``build [-f FILE] [--recipes DIR…] ATTR…`` answered from its evaluation record."""
    found = _scan(rest, {"-f", "--file", "--recipes", "--no-default-recipes", "attrs"})
    if found is None or not found["attrs"]:
        return None
    folders = _recipe_folders(found)
    file = found.get("file", [None])[0]
    if folders is False:
        return None
    command = ["build", file, found["attrs"], folders, None, None]  # as commands/build.py has it
    return _with_outputs(home, command, None, _print_paths)


def _print_paths(paths: list[str]) -> int:
    sys.stdout.write("".join(f"{path}\n" for path in paths))
    return 0


def _shell(home: str, rest: Sequence[str]) -> int | None:
    """``shell -p ATTR… [--recipes DIR…] --run CMD`` answered from its evaluation record: the
    command runs in the environment the record names, as the full command would run it."""
    found = _scan(rest, {"-p", "--packages", "--recipes", "--no-default-recipes", "--run"})
    if found is None or not found.get("packages") or "run" not in found:
        return None
    folders = _recipe_folders(found)
    if folders is False:
        return None
    command = ["shell", found["packages"], folders, None, None, None]  # as commands/shell.py has it

    def run(paths: list[str]) -> int:
        from .shell import run_in_environment

        return run_in_environment(paths[0], False, found["run"][0])

    return _with_outputs(home, command, 1, run)


def _run(home: str, rest: Sequence[str]) -> int | None:
    """``run [-f FILE] [--recipes DIR…] [--with ATTR…] [--bin NAME] ATTR [ARG…]`` answered
    from its evaluation record: the package's program runs as the full command would run it.
    Those options may also follow ATTR up to a ``--`` (``run ATTR --bin NAME -- ARG…``)."""
    split = 0  # where ATTR is: after the options, as argparse reads them before it
    while split < len(rest) and rest[split].startswith("-"):
        split += 1 if rest[split] == "--no-default-recipes" else 2
    if split >= len(rest):
        return None
    allowed = {"-f", "--file", "--recipes", "--no-default-recipes", "--with", "--bin"}
    found = _scan(rest[:split], allowed)
    folders = _recipe_folders(found) if found is not None else False
    if found is None or found["attrs"] or folders is False:
        return None
    attr, args = rest[split], list(rest[split + 1 :])
    cut = args.index("--") if "--" in args else 0
    if cut:  # ``run ATTR OPTION… -- ARG…``: pybuild's options if all are (commands/shell.py)
        after = _scan(args[:cut], allowed)
        if after is None or after["attrs"]:
            return None  # the full command line tells the program's from pybuild's
        return _run(home, [*rest[:split], *args[:cut], attr, *args[cut:]])
    file = found.get("file", [None])[0]
    command = ["run", attr, found.get("with", []), folders, None, None, file]  # as shell.py has it

    def run(paths: list[str]) -> int | None:
        from .errors import UsageError
        from .shell import run_program

        try:
            return run_program(paths, found.get("bin", [None])[0], args)
        except UsageError:
            return None  # the program cannot be chosen: the full command line says why

    return _with_outputs(home, command, None, run)  # the environment, and the package's own


def _switch(home: str, command: str, rest: Sequence[str]) -> int | None:
    """``rollback [--profile NAME]`` and ``switch-generation N [--profile NAME]``: the same
    checks and the same rename as the full command, the registry asked at most once."""
    profile, number = "default", None
    rest = list(rest)
    if command == "switch-generation":
        numbers = [a for a in rest if a.isdecimal() and a.isascii()]
        if not numbers:
            return None
        number = int(numbers[0])
        rest.remove(numbers[0])
    if rest[:1] == ["--profile"] and len(rest) == 2 and not rest[1].startswith("-"):
        profile, rest = rest[1], []
    if rest:
        return None
    from .profiles.links import GenerationLinks, ProfileError

    store = _Home(home)
    try:
        links = GenerationLinks(os.path.join(store.var, "profiles"), profile)
        said = links.switch(
            number,
            os.path.join(store.var, "locks"),
            store.dir,
            lambda name: _valid(store.var, [name]),
        )
    except ProfileError:
        return None  # nothing was changed: the full command line reports it
    print(said, file=sys.stderr, flush=True)
    return 0


class _Home:
    """The little of :class:`pybuild.store.Store` that the evaluation records and a profile's
    switch need: where the store and its state are."""

    def __init__(self, home: str) -> None:
        self.home = home
        self.dir = os.path.join(home, "store")
        self.var = os.path.join(home, "var")


def _with_outputs(
    home: str, command: Sequence[object], count: int | None, use: Callable[[list[str]], int | None]
) -> int | None:
    """`use` the paths of the outputs the record of `command` holds (`count` of them, if
    given), held as roots while it runs (taken before the registry is asked, as the full
    command takes them); None when the record or an output no longer holds."""
    store = _Home(home)
    names = _recorded_outputs(store, command)
    if names is None or (count is not None and len(names) != count):
        return None
    with HeldRoots(store.var, names):
        if not _valid(store.var, names):
            return None
        from .evalcache import repeat_warnings  # loaded by the lookup

        repeat_warnings()  # what the evaluation warned of, as though it ran again
        return use([os.path.join(store.dir, name) for name in names])


def _recorded_outputs(store: _Home, command: Sequence[object]) -> list[str] | None:
    """The output names the record of `command` holds, if nothing it read has changed."""
    from .evalcache import cache_key, lookup

    targets = lookup(store, cache_key(store, command))
    if targets is None:
        return None
    return [name for t in targets for name in t.output_paths.values()]


def _valid(var: str, names: list[str]) -> bool:
    """:func:`pybuild.store.validity.valid`, loaded only by the commands that ask it."""
    from .store.validity import valid

    return valid(var, names)


def help_text_path(width: int) -> str | None:
    """Where the copy of ``pybuild --help`` for a terminal `width` is kept: named by the
    stamps of the modules that make the parser, so an edit (or an upgrade) makes it anew."""
    home = _home()
    if home is None:
        return None
    here = os.path.dirname(os.path.abspath(__file__))
    stamps = []
    for folder in (here, os.path.join(here, "commands")):
        for entry in sorted(os.scandir(folder), key=lambda e: e.name):
            if entry.name.endswith(".py"):
                st = entry.stat()
                stamps.append((entry.name, st.st_mtime_ns, st.st_size))
    from .evalcache import text_hash

    key = text_hash(repr([here, sys.version, width, stamps]))
    return os.path.join(home, "var", "cache", "help", key + ".txt")


def terminal_width() -> int:
    """The width argparse wraps its help to (``shutil.get_terminal_size``, read the same way)."""
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


def _help(no_command: bool) -> int | None:
    """The kept copy of ``pybuild --help`` (with no arguments: the same text, status 2)."""
    path = help_text_path(terminal_width())
    if path is None:
        return None
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except OSError:
        return None
    sys.stdout.write(text)
    return 2 if no_command else 0
