"""``pybuild config show``: the effective settings and where each came from."""

from __future__ import annotations

import argparse

from ..errors import MissingArgument
from .common import get_settings

TYPE_CHECKING = False  # typing: an import no command needs at run time
if TYPE_CHECKING:
    from typing import Any


def register(commands: Any) -> None:
    config = commands.add("config", _no_action, "show settings")
    actions = config.add_subparsers(metavar="ACTION")
    p = actions.add_parser("show", parents=[commands.common], help="print the effective settings")
    p.add_argument(
        "--json", action="store_true", help="print a JSON object, {NAME: {value, source}}"
    )
    p.set_defaults(handler=_config_show, command_parser=p)  # its usage, for an unknown word


def _no_action(args: argparse.Namespace) -> int:
    raise MissingArgument("say what to do: pybuild config show")


def _config_show(args: argparse.Namespace) -> int:
    from ..settings import format_settings

    print(format_settings(get_settings(args), as_json=args.json))
    return 0
