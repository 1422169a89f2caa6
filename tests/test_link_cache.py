"""The link cache: what a binary cache gave one store is hard-linked into the next one.

The chain of tiny shell builds and the signed ``file://`` cache are test_cache.py's. A test
proves that a path came from the link cache, not from an archive, by deleting the archives
first: the second store is filled all the same, its files the first store's inodes.
"""

# ruff: noqa: F811 - `filled`, test_cache.py's fixture, is imported to be a parameter here

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from test_cache import Filled, filled, options, said  # noqa: F401 - filled: a fixture

from pybuild.cache.links import LinkCache
from pybuild.hashing import hash_path
from pybuild.realiser import realise
from pybuild.results import statuses
from pybuild.store import Store


def fill(filled: Filled, home: Path, links: Path, **changes: object) -> tuple[Store, str]:
    """Realise the chain's app into the store of `home` from the cache and `links`: the store,
    and what the substitution said."""
    store = Store(home)
    opts = options(filled.url, keys=(filled.public,), link_cache=str(links), **changes)
    realise([filled.chain.app], store, opts)
    return store, said(opts)


def entries(links: Path) -> list[str]:
    return sorted(os.listdir(links)) if links.exists() else []


def without_archives(filled: Filled) -> None:
    """Every archive of the cache deleted: a path can now come only from the link cache."""
    for drv in (filled.chain.app, filled.chain.lib):
        filled.archive(drv).unlink()


def test_a_second_store_links_what_the_first_one_downloaded(filled: Filled, tmp_path: Path) -> None:
    chain, links = filled.chain, tmp_path / "links"
    first, told = fill(filled, tmp_path / "home-1", links)
    assert "hard-linked" not in told and "from file://" in told
    hashes = {filled.info(d).nar_hash.base32 for d in (chain.app, chain.lib)}
    assert entries(links) == sorted(hashes)  # each path under its NAR hash, nothing else

    without_archives(filled)
    second, told = fill(filled, tmp_path / "home-2", links)
    assert f"copied from a cache app (2 path(s), 2 hard-linked from {links}) in " in told
    assert chain.runs() == []  # no builder ran, in either store
    lib_1, lib_2 = first.path(chain.lib.out), second.path(chain.lib.out)
    assert (lib_2 / "run").stat().st_ino == (lib_1 / "run").stat().st_ino
    assert (lib_2 / "run").stat().st_mode & 0o777 == 0o555
    assert os.readlink(lib_2 / "share" / "link") == "doc/a.txt"
    assert (lib_2 / "empty").is_dir() and os.listdir(lib_2 / "empty") == []
    share = os.lstat(lib_2 / "share")
    assert share.st_mtime == 1 and share.st_mode & 0o777 == 0o555
    assert list(second.verify(check_contents=True)) == []
    for drv in (chain.app, chain.lib):
        assert hash_path(second.path(drv.out))[0].sri == second.info(drv.out).nar_hash
        assert second.registry.signatures(drv.out) == first.registry.signatures(drv.out)


def test_the_signature_check_still_decides(filled: Filled, tmp_path: Path) -> None:
    """An entry is used only for metadata that a trusted key signed: with no key trusted,
    the path is built, though the link cache has it."""
    links = tmp_path / "links"
    fill(filled, tmp_path / "home-1", links)
    store = Store(tmp_path / "home-2")
    opts = options(filled.url, link_cache=str(links))
    assert statuses(realise([filled.chain.app], store, opts))[filled.chain.app] == "built"
    assert "hard-linked" not in said(opts) and "no trusted_public_keys" in said(opts)
    assert sorted(filled.chain.runs()) == ["app", "lib", "tool"]


def test_a_folder_other_users_may_write_is_not_used(filled: Filled, tmp_path: Path) -> None:
    links = tmp_path / "links"
    links.mkdir()
    links.chmod(0o777)
    store, told = fill(filled, tmp_path / "home-1", links)
    assert f"warning: link_cache {links} may be written by other users" in told
    assert entries(links) == []  # nothing kept there; the paths were downloaded
    assert store.is_valid(filled.chain.app.out) and filled.chain.runs() == []


def test_a_folder_another_user_owns_is_not_used(filled: Filled, tmp_path: Path) -> None:
    """Its owner could change an entry, and so what this user's store holds."""
    links = tmp_path / "links"
    links.mkdir(0o755)
    try:
        os.chown(links, 65534, 65534)
    except PermissionError:
        pytest.skip("only root can give a folder away")
    store, told = fill(filled, tmp_path / "home-1", links)
    assert f"warning: link_cache {links} belongs to another user" in told
    assert entries(links) == [] and store.is_valid(filled.chain.app.out)


def test_a_folder_on_another_file_system_is_not_used(filled: Filled, tmp_path: Path) -> None:
    elsewhere = Path("/dev/shm")
    if not elsewhere.is_dir() or elsewhere.stat().st_dev == tmp_path.stat().st_dev:
        pytest.skip("no second file system to put the link cache on")
    made = elsewhere / f"pybuild-test-links-{os.getpid()}-{tmp_path.name}"
    links = made / "pybuild" / "links"
    try:
        store, told = fill(filled, tmp_path / "home-1", links)
        assert f"warning: link_cache {links} cannot be hard-linked from" in told
        assert store.is_valid(filled.chain.app.out)
        assert not made.exists()  # nothing made there is left behind, unused
        links.mkdir(parents=True)
        store, told = fill(filled, tmp_path / "home-2", links)
        assert f"warning: link_cache {links} cannot be hard-linked from" in told
        assert links.is_dir() and entries(links) == []  # the user's own folder is kept
    finally:
        subprocess.run(["rm", "-rf", str(made)], check=True)


def test_prune_skips_what_another_homes_collection_removes_meanwhile(
    filled: Filled, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The link cache is one folder for every home of the user, pruned by each home's gc
    with no lock between them: an entry the other removes while this one does (or reads
    its files) is skipped, not a FileNotFoundError that loses the collection's summary."""
    import shutil

    from pybuild.cache import links as module

    links = tmp_path / "links"
    store, _ = fill(filled, tmp_path / "home-1", links)
    subprocess.run(["chmod", "-R", "u+w", str(store.dir)], check=True)
    shutil.rmtree(store.dir)  # every entry is unlinked now
    real = module.remove_tree

    def raced(path: str) -> None:  # the other collection removes part of it first
        real(path)
        raise FileNotFoundError(2, "No such file or directory", "_io")

    monkeypatch.setattr(module, "remove_tree", raced)
    assert LinkCache(links, print).prune() == (0, 0)
    assert entries(links) == []


def test_a_half_made_entry_is_never_used(
    filled: Filled, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An entry is renamed into place complete: a left-over of a crash, under its temporary
    name, is not an entry (and a collection removes it once it is an hour old)."""
    links = tmp_path / "links"
    lib = filled.info(filled.chain.lib).nar_hash.base32
    (links / f".new-{lib}-1-0").mkdir(parents=True)
    _, told = fill(filled, tmp_path / "home-1", links)
    assert "hard-linked" not in told and lib in entries(links)
    assert LinkCache(links, print).prune() == (0, 0)  # too young; the rest still linked
    monkeypatch.setattr("pybuild.cache.links._ABANDONED", -1)
    assert LinkCache(links, print).prune() == (1, 0)
    assert f".new-{lib}-1-0" not in entries(links) and lib in entries(links)


def cli(filled: Filled, home: Path, links: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """pybuild run with the home, link cache and trusted key of a test, as a user runs it (a
    process of its own: the test's process holds temporary roots on what it realised)."""
    env = {
        **os.environ,
        "PYBUILD_HOME": str(home),
        "PYBUILD_LINK_CACHE": str(links),
        "PYBUILD_TRUSTED_PUBLIC_KEYS": filled.public,
    }
    done = subprocess.run(
        [sys.executable, "-m", "pybuild", *args], capture_output=True, text=True, env=env
    )
    assert done.returncode == 0 and "Traceback" not in done.stderr, done.stderr
    return done


def test_gc_removes_the_entries_no_store_links(filled: Filled, tmp_path: Path) -> None:
    links, app = tmp_path / "links", filled.chain.app.out
    home_1, home_2 = tmp_path / "home-1", tmp_path / "home-2"
    cli(filled, home_1, links, "copy", "--from", filled.url, app)
    without_archives(filled)
    linked = cli(filled, home_2, links, "copy", "--from", filled.url, app)
    assert "2 hard-linked from" in linked.stderr
    kept = entries(links)
    assert len(kept) == 2

    cli(filled, home_1, links, "gc")  # the second store still links every entry
    assert entries(links) == kept and not (home_1 / "store" / app).exists()

    dry = json.loads(cli(filled, home_2, links, "gc", "--dry-run", "--json").stdout)
    assert dry["linkCacheEntriesRemoved"] == 0 and entries(links) == kept  # still linked
    done = cli(filled, home_2, links, "gc")
    assert "; 2 link cache entries that no store links removed" in done.stderr
    assert entries(links) == [] and not (home_2 / "store" / app).exists()


def test_gc_frees_an_optimised_store_s_files_the_link_cache_shares(
    filled: Filled, tmp_path: Path
) -> None:
    """optimise leaves the files the link cache shares alone: a name for them in
    ``store/.links`` would keep them at two links after the store lets them go, so that
    neither the store's collection nor the link cache's prune would ever free them."""
    links, home = tmp_path / "links", tmp_path / "home"
    cli(filled, home, links, "copy", "--from", filled.url, filled.chain.app.out)
    cli(filled, home, links, "optimise")
    store = home / "store"
    for drv in (filled.chain.app, filled.chain.lib):
        cli(filled, home, links, "delete", str(store / drv.out))
    cli(filled, home, links, "gc")
    assert entries(links) == []
    assert not (store / ".links").exists() or os.listdir(store / ".links") == []


def test_the_folder_it_makes_is_used_under_any_umask(filled: Filled, tmp_path: Path) -> None:
    """Made 0755: a umask of 002 (a shared group's) would leave it writable by the group,
    which would then be refused."""
    links = tmp_path / "links"
    old = os.umask(0o002)
    try:
        _, told = fill(filled, tmp_path / "home-1", links)
    finally:
        os.umask(old)
    assert "warning" not in told and len(entries(links)) == 2
    assert links.stat().st_mode & 0o777 == 0o755


def damage(tree: Path) -> Path:
    """One file of `tree` changed in place (its inode, and so every store linking it): the
    file."""
    victim = next(p for p in sorted(tree.rglob("*")) if p.is_file() and not p.is_symlink())
    victim.chmod(0o644)
    victim.write_text("changed behind the store's back\n")
    victim.chmod(0o444)
    return victim


def test_verify_hashes_the_entries_and_removes_a_damaged_one(
    filled: Filled, tmp_path: Path
) -> None:
    links = tmp_path / "links"
    fill(filled, tmp_path / "home-1", links)
    cache = LinkCache(links, print)
    assert list(cache.verify()) == []
    lib = filled.info(filled.chain.lib).nar_hash.base32
    damage(links / lib)
    [(entry, detail)] = cache.verify()
    assert entry == links / lib and detail.startswith(f"named by NAR hash {lib}, found ")
    assert lib in entries(links)  # only reported
    assert [e for e, _ in cache.verify(remove=True)] == [links / lib]
    assert lib not in entries(links) and list(cache.verify()) == []


def test_verify_reports_and_removes_an_entry_others_may_write(
    filled: Filled, tmp_path: Path
) -> None:
    """An entry whose contents still have their hash but that others may write (its files are
    those of every store that links them) is reported, and removed with `remove`."""
    links = tmp_path / "links"
    fill(filled, tmp_path / "home-1", links)
    cache = LinkCache(links, print)
    lib = filled.info(filled.chain.lib).nar_hash.base32
    victim = next(p for p in sorted((links / lib).rglob("*")) if p.is_file())
    mode = victim.stat().st_mode & 0o777 | 0o222  # its executable bit, in the hash, kept
    victim.chmod(mode)
    [(entry, detail)] = cache.verify()
    assert entry == links / lib and f"mode {mode:04o}" in detail and "canonical modes" in detail
    assert [e for e, _ in cache.verify(remove=True)] == [links / lib]
    assert lib not in entries(links) and list(cache.verify()) == []


def test_store_verify_repair_takes_a_damaged_entry_out_before_it_fills_a_store(
    filled: Filled, tmp_path: Path
) -> None:
    """The CLI: ``verify --check-contents`` reports the entry (exit 1); ``--repair`` removes
    it first, so the store's damaged path is fetched again from the archive, not linked back
    from the damaged entry, and a new entry is kept from that download."""
    links, app = tmp_path / "links", filled.chain.app.out
    home = tmp_path / "home-1"
    cli(filled, home, links, "copy", "--from", filled.url, app)
    lib = filled.info(filled.chain.lib).nar_hash.base32
    damage(links / lib)

    env = {**os.environ, "PYBUILD_HOME": str(home), "PYBUILD_LINK_CACHE": str(links)}
    argv = [sys.executable, "-m", "pybuild", "verify", "--check-contents"]
    found = subprocess.run(argv, capture_output=True, text=True, env=env)
    assert found.returncode == 1, found.stderr
    assert f"link-cache: {links / lib}: named by NAR hash {lib}, found " in found.stdout
    assert f"modified: {home / 'store' / filled.chain.lib.out}" in found.stdout
    assert "1 damaged path(s), 1 damaged link cache entry (left" in found.stderr
    assert lib in entries(links)

    repair = ("verify", "--repair", "--option", "substituters", filled.url)
    repaired = cli(filled, home, links, *repair)
    assert "1 damaged link cache entry (removed)" in repaired.stderr
    assert "hard-linked" not in repaired.stderr
    assert cli(filled, home, links, "verify", "--check-contents").stdout == ""
    assert lib in entries(links) and list(LinkCache(links, print).verify()) == []
    stored = home / "store" / filled.chain.lib.out / "run"
    assert stored.stat().st_ino == (links / lib / "run").stat().st_ino  # the new entry's own


def test_store_verify_repair_links_an_intact_entry_back_offline(
    filled: Filled, tmp_path: Path
) -> None:
    """A store path damaged without touching the entry (a file replaced, not changed in
    place) is put back from the entry, verified just before, by hard links: no archive is
    left to download and no substituter is set, and the repair still succeeds."""
    links, lib = tmp_path / "links", filled.chain.lib
    home = tmp_path / "home-1"
    cli(filled, home, links, "copy", "--from", filled.url, filled.chain.app.out)
    path = home / "store" / lib.out
    entry = links / filled.info(lib).nar_hash.base32
    os.chmod(path, 0o755)
    (path / "run").unlink()  # a new file in its place: the entry keeps the old one
    (path / "run").write_text("replaced behind the store's back\n")
    os.chmod(path, 0o555)
    without_archives(filled)

    repaired = cli(filled, home, links, "verify", "--repair")
    assert f"hard-linked {path} from the link cache {links}" in repaired.stderr
    assert f"repaired: {path}" in repaired.stdout
    assert cli(filled, home, links, "verify", "--check-contents").stdout == ""
    assert (path / "run").stat().st_ino == (entry / "run").stat().st_ino


def test_by_default_the_users_cache_folder_links_a_second_store(
    filled: Filled, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``auto``, the default, as uv's cache is on: ``$XDG_CACHE_HOME/pybuild/links``."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    links = tmp_path / "xdg" / "pybuild" / "links"
    store = Store(tmp_path / "home-1")
    realise([filled.chain.app], store, options(filled.url, keys=(filled.public,)))
    assert len(entries(links)) == 2
    without_archives(filled)
    _, told = fill(filled, tmp_path / "home-2", Path("auto"))
    assert f"2 hard-linked from {links})" in told


def test_the_default_folder_is_left_alone_silently_where_it_cannot_be_used(
    filled: Filled, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A store on another disk than the user's cache folder is common: no warning, and the
    paths are downloaded as without a link cache. (A folder the user named is warned about.)"""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    links = tmp_path / "xdg" / "pybuild" / "links"
    links.mkdir(parents=True, mode=0o777)
    links.chmod(0o777)  # refused, as any folder others may write
    store, told = fill(filled, tmp_path / "home-1", Path("auto"))
    assert "warning" not in told and "from file://" in told
    assert entries(links) == [] and store.is_valid(filled.chain.app.out)
