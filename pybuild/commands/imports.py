"""``pybuild import`` (requirements, pyproject or lock file -> recipes) and ``pybuild lock``."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..atomic import write_atomic
from ..errors import PybuildError, UsageError
from .common import (
    add_refresh_flag,
    backend_output,
    file_environment,
    package_set,
    print_json,
    recipe_folders,
    refuse_set_options,
    select_attrs,
    set_arguments,
)

TYPE_CHECKING = False  # typing: an import no command needs at run time
if TYPE_CHECKING:
    from typing import Any

    from ..pkgset import PackageSet


def register(commands: Any) -> None:
    p = commands.add(
        "import",
        _import,
        "make recipes for a requirements.txt, pyproject.toml or pylock.toml from the index",
    )
    p.add_argument("file", metavar="FILE", help="requirements file, pyproject.toml or pylock.toml")
    p.add_argument(
        "-o",
        "--output",
        metavar="DIR",
        default="pybuild-recipes",
        help="folder for the recipes, overlay.py and shell.py (default: pybuild-recipes)",
    )
    p.add_argument(
        "--all",
        action="store_true",
        help="make recipes for every package, also those the set already has",
    )
    p.add_argument(
        "--extra",
        action="append",
        default=[],
        metavar="NAME",
        help="an optional-dependencies extra of a pyproject.toml, or an extra a pylock.toml"
        " offers (repeatable)",
    )
    p.add_argument(
        "--group",
        action="append",
        default=[],
        metavar="NAME",
        help="a dependency group of a pyproject.toml or a pylock.toml, whose default-groups"
        " are taken when none is named (repeatable)",
    )
    add_refresh_flag(p)
    set_arguments(p)
    p.add_argument(
        "--json", action="store_true", help="what was written, and each package's origin, as JSON"
    )

    p = commands.add("lock", _lock, "write a PEP 751 lock file (pylock.toml) for an environment")
    p.add_argument(
        "attrs",
        nargs="+",
        metavar="ATTR",
        help="packages of the environment: of the set, pypi:NAME, or of FILE (an environment"
        " of FILE, such as shell.py's env, is locked whole)",
    )
    p.add_argument(
        "-f", "--file", help="Python file whose attributes are packages or environments (ATTR)"
    )
    p.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        default="pylock.toml",
        help="where to write it: pylock.toml or pylock.NAME.toml (default: pylock.toml)",
    )
    set_arguments(p)
    add_refresh_flag(p)


def _import(args: argparse.Namespace) -> int:
    from ..generate import NoFittingFile, NotOnIndex, import_file

    pkgs = package_set(args)
    try:
        result = import_file(
            pkgs,
            args.file,
            args.output,
            all_from_index=args.all,
            extras=args.extra,
            groups=args.group,
            recipes=recipe_folders(args) or (),
            refresh=args.refresh,
            python=getattr(args, "python", None),
        )
    except (NotOnIndex, NoFittingFile) as exc:  # said at the line naming the project
        raise _at_its_line(args, exc.name, exc) from exc
    if args.json:
        print_json(
            {
                "folder": str(result.folder),
                "written": result.written,
                "from_set": result.from_set,
                "removed": result.removed,
                "source_trees": result.source_trees,
                "packages": {
                    p.attr: {"version": p.version, "origin": p.origin, "kind": p.kind or None}
                    for p in result.plan.pins.values()
                },
            }
        )
        return 0
    folder = result.folder
    count = len(result.written)
    written = ", ".join(result.written) or "none"
    print(f"wrote {count} recipe{'' if count == 1 else 's'} to {folder}: {written}")
    if result.from_set:
        print(f"left to the set's recipes: {', '.join(result.from_set)} (--all to generate them)")
    if result.removed:
        print(f"removed recipes no longer needed: {', '.join(result.removed)}")
    for name, tree in result.source_trees.items():
        print(
            f"left out {name}: it is locked to the folder {tree} (a project's own source), which"
            " a recipe of yours builds (src=Path(...)), not the index"
        )
    print(use_them(_python_option(args, pkgs), folder))
    return 0


def use_them(python_option: str, folder: Path) -> str:
    """The commands that use an import's recipes, its paths quoted: they are to be pasted,
    and a folder with a space would otherwise be split into other words (other files)."""
    import shlex

    overlay = shlex.quote(str(folder / "overlay.py"))
    return (
        f"use them: pybuild {python_option}shell --overlay {overlay} -p ATTR,"
        f" or cd {shlex.quote(str(folder))} && pybuild shell"
    )


def _python_option(args: argparse.Namespace, pkgs: PackageSet) -> str:
    """``--python X.Y `` as the import was given it, when it chose another interpreter than
    the default: the recipes were decided for its markers, and an overlay says nothing of the
    interpreter, so a shell without it would silently use them with another Python (shell.py
    names the interpreter itself)."""
    import shlex

    from ..python.interpreter import Interpreter

    python = getattr(args, "python", None)
    if python is None or pkgs.interpreter == Interpreter.current():
        return ""
    return f"--python {shlex.quote(python)} "


def _at_its_line(args: argparse.Namespace, name: str, exc: PybuildError) -> PybuildError:
    """`exc`, said at the line of the imported file that names the project `name`; as it was
    when no line does (a dependency's requirement)."""
    from ..importers import ImportFileError, read_file, where_named

    path, line = where_named(read_file(args.file, args.extra, args.group), args.file, name)
    if not line:
        return exc
    return ImportFileError(path, line, exc.args[0], exc.hint)


def _lock(args: argparse.Namespace) -> int:
    from ..importers.pylock import decided_variables, format_pylock, is_pylock_name, lock_packages

    backend_output(args)

    out = Path(args.output)
    if not is_pylock_name(out):
        raise UsageError(
            f"{out.name}: PEP 751 lock files are named pylock.toml or pylock.NAME.toml,"
            " where NAME has no dots (pylock.py313.toml, not pylock.3.13.toml)"
        )
    if args.file:
        from ..pkgset import package_set as default_set

        refuse_set_options(args)
        env = file_environment(args.file, args.attrs)
        pkgs = default_set(python=env.python)  # for the index's metadata of its interpreter
    else:
        pkgs = package_set(args)
        chosen = select_attrs(pkgs, args.attrs)
        env = pkgs.python.with_packages(lambda ps: chosen)
    decided = decided_variables(env.closure, pkgs, env.decided_by)
    lock = lock_packages(env.closure, env.python.version, folder=out.parent, decided=decided)
    text = format_pylock(lock)
    write_atomic(out, text)
    count = len(lock.packages)
    print(f"wrote {out}: {count} package{'' if count == 1 else 's'}")
    return 0
