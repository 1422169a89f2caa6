"""Garbage-collection commands: gc, delete, why-depends, optimise, du."""

from __future__ import annotations

import argparse
import sys

from ..display import human_size, parse_size
from ..errors import BadArgument, UsageError
from .common import (
    completes_attrs,
    link_cache,
    open_store,
    outputs_named,
    path_name,
    print_json,
    refuse_a_bare_name,
    target_options,
)

TYPE_CHECKING = False  # typing: an import no command needs at run time
if TYPE_CHECKING:
    from typing import Any

    from ..store.gc import GcResult


def register(commands: Any) -> None:
    p = commands.add("gc", _gc, "delete the store paths that no root reaches")
    p.add_argument("--dry-run", action="store_true", help="list what would be deleted")
    p.add_argument(
        "--max-freed", metavar="SIZE", help="stop once SIZE is freed (500M, 2G; powers of 1024)"
    )
    p.add_argument(
        "-d",
        "--delete-old",
        action="store_true",
        help="first delete every profile's generations but the current (nix-collect-garbage -d)",
    )
    p.add_argument(
        "--delete-older-than",
        metavar="PERIOD",
        help="first delete every profile's generations older than PERIOD (30d), but the current"
        " and the one that was current then",
    )
    p.add_argument("--json", action="store_true", help="the result as a JSON object")
    p.add_argument(
        "--print-roots",
        action="store_true",
        help="only list the roots, as ROOT -> PATH, and delete nothing (nix-store --gc"
        " --print-roots; `pybuild query --roots PATH` lists those that keep PATH)",
    )

    p = commands.add("delete", _delete, "delete store paths, unless a root still needs them")
    p.add_argument("paths", nargs="+", metavar="PATH", help="store paths or result links")

    p = commands.add("why-depends", _why_depends, "print the chain of references from A to B")
    for name, what in (("a", "the path that depends"), ("b", "the path it may depend on")):
        completes_attrs(
            p.add_argument(
                name,
                metavar=name.upper(),
                help=f"{what}: a store path or result link, or an attribute of the set (or of"
                " FILE) whose one output is built",
            )
        )
    target_options(p)

    p = commands.add("optimise", _optimise, "hard-link identical files across the store")
    p.add_argument(
        "--dry-run", action="store_true", help="say what would be linked and saved; link nothing"
    )

    p = commands.add("du", _du, "the largest closures of the roots, and what gc would free")
    p.add_argument("-n", "--top", type=int, default=10, metavar="N", help="closures to show")
    p.add_argument("--json", action="store_true", help="the usage as a JSON object")


def _gc(args: argparse.Namespace) -> int:
    from ..store.gc import collect_garbage

    if args.print_roots:
        return _print_roots(args)
    max_freed = parse_size(args.max_freed) if args.max_freed is not None else None
    store = _store_to_free()
    _warn_moved_links(store, args.color)
    verb = "would delete" if args.dry_run else "deleting"
    generations, gone_links, skipped = _delete_generations(args, store)
    # A dry run's list is its result (standard output); a collection's is progress, on
    # standard error as Nix writes it, which -q leaves out: a reader of the output that goes
    # away (`gc | head`) must not stop the collection halfway.
    listed = not args.json and (args.dry_run or not args.quiet)
    listing = sys.stdout if args.dry_run else sys.stderr

    def log(path: str) -> None:
        if listed:
            print(f"{verb} {path}", file=listing)

    result = collect_garbage(
        store, dry_run=args.dry_run, max_freed=max_freed, log=log, without=gone_links
    )
    links, links_freed = _prune_link_cache(args)
    result.freed += links_freed
    if args.json:
        print_json(
            {
                "dryRun": result.dry_run,
                "deleted": [str(store.path(n)) for n in result.deleted + result.leftovers],
                "tmpDirs": [str(store.tmp_dir / d) for d in result.tmp_dirs],
                "freed": result.freed,
                "roots": result.roots,
                "live": result.live,
                "evalRecordsRemoved": result.eval_records_removed,
                "validityNotesRemoved": result.validity_notes_removed,
                "linkCacheEntriesRemoved": links,
                "generationsDeleted": generations,
                "profilesSkipped": skipped,
            }
        )
        return 1 if skipped else 0
    for entry in result.tmp_dirs if listed else ():
        print(f"{verb} {store.tmp_dir / entry}", file=listing)
    count = len(result.deleted) + len(result.leftovers)
    summary = (
        f"{count} store path(s) {'would be deleted' if args.dry_run else 'deleted'},"
        f" {human_size(result.freed)} {'would be freed' if args.dry_run else 'freed'}"
        f" ({result.live} live path(s) kept, {result.roots} root(s))"
    )
    if result.kept_busy:
        summary += f"; {len(result.kept_busy)} in use by a build, kept"
    if links:
        entries = f"{links} link cache entr{'y' if links == 1 else 'ies'}"
        done = "would be removed" if args.dry_run else "removed"
        summary += f"; {entries} that no store links {done}"
    print(summary + _stale_caches(result), file=sys.stderr)
    if skipped:
        names = ", ".join(skipped)
        from ..progress import tell  # only a command telling a failure needs it

        tell(f"error: profile(s) {names} skipped: their old generations stay", args.color)
    return 1 if skipped else 0


def _print_roots(args: argparse.Namespace) -> int:
    from ..store.roots import find_roots
    from .query import print_roots

    changes = [
        f
        for f, on in (
            ("--dry-run", args.dry_run),
            ("--max-freed", args.max_freed),
            ("-d", args.delete_old),
            ("--delete-older-than", args.delete_older_than),
            ("--json", args.json),
        )
        if on not in (None, False)  # an option given empty ('') is given
    ]
    if changes:
        raise UsageError(f"--print-roots lists the roots only: drop {' '.join(changes)}")
    store = _store_to_free()
    _warn_moved_links(store, args.color)
    print_roots(store, find_roots(store))
    return 0


def _warn_moved_links(store: Any, color: str) -> None:
    """Say of each link into the store's old location (the home was moved) how to point it
    here: it still keeps its path, but its target is gone, or no longer this store's."""
    from ..store.roots import moved_links

    for root in moved_links(store):
        from ..progress import tell  # only a command telling a failure needs it

        tell(f"warning: {root.how_to_repoint(store)}", color)


def _delete_generations(
    args: argparse.Namespace, store: Any
) -> tuple[dict[str, list[int]], list[str], dict[str, str]]:
    """``--delete-old`` / ``--delete-older-than``: the old generations of every profile go
    first, so that the collection frees what only they held; the numbers deleted (in a dry
    run, that would be), by profile, the links of those generations, and the profiles
    skipped, with why. A profile whose link was changed by hand is skipped with a warning
    (its generations all stay, roots of the collection), and the others and the collection
    go on, as ``nix-collect-garbage -d`` does: one broken profile must not leave the rest
    half done."""
    if not args.delete_old and args.delete_older_than is None:  # '' is a bad period, not none
        return {}, [], {}
    if args.delete_old and args.delete_older_than is not None:
        raise UsageError("--delete-old deletes every old generation: drop --delete-older-than")
    period = args.delete_older_than
    if period is not None and not (period[:-1].isdecimal() and period.endswith("d")):
        raise BadArgument(f"cannot read {period!r} as a period: give days, as 30d")
    from ..profiles import Profile, ProfileError

    spec = ["old" if args.delete_old else period]
    deleted: dict[str, list[int]] = {}
    links: list[str] = []
    skipped: dict[str, str] = {}
    for profile in Profile.every(store):
        try:
            with profile.lock(lambda line: print(line, file=sys.stderr, flush=True)):
                numbers = profile.delete_generations(spec, dry_run=args.dry_run)
        except ProfileError as exc:
            skipped[profile.name] = str(exc)
            from ..progress import tell  # only a command telling a failure needs it

            tell(f"warning: skipping profile {profile.name}: {exc}", args.color)
            continue
        links.extend(profile.links.link_path(number) for number in numbers)
        if numbers:
            deleted[profile.name] = numbers
            if not args.json:  # a result, as delete-generations says it: -q keeps it
                shown = ", ".join(map(str, numbers))
                verb = "would delete" if args.dry_run else "deleted"
                print(f"{verb} generation(s) {shown} of profile {profile.name}", file=sys.stderr)
    return deleted, links, skipped


def _prune_link_cache(args: argparse.Namespace) -> tuple[int, int]:
    """The ``link_cache`` setting's entries that no store links any more, removed (counted
    only, in a dry run: those the deletions would leave unlinked are not counted): how many,
    and their bytes."""
    links = link_cache(args)
    return links.prune(args.dry_run) if links is not None else (0, 0)


def _delete(args: argparse.Namespace) -> int:
    from ..store.delete import delete_paths

    store = _store_to_free()
    for path in args.paths:
        refuse_a_bare_name(path, "delete")
    names = [path_name(p, store) for p in args.paths]  # a stored path's basename too
    result = delete_paths(store, names)
    for name in result.deleted + result.leftovers:
        print(f"deleted {store.path(name)}")
    print(f"{human_size(result.freed)} freed{_stale_caches(result)}", file=sys.stderr)
    return 0


def _store_to_free() -> Any:
    """The store, for a command that frees space (or says what it would free): its registry
    opens on a full filesystem too, in the room of its reserve
    (:meth:`~pybuild.store.registry.Registry.open_to_free`)."""
    store = open_store()
    store.registry.open_to_free()
    return store


def _stale_caches(result: GcResult) -> str:
    """The summary's note of the cache files that could no longer answer, if any went."""
    stale = result.eval_records_removed + result.validity_notes_removed
    return f"; {stale} stale cache file(s) removed" if stale else ""


def _why_depends(args: argparse.Namespace) -> int:
    from ..store.refgraph import why_depends

    store = open_store()
    targets = [args.a, args.b]
    # Two packages, not one environment: `pypi:A pypi:B` resolved together can make A another
    # derivation than `pybuild build pypi:A` made (B's newest release in its closure).
    named = outputs_named(args, targets, store, together=False)
    a, b = map(_one_path, named, targets)
    steps = why_depends(store, a, b)
    if steps is None:  # an answer, not a failure: Nix says it on stderr and exits 0
        print(f"{store.path(a)} does not depend on {store.path(b)}", file=sys.stderr)
        for other in _namesakes(store, a, b):
            print(f"  it depends on {store.path(other)} (another version)", file=sys.stderr)
        return 0
    for depth, (name, where) in enumerate(steps):
        line = ("  " * depth + "└── " if depth else "") + str(store.path(name))
        if where is not None:
            line += f"   ({_how_it_refers(where)})"
        print(line)
    return 0


def _namesakes(store: Any, a: str, b: str) -> list[str]:
    """The paths of `a`'s closure named as `b` but for their version (``python3.11-idna-3.20``
    for ``python3.11-idna-3.21``): another release of what was asked about, which `a` does
    depend on. A version starts at the first ``-`` before a digit, as Nix's parseDrvName
    has it; a name without one has no namesakes."""
    name, version = _name_and_version(b)
    if not version:
        return []
    return [p for p in store.closure(a) if p != b and _name_and_version(p)[0] == name]


def _name_and_version(basename: str) -> tuple[str, str]:
    """A store basename's name and version, its hash left out."""
    import re

    full = basename.partition("-")[2]
    found = re.match(r"(.*?)-(\d.*)", full)
    return (found[1], found[2]) if found else (full, "")


def _how_it_refers(where: str) -> str:
    """Where a step's path names the next (:func:`~pybuild.store.refgraph.why_depends`): a
    file in it, or the path itself (``.``) when it is one file or one link, which has no
    file inside to name."""
    if where == ".":
        return "its contents refer to the next"
    if where == ". (link)":
        return "it is a link to the next"
    return f"refers to the next in {where}"


def _one_path(paths: list[str], target: str) -> str:
    """The path `target` names: why-depends follows one path to one path."""
    if len(paths) != 1:
        raise UsageError(f"{target} has {len(paths)} outputs: name the one meant by its path")
    return paths[0]


def _optimise(args: argparse.Namespace) -> int:
    from ..store.optimise import optimise_store

    result = optimise_store(open_store(), dry_run=args.dry_run)
    would = "would be " if args.dry_run else ""
    print(
        f"{result.files_linked} file(s) {would}hard-linked of {result.files_seen},"
        f" {human_size(result.bytes_saved)} {would}saved ({result.bytes_saved} bytes)"
    )
    return 0


def _du(args: argparse.Namespace) -> int:
    from ..store.usage import disk_usage

    if args.top < 0:
        raise BadArgument("--top must be 0 or more")
    store = _store_to_free()
    usage = disk_usage(store)
    shown = usage.closures[: args.top]
    if args.json:
        print_json(
            {
                "paths": usage.paths,
                "narSize": usage.nar_bytes,
                "diskBytes": usage.disk_bytes,
                "closures": [
                    {
                        "root": root.source,
                        "kind": root.kind,
                        "path": str(store.path(root.path)),
                        "closureSize": size,
                        "paths": count,
                    }
                    for root, size, count in shown
                ],
                "dead": [str(store.path(n)) for n in usage.dead],
                "leftovers": [str(store.path(n)) for n in usage.leftovers],
                "reclaimable": usage.reclaimable,
            }
        )
        return 0
    print(
        f"store {store.dir}: {usage.paths} path(s), {human_size(usage.nar_bytes)} registered,"
        f" {human_size(usage.disk_bytes)} on disk (its blocks, as du -s counts them:"
        " hard links once)"
    )
    if shown:  # -n 0 shows none: no heading over nothing
        print("largest closures of the roots:")
    for root, size, count in shown:
        target = store.path(root.path)
        print(f"  {human_size(size):>10}  {count:>4} path(s)  {root.source} -> {target}")
    dead = len(usage.dead) + len(usage.leftovers)
    print(f"reclaimable by `pybuild gc`: {dead} path(s), {human_size(usage.reclaimable)}")
    return 0
