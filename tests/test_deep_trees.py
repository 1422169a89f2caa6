"""Trees deeper than Python's recursion limit (1000 frames), and deeper than a path can name
(PATH_MAX): every walk of a build's outputs must take them, or refuse them cleanly."""

from __future__ import annotations

import hashlib
import io
import os
import resource
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from pybuild import buildusers
from pybuild.cache.archive import restore_nar
from pybuild.cache.errors import ArchiveError
from pybuild.cli import main
from pybuild.derivations import Derivation, derivation
from pybuild.errors import InvalidPath
from pybuild.hashing import Hash, hash_path
from pybuild.realiser import BuildOptions, realise
from pybuild.remote.errors import PathRefused
from pybuild.remote.protocol import receive_nar
from pybuild.store import Store, remove_tree
from pybuild.store.sizes import tree_entries

DEEP = 1500  # past the recursion limit, within PATH_MAX
DEEPER = 3000  # past PATH_MAX too: "a/" 3000 times is 6000 bytes

as_root = pytest.mark.skipif(os.geteuid() != 0, reason="build users are root's")


def nest(top: Path, depth: int, owner: int | None = None) -> None:
    """`depth` folders ``a`` one in another under `top`, a file ``f`` at the bottom, made
    through descriptors (their paths may be too long to name); all `owner`'s if given."""
    fd = os.open(top, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for _ in range(depth):
            os.mkdir("a", dir_fd=fd)
            if owner is not None:
                os.chown("a", owner, owner, dir_fd=fd)
            inner = os.open("a", os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
            os.close(fd)
            fd = inner
        file = os.open("f", os.O_WRONLY | os.O_CREAT, 0o666, dir_fd=fd)
        os.write(file, b"hi\n")
        os.close(file)
        if owner is not None:
            os.chown("f", owner, owner, dir_fd=fd)
    finally:
        os.close(fd)


@pytest.fixture
def folder() -> Iterator[Path]:
    """A folder of its own, removed by pybuild: pytest's clean-up of tmp_path recurses."""
    path = Path(tempfile.mkdtemp(prefix="pybuild-deep-"))
    try:
        yield path
    finally:
        remove_tree(path)


@pytest.fixture
def few_files() -> Iterator[None]:
    """An open-file limit of 32 more than are open: a walk holding a folder open per level
    (as os.fwalk does) runs out."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (len(os.listdir("/proc/self/fd")) + 32, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


@as_root
@pytest.mark.parametrize("depth", [DEEP, DEEPER])
def test_as_root_a_build_users_outputs_of_any_depth_are_taken_back(
    folder: Path, depth: int, few_files: None
) -> None:
    uid = buildusers.FIRST_UID
    work = folder / "work"
    work.mkdir()
    os.chown(work, uid, uid)
    nest(work, depth, owner=uid)
    os.chmod(work / "a", 0o777)
    assert buildusers.take_back(work, uid) == ""
    owners = {
        (st.st_uid, st.st_mode & 0o022) for st in tree_entries(work) if stat.S_ISDIR(st.st_mode)
    }
    assert owners == {(0, 0)}
    assert {st.st_uid for st in tree_entries(work)} == {0}


@pytest.mark.parametrize("depth", [DEEP, DEEPER])
def test_a_read_only_tree_of_any_depth_is_counted_and_removed(
    folder: Path, depth: int, few_files: None
) -> None:
    top = folder / "tree"
    top.mkdir()
    nest(top, depth)
    os.chmod(top / "a", 0o555)
    os.chmod(top, 0o555)
    assert sum(1 for _ in tree_entries(top)) == depth + 2  # the top, the folders, the file
    remove_tree(top)
    assert not os.path.lexists(top)


def deep_script(depth: int) -> str:
    """A builder's script whose output nests `depth` folders, made 100 a step (a folder a
    step is slow)."""
    steps, rest = divmod(depth, 100)
    hundred, tail = "a/" * 100, "a/" * rest
    return (
        f'mkdir "$out"; cd "$out"; i=0; while [ $i -lt {steps} ]; do mkdir -p {hundred}; '
        f"cd {hundred}; i=$((i+1)); done; mkdir -p ./{tail}; cd ./{tail}; echo hi > f"
    )


def deep_output(store: Store, depth: int) -> Derivation:
    return derivation(
        name=f"deep{depth}", builder="/bin/sh", args=["-c", deep_script(depth)], store=store
    )


QUIET = BuildOptions(log=open(os.devnull, "w"))  # noqa: SIM115


def test_an_output_past_the_recursion_limit_is_built_checked_copied_and_collected(
    store: Store, tmp_path: Path
) -> None:
    """Through the command line, each a process of its own: this one's roots would keep it."""
    recipe = tmp_path / "deep.py"
    recipe.write_text(
        "from pybuild import derivation\n"
        f"deep = derivation(name='deep', builder='/bin/sh', args=['-c', {deep_script(DEEP)!r}])\n"
    )
    out = pybuild("build", "-f", str(recipe), "deep").stdout.strip()
    assert store.is_valid(out)
    pybuild("verify", "--check-contents", out)
    pybuild("copy", "--to", f"file://{tmp_path / 'cache'}", out)
    pybuild("delete", out)
    assert not os.path.lexists(out)
    pybuild("gc")
    assert sorted(os.listdir(store.home)) == ["store", "var"]


def pybuild(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pybuild", *args],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )


def test_an_output_past_path_max_is_refused_and_nothing_of_it_is_left(store: Store) -> None:
    with pytest.raises(InvalidPath, match="longer than the"):
        realise([deep_output(store, DEEPER)], store, QUIET)
    assert sorted(os.listdir(store.home)) == ["store", "var"]
    assert os.listdir(store.tmp_dir) == []
    assert main(["gc"]) == 0


PATH_MAX = os.pathconf("/", "PC_PATH_MAX")


def nar_string(data: bytes) -> bytes:
    return len(data).to_bytes(8, "little") + data + bytes(-len(data) % 8)


def deep_nar(depth: int) -> bytes:
    """The NAR of `depth` folders ``a`` one in another, a file ``f`` holding ``hi`` at the
    bottom: written out, as no path names a tree deeper than PATH_MAX to make it from."""
    tokens = [b"nix-archive-1", b"(", b"type", b"directory"]
    tokens += [b"entry", b"(", b"name", b"a", b"node", b"(", b"type", b"directory"] * depth
    tokens += [b"entry", b"(", b"name", b"f", b"node", b"(", b"type", b"regular"]
    tokens += [b"contents", b"hi\n", b")", b")"]
    tokens += [b")", b")"] * depth + [b")"]
    return b"".join(map(nar_string, tokens))


def fits(room: int) -> int:
    """The depth of the deepest tree of folders ``a`` (a file ``f`` at the bottom) whose
    paths, named from a folder whose own path is `room` bytes long, fit in PATH_MAX."""
    return (PATH_MAX - 1 - room - len("/f")) // len("/a")


def read_bottom(top: Path, depth: int) -> tuple[bytes, set[int], set[int]]:
    """The file at the bottom of `top` (made by :func:`nest` or :func:`deep_nar`), and the
    modes and times of the folders above it, read through descriptors."""
    fd = os.open(top, os.O_RDONLY | os.O_DIRECTORY)
    modes, times = set(), set()
    try:
        for _ in range(depth):
            inner = os.open("a", os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=fd)
            os.close(fd)
            fd = inner
            st = os.fstat(fd)
            modes.add(stat.S_IMODE(st.st_mode))
            times.add(int(st.st_mtime))
        file = os.open("f", os.O_RDONLY | os.O_NOFOLLOW, dir_fd=fd)
        try:
            return os.read(file, 100), modes, times
        finally:
            os.close(file)
    finally:
        os.close(fd)


def test_a_nar_as_deep_as_a_store_path_may_nest_is_restored_wherever_it_is_put(
    folder: Path,
) -> None:
    """Named from the folder that holds it, as a store path from the store, the tree fits in
    PATH_MAX; named from / through a long temporary folder (a substitution's), it does not."""
    name = "0" * 32 + "-deep"
    depth = fits(len(name))
    work = folder / ("w" * 200)
    work.mkdir()
    nar = deep_nar(depth)
    assert restore_nar(io.BytesIO(nar), work / name, len(nar)) == Hash(hashlib.sha256(nar).digest())
    assert read_bottom(work / name, depth) == (b"hi\n", {0o555}, {1})


def test_a_nar_deeper_than_a_store_path_may_nest_is_refused(
    folder: Path,
) -> None:
    name = "0" * 32 + "-deep"
    nar = deep_nar(fits(len(name)) + 1)
    with pytest.raises(ArchiveError, match="longer than the") as refused:
        restore_nar(io.BytesIO(nar), folder / name, len(nar))
    assert str(refused.value).startswith(f"{name} holds folders nested so deep")
    assert str(refused.value).endswith("the system lets a path name: no store can hold it")


def test_serve_refuses_a_nar_too_deep_and_reads_on(folder: Path) -> None:
    name = "0" * 32 + "-deep"
    nar = deep_nar(fits(len(name)) + 1)
    stream = io.BytesIO(nar + b"next")
    with pytest.raises(PathRefused, match="longer than the"):
        receive_nar(stream, folder / name, len(nar), Hash(hashlib.sha256(nar).digest()))
    assert stream.read() == b"next"  # in step: the next message can be read


def test_serve_receives_a_nar_as_deep_as_a_store_path_may_nest(folder: Path) -> None:
    name = "0" * 32 + "-deep"
    depth = fits(len(name))
    nar = deep_nar(depth)
    receive_nar(io.BytesIO(nar), folder / name, len(nar), Hash(hashlib.sha256(nar).digest()))
    assert read_bottom(folder / name, depth)[0] == b"hi\n"


def test_an_output_as_deep_as_the_store_allows_is_copied_to_a_cache_and_back(
    store: Store, tmp_path: Path
) -> None:
    """What can be copied to a cache can be copied back, into a store whose folder is as long."""
    depth = fits(len(str(store.dir)) + len("/") + 32 + len("-deep"))
    recipe = tmp_path / "deep.py"
    recipe.write_text(
        "from pybuild import derivation\n"
        f"deep = derivation(name='deep', builder='/bin/sh', args=['-c', {deep_script(depth)!r}])\n"
    )
    out = Path(pybuild("build", "-f", str(recipe), "deep").stdout.strip())
    cache = f"file://{tmp_path / 'cache'}"
    pybuild("copy", "--to", cache, str(out))
    other = tmp_path / "pybuild-hom2"  # as long as the first home's path
    env = {**os.environ, "PYBUILD_HOME": str(other)}
    fresh = ["--option", "link_cache", "", "--option", "require_sigs"]  # restored, not linked
    try:
        pybuild("copy", *fresh, "false", "--from", cache, out.name, env=env)
        copy = other / "store" / out.name
        assert hash_path(copy) == hash_path(out)
        pybuild("verify", "--check-contents", str(copy), env=env)
    finally:  # by pybuild: pytest's removal of old temporary folders recurses, and fails
        remove_tree(other)
        remove_tree(out)


def test_the_link_cache_keeps_and_links_a_tree_past_the_recursion_limit(folder: Path) -> None:
    from pybuild.cache.links import LinkCache

    tree = folder / "tree"
    tree.mkdir()
    nest(tree, DEEP)
    os.chmod(bottom := tree / ("a/" * DEEP + "f"), 0o444)
    nar_hash = hash_path(tree)[0]
    told: list[str] = []
    cache = LinkCache(folder / "links", told.append)
    cache.keep(nar_hash, tree)
    assert cache.link_into(nar_hash, folder / "copy"), told
    copy = folder / "copy" / ("a/" * DEEP + "f")
    assert copy.read_bytes() == b"hi\n" and os.stat(copy).st_ino == os.stat(bottom).st_ino
    assert hash_path(folder / "copy")[0] == nar_hash and not told


def test_a_folder_past_the_recursion_limit_is_added_to_the_store(
    store: Store, folder: Path
) -> None:
    """shutil.copytree recursed, so pybuild add of a folder some 500 deep crashed."""
    source = folder / "source"
    source.mkdir()
    nest(source, DEEP)
    name = store.add_path(source)
    try:
        assert hash_path(store.path(name)) == hash_path(source)
        assert (store.path(name) / ("a/" * DEEP + "f")).read_bytes() == b"hi\n"
    finally:  # by pybuild: pytest's removal of old temporary folders recurses
        remove_tree(store.path(name))
