"""``pybuild search [WORD…]``: the set's packages with version, summary and whether built."""

from __future__ import annotations

import argparse

from .common import completes_attrs, open_store, package_set, print_json, set_arguments

TYPE_CHECKING = False  # typing: an import no command needs at run time
if TYPE_CHECKING:
    from typing import Any


def register(commands: Any) -> None:
    p = commands.add(
        "search",
        _search,
        "list the set's packages whose name or summary matches every WORD (builds nothing)",
    )
    p.description = f"{p.description}; a * before a row marks a package already built"
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

    results = search(package_set(args), args.words, open_store())
    if args.json:
        print_json([r.to_json() for r in results])
        return 0
    width = max((len(r.attr) for r in results), default=0)
    for r in results:
        mark = "*" if r.built else " "
        print(f"{mark} {r.attr:<{width}}  {r.version or '?':<10}  {r.summary}")
    if not results:
        print("no package matches", flush=True)
        return 1
    return 0
