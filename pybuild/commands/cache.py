"""Binary cache commands: ``copy --to/--from``, ``key generate`` and ``sign``."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ..display import human_size
from ..errors import BadArgument, UsageError
from .common import (
    as_derivation,
    build_options,
    get_settings,
    names_a_path,
    open_store,
    package_set,
    path_name,
    refuse_a_bare_name,
    select_attrs,
    set_arguments,
    trusted_keys,
)

TYPE_CHECKING = False  # typing: an import no command needs at run time
if TYPE_CHECKING:
    from typing import Any


def register(commands: Any) -> None:
    p = commands.add("copy", _copy, "copy closures to a binary cache (--to) or from one (--from)")
    direction = p.add_mutually_exclusive_group(required=True)
    direction.add_argument("--to", metavar="URL", help="cache to upload to (file://, path, http)")
    direction.add_argument("--from", dest="source", metavar="URL", help="cache to fetch from")
    p.add_argument(
        "items",
        nargs="+",
        metavar="PATH|ATTR",
        help="store paths (or result links); with --to also attributes of the set (built first)",
    )
    p.add_argument("--key", metavar="FILE", help="with --to: sign the entries with this secret key")
    p.add_argument(
        "--compression",
        choices=("zstd", "xz", "none"),  # archive.COMPRESSIONS, unimported: --help stays quick
        default="zstd",
        help="archive compression (--to); zstd restores fastest, none suits a folder kept"
        " compressed (a CI cache)",
    )
    set_arguments(p)

    p = commands.add("key", _key, "make signing keys for binary caches")
    sub = p.add_subparsers(dest="key_command", metavar="ACTION", required=True)
    text = (
        "make an ed25519 key pair NAME: the secret key alone on standard output (for"
        " > NAME.secret), the public key on standard error; -o DIR writes both to files"
    )
    g = sub.add_parser("generate", parents=[commands.common], help=text, description=text)
    g.set_defaults(command_parser=g)  # its usage, for an unknown word
    g.add_argument("name", metavar="NAME", help="key name, e.g. ci.example.org-1")
    g.add_argument(
        "-o", "--out-dir", metavar="DIR", help="write DIR/NAME.secret and DIR/NAME.public"
    )

    p = commands.add("sign", _sign, "sign store paths with a secret key (kept in the store)")
    p.add_argument("paths", nargs="+", metavar="PATH", help="store paths (or result links)")
    p.add_argument("--key", metavar="FILE", required=True, help="secret key file")
    p.add_argument("-r", "--recursive", action="store_true", help="sign the whole closures")


def _read_secret_key(path: str) -> Any:
    """The secret key in the file `path`, to sign with. An error names the file and never
    quotes what it holds: a few characters of a secret in a CI log (often public, and masked
    only where the whole secret appears) are a few too many."""
    from ..cache import InvalidKey, SecretKey

    try:
        text = Path(path).read_bytes().decode(errors="replace")  # not UTF-8: not a key
    except OSError as exc:
        raise UsageError(f"cannot read key file {path}: {exc.strerror}") from None
    if not text.strip():
        error = InvalidKey(f"--key {path} is empty: signing needs a secret key, NAME:base64")
        error.hint = (
            "if a CI secret fills the file, is it set for this job? (a pull request from a"
            " fork is not given the repository's secrets)"
        )
        raise error
    try:
        return SecretKey.parse(text)
    except InvalidKey as exc:
        public = _public_key_given(path, text)
        if public is not None:
            raise public from None
        error = InvalidKey(f"--key {path}: {exc}")
        error.hint = (
            "the file holds exactly what `pybuild key generate NAME` wrote (NAME.secret with"
            " -o): one line NAME:base64"
        )
        raise error from None


def _public_key_given(path: str, text: str) -> Any:
    """The error for a key file that holds a public key, where a secret one signs (the two
    files `key generate -o` writes lie side by side): it names the secret key file beside it
    when there is one. None if `text` is no public key either."""
    from ..cache import InvalidKey, PublicKey

    try:
        name = PublicKey.parse(text).name
    except InvalidKey:
        return None
    error = InvalidKey(
        f"{path} holds the public key {name}, which checks signatures: signing needs its secret key"
    )
    given = Path(path)
    beside = [given.with_suffix(".secret"), given.with_name(f"{name}.secret")]
    secret = next((f for f in beside if f != given and f.is_file()), None)
    error.hint = (
        f"use --key {secret}"
        if secret is not None
        else f"give --key the secret key file: `pybuild key generate {name} -o DIR` wrote it"
        f" as DIR/{name}.secret, beside DIR/{name}.public"
    )
    return error


def _store_name(store: Any, item: str) -> str:
    """A store basename from a full store path, a result link, or a bare basename."""
    from ..store.paths import split_name

    if os.sep not in item and not os.path.lexists(item):
        split_name(item)  # InvalidName if it is not <hash>-<name>
        return item
    return path_name(item, store)


def _copy(args: argparse.Namespace) -> int:
    for option, url in (("--from", args.source), ("--to", args.to)):
        if url == "":  # an unset variable's: not the current folder, nor the other way
            raise BadArgument(f"{option} needs a cache URL (file:///path, https://…), not ''")
    settings = get_settings(args)
    store = open_store()
    if args.source is not None:
        if args.key:
            raise UsageError("--key signs uploads; it goes with --to")
        return _copy_from(args, settings, store)
    return _copy_to(args, settings, store)


def _copy_to(args: argparse.Namespace, settings: Any, store: Any) -> int:
    from ..cache import copy_to, open_cache

    keys = [_read_secret_key(args.key)] if args.key else []
    cache = open_cache(
        args.to,
        settings.connect_timeout,
        settings.stalled_download_timeout,
        min_speed=settings.download_min_speed,
        deadline=settings.download_deadline,
    )
    paths = _paths_to_copy(args, settings, store)

    def say(text: str) -> None:
        print(text, file=sys.stderr, flush=True)

    report = copy_to(cache, store, paths, keys=keys, compression=args.compression, say=say)
    size = sum(store.info(p).nar_size for p in report.uploaded)
    signed = f", {len(report.signed)} signed again" if report.signed else ""
    print(
        f"copied {len(report.uploaded)} path(s) ({human_size(size)} unpacked) to {cache.url}; "
        f"{len(report.present)} already there{signed}",
        file=sys.stderr,
    )
    return 0  # nothing on standard output, as nix copy: what it did is reported above


def _paths_to_copy(args: argparse.Namespace, settings: Any, store: Any) -> list[str]:
    """Store paths named directly, and the outputs of attributes (built or substituted)."""
    from ..realiser import realise

    named = [names_a_path(i, store) for i in args.items]  # as path-info tells them apart
    paths = [path_name(i, store) for i, path in zip(args.items, named, strict=True) if path]
    for path in paths:
        store.info(path)  # a clear error for a path that is not valid
    attrs = [i for i, path in zip(args.items, named, strict=True) if not path]
    if attrs:
        pkgs = package_set(args)
        drvs = [as_derivation(v, a) for v, a in zip(select_attrs(pkgs, attrs), attrs, strict=True)]
        realise(drvs, store, build_options(args, settings))
        paths += [p for d in drvs for p in d.output_paths.values()]
    return paths


def _copy_from(args: argparse.Namespace, settings: Any, store: Any) -> int:
    from ..cache import Substituters, copy_from

    subs = Substituters(
        [args.source],
        trusted_keys(settings),
        require_sigs=settings.require_sigs,
        connect_timeout=settings.connect_timeout,
        stalled_timeout=settings.stalled_download_timeout,
        min_speed=settings.download_min_speed,
        deadline=settings.download_deadline,
        link_cache=settings.link_cache,
    )
    for item in args.items:
        _refuse_a_hash_alone(item, store)
        refuse_a_bare_name(item, "copy --from", besides="--to takes attributes too")
    paths = [_store_name(store, i) for i in args.items]
    copy_from(subs, store, paths)
    for path in paths:
        print(store.path(path))
    return 0


def _refuse_a_hash_alone(item: str, store: Any) -> None:
    """Refuse `item` when it is a store path's hash part alone, as a cache names its entries
    (``HASH.narinfo``): it is not an attribute, so the hint is the path's full name, which
    that file's StorePath line gives."""
    from ..errors import InvalidPath
    from ..store.paths import HASH_PART_RE

    if not HASH_PART_RE.fullmatch(item) or os.path.lexists(item):
        return
    error = InvalidPath(item, "a hash alone names no store path")
    error.hint = (
        f"copy --from takes store paths: give {item}-NAME (the StorePath line of the"
        f" cache's {item}.narinfo names it), or {store.dir}/{item}-NAME"
    )
    raise error


def _key(args: argparse.Namespace) -> int:
    from ..cache import SecretKey

    key = SecretKey.generate(args.name)
    if not args.out_dir:
        return _print_key(key)
    folder = Path(args.out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    secret, public = folder / f"{key.name}.secret", folder / f"{key.name}.public"
    for path in (secret, public):
        if os.path.lexists(path):
            raise UsageError(f"{path} exists; will not replace a key (remove it first)")
    fd = os.open(secret, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(f"{key}\n")
    public.write_text(f"{key.public_key()}\n")
    print(f"secret key: {secret} (keep it secret: a CI secret, never in the repository)")
    print(f"public key: {public}")
    print(f'trusted_public_keys = ["{key.public_key()}"]')
    return 0


def _print_key(key: Any) -> int:
    """Without -o: the secret key alone on standard output, as ``nix key generate-secret``
    prints it, so that ``> NAME.secret`` keeps it in a file without ever showing it; on
    standard error, which key is which, so that on a terminal the secret is never taken for
    the public key (two lines ``NAME:base64`` look alike)."""
    print(
        f"secret key {key.name}, on standard output (keep it secret: > {key.name}.secret,"
        " never in a repository or a log):",
        file=sys.stderr,
        flush=True,
    )
    print(key, flush=True)
    print(f"public key: {key.public_key()}", file=sys.stderr)
    print(f'trusted_public_keys = ["{key.public_key()}"]', file=sys.stderr)
    return 0


def _sign(args: argparse.Namespace) -> int:
    from ..cache import sign_local
    from ..cache.copy import refuse_client_imported

    key = _read_secret_key(args.key)
    store = open_store()
    for path in args.paths:
        refuse_a_bare_name(path, "sign")
    paths = [_store_name(store, p) for p in args.paths]
    for path in paths:
        store.info(path)
    if args.recursive:
        paths = store.closure(paths)
    refuse_client_imported(store, paths)  # before any is signed
    had = 0  # paths that had the signature already: told apart, as nix store sign counts
    for path in paths:
        before = set(store.registry.signatures(path))
        had += set(sign_local(store, path, [key])) <= before
    print(f"signed {len(paths) - had} path(s) with key {key.name}", file=sys.stderr, end="")
    print(f"; {had} had its signature already" if had else "", file=sys.stderr)
    return 0
