"""The ``pybuild`` command line.

Each sub-command is a small function that imports what it needs when it runs: ``pybuild
--help`` and a no-op build must stay fast, so nothing heavy (HTTP, build tools) is imported at
the top. Errors of our own hierarchy print as one message and exit 1; no traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from typing import Any

from .errors import PybuildError, UsageError

__all__ = ["main"]

_Handler = Callable[[argparse.Namespace], int]


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "handler", None):
        parser.print_help()
        return 2
    try:
        return args.handler(args)
    except PybuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


def _parser() -> argparse.ArgumentParser:
    option_help = "set a setting for this command (overrides config file and environment)"
    # On sub-commands the default is SUPPRESS, so that an --option given before the command
    # is not overwritten by the sub-command's empty default.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--option",
        nargs=2,
        action="append",
        default=argparse.SUPPRESS,
        metavar=("NAME", "VALUE"),
        help=option_help,
    )
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
        help=option_help,
    )
    sub = parser.add_subparsers(metavar="COMMAND")

    def command(name: str, handler: _Handler, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, parents=[common], help=help_text, description=help_text)
        p.set_defaults(handler=handler)
        return p

    p = command("build", _build, "build derivations or packages and print their output paths")
    p.add_argument("attrs", nargs="*", metavar="ATTR", help="attribute of the set (or of FILE)")
    p.add_argument("-f", "--file", help="Python file whose attributes are derivations or packages")
    p.add_argument("--all", action="store_true", help="every package of the set (a Hydra job)")
    _set_arguments(p)
    p.add_argument(
        "-o", "--out-link", metavar="LINK", help="make LINK (a gc root) point to the result"
    )
    p.add_argument("-j", "--jobs", type=int, help="builds to run in parallel (setting: jobs)")
    p.add_argument("-k", "--keep-going", action="store_true", help="go on after a failed build")
    p.add_argument(
        "--check",
        action="store_true",
        help="build again and report whether the result is bit-identical",
    )
    p.add_argument("--json", action="store_true", help="print a JSON report")

    p = command("shell", _shell, "run a command (or a shell) in an environment of packages")
    p.add_argument(
        "-p",
        "--packages",
        action="append",
        metavar="ATTR",
        default=[],
        help="a package of the set to put in the environment (repeatable)",
    )
    _set_arguments(p)
    p.add_argument(
        "--pure",
        action="store_true",
        help="start from an empty environment (keeps HOME, USER, TERM and a few more)",
    )
    p.add_argument("--run", metavar="CMD", help="run CMD with /bin/sh instead of a shell")

    p = command("eval", _eval, "show what an attribute is, without building it")
    p.add_argument("attr", metavar="ATTR")
    _set_arguments(p)
    p.add_argument("--json", action="store_true")

    p = command("prefetch", _prefetch, "find a release file on the index, store it, print its hash")
    p.add_argument("spec", metavar="NAME==VERSION")
    p.add_argument("--kind", choices=("sdist", "wheel"), default="sdist")
    p.add_argument("--json", action="store_true")

    p = command("show-derivation", _show_derivation, "print a derivation as JSON")
    p.add_argument("path", help="a .drv file, or an output path or result link")

    p = command("path-info", _path_info, "show what the store records of a path")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("-r", "--recursive", action="store_true", help="the whole closure")
    p.add_argument("-S", "--closure-size", action="store_true", help="show the closure size")
    p.add_argument("--json", action="store_true")

    p = command("add", _add, "copy a file or folder into the store")
    p.add_argument("path")
    p.add_argument("--name", help="store name (default: the file name)")

    p = command("hash", _hash, "print the hash of a path (NAR, as nix-hash does)")
    p.add_argument("path")
    p.add_argument("--flat", action="store_true", help="hash a file's bytes, not its NAR")
    form = p.add_mutually_exclusive_group()
    form.add_argument("--base32", dest="form", action="store_const", const="base32")
    form.add_argument("--sri", dest="form", action="store_const", const="sri")
    form.add_argument("--hex", dest="form", action="store_const", const="hex")

    p = command("verify", _verify, "check that registered paths exist and are unchanged")
    p.add_argument("--check-contents", action="store_true", help="re-hash every path")
    p.add_argument("--json", action="store_true")

    config = command("config", _no_subcommand(sub), "show settings")
    config_sub = config.add_subparsers(metavar="ACTION")
    p = config_sub.add_parser("show", parents=[common], help="print the effective settings")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_config_show)
    return parser


def _no_subcommand(sub: Any) -> _Handler:
    def handler(args: argparse.Namespace) -> int:
        raise UsageError("say what to do: pybuild config show")

    return handler


# -- shared helpers ---------------------------------------------------------------------------


def _settings(args: argparse.Namespace) -> Any:
    from .settings import load_settings

    return load_settings([tuple(o) for o in args.option])


def _store() -> Any:
    from .store import Store

    return Store.default()


def _print_json(data: object) -> None:
    print(json.dumps(data, indent=2, sort_keys=True))


# -- commands ---------------------------------------------------------------------------------


def _set_arguments(p: argparse.ArgumentParser) -> None:
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


def _package_set(args: argparse.Namespace) -> Any:
    from .evaluate import load_module, select
    from .pkgset import package_set

    overlays = [select(load_module(f), "overlay", f) for f in args.overlay or []]
    return package_set(recipes=args.recipes, overlays=overlays)


def _as_derivation(value: Any, attr: str) -> Any:
    from .derivations import Derivation

    drv = value if isinstance(value, Derivation) else getattr(value, "drv", None)
    if not isinstance(drv, Derivation):
        raise UsageError(f"{attr} is a {type(value).__name__}, not a derivation or package")
    return drv


def _build_targets(args: argparse.Namespace) -> list[Any]:
    """The derivations named on the command line, from FILE or from the package set."""
    from .evaluate import load_module, select

    if args.file:
        root, where = load_module(args.file), args.file
    else:
        root, where = _package_set(args), "the package set"
    if not args.attrs:
        raise UsageError("name what to build (ATTR…), or --all")
    return [_as_derivation(select(root, attr, where), attr) for attr in args.attrs]


def _build(args: argparse.Namespace) -> int:
    from .realiser import BuildOptions, check, realise

    settings = _settings(args)
    store = _store()
    options = BuildOptions(
        jobs=args.jobs or settings.jobs,
        keep_going=args.keep_going,
        keep_failed=settings.keep_failed,
        log_lines=settings.log_lines,
        build_timeout=settings.build_timeout,
    )
    if args.all:
        return _build_all(args, store, options)
    targets = _build_targets(args)
    fates = realise(targets, store, options)
    failed = [d for d, fate in fates.items() if fate not in ("built", "valid")]
    if args.check and not failed:
        return _report_check(store, targets, options, check)
    if args.out_link:
        _make_result_links(store, args.out_link, [t for t in targets if t not in failed])
    if args.json:
        _print_json(
            [
                {
                    "attr": a,
                    "drvPath": str(store.path(t.drv_name)),
                    "fate": fates[t],
                    "outputs": {o: t.path(o, store) for o in t.outputs},
                }
                for a, t in zip(args.attrs, targets, strict=True)
            ]
        )
    else:
        for target in targets:
            if target not in failed:
                print("\n".join(target.path(o, store) for o in target.outputs))
        for drv in failed:
            print(f"error: {fates[drv]}", file=sys.stderr)
    return 1 if failed else 0


def _build_all(args: argparse.Namespace, store: Any, options: Any) -> int:
    """Every package of the set; each attribute's success or failure, as Hydra reports it."""
    from dataclasses import replace

    from .realiser import realise

    pkgs = _package_set(args)
    results: dict[str, dict[str, Any]] = {}
    drvs: dict[str, Any] = {}
    for attr in pkgs.packages():
        try:
            drvs[attr] = _as_derivation(pkgs[attr], attr)
        except PybuildError as exc:
            results[attr] = {"attr": attr, "status": "eval-failed", "error": str(exc)}
        except UsageError as exc:
            results[attr] = {"attr": attr, "status": "not-a-package", "error": str(exc)}
    fates = realise(list(drvs.values()), store, replace(options, keep_going=True))
    for attr, drv in drvs.items():
        fate = fates.get(drv, "valid")
        ok = fate in ("built", "valid")
        results[attr] = {
            "attr": attr,
            "status": "success" if ok else "failed",
            "out": drv.path(store=store),
        }
        if not ok:
            results[attr]["error"] = fate
    rows = [results[a] for a in sorted(results)]
    if args.json:
        _print_json(rows)
    else:
        for row in rows:
            print(f"{row['status']:<12} {row['attr']:<28} {row.get('out', row.get('error', ''))}")
    failed = sum(r["status"] != "success" for r in rows)
    print(f"{len(rows) - failed} succeeded, {failed} failed", file=sys.stderr)
    return 1 if failed and not args.keep_going else 0


def _environment(args: argparse.Namespace) -> Any:
    """The environment of ``-p`` packages, or ``env`` of ``shell.py`` in this folder."""
    from .evaluate import load_module, select

    if args.packages:
        pkgs = _package_set(args)
        chosen = [select(pkgs, attr, "the package set") for attr in args.packages]
        return pkgs.python.with_packages(lambda ps: chosen)
    if not os.path.exists("shell.py"):
        raise UsageError("name packages with -p ATTR, or write a shell.py whose env is one")
    return select(load_module("shell.py"), "env", "shell.py")


def _shell(args: argparse.Namespace) -> int:
    from .realiser import BuildOptions, realise
    from .shell import run_in_environment

    settings = _settings(args)
    drv = _as_derivation(_environment(args), "env")
    store = _store()
    realise(
        [drv],
        store,
        BuildOptions(
            jobs=settings.jobs, log_lines=settings.log_lines, build_timeout=settings.build_timeout
        ),
    )
    return run_in_environment(drv.path(store=store), args.pure, args.run)


def _eval(args: argparse.Namespace) -> int:
    from .evaluate import select

    value = select(_package_set(args), args.attr, "the package set")
    drv = _as_derivation(value, args.attr)
    store = _store()
    info: dict[str, Any] = {
        "attr": args.attr,
        "name": drv.name,
        "drvPath": str(store.path(drv.drv_name)),
        "outputs": {o: drv.path(o, store) for o in drv.outputs},
        "built": all(store.is_valid(p) for p in drv.output_paths.values()),
    }
    attrs = getattr(value, "attrs", None)
    if attrs is not None:
        info.update(
            pname=value.pname,
            version=value.version,
            format=attrs["format"],
            dependencies=[d.pname for d in value.dependencies],
            build_system=[getattr(b, "pname", str(b)) for b in attrs["build_system"]],
            src=str(attrs["src"]),
        )
    if args.json:
        _print_json(info)
    else:
        for key, val in info.items():
            shown = ", ".join(val) if isinstance(val, list) else val
            print(f"{key}: {shown}")
    return 0


def _report_check(store: Any, targets: Sequence[Any], options: Any, check: Any) -> int:
    differing = 0
    for target in targets:
        differences = check(target, store, options)
        if not differences:
            print(f"{target.path(store=store)}: rebuilt bit-identical")
        for name, files in differences.items():
            differing += 1
            print(f"{store.path(name)}: differs when rebuilt, in {len(files)} file(s):")
            print("".join(f"  {f}\n" for f in files), end="")
    return 1 if differing else 0


def _prefetch(args: argparse.Namespace) -> int:
    from .fetchers import fetch_url, locate_pypi_file
    from .python.interpreter import Interpreter
    from .realiser import realise

    name, sep, version = args.spec.partition("==")
    if not sep or not name or not version:
        raise UsageError(f"{args.spec!r}: write NAME==VERSION")
    tags = Interpreter.current().tags if args.kind == "wheel" else None
    url, filename, sri = locate_pypi_file(name.strip(), version.strip(), args.kind, tags)
    store = _store()
    fetched = fetch_url(url, sri, name=filename)
    realise([fetched], store)
    if args.json:
        _print_json({"url": url, "hash": sri, "name": filename, "path": fetched.path(store=store)})
    else:
        print(f"hash: {sri}\nurl:  {url}\npath: {fetched.path(store=store)}")
    return 0


def _make_result_links(store: Any, link: str, targets: Sequence[Any]) -> None:
    from .store.roots import add_result_link

    for i, target in enumerate(targets):
        for output in target.outputs:
            name = link if i == 0 else f"{link}-{i + 1}"
            if output != "out":
                name = f"{name}-{output}"
            add_result_link(store, name, target.path(output, store))


def _show_derivation(args: argparse.Namespace) -> int:
    from .derivations import STORE_TOKEN, load_derivation

    store = _store()
    name = store.parse(args.path)
    if not name.endswith(".drv"):
        deriver = store.info(name).deriver
        if not deriver:
            raise UsageError(f"{args.path} was not built by a derivation (it was added)")
        name = deriver
    drv = load_derivation(store, name)
    doc = json.loads(drv.text.replace(STORE_TOKEN, str(store.dir)))
    _print_json({str(store.path(name)): doc})
    return 0


def _path_info(args: argparse.Namespace) -> int:
    store = _store()
    names = [store.parse(p) for p in args.paths]
    for name in names:
        store.info(name)  # a clear error for a path that is not valid
    if args.recursive:
        names = store.closure(names)
    rows = []
    for name in names:
        info = store.info(name).to_json()
        info["path"] = str(store.path(name))
        info["references"] = [str(store.path(r)) for r in info["references"]]  # type: ignore[union-attr]
        if args.closure_size:
            info["closureSize"] = sum(store.info(n).nar_size for n in store.closure([name]))
        rows.append(info)
    if args.json:
        _print_json(rows)
        return 0
    for row in rows:
        size = f"\t{_human(row['narSize'])}"
        if args.closure_size:
            size += f"\t{_human(row['closureSize'])}"
        print(f"{row['path']}{size}")
    return 0


def _human(size: object) -> str:
    value = float(size)  # type: ignore[arg-type]
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def _add(args: argparse.Namespace) -> int:
    store = _store()
    print(store.path(store.add_path(args.path, args.name)))
    return 0


def _hash(args: argparse.Namespace) -> int:
    from .hashing import hash_file, hash_path

    if not os.path.lexists(args.path):
        raise UsageError(f"{args.path}: no such file or folder")
    if args.flat and not os.path.isfile(args.path):
        raise UsageError(f"{args.path}: --flat hashes a regular file")
    digest = hash_file(args.path) if args.flat else hash_path(args.path)[0]
    print(getattr(digest, args.form or "sri"))
    return 0


def _verify(args: argparse.Namespace) -> int:
    store = _store()
    problems = list(store.verify(check_contents=args.check_contents))
    damage = [p for p in problems if p.is_damage]
    if args.json:
        _print_json(
            [
                {"path": str(store.path(p.path)), "kind": p.kind, "detail": p.detail}
                for p in problems
            ]
        )
    else:
        for p in problems:
            print(f"{p.kind}: {store.path(p.path)}: {p.detail}")
        print(f"checked the store: {len(damage)} damaged path(s)", file=sys.stderr)
    return 1 if damage else 0


def _config_show(args: argparse.Namespace) -> int:
    from .settings import format_settings

    print(format_settings(_settings(args), as_json=args.json))
    return 0
