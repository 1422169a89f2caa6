"""The ``pybuild`` command line: parse, dispatch to a command module, report errors.

The commands live in :mod:`pybuild.commands`, one module per group. Every error prints as
one short block naming the place in the user's code (:mod:`pybuild.diagnostics`) and exits 1;
``--show-trace`` prints the whole traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable, Sequence

from .commands import COMMANDS, MODULES
from .commands.common import PYTHON_HELP
from .errors import UsageError

__all__ = ["main"]

Handler = Callable[[argparse.Namespace], int]
_OPTION_HELP = "set a setting for this command (overrides config file and environment)"
_TRACE_HELP = "on an error, print the whole Python traceback, not only the place in your code"


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = _parser(_modules_for(argv))
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        if args.python is not None and not getattr(args, "takes_python", False):
            raise UsageError(
                f"--python chooses the package set's interpreter; `pybuild {argv_command(argv)}`"
                " uses no package set"
            )
        return args.handler(args)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # every error, ours or from the user's code: one short block
        from .diagnostics import describe

        print(describe(exc, show_trace=args.show_trace), file=sys.stderr)
        return 1


class Commands:
    """What a command module registers its commands with."""

    def __init__(self, sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
        self._sub = sub
        self.common = common  # the options every command takes (--option)

    def add(self, name: str, handler: Handler, help_text: str) -> argparse.ArgumentParser:
        p = self._sub.add_parser(name, parents=[self.common], help=help_text, description=help_text)
        p.set_defaults(handler=handler)
        return p


def _modules_for(argv: Sequence[str]) -> Sequence[str]:
    """The command module the command line names, or all of them (for help and errors).

    Importing and registering every module costs more than a no-op build is allowed to.
    """
    module = COMMANDS.get(argv_command(argv))
    return (module,) if module else MODULES


def argv_command(argv: Sequence[str]) -> str:
    """The command a command line names, after the global options that take values."""
    rest = list(argv)
    while rest[:1] in (["--option"], ["--python"], ["--show-trace"]):
        rest = rest[{"--option": 3, "--python": 2, "--show-trace": 1}[rest[0]] :]
    return rest[0] if rest else ""


def _parser(modules: Sequence[str] = MODULES) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pybuild",
        description="Build Python packages and environments the Nix way: hashed, immutable, "
        "repeatable.",
    )
    parser.add_argument(
        "--option",
        nargs=2,
        action="append",
        default=[],
        metavar=("NAME", "VALUE"),
        help=_OPTION_HELP,
    )
    # On sub-commands the default is SUPPRESS, so that an --option given before the command
    # is not overwritten by the sub-command's empty default.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--option",
        nargs=2,
        action="append",
        default=argparse.SUPPRESS,
        metavar=("NAME", "VALUE"),
        help=_OPTION_HELP,
    )
    parser.add_argument("--show-trace", action="store_true", help=_TRACE_HELP)
    parser.add_argument("--python", metavar="PYTHON", help=PYTHON_HELP)
    common.add_argument(
        "--show-trace", action="store_true", default=argparse.SUPPRESS, help=_TRACE_HELP
    )
    commands = Commands(parser.add_subparsers(metavar="COMMAND"), common)
    for name in modules:
        importlib.import_module(f"pybuild.commands.{name}").register(commands)
    return parser
