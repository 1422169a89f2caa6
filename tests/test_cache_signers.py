"""Binary caches written by several signers: two jobs that push the same closure at once,
keys that alternate, and a signature another signer wrote that cannot be read.

The caches are folders of the test (test_cache's chain: app needs lib).
"""

from __future__ import annotations

import io
import threading
from pathlib import Path
from typing import Any

import pytest
from test_cache import NO_SANDBOX, Chain, make_chain

from pybuild.cache import NarInfo, SecretKey, Substituters, copy_from, copy_to, open_cache
from pybuild.cache.binary_cache import FileCache
from pybuild.cache.info import narinfo_name
from pybuild.realiser import BuildOptions, realise
from pybuild.store import Store

CI_2 = SecretKey.generate("ci-2")
CI_3 = SecretKey.generate("ci-3")


def two_homes(tmp_path: Path) -> tuple[Chain, Store, Store]:
    """The chain's lib built in two homes, as by two CI jobs (app's contents name the
    store's folder, so the two homes' would differ)."""
    chain = make_chain(tmp_path)
    homes = []
    for name in ("home-a", "home-b"):
        home = Store(tmp_path / name)
        realise([chain.lib], home, BuildOptions(log=io.StringIO(), **NO_SANDBOX))
        homes.append(home)
    return chain, homes[0], homes[1]


def signers(root: Path, path: str) -> set[str]:
    info = NarInfo.parse((root / narinfo_name(path)).read_text())
    return {s.partition(":")[0] for s in info.sigs}


# -- two jobs pushing the same closure to a fresh cache -----------------------------------------


class _RivalFirst(FileCache):
    """A folder where, while this job uploads an archive (after it found no entry, before
    it writes one), another job copies the same path, signed by ci-3, and reads it back."""

    rival: Any = None

    def _put(self, rel: str, data: bytes | Path) -> None:
        rival, type(self).rival = type(self).rival, None
        if rival is not None and rel.startswith("nar/"):
            rival()
        super()._put(rel, data)


def test_a_job_writing_a_new_entry_keeps_the_signature_another_job_wrote_meanwhile(
    tmp_path: Path,
) -> None:
    """Both found no entry; the other job wrote its own and read it back first. Writing this
    job's entry over it lost the other's signature, silently: it is merged now."""
    chain, home_a, home_b = two_homes(tmp_path)
    root = tmp_path / "cache"
    copy_to(open_cache(str(root)), home_a, [])  # the cache-info alone

    def rival() -> None:
        copy_to(open_cache(str(root)), home_b, [chain.lib.out], keys=[CI_3])

    _RivalFirst.rival = rival
    told: list[str] = []
    copy_to(_RivalFirst(str(root), root), home_a, [chain.lib.out], keys=[CI_2], say=told.append)
    assert signers(root, chain.lib.out) == {"ci-2", "ci-3"}
    assert not any("warning" in line for line in told), told


def test_two_threads_pushing_one_path_to_fresh_folders_keep_both_signatures(
    tmp_path: Path,
) -> None:
    """The race itself, as two jobs started together run it: every entry ends with both."""
    chain, home_a, home_b = two_homes(tmp_path)
    roots = [tmp_path / f"cache-{n}" for n in range(8)]
    for root in roots:
        copy_to(open_cache(str(root)), home_a, [])
    start = threading.Barrier(2)

    def push(home: Store, key: SecretKey) -> None:
        for root in roots:
            start.wait()
            copy_to(open_cache(str(root)), home, [chain.lib.out], keys=[key])

    jobs = [threading.Thread(target=push, args=job) for job in ((home_a, CI_2), (home_b, CI_3))]
    for job in jobs:
        job.start()
    for job in jobs:
        job.join()
    assert [signers(root, chain.lib.out) for root in roots] == [{"ci-2", "ci-3"}] * len(roots)


# -- keys that alternate -------------------------------------------------------------------------


def test_copies_with_alternating_keys_sign_again_only_the_first_time_and_keep_the_order(
    tmp_path: Path,
) -> None:
    """The key's signature was moved to the end and the lists compared in order, so each
    copy with the other key rewrote every entry, 'signed again', the Sig lines swapped."""
    chain, home, _ = two_homes(tmp_path)
    root = tmp_path / "cache"
    meta = root / narinfo_name(chain.lib.out)
    cache = open_cache(str(root))
    copy_to(cache, home, [chain.lib.out], keys=[CI_2])
    assert copy_to(cache, home, [chain.lib.out], keys=[CI_3]).signed == [chain.lib.out]
    text = meta.read_text()
    for key in (CI_2, CI_3, CI_2):
        assert copy_to(cache, home, [chain.lib.out], keys=[key]).signed == []
        assert meta.read_text() == text
    assert [s.partition(":")[0] for s in NarInfo.parse(text).sigs] == ["ci-2", "ci-3"]


# -- a signature that cannot be read -------------------------------------------------------------


def test_a_sig_line_that_cannot_be_read_is_skipped_and_a_trusted_signature_still_used(
    tmp_path: Path,
) -> None:
    """Another signer's malformed Sig line made the whole entry 'bad metadata', built from
    source; as Nix does, it is passed over, and the entry is used if a trusted one verifies."""
    chain, home, _ = two_homes(tmp_path)
    root = tmp_path / "cache"
    copy_to(open_cache(str(root)), home, [chain.lib.out], keys=[CI_2])
    meta = root / narinfo_name(chain.lib.out)
    with meta.open("a") as f:
        f.write("Sig: other-key:notvalidbase64\nSig: nokey\n")
    assert len(NarInfo.parse(meta.read_text()).sigs) == 1
    subs = Substituters([str(root)], [str(CI_2.public_key())], say=lambda _: None)
    fresh = Store(tmp_path / "home-c")
    copy_from(subs, fresh, [chain.lib.out])
    assert tuple(fresh.registry.signatures(chain.lib.out)) == NarInfo.parse(meta.read_text()).sigs


def test_an_entry_that_cannot_be_read_is_replaced_with_a_warning(tmp_path: Path) -> None:
    """Replaced silently before, where an entry that differs from the store is warned of."""
    chain, home, _ = two_homes(tmp_path)
    root = tmp_path / "cache"
    cache = open_cache(str(root))
    copy_to(cache, home, [chain.lib.out], keys=[CI_2])
    meta = root / narinfo_name(chain.lib.out)
    meta.write_text(meta.read_text().replace("FileSize: ", "FileSize: -"))
    told: list[str] = []
    assert copy_to(cache, home, [chain.lib.out], keys=[CI_2], say=told.append).uploaded
    assert told[0] == (
        f"warning: {root} had an entry of {chain.lib.out} that cannot be read (bad metadata:"
        f" FileSize '-{NarInfo.parse(meta.read_text()).file_size}' is not a size in bytes);"
        " it is replaced from this store"
    )


def damaged_entry(tmp_path: Path, sig: str) -> tuple[Path, str, Store]:
    """A folder whose entry of lib has `sig` as its only Sig line, and the store it is of."""
    chain, home, _ = two_homes(tmp_path)
    root = tmp_path / "cache"
    copy_to(open_cache(str(root)), home, [chain.lib.out], keys=[CI_2])
    meta = root / narinfo_name(chain.lib.out)
    lines = [line for line in meta.read_text().splitlines() if not line.startswith("Sig: ")]
    meta.write_text("\n".join([*lines, f"Sig: {sig}"]) + "\n")
    return root, chain.lib.out, home


@pytest.mark.parametrize("damage", ["notbase64", "cut"])
def test_a_damaged_sig_line_by_a_trusted_name_says_it_does_not_verify_not_unsigned(
    tmp_path: Path, damage: str
) -> None:
    """The malformed line was passed over, so the entry read as unsigned, where caches.md
    says a damaged Sig line by a trusted key's name does not verify with that key."""
    whole = CI_2.sign(b"anything").partition(":")[2]
    sig = "ci-2:" + ("notbase64" if damage == "notbase64" else whole[:40])
    root, path, home = damaged_entry(tmp_path, sig)
    told: list[str] = []
    subs = Substituters([str(root)], [str(CI_2.public_key())], say=told.append)
    assert subs.query(path) is None
    subs.tell_refusals()
    text = "\n".join(told)
    assert "unsigned" not in text
    assert "the signature by ci-2 does not verify with the trusted key ci-2" in text
    assert "Sig line is damaged" in text
    copy_to(open_cache(str(root)), home, [path], keys=[CI_2])  # what the refusal says to do
    assert Substituters([str(root)], [str(CI_2.public_key())]).query(path) is not None


def test_a_damaged_sig_line_by_another_name_is_not_called_unsigned(tmp_path: Path) -> None:
    root, path, _ = damaged_entry(tmp_path, "other-key:notbase64")
    told: list[str] = []
    subs = Substituters([str(root)], [str(CI_2.public_key())], say=told.append)
    assert subs.query(path) is None
    subs.tell_refusals()
    assert "not signed by a trusted key (signed by other-key; trusted: ci-2)" in told[0]
