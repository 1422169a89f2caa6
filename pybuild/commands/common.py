"""What the command modules share: settings, the store, the package set, JSON output."""

from __future__ import annotations

import argparse
import json
from typing import Any

from ..errors import UsageError

__all__ = [
    "PYTHON_HELP",
    "as_derivation",
    "build_options",
    "get_settings",
    "open_store",
    "package_set",
    "print_json",
    "select_attr",
    "set_arguments",
]


def get_settings(args: argparse.Namespace) -> Any:
    from ..settings import load_settings

    settings = load_settings([tuple(o) for o in args.option])
    if getattr(args, "jobs", None) is not None:  # -j is checked as the setting is (at least 1)
        settings = settings.with_overrides(jobs=args.jobs)
    return settings


def open_store() -> Any:
    from ..store import Store

    return Store.default()


def print_json(data: object) -> None:
    print(json.dumps(data, indent=2, sort_keys=True))


PYTHON_HELP = (
    "the interpreter to build for: a version (3.12, found as python3.12 on PATH) or a path;"
    " by default the one running pybuild"
)


def set_arguments(p: argparse.ArgumentParser) -> None:
    # SUPPRESS: a --python given before the command is not overwritten by this one's default.
    p.add_argument("--python", metavar="PYTHON", default=argparse.SUPPRESS, help=PYTHON_HELP)
    p.set_defaults(takes_python=True)
    p.add_argument(
        "--recipes",
        action="append",
        metavar="DIR",
        help="recipe folder to use instead of the default set (repeatable)",
    )
    p.add_argument(
        "--overlay",
        action="append",
        metavar="FILE",
        help="Python file defining overlay(final, prev) (repeatable)",
    )


def package_set(args: argparse.Namespace) -> Any:
    from ..pkgset import load_overlay, package_set

    overlays = [load_overlay(f) for f in args.overlay or []]
    return package_set(python=args.python, recipes=args.recipes, overlays=overlays)


def as_derivation(value: Any, attr: str) -> Any:
    from ..derivations import Derivation

    drv = value if isinstance(value, Derivation) else getattr(value, "drv", None)
    if not isinstance(drv, Derivation):
        raise UsageError(f"{attr} is a {type(value).__name__}, not a derivation or package")
    return drv


def build_options(args: argparse.Namespace, settings: Any, **changes: Any) -> Any:
    """Realiser options from the settings, with ``-j`` and ``-k`` where a command has them."""
    from ..realiser import BuildOptions

    return BuildOptions(
        jobs=settings.jobs,
        keep_going=getattr(args, "keep_going", False),
        keep_failed=settings.keep_failed,
        log_lines=settings.log_lines,
        build_timeout=settings.build_timeout,
        substituters=tuple(settings.substituters),
        trusted_public_keys=tuple(settings.trusted_public_keys),
        require_sigs=settings.require_sigs,
        connect_timeout=settings.connect_timeout,
        stalled_download_timeout=settings.stalled_download_timeout,
        download_min_speed=settings.download_min_speed,
        download_deadline=settings.download_deadline,
        auto_optimise=settings.auto_optimise,
        sandbox=settings.sandbox,
        **changes,
    )


def select_attr(pkgs: Any, attr: str) -> Any:
    """An attribute of the set named on the command line (``numpy``, ``python.pkgs.numpy``),
    or a package from the index: ``pypi:NAME``, ``pypi:NAME==VERSION``, ``pypi:NAME[x]==V``."""
    from ..evaluate import select

    if attr.startswith("pypi:"):
        from ..generate import parse_pypi_spec

        return pkgs.from_pypi(*parse_pypi_spec(attr.removeprefix("pypi:")))
    return select(pkgs, attr, "the package set")
