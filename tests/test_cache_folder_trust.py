"""Cache folders another user could change are not trusted (pybuild run as root, say).

A file:// cache root writes in must be root's all the way, and no cache's lock file, nar/
or log/ is followed where it is a link another user made: nothing is written outside it.

The link cache's entries are hard-linked into this user's store, so a folder on the way to it
that another user may change (and so swap its entries for their own) is not used, and each
file or folder linked from an entry must be the store owner's and writable by no one else,
checked as it is linked: a check of the folder once per process would not see a swap after it.
"""

# ruff: noqa: F811 - `filled`, test_cache.py's fixture, is imported to be a parameter here

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest
from test_cache import Filled, filled  # noqa: F401 - filled: a fixture
from test_link_cache import entries, fill

from pybuild.cache.binary_cache import open_cache
from pybuild.cache.copy import copy_to
from pybuild.cache.errors import CacheUnavailable
from pybuild.cache.links import LinkCache, Unsafe, unsafe_step
from pybuild.hashing import Hash

OTHER = 65534  # nobody


def give_away(path: Path) -> None:
    try:
        os.chown(path, OTHER, OTHER, follow_symlinks=False)
    except PermissionError:
        pytest.skip("only root can give a file away")


def test_a_link_cache_in_a_folder_another_user_owns_is_not_used(
    filled: Filled, tmp_path: Path
) -> None:
    """That user could rename `links` and put a folder of their own in its place."""
    shared = tmp_path / "shared"
    shared.mkdir()
    give_away(shared)
    links = shared / "links"
    store, told = fill(filled, tmp_path / "home-1", links)
    assert f"warning: link_cache {links} is in {shared}, which belongs to another user" in told
    assert entries(links) == [] and store.is_valid(filled.chain.app.out)


def test_a_link_cache_under_a_folder_others_may_write_is_not_used(
    filled: Filled, tmp_path: Path
) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o777)  # not sticky: anyone may rename what is in it
    links = shared / "links"
    _, told = fill(filled, tmp_path / "home-1", links)
    assert f"warning: link_cache {links} is in {shared}, which other users may write" in told
    assert entries(links) == []


def test_a_link_cache_under_a_sticky_folder_is_used(filled: Filled, tmp_path: Path) -> None:
    """As in /tmp: others may add their own entries there, but not rename this user's."""
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o1777)
    _, told = fill(filled, tmp_path / "home-1", shared / "links")
    assert "warning" not in told and len(entries(shared / "links")) == 2


def test_a_link_to_the_link_cache_that_another_user_owns_is_not_used(
    filled: Filled, tmp_path: Path
) -> None:
    """Its owner could point it at another folder (in a sticky folder, they may replace it)."""
    real = tmp_path / "real-links"
    real.mkdir(0o755)
    links = tmp_path / "links"
    links.symlink_to(real)
    give_away(links)
    _, told = fill(filled, tmp_path / "home-1", links)
    assert f"warning: link_cache {links} belongs to another user" in told
    assert entries(real) == []


def test_a_link_of_another_user_reached_through_a_link_of_ones_own_is_not_used(
    filled: Filled, tmp_path: Path
) -> None:
    """Neither the path as written nor the folder it ends in names that user's link, which
    they could point at a folder of their own meanwhile."""
    real = tmp_path / "real"
    real.mkdir()
    theirs = tmp_path / "theirs"
    theirs.symlink_to(real)
    give_away(theirs)
    cache = tmp_path / "config" / "cache"
    cache.parent.mkdir()
    cache.symlink_to(theirs)  # the user's own link, to theirs
    _, told = fill(filled, tmp_path / "home-1", cache / "links")
    assert f"is in {theirs}, which belongs to another user" in told
    assert entries(real / "links") == []


def test_a_link_of_another_user_on_the_way_to_a_link_is_its_own_fault(tmp_path: Path) -> None:
    """The folder named is a link of this user's to theirs, which leads to a folder of this
    user's: theirs is a link to the folder itself."""
    real = tmp_path / "real"
    real.mkdir()
    theirs = tmp_path / "theirs"
    theirs.symlink_to(real)
    give_away(theirs)
    links = tmp_path / "links"
    links.symlink_to("theirs")  # relative: from the link's folder
    assert unsafe_step(links, links) == Unsafe(theirs, itself=True, owned=True)


def test_a_parent_of_another_users_link_is_reached_through_that_link(tmp_path: Path) -> None:
    """`theirs/..` is the folder theirs leads to's parent, as the kernel resolves it, not the
    folder theirs is in: theirs decides where the path goes, so it is checked."""
    inner = tmp_path / "far" / "inner"
    inner.mkdir(parents=True)
    (tmp_path / "far" / "links").mkdir()
    (tmp_path / "links").mkdir()  # where a lexical `..` would go instead
    theirs = tmp_path / "theirs"
    theirs.symlink_to(inner)
    give_away(theirs)
    links = theirs / ".." / "links"
    assert unsafe_step(links, links) == Unsafe(theirs, itself=False, owned=True)


def test_the_parent_of_a_link_is_that_of_the_folder_it_leads_to(tmp_path: Path) -> None:
    """`mine/..` is `open`, which others may write (sticky: fine on the way to `inner`, not
    as the folder itself), not `safe`, the folder the lexical path is in."""
    shared = tmp_path / "open"
    (shared / "inner").mkdir(parents=True)
    shared.chmod(0o1777)
    mine = tmp_path / "safe" / "mine"
    mine.parent.mkdir()
    mine.symlink_to(shared / "inner")
    links = mine / ".."
    assert unsafe_step(links, links) == Unsafe(shared, itself=True, owned=False)


def test_links_that_never_end_are_refused(tmp_path: Path) -> None:
    loop = tmp_path / "loop"
    loop.symlink_to("loop")
    with pytest.raises(OSError) as caught:
        unsafe_step(loop, loop)
    assert caught.value.errno == errno.ELOOP


def test_a_chain_of_links_of_ones_own_is_followed_to_its_folder(tmp_path: Path) -> None:
    """Relative targets from the link's folder, absolute ones from /: the folder they end in
    is checked as the folder itself (others may not write it, sticky or not)."""
    real = tmp_path / "a" / "real"
    real.mkdir(parents=True)
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "second").symlink_to("../a/real")
    first = tmp_path / "first"
    first.symlink_to(tmp_path / "b" / "second")
    assert unsafe_step(first, first) is None
    real.chmod(0o1777)
    assert unsafe_step(first, first) == Unsafe(real, itself=True, owned=False)


def swapped(links: Path, nar_hash: Hash, owner: int, mode: int) -> Path:
    """`links` swapped for a folder whose entry of `nar_hash` holds one file of `owner` and
    `mode`, as another user who may rename it would do: the file."""
    links.rename(links.with_name("links.before"))
    entry = links / nar_hash.base32
    entry.mkdir(parents=True)
    planted = entry / "f"
    planted.write_text("OWNED\n")
    planted.chmod(mode)
    os.chown(planted, owner, owner)
    return planted


@pytest.mark.parametrize(
    ("owner", "mode", "folder_owner"),
    [(OTHER, 0o444, None), (None, 0o666, None), (None, 0o444, OTHER)],
    ids=["a-file-of-another-user", "a-file-others-may-write", "a-folder-of-another-user"],
)
def test_an_entry_swapped_in_after_the_folder_was_checked_is_not_linked(
    filled: Filled, tmp_path: Path, owner: int | None, mode: int, folder_owner: int | None
) -> None:
    """The folder is checked once, the entries each time one is linked: what is linked from a
    swapped-in entry is refused, and the path is downloaded instead."""
    if os.geteuid() != 0:
        pytest.skip("only root can give a file away")
    links = tmp_path / "links"
    fill(filled, tmp_path / "home-1", links)
    app, lib = (filled.info(d).nar_hash for d in (filled.chain.app, filled.chain.lib))
    told: list[str] = []
    cache = LinkCache(links, told.append)
    assert cache.link_into(app, tmp_path / "app")  # the folder is checked, and passes

    planted = swapped(links, lib, os.geteuid() if owner is None else owner, mode)
    if folder_owner is not None:
        os.chown(planted.parent, folder_owner, folder_owner)
    assert not cache.link_into(lib, tmp_path / "lib")
    assert not os.path.lexists(tmp_path / "lib")
    assert planted.stat().st_nlink == 1
    assert any("which another user owns or other users may write" in t for t in told), told


def test_a_store_is_filled_by_download_when_an_entry_is_not_the_users(
    filled: Filled, tmp_path: Path
) -> None:
    links = tmp_path / "links"
    first, _ = fill(filled, tmp_path / "home-1", links)
    lib = filled.info(filled.chain.lib).nar_hash.base32
    run = links / lib / "run"
    give_away(run)
    second, told = fill(filled, tmp_path / "home-2", links)
    assert f"warning: link_cache {links} holds {run}, which another user owns" in told
    out = filled.chain.lib.out
    assert (second.path(out) / "run").stat().st_ino != run.stat().st_ino
    assert stat.S_IMODE((second.path(out) / "run").stat().st_mode) == 0o555
    assert first.is_valid(out) and second.is_valid(out)


# -- a file:// cache written by root --------------------------------------------------------


def planted(tmp_path: Path, owner: int) -> tuple[Path, Path]:
    """A cache folder of `owner` whose lock file, nar/ and log/ are links of `owner` to a
    victim's folder, as that user would plant them for root's copy: the cache, the victim."""
    cache, victim = tmp_path / "ucache", tmp_path / "victim"
    cache.mkdir()
    victim.mkdir()
    (cache / "pybuild-cache-info").write_text(
        "Format: pybuild-1\nStoreDirIndependent: 1\nPriority: 50\n"
    )
    (cache / ".metadata.lock").symlink_to(victim / "created-by-root")
    (cache / "log").symlink_to(victim)
    (cache / "nar").symlink_to(victim)
    for item in (cache, *cache.iterdir()):
        os.chown(item, owner, owner, follow_symlinks=False)
    return cache, victim


def copy(filled: Filled, cache: Path) -> None:
    copy_to(open_cache(f"file://{cache}"), filled.built, [filled.chain.app.out])


def test_root_does_not_write_into_a_cache_folder_another_user_owns(
    filled: Filled, tmp_path: Path
) -> None:
    if os.geteuid() != 0:
        pytest.skip("only root can give a file away")
    cache, victim = planted(tmp_path, OTHER)
    with pytest.raises(CacheUnavailable, match=f"{cache} belongs to another user.*chown"):
        copy(filled, cache)
    assert os.listdir(victim) == []


@pytest.mark.parametrize("name", ["nar", "log", ".metadata.lock"])
def test_root_does_not_follow_a_link_another_user_left_in_its_cache(
    filled: Filled, tmp_path: Path, name: str
) -> None:
    """The folder is root's now, but a link its former owner made is still there."""
    if os.geteuid() != 0:
        pytest.skip("only root can give a file away")
    cache, victim = planted(tmp_path, OTHER)
    os.chown(cache, 0, 0)
    for other in {"nar", "log", ".metadata.lock"} - {name}:
        (cache / other).unlink()
    with pytest.raises(CacheUnavailable, match=f"{cache / name}"):
        copy(filled, cache)
    assert os.listdir(victim) == []


def test_a_user_does_not_follow_a_link_another_user_made_in_a_shared_cache(
    filled: Filled, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not root: a cache folder others write is allowed (a team's), but not their links."""
    if os.geteuid() != 0:
        pytest.skip("only root can give a file away")
    cache, victim = planted(tmp_path, OTHER)
    os.chown(cache, 1000, 1000)
    cache.chmod(0o777)
    (cache / "nar").unlink()
    (cache / "log").unlink()
    (cache / "nar").mkdir()
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    opened = open_cache(f"file://{cache}")
    with pytest.raises(CacheUnavailable, match=f"{cache / '.metadata.lock'} is a link"):
        copy_to(opened, filled.built, [filled.chain.app.out])
    (cache / ".metadata.lock").unlink()
    (cache / "log").symlink_to(victim)
    os.chown(cache / "log", OTHER, OTHER, follow_symlinks=False)
    with pytest.raises(CacheUnavailable, match=f"{cache / 'log'} is a link another user made"):
        copy_to(opened, filled.built, [filled.chain.app.out])
    assert os.listdir(cache / "nar") != []  # a folder: written (the first build log is refused)
    assert os.listdir(victim) == []


def test_root_writes_through_its_own_links(filled: Filled, tmp_path: Path) -> None:
    """A cache folder that is a link, and a nar/ that is one, both made by the copy's user."""
    real, archives = tmp_path / "real-cache", tmp_path / "archives"
    real.mkdir()
    archives.mkdir()
    (real / "nar").symlink_to(archives)
    cache = tmp_path / "cache-link"
    cache.symlink_to(real)
    copy(filled, cache)
    assert len(os.listdir(archives)) == 2 and (real / ".metadata.lock").is_file()
