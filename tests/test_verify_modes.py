"""``verify --check-contents`` of store paths whose files or folders others were let write:
the contents still have their hash, but anyone may change them (and, through hard links, the
link cache's entry and every store that links it), so the path is reported, and ``--repair``
puts the canonical modes back."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from test_store_upkeep import NO_CACHES, append_to, cli

from pybuild.derivations import derivation
from pybuild.realiser import BuildOptions, realise
from pybuild.store import Store

TREE = 'mkdir -p "$out/d/e" && echo one > "$out/a" && printf "#!/bin/sh\\n" > "$out/d/run"'


def build_tree(store: Store) -> Path:
    """A store path holding a file, an executable, two folders and a link."""
    drv = derivation(
        name="tamperme",
        builder="/bin/sh",
        args=["-c", f'{TREE} && chmod +x "$out/d/run" && ln -s ../a "$out/d/e/link"'],
    )
    with open(os.devnull, "w") as log:
        realise([drv], store, BuildOptions(log=log))
    return store.path(drv.out)


def mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


def test_a_fresh_path_is_in_the_canonical_modes(store: Store) -> None:
    out = build_tree(store)
    assert list(store.verify(check_contents=True)) == []
    assert (mode(out / "a"), mode(out / "d/run"), mode(out / "d/e")) == (0o444, 0o555, 0o555)


def test_files_and_folders_others_may_write_are_reported_with_their_modes(store: Store) -> None:
    out = build_tree(store)
    os.chmod(out / "d/e", 0o777)
    os.chmod(out / "a", 0o666)
    [problem] = store.verify(check_contents=True)
    assert (problem.path, problem.kind, problem.is_damage) == (out.name, "modes", True)
    assert "a (file, mode 0666)" in problem.detail
    assert "d/e (folder, mode 0777)" in problem.detail
    assert "d/run" not in problem.detail and "link" not in problem.detail.split(";")[0]
    assert list(store.verify(check_contents=False)) == []  # modes are read with the contents


def test_special_bits_and_the_top_folder_are_reported(store: Store) -> None:
    out = build_tree(store)
    os.chmod(out / "d/run", 0o4555)
    os.chmod(out, 0o1755)
    [problem] = store.verify(check_contents=True)
    assert "d/run (file, mode 4555)" in problem.detail
    assert f"{out.name} (folder, mode 1755)" in problem.detail


def test_a_changed_path_is_reported_as_modified_not_for_its_modes(store: Store) -> None:
    out = build_tree(store)
    os.chmod(out / "a", 0o666)
    append_to(out / "a", "two\n")
    [problem] = store.verify(check_contents=True)
    assert problem.kind == "modified"


def test_verify_fails_and_repair_puts_the_canonical_modes_back(store: Store) -> None:
    out = build_tree(store)
    inode = os.lstat(out / "d/run").st_ino
    os.chmod(out / "d/e", 0o777)
    os.chmod(out / "a", 0o666)
    os.chmod(out / "d/run", 0o6755)
    writer = open(out / "a", "r+b")  # noqa: SIM115 - opened while anyone could write it
    store.registry.close()

    found = cli("verify", "--check-contents")
    assert found.returncode == 1
    assert f"modes: {out}: " in found.stdout and "1 damaged path(s)" in found.stderr
    assert "--repair" in found.stderr

    repaired = cli("verify", "--check-contents", "--repair", *NO_CACHES)
    assert repaired.returncode == 0, repaired.stderr
    assert f"repaired: {out}" in repaired.stdout
    assert (mode(out / "a"), mode(out / "d/run"), mode(out / "d/e")) == (0o444, 0o555, 0o555)
    assert os.lstat(out / "d/run").st_ino == inode  # put right in place, not rebuilt
    with writer:  # a file others could write is a copy of its own: the old one is theirs
        writer.write(b"changed by whoever had it open\n")
    assert (out / "a").read_text() == "one\n"
    assert cli("verify", "--check-contents").returncode == 0


def test_repair_rebuilds_a_path_others_could_write_and_did(store: Store) -> None:
    out = build_tree(store)
    os.chmod(out / "d/e", 0o777)
    (out / "d/e/planted").write_text("theirs\n")
    store.registry.close()
    repaired = cli("verify", "--check-contents", "--repair", *NO_CACHES)
    assert repaired.returncode == 0, repaired.stderr
    assert not (out / "d/e/planted").exists() and mode(out / "d/e") == 0o555
    assert cli("verify", "--check-contents").returncode == 0


@pytest.mark.skipif(os.geteuid() != 0, reason="giving a file to another user takes root")
def test_an_entry_another_user_owns_is_reported_and_given_back(store: Store) -> None:
    """Its owner could make it writable again whenever they like."""
    out = build_tree(store)
    outside = store.home / "outside"  # another name of it, outside the store
    os.link(out / "a", outside)
    os.chown(out / "a", 65534, -1)
    [problem] = store.verify(check_contents=True)
    assert problem.kind == "modes" and "a (file, mode 0444, owner uid 65534)" in problem.detail
    store.registry.close()
    assert cli("verify", "--check-contents", "--repair", *NO_CACHES).returncode == 0
    assert os.lstat(out / "a").st_uid == os.lstat(store.dir).st_uid
    assert os.lstat(outside).st_uid == 65534  # a copy was given back, not the file outside
    outside.unlink()
    assert cli("verify", "--check-contents").returncode == 0
