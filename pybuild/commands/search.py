"""``pybuild search [WORD…]``: the set's packages with version, summary and whether built."""

from __future__ import annotations

import argparse
import sys

from ..errors import BadArgument, UsageError
from .common import (
    completes_attrs,
    open_store,
    package_set,
    print_json,
    pypi_spec,
    set_arguments,
)

TYPE_CHECKING = False  # typing: an import no command needs at run time
if TYPE_CHECKING:
    from typing import Any


def register(commands: Any) -> None:
    p = commands.add(
        "search",
        _search,
        "list the set's packages whose name or summary matches every WORD (builds nothing)",
    )
    p.description = (
        f"{p.description}; a * before a row marks a package already built, and a ? in place of"
        " its version one whose version is not known, most often a recipe that does not evaluate:"
        " a warning on standard error says why, and the search still exits 0, as nix search"
        " does. No package matching exits 1, with `no package matches` on standard error"
        " (standard output carries the packages alone); --json prints [] and exits 0, as nix"
        " search --json does: an empty list is an answer"
    )
    completes_attrs(
        p.add_argument(
            "words",
            nargs="*",
            metavar="WORD",
            help="regular expressions the name or summary must match, case aside (as nix"
            " search's: '^numpy$' is numpy alone)",
        )
    )
    set_arguments(p)
    p.add_argument("--json", action="store_true", help="print a JSON list")


def _search(args: argparse.Namespace) -> int:
    from ..search import search

    for word in args.words:
        if word.startswith("pypi:"):
            raise _not_the_index(word)
        _readable(word)
    results = search(package_set(args), args.words, open_store())
    if args.json:
        print_json([r.to_json() for r in results])
    else:
        from ..fastpath import terminal_width
        from ..search import rows

        for row in rows(results, terminal_width() if sys.stdout.isatty() else None):
            print(row)
    if args.json:
        return 0
    if not results:
        return _no_match()
    _warn_unevaluated(args, results)
    return 0


def _no_match() -> int:
    """No package matches: said on standard error, where a reader of the listing (``pybuild
    search foo | while read …``) does not take it for a package, and exit status 1, as nix
    search's. (With --json, ``[]`` is the answer, as nix search --json's ``{}``.)"""
    print("no package matches", file=sys.stderr)
    return 1


def _warn_unevaluated(args: argparse.Namespace, results: list[Any]) -> None:
    """A line on standard error for each listed package that does not evaluate, after the
    listing, which stays whole: why, and the command that shows the whole error."""
    import shlex

    broken = [r for r in results if r.error]
    if not broken:
        return
    sys.stdout.flush()  # the listing first, on a terminal too
    options = "".join(f" {shlex.quote(word)}" for word in _set_options(args))
    for r in broken:
        eval_it = f"pybuild eval{options} {shlex.quote(r.attr)}"
        from ..progress import tell  # only a command telling a failure needs it

        tell(f"warning: {r.attr} {r.error} ({eval_it} shows it)", args.color)


def _set_options(args: argparse.Namespace) -> list[str]:
    """The command line's options choosing the set, for another command on the same set."""
    words = [word for folder in args.recipes or () for word in ("--recipes", folder)]
    words += ["--no-default-recipes"] if args.no_default_recipes else []
    words += [word for file in args.overlay or () for word in ("--overlay", file)]
    python = getattr(args, "python", None)  # given before the command or after it, or not
    return words + (["--python", python] if python else [])


def _readable(word: str) -> None:
    """Refuse a word that is no regular expression as a word of the command line that cannot
    be read (exit 2), before the set is evaluated for it."""
    import re

    try:
        re.compile(word)
    except re.error as exc:
        raise BadArgument(f"{word!r} is not a regular expression: {exc}") from None


def _not_the_index(word: str) -> UsageError:
    """The error for a ``pypi:`` word: search reads the set's recipes, and no recipe matches
    it, where ``eval`` takes it and shows the package the index's release makes."""
    import shlex

    name = pypi_spec(word)[0]
    error = UsageError(
        f"search lists the set's recipes, not the index's projects: {word!r} names a project"
        " on the index"
    )
    error.hint = (
        f"`pybuild eval {shlex.quote(word)}` shows the package the index's release makes,"
        f" building nothing; `pybuild search {shlex.quote(name)}` lists the set's recipes that"
        f" match {name}"
    )
    return error
