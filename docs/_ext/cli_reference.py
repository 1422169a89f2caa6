"""The command-line reference page, written from pybuild's own argparse parsers.

Written from the parsers (``pybuild.cli._parser``), not by hand, so the page cannot fall behind
``pybuild COMMAND --help``: every command, sub-command, argument, default and example the
parsers know is on it, in the order ``--help`` lists them.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterator

__all__ = ["cli_markdown", "commands"]

_WIDTH = 76


def commands(
    parser: argparse.ArgumentParser, prog: str = ""
) -> Iterator[tuple[str, str, argparse.ArgumentParser]]:
    """Every (command line, one-line help, parser) below `parser`, depth first, in order."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {a.dest: a.help or "" for a in action._choices_actions}
            for name, sub in action.choices.items():
                line = f"{prog or parser.prog} {name}"
                yield line, helps.get(name, ""), sub
                yield from commands(sub, line)


def cli_markdown(parser: argparse.ArgumentParser) -> str:
    """The reference page: the program's options once, then one section per command, whose
    table lists those of them it takes but not every command does (``--python``)."""
    everywhere = _everywhere(parser)
    common = {s for a in everywhere for s in a.option_strings}
    parts = [
        "# Command line\n",
        "Generated from the parsers of `pybuild` at build time: the same text as "
        "`pybuild COMMAND --help`.\n",
        f"## `{parser.prog}`\n",
        _section(parser, set()),
        _where_they_go(parser, everywhere),
    ]
    for line, help_text, sub in commands(parser):
        parts += [f"## `{line}`\n", _section(sub, common, help_text)]
    return "\n".join(parts)


def _section(parser: argparse.ArgumentParser, skip: set[str], help_text: str = "") -> str:
    text = [f"```text\n{_usage(parser).strip()}\n```\n"]
    description = parser.description or help_text
    if description:
        text.append(_sentence(description) + "\n")
    rows = [_row(parser, a) for a in parser._actions if _shown(a, skip)]
    if rows:
        text += ["| argument | meaning |", "|---|---|", *rows, ""]
    if parser.epilog:
        text.append(f"```text\n{parser.epilog.strip()}\n```\n")
    return "\n".join(text)


def _where_they_go(parser: argparse.ArgumentParser, everywhere: list[argparse.Action]) -> str:
    """Where each of the program's options may go, as the parsers take them: one every
    command has goes before or after its name; one some commands have (``--python``) goes
    there too, for those commands alone (the others refuse it wherever it is); one no
    command has (``--version``; update-pins' is another option) goes before any command."""
    others = [a for a in _options(parser) if a not in everywhere]
    some = [a for a in others if any(_takes(sub, a) for _, _, sub in commands(parser))]
    alone = [a for a in others if a not in some]
    told = [f"Of these, {_names(everywhere)} are accepted by every command too, before or after"]
    told[0] += " its name"
    if some:
        told.append(
            f"{_names(some)} by the commands whose table lists it, before or after their name"
            " (the others refuse it)"
        )
    if alone:
        told.append(f"{_names(alone)} only before a command's name")
    return "; ".join(told) + ".\n"


def _everywhere(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    """The program's options that every command takes too, listed once on the page."""
    subs = [sub for _, _, sub in commands(parser)]
    return [a for a in _options(parser) if all(_takes(sub, a) for sub in subs)]


def _takes(parser: argparse.ArgumentParser, option: argparse.Action) -> bool:
    """Whether `parser` has `option`: one of its names, and the same kind of option (a
    command's ``--version V`` is not pybuild's ``--version``)."""
    return any(
        set(a.option_strings) & set(option.option_strings) and type(a) is type(option)
        for a in parser._actions
    )


def _names(actions: list[argparse.Action]) -> str:
    return ", ".join(f"`{max(a.option_strings, key=len)}`" for a in actions)


def _options(parser: argparse.ArgumentParser) -> list[argparse.Action]:
    return [a for a in parser._actions if _shown(a, set()) and a.option_strings]


def _shown(action: argparse.Action, skip: set[str]) -> bool:
    if isinstance(action, argparse._HelpAction | argparse._SubParsersAction):
        return False
    if action.help == argparse.SUPPRESS:
        return False
    return not (action.option_strings and set(action.option_strings) <= skip)


def _formatter(parser: argparse.ArgumentParser) -> argparse.HelpFormatter:
    try:
        return parser.formatter_class(prog=parser.prog, width=_WIDTH)  # type: ignore[call-arg]
    except TypeError:
        return parser._get_formatter()


def _usage(parser: argparse.ArgumentParser) -> str:
    formatter = _formatter(parser)
    formatter.add_usage(parser.usage, parser._actions, parser._mutually_exclusive_groups)
    return formatter.format_help()


def _row(parser: argparse.ArgumentParser, action: argparse.Action) -> str:
    formatter = _formatter(parser)
    if action.option_strings:
        shown = ", ".join(
            f"`{s} {formatter._format_args(action, action.dest.upper())}`"
            if action.nargs != 0
            else f"`{s}`"
            for s in action.option_strings
        )
    else:  # as --help names it: ATTR, not [ATTR ...]; run's ARG, not ...
        shown = f"`{formatter._format_action_invocation(action)}`"
    help_text = formatter._expand_help(action) if action.help else ""
    return f"| {_cell(shown)} | {_cell(_literal(help_text))} |"


def _cell(text: str) -> str:
    """`text` on one line, its pipes escaped where they would end the table's cell: not
    within a code span, where the table reads none and the escape would be shown."""
    parts = " ".join(text.split()).split("`")
    return "`".join(p if i % 2 else p.replace("|", "\\|") for i, p in enumerate(parts))


def _literal(text: str) -> str:
    """Help text as Markdown shows it, not read as links: ``host[:port][?home=DIR]``."""
    return text.replace("[", "\\[").replace("]", "\\]")


def _sentence(text: str) -> str:
    text = " ".join(text.split())
    return text[:1].upper() + text[1:] + ("" if text.endswith((".", ":", ")")) else ".")
