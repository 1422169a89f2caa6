"""Store optimisation: identical files become hard links to one copy in ``store/.links``."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from pybuild.derivations import Derivation, derivation
from pybuild.display import human_size
from pybuild.realiser import BuildOptions, realise
from pybuild.store import Store
from pybuild.store.gc import collect_garbage
from pybuild.store.optimise import optimise_store
from pybuild.store.roots import add_result_link
from pybuild.store.temproots import release_temp_roots
from pybuild.store.usage import disk_usage
from support.disk import du

SHARED = "0123456789" * 1000  # 10 000 bytes that several outputs hold


def quiet(**changes: object) -> BuildOptions:
    return BuildOptions(log=open(os.devnull, "w"), **changes)  # type: ignore[arg-type]


def outputs(store: Store, options: BuildOptions | None = None) -> dict[str, Derivation]:
    """Three outputs sharing SHARED: two folders (with a script, executable in one only) and
    a single file; plus one file of their own each. Built as by a process that has ended: no
    temp roots are left."""
    scripts = {
        "a": f'mkdir -p "$out/sub" && echo "{SHARED}" > "$out/sub/shared" && echo a > "$out/own"'
        ' && echo "#!/bin/sh" > "$out/tool" && chmod +x "$out/tool"',
        "b": f'mkdir "$out" && echo "{SHARED}" > "$out/shared" && echo b > "$out/own"'
        ' && echo "#!/bin/sh" > "$out/tool"',
        "c": f'echo "{SHARED}" > "$out"',
    }
    drvs = {
        name: derivation(name=f"opt-{name}", builder="/bin/sh", args=["-c", script])
        for name, script in scripts.items()
    }
    realise(list(drvs.values()), store, options or quiet())
    release_temp_roots(store)
    return drvs


def inode(path: Path) -> int:
    return os.lstat(path).st_ino


def cli(*args: object) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "pybuild", *map(str, args)], capture_output=True, text=True
    )
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    return result


def test_identical_files_become_one_and_the_store_is_unchanged(store: Store) -> None:
    drvs = outputs(store)
    a, b, c = (store.path(drvs[n].out) for n in "abc")
    before = {name: store.info(name).nar_hash for name in store.registry.paths()}

    one = du(c)  # a copy of the shared file: the blocks each link saves, as du -s counts them
    result = optimise_store(store)
    assert result.files_linked == 2 and result.bytes_saved == 2 * one
    assert inode(a / "sub" / "shared") == inode(b / "shared") == inode(c)
    linked = store.dir / ".links"
    assert [inode(p) for p in linked.iterdir()].count(inode(c)) == 1
    assert os.lstat(c).st_nlink == 4  # a, b, c and the copy in .links
    # Same content but not the same executable bit: not linked.
    assert inode(a / "tool") != inode(b / "tool")
    assert os.access(a / "tool", os.X_OK) and not os.access(b / "tool", os.X_OK)
    # Modes are the store's: read-only files and folders, as before.
    assert stat.S_IMODE(os.lstat(b).st_mode) == 0o555
    assert stat.S_IMODE(os.lstat(a / "sub").st_mode) == 0o555
    assert stat.S_IMODE(os.lstat(c).st_mode) == 0o444
    assert list(store.verify(check_contents=True)) == []
    assert {name: store.info(name).nar_hash for name in store.registry.paths()} == before
    assert cli("verify", "--check-contents").returncode == 0

    again = optimise_store(store)  # idempotent
    assert (again.files_linked, again.bytes_saved) == (0, 0)
    assert "0 file(s) hard-linked" in cli("optimise").stdout


def test_optimise_command_prints_the_bytes_saved(store: Store) -> None:
    drvs = outputs(store)
    saved = f"({2 * du(store.path(drvs['c'].out))} bytes)"
    dry = cli("optimise", "--dry-run").stdout  # as Nix's optimise --dry-run: nothing linked
    assert dry.startswith("2 file(s) would be hard-linked") and saved in dry
    assert not (store.dir / ".links").exists()
    assert os.lstat(store.path(drvs["c"].out)).st_nlink == 1
    out = cli("optimise").stdout
    assert out.startswith("2 file(s) hard-linked") and saved in out
    assert cli("optimise", "--dry-run").stdout.startswith("0 file(s) would be hard-linked")


def unused_link(store: Store, size: int) -> Path:
    """An entry of ``store/.links`` that no store file links, as a collection killed between
    deleting the last path that linked it and its sweep leaves it."""
    entry = store.dir / ".links" / ("0" * 52)
    entry.write_bytes(b"u" * size)
    entry.chmod(0o444)
    return entry


def test_dry_run_and_du_count_the_links_a_killed_collection_left_unused(
    store: Store, tmp_path: Path
) -> None:
    """The collection's sweep frees them whatever it deletes, with nothing else to delete
    and when cut short by max_freed alike: the dry run and du say so beforehand."""
    drvs = outputs(store)
    optimise_store(store)
    add_result_link(store, tmp_path / "result", drvs["a"].path(store=store))
    collect_garbage(store, scan_processes=False)  # nothing left to delete
    entry = unused_link(store, 3000)
    going = du(entry)
    assert disk_usage(store, scan_processes=False).reclaimable == going
    assert f"{human_size(going)} would be freed" in cli("gc", "--dry-run").stderr
    assert collect_garbage(store, dry_run=True, scan_processes=False).freed == going
    assert collect_garbage(store, scan_processes=False).freed == going
    assert not entry.exists()

    (tmp_path / "result").unlink()
    unused_link(store, 3000)
    usage = disk_usage(store, scan_processes=False)
    dry = collect_garbage(store, dry_run=True, max_freed=1, scan_processes=False)
    real = collect_garbage(store, max_freed=1, scan_processes=False)
    assert real.deleted == dry.deleted and len(real.deleted) < len(usage.dead)  # cut short
    assert real.freed == dry.freed >= going
    usage = disk_usage(store, scan_processes=False)
    assert usage.reclaimable == collect_garbage(store, scan_processes=False).freed > 0


def test_gc_frees_linked_files_only_when_their_last_user_goes(store: Store, tmp_path: Path) -> None:
    drvs = outputs(store)
    optimise_store(store)
    keep = add_result_link(store, tmp_path / "result", drvs["a"].path(store=store))
    links = store.dir / ".links"
    shared_link = next(p for p in links.iterdir() if inode(p) == inode(store.path(drvs["c"].out)))

    dry = collect_garbage(store, dry_run=True, scan_processes=False)
    first = collect_garbage(store, scan_processes=False)
    assert first.freed == dry.freed
    assert shared_link.exists()  # a still uses the shared file
    assert os.lstat(shared_link).st_nlink == 2
    assert list(store.verify(check_contents=True)) == []

    keep.unlink()
    dry = collect_garbage(store, dry_run=True, scan_processes=False)
    second = collect_garbage(store, scan_processes=False)
    assert second.freed == dry.freed >= len(SHARED)
    assert list(links.iterdir()) == []  # nothing uses them any more
    assert os.listdir(store.dir) == [".links"]


def test_auto_optimise_links_each_new_output(store: Store, tmp_path: Path) -> None:
    drvs = outputs(store, quiet(auto_optimise=True))
    a, b, c = (store.path(drvs[n].out) for n in "abc")
    assert inode(a / "sub" / "shared") == inode(b / "shared") == inode(c)
    assert list(store.verify(check_contents=True)) == []

    recipes = tmp_path / "pair.py"
    recipes.write_text(
        "from pybuild import derivation\n"
        "one = derivation(name='one', builder='/bin/sh', args=['-c', 'echo same > $out; true 1'])\n"
        "two = derivation(name='two', builder='/bin/sh', args=['-c', 'echo same > $out; true 2'])\n"
    )
    plain = cli("build", "-f", recipes, "one").stdout.strip()
    assert os.lstat(plain).st_nlink == 1  # the setting is off by default
    linked = cli("--option", "auto_optimise", "true", "build", "-f", recipes, "two")
    assert os.lstat(linked.stdout.strip()).st_nlink == 2  # it and its copy in .links


def test_a_damaged_shared_copy_is_never_spread(store: Store) -> None:
    first = derivation(name="first", builder="/bin/sh", args=["-c", f'echo "{SHARED}" > "$out"'])
    realise([first], store, quiet())
    optimise_store(store)
    [copy] = [
        p for p in (store.dir / ".links").iterdir() if inode(p) == inode(store.path(first.out))
    ]
    copy.chmod(0o644)
    copy.write_text("X" * (len(SHARED) + 1))  # same size, other bytes: damage
    copy.chmod(0o444)
    second = derivation(name="second", builder="/bin/sh", args=["-c", f'echo "{SHARED}" > "$out"'])
    realise([second], store, quiet())
    dry = optimise_store(store, dry_run=True)  # the dry run agrees: it would link none
    assert (dry.files_linked, dry.bytes_saved) == (0, 0)
    assert optimise_store(store).files_linked == 0
    assert store.path(second.out).read_text() == SHARED + "\n"
    assert [p.path for p in store.verify(check_contents=True)] == [first.out]
