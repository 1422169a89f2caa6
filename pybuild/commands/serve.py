"""``pybuild serve --stdio``: the remote end of a build farm, spoken to over ``ssh``."""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys

from ..errors import UsageError
from .common import build_options, get_settings

TYPE_CHECKING = False  # typing: an import no command needs at run time
if TYPE_CHECKING:
    from typing import Any


def register(commands: Any) -> None:
    p = commands.add(
        "serve", _serve, "answer a remote build client on standard input and output (over ssh)"
    )
    p.add_argument(
        "--stdio", action="store_true", help="speak the protocol on stdin/stdout (required)"
    )
    p.add_argument(
        "--home",
        metavar="DIR",
        help="the PYBUILD_HOME to serve, ~ being this user's home (default: the usual)",
    )


def _serve(args: argparse.Namespace) -> int:
    from ..progress import Lines
    from ..remote.serve import serve
    from ..store import Store

    if not args.stdio:
        raise UsageError("pybuild serve speaks only on its standard streams: add --stdio")
    if args.home:
        # A machine's ?home=~/DIR reaches here quoted, unexpanded by the remote shell: it is
        # this user's home, the remote user's, as farm.md says.
        os.environ["PYBUILD_HOME"] = os.path.abspath(os.path.expanduser(args.home))
    # The protocol owns standard output: anything else printed (a builder, a warning) goes to
    # standard error, which ssh carries back apart from it.
    protocol_out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    settings = get_settings(args)
    # One build per connection (the client opens one per slot), never sent on to a builder.
    options = dataclasses.replace(
        build_options(args, settings, log=sys.stderr, progress=Lines(sys.stderr)),
        jobs=1,
        builders="",
    )
    with protocol_out:
        serve(Store.default(), sys.stdin.buffer, protocol_out, options)
    return 0
