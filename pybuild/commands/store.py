"""Store commands: show-derivation, path-info, log, add, hash, verify."""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import sys

from ..display import human_size
from ..errors import MissingArgument, PybuildError, UsageError
from .common import (
    TARGET_HELP,
    build_options,
    built_targets,
    completes_attrs,
    get_settings,
    link_cache,
    named_targets,
    open_store,
    outputs_named,
    print_json,
    target_options,
)

TYPE_CHECKING = False  # typing: an import no command needs at run time
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

    _Rebuild = tuple[Any, list[str], list[str]]  # a derivation, outputs to repair, its inputs


def register(commands: Any) -> None:
    p = commands.add(
        "show-derivation", _show_derivation, "print a derivation as JSON (of a package or path)"
    )
    completes_attrs(
        p.add_argument(
            "target",
            metavar="ATTR|PATH",
            help=f"{TARGET_HELP}: an output's derivation is shown, an attribute's evaluated",
        )
    )
    target_options(p)

    p = commands.add(
        "path-info", _path_info, "show what the store records of paths (or packages' outputs)"
    )
    built_targets(p)
    p.add_argument("-r", "--recursive", action="store_true", help="the whole closure")
    p.add_argument("-s", "--size", action="store_true", help="show the NAR size (human-readable)")
    p.add_argument(
        "-S", "--closure-size", action="store_true", help="show the closure size (human-readable)"
    )
    p.add_argument(
        "--sigs",
        action="store_true",
        help="show the signatures the store keeps (pybuild sign, copy --to --key, a cache's)",
    )
    p.add_argument(
        "--json", action="store_true", help="a JSON list, a record per path (as nix path-info)"
    )

    p = commands.add("log", _log, "print the build log of a package or store path (nix log)")
    completes_attrs(p.add_argument("target", metavar="ATTR|PATH", help=TARGET_HELP))
    target_options(p)

    p = commands.add("add", _add, "copy a file or folder into the store")
    p.add_argument("path", metavar="PATH", help="the file or folder to copy in")
    p.add_argument("--name", help="store name (default: the file name, which must be one)")

    p = commands.add("hash", _hash, "print the hash of a path (NAR, as nix-hash does)")
    p.add_argument("path", metavar="PATH", help="the file or folder to hash (in the store or not)")
    p.add_argument("--flat", action="store_true", help="hash a file's bytes, not its NAR")
    form = p.add_mutually_exclusive_group()
    form.add_argument(
        "--base32", dest="form", action="store_const", const="base32", help="Nix's base-32"
    )
    form.add_argument(
        "--sri", dest="form", action="store_const", const="sri", help="sha256-BASE64 (default)"
    )
    form.add_argument("--hex", dest="form", action="store_const", const="hex", help="hexadecimal")

    p = commands.add("verify", _verify, "check that registered paths exist and are unchanged")
    completes_attrs(
        p.add_argument(
            "targets",
            nargs="*",
            metavar="ATTR|PATH",
            help=f"{TARGET_HELP}; only these paths (an attribute's outputs) are checked, and no"
            " left-overs of interrupted builds or collections are looked for (default: the whole"
            " store)",
        )
    )
    target_options(p)
    p.add_argument("-r", "--recursive", action="store_true", help="the paths' whole closures")
    p.add_argument("--check-contents", action="store_true", help="re-hash every path checked")
    p.add_argument(
        "--repair",
        action="store_true",
        help="put damaged paths back: from the link cache or a binary cache, else rebuilt (a"
        " .drv written again in canonical form, when it still holds its derivation)",
    )
    p.add_argument(
        "--recover-registry",
        action="store_true",
        help="first register every store path the registry lacks, hashed and scanned from the"
        " store (a lost or damaged registry is moved aside and rebuilt)",
    )
    p.add_argument("--json", action="store_true", help="a JSON list of the problems found")


def _show_derivation(args: argparse.Namespace) -> int:
    """The derivation of a path (a .drv, or an output's deriver) as the store holds it, or
    of an attribute as evaluated, at the path it has (``pybuild eval``'s ``drvPath``): it is
    written to the store when it is evaluated by ``eval`` or ``build`` (``--dry-run`` too)."""
    store = open_store()
    drv = _drv_of(args, store, "derivation")
    if isinstance(drv, str):
        drv = _stored_derivation(store, drv)
    print_json({str(store.path(drv.drv_name)): _derivation_json(drv, store)})
    return 0


def _derivation_json(drv: Any, store: Any) -> dict[str, Any]:
    """`drv` as ``nix derivation show`` prints one: every store path in full (the .drv file
    names its inputs and outputs by basename), each input .drv with the outputs a build of
    `drv` sees (all of them), and the output hash only for a fixed-output derivation."""
    from ..derivations import STORE_TOKEN

    doc = json.loads(drv.text.replace(STORE_TOKEN, str(store.dir)))
    doc["inputDrvs"] = {
        str(store.path(d.drv_name)): {"outputs": list(d.outputs)} for d in drv.input_drvs
    }
    doc["inputSrcs"] = [str(store.path(s)) for s in doc["inputSrcs"]]
    doc["outputs"] = {o: {"path": drv.path(o, store)} for o in drv.outputs}
    if not drv.is_fixed_output:
        del doc["outputHash"], doc["outputHashMode"]
    return doc


def _stored_derivation(store: Any, drv_name: str) -> Any:
    """The .drv `drv_name` read from the store; one that is not there is an error saying how
    it gets there, since evaluating writes it and a collection deletes one no root keeps."""
    from ..derivations import load_derivation

    if not store.path(drv_name).exists():
        raise _absent_drv(store, drv_name)
    return load_derivation(store, drv_name)


def _absent_drv(store: Any, drv_name: str, nor: str = "") -> UsageError:
    """The error of the .drv `drv_name`, named by its path, that is not in the store (`nor`:
    what else lacks it), with how it gets there: evaluating writes it, and a collection
    deletes one no root keeps."""
    error = UsageError(f"{store.path(drv_name)} is not in the store{nor}")
    error.hint = (
        "a .drv is written when its attribute is evaluated (pybuild eval ATTR, pybuild"
        " build [--dry-run] ATTR), and pybuild gc deletes one that no root keeps:"
        " evaluate the attribute again"
    )
    return error


def _path_info(args: argparse.Namespace) -> int:
    store = open_store()
    names = [name for named in outputs_named(args, args.targets, store) for name in named]
    if args.recursive:
        names = store.closure(names)
    sigs = {name: store.registry.signatures(name) for name in names}
    rows = []
    for name in names:
        info = store.info(name).to_json()
        info["path"] = str(store.path(name))
        info["references"] = [str(store.path(r)) for r in info["references"]]  # type: ignore[union-attr]
        if info["deriver"]:
            info["ca"] = info["ca"] or _fixed_ca(store, str(info["deriver"]))
            info["deriver"] = str(store.path(str(info["deriver"])))
        if args.closure_size:
            info["closureSize"] = sum(store.info(n).nar_size for n in store.closure([name]))
        info["signatures"] = sigs[name]
        rows.append(info)
    if args.json:
        print_json(rows)
        return 0
    for row in rows:
        print("\t".join(_path_info_columns(args, row)))
    return 0


def _path_info_columns(args: argparse.Namespace, row: dict[str, Any]) -> list[str]:
    """A path's line, as ``nix path-info`` prints it: the path alone (so that a script's
    ``$(pybuild path-info -r X)`` gets paths), then a column for each of -s, -S and --sigs
    (the signatures separated by spaces). Sizes are human-readable: -h is pybuild's help."""
    columns = [str(row["path"])]
    if args.size:
        columns.append(human_size(row["narSize"]))
    if args.closure_size:
        columns.append(human_size(row["closureSize"]))
    if args.sigs:
        columns.append(" ".join(row["signatures"]))
    return columns


def _fixed_ca(store: Any, deriver: str) -> str | None:
    """The content address of an output of the .drv `deriver` if it is fixed-output, as Nix
    writes it (``fixed:sha256:…``, ``fixed:r:sha256:…`` for a NAR hash): the registry keeps
    no ``ca`` for a build's outputs, but the .drv declares the hash (None once it is gone)."""
    from ..hashing import parse_hash

    try:
        doc = json.loads(store.path(deriver).read_bytes())
    except (OSError, ValueError):
        return None
    if not doc.get("outputHash"):
        return None
    mode = "r:" if doc.get("outputHashMode") == "recursive" else ""
    return f"fixed:{mode}sha256:{parse_hash(doc['outputHash']).base32}"


def _log(args: argparse.Namespace) -> int:
    """The log of the last build of the target's derivation on this machine, as it was written
    (a build still running: what it has written so far), else the log a binary cache of the
    ``substituters`` setting holds. An attribute is evaluated, not built, so the log of a
    failed build is found too, which has no output path to name."""
    store = open_store()
    drv = _drv_of(args, store, "build log")
    drv_name = drv if isinstance(drv, str) else drv.drv_name
    derivers = [drv_name, *_derivers(drv, store)]
    for name in derivers:
        try:
            with open(store.log_dir / f"{name}.log", "rb") as text:
                shutil.copyfileobj(text, sys.stdout.buffer)
            break
        except FileNotFoundError:
            continue
    else:
        _print_cached_log(args, store, drv_name, derivers)
    sys.stdout.flush()
    return 0


def _derivers(drv: Any, store: Any) -> list[str]:
    """The other derivations the outputs of the evaluated `drv`, where valid here, were
    registered as built by: a cache's (its narinfo's ``Deriver``), whose ``.drv`` may differ
    from this evaluation's while the outputs are the same (a download's derivation names the
    interpreter running pybuild)."""
    if isinstance(drv, str):
        return []
    found = []
    for name in drv.output_paths.values():
        if store.is_valid(name):
            deriver = store.info(name).deriver
            if deriver and deriver != drv.drv_name and deriver not in found:
                found.append(str(deriver))
    return found


def _print_cached_log(
    args: argparse.Namespace, store: Any, drv_name: str, derivers: list[str]
) -> None:
    """The log of `drv_name` (or of another of `derivers`) that a binary cache holds, else an
    error: a .drv named that the store has not is said to be absent, as show-derivation says
    it; one that is there, or an output's deriver, was not built here."""
    from ..cache import Substituters

    options = build_options(args, get_settings(args))
    caches = options.substituters
    log = None
    if caches:
        substituters = Substituters.from_options(options, options.say)
        log = next(filter(None, map(substituters.log, derivers)), None)
    if log is None:
        nor = ", nor has a binary cache its log" if caches else ""
        if _names_itself(args.target, drv_name, store) and not store.path(drv_name).exists():
            raise _absent_drv(store, drv_name, nor)  # named itself: not even written here
        raise UsageError(
            f"no build log of {store.path(drv_name)}: it was not built on this machine{nor} (its"
            " outputs came from a cache, or it was never built)"
        )
    sys.stdout.buffer.write(log)


def _names_itself(target: str, drv_name: str, store: Any) -> bool:
    """Whether the command line's `target` is the derivation `drv_name` itself (its
    basename, or a path in it: ``X.drv/``), not an attribute or an output it derived."""
    from ..errors import PybuildError

    if target == drv_name:
        return True
    try:
        return bool(store.parse(target) == drv_name)
    except PybuildError:
        return False


def _drv_of(args: argparse.Namespace, store: Any, lacking: str) -> Any:
    """The derivation that `args.target` names (:func:`~.common.named_targets`): an
    attribute's, evaluated (a Derivation), or a path's (a ``.drv`` basename: the path itself,
    or an output's deriver). `lacking` is what a path that was added, not built, has not."""
    [found] = named_targets(args, [args.target], store)
    if not isinstance(found, str) or found.endswith(".drv"):
        return found
    deriver = store.info(found).deriver
    if not deriver:
        raise UsageError(f"{args.target} was added to the store, not built: it has no {lacking}")
    return str(deriver)


def _add(args: argparse.Namespace) -> int:
    store = open_store()
    print(store.path(store.add_path(args.path, _added_name(args))))
    return 0


def _added_name(args: argparse.Namespace) -> str:
    """The store name of ``add``: --name, else the file's own name, each as given. A name the
    store refuses (empty, a leading dot, a space) is refused, as ``nix store add`` refuses it,
    where the store's own fix-up of a file name would silently store another name."""
    from ..errors import InvalidName
    from ..store.paths import check_name

    name = os.path.basename(os.path.abspath(args.path)) if args.name is None else args.name
    try:
        return check_name(name)
    except InvalidName as error:
        error.hint = "pass --name NAME (letters, digits and any of +-._?=; no leading dot)"
        raise


def _hash(args: argparse.Namespace) -> int:
    from ..hashing import hash_file, hash_path

    if not os.path.lexists(args.path):
        raise UsageError(f"{args.path}: no such file or folder")
    if args.flat and not os.path.isfile(args.path):
        raise UsageError(f"{args.path}: --flat hashes a regular file")
    digest = hash_file(args.path) if args.flat else hash_path(args.path)[0]
    print(getattr(digest, args.form or "sri"))
    return 0


def _verify(args: argparse.Namespace) -> int:
    store = open_store()
    if args.recover_registry:
        _recover_registry(store, listed=not args.json)
    check_contents = args.check_contents or args.repair
    names = _verified_names(args, store)
    # The link cache first: a repair must not link a damaged entry back into the store. The
    # repair links only from this object, whose entries have just been hashed. Named paths
    # alone leave the link cache unchecked, unless they are to be repaired.
    links = link_cache(args) if args.repair or (check_contents and names is None) else None
    entries = list(links.verify(remove=args.repair)) if links is not None else []
    problems = list(store.verify(check_contents=check_contents, names=names))
    damage = [p for p in problems if p.is_damage]
    where = {p: p.path if p.kind == "registry" else str(store.path(p.path)) for p in problems}
    rows = [(where[p], p.kind, p.detail) for p in problems]
    rows += [(str(entry), "link-cache", detail) for entry, detail in entries]
    if args.json:
        print_json([{"path": path, "kind": kind, "detail": detail} for path, kind, detail in rows])
    else:
        for path, kind, detail in rows:
            print(f"{kind}: {path}: {detail}")
        checked = "the store" if names is None else f"{len(names)} path(s)"
        summary = f"checked {checked}: {len(damage)} damaged path(s)"
        if entries:
            done = "removed" if args.repair else "left; --repair removes them"
            noun = "entry" if len(entries) == 1 else "entries"
            summary += f", {len(entries)} damaged link cache {noun} ({done})"
        print(summary, file=sys.stderr)
        if damage and not args.repair:
            print(f"  hint: {_what_repairs(damage)}", file=sys.stderr)
    if args.repair and damage and all(p.kind != "registry" for p in damage):
        settled = _restore_modes(store, [p.path for p in damage if p.kind == "modes"])
        rest = [p.path for p in damage if p.path not in settled]
        return _repair(args, store, rest, links) if rest else 0
    return 1 if damage or (entries and not args.repair) else 0


def _verified_names(args: argparse.Namespace, store: Any) -> list[str] | None:
    """The paths the command line names (with their closures for ``-r``), or None for the
    whole store."""
    if not args.targets:
        if args.recursive:
            raise MissingArgument("verify -r takes the paths whose closures to check")
        return None
    names = [name for named in outputs_named(args, args.targets, store) for name in named]
    return store.closure(names) if args.recursive else list(dict.fromkeys(names))


def _what_repairs(damage: list[Any]) -> str:
    """The command that puts `damage` right, as Nix's verify points to ``--repair``: a lost
    registry is rebuilt from the store first, since no path can be repaired without it."""
    if any(p.kind == "registry" for p in damage):
        return "pybuild verify --recover-registry rebuilds the registry from the store"
    modes = (
        ", those out of the canonical modes in place"
        if any(p.kind == "modes" for p in damage)
        else ""
    )
    return (
        "pybuild verify --check-contents --repair puts the damaged paths back (from the link"
        f" cache or a binary cache, else rebuilt{modes})"
    )


def _restore_modes(store: Any, names: list[str]) -> set[str]:
    """The paths of `names` (out of the canonical modes, contents whole) whose modes are put
    back in place: each is hashed again once no one else
    may write it, so a path another user changed meanwhile, or whose entries cannot be given
    back (another user's, unless run as root), is left to be replaced as a damaged one is."""
    from ..store.verify import restore_modes

    done = set()
    for name in names:
        with store.lock([name]):
            try:
                restore_modes(store, name)
            except OSError as exc:
                print(
                    f"cannot put the canonical modes of {store.path(name)} back in place"
                    f" ({exc.strerror}): putting the path back whole",
                    file=sys.stderr,
                )
                continue
            if not any(p.is_damage for p in store.verify(check_contents=True, names=[name])):
                print(f"repaired: {store.path(name)} (canonical modes put back)")
                done.add(name)
    return done


def _refetch(store: Any, damaged: list[str], options: Any, links: Any) -> set[str]:
    """The damaged paths put back whole from the link cache `links` (verified) or the binary
    caches (each fresh copy must have the registered hash: a cache's other build of the path is
    not taken)."""
    from ..cache.substitute import Substituters
    from ..store import remove_tree

    caches = Substituters.from_options(options, options.say) if options.substituters else None
    done = set()
    for name in damaged:
        with store.lock([name]):
            work = store.new_tmp_dir("repair")
            try:
                if _copy_from_a_cache(store, name, work / name, links, caches):
                    store.replace_contents(name, work / name, canonical=True)
                    done.add(name)
            except PybuildError as exc:
                options.say(f"not repairing {store.path(name)} from a cache: {exc}")
            finally:
                remove_tree(work)
    return done


def _copy_from_a_cache(store: Any, name: str, target: Path, links: Any, caches: Any) -> bool:
    """`name` made again as `target`: hard-linked from the link cache's entry of its registered
    NAR hash, else downloaded from a binary cache; False if neither has it.

    The entry is safe to link because this command has just hashed every entry of `links` and
    removed the damaged ones (:func:`_verify`): had the damage been done to files the
    entry shares with the store, the entry would be gone. So a path that came from a binary
    cache is repaired offline, writing no file data, as long as an intact entry has it.
    """
    from ..hashing import parse_hash

    nar_hash = parse_hash(store.info(name).nar_hash)
    if links is not None and links.link_into(nar_hash, target):
        links.say(f"hard-linked {store.path(name)} from the link cache {links.folder}")
        return True
    return caches is not None and caches.fresh_copy(name, target)


def _recover_registry(store: Any, listed: bool) -> None:
    from ..store.recovery import recover_registry

    def log(path: str) -> None:
        if listed:
            print(f"registering {path}")

    result = recover_registry(store, log=log)
    if result.moved_aside is not None:
        print(f"the damaged registry was moved to {result.moved_aside}", file=sys.stderr)
    print(
        f"registered {len(result.registered)} store path(s) from the store; a path an"
        " interrupted collection was deleting cannot be told from a whole one: if one fails"
        " to work, delete it with `pybuild delete PATH`",
        file=sys.stderr,
    )


def _repair(args: argparse.Namespace, store: Any, damaged: list[str], links: Any) -> int:
    """Put back what the binary caches have, as Nix repairs (substitute first); write the
    damaged .drv files back from what they still hold (:func:`_rewrite_drv`), and pybuild's
    builder folder from its files (:func:`_restore_added`); group the rest by the derivation
    that made them, and rebuild each once, inputs first (:func:`_inputs_first`): a rebuild
    reading a damaged input would copy the damage. A path that cannot be repaired is reported
    and the others are still repaired."""
    options = build_options(args, get_settings(args))
    fetched = _refetch(store, damaged, options, links)
    rest = [name for name in damaged if name not in fetched]
    left = [name for name in rest if name.endswith(".drv") and not _rewrite_drv(store, name)]
    by_deriver: dict[str, list[str]] = {}
    for name in [name for name in rest if not name.endswith(".drv")]:
        deriver = store.info(name).deriver
        if deriver and store.is_valid(deriver):
            by_deriver.setdefault(deriver, []).append(name)
        elif not _restore_added(store, name):
            left.append(name)
    rebuilds = []
    for deriver, names in by_deriver.items():
        drv = _derivation_to_rebuild(store, deriver, names)
        if drv is None:
            left += names
        else:
            rebuilds.append((drv, names, _input_closure(store, drv)))
    for drv, names, inputs in _inputs_first(rebuilds):
        left += _rebuild(store, drv, names, inputs, set(left), options)
    for name in damaged:
        if name not in left:
            print(f"repaired: {store.path(name)}")
    return 1 if left else 0


def _inputs_first(rebuilds: list[_Rebuild]) -> list[_Rebuild]:
    """`rebuilds` (a derivation, its damaged outputs and the closure of its inputs) ordered so
    that each comes after those whose outputs are in the closure of its inputs."""
    from graphlib import TopologicalSorter

    made_by = {name: i for i, (_, names, _) in enumerate(rebuilds) for name in names}
    order: TopologicalSorter[int] = TopologicalSorter()
    for i, (_, _, inputs) in enumerate(rebuilds):
        order.add(i, *{made_by[n] for n in inputs if n in made_by} - {i})
    return [rebuilds[i] for i in order.static_order()]


def _input_closure(store: Any, drv: Any) -> list[str]:
    """Every valid path a rebuild of `drv` may read: its inputs and what they refer to."""
    from ..derivations import input_paths

    return store.closure([name for name in input_paths(drv) if store.is_valid(name)])


def _rebuild(
    store: Any, drv: Any, names: list[str], inputs: list[str], damaged: set[str], options: Any
) -> list[str]:
    """Rebuild `drv` to put back its outputs `names`, unless one of its `inputs` (their
    closure) is among the `damaged` paths not repaired; the outputs left damaged, each said
    with why."""
    from ..realiser import repair

    waiting = [n for n in inputs if n in damaged]
    if waiting:
        _say_input_damaged(store, names, waiting)
        return names
    left = repair(drv, store, names, options)
    if left:  # a named path's inputs were not checked: the rebuild may have read damage
        checked = store.verify(check_contents=True, names=inputs)
        waiting = [p.path for p in checked if p.is_damage]
        if waiting:
            _say_input_damaged(store, left, waiting)
            return left
    for name in left:
        print(
            f"cannot repair {store.path(name)}: the rebuild differs from the registered"
            " content (the build is not reproducible)\n  hint: to take the rebuild's"
            " content instead (a new hash; its signatures go), `pybuild delete"
            f" {store.path(name)}` (after removing what roots it), then build it again",
            file=sys.stderr,
        )
    return left


def _say_input_damaged(store: Any, names: list[str], inputs: list[str]) -> None:
    """Why `names` were not rebuilt: their rebuild would copy the damage of `inputs`, so it
    says nothing of whether the build is reproducible."""
    shown = " and ".join(str(store.path(name)) for name in inputs)
    its = "its inputs" if len(inputs) > 1 else "its input"
    are = "are" if len(inputs) > 1 else "is"
    for name in names:
        print(
            f"cannot repair {store.path(name)}: {its} {shown} {are} damaged, and a rebuild"
            " would copy the damage\n  hint: once that input is put back, `pybuild verify"
            " --check-contents --repair` repairs this path too",
            file=sys.stderr,
        )


def _restore_added(store: Any, name: str) -> bool:
    """The damaged path `name`, which no derivation made, put back where pybuild itself adds
    it: its builder folder, from pybuild's files when they still have the registered
    content. False, said with what is true, for any other."""
    from ..python.package import BUILDER_SOURCE_NAME, restore_builder_source

    if name.split("-", 1)[1] != BUILDER_SOURCE_NAME:
        print(
            f"cannot repair {store.path(name)}: neither the link cache nor a binary cache"
            " has it, and it was not built here (it was added, or copied without its"
            " derivation); add it again",
            file=sys.stderr,
        )
        return False
    try:
        restore_builder_source(store, name)
    except PybuildError:
        print(
            f"cannot repair {store.path(name)}: it is pybuild's builder folder, which pybuild"
            " adds from its own files, and those differ from it now (pybuild changed since it"
            " added it); nothing else holds its content\n  hint: what was built with it stays"
            " valid; this pybuild builds with its own builder folder, another store path",
            file=sys.stderr,
        )
        return False
    return True


def _rewrite_drv(store: Any, name: str) -> bool:
    """The damaged .drv `name` written back, as ``nix-store --repair-path`` restores one: its
    content is fixed by its name's hash, so a file that still holds the derivation its name
    stands for (only its formatting changed) is written again in canonical form. False, said
    with what does work, when its derivation cannot be had from it."""
    from ..derivations import load_derivation
    from ..errors import DerivationError
    from ..store import remove_tree

    try:
        drv = load_derivation(store, name, exact=False)
    except DerivationError as exc:
        print(
            f"cannot repair {store.path(name)}: neither the link cache nor a binary cache has"
            f" it, and it cannot be written again from what it holds: {exc}\n  hint:"
            f" `pybuild delete {shlex.quote(str(store.path(name)))}` (after removing what roots"
            " it), then evaluate what made it again (pybuild eval ATTR, or pybuild build"
            " --dry-run ATTR, writes it); the outputs built from it stay valid meanwhile",
            file=sys.stderr,
        )
        return False
    with store.lock([name]):
        work = store.new_tmp_dir("repair")
        try:
            (work / name).write_text(drv.text)
            store.replace_contents(name, work / name)
        finally:
            remove_tree(work)
    return True


def _derivation_to_rebuild(store: Any, deriver: str, names: list[str]) -> Any:
    """The derivation of `deriver` to rebuild `names` with, taken from a .drv (or input .drv)
    whose formatting alone changed, as its repair would write it; None, said for each of
    `names`, when it cannot be had, so that the other paths are still repaired."""
    from ..derivations import load_derivation
    from ..errors import DerivationError

    try:
        return load_derivation(store, deriver, exact=False)
    except DerivationError as exc:
        for name in names:
            print(
                f"cannot repair {store.path(name)}: neither the link cache nor a binary cache"
                f" has it, and its derivation cannot be read to rebuild it: {exc}\n  hint:"
                " write that .drv again first (`pybuild verify --check-contents --repair` of it"
                " says how), then repair this path again",
                file=sys.stderr,
            )
        return None
