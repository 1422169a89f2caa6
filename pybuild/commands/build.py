"""``pybuild build`` and ``pybuild eval``: realise attributes, or describe them unbuilt."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import Any

from ..errors import PybuildError, UsageError
from .common import (
    as_derivation,
    build_options,
    get_settings,
    open_store,
    package_set,
    print_json,
    select_attr,
    set_arguments,
)

_SUCCESS = ("built", "substituted", "valid")  # the fates of a derivation whose outputs exist


def register(commands: Any) -> None:
    p = commands.add("build", _build, "build derivations or packages and print their output paths")
    p.add_argument("attrs", nargs="*", metavar="ATTR", help="attribute of the set (or of FILE)")
    p.add_argument("-f", "--file", help="Python file whose attributes are derivations or packages")
    p.add_argument("--all", action="store_true", help="every package of the set (a Hydra job)")
    set_arguments(p)
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

    p = commands.add("eval", _eval, "show what an attribute is, without building it")
    p.add_argument("attr", metavar="ATTR")
    set_arguments(p)
    p.add_argument("--json", action="store_true")


def _build_targets(args: argparse.Namespace) -> list[Any]:
    """The derivations named on the command line, from FILE or from the package set."""
    from ..evaluate import load_module, select

    if args.file:
        module = load_module(args.file)
        values = [select(module, attr, args.file) for attr in args.attrs]
    else:
        pkgs = package_set(args)
        values = [select_attr(pkgs, attr) for attr in args.attrs]
    return [as_derivation(v, a) for v, a in zip(values, args.attrs, strict=True)]


def _build(args: argparse.Namespace) -> int:
    from ..evalcache import lookup
    from ..store.temproots import temp_roots

    settings = get_settings(args)
    store = open_store()
    if args.all:
        return _build_all(args, store, build_options(args, settings))
    if not args.attrs:
        raise UsageError("name what to build (ATTR…), or --all")

    key = _cache_key(args, store) if settings.eval_cache and not args.check else None
    cached = lookup(store, key) if key else None
    if cached is not None:
        with temp_roots(store, _outputs(cached)):  # held before checking that they are valid
            if all(store.is_valid(p) for p in _outputs(cached)):
                return _finish(args, store, cached, dict.fromkeys(cached, "valid"))
    from ..realiser import check, realise

    options = build_options(args, settings)
    targets = _evaluate(args, store, key) if key else _build_targets(args)
    with temp_roots(store, _outputs(targets)):  # no gc may take them before the result links
        fates = realise(targets, store, options)
        if args.check and not _failed(fates):
            return _report_check(store, targets, options, check)
        return _finish(args, store, targets, fates)


def _outputs(targets: list[Any]) -> list[str]:
    return [p for t in targets for p in t.output_paths.values()]


def _failed(fates: dict[Any, str]) -> list[Any]:
    return [d for d, fate in fates.items() if fate not in _SUCCESS]


def _cache_key(args: argparse.Namespace, store: Any) -> str:
    """The evaluation cache's name for this command line's evaluation."""
    from ..evalcache import cache_key

    return cache_key(store, ["build", args.file, args.attrs, args.recipes, args.overlay])


def _evaluate(args: argparse.Namespace, store: Any, key: str) -> list[Any]:
    """Evaluate the targets while recording what is read, and keep the record."""
    from ..evalcache import Recorder, save

    recorder = Recorder(str(store.dir))
    with recorder.recording():
        targets = _build_targets(args)
    save(store, key, recorder, targets)
    return targets


def _finish(args: argparse.Namespace, store: Any, targets: list[Any], fates: dict) -> int:
    """Result links for what was built, then the report (text or JSON); under temporary roots."""
    failed = _failed(fates)
    if args.out_link:
        _make_result_links(store, args.out_link, [t for t in targets if t not in failed])
    if args.json:
        print_json(
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

    from ..realiser import realise

    pkgs = package_set(args)
    results: dict[str, dict[str, Any]] = {}
    drvs: dict[str, Any] = {}
    for attr in pkgs.packages():
        try:
            drvs[attr] = as_derivation(pkgs[attr], attr)
        except PybuildError as exc:
            results[attr] = {"attr": attr, "status": "eval-failed", "error": str(exc)}
        except UsageError as exc:
            results[attr] = {"attr": attr, "status": "not-a-package", "error": str(exc)}
    fates = realise(list(drvs.values()), store, replace(options, keep_going=True))
    for attr, drv in drvs.items():
        fate = fates.get(drv, "valid")
        ok = fate in _SUCCESS
        results[attr] = {
            "attr": attr,
            "status": "success" if ok else "failed",
            "out": drv.path(store=store),
        }
        if not ok:
            results[attr]["error"] = fate
    rows = [results[a] for a in sorted(results)]
    if args.json:
        print_json(rows)
    else:
        for row in rows:
            print(f"{row['status']:<12} {row['attr']:<28} {row.get('out', row.get('error', ''))}")
    failed = sum(r["status"] != "success" for r in rows)
    print(f"{len(rows) - failed} succeeded, {failed} failed", file=sys.stderr)
    return 1 if failed and not args.keep_going else 0


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


def _make_result_links(store: Any, link: str, targets: Sequence[Any]) -> None:
    from ..store.roots import add_result_link

    for i, target in enumerate(targets):
        for output in target.outputs:
            name = link if i == 0 else f"{link}-{i + 1}"
            if output != "out":
                name = f"{name}-{output}"
            add_result_link(store, name, target.path(output, store))


def _eval(args: argparse.Namespace) -> int:

    value = select_attr(package_set(args), args.attr)
    drv = as_derivation(value, args.attr)
    store = open_store()
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
        print_json(info)
    else:
        for key, val in info.items():
            shown = ", ".join(val) if isinstance(val, list) else val
            print(f"{key}: {shown}")
    return 0
