"""Profile commands: install, remove, upgrade, list, list-generations, rollback,
switch-generation, delete-generations and ``profile path``; each takes ``--profile NAME``."""

from __future__ import annotations

import argparse
import os
import sys
import time

from .common import (
    add_build_flags,
    add_dry_run,
    add_refresh_flag,
    backend_output,
    build_options,
    completes_attrs,
    evaluate_recorded,
    get_settings,
    keyed_command,
    located_python,
    open_store,
    print_json,
    print_work,
    pypi_words,
    recipe_folders,
    recorded_valid,
    refuse_pypi_of_a_file,
    refuse_set_options,
    select_attrs,
    set_arguments,
)

TYPE_CHECKING = False  # typing: an import no command needs at run time
if TYPE_CHECKING:
    from typing import Any


def register(commands: Any) -> None:
    p = commands.add("install", _install, "add packages of the set to a profile (a new generation)")
    completes_attrs(
        p.add_argument(
            "attrs", nargs="+", metavar="ATTR", help="attribute of the package set (or of --file)"
        )
    )
    p.add_argument(
        "-f", "--file", help="Python file whose attributes ATTR are (upgrade reads it again)"
    )
    set_arguments(p)
    _profile_argument(p)
    add_build_flags(p)
    add_refresh_flag(p)
    add_dry_run(p)

    p = commands.add("remove", _remove, "remove packages from a profile (a new generation)")
    p.add_argument("names", nargs="+", metavar="NAME", help="attribute or distribution name")
    _profile_argument(p)
    add_dry_run(
        p,
        "print what would be removed and what the new generation's environment needs built,"
        " and change nothing",
    )

    p = commands.add(
        "upgrade",
        _upgrade,
        "evaluate a profile's packages again with the recipes, resolving pypi: ones again",
    )
    p.add_argument("names", nargs="*", metavar="NAME", help="packages to upgrade (default: all)")
    set_arguments(p)
    _profile_argument(p)
    add_build_flags(p)
    add_dry_run(p)

    p = commands.add("list", _list, "the packages of a profile's current generation")
    _profile_argument(p)
    p.add_argument("--json", action="store_true", help="print a JSON list")

    p = commands.add("list-generations", _list_generations, "the generations of a profile")
    _profile_argument(p)
    p.add_argument(
        "--json",
        action="store_true",
        help="print a JSON list: each generation's action, environment, packages (attributes)"
        " and entries (as `list --json` gives them: name, version, store path…)",
    )

    p = commands.add("rollback", _rollback, "switch a profile to its previous generation")
    _profile_argument(p)

    p = commands.add("switch-generation", _switch, "switch a profile to generation N")
    p.add_argument("number", type=int, metavar="N", help="the generation to make current")
    _profile_argument(p)

    p = commands.add(
        "delete-generations",
        _delete_generations,
        "delete generations of a profile: old | N… | +N | Nd (older than N days); never the"
        " current one",
    )
    p.add_argument(
        "spec",
        nargs="+",
        metavar="SPEC",
        help="old (all but the current), generation numbers, +N (keep the current and the N-1"
        " before it, and any newer one, as Nix does) or Nd (older than N days, keeping the one"
        " that was current then)",
    )
    p.add_argument("--dry-run", action="store_true", help="list what would be deleted")
    _profile_argument(p)

    p = commands.add("profile", _profile_path, "print a profile's bin folder (to put on PATH)")
    p.add_argument(
        "action",
        nargs="?",
        default="path",
        choices=["path"],
        metavar="ACTION",
        help="path (the default): the profile's stable bin folder",
    )
    _profile_argument(p)


def _profile_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--profile", default="default", metavar="NAME", help="the profile (default: default)"
    )


def _open(args: argparse.Namespace) -> Any:
    from ..profiles import Profile

    return Profile(open_store(), args.profile)


def _say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def _install(args: argparse.Namespace) -> int:
    """Install the packages; a repeated install that changes nothing is answered from the
    evaluation cache (as ``build`` and ``shell`` are) without evaluating the profile again."""
    settings = get_settings(args)
    if args.file:
        refuse_set_options(args)
        for attr in args.attrs:
            refuse_pypi_of_a_file(args.file, attr)
    pypi_words(args.attrs)
    backend_output(args)  # -q and --refresh for the pypi: packages it installs
    if args.dry_run:
        return _install_dry_run(args, settings)
    profile = _open(args)
    current = profile.current(collected_ok=True)  # an install makes it again
    key = _install_key(args, profile, current) if settings.eval_cache else None
    if key and not args.refresh and _unchanged(profile, current, key):
        _say(f"profile {profile.name}: nothing changed")
        return 0
    _run_install(
        args,
        profile,
        options=build_options(args, settings),
        record=(lambda evaluate: evaluate_recorded(profile.store, key, evaluate)) if key else None,
    )
    return 0


def _install_dry_run(args: argparse.Namespace, settings: Any) -> int:
    """What the install would change in the profile, and what building its new environment
    (the new packages and what they need) would do; the profile is left as it is."""
    profile = _open(args)
    _run_install(args, profile, dry_run=_printer(profile, build_options(args, settings)))
    return 0


def _run_install(args: argparse.Namespace, profile: Any, **how: Any) -> None:
    """Install the command line's packages from its sets; `how` is what a run adds (its
    options and evaluation record) or a dry run (its printer)."""
    from ..profiles import install

    install(
        profile,
        args.attrs,
        recipes=recipe_folders(args),
        overlays=args.overlay or (),
        file=args.file,
        resolve=select_attrs,
        log=_say,
        python=located_python(args),
        **how,
    )


def _printer(profile: Any, options: Any) -> Any:
    """What a dry run does with a change's new environment: print what realising it would
    do, as ``build --dry-run`` prints it."""
    return lambda drv: print_work([drv], profile.store, options)


def _install_key(args: argparse.Namespace, profile: Any, current: Any) -> str:
    """The evaluation cache's name for this install: the command line and the profile's
    `current` generation, whose packages the install evaluates again."""
    from ..evalcache import cache_key

    manifest = current.manifest.to_json() if current else None
    command = [
        "install",
        args.attrs,
        os.path.abspath(args.file) if args.file else None,  # its bytes: read by the evaluation
        recipe_folders(args),
        args.overlay,
        located_python(args),
        profile.name,
        repr(manifest),
    ]
    return cache_key(profile.store, keyed_command(args, command))


def _unchanged(profile: Any, current: Any, key: str) -> bool:
    """Whether the record `key` holds and its environment is the `current` generation's: the
    install would evaluate to what the profile has, and change nothing."""
    with recorded_valid(profile.store, key) as cached:
        if cached is None or len(cached) != 1:
            return False
        return current is not None and current.manifest.environment == cached[0].output_paths.get(
            "out"
        )


def _remove(args: argparse.Namespace) -> int:
    from ..profiles import remove

    pypi_words(args.names)
    options = build_options(args, get_settings(args))
    profile = _open(args)
    dry_run = _printer(profile, options) if args.dry_run else None
    remove(profile, args.names, options=options, log=_say, dry_run=dry_run)
    return 0


def _upgrade(args: argparse.Namespace) -> int:
    from ..profiles import upgrade

    pypi_words(args.names)
    profile, options = _open(args), build_options(args, get_settings(args))
    upgrade(
        profile,
        args.names,
        recipes=recipe_folders(args),
        overlays=args.overlay,
        resolve=select_attrs,
        options=options,
        log=_say,
        python=located_python(args),
        dry_run=_printer(profile, options) if args.dry_run else None,
    )
    return 0


def _list(args: argparse.Namespace) -> int:
    profile = _open(args)
    current = profile.current()
    entries = current.manifest.packages if current else ()
    store = profile.store
    if args.json:
        print_json([_listed(store, e) for e in entries])
        return 0
    if current is None:
        _say(f"profile {profile.name} has no generation yet")
    rows = [(e.attr, f"{e.pname} {e.version}", str(store.path(e.out))) for e in entries]
    widths = [max([24, *(len(row[i]) for row in rows)]) for i in (0, 1)]  # columns line up
    for attr, release, out in rows:
        print(f"{attr:<{widths[0]}} {release:<{widths[1]}} {out}")
    return 0


def _listed(store: Any, entry: Any) -> dict[str, Any]:
    """A package as ``list --json`` gives it, and ``list-generations --json`` each
    generation's: the manifest's entry, its output a full store path."""
    return {**entry.to_json(), "out": str(store.path(entry.out))}


def _list_generations(args: argparse.Namespace) -> int:
    from ..errors import PybuildError

    profile = _open(args)
    from ..progress import tell  # the warnings below, as the progress lines colour them

    generations, broken = [], []  # broken: why a generation cannot be read
    for number in profile.numbers():
        try:
            generations.append(profile.generation(number))
        except PybuildError as exc:  # listed, so that the user can see what to repair
            broken.append(str(exc).splitlines()[0])
    try:
        current = profile.current_number()
    except PybuildError as exc:
        current = None
        tell(f"warning: {exc}", args.color)
    for reason in broken:
        tell(f"warning: {reason}", args.color)
    if not generations and not broken and not args.json:  # as `list` says it
        _say(f"profile {profile.name} has no generation yet")
    if args.json:
        print_json(
            [
                {
                    "generation": g.number,
                    "created": g.created,
                    "current": g.number == current,
                    "environment": str(profile.store.path(g.manifest.environment)),
                    "packages": [e.attr for e in g.manifest.packages],
                    "entries": [_listed(profile.store, e) for e in g.manifest.packages],
                    "action": g.manifest.action,
                }
                for g in generations
            ]
        )
        return 0
    for g in generations:
        print(_generation_line(g, g.number == current))
    return 0


def _generation_line(generation: Any, current: bool) -> str:
    """A generation as ``list-generations`` prints it: when it was made, its environment's
    hash (the same packages built otherwise are another), the change that made it, as
    recorded, and its packages; two generations that differ never read the same."""
    manifest = generation.manifest
    when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(generation.created))
    packages = ", ".join(f"{e.pname} {e.version}" for e in manifest.packages) or "(empty)"
    made = f"{manifest.action}: {packages}" if manifest.action else packages
    mark = "   (current)" if current else ""
    return f"{generation.number:>4}   {when}   {manifest.environment[:8]}   {made}{mark}"


def _rollback(args: argparse.Namespace) -> int:
    from ..profiles.generations import switch_generation

    _say(switch_generation(_open(args), None))
    return 0


def _switch(args: argparse.Namespace) -> int:
    from ..profiles.generations import switch_generation

    _say(switch_generation(_open(args), args.number))
    return 0


def _delete_generations(args: argparse.Namespace) -> int:
    profile = _open(args)
    with profile.lock(_say):
        deleted = profile.delete_generations(args.spec, dry_run=args.dry_run)
    if deleted:
        shown = ", ".join(map(str, deleted))
        done, then = (
            ("would delete", "") if args.dry_run else ("deleted", "; `pybuild gc` frees them")
        )
        _say(f"{done} generation(s) {shown} of profile {profile.name}{then}")
    else:
        _say(f"profile {profile.name}: no generation to delete")
    return 0


def _profile_path(args: argparse.Namespace) -> int:
    profile = _open(args)
    if profile.current_number() is None:
        _say(f"profile {profile.name} has no generation yet: the folder appears on install")
    print(profile.bin_dir)
    return 0
