"""Binary caches: archives, metadata, signatures, copying and substitution.

The derivations here are tiny shell builds whose builders append their name to a counter file
outside the store, so a test can prove that substitution ran no builder at all, and that a
refused entry was built locally instead. Every cache is a folder of the test, or a loopback
HTTP server the test starts (one that stores PUT uploads, one that stalls, a closed port).
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import http.server
import io
import json
import lzma
import os
import re
import socket
import sqlite3
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, ClassVar

import pytest
import zstandard

from pybuild.cache import (
    ArchiveError,
    CacheError,
    CacheUnavailable,
    InvalidKey,
    NarInfo,
    PublicKey,
    SecretKey,
    Substituters,
    copy_from,
    copy_to,
    open_cache,
    sign_local,
)
from pybuild.cache.archive import (
    COMPRESSIONS,
    ZSTD_LEVEL,
    restore_nar,
    unpack_archive,
    write_archive,
)
from pybuild.cache.errors import WrongFileSize
from pybuild.cache.info import CacheInfo, InvalidInfo, narinfo_name
from pybuild.cli import main
from pybuild.derivations import Derivation, derivation
from pybuild.hashing import hash_bytes, hash_path
from pybuild.realiser import BuildOptions, planned_work, realise
from pybuild.results import statuses
from pybuild.settings import SETTINGS
from pybuild.store import Store, remove_tree
from pybuild.store.registry import Registry
from support.drip import dripping_server
from support.serving import serve

# -- derivations that count their builds -----------------------------------------------------

# The counter file lies outside the store, which a sandboxed builder cannot write: these
# builds run unsandboxed. (The empty var/log of a substituted store is a second proof.)
NO_SANDBOX: dict[str, Any] = {"sandbox": "false"} if "sandbox" in SETTINGS else {}
CLI_NO_SANDBOX = ["--option", "sandbox", "false"] if NO_SANDBOX else []


@dataclass
class Chain:
    """app refers to lib at run time and uses tool only while building."""

    lib: Derivation
    tool: Derivation
    app: Derivation
    counter: Path

    def runs(self) -> list[str]:
        return self.counter.read_text().split() if self.counter.exists() else []


def make_chain(tmp_path: Path, salt: str = "") -> Chain:
    counter = tmp_path / "counter"
    env = {"counter": str(counter), "salt": salt}
    lib = derivation(
        name="lib",
        builder="/bin/sh",
        args=[
            "-c",
            'echo lib >> "$counter"; mkdir -p "$out/share/doc" "$out/empty"; '
            'echo hello > "$out/share/doc/a.txt"; printf "" > "$out/share/zero"; '
            'ln -s doc/a.txt "$out/share/link"; printf "#!/bin/sh\\necho lib\\n" > "$out/run"; '
            'chmod +x "$out/run"',
        ],
        env=env,
    )
    tool = derivation(
        name="tool",
        builder="/bin/sh",
        args=["-c", 'echo tool >> "$counter"; echo t > "$out"'],
        env=env,
    )
    app = derivation(
        name="app",
        builder="/bin/sh",
        args=[
            "-c",
            f'echo app >> "$counter"; cat {tool} >/dev/null; mkdir "$out"; '
            f'echo {lib}/run > "$out/uses"',
        ],
        env=env,
    )
    return Chain(lib, tool, app, counter)


@dataclass
class Filled:
    """A cache filled from home A with the closure of `chain.app`, signed by `key`."""

    chain: Chain
    root: Path
    url: str
    key: SecretKey
    built: Store

    @property
    def public(self) -> str:
        return str(self.key.public_key())

    def info(self, drv: Derivation) -> NarInfo:
        return NarInfo.parse((self.root / narinfo_name(drv.out)).read_text())

    def write_info(self, info: NarInfo) -> None:
        (self.root / narinfo_name(info.path)).write_text(info.to_text())

    def archive(self, drv: Derivation) -> Path:
        return self.root / self.info(drv).url


@pytest.fixture
def filled(tmp_path: Path) -> Iterator[Filled]:
    chain = make_chain(tmp_path)
    built = Store(tmp_path / "home-a")
    realise([chain.app], built, BuildOptions(log=io.StringIO(), **NO_SANDBOX))
    key = SecretKey.generate("test-1")
    root = tmp_path / "cache"
    report = copy_to(open_cache(f"file://{root}"), built, [chain.app.out], keys=[key])
    assert report.uploaded == [chain.lib.out, chain.app.out]  # references first
    chain.counter.unlink()
    yield Filled(chain, root, f"file://{root}", key, built)
    built.registry.close()


def options(*urls: str, keys: tuple[str, ...] = (), **changes: object) -> BuildOptions:
    return BuildOptions(
        log=io.StringIO(),
        substituters=urls,
        trusted_public_keys=keys,
        **{**NO_SANDBOX, **changes},  # type: ignore[arg-type]
    )


def said(opts: BuildOptions) -> str:
    return opts.log.getvalue()  # type: ignore[union-attr]


def assert_clean(store: Store) -> None:
    """Nothing registered, nothing left in the store or in var/tmp."""
    assert list(store.registry.paths()) == []
    assert not store.dir.exists() or os.listdir(store.dir) == []
    assert not store.tmp_dir.exists() or os.listdir(store.tmp_dir) == []


# -- substitution ----------------------------------------------------------------------------


def test_substitution_fetches_the_closure_into_an_empty_store_and_runs_no_builder(
    filled: Filled, store: Store
) -> None:
    chain = filled.chain
    opts = options(filled.url, keys=(filled.public,))
    fates = statuses(realise([chain.app], store, opts))
    assert fates == {chain.app: "substituted"}
    assert chain.runs() == []  # no builder ran
    assert not store.log_dir.exists() or os.listdir(store.log_dir) == []  # so no build log
    assert store.is_valid(chain.app.out) and store.is_valid(chain.lib.out)
    assert not store.is_valid(chain.tool.out)  # only needed to build, so never fetched
    # one line per substitution: its paths, bytes, cache and time
    assert len(re.findall("^copied", said(opts), re.MULTILINE)) == 1, said(opts)
    line = rf"^copied from a cache app \(2 path\(s\), \d+ B from {filled.url}\) in \d"
    assert re.search(line, said(opts), re.MULTILINE)
    assert "building" not in said(opts)
    for drv in (chain.app, chain.lib):
        mine, theirs = store.info(drv.out), filled.built.info(drv.out)
        assert (mine.nar_hash, mine.nar_size, mine.references, mine.deriver) == (
            theirs.nar_hash,
            theirs.nar_size,
            theirs.references,
            theirs.deriver,
        )
        assert hash_path(store.path(drv.out))[0].sri == mine.nar_hash
        assert store.registry.signatures(drv.out) == [filled.info(drv).sigs[0]]
    assert list(store.verify(check_contents=True)) == []
    assert (store.path(chain.lib.out) / "run").stat().st_mode & 0o777 == 0o555
    assert os.readlink(store.path(chain.lib.out) / "share" / "link") == "doc/a.txt"
    # build-time things are not fetched: the build-only input; the .drv files are written
    # here by the instantiation before realising (as nix-instantiate does), never fetched
    # a second realise has nothing to do
    assert statuses(realise([chain.app], store, opts)) == {chain.app: "valid"}


def test_a_single_file_path_round_trips(filled: Filled, store: Store) -> None:
    tool = filled.chain.tool.out
    copy_to(open_cache(filled.url), filled.built, [tool], keys=[filled.key])
    copy_from(Substituters([filled.url], [filled.public]), store, [tool])
    assert store.path(tool).read_text() == "t\n"
    assert store.path(tool).stat().st_mode & 0o777 == 0o444
    assert store.info(tool).nar_hash == filled.built.info(tool).nar_hash


def test_substitution_waits_for_a_path_another_process_holds(filled: Filled, store: Store) -> None:
    """A path being built elsewhere is not fetched under its builder's feet: we wait."""
    app, lib = filled.chain.app.out, filled.chain.lib.out
    subs = Substituters([filled.url], [filled.public], say=lambda _: None)
    done = threading.Event()

    def fetch() -> None:
        copy_from(subs, store, [app])
        done.set()

    with store.lock([lib]):
        worker = threading.Thread(target=fetch)
        worker.start()
        assert not done.wait(0.5)  # blocked on lib's lock
        assert not store.is_valid(app)
    worker.join(30)
    assert done.is_set() and store.is_valid(app) and store.is_valid(lib)


def test_without_substituters_everything_is_built(filled: Filled, store: Store) -> None:
    realise([filled.chain.app], store, options())
    assert sorted(filled.chain.runs()) == ["app", "lib", "tool"]


def refused_then_built(
    filled: Filled, store: Store, opts: BuildOptions, bad: Derivation | None = None
) -> str:
    """Realise app when the cache entry of `bad` (default: lib) must be refused.

    `bad` is built here instead; app may still come from the cache once lib is valid, since
    its own entry is sound and a build of lib gives the same bytes.
    """
    chain = filled.chain
    bad = bad or chain.lib
    fates = statuses(realise([chain.app], store, opts))
    assert fates[chain.app] in ("built", "substituted")
    assert bad.name in chain.runs()
    assert store.registry.signatures(bad.out) == []  # built here, not fetched
    assert list(store.verify(check_contents=True)) == []
    text = said(opts)
    refusals = [
        line
        for line in text.splitlines()
        if bad.out in line or line.startswith(("not substituting", "warning: not using"))
    ]
    assert len(refusals) == 1, text  # one line says which path, which cache, why
    assert filled.url in refusals[0]
    assert "building it locally" in text or f"building {bad.name}" in text
    return text


def zstd(data: bytes) -> bytes:
    """`data` compressed as the cache writes archives (a stream, with its checksum)."""
    compressor = zstandard.ZstdCompressor(level=ZSTD_LEVEL, write_checksum=True).compressobj()
    return compressor.compress(data) + compressor.flush()


def unzstd(data: bytes) -> bytes:
    return zstandard.ZstdDecompressor().stream_reader(io.BytesIO(data)).read()


def test_a_tampered_archive_is_refused_and_built_locally(filled: Filled, store: Store) -> None:
    archive = filled.archive(filled.chain.lib)
    data = bytearray(unzstd(archive.read_bytes()))
    at = data.index(b"hello")
    tampered = (bytes(data[:at]) + bytes([c]) + bytes(data[at + 1 :]) for c in b"jklmnopq")
    packed = next(p for p in map(zstd, tampered) if len(p) == archive.stat().st_size)
    assert len(packed) == archive.stat().st_size  # so only the hash can tell
    archive.write_bytes(packed)
    text = refused_then_built(filled, store, options(filled.url, keys=(filled.public,)))
    assert "tampered with or corrupt" in text
    # hashes as everywhere else in pybuild (SRI), the NAR hash's as the archive's
    assert re.search(r"has hash sha256-\S+=, its metadata says sha256-\S+=: tampered", text)


def test_an_archive_replaced_with_its_metadata_updated_fails_the_nar_hash(
    filled: Filled, store: Store
) -> None:
    """The file hash is not signed: an attacker can fix it, but not the signed NAR hash."""
    info = filled.info(filled.chain.lib)
    nar = bytearray(unzstd((filled.root / info.url).read_bytes()))
    nar[nar.index(b"hello")] = ord("j")
    packed = zstd(bytes(nar))
    (filled.root / info.url).write_bytes(packed)
    filled.write_info(replace(info, file_hash=hash_bytes(packed), file_size=len(packed)))
    text = refused_then_built(filled, store, options(filled.url, keys=(filled.public,)))
    assert "its signed metadata says" in text and "tampered with" in text


BROKEN_SIGNATURE = (
    "the signature by test-1 does not verify with the trusted key test-1: the entry was changed"
    " after it was signed (its NarHash, NarSize or References), the signature is damaged, or"
    " another key of the same name made it"
)


def test_a_wrong_signature_is_refused_and_built_locally(filled: Filled, store: Store) -> None:
    other = SecretKey.generate("test-1")  # same name, another key
    info = filled.info(filled.chain.lib)
    filled.write_info(replace(info, sigs=()).signed(other))
    text = refused_then_built(filled, store, options(filled.url, keys=(filled.public,)))
    assert BROKEN_SIGNATURE in text


def test_a_signature_of_other_content_is_refused(filled: Filled, store: Store) -> None:
    """Metadata changed after signing (other references) no longer matches its signature."""
    info = filled.info(filled.chain.app)
    filled.write_info(replace(info, references=()))
    opts = options(filled.url, keys=(filled.public,))
    text = refused_then_built(filled, store, opts, bad=filled.chain.app)
    assert BROKEN_SIGNATURE in text


@pytest.mark.parametrize("field", ["NarHash", "Sig"])
def test_a_tampered_line_says_the_trusted_signature_fails_not_that_none_is_trusted(
    filled: Filled, store: Store, field: str
) -> None:
    """An edited ``NarHash:`` or ``Sig:`` line of an entry signed by the one trusted key: the
    refusal says that key's signature fails, never 'signed by test-1; trusted: test-1'."""
    path = filled.root / narinfo_name(filled.chain.lib.out)
    lines = path.read_text().splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith(f"{field}: "))
    # another first character after "sha256:" (base32) or "test-1:" (base64): well-formed
    head, sep, tail = lines[at].rpartition(":")
    first = next(c for c in ("01" if field == "NarHash" else "AB") if c != tail[0])
    lines[at] = head + sep + first + tail[1:]
    path.write_text("\n".join(lines) + "\n")
    text = refused_then_built(filled, store, options(filled.url, keys=(filled.public,)))
    assert BROKEN_SIGNATURE in text
    assert "trusted: test-1" not in text


def test_an_untrusted_key_is_refused(filled: Filled, store: Store) -> None:
    stranger = str(SecretKey.generate("stranger").public_key())
    text = refused_then_built(filled, store, options(filled.url, keys=(stranger,)))
    assert "not signed by a trusted key (signed by test-1; trusted: stranger)" in text


def test_an_unsigned_entry_is_refused_and_built_locally(filled: Filled, store: Store) -> None:
    filled.write_info(replace(filled.info(filled.chain.lib), sigs=()))
    text = refused_then_built(filled, store, options(filled.url, keys=(filled.public,)))
    assert "unsigned" in text


def test_unsigned_entries_are_taken_when_require_sigs_is_off(filled: Filled, store: Store) -> None:
    for drv in (filled.chain.lib, filled.chain.app):
        filled.write_info(replace(filled.info(drv), sigs=()))
    opts = options(filled.url, require_sigs=False)
    assert statuses(realise([filled.chain.app], store, opts)) == {filled.chain.app: "substituted"}
    assert filled.chain.runs() == []


def test_a_truncated_archive_is_refused(filled: Filled, store: Store) -> None:
    archive = filled.archive(filled.chain.lib)
    archive.write_bytes(archive.read_bytes()[:-20])
    text = refused_then_built(filled, store, options(filled.url, keys=(filled.public,)))
    assert "does not match the narinfo's FileSize" in text and "cut short" in text


def test_a_repair_copy_is_checked_as_a_substitution(filled: Filled, tmp_path: Path) -> None:
    """``verify --repair`` takes a cache's copy of a path (``fresh_copy``) only whole and
    with its signed hashes: a damaged archive is refused, said, and leaves nothing."""
    told: list[str] = []
    caches = Substituters([filled.url], [filled.public], say=told.append)
    app, lib = filled.chain.app, filled.chain.lib
    assert caches.fresh_copy(app.out, tmp_path / "app")
    assert hash_path(tmp_path / "app")[0] == filled.info(app).nar_hash
    archive = filled.archive(lib)
    archive.write_bytes(archive.read_bytes()[:-20])
    assert not caches.fresh_copy(lib.out, tmp_path / "lib")
    assert not (tmp_path / "lib").exists()
    refusal = f"refused {lib.out} from {filled.url}: archive {filled.info(lib).url} does not"
    assert any(line.startswith(refusal) for line in told)
    assert not caches.fresh_copy("0" * 32 + "-absent", tmp_path / "absent")


def test_a_partial_upload_without_its_archive_is_refused(filled: Filled, store: Store) -> None:
    filled.archive(filled.chain.lib).unlink()
    text = refused_then_built(filled, store, options(filled.url, keys=(filled.public,)))
    assert "archive is missing" in text


def test_metadata_pointing_outside_the_store_is_refused(filled: Filled, store: Store) -> None:
    name = narinfo_name(filled.chain.lib.out)
    text = (filled.root / name).read_text()
    escaped = text.replace(f"StorePath: {filled.chain.lib.out}", "StorePath: ../../etc/passwd")
    (filled.root / name).write_text(escaped)
    said_text = refused_then_built(filled, store, options(filled.url, keys=(filled.public,)))
    assert "not a store path basename" in said_text
    assert not (store.dir.parent / "etc").exists()


def test_references_outside_the_store_are_refused(filled: Filled, store: Store) -> None:
    name = narinfo_name(filled.chain.app.out)
    text = (filled.root / name).read_text()
    (filled.root / name).write_text(
        text.replace(f"References: {filled.chain.lib.out}", "References: /etc/passwd")
    )
    opts = options(filled.url, keys=(filled.public,))
    said_text = refused_then_built(filled, store, opts, bad=filled.chain.app)
    assert "References '/etc/passwd' is not a store path basename" in said_text


def test_nothing_is_registered_when_part_of_a_closure_is_bad(filled: Filled, store: Store) -> None:
    archive = filled.archive(filled.chain.lib)
    archive.write_bytes(archive.read_bytes()[: len(archive.read_bytes()) // 2])
    subs = Substituters([filled.url], [filled.public], say=lambda _: None)
    with pytest.raises(CacheError, match="cannot copy from the cache"):
        copy_from(subs, store, [filled.chain.app.out])
    assert_clean(store)


def test_an_archive_with_a_path_escape_is_refused_even_when_signed(
    filled: Filled, store: Store, tmp_path: Path
) -> None:
    """The key holder's archive is still parsed as hostile: `..` entries never get out."""
    bad = nar(directory([(b"..", regular(b"pwned")), (b"ok", regular(b"x"))]))
    publish(filled.root, filled.chain.lib.out, bad, filled.key)
    subs = Substituters([filled.url], [filled.public], say=lambda _: None)
    with pytest.raises(CacheError, match="path escape"):
        copy_from(subs, store, [filled.chain.lib.out])
    assert_clean(store)
    assert not (store.tmp_dir.parent / "pwned").exists()
    assert not (store.var / "pwned").exists()


def test_a_second_cache_is_tried_when_the_first_refuses(
    filled: Filled, store: Store, tmp_path: Path
) -> None:
    unsigned_root = tmp_path / "unsigned"
    copy_to(open_cache(str(unsigned_root)), filled.built, [filled.chain.app.out])
    for meta in unsigned_root.glob("*.narinfo"):  # the store's own signatures came along
        meta.write_text(replace(NarInfo.parse(meta.read_text()), sigs=()).to_text())
    opts = options(str(unsigned_root), filled.url, keys=(filled.public,))
    assert statuses(realise([filled.chain.app], store, opts)) == {filled.chain.app: "substituted"}
    assert filled.chain.runs() == []
    assert f"from {filled.url}" in said(opts)


def counters(text: str) -> list[str]:
    """The ``[n/N] verb NAME`` of each line of the counter."""
    return re.findall(r"^(\[\d+/\d+\] \S+ \S+)", text, re.MULTILINE)


def test_a_copy_whose_closure_lacks_what_the_build_makes_is_planned_as_a_copy_after_it(
    filled: Filled, store: Store
) -> None:
    """The cache has app's entry but not lib's, which app refers to: lib is built, then app
    is copied (its copy finds lib valid), and tool, only app's build needs, is not. The plan
    counted app as a build, with tool, and the counter ended short of its total."""
    chain = filled.chain
    (filled.root / narinfo_name(chain.lib.out)).unlink()
    opts = options(filled.url, keys=(filled.public,))
    work = planned_work([chain.app], store, opts)
    assert (work.builds, work.downloads, work.copies) == ((chain.lib,), (), (chain.app,))
    fates = statuses(realise([chain.app], store, opts))
    assert fates == {chain.app: "substituted", chain.lib: "built"}
    assert chain.runs() == ["lib"]
    text = said(opts)
    assert "2 derivations will be made: 1 built, 1 copied from a cache" in text
    assert counters(text) == ["[1/2] building lib", "[2/2] copying app"], text
    assert re.search(r"^copied from a cache app \(1 path\(s\), ", text, re.MULTILINE), text


def test_a_copy_refused_mid_way_says_what_it_adds_to_the_plan_and_the_counter_counts_it(
    filled: Filled, store: Store
) -> None:
    """app's entry is sound, lib's archive is cut short: the plan copies app, the copy fails
    at lib, and app is built here after lib and tool. The line that says so counts them, and
    so does the counter, with app's build a step after its copy: it only goes up."""
    chain = filled.chain
    archive = filled.archive(chain.lib)
    archive.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    opts = options(filled.url, keys=(filled.public,))
    text = refused_then_built(filled, store, opts)
    assert "1 derivation's outputs will be copied from a binary cache" in text
    assert "to build app, 2 more derivations will be built" in text, text
    told = counters(text)
    assert told[0] == "[1/1] copying app" and told[-1] == "[4/4] building app", text
    assert sorted(line[:5] for line in told[1:-1]) == ["[2/4]", "[3/4]"], text  # lib and tool


def test_an_archive_refused_by_one_cache_and_taken_from_another_is_said_once(
    filled: Filled, store: Store, tmp_path: Path
) -> None:
    """The refusal is said in one line, naming the path, the cache and why, and what
    followed: never again by the plan's warning of the paths it did not use."""
    damaged = tmp_path / "damaged"
    copy_to(open_cache(str(damaged)), filled.built, [filled.chain.app.out])
    lib = filled.chain.lib
    archive = damaged / NarInfo.parse((damaged / narinfo_name(lib.out)).read_text()).url
    archive.write_bytes(archive.read_bytes()[:-20])
    opts = options(str(damaged), filled.url, keys=(filled.public,))
    assert statuses(realise([filled.chain.app], store, opts)) == {filled.chain.app: "substituted"}
    lines = [line for line in said(opts).splitlines() if "cut short" in line]
    assert len(lines) == 1 and lines[0].startswith(f"refused {lib.out} from {damaged}: ")
    assert lines[0].endswith("; taken from another cache")


def test_a_failed_copy_from_a_cache_names_the_refused_path_once(
    filled: Filled, store: Store
) -> None:
    archive = filled.archive(filled.chain.lib)
    archive.write_bytes(archive.read_bytes()[:-20])
    told: list[str] = []
    subs = Substituters([filled.url], [filled.public], say=told.append)
    with pytest.raises(CacheError) as error:
        copy_from(subs, store, [filled.chain.app.out])
    assert str(error.value).startswith(
        f"cannot copy from the cache: {filled.chain.lib.out} from {filled.url}: archive"
        f" {filled.info(filled.chain.lib).url} does not match the narinfo's FileSize"
    )
    assert told == []  # the error says it all


def planted(tmp_path: Path) -> tuple[Chain, Store, Path]:
    """A cache folder an untrusted run wrote first: the closure of app, unsigned, with the
    entry of app changed (References emptied, another Deriver, a garbage archive) where
    nothing checks it, since nothing signs it."""
    chain = make_chain(tmp_path)
    built = Store(tmp_path / "home-a")
    realise([chain.app], built, BuildOptions(log=io.StringIO(), **NO_SANDBOX))
    root = tmp_path / "shared"
    copy_to(open_cache(str(root)), built, [chain.app.out])
    meta = root / narinfo_name(chain.app.out)
    info = NarInfo.parse(meta.read_text())
    meta.write_text(replace(info, references=(), deriver=f"{'0' * 32}-evil.drv").to_text())
    return chain, built, meta


def test_a_signed_copy_replaces_an_entry_that_differs_from_the_store_never_signs_it(
    tmp_path: Path, store: Store
) -> None:
    chain, built, meta = planted(tmp_path)
    archive = meta.parent / NarInfo.parse(meta.read_text()).url
    inode = archive.stat().st_ino
    key = SecretKey.generate("test-1")
    told: list[str] = []
    cache = open_cache(str(meta.parent))
    report = copy_to(cache, built, [chain.app.out], keys=[key], say=told.append)
    differ = f"of {chain.app.out} whose References and Deriver fields differ from"
    assert any(differ in t for t in told)
    assert report.uploaded == [chain.app.out]  # replaced, not "already there"
    assert report.present == [chain.lib.out]
    info = NarInfo.parse(meta.read_text())
    local = built.info(chain.app.out)
    assert (info.references, info.deriver) == (local.references, local.deriver)
    assert info.trusted_by([key.public_key()]) == "test-1"
    assert archive.stat().st_ino == inode  # the store's own archive: not written again
    opts = options(str(meta.parent), keys=(str(key.public_key()),))
    assert statuses(realise([chain.app], store, opts)) == {chain.app: "substituted"}
    assert store.info(chain.app.out).references == (chain.lib.out,)
    meta.write_text(replace(NarInfo.parse(meta.read_text()), deriver=f"{'0' * 32}-x.drv").to_text())
    told.clear()
    copy_to(cache, built, [chain.app.out], keys=[key], say=told.append)
    assert any(f"of {chain.app.out} whose Deriver field differs from" in t for t in told), told


def test_a_replaced_entry_gets_its_archive_again_when_the_cache_s_is_not_the_store_s(
    tmp_path: Path, store: Store
) -> None:
    chain, built, meta = planted(tmp_path)
    archive = meta.parent / NarInfo.parse(meta.read_text()).url
    archive.write_bytes(b"not the archive")
    key = SecretKey.generate("test-1")
    copy_to(open_cache(str(meta.parent)), built, [chain.app.out], keys=[key])
    opts = options(str(meta.parent), keys=(str(key.public_key()),))
    assert statuses(realise([chain.app], store, opts)) == {chain.app: "substituted"}
    assert list(store.verify(check_contents=True)) == []


def test_a_copy_counts_and_says_the_entries_it_signed_again(
    filled: Filled, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An entry the cache had, whose signatures the copy added to or replaced, changed the
    cache: the summary counts it, never as merely 'already there'."""
    lib, app = filled.chain.lib, filled.chain.app
    filled.write_info(replace(filled.info(lib), sigs=()))  # its Sig line deleted
    told: list[str] = []
    cache = open_cache(filled.url)
    report = copy_to(cache, filled.built, [app.out], keys=[filled.key], say=told.append)
    assert (report.uploaded, report.present, report.signed) == ([], [lib.out, app.out], [lib.out])
    assert told == [f"signed {lib.out} again in {filled.url}"]
    assert filled.info(lib).trusted_by([PublicKey.parse(filled.public)]) == "test-1"

    # a signature by the key given that does not verify with it is replaced, and said
    other = SecretKey.generate("test-1")  # same name, another key
    filled.write_info(replace(filled.info(app), sigs=()).signed(other))
    told.clear()
    report = copy_to(cache, filled.built, [app.out], keys=[filled.key], say=told.append)
    assert report.signed == [app.out]
    assert told == [
        f"warning: {filled.url} had an entry of {app.out} whose signature by test-1 does not"
        " verify with the key test-1 given; it is signed again",
        f"signed {app.out} again in {filled.url}",
    ]

    # the store's own signatures, made since (pybuild sign), go up without a key, counted
    sign_local(filled.built, lib.out, [SecretKey.generate("other-1")])
    monkeypatch.setenv("PYBUILD_HOME", str(filled.built.home))
    capsys.readouterr()
    assert main(["copy", "--to", filled.url, str(filled.built.path(app.out))]) == 0
    said = capsys.readouterr().err
    assert said.splitlines() == [
        f"signed {lib.out} again in {filled.url}",
        f"copied 0 path(s) (0 B unpacked) to {filled.url}; 2 already there, 1 signed again",
    ]
    assert main(["copy", "--to", filled.url, str(filled.built.path(app.out))]) == 0
    assert capsys.readouterr().err.endswith("; 2 already there\n")
    # by its basename, as copy --from, path-info and sign take it (it was an attribute)
    assert main(["copy", "--to", filled.url, app.out]) == 0
    assert capsys.readouterr().err.endswith("; 2 already there\n")


def damage_archives(filled: Filled) -> None:
    """The archive of lib deleted, that of app overwritten with junk (its entries kept)."""
    filled.archive(filled.chain.lib).unlink()
    filled.archive(filled.chain.app).write_bytes(b"junk\n")


def test_a_copy_uploads_again_an_archive_deleted_or_damaged_in_the_cache(
    filled: Filled, store: Store
) -> None:
    damage_archives(filled)
    told: list[str] = []
    cache = open_cache(filled.url)
    report = copy_to(cache, filled.built, [filled.chain.app.out], say=told.append)
    assert report.uploaded == [filled.chain.lib.out, filled.chain.app.out]
    lib, app = filled.info(filled.chain.lib), filled.info(filled.chain.app)
    assert (
        f"warning: {filled.url} had an entry of {lib.path} whose archive {lib.url} is missing;"
        " it is uploaded again"
    ) in told
    assert (
        f"warning: {filled.url} had an entry of {app.path} whose archive {app.url} has 5 bytes"
        f" where the entry says {app.file_size:,}; it is uploaded again"
    ) in told
    assert app.trusted_by([filled.key.public_key()]) == "test-1"  # its signature is kept
    again = copy_to(cache, filled.built, [filled.chain.app.out])
    assert again.uploaded == []  # whole again: a stat said so
    opts = options(filled.url, keys=(filled.public,))
    assert statuses(realise([filled.chain.app], store, opts)) == {filled.chain.app: "substituted"}
    assert list(store.verify(check_contents=True)) == []


def test_signatures_the_store_holds_are_written_only_beside_the_store_s_own_metadata(
    tmp_path: Path,
) -> None:
    """``pybuild sign``, then a copy without a key: the signature the store keeps is of the
    store's path info, so it goes only into an entry that says the same."""
    chain, built, meta = planted(tmp_path)
    key = SecretKey.generate("test-1")
    sign_local(built, chain.app.out, [key])
    copy_to(open_cache(str(meta.parent)), built, [chain.app.out])
    info = NarInfo.parse(meta.read_text())
    assert info.references == (chain.lib.out,)
    assert info.trusted_by([key.public_key()]) == "test-1"


def test_a_lower_priority_number_is_asked_first(filled: Filled, tmp_path: Path) -> None:
    second = tmp_path / "second"
    copy_to(open_cache(str(second)), filled.built, [filled.chain.app.out], keys=[filled.key])
    (second / "pybuild-cache-info").write_text(CacheInfo(priority=10).to_text())
    subs = Substituters([filled.url, str(second)], [filled.public])
    offer = subs.query(filled.chain.app.out)
    assert offer is not None and offer.cache.url == str(second)


def test_a_folder_that_is_not_a_cache_is_skipped(tmp_path: Path, store: Store) -> None:
    chain = make_chain(tmp_path)
    (tmp_path / "empty").mkdir()
    opts = options(str(tmp_path / "empty"))
    assert realise([chain.app], store, opts)[chain.app].status == "built"
    assert "not a pybuild binary cache" in said(opts)
    assert said(opts).count("not using binary cache") == 1  # said once, not per path


# -- caches over HTTP: a loopback server with PUT, one that is down, one that stalls --------


class _CacheHandler(http.server.BaseHTTPRequestHandler):
    root: Path

    def log_message(self, *args: object) -> None:
        pass

    def _file(self) -> Path:
        rel = self.path.lstrip("/")
        assert ".." not in rel
        return self.root / rel

    def do_GET(self) -> None:
        path = self._file()
        if not path.is_file():
            self.send_error(404)
            return
        data = path.read_bytes()
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_HEAD(self) -> None:
        path = self._file()
        if not path.is_file():
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(path.stat().st_size))
        self.end_headers()

    def do_PUT(self) -> None:
        path = self._file()
        path.parent.mkdir(parents=True, exist_ok=True)
        data = self.rfile.read(int(self.headers["Content-Length"]))
        path.write_bytes(data)
        self.send_response(201)
        self.send_header("Content-Length", "0")
        self.end_headers()


@contextlib.contextmanager
def http_cache(root: Path) -> Iterator[str]:
    root.mkdir(parents=True, exist_ok=True)
    with serve(type("Handler", (_CacheHandler,), {"root": root})) as url:
        yield url


@contextlib.contextmanager
def stalling_server() -> Iterator[str]:
    """Accepts connections and never answers, until the block ends (at most 60 s)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.1)
    stop = threading.Event()
    held: list[socket.socket] = []

    def serve() -> None:
        deadline = time.monotonic() + 60
        while not stop.is_set() and time.monotonic() < deadline:
            with contextlib.suppress(TimeoutError, OSError):
                held.append(listener.accept()[0])

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join()
        for conn in held:
            conn.close()
        listener.close()


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_round_trip_over_http_with_put(tmp_path: Path, store: Store) -> None:
    chain = make_chain(tmp_path)
    built = Store(tmp_path / "home-a")
    realise([chain.app], built, BuildOptions(log=io.StringIO(), **NO_SANDBOX))
    key = SecretKey.generate("http-1")
    chain.counter.unlink()
    with http_cache(tmp_path / "served") as url:
        report = copy_to(open_cache(url), built, [chain.app.out], keys=[key])
        assert report.uploaded == [chain.lib.out, chain.app.out]
        again = copy_to(open_cache(url), built, [chain.app.out], keys=[key])
        assert again.uploaded == [] and again.present == [chain.lib.out, chain.app.out]
        served = Filled(chain, tmp_path / "served", url, key, built)
        damage_archives(served)  # seen by a HEAD, without reading the archives
        told: list[str] = []
        repaired = copy_to(open_cache(url), built, [chain.app.out], say=told.append)
        assert repaired.uploaded == [chain.lib.out, chain.app.out]
        assert sum("it is uploaded again" in line for line in told) == 2
        opts = options(url, keys=(str(key.public_key()),))
        assert statuses(realise([chain.app], store, opts)) == {chain.app: "substituted"}
    assert chain.runs() == []
    assert list(store.verify(check_contents=True)) == []


class _GuardedHandler(_CacheHandler):
    """A cache that anyone may read (`anonymous`), login "ci" (password "secret") may write
    and "reader" only read, as the farm guide's nginx; it answers `status` to every request
    when that is set (a server without PUT: 405)."""

    status = 0
    anonymous = "GET"
    logins: ClassVar = {"ci": ("secret", "GET PUT"), "reader": ("secret", "GET")}

    def _allowed(self) -> bool:
        if self.status:
            self.send_error(self.status)
            return False
        method = "GET" if self.command == "HEAD" else self.command  # as nginx's limit_except
        if method in self.anonymous.split():
            return True
        header = self.headers.get("Authorization", "")
        user, _, password = base64.b64decode(header.removeprefix("Basic ")).decode().partition(":")
        known, methods = self.logins.get(user, (None, ""))
        if known is None or password != known:
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="pybuild cache"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return False
        if method not in methods.split():
            self.send_error(403)
            return False
        return True

    def do_GET(self) -> None:
        if self._allowed():
            super().do_GET()

    def do_HEAD(self) -> None:
        if self._allowed():
            super().do_HEAD()

    def do_PUT(self) -> None:
        if self._allowed():
            super().do_PUT()


def test_a_refused_upload_or_read_names_the_login_that_netrc_gives(
    tmp_path: Path, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """401 and 403 ask for credentials (the ~/.netrc the farm guide sets up), never for PUT,
    which only a 405 or 501 says is off."""
    lib = make_chain(tmp_path).lib
    realise([lib], store, BuildOptions(log=io.StringIO(), **NO_SANDBOX))
    netrc = tmp_path / "netrc"
    monkeypatch.setenv("NETRC", str(netrc))
    root = tmp_path / "served"
    root.mkdir()
    with serve(type("Handler", (_GuardedHandler,), {"root": root})) as url:

        def refusal(login: str) -> str:
            if login:
                netrc.write_text(f"machine 127.0.0.1 login {login}\n")
            with pytest.raises(CacheUnavailable) as caught:
                copy_to(open_cache(url), store, [lib.out])
            assert "PUT enabled" not in caught.value.reason
            return caught.value.reason

        assert refusal("") == (
            "PUT pybuild-cache-info: HTTP 401 Unauthorized (the server wants a login for PUT:"
            f" put 'machine 127.0.0.1 login USER password PASSWORD' in {netrc}, readable only"
            " by you)"
        )
        assert refusal("ci password wrong") == (
            "PUT pybuild-cache-info: HTTP 401 Unauthorized (the server refused the login 'ci'"
            f" that {netrc} gives for 127.0.0.1)"
        )
        assert refusal("reader password secret") == (
            "PUT pybuild-cache-info: HTTP 403 Forbidden (the server does not let 'reader', the"
            f" login {netrc} gives for 127.0.0.1, PUT there: check its access rules)"
        )
        netrc.write_text("machine 127.0.0.1 login ci password secret\n")
        assert copy_to(open_cache(url), store, [lib.out]).uploaded == [lib.out]

    # a cache that only a login may read: the substituter gives it up with the same hint
    netrc.unlink()
    guarded = {"root": root, "anonymous": ""}
    with serve(type("Handler", (_GuardedHandler,), guarded)) as url:
        opts = options(url, require_sigs=False)
        assert realise([lib], Store(tmp_path / "home-b"), opts)[lib].status == "built"
        assert "HTTP 401 Unauthorized (the server wants a login for GET: put 'machine" in said(opts)
        assert f"not using binary cache {url}" in said(opts)
    without_put = type("Handler", (_GuardedHandler,), {"root": root, "status": 405})
    with serve(without_put) as url, pytest.raises(CacheUnavailable) as caught:
        open_cache(url)._put("log/x", b"")
    assert caught.value.reason.endswith(
        "HTTP 405 Method Not Allowed (is PUT enabled on the server? nginx: dav_methods PUT)"
    )


def test_a_password_in_the_cache_url_is_sent_but_never_shown(
    tmp_path: Path, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A login in the URL is used, its password hidden wherever the cache is named; a 401
    or 403 names the URL's login, not the netrc file, which requests did not read."""
    chain = make_chain(tmp_path)
    built = Store(tmp_path / "home-a")
    realise([chain.app], built, BuildOptions(log=io.StringIO(), **NO_SANDBOX))
    monkeypatch.setenv("NETRC", str(tmp_path / "no-netrc"))
    key = SecretKey.generate("farm-1")
    guarded = {"root": tmp_path / "served", "anonymous": ""}
    with serve(type("Handler", (_GuardedHandler,), guarded)) as url:
        port = url.rpartition(":")[2]

        def refusal(login: str) -> str:
            with pytest.raises(CacheUnavailable) as caught:
                copy_to(open_cache(f"http://{login}@127.0.0.1:{port}"), built, [chain.app.out])
            assert "secret" not in str(caught.value) and "wrong" not in str(caught.value)
            return str(caught.value)

        assert refusal("ci:wrong") == (
            f"binary cache http://ci:***@127.0.0.1:{port}: GET pybuild-cache-info: HTTP 401"
            " Unauthorized (the server refused the login 'ci' that the cache's URL gives)"
        )
        assert refusal("reader:secret").endswith(
            "HTTP 403 Forbidden (the server does not let 'reader', the login the cache's URL"
            " gives, PUT there: check its access rules)"
        )
        told: list[str] = []
        cache = open_cache(f"http://ci:secret@127.0.0.1:{port}/")
        copy_to(cache, built, [chain.app.out], keys=[key], say=told.append)
        assert told[-1] == f"copied {chain.app.out} to http://ci:***@127.0.0.1:{port}/"
        opts = options(f"http://ci:secret@127.0.0.1:{port}/", keys=(str(key.public_key()),))
        assert statuses(realise([chain.app], store, opts)) == {chain.app: "substituted"}
        assert f"from http://ci:***@127.0.0.1:{port}/)" in said(opts)
        assert "secret" not in said(opts)


def test_a_cache_that_is_down_falls_back_to_building(tmp_path: Path, store: Store) -> None:
    chain = make_chain(tmp_path)
    opts = options(f"http://127.0.0.1:{closed_port()}", connect_timeout=2)
    start = time.monotonic()
    assert realise([chain.app], store, opts)[chain.app].status == "built"
    assert time.monotonic() - start < 10
    assert sorted(chain.runs()) == ["app", "lib", "tool"]
    assert "connection refused" in said(opts)


def test_a_cache_that_stalls_times_out_and_falls_back_to_building(
    tmp_path: Path, store: Store
) -> None:
    chain = make_chain(tmp_path)
    with stalling_server() as url:
        opts = options(url, connect_timeout=1)
        start = time.monotonic()
        assert realise([chain.app], store, opts)[chain.app].status == "built"
        elapsed = time.monotonic() - start
    assert elapsed < 10  # one time-out, then the cache is not asked again
    assert sorted(chain.runs()) == ["app", "lib", "tool"]
    assert "no answer to GET pybuild-cache-info in time" in said(opts)


def test_a_download_that_stalls_is_given_up(filled: Filled, store: Store) -> None:
    """Metadata answers, the archive never comes: a stalled download, then a local build."""

    class Stall(_CacheHandler):
        def do_GET(self) -> None:
            if self.path.endswith(".zst"):
                self.send_response(200)
                self.send_header("Content-Length", "100000")
                self.end_headers()
                time.sleep(5)
                return
            super().do_GET()

    with serve(type("H", (Stall,), {"root": filled.root})) as url:
        opts = options(url, keys=(filled.public,), stalled_download_timeout=1)
        start = time.monotonic()
        assert realise([filled.chain.app], store, opts)[filled.chain.app].status == "built"
        assert time.monotonic() - start < 10
    assert "not using binary cache" in said(opts)


def test_a_download_cut_off_says_how_far_it_got(filled: Filled, store: Store) -> None:
    """The server dies mid-archive (nginx killed): the warning says so in words, not as the
    tuple urllib3 raises."""
    whole = filled.archive(filled.chain.lib).read_bytes()

    class CutOff(_CacheHandler):
        def do_GET(self) -> None:
            if self.path.endswith(".zst"):
                self.send_response(200)
                self.send_header("Content-Length", str(len(whole)))
                self.end_headers()
                self.wfile.write(whole[:10])
                self.close_connection = True
                return
            super().do_GET()

    with serve(type("H", (CutOff,), {"root": filled.root})) as url:
        opts = options(url, keys=(filled.public,))
        assert realise([filled.chain.lib], store, opts)[filled.chain.lib].status == "built"
    assert f"failed: the connection broke after 10 of {len(whole):,} bytes" in said(opts)
    assert "IncompleteRead" not in said(opts)


def broken(cause: Exception) -> Exception:
    """The error urllib3 raises when reading a body fails with `cause` (as its
    ``HTTPResponse._error_catcher`` wraps it), with the context Python gives it."""
    import urllib3

    try:
        try:
            raise cause
        except Exception as exc:
            raise urllib3.exceptions.ProtocolError(f"Connection broken: {exc!r}", exc) from exc
    except urllib3.exceptions.ProtocolError as exc:
        return exc


def test_the_reasons_urllib3_gives_for_a_broken_download_read_as_words() -> None:
    import http.client

    import requests
    import urllib3

    from pybuild.cache.binary_cache import _reason

    cut = broken(urllib3.exceptions.IncompleteRead(819200, 1365237))
    assert _reason(cut) == "the connection broke after 819,200 of 2,184,437 bytes"
    read_by_requests = requests.exceptions.ChunkedEncodingError(cut)
    assert _reason(read_by_requests) == "the connection broke after 819,200 of 2,184,437 bytes"
    unsized = broken(http.client.IncompleteRead(b"x" * 2048))
    assert _reason(unsized) == "the connection broke after 2,048 bytes"
    reset = broken(ConnectionResetError(104, "Connection reset by peer"))
    assert _reason(reset) == (
        "Connection broken: ConnectionResetError(104, 'Connection reset by peer')"
    )
    refused = broken(ConnectionRefusedError(111, "Connection refused"))
    assert _reason(refused) == "connection refused (is the server running?)"


# -- the command line ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("dripping", "limits", "reason"),
    [
        (  # the archives: too slow over each 3 s (about 32 bytes a second)
            ".nar.zst",
            {"stalled_download_timeout": 3, "download_min_speed": 1024},
            "too slow: ",
        ),
        (  # the cache's description: fast enough for "any progress", but never done
            "/pybuild-cache-info",
            {"stalled_download_timeout": 3, "download_min_speed": 0, "download_deadline": 3},
            "not done after 3 s (download_deadline)",
        ),
    ],
)
def test_a_cache_that_drips_is_skipped_and_the_build_falls_back(
    filled: Filled, store: Store, dripping: str, limits: dict[str, int], reason: str
) -> None:
    """64 bytes every 2 s: the socket time-out never fires; the speed or the deadline does."""
    with dripping_server(filled.root, lambda path: path.endswith(dripping)) as url:
        opts = options(url, keys=(filled.public,), **limits)
        start = time.monotonic()
        assert realise([filled.chain.app], store, opts)[filled.chain.app].status == "built"
        assert time.monotonic() - start < 30
    assert reason in said(opts)
    assert said(opts).count(f"not using binary cache {url} in this run") == 1
    assert sorted(filled.chain.runs()) == ["app", "lib", "tool"]


def write_chain_file(tmp_path: Path) -> Path:
    """A Python file defining the chain, for `pybuild build -f`."""
    path = tmp_path / "chain.py"
    path.write_text(
        "from pathlib import Path\n"
        "import sys\n"
        f"sys.path.insert(0, {str(Path(__file__).parent)!r})\n"
        "from test_cache import make_chain\n"
        f"chain = make_chain(Path({str(tmp_path)!r}))\n"
        "app = chain.app\n"
    )
    return path


def test_key_generate_without_a_folder_tells_which_key_is_which(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The secret key alone on stdout (``> ci-1.secret`` makes the file -o makes); the
    public key on stderr, labelled, and the secret named as such: never two unlabelled
    ``NAME:base64`` lines."""
    assert main(["key", "generate", "ci-1"]) == 0
    said = capsys.readouterr()
    [line] = said.out.splitlines()
    public = SecretKey.parse(line).public_key()
    assert said.err.splitlines() == [
        "secret key ci-1, on standard output (keep it secret: > ci-1.secret, never in a"
        " repository or a log):",
        f"public key: {public}",
        f'trusted_public_keys = ["{public}"]',
    ]
    assert str(public) not in said.out


@pytest.mark.parametrize("name", ["bad/name", "..\\up", "a:b", "two words", "é-1", ""])
def test_key_generate_refuses_a_name_that_is_not_letters_digits_and_dot_dash_underscore(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The name becomes the key's file names: ``bad/name`` wrote nothing and failed on a
    folder that is not there (with -o), or suggested ``> bad/name.secret`` (without)."""
    for argv in (["key", "generate", name], ["key", "generate", "-o", str(tmp_path / "k"), name]):
        assert main(argv) == 1
        said = capsys.readouterr()
        assert said.out == ""
        assert said.err.startswith(f"error: invalid key name {name!r}: use letters, digits")
        assert "bug" not in said.err
    assert not (tmp_path / "k").exists()


def test_public_keys_and_signatures_read_keep_the_looser_names_nix_allows() -> None:
    """Only the names of keys that sign are checked strictly: a public key from Nix, or the
    signature of a key an older pybuild generated, whose name has a ``/`` or a non-ASCII
    letter, still checks; the secret key itself signs no more under that name."""
    for name in ("bad/name", "é-1"):
        key = SecretKey(name, bytes(range(32)))  # as if generated before the stricter rule
        assert PublicKey.parse(str(key.public_key())).verify(b"x", key.sign(b"x"))
        with pytest.raises(InvalidKey, match=f"invalid secret key name {name!r}"):
            SecretKey.parse(str(key))
    key = SecretKey("cache.example.org-1", bytes(range(32)))
    assert SecretKey.parse(str(key)) == key


def test_a_key_file_holding_a_dotenv_line_is_refused_with_the_name_it_would_sign_as(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``CACHE_SIGNING_KEY=ci-1:…`` signed as the key ``CACHE_SIGNING_KEY=ci-1``, which the
    runner then refused (``trusted: ci-1``): a key signs only under a name pybuild makes."""
    keys = tmp_path / "keys"
    assert main(["key", "generate", "ci-1", "-o", str(keys)]) == 0
    dotenv = tmp_path / "cache.secret"
    dotenv.write_text(f"CACHE_SIGNING_KEY={(keys / 'ci-1.secret').read_text()}")
    capsys.readouterr()
    for argv in (["sign", "/nowhere"], ["copy", "--to", str(tmp_path / "c"), "/nowhere"]):
        assert main([*argv, "--key", str(dotenv)]) == 1
        assert capsys.readouterr().err == (
            f"error: --key {dotenv}: invalid secret key name 'CACHE_SIGNING_KEY=ci-1': a key"
            " signs with a name of letters, digits, '.', '-' or '_'\n"
            "  hint: the file holds exactly what `pybuild key generate NAME` wrote"
            " (NAME.secret with -o): one line NAME:base64\n"
        )


def test_sign_and_delete_say_alike_that_an_attribute_is_no_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``sign idna`` said 'invalid store path name', ``delete idna`` 'not inside the store':
    a word that is neither a file nor a store path's name is told so by both, with what they
    take and where a package's path is found."""
    keys = tmp_path / "keys"
    assert main(["key", "generate", "ci-1", "-o", str(keys)]) == 0
    monkeypatch.chdir(tmp_path)
    capsys.readouterr()
    for argv in (["sign", "--key", str(keys / "ci-1.secret"), "idna"], ["delete", "idna"]):
        assert main(argv) == 1
        assert capsys.readouterr().err == (
            "error: idna: no such file or store path\n"
            f"  hint: {argv[0]} takes store paths or result links; for a package of the set,"
            " its path is `pybuild path-info idna`\n"
        )


def test_cli_copy_to_key_generate_sign_and_build_from_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    chain = make_chain(tmp_path)
    assert main(["key", "generate", "ci-1", "-o", str(tmp_path / "keys")]) == 0
    secret = tmp_path / "keys" / "ci-1.secret"
    public = (tmp_path / "keys" / "ci-1.public").read_text().strip()
    assert secret.stat().st_mode & 0o777 == 0o600
    assert SecretKey.parse(secret.read_text()).public_key() == PublicKey.parse(public)
    assert main(["key", "generate", "ci-1", "-o", str(tmp_path / "keys")]) == 1  # no overwrite
    # the options every command takes, as the README says
    again = ["key", "generate", "ci-2", "-o", str(tmp_path / "keys"), "--option", "jobs", "2"]
    assert main([*again, "-q"]) == 0

    capsys.readouterr()
    file = write_chain_file(tmp_path)
    assert main(["build", "-f", str(file), "app", *CLI_NO_SANDBOX]) == 0
    out = capsys.readouterr().out.strip()
    # sign locally first: the copy carries the store's signatures without --key
    assert main(["sign", "--key", str(secret), "-r", out]) == 0
    assert capsys.readouterr().err == "signed 2 path(s) with key ci-1\n"
    assert main(["sign", "--key", str(secret), out]) == 0  # again: nothing gained
    assert (
        capsys.readouterr().err == "signed 0 path(s) with key ci-1; 1 had its signature already\n"
    )
    cache = tmp_path / "cache"
    assert main(["copy", "--to", f"file://{cache}", out]) == 0
    said = capsys.readouterr()
    assert "copied 2 path(s)" in said.err
    assert said.out == ""  # as nix copy: what was copied is reported on standard error
    assert "Sig: ci-1:" in (cache / narinfo_name(chain.app.out)).read_text()

    monkeypatch.setenv("PYBUILD_HOME", str(tmp_path / "home-b"))
    chain.counter.unlink()
    argv = ["build", "-f", str(file), "app", *CLI_NO_SANDBOX]
    argv += ["--option", "substituters", f"file://{cache}"]
    assert main([*argv, "--option", "trusted-public-keys", public]) == 0
    captured = capsys.readouterr()
    assert captured.out.strip().endswith(chain.app.out)
    assert "copied from a cache app (2 path(s)" in captured.err and "building" not in captured.err
    assert chain.runs() == []

    # without the key trusted, the same cache is refused, and the build says so, as a dry
    # run does: once for the cache and reason, before the plan
    monkeypatch.setenv("PYBUILD_HOME", str(tmp_path / "home-c"))
    assert main([*argv, "--dry-run"]) == 0
    refused = f"warning: not using 2 paths of file://{cache}: no trusted_public_keys are set"
    dry = capsys.readouterr().err
    assert dry.count("warning: not using") == 1 and refused in dry
    assert main(argv) == 0
    err = capsys.readouterr().err
    assert err.count("warning: not using") == 1 and refused in err
    assert sorted(chain.runs()) == ["app", "lib", "tool"]


LOGGED = """
from pybuild import derivation

lib = derivation(
    name="lib", builder="/bin/sh", args=["-c", 'echo "lib: compiled"; echo x > "$out"']
)
app = derivation(
    name="app", builder="/bin/sh",
    args=["-c", 'echo "app: linked against $0" >&2; echo "app: done"; echo "$0" > "$out"', lib],
)
"""


def test_a_copy_carries_the_build_logs_which_log_reads_from_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    file = tmp_path / "logged.py"
    file.write_text(LOGGED)
    assert main(["build", "-f", str(file), "app", *CLI_NO_SANDBOX]) == 0
    out = capsys.readouterr().out.strip()
    built = Store(os.environ["PYBUILD_HOME"])
    logs = {p.name.removesuffix(".log"): p.read_bytes() for p in built.log_dir.iterdir()}
    app_drv = built.info(Path(out).name).deriver
    assert b"app: linked against" in logs[app_drv] and len(logs) == 2
    cache = tmp_path / "cache"
    assert main(["copy", "--to", f"file://{cache}", out]) == 0
    assert {p.name: p.read_bytes() for p in (cache / "log").iterdir()} == logs

    monkeypatch.setenv("PYBUILD_HOME", str(tmp_path / "home-b"))
    capsys.readouterr()
    assert main(["log", "-f", str(file), "app"]) == 1
    assert "it was not built on this machine (its outputs" in capsys.readouterr().err
    read = ["log", "-f", str(file), "app", "--option", "substituters", f"file://{cache}"]
    assert main(read) == 0  # not built here at all: the cache's log, unsigned, is only read
    assert capsys.readouterr().out.encode() == logs[app_drv]
    (cache / "log" / app_drv).unlink()
    assert main(read) == 1
    assert ", nor has a binary cache its log" in capsys.readouterr().err


def test_cli_copy_from(
    filled: Filled, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    store = Store(os.environ["PYBUILD_HOME"])
    app = filled.chain.app.out
    assert main(["copy", "--from", filled.url, app]) == 1
    err = capsys.readouterr().err
    # a copy builds nothing: one error with the reason, no promise of a local build
    assert err.count("no trusted_public_keys are set") == 1
    assert "error: cannot copy from the cache" in err and "building it locally" not in err
    assert_clean(store)
    opt = ["--option", "trusted-public-keys", filled.public]
    assert main(["copy", "--from", filled.url, *opt, str(store.path(app))]) == 0
    captured = capsys.readouterr()
    assert captured.out.strip() == str(store.path(app))
    assert f"copied from a cache {app} (2 path(s)" in captured.err
    assert store.closure([app]) == sorted([app, filled.chain.lib.out])
    assert filled.chain.runs() == []
    # a path that is not there is told so, not that it is outside the store
    assert main(["copy", "--from", filled.url, *opt, "./no-such-result"]) == 1
    assert "./no-such-result: no such file or directory" in capsys.readouterr().err


def test_a_malformed_trusted_key_is_named_with_the_setting_and_its_source(
    filled: Filled,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    """Which of the config file, the variable or --option holds the bad key, for copy and
    build alike: the caches, which parse it, no longer know."""
    app = filled.chain.app.out
    monkeypatch.setenv("PYBUILD_TRUSTED_PUBLIC_KEYS", f"{filled.public} k:not-base64!")
    assert main(["copy", "--from", filled.url, app]) == 1
    err = capsys.readouterr().err
    assert "invalid public key named 'k': not base64, in trusted_public_keys from env" in err
    assert "PYBUILD_TRUSTED_PUBLIC_KEYS" in err and "NAME:base64" in err
    monkeypatch.delenv("PYBUILD_TRUSTED_PUBLIC_KEYS")
    config = tmp_path / "config.toml"
    config.write_text('trusted_public_keys = ["k:AAAA"]\n')
    monkeypatch.setenv("PYBUILD_CONFIG", str(config))
    monkeypatch.setenv("PYBUILD_SUBSTITUTERS", filled.url)
    assert main(["build", "-f", str(tmp_path / "absent.py"), "x"]) == 1
    assert f"in trusted_public_keys from {config}" in capsys.readouterr().err


def test_a_copy_waiting_for_another_process_making_the_path_says_so(
    filled: Filled, store: Store
) -> None:
    """As a build says it: a copy of a path another process is building (or copying) waits
    for its lock, and a silent wait looks like a hang."""
    app = filled.chain.app.out
    told: list[str] = []
    subs = Substituters([filled.url], [filled.public], say=told.append)
    held, release = threading.Event(), threading.Event()

    def other() -> None:
        with store.lock([app]):
            held.set()
            release.wait(10)

    holder = threading.Thread(target=other)
    holder.start()
    held.wait(10)
    threading.Timer(0.3, release.set).start()
    try:
        copy_from(subs, store, [app])
    finally:
        release.set()
        holder.join()
    assert f"waiting for {app}: another process is making {store.path(app)}" in told
    assert store.is_valid(app)


def test_copy_from_names_the_path_of_the_closure_the_cache_lacks_and_its_referrer(
    filled: Filled, store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    lib, app = filled.chain.lib.out, filled.chain.app.out
    (filled.root / narinfo_name(lib)).unlink()
    subs = Substituters([filled.url], [filled.public])
    with pytest.raises(CacheError) as caught:
        copy_from(subs, store, [app])
    assert str(caught.value) == (
        f"cannot copy from the cache: it has no (usable) entry for {store.path(lib)}, which"
        f" {store.path(app)} refers to"
    )
    absent = "0" * 32 + "-absent"
    with pytest.raises(CacheError) as caught:
        copy_from(subs, store, [absent])
    assert str(caught.value).endswith(f"it has no (usable) entry for {store.path(absent)}")
    assert_clean(store)


def test_copy_from_a_cache_whose_host_is_unknown_says_so_not_that_it_lacks_the_path(
    filled: Filled, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The resolver's failure in words (never urllib3's repr, cut short), and the copy's
    error names the cache that could not be read, which has no entry because it has none."""
    real = socket.getaddrinfo

    def getaddrinfo(host: str, *args: Any, **kwargs: Any) -> Any:
        if host.endswith(".invalid"):  # as a resolver answers, without asking one
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    told: list[str] = []
    unknown = "https://nonexistent.invalid/cache"
    subs = Substituters([unknown], [filled.public], say=told.append)
    with pytest.raises(CacheError) as caught:
        copy_from(subs, store, [filled.chain.app.out])
    reason = "GET pybuild-cache-info failed: cannot resolve host nonexistent.invalid"
    assert told == [f"warning: {reason}: not using binary cache {unknown} in this run"]
    assert str(caught.value) == f"cannot copy from the cache: binary cache {unknown}: {reason}"
    # with a cache that answers, the path it lacks is named, and the one not read with it
    (filled.root / narinfo_name(filled.chain.app.out)).unlink()
    subs = Substituters([unknown, filled.url], [filled.public], say=told.append)
    with pytest.raises(CacheError) as caught:
        copy_from(subs, store, [filled.chain.app.out])
    assert str(caught.value) == (
        "cannot copy from the cache: it has no (usable) entry for"
        f" {store.path(filled.chain.app.out)} (not read: binary cache {unknown}: {reason})"
    )
    assert_clean(store)


def test_cli_copy_rejects_a_bad_key_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.secret"
    bad.write_text("ci-1:bm90IGEga2V5\n")
    assert main(["sign", "--key", str(bad), "/nowhere"]) == 1
    assert "invalid secret key named 'ci-1'" in capsys.readouterr().err


def test_a_broken_key_file_is_named_and_none_of_the_secret_is_shown(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A CI log is often public, and masking hides only the whole secret: the error names the
    --key file and quotes none of it (the first 20 characters were shown)."""
    keys = tmp_path / "keys"
    assert main(["key", "generate", "ci-1", "-o", str(keys)]) == 0
    secret = (keys / "ci-1.secret").read_text().strip()
    data = secret.partition(":")[2]
    broken = {
        "colon.secret": secret.replace(":", " ").encode(),
        "word.secret": b"garbage\n",
        "spaced.secret": f"ci 1 {data[:30]}:{data[30:]}\n".encode(),
        "binary.secret": bytes(range(256)),
    }
    capsys.readouterr()
    for name, content in broken.items():
        file = tmp_path / name
        file.write_bytes(content)
        for argv in (["sign", "/nowhere"], ["copy", "--to", str(tmp_path / "c"), "/nowhere"]):
            assert main([*argv, "--key", str(file)]) == 1
            err = capsys.readouterr().err
            assert err.startswith(f"error: --key {file}: invalid secret key: "), err
            assert "hint: the file holds exactly what `pybuild key generate NAME` wrote" in err
            assert "garbage" not in err
            assert not any(data[i : i + 6] in err for i in range(len(data) - 6)), err


def test_an_empty_key_file_says_so_and_asks_whether_the_ci_secret_is_set(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A job not given the CI secret writes an empty file (a pull request from a fork): the
    error says it is empty, where it said ``invalid secret key ''``."""
    for content in ("", "\n"):
        empty = tmp_path / "cache.secret"
        empty.write_text(content)
        assert main(["sign", "--key", str(empty), "/nowhere"]) == 1
        assert capsys.readouterr().err == (
            f"error: --key {empty} is empty: signing needs a secret key, NAME:base64\n"
            "  hint: if a CI secret fills the file, is it set for this job? (a pull request"
            " from a fork is not given the repository's secrets)\n"
        )


def test_a_public_key_given_to_sign_with_names_the_secret_key_beside_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    keys = tmp_path / "keys"
    assert main(["key", "generate", "ci-1", "-o", str(keys)]) == 0
    public = keys / "ci-1.public"
    capsys.readouterr()
    for argv in (["sign", "/nowhere"], ["copy", "--to", str(tmp_path / "cache"), "/nowhere"]):
        assert main([*argv, "--key", str(public)]) == 1
        assert capsys.readouterr().err == (
            f"error: {public} holds the public key ci-1, which checks signatures: signing needs"
            f" its secret key\n  hint: use --key {keys / 'ci-1.secret'}\n"
        )
    lonely = tmp_path / "ci.pub"
    lonely.write_text(public.read_text())
    assert main(["sign", "--key", str(lonely), "/nowhere"]) == 1
    assert capsys.readouterr().err.endswith(
        "hint: give --key the secret key file: `pybuild key generate ci-1 -o DIR` wrote it as"
        " DIR/ci-1.secret, beside DIR/ci-1.public\n"
    )


def test_copy_to_an_attribute_builds_it_first_and_a_fresh_home_builds_nothing(
    use_index: object,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The issue's scenario with a real Python package (greet needs shout), hermetically."""
    from pybuild.pkgset import DEFAULT_RECIPES
    from support.fixtures import write_fixture_recipes

    recipes = write_fixture_recipes(tmp_path / "recipes", use_index, ["greet", "shout"])  # type: ignore[arg-type]
    sets = ["--recipes", str(DEFAULT_RECIPES), "--recipes", str(recipes)]
    keys = tmp_path / "keys"
    assert main(["key", "generate", "ci-1", "-o", str(keys)]) == 0
    cache = f"file://{tmp_path / 'cache'}"
    key = ["--key", str(keys / "ci-1.secret")]
    capsys.readouterr()
    assert main(["copy", "--to", cache, *key, *sets, "greet"]) == 0
    assert capsys.readouterr().out == ""  # as nix copy
    assert main(["build", *sets, "greet"]) == 0  # built by the copy: only its path is printed
    greet_out = capsys.readouterr().out.strip()

    monkeypatch.setenv("PYBUILD_HOME", str(tmp_path / "fresh"))
    public = (keys / "ci-1.public").read_text().strip()
    opts = ["--option", "substituters", cache, "--option", "trusted-public-keys", public]
    assert main(["build", *sets, *opts, "greet"]) == 0
    captured = capsys.readouterr()
    python = f"python{sys.version_info.major}.{sys.version_info.minor}"  # the set's, this one
    assert f"copied from a cache {python}-greet-1.0 (2 path(s)" in captured.err
    assert "building" not in captured.err
    fresh = Store(tmp_path / "fresh")
    out = Path(captured.out.strip())
    assert out.name == Path(greet_out).name
    assert list(fresh.verify(check_contents=True)) == []
    assert (out / "bin" / "greet").exists()
    import subprocess

    run = subprocess.run([str(out / "bin" / "greet")], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert "HELLO" in run.stdout


# -- archives ---------------------------------------------------------------------------------


def make_tree(root: Path) -> Path:
    (root / "d" / "e").mkdir(parents=True)
    (root / "d" / "empty").mkdir()
    (root / "a.txt").write_text("a" * 1000)
    (root / "z").write_bytes(b"")
    (root / "d" / "e" / "x.bin").write_bytes(os.urandom(3 * 1024 * 1024))
    tool = root / "d" / "tool"
    tool.write_text("#!/bin/sh\n")
    tool.chmod(0o755)
    (root / "link").symlink_to("d/e/x.bin")
    (root / "abs").symlink_to("/etc/hostname")
    return root


def test_the_command_line_offers_every_compression_and_no_other() -> None:
    """``copy --compression`` lists its choices itself (``--help`` imports no archive code)."""
    from pybuild.cache.archive import COMPRESSIONS, DEFAULT_COMPRESSION
    from pybuild.cli import _parser

    commands = next(a for a in _parser()._actions if isinstance(a, argparse._SubParsersAction))
    copy = commands.choices["copy"]
    option = next(a for a in copy._actions if a.dest == "compression")
    assert sorted(option.choices) == sorted(COMPRESSIONS)  # type: ignore[arg-type]
    assert option.default == DEFAULT_COMPRESSION


def test_neither_help_nor_docs_say_nix_reads_the_cache_which_it_cannot() -> None:
    """The layout is Nix's, but the cache-info file, the basenames and the fingerprint that
    signatures cover are pybuild's: ``copy --help`` must not promise Nix reads the cache, and
    the docs say it does not."""
    from pybuild.cli import _parser

    commands = next(a for a in _parser()._actions if isinstance(a, argparse._SubParsersAction))
    option = next(a for a in commands.choices["copy"]._actions if a.dest == "compression")
    assert "Nix" not in (option.help or "")
    info = sample_info()
    assert info.fingerprint().startswith(b"pybuild-1;" + info.path.encode() + b";")
    assert CacheInfo().to_text().startswith("Format: pybuild-1\n")
    docs = Path(__file__).parent.parent / "docs" / "concepts" / "caches.md"
    assert "the cache is pybuild's own: Nix cannot substitute from it" in docs.read_text()


@pytest.mark.parametrize("compression", ["zstd", "xz", "none"])
def test_archive_round_trip_is_exact_and_deterministic(tmp_path: Path, compression: str) -> None:
    tree = make_tree(tmp_path / "tree")
    first, second = io.BytesIO(), io.BytesIO()
    written = write_archive(tree, first, compression)
    assert write_archive(tree, second, compression) == written
    assert first.getvalue() == second.getvalue()
    assert (written.nar_hash, written.nar_size) == hash_path(tree)
    restored = unpack_archive(
        io.BytesIO(first.getvalue()),
        compression,
        tmp_path / "out",
        written.file_size,
        written.nar_size,
    )
    assert restored == written
    assert hash_path(tmp_path / "out") == hash_path(tree)
    assert os.readlink(tmp_path / "out" / "abs") == "/etc/hostname"
    assert (tmp_path / "out" / "d").stat().st_mode & 0o777 == 0o555
    assert (tmp_path / "out" / "d" / "tool").stat().st_mode & 0o777 == 0o555
    assert (tmp_path / "out" / "a.txt").stat().st_mode & 0o777 == 0o444
    assert (tmp_path / "out" / "a.txt").stat().st_mtime == 1


def _s(data: bytes) -> bytes:
    return len(data).to_bytes(8, "little") + data + b"\0" * ((8 - len(data) % 8) % 8)


def regular(contents: bytes, executable: bool = False) -> bytes:
    flag = _s(b"executable") + _s(b"") if executable else b""
    return (
        _s(b"(") + _s(b"type") + _s(b"regular") + flag + _s(b"contents") + _s(contents) + _s(b")")
    )


def symlink(target: bytes) -> bytes:
    return _s(b"(") + _s(b"type") + _s(b"symlink") + _s(b"target") + _s(target) + _s(b")")


def directory(entries: list[tuple[bytes, bytes]]) -> bytes:
    body = b"".join(
        _s(b"entry") + _s(b"(") + _s(b"name") + _s(name) + _s(b"node") + node + _s(b")")
        for name, node in entries
    )
    return _s(b"(") + _s(b"type") + _s(b"directory") + body + _s(b")")


def nar(node: bytes) -> bytes:
    return _s(b"nix-archive-1") + node


def publish(root: Path, path: str, nar_bytes: bytes, key: SecretKey) -> NarInfo:
    """Put a (possibly hostile) NAR in a cache as `path`, with correct, signed metadata."""
    packed = lzma.compress(nar_bytes, format=lzma.FORMAT_XZ)
    file_hash = hash_bytes(packed)
    url = f"nar/{file_hash.base32}.nar.xz"
    (root / url).write_bytes(packed)
    info = NarInfo(
        path, url, "xz", file_hash, len(packed), hash_bytes(nar_bytes), len(nar_bytes)
    ).signed(key)
    (root / narinfo_name(path)).write_text(info.to_text())
    return info


def test_our_nar_builder_matches_the_real_serialisation(tmp_path: Path) -> None:
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "a").write_bytes(b"hi")
    (tmp_path / "t" / "b").symlink_to("a")
    expected = nar(directory([(b"a", regular(b"hi")), (b"b", symlink(b"a"))]))
    assert hash_path(tmp_path / "t") == (hash_bytes(expected), len(expected))


def _nested(depth: int) -> bytes:
    node = regular(b"x")
    for _ in range(depth):
        node = directory([(b"d", node)])
    return node


HOSTILE = {
    "dot-dot": (nar(directory([(b"..", regular(b"x"))])), "path escape"),
    "dot": (nar(directory([(b".", regular(b"x"))])), "path escape"),
    "slash": (nar(directory([(b"a/../../x", regular(b"x"))])), "path escape"),
    "absolute": (nar(directory([(b"/etc/x", regular(b"x"))])), "path escape"),
    "empty name": (nar(directory([(b"", regular(b"x"))])), "path escape"),
    "nul": (nar(directory([(b"a\0b", regular(b"x"))])), "path escape"),
    "duplicate": (
        nar(directory([(b"a", regular(b"x")), (b"a", symlink(b"/etc"))])),
        "duplicate entry",
    ),
    "unsorted": (nar(directory([(b"b", regular(b"x")), (b"a", regular(b"y"))])), "out of order"),
    "link then dir through it": (
        nar(directory([(b"a", symlink(b"/tmp")), (b"a", directory([(b"f", regular(b"x"))]))])),
        "duplicate entry",
    ),
    "unknown type": (nar(_s(b"(") + _s(b"type") + _s(b"fifo") + _s(b")")), "unknown node type"),
    "bad magic": (_s(b"nix-archive-2") + regular(b"x"), "expected b'nix-archive-1'"),
    "huge name": (
        _s(b"nix-archive-1")
        + _s(b"(")
        + _s(b"type")
        + _s(b"directory")
        + _s(b"entry")
        + _s(b"(")
        + _s(b"name")
        + (1 << 40).to_bytes(8, "little"),
        "entry name of 1099511627776 bytes",
    ),
    "non-zero padding": (
        nar(regular(b"x"))[:-17] + b"\1" + nar(regular(b"x"))[-16:],
        "non-zero padding",
    ),
    "empty link target": (nar(symlink(b"")), "empty target"),
    "too deep": (
        nar(_nested(2100)),  # paths past PATH_MAX, which no store path's are
        "nested so deep",
    ),
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_restore_refuses_hostile_archives(tmp_path: Path, case: str) -> None:
    data, message = HOSTILE[case]
    box = tmp_path / "box"
    box.mkdir()
    with pytest.raises(ArchiveError, match=message.replace("(", r"\(")):
        restore_nar(io.BytesIO(data), box / "out", len(data))
    assert os.listdir(tmp_path) == ["box"]  # nothing written beside the target
    assert not (tmp_path / "x").exists() and not (tmp_path / "pwned").exists()
    # What a caller does with the partial tree: pytest's own removal of old temporary folders
    # recurses once a level, and failed at exit on "too deep"'s 2,000 (RecursionError).
    remove_tree(box)


def test_restore_refuses_truncated_and_overlong_streams(tmp_path: Path) -> None:
    data = nar(directory([(b"a", regular(b"0123456789" * 100))]))
    with pytest.raises(ArchiveError, match="truncated"):
        restore_nar(io.BytesIO(data[:-40]), tmp_path / "short", len(data))
    with pytest.raises(ArchiveError, match=r"longer than the .* bytes declared"):
        restore_nar(io.BytesIO(data), tmp_path / "declared-less", len(data) - 8)
    with pytest.raises(ArchiveError, match="in a NAR declared 300 bytes long"):
        restore_nar(io.BytesIO(data), tmp_path / "file-too-big", 300)
    packed = lzma.compress(data, format=lzma.FORMAT_XZ)
    with pytest.raises(
        WrongFileSize, match=r"archive file is [\d,]+ bytes, not the [\d,]+ declared"
    ):
        unpack_archive(io.BytesIO(packed[:-30]), "xz", tmp_path / "x", len(packed), len(data))
    cut = packed[:-30]  # declared as cut: the stream itself is broken
    with pytest.raises(ArchiveError, match=r"broken xz|truncated"):
        unpack_archive(io.BytesIO(cut), "xz", tmp_path / "x2", len(cut), len(data))
    with pytest.raises(ArchiveError, match="longer than its metadata"):
        unpack_archive(io.BytesIO(packed), "xz", tmp_path / "y", len(packed) - 1, len(data))


@pytest.mark.parametrize("compression", ["zstd", "xz"])
def test_a_decompression_bomb_stops_at_the_declared_size(tmp_path: Path, compression: str) -> None:
    data = nar(regular(b"\0" * (50 * 1024 * 1024)))
    packed = zstd(data) if compression == "zstd" else lzma.compress(data, format=lzma.FORMAT_XZ)
    assert len(packed) < 100_000
    with pytest.raises(ArchiveError, match="in a NAR declared 4,096 bytes long"):
        unpack_archive(io.BytesIO(packed), compression, tmp_path / "bomb", len(packed), 4096)
    assert not (tmp_path / "bomb").exists() or (tmp_path / "bomb").stat().st_size == 0


def test_a_broken_zstd_stream_is_refused(tmp_path: Path) -> None:
    data = nar(directory([(b"a", regular(b"0123456789" * 100))]))
    packed = zstd(data)
    with pytest.raises(
        WrongFileSize, match=r"archive file is [\d,]+ bytes, not the [\d,]+ declared"
    ):
        unpack_archive(io.BytesIO(packed[:-30]), "zstd", tmp_path / "x", len(packed), len(data))
    cut = packed[:-30]  # declared as cut: the stream itself is broken
    with pytest.raises(ArchiveError, match=r"broken zstd|truncated"):
        unpack_archive(io.BytesIO(cut), "zstd", tmp_path / "x2", len(cut), len(data))
    garbage = b"\x28\xb5\x2f\xfd" + os.urandom(200)  # zstd's magic, then noise
    with pytest.raises(ArchiveError, match=r"broken zstd"):
        unpack_archive(io.BytesIO(garbage), "zstd", tmp_path / "y", len(garbage), len(data))


# -- metadata ----------------------------------------------------------------------------------


def sample_info() -> NarInfo:
    return NarInfo(
        path="0" * 32 + "-demo-1.0",
        url="nar/" + "1" * 52 + ".nar.xz",
        compression="xz",
        file_hash=hash_bytes(b"file"),
        file_size=4,
        nar_hash=hash_bytes(b"nar"),
        nar_size=3,
        references=("0" * 32 + "-demo-1.0", "2" * 32 + "-dep"),
        deriver="3" * 32 + "-demo-1.0.drv",
    )


def test_metadata_round_trips() -> None:
    info = sample_info().signed(SecretKey.generate("k"))
    assert NarInfo.parse(info.to_text(), expect_path=info.path) == info


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("StorePath: 0", "StorePath: ../0"), "not a store path basename"),
        (("URL: nar/", "URL: ../../etc/"), "is not an archive of this cache"),
        (("URL: nar/", "URL: http://elsewhere/nar/"), "is not an archive of this cache"),
        ((".nar.xz\n", ".nar\n"), "is not an archive of this cache"),
        (("References: ", "References: /etc/passwd "), "not a store path basename"),
        (("Deriver: 3", "Deriver: ../3"), "not a store path basename"),
        (("-demo-1.0.drv", "-demo-1.0"), "is not a .drv"),
        (("NarSize: 3", "NarSize: -3"), "is not a size"),
        (("NarSize: 3", "NarSize: 3\nNarSize: 4"), "given twice"),
        (("NarHash: sha256:", "NarHash: md5:"), "is not sha256"),
        (("Compression: xz", "Compression: bzip2"), "unknown Compression"),
        (("FileSize: 4\n", ""), "lacks FileSize"),
        (("FileSize: 4", "FileSize: 4\nSecret: 1"), "unknown field"),
        (("FileSize: 4", "FileSize: 4\nCA: source:sha256-AAAA"), "does not match the NarHash"),
    ],
)
def test_bad_metadata_is_refused(change: tuple[str, str], message: str) -> None:
    text = sample_info().to_text()
    assert change[0] in text
    with pytest.raises(InvalidInfo, match=message):
        NarInfo.parse(text.replace(change[0], change[1], 1))


@pytest.mark.parametrize("compression", ["zstd", "xz", "none"])
def test_a_bad_archive_url_names_every_archive_name_the_cache_takes(compression: str) -> None:
    """The names come from the compressions themselves: zstd's, the default, is among them."""
    good = replace(sample_info(), compression=compression)
    suffix = COMPRESSIONS[compression]
    for url in ("nar/" + "1" * 52 + ".nar.gz", "nar/" + "1" * 52 + suffix + ".gz"):
        text = replace(good, url=url).to_text()
        with pytest.raises(InvalidInfo) as error:
            NarInfo.parse(text)
        assert str(error.value).endswith(
            "is not an archive of this cache (nar/<hash>.nar.zst, .nar.xz or .nar)"
        )
    other = next(s for s in COMPRESSIONS.values() if s != suffix)
    with pytest.raises(InvalidInfo) as error:
        NarInfo.parse(replace(good, url="nar/" + "1" * 52 + other).to_text())
    assert str(error.value).endswith(f"(nar/<hash>{suffix}, for Compression {compression})")
    assert NarInfo.parse(replace(good, url="nar/" + "1" * 52 + suffix).to_text())


def test_metadata_for_another_path_is_refused() -> None:
    with pytest.raises(InvalidInfo, match="not for"):
        NarInfo.parse(sample_info().to_text(), expect_path="9" * 32 + "-demo-1.0")


def test_cache_info_needs_our_format() -> None:
    assert CacheInfo.parse(CacheInfo(priority=7).to_text()) == CacheInfo(priority=7)
    with pytest.raises(InvalidInfo, match="cache format 'pybuild-0' is not 'pybuild-1'"):
        CacheInfo.parse("Format: pybuild-0\n")
    with pytest.raises(InvalidInfo) as caught:
        CacheInfo.parse("")
    assert str(caught.value).startswith("it has no 'Format:' line (it is empty)")


def test_a_cache_info_of_garbage_says_it_has_no_format_line_and_what_it_has(
    filled: Filled, store: Store
) -> None:
    (filled.root / "pybuild-cache-info").write_text("garbage " * 20 + "\nmore\n")
    opts = options(filled.url, keys=(filled.public,))
    assert realise([filled.chain.lib], store, opts)[filled.chain.lib].status == "built"
    assert (
        "warning: pybuild-cache-info: it has no 'Format:' line (it starts 'garbage garbage"
        " garbage garbage garbage '…); is this a pybuild binary cache? If so, the file is"
        " damaged: delete it, and `pybuild copy --to` writes it again: not using binary cache"
    ) in said(opts)
    (filled.root / "pybuild-cache-info").unlink()  # as the hint says
    copy_to(open_cache(filled.url), filled.built, [filled.chain.lib.out])
    assert statuses(realise([filled.chain.lib], Store(filled.root.parent / "home-c"), opts)) == {
        filled.chain.lib: "substituted"
    }


# -- keys and signatures ------------------------------------------------------------------


def test_keys_round_trip_and_signatures_verify() -> None:
    key = SecretKey.generate("cache.example-1")
    assert SecretKey.parse(str(key)) == key
    public = PublicKey.parse(str(key.public_key()))
    assert public == key.public_key()
    info = sample_info().signed(key)
    assert info.trusted_by([public]) == "cache.example-1"
    assert replace(info, nar_size=4).trusted_by([public]) is None
    assert info.trusted_by([SecretKey.generate("cache.example-1").public_key()]) is None
    assert "seed" not in repr(key) or "..." in repr(key)
    assert str(key).split(":")[1] not in repr(key)


@pytest.mark.parametrize(
    "text",
    ["nocolon", ":AAAA", "bad name:AAAA", "k:not base64!", "k:" + "A" * 8],
)
def test_bad_keys_are_refused(text: str) -> None:
    with pytest.raises(InvalidKey):
        PublicKey.parse(text)


def test_a_secret_key_whose_halves_differ_is_refused() -> None:
    import base64

    a, b = SecretKey.generate("k"), SecretKey.generate("k")
    raw = a.seed + b.public_key().raw
    with pytest.raises(InvalidKey, match="do not match"):
        SecretKey.parse("k:" + base64.b64encode(raw).decode())


def test_sign_records_signatures_in_the_store(filled: Filled) -> None:
    other = SecretKey.generate("other-1")
    (sig,) = sign_local(filled.built, filled.chain.lib.out, [other])
    assert sig in filled.built.registry.signatures(filled.chain.lib.out)
    info = replace(filled.info(filled.chain.lib), sigs=(sig,))
    assert info.trusted_by([other.public_key()]) == "other-1"


def test_path_info_sigs_shows_the_signatures_the_store_keeps(
    filled: Filled, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """As ``nix path-info --sigs``: a column of them, space-separated; and a list in JSON."""
    monkeypatch.setenv("PYBUILD_HOME", str(filled.built.home))
    lib, tool = filled.chain.lib.out, filled.chain.tool.out
    (sig,) = filled.built.registry.signatures(lib)  # copy_to --key recorded it
    capsys.readouterr()
    assert main(["path-info", "--sigs", str(filled.built.path(lib))]) == 0
    assert capsys.readouterr().out.split("\t")[-1] == f"{sig}\n"
    assert main(["path-info", "--sigs", str(filled.built.path(tool))]) == 0  # never signed
    assert capsys.readouterr().out.endswith("\t\n")
    assert main(["path-info", "--json", str(filled.built.path(lib))]) == 0
    assert json.loads(capsys.readouterr().out)[0]["signatures"] == [sig]


def test_an_old_registry_gains_the_signatures_table(tmp_path: Path) -> None:
    db = tmp_path / "db.sqlite"
    conn = sqlite3.connect(db)
    conn.executescript(
        "CREATE TABLE valid_paths (id INTEGER PRIMARY KEY, path TEXT UNIQUE NOT NULL,"
        " nar_hash TEXT NOT NULL, nar_size INTEGER NOT NULL, deriver TEXT,"
        " registration_time INTEGER NOT NULL, ca TEXT);"
        "INSERT INTO valid_paths VALUES (1, 'p', 'h', 1, NULL, 0, NULL);"
    )
    conn.commit()
    conn.close()
    registry = Registry(db)
    assert registry.signatures("p") == []
    registry.add_signatures("p", ["k:sig", "k:sig"])
    assert registry.signatures("p") == ["k:sig"]
    registry.close()


def test_open_cache_rejects_unknown_schemes() -> None:
    from pybuild.errors import UsageError

    with pytest.raises(UsageError, match="unknown scheme"):
        open_cache("s3://bucket")
    with pytest.raises(CacheUnavailable, match="no such folder"):
        open_cache("/nonexistent/cache").cache_info()


FIXED = """
from pybuild import derivation

def fixed(said):
    return derivation(
        name="fixed", builder="/bin/sh", args=["-c", f'echo "{said}"; printf x > "$out"'],
        output_hash="sha256-LXEWQrcmsEQBYnyp+6wy9chTD7GQPMTbAiWHF5IaSIE=", output_hash_mode="flat",
    )

a = fixed("built by a")
b = fixed("built by b")
"""


def test_log_finds_the_log_of_the_derivation_an_output_came_from(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two derivations of one fixed output (a download's names the interpreter running
    pybuild): the output came from a cache, which keeps the log of the derivation that made
    it, not of the one this evaluation made; log finds it by the output's deriver."""
    file = tmp_path / "fixed.py"
    file.write_text(FIXED)
    assert main(["build", "-f", str(file), "a", *CLI_NO_SANDBOX]) == 0
    out = capsys.readouterr().out.strip()
    cache = tmp_path / "cache"
    assert main(["copy", "--to", f"file://{cache}", out]) == 0
    monkeypatch.setenv("PYBUILD_HOME", str(tmp_path / "home-b"))
    caches = ["--option", "substituters", f"file://{cache}", "--option", "require_sigs", "false"]
    assert main(["copy", "--from", f"file://{cache}", *caches[3:], Path(out).name]) == 0
    capsys.readouterr()
    assert main(["log", "-f", str(file), "b", *caches]) == 0
    assert capsys.readouterr().out == "built by a\n"
