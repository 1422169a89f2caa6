# PYTHON_ARGCOMPLETE_OK  (argcomplete: this program completes itself)
"""The ``pybuild`` command line: parse, dispatch to a command module, report errors.

The commands live in :mod:`pybuild.commands`, one module per group. Every error prints as
one short block naming the place in the user's code (:mod:`pybuild.diagnostics`) and exits 1,
or 2 for a command line that cannot be read (a missing argument, a malformed ``pypi:``
requirement), as argparse does for one it finds; ``--show-trace`` prints the
whole traceback. Ctrl-C, SIGTERM and SIGHUP interrupt a command alike: what it made so far
is cleaned up, and it exits with 128 + the signal's number. Once ``shell`` or ``run`` has
started its command, they are the command's (:mod:`pybuild.shell`).
"""

from __future__ import annotations

import os
import sys

from .commands import COMMANDS, MODULES
from .fastpath import answer, help_text_path, terminal_width

TYPE_CHECKING = False  # argparse and typing load only when the fast path cannot answer
if TYPE_CHECKING:
    import argparse
    import signal as _signal
    from collections.abc import Callable, Sequence
    from types import FrameType
    from typing import Any, NoReturn

    Handler = Callable[[argparse.Namespace], int]
else:
    import _signal  # loaded with the interpreter; signal's module would import enum for it

__all__ = ["main"]

_MARK = "\0"  # in front of --option's words while argparse reads them (_mark_option_words)
_OPTION_HELP = "set a setting for this command (overrides config file and environment)"
_TRACE_HELP = "on an error, print the whole Python traceback, not only the place in your code"


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        status = _answer(argv)
        if sys.stdout is not None:  # None: closed, as the command has told
            sys.stdout.flush()  # here, not at exit: a reader gone is then told from a bug
        return status
    except BrokenPipeError as exc:
        from .brokenpipe import output_closed, quiet_exit

        if not output_closed(exc):
            raise
        return quiet_exit()
    except KeyboardInterrupt as exc:  # before the command (the fast path), or as it ends
        return _interrupted(exc)
    except Exception as exc:  # the results written after the command's end (OutputFailed)
        from .brokenpipe import output_failed
        from .diagnostics import describe

        print(describe(output_failed(exc)), file=sys.stderr)
        return 1


def _answer(argv: list[str]) -> int:
    """The exit status of `argv`: from the fast path if it can answer, else the full command,
    whose closed standard error never stops its work (:mod:`pybuild.brokenpipe`; the fast
    path writes its few lines at the end, and does without the module)."""
    if "_ARGCOMPLETE" not in os.environ and sys.stdout is not None:
        status = answer(argv)  # --version, --help, a repeated build: before any import
        if status is not None:
            return status
    from .brokenpipe import guard_streams, restore_streams
    from .pygc import held

    replaced = guard_streams()
    handlers = _catch_termination()
    try:
        with held:  # the whole command, as mypy does: its modules and values live to its end
            return _command(argv)
    except KeyboardInterrupt as exc:  # told here, to the forgiving stderr of a closed terminal
        return _interrupted(exc)
    finally:
        for number, handler in handlers.items():
            _signal.signal(number, handler)
        restore_streams(replaced)


def _interrupted(exc: KeyboardInterrupt) -> int:
    """Say that the command was interrupted; its status, as a shell reports a command that a
    signal ended: 130 for Ctrl-C, 143 for SIGTERM, 129 for SIGHUP."""
    if isinstance(exc, _Terminated):
        print(f"interrupted by {exc.name}", file=sys.stderr)
        return 128 + exc.number
    print("interrupted", file=sys.stderr)
    return 128 + _signal.SIGINT


class _Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP, raised where Ctrl-C raises KeyboardInterrupt: every clean-up that
    Ctrl-C runs (builders' groups killed, build folders and partial uploads removed) then runs
    for them too, where their default action ended pybuild at once and left all of it."""

    def __init__(self, name: str, number: int) -> None:
        super().__init__(name)
        self.name, self.number = name, number


def _catch_termination() -> dict[int, Any]:
    """Make SIGTERM (``kill``, a service manager's stop, a CI job's time-out) and SIGHUP (its
    terminal closed) interrupt the command; the handlers they had, to put back after it.

    Only the first one raises: a closed terminal sends SIGHUP to the whole process group and
    the shell may send its own, and a second exception would cut the clean-up short. A signal
    ignored when pybuild started (``nohup``) stays ignored; handlers can be set only from the
    main thread, so a command run from another thread keeps the ones it has. Not on the fast
    path, which makes nothing to clean up, nor on import: a library leaves signals to its
    program."""
    raised = False

    def interrupt(number: int, frame: FrameType | None) -> None:
        nonlocal raised
        if not raised:
            raised = True
            raise _Terminated("SIGTERM" if number == _signal.SIGTERM else "SIGHUP", number)

    replaced: dict[int, Any] = {}
    for number in (_signal.SIGTERM, _signal.SIGHUP):
        previous = _signal.getsignal(number)
        if previous == _signal.SIG_IGN:
            continue
        try:
            _signal.signal(number, interrupt)
        except ValueError:  # not the main thread
            break
        replaced[number] = _signal.SIG_DFL if previous is None else previous
    return replaced


def _command(argv: list[str]) -> int:
    """Parse `argv` and run its command (a short error, or the trace with --show-trace)."""
    parser = _parser(_modules_for(argv))
    _complete(parser)
    if argv in ([], ["-h"], ["--help"]):
        return _print_help(parser, status=2 if not argv else 0)
    _refuse_a_global_profile(argv)
    _refuse_options_before_the_command(parser, argv)
    _suggest_a_command(argv)
    if _python_after_a_command_without_it(parser, argv):
        from .diagnostics import describe

        print(describe(_no_package_set(argv)), file=sys.stderr)
        return 1
    args = parse(parser, argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        if args.python is not None and not getattr(args, "takes_python", False):
            raise _no_package_set(argv)
        from .settings import use_command_line
        from .store.home import check_home

        check_home(os.environ)
        # Every setting read while the command runs takes its --option pairs, also one read
        # deep in an evaluation, where no command line is at hand (a pypi: package's prefer).
        use_command_line([tuple(pair) for pair in args.option])
        _use_color(args.color)
        status: int = args.handler(args)
        sys.stdout.flush()  # a failing standard output is told as this command's error
        return status
    except (KeyboardInterrupt, SystemExit):
        raise  # an interruption (main tells it), or an exit, keeps its meaning
    except BaseException as exc:  # every error, ours or the user's code's (its own
        # BaseException too, `class Stop(BaseException)`, or a GeneratorExit raised outside
        # a generator, which means nothing here): one short block
        from .brokenpipe import output_closed

        if output_closed(exc):
            raise  # no error: the reader of the results has gone (main exits quietly)
        from .diagnostics import describe
        from .errors import BadArgument, MissingArgument

        _close_progress()
        from .progress import tell

        tell(describe(exc, show_trace=args.show_trace), args.color)
        unread = isinstance(exc, MissingArgument | BadArgument)
        return 2 if unread else 1  # 2: a command line that cannot be read, as argparse's own
    finally:
        _close_progress()
        _forget_command_line()
        _use_color("auto")


def _forget_command_line() -> None:
    """The command's --option pairs no longer apply once it returns: a program that runs
    main() and then uses the library (or main() again, as the tests do) reads its settings
    as they are, not as the last command line said."""
    settings = sys.modules.get("pybuild.settings")  # not loaded: no command line was taken
    if settings is not None:
        settings.forget_command_line()


def _no_package_set(argv: list[str]) -> Exception:
    """The error for ``--python`` given to a command that reads no package set."""
    from .errors import UsageError

    return UsageError(
        f"--python chooses the package set's interpreter; `pybuild {argv_command(argv)}`"
        " uses no package set"
    )


def _python_after_a_command_without_it(parser: argparse.ArgumentParser, argv: list[str]) -> bool:
    """Whether ``--python`` follows a command that has no such option (``gc --python 3.12``):
    argparse would refuse it as an unknown word ("did you mean '--option'?"), or take its
    value for the command's argument (``hash --python 3.12 /tmp``), where before the command
    it is told that the command uses no package set; so it is told after it too."""
    if not any(word.split("=", 1)[0] == "--python" for word in argv):
        return False  # most command lines: nothing to look for in the parser
    import argparse

    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    command = argv_command(argv)
    if command not in subparsers.choices or _option(subparsers.choices[command], "--python"):
        return False
    words = argv[argv.index(command) + 1 :]
    words = words[: words.index("--")] if "--" in words else words
    at = 0
    while at < len(words):
        if words[at] == "--option":  # its two words are taken verbatim, whatever they are
            at += 3
            continue
        if words[at].split("=", 1)[0] == "--python":
            return True
        at += 1
    return False


def parse(parser: argparse.ArgumentParser, argv: list[str]) -> argparse.Namespace:
    """`argv` parsed, each ``--option NAME VALUE`` taking its two words verbatim; a word no
    option takes is refused by the command's parser, with the command's usage (argparse's
    own would show pybuild's, as if the word were misplaced before the command)."""
    marked = _mark_option_words(argv)
    try:
        args, unknown = parser.parse_known_args(marked)
    except _Required as missing:
        # ``query --referrerz``: argparse misses --referrers before it gets to the word it
        # did not take; the word, read with nothing required, is what to tell.
        requiring = _drop_requirements(parser)
        try:
            args, unknown = parser.parse_known_args(marked)
        finally:
            for requirement in requiring:
                requirement.required = True
        if not unknown:
            import argparse

            argparse.ArgumentParser.error(missing.parser, missing.message)
    if unknown:
        command = getattr(args, "command_parser", parser)
        words = _unmarked(unknown)
        command.error(f"unrecognized arguments: {' '.join(words)}{_meant(command, words[0])}")
    for name, value in vars(args).items():
        setattr(args, name, _unmarked(value))
    args.option = [*args.option, *vars(args).pop("command_option", [])]
    return args


# How argparse's errors for a required argument not given start (Python 3.11 to 3.14).
_REQUIRED = ("the following arguments are required", "one of the arguments")


class _Required(Exception):
    """argparse's error for a required argument not given, held back by the parser until
    :func:`parse` knows the words no option takes."""

    def __init__(self, parser: argparse.ArgumentParser, message: str) -> None:
        super().__init__(message)
        self.parser, self.message = parser, message


def _drop_requirements(
    parser: argparse.ArgumentParser,
) -> list[argparse.Action | argparse._MutuallyExclusiveGroup]:
    """Make no argument of `parser` or of its commands' parsers required; those that were,
    for the caller to put back (contextlib, for a context manager, would cost the fast
    path its import)."""
    import argparse

    parsers, seen = [parser], []
    while parsers:
        each = parsers.pop()
        seen.append(each)
        for action in each._actions:
            if isinstance(action, argparse._SubParsersAction):
                parsers += action.choices.values()
    requiring: list[argparse.Action | argparse._MutuallyExclusiveGroup] = [
        *(a for p in seen for a in p._actions if a.required),
        *(g for p in seen for g in p._mutually_exclusive_groups if g.required),
    ]
    for requirement in requiring:
        requirement.required = False
    return requiring


def _meant(command: argparse.ArgumentParser, word: str) -> str:
    """What a word the command does not take was likely meant to be, as an unknown command
    is told (:func:`_suggest_a_command`): a close option (``--overlya``), or for a command
    whose packages are an option's (``shell -p``), a package named without it."""
    options = [name for action in command._actions for name in action.option_strings]
    if not word.startswith("-"):
        return f" (packages are given with -p: -p {word})" if "-p" in options else ""
    import difflib  # only a mistake pays for it

    close = difflib.get_close_matches(word.split("=", 1)[0], options, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _mark_option_words(argv: list[str]) -> list[str]:
    """`argv` with the two words after each ``--option`` (up to a ``--``) marked as values.

    Nix takes ``--option name value`` whatever the value looks like; argparse would take a
    value that starts with ``-`` for an option (``--option ssh_options -x``), or for the
    command's own (build's ``-o LINK`` catches ``-o UserKnownHostsFile=…``). A NUL byte in
    front of a word, which no real argument can hold, keeps argparse from reading it as one;
    :func:`_unmarked` takes the marks off after parsing. Marked, not taken out of `argv`: a
    ``--option`` after ``run ATTR`` is the program's, and must reach it as it was typed.
    """
    marked, at = [], 0
    while at < len(argv) and argv[at] != "--":
        if argv[at] == "--option":
            marked += [argv[at], *(_MARK + word for word in argv[at + 1 : at + 3])]
            at += 3
        else:
            marked.append(argv[at])
            at += 1
    return marked + argv[at:]


def _unmarked(value: Any) -> Any:
    """A parsed value without :func:`_mark_option_words`' marks: ``--option``'s pairs (lists),
    and words a command keeps as typed (``run``'s program arguments)."""
    if isinstance(value, str):
        return value.removeprefix(_MARK)
    if isinstance(value, list):
        return [_unmarked(item) for item in value]
    return value


def _suggest_a_command(argv: list[str]) -> None:
    """``pybuild evl``: argparse lists every command; the error names the close one, as an
    attribute's typo is told."""
    command = argv_command(argv)
    if not command or command.startswith("-") or command in COMMANDS:
        return
    import difflib  # only a typo pays for it

    close = difflib.get_close_matches(command, list(COMMANDS), n=1)
    if close:
        print(
            f"pybuild: error: argument COMMAND: invalid choice: {command!r}"
            f" (did you mean {close[0]!r}? `pybuild --help` lists the commands)",
            file=sys.stderr,
        )
        raise SystemExit(2)


def _refuse_a_global_profile(argv: list[str]) -> None:
    """``pybuild --profile p list``: argparse took ``p`` for the command ("invalid choice");
    ``--profile`` is each profile command's option, and the error says where it goes."""
    command = argv_command(argv)
    if command != "--profile" and not command.startswith("--profile="):
        return
    at = argv.index(command)
    given = argv[at : at + (1 if "=" in command else 2)]
    rest = argv[:at] + argv[at + len(given) :]
    fixed = " ".join(["pybuild", *rest, *given])
    print(f"error: --profile goes after the command: `{fixed}`", file=sys.stderr)
    raise SystemExit(2)


def _refuse_options_before_the_command(parser: argparse.ArgumentParser, argv: list[str]) -> None:
    """``pybuild -K build x``, ``pybuild -j 1 build x``: an option of the command, given
    before it, where only pybuild's own options (and ``--option``) go. argparse took a value
    (``1``) for the command ("invalid choice"), or left the option to the command, which
    refused the very option it has ("did you mean '-K'?"); the error says where it goes,
    as ``--profile``'s does."""
    import argparse

    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    words = argv[: argv.index("--")] if "--" in argv else argv
    where = next((i for i, w in enumerate(words) if w in subparsers.choices), None)
    if where is None:
        return  # no command: argparse says so
    at = _first_not_taken(parser, words[:where])
    if at is None or not argv[at].startswith("-"):
        return  # a word that is no option (a misspelt command?): argparse's to tell
    first, command = argv[at], argv[where]
    if _option(subparsers.choices[command], first) is not None:
        import shlex

        fixed = [*argv[:at], command, *argv[at:where], *argv[where + 1 :]]
        told = f"{first} is an option of {command}: put it after the command"
        print(f"pybuild: error: {told}: `{shlex.join(['pybuild', *fixed])}`", file=sys.stderr)
    else:
        print(
            f"pybuild: error: {first} is an option neither of pybuild nor of {command}"
            f" (`pybuild {command} --help` lists {command}'s)",
            file=sys.stderr,
        )
    raise SystemExit(2)


def _first_not_taken(parser: argparse.ArgumentParser, words: list[str]) -> int | None:
    """Where the first of `words` (those before the command) that `parser` does not take
    is: an option of none of its options, or their values."""
    values = 0
    for at, word in enumerate(words):
        if values:
            values -= 1
            continue
        action = _option(parser, word)
        if action is None:
            return at
        if "=" not in word:  # --option's two words, --python's one, a flag's none
            values = action.nargs if isinstance(action.nargs, int) else 1
    return None


def _option(parser: argparse.ArgumentParser, word: str) -> argparse.Action | None:
    """The option of `parser` that `word` is, as argparse finds it: by its name, a start of
    a long one (``--keep`` of ``--keep-going``; an ambiguous one too, which argparse tells),
    or a short one with its value (``-j1``)."""
    name = word.split("=", 1)[0]
    found = parser._option_string_actions
    if name in found or not name.startswith("-"):
        return found.get(name)
    if name.startswith("--"):
        return next((a for o, a in found.items() if o.startswith(name)), None)
    return found.get(word[:2])


def _print_help(parser: argparse.ArgumentParser, status: int) -> int:
    """Print the help, and keep a copy for :mod:`pybuild.fastpath` to print next time."""
    text = parser.format_help()
    sys.stdout.write(text)
    path = help_text_path(terminal_width())
    if path is not None:
        import contextlib

        from .atomic import write_atomic

        with contextlib.suppress(OSError):  # a home we may not write to: printed all the same
            write_atomic(path, text)
    return status


def _use_color(color: str) -> None:
    """What the command tells from deep within it, where no command line is at hand (a
    ``pypi:`` plan's warnings, told as an evaluation makes it), takes its ``--color``
    (:func:`pybuild.progress.use_color`); nothing is loaded to set the default."""
    if color != "auto" or "pybuild.progress" in sys.modules:
        from .progress import use_color

        use_color(color)


def _close_progress() -> None:
    """Stop a live progress display, if the command started one."""
    progress = sys.modules.get("pybuild.progress")
    if progress is not None:
        progress.close_all()


def _complete(parser: argparse.ArgumentParser) -> None:
    """Shell completion (argcomplete): only when the shell asks, so it costs nothing else.

    Enable it with ``eval "$(register-python-argcomplete pybuild)"`` (bash, zsh).
    """
    if "_ARGCOMPLETE" in os.environ:
        import argcomplete

        argcomplete.autocomplete(parser)


class Commands:
    """What a command module registers its commands with."""

    def __init__(
        self,
        sub: argparse._SubParsersAction[argparse.ArgumentParser],
        common: argparse.ArgumentParser,
    ) -> None:
        self._sub = sub
        self.common = common  # the options every command takes (--option)

    def add(self, name: str, handler: Handler, help_text: str) -> argparse.ArgumentParser:
        p = self._sub.add_parser(name, parents=[self.common], help=help_text, description=help_text)
        p.set_defaults(handler=handler, command_parser=p)  # its usage, for an unknown word
        return p


def _modules_for(argv: Sequence[str]) -> Sequence[str]:
    """The command module the command line names, or all of them (for help and errors).

    Importing and registering every module costs more than a no-op build is allowed to.
    """
    module = COMMANDS.get(argv_command(argv))
    return (module,) if module else MODULES


def _output_options(parser: argparse.ArgumentParser, default: object) -> None:
    """How much to print and in which colours; on the main parser and on every command."""

    def flag(*names: str, help_text: str) -> None:
        parser.add_argument(*names, action="store_true", default=default or False, help=help_text)

    flag("--show-trace", help_text=_TRACE_HELP)
    flag("-q", "--quiet", help_text="print only results, warnings and errors (no progress)")
    flag(
        "-v",
        "--verbose",
        help_text="a line for every build as it starts and ends, also on a terminal",
    )
    parser.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default=default or "auto",
        help="colours (auto: on a terminal, unless NO_COLOR is set; always: in a pipe or log too)",
    )


def argv_command(argv: Sequence[str]) -> str:
    """The command a command line names, after the global options (those that take a value
    skip it too)."""
    takes = {"--option": 3, "--python": 2, "--color": 2}
    flags = ("--show-trace", "-q", "--quiet", "-v", "--verbose")
    rest = list(argv)
    while rest and (rest[0] in takes or rest[0] in flags):
        rest = rest[takes.get(rest[0], 1) :]
    return rest[0] if rest else ""


def _parser(modules: Sequence[str] = MODULES) -> argparse.ArgumentParser:
    import argparse
    import importlib

    from .commands.common import PYTHON_HELP, completes_settings

    parser_class = _parser_class()
    parser = parser_class(
        prog="pybuild",
        description="Build Python packages and environments the Nix way: hashed, immutable, "
        "repeatable.",
    )
    completes_settings(
        parser.add_argument(
            "--option",
            nargs=2,
            action="append",
            default=[],
            metavar=("NAME", "VALUE"),
            help=_OPTION_HELP,
        )
    )
    # After the command, the pairs go to a list of their own, which parse() adds to those
    # given before it: one list for both would be the sub-command's alone (argparse gives the
    # sub-command a namespace of its own, whose list replaces pybuild's).
    common = parser_class(add_help=False)
    completes_settings(
        common.add_argument(
            "--option",
            nargs=2,
            action="append",
            dest="command_option",
            default=[],
            metavar=("NAME", "VALUE"),
            help=_OPTION_HELP,
        )
    )
    from .fastpath import version_line

    parser.add_argument("--version", action="version", version=version_line())
    for where, default in ((parser, None), (common, argparse.SUPPRESS)):
        _output_options(where, default)
    parser.add_argument("--python", metavar="PYTHON", help=PYTHON_HELP)
    commands = Commands(parser.add_subparsers(metavar="COMMAND"), common)
    for name in modules:
        importlib.import_module(f"pybuild.commands.{name}").register(commands)
    return parser


def _parser_class() -> type[argparse.ArgumentParser]:
    """argparse's parser, its help wrapped at the width argparse would choose, found without
    ``shutil``: argparse imports it to ask the terminal's width (with every ``add_argument``,
    to check the metavar), and ``shutil`` loads zlib, bz2 and lzma, which no command that
    only parses its line needs. Every command's parser (``add_subparsers`` makes its own
    class's) gets the width the same way."""
    import argparse
    import functools

    formatter = functools.partial(argparse.HelpFormatter, width=terminal_width() - 2)

    class Parser(argparse.ArgumentParser):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs.setdefault("formatter_class", formatter)
            super().__init__(*args, **kwargs)

        def error(self, message: str) -> NoReturn:
            if message.startswith(_REQUIRED):  # parse() tells it, or a word it did not take
                raise _Required(self, message)
            super().error(message)

    return Parser
