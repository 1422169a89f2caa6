"""``pybuild update-pins``: pin every wheel file of wheel recipes from the index (nix-update)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import MissingArgument, MissingAttribute, PybuildError, UsageError
from .common import print_json

TYPE_CHECKING = False  # typing: an import no command needs at run time
if TYPE_CHECKING:
    from typing import Any


def register(commands: Any) -> None:
    p = commands.add(
        "update-pins",
        _update_pins,
        "pin the wheel files of wheel recipes (every interpreter and platform) from the index",
    )
    p.add_argument("targets", nargs="*", metavar="ATTR|FILE", help="a recipe's attribute or file")
    p.add_argument("--all", action="store_true", help="every recipe of the set that fetches wheels")
    p.add_argument(
        "--version",
        metavar="V",
        help="move the recipe's own package (its pname) to release V first",
    )
    p.add_argument(
        "--recipes",
        action="append",
        metavar="DIR",
        help="a recipe folder whose files to pin (repeatable; default: the default set)",
    )
    p.add_argument("--json", action="store_true", help="print a JSON report")


def _update_pins(args: argparse.Namespace) -> int:
    from ..update_pins import update_all_pins, wheel_recipes

    folders = [Path(r) for r in args.recipes] if args.recipes else [_default_recipes()]
    if args.all == bool(args.targets):
        error = UsageError if args.all else MissingArgument  # both given, or neither
        raise error("name the recipes to pin (ATTR or FILE…), or --all")
    if args.all and args.version:
        raise UsageError("--version moves one recipe to a release: name it instead of --all")
    files = wheel_recipes(folders) if args.all else [_recipe_file(t, folders) for t in args.targets]
    try:
        updates = update_all_pins(files, args.version)
    except PybuildError as exc:
        if len(files) > 1:
            exc.add_note(f"none of the {len(files)} recipes was written: all are, or none")
        raise
    if args.json:
        print_json(
            [
                {
                    "file": str(u.file),
                    "pname": u.pname,
                    "version": u.version,
                    "pinned": u.pinned,
                    "missing": [t.name for t in u.missing],
                    "changed": u.changed,
                    "package": u.package,
                    "own": u.own,
                }
                for u in updates
            ]
        )
        return 0
    for u in updates:
        count = f"{len(u.pinned)} wheel{'s' if len(u.pinned) != 1 else ''}"
        missing = f" (no file for {_summary(u.missing)})" if u.missing else ""
        state = "pinned" if u.changed else "already pinned"
        print(f"{u.pname} {u.version}: {count} {state} in {u.file}{missing}{_whose(u)}")
    print(f"{sum(u.changed for u in updates)} of {len(updates)} changed", file=sys.stderr)
    return 0


def _whose(update: Any) -> str:
    """For a wheel of another package than the recipe's own (a tool it overrides), a note
    saying so, since --version leaves it at its own release."""
    if update.own:
        return ""
    return f" (not {update.package}, the recipe's own package; --version leaves it)"


def _default_recipes() -> Path:
    from ..bundled import default_recipes

    return default_recipes()


def _recipe_file(target: str, folders: list[Path]) -> Path:
    """The recipe module a command-line name means: a file, or an attribute of the folders."""
    if target.endswith(".py"):
        if not Path(target).is_file():
            raise UsageError(f"{target}: no such recipe file")
        return Path(target)
    for folder in folders:
        if (folder / f"{target}.py").is_file():
            return folder / f"{target}.py"
    known = [p.stem for f in folders for p in f.glob("*.py") if not p.name.startswith("_")]
    raise MissingAttribute(target, _folders_name(folders), known)


def _folders_name(folders: list[Path]) -> str:
    """``the recipe folder wheels``, or ``the set of recipe folders a, b``: what an error says
    lacks a recipe (one subject, whose verb is singular)."""
    if len(folders) == 1:
        return f"the recipe folder {folders[0]}"
    return f"the set of recipe folders {', '.join(map(str, folders))}"


def _summary(missing: list[Any]) -> str:
    """``cp310, win_amd64, cp314 macosx_arm64``: an interpreter missing on every platform, or a
    platform with every interpreter, is named alone (the release has no wheel for it), as
    ``fetch_pypi`` then calls it unsupported."""
    from ..pins import PLATFORMS, PYTHONS

    gaps = {(t.python, t.platform) for t in missing}
    pythons = [py for py in PYTHONS if all((py, pl) in gaps for pl in PLATFORMS)]
    platforms = [pl for pl in PLATFORMS if all((py, pl) in gaps for py in PYTHONS)]
    if len(pythons) == len(PYTHONS):  # no wheel at all: the interpreters say it
        platforms = []
    by_python: dict[str, list[str]] = {}
    for target in missing:
        if target.python not in pythons and target.platform not in platforms:
            python, platform = target.name.split(" ")
            by_python.setdefault(python, []).append(platform)
    return ", ".join(
        [
            *(f"cp{major}{minor}" for major, minor in pythons),
            *("_".join(platform) for platform in platforms),
            *(f"{python} {' '.join(names)}" for python, names in by_python.items()),
        ]
    )
