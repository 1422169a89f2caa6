"""Binary caches: a login in the URL over the netrc file's, signatures kept against a
concurrent writer, the deriver a substitution registers, and the words of a few refusals.

The caches are folders of the test or loopback HTTP servers it starts (test_cache's).
"""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path
from typing import ClassVar

import pytest
from test_cache import (
    NO_SANDBOX,
    Chain,
    _CacheHandler,
    _GuardedHandler,
    directory,
    make_chain,
    nar,
    planted,
    regular,
)

from pybuild.cache import (
    ArchiveError,
    CacheError,
    CacheUnavailable,
    CopyReport,
    NarInfo,
    SecretKey,
    Substituters,
    copy_from,
    copy_to,
    open_cache,
)
from pybuild.cache.archive import restore_nar
from pybuild.cache.info import narinfo_name
from pybuild.cli import main
from pybuild.realiser import BuildOptions, realise
from pybuild.store import Store
from support.serving import serve

# -- a login in the cache's URL ---------------------------------------------------------------


def test_the_login_in_the_url_is_sent_over_the_netrc_file_s_and_named_when_refused(
    tmp_path: Path, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """requests applies a netrc login over the URL's; the URL's is the one meant (the docs
    say it is sent instead), and a refusal names the login that was sent."""
    lib = make_chain(tmp_path).lib
    realise([lib], store, BuildOptions(log=io.StringIO(), **NO_SANDBOX))
    netrc = tmp_path / "netrc"
    monkeypatch.setenv("NETRC", str(netrc))
    guarded = {"root": tmp_path / "served", "anonymous": ""}
    (tmp_path / "served").mkdir()
    with serve(type("Handler", (_GuardedHandler,), guarded)) as url:
        port = url.rpartition(":")[2]
        netrc.write_text("machine 127.0.0.1 login ci password wrong\n")
        cache = open_cache(f"http://ci:secret@127.0.0.1:{port}/x")
        assert copy_to(cache, store, [lib.out]).uploaded == [lib.out]

        netrc.write_text("machine 127.0.0.1 login reader password secret\n")
        with pytest.raises(CacheUnavailable) as caught:
            copy_to(open_cache(f"http://ci:wrong@127.0.0.1:{port}/x"), store, [lib.out])
        assert caught.value.reason == (
            "GET pybuild-cache-info: HTTP 401 Unauthorized (the server refused the login"
            " 'ci' that the cache's URL gives)"
        )


# -- signatures written beside another writer's -----------------------------------------------

RIVAL = SecretKey.generate("ci-3")
KEY = SecretKey.generate("ci-2")  # the copy's, which signs what the rival writes over


class _RacedHandler(_CacheHandler):
    """A cache where another job signs each entry again at the same time: right after a PUT
    of metadata, the file is what that job writes, having read it before the PUT (the old
    file, with its own signature by ci-3 added), `races` times for each file."""

    races = 1
    raced: ClassVar[dict[str, int]]

    def do_PUT(self) -> None:
        path = self._file()
        raced = self.raced.get(path.name, 0)
        if not path.name.endswith(".narinfo") or not path.exists() or raced >= self.races:
            super().do_PUT()
            return
        self.raced[path.name] = raced + 1
        self.rfile.read(int(self.headers["Content-Length"]))  # written, then overwritten:
        path.write_text(NarInfo.parse(path.read_text()).signed(RIVAL).to_text())
        self.send_response(201)
        self.send_header("Content-Length", "0")
        self.end_headers()


def raced_cache(tmp_path: Path, races: int) -> tuple[Store, str, type[_RacedHandler]]:
    """A store with lib built, and a handler for a cache that holds lib's entry, unsigned."""
    lib = make_chain(tmp_path).lib
    built = Store(tmp_path / "home-a")
    realise([lib], built, BuildOptions(log=io.StringIO(), **NO_SANDBOX))
    root = tmp_path / "served"
    copy_to(open_cache(str(root)), built, [lib.out])
    handler = type("Handler", (_RacedHandler,), {"root": root, "races": races, "raced": {}})
    return built, lib.out, handler


def signed_against_a_rival(tmp_path: Path, races: int) -> tuple[CopyReport, str, str, list[str]]:
    """Sign the raced cache's entry with ci-2 while a rival writes its ci-3 copy over it
    `races` times: the copy's report, the path, the cache's URL, and what was said."""
    built, path, handler = raced_cache(tmp_path, races=races)
    told: list[str] = []
    with serve(handler) as url:
        report = copy_to(open_cache(url), built, [path], keys=[KEY], say=told.append)
    return report, path, url, told


def test_a_signature_another_writer_overwrote_is_merged_into_its_entry_and_put_again(
    tmp_path: Path,
) -> None:
    report, path, _, told = signed_against_a_rival(tmp_path, races=1)
    assert report.signed == [path]
    info = NarInfo.parse((tmp_path / "served" / narinfo_name(path)).read_text())
    assert info.trusted_by([KEY.public_key()]) == "ci-2"
    assert info.trusted_by([RIVAL.public_key()]) == "ci-3"
    assert not any("warning" in line for line in told), told


def test_a_signature_lost_to_other_writers_time_and_again_is_warned_of_naming_the_path(
    tmp_path: Path,
) -> None:
    _, path, url, told = signed_against_a_rival(tmp_path, races=100)
    assert any(
        line.startswith(f"warning: {url}: the entry of {path} lacks the signature by ci-2")
        for line in told
    ), told


# -- the words of a few refusals ----------------------------------------------------------------


def chain_in_a_cache(tmp_path: Path) -> tuple[Chain, Path, SecretKey]:
    """test_cache's chain (app needs lib), built in a home of its own and copied, signed, to
    a cache folder: the chain, the folder and the key."""
    chain = make_chain(tmp_path)
    built = Store(tmp_path / "home-a")
    realise([chain.app], built, BuildOptions(log=io.StringIO(), **NO_SANDBOX))
    key = SecretKey.generate("test-1")
    root = tmp_path / "cache"
    copy_to(open_cache(str(root)), built, [chain.app.out], keys=[key])
    return chain, root, key


def test_an_entry_whose_url_names_another_path_s_archive_is_refused_naming_nar_size_and_hash(
    tmp_path: Path,
) -> None:
    """The URL, FileHash and FileSize of an entry are not signed: one pointed at another
    path's archive fails on its NarSize, which the refusal names, with NarHash."""
    chain, root, key = chain_in_a_cache(tmp_path)
    for victim, donor in ((chain.lib, chain.app), (chain.app, chain.lib)):
        meta = root / narinfo_name(victim.out)
        kept = meta.read_text()
        other = NarInfo.parse((root / narinfo_name(donor.out)).read_text())
        moved = replace(
            NarInfo.parse(kept), url=other.url, file_hash=other.file_hash, file_size=other.file_size
        )
        meta.write_text(moved.to_text())
        subs = Substituters([str(root)], [str(key.public_key())], say=lambda _: None)
        with pytest.raises(CacheError) as caught:
            copy_from(subs, Store(tmp_path / f"home-{victim.name}"), [victim.out])
        assert (
            f"{victim.out} from {root}: archive {other.url} does not match the narinfo's NarSize"
            " and NarHash: the NAR is"
        ) in str(caught.value)
        assert "the narinfo's URL names another path's archive" in str(caught.value)
        meta.write_text(kept)


def test_an_entry_whose_url_names_another_archive_and_file_size_is_wrong_names_file_size(
    tmp_path: Path,
) -> None:
    """An entry pointed at another path's archive with a FileSize shorter than it: the
    refusal names the field and the likely cause, as for NarSize."""
    chain, root, key = chain_in_a_cache(tmp_path)
    meta = root / narinfo_name(chain.lib.out)
    other = NarInfo.parse((root / narinfo_name(chain.app.out)).read_text())
    meta.write_text(replace(NarInfo.parse(meta.read_text()), url=other.url, file_size=50).to_text())
    subs = Substituters([str(root)], [str(key.public_key())], say=lambda _: None)
    with pytest.raises(CacheError) as caught:
        copy_from(subs, Store(tmp_path / "home"), [chain.lib.out])
    assert (
        f"{chain.lib.out} from {root}: archive {other.url} does not match the narinfo's FileSize:"
        " the archive file is longer than its metadata's 50 bytes (the narinfo's URL names"
        " another path's archive, or the archive or its FileSize was changed)"
    ) in str(caught.value)


@pytest.mark.parametrize("compression", ["zstd", "xz", "none"])
def test_an_archive_cut_short_is_refused_for_its_size_not_as_a_nar_that_ends_early(
    tmp_path: Path, compression: str
) -> None:
    """An upload cut short left an archive shorter than its entry's FileSize. The refusal
    said "the NAR ends early: truncated" (or that the compression was broken), naming neither
    the file's size nor the likely cause; it now says both."""
    chain = make_chain(tmp_path)
    built = Store(tmp_path / "home-a")
    realise([chain.lib], built, BuildOptions(log=io.StringIO(), **NO_SANDBOX))
    key = SecretKey.generate("test-1")
    root = tmp_path / "cache"
    copy_to(open_cache(str(root)), built, [chain.lib.out], keys=[key], compression=compression)
    info = NarInfo.parse((root / narinfo_name(chain.lib.out)).read_text())
    archive = root / info.url
    archive.write_bytes(archive.read_bytes()[: info.file_size // 2])
    subs = Substituters([str(root)], [str(key.public_key())], say=lambda _: None)
    with pytest.raises(CacheError) as caught:
        copy_from(subs, Store(tmp_path / "home-b"), [chain.lib.out])
    assert (
        f"archive {info.url} does not match the narinfo's FileSize: the archive file is"
        f" {info.file_size // 2:,} bytes, not the {info.file_size:,} declared (the archive was"
        " cut short, as by an interrupted upload or copy, or the narinfo's FileSize was changed)"
    ) in str(caught.value)


def test_a_file_larger_than_the_declared_nar_says_so(tmp_path: Path) -> None:
    data = nar(directory([(b"a", regular(b"0123456789" * 100))]))
    with pytest.raises(ArchiveError) as caught:
        restore_nar(io.BytesIO(data), tmp_path / "out", 300)
    assert str(caught.value) == "a file of 1,000 bytes in a NAR declared 300 bytes long"


def test_an_entry_replaced_names_the_fields_that_differ_in_words_that_agree(
    tmp_path: Path,
) -> None:
    chain, built, meta = planted(tmp_path)
    told: list[str] = []
    cache = open_cache(str(meta.parent))
    copy_to(cache, built, [chain.app.out], say=told.append)
    assert f"of {chain.app.out} whose References and Deriver fields differ from this store's" in (
        "\n".join(told)
    )
    info = NarInfo.parse(meta.read_text())
    meta.write_text(replace(info, deriver=f"{'0' * 32}-x.drv").to_text())
    told.clear()
    copy_to(cache, built, [chain.app.out], say=told.append)
    assert f"of {chain.app.out} whose Deriver field differs from this store's" in "\n".join(told)


def test_copy_from_a_hash_alone_suggests_the_store_path_it_takes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    digest = "0" * 32
    assert main(["copy", "--from", str(tmp_path / "cache"), digest]) != 0
    err = capsys.readouterr().err
    assert "path-info" not in err
    assert f"{digest}: a hash alone names no store path" in err
    assert (
        f"give {digest}-NAME (the StorePath line of the cache's {digest}.narinfo names it)" in err
    )


# -- the deriver a substitution registers -------------------------------------------------------


def test_a_path_substituted_for_a_derivation_is_registered_as_made_by_it_not_the_entry_s(
    tmp_path: Path, store: Store
) -> None:
    """The Deriver line is signed by nothing: one changed by hand would make `pybuild log
    PATH` print another package's log. A copy from the cache, with no derivation, keeps it."""
    chain, root, key = chain_in_a_cache(tmp_path)
    meta = root / narinfo_name(chain.lib.out)
    forged = f"{'0' * 32}-other.drv"
    meta.write_text(replace(NarInfo.parse(meta.read_text()), deriver=forged).to_text())

    from_cache = BuildOptions(
        log=io.StringIO(),
        substituters=(str(root),),
        trusted_public_keys=(str(key.public_key()),),
        **NO_SANDBOX,
    )
    realise([chain.lib], store, from_cache)  # a build that substitutes, as `pybuild build`
    assert store.info(chain.lib.out).deriver == chain.lib.drv_name

    elsewhere = Store(tmp_path / "home-c")
    copy_from(Substituters([str(root)], [str(key.public_key())]), elsewhere, [chain.lib.out])
    assert elsewhere.info(chain.lib.out).deriver == forged
