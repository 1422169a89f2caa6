"""Trees deeper than Python's recursion limit (1000 frames), and deeper than a path can name
(PATH_MAX): every walk of a build's outputs must take them, or refuse them cleanly."""

from __future__ import annotations

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
from pybuild.cli import main
from pybuild.derivations import Derivation, derivation
from pybuild.errors import InvalidPath
from pybuild.realiser import BuildOptions, realise
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


def pybuild(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pybuild", *args], capture_output=True, text=True, check=True
    )


def test_an_output_past_path_max_is_refused_and_nothing_of_it_is_left(store: Store) -> None:
    with pytest.raises(InvalidPath, match="longer than the"):
        realise([deep_output(store, DEEPER)], store, QUIET)
    assert sorted(os.listdir(store.home)) == ["store", "var"]
    assert os.listdir(store.tmp_dir) == []
    assert main(["gc"]) == 0
