"""``pybuild shell``: a command or an interactive shell in an environment of packages."""

from __future__ import annotations

import argparse
import os
from typing import Any

from ..errors import UsageError
from .common import (
    add_dry_run,
    as_derivation,
    build_options,
    completes_attrs,
    get_settings,
    open_store,
    package_set,
    print_work,
    select_attr,
    set_arguments,
)


def register(commands: Any) -> None:
    p = commands.add("shell", _shell, "run a command (or a shell) in an environment of packages")
    packages = p.add_argument(
        "-p",
        "--packages",
        action="append",
        metavar="ATTR",
        default=[],
        help="a package of the set to put in the environment (repeatable)",
    )
    completes_attrs(packages)
    set_arguments(p)
    p.add_argument(
        "--pure",
        action="store_true",
        help="start from an empty environment (keeps HOME, USER, TERM and a few more)",
    )
    p.add_argument("--run", metavar="CMD", help="run CMD with /bin/sh instead of a shell")
    add_dry_run(p)


def _environment(args: argparse.Namespace) -> Any:
    """The environment of ``-p`` packages, or ``env`` of ``shell.py`` in this folder."""
    from ..evaluate import load_module, select

    if args.packages:
        pkgs = package_set(args)
        chosen = [select_attr(pkgs, attr) for attr in args.packages]
        return pkgs.python.with_packages(lambda ps: chosen)
    if not os.path.exists("shell.py"):
        raise UsageError("name packages with -p ATTR, or write a shell.py whose env is one")
    if args.python is not None:
        raise UsageError(
            "--python chooses the interpreter of the -p packages' set; shell.py makes its own"
            ' set: write package_set(python="X.Y") in it'
        )
    return select(load_module("shell.py"), "env", "shell.py")


def _shell(args: argparse.Namespace) -> int:
    from ..realiser import realise
    from ..shell import run_in_environment

    drv = as_derivation(_environment(args), "env")
    store = open_store()
    options = build_options(args, get_settings(args))
    if args.dry_run:
        return print_work([drv], store, options)
    realise([drv], store, options)
    return run_in_environment(drv.path(store=store), args.pure, args.run)
