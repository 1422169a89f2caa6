"""Garbage collection: roots, what is deleted and what is kept, gc racing builds, delete,
why-depends, query and du. Plain shell-builder derivations keep these fast."""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_registry_integrity import tiny_filesystem

from pybuild import evalcache
from pybuild.derivations import Derivation, derivation
from pybuild.display import parse_size
from pybuild.errors import UsageError
from pybuild.realiser import BuildOptions, realise
from pybuild.results import statuses
from pybuild.store import Store, validity
from pybuild.store.core import BUILD_DIR_RECORD
from pybuild.store.delete import LivePathError, delete_paths
from pybuild.store.gc import collect_garbage
from pybuild.store.locks import path_locks
from pybuild.store.paths import make_name
from pybuild.store.refgraph import why_depends
from pybuild.store.registry import RESERVE_BYTES
from pybuild.store.roots import add_result_link, find_roots
from pybuild.store.temproots import release_temp_roots, temp_roots
from pybuild.store.usage import disk_usage
from support.disk import du


def quiet() -> BuildOptions:
    return BuildOptions(log=open(os.devnull, "w"))


def build(store: Store, name: str, script: str, **env: object) -> Derivation:
    """Build a /bin/sh derivation, as a process that has ended (its .drv is no temp root);
    its output's basename is ``drv.out``."""
    drv = derivation(name=name, builder="/bin/sh", args=["-c", script], env=env)
    realise([drv], store, quiet())
    release_temp_roots(store)
    return drv


def cli(*args: object, ok: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "pybuild", *map(str, args)], capture_output=True, text=True
    )
    assert "Traceback" not in result.stderr, result.stderr
    if ok:
        assert result.returncode == 0, result.stderr
    return result


def chain_of(store: Store) -> tuple[Derivation, Derivation, Derivation]:
    """top -> middle -> leaf, each referring to the next by its path."""
    leaf = build(store, "leaf", 'mkdir "$out" && echo leaf > "$out/data"')
    middle = build(store, "middle", 'mkdir "$out" && echo "$leaf" > "$out/ref"', leaf=leaf)
    top = build(store, "top", 'mkdir "$out" && echo "$middle" > "$out/ref"', middle=middle)
    return top, middle, leaf


def valid(store: Store, *drvs: Derivation) -> list[bool]:
    return [store.is_valid(d.out) and os.path.exists(store.path(d.out)) for d in drvs]


# -- roots -------------------------------------------------------------------------------------


def test_gc_deletes_exactly_what_no_root_reaches(store: Store, tmp_path: Path) -> None:
    top, middle, leaf = chain_of(store)
    alone = build(store, "alone", 'mkdir "$out" && echo alone > "$out/data"')
    pinned = build(store, "pinned", 'echo pinned > "$out"')
    rooted = build(store, "rooted", 'echo rooted > "$out"')
    add_result_link(store, tmp_path / "result", top.path(store=store))
    store.gcroots_dir.mkdir(parents=True, exist_ok=True)
    (store.gcroots_dir / "mine").symlink_to(store.path(pinned.out))
    (store.gcroots_dir / "inside").symlink_to(store.path(rooted.out))

    result = collect_garbage(store, scan_processes=False)
    assert valid(store, top, middle, leaf, pinned, rooted) == [True] * 5
    assert valid(store, alone) == [False]
    assert alone.out in result.deleted and alone.drv_name in result.deleted
    # The derivations of live paths stay (keep-derivations), those of dead ones go.
    for drv in (top, middle, leaf, pinned):
        assert store.is_valid(drv.drv_name)
    assert result.freed > 0
    assert list(store.verify(check_contents=True)) == []
    assert collect_garbage(store, scan_processes=False).deleted == []


def test_a_deleted_or_repointed_result_link_no_longer_holds(store: Store, tmp_path: Path) -> None:
    one = build(store, "one", 'echo one > "$out"')
    two = build(store, "two", 'echo two > "$out"')
    add_result_link(store, tmp_path / "r1", one.path(store=store))
    add_result_link(store, tmp_path / "r2", two.path(store=store))
    kinds = {(r.kind, r.source, r.path) for r in find_roots(store, scan_processes=False)}
    assert ("result", str(tmp_path / "r1"), one.out) in kinds
    (tmp_path / "r1").unlink()
    (tmp_path / "r2").unlink()
    (tmp_path / "r2").symlink_to(tmp_path)  # re-pointed outside the store
    collect_garbage(store, scan_processes=False)
    assert valid(store, one, two) == [False, False]
    assert os.listdir(store.gcroots_dir / "auto") == []  # stale indirect roots are removed


def test_result_links_still_hold_after_the_home_is_moved(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A result link is absolute, into the old location; the path it names is still this
    store's (names never depend on where the store is), so it stays, and gc says how to
    re-point the link; a link into the old location that names no valid path holds nothing."""
    one = build(store, "one", 'mkdir "$out" && echo one > "$out/data"')
    pinned = build(store, "pinned", 'echo pinned > "$out"')
    alone = build(store, "alone", 'echo alone > "$out"')
    add_result_link(store, tmp_path / "result", one.path(store=store))
    never_built = store.path(make_name("output", "0" * 64, "gone"))
    add_result_link(store, tmp_path / "old", str(never_built))
    store.gcroots_dir.mkdir(parents=True, exist_ok=True)
    (store.gcroots_dir / "mine").symlink_to(store.path(pinned.out))
    store.registry.close()
    moved = tmp_path / "moved"
    store.home.rename(moved)
    monkeypatch.setenv("PYBUILD_HOME", str(moved))
    here = Store(moved)
    try:
        result = cli("gc")
        assert here.is_valid(one.out) and here.is_valid(pinned.out)
        assert not here.is_valid(alone.out)
        assert result.stderr.count("warning: ") == 2, result.stderr
        assert f"ln -sfn {here.path(one.out)} {tmp_path / 'result'}" in result.stderr
        assert f"ln -sfn {here.path(pinned.out)} {here.gcroots_dir / 'mine'}" in result.stderr
        assert len(os.listdir(here.gcroots_dir / "auto")) == 1  # the dead link's entry went
        roots = {(r.kind, r.path) for r in find_roots(here, scan_processes=False)}
        assert roots == {("result", one.out), ("gcroot", pinned.out)}
    finally:
        here.registry.close()


def test_print_roots_and_delete_tell_a_link_into_the_old_location_as_gc_does(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After a move of the home, --print-roots shows where a result link really points and
    warns as gc does; delete of the link refuses with gc's hint, not as outside the store."""
    one = build(store, "one", 'mkdir "$out" && echo one > "$out/data"')
    link = add_result_link(store, tmp_path / "result", one.path(store=store))
    old = os.readlink(link)
    store.registry.close()
    moved = tmp_path / "moved"
    store.home.rename(moved)
    monkeypatch.setenv("PYBUILD_HOME", str(moved))
    here = Store(moved)
    repoint = f"`ln -sfn {here.path(one.out)} {link}`, or build again with -o {link}"
    try:
        listed = cli("gc", "--print-roots")
        assert listed.stdout.splitlines() == [f"{link} -> {old}"]
        assert f"warning: {link} points into another location of the store" in listed.stderr
        assert repoint in listed.stderr
        monkeypatch.chdir(tmp_path)
        refused = cli("delete", "result", ok=False)
        assert f"result: points into another location of the store ({old}: moved?)" in (
            refused.stderr
        )
        assert f"hint: point it here with {repoint}" in refused.stderr
        assert "not inside the store" not in refused.stderr
        for command in (
            ["why-depends", "result", "./result"],
            ["query", "-R", "result"],
            ["path-info", "result"],
            ["log", "result"],
            ["show-derivation", "result"],
        ):
            told = cli(*command, ok=False).stderr  # every command that takes a result link
            assert "result: points into another location of the store" in told
            assert f"({old}: moved?)" in told and "no attribute" not in told
            assert f"hint: point it here with {repoint}" in told, told
            assert "another store" not in told
        assert here.is_valid(one.out)
    finally:
        here.registry.close()


def test_dry_run_deletes_nothing_and_names_what_gc_deletes(store: Store) -> None:
    top, middle, leaf = chain_of(store)
    before = sorted(os.listdir(store.dir))
    dry = collect_garbage(store, dry_run=True, scan_processes=False)
    assert sorted(os.listdir(store.dir)) == before
    assert valid(store, top, middle, leaf) == [True] * 3
    real = collect_garbage(store, scan_processes=False)
    assert sorted(dry.deleted) == sorted(real.deleted)
    assert dry.freed == real.freed > 0
    assert os.listdir(store.dir) == []


def test_gc_quiet_prints_only_its_result(store: Store) -> None:
    """``gc -q``: no 'deleting PATH' line (progress), the summary only; a dry run's list is
    its result, and is printed with -q too."""
    top, middle, leaf = chain_of(store)
    listed = cli("gc", "-q", "--dry-run").stdout.splitlines()
    assert all(line.startswith("would delete ") for line in listed)
    outputs = {f"would delete {store.path(d.out)}" for d in (top, middle, leaf)}
    assert outputs <= set(listed)
    done = cli("gc", "-q")
    assert done.stdout == ""
    assert done.stderr.startswith(f"{len(listed)} store path(s) deleted, ")
    assert done.stderr.count("\n") == 1
    assert valid(store, top, middle, leaf) == [False] * 3


def test_a_collections_progress_is_on_standard_error(store: Store) -> None:
    """As Nix writes it: ``gc | head`` reads nothing, so a reader that goes away early cannot
    stop the collection halfway; the dry run's list is its result, on standard output."""
    top, middle, leaf = chain_of(store)
    outputs = [store.path(d.out) for d in (top, middle, leaf)]
    assert all(f"would delete {o}\n" in cli("gc", "--dry-run").stdout for o in outputs)
    done = cli("gc")
    assert done.stdout == ""
    assert all(f"deleting {o}\n" in done.stderr for o in outputs)
    assert valid(store, top, middle, leaf) == [False] * 3


def test_max_freed_stops_early_and_keeps_the_store_consistent(store: Store) -> None:
    for i in range(4):
        build(store, f"big{i}", f'head -c 100000 /dev/zero > "$out"; echo {i} >> "$out"')
    dry = collect_garbage(store, dry_run=True, max_freed=150_000, scan_processes=False)
    result = collect_garbage(store, max_freed=150_000, scan_processes=False)
    assert 150_000 <= result.freed < 400_000
    # the dry run stops where the collection stops, in the same order
    assert (dry.deleted, dry.freed) == (result.deleted, result.freed)
    left = [n for n in os.listdir(store.dir) if "big" in n and not n.endswith(".drv")]
    assert 0 < len(left) < 4
    assert list(store.verify(check_contents=True)) == []
    assert parse_size("500M") == 500 << 20 and parse_size("2G") == 2 << 30
    assert parse_size("1.5KiB") == 1536 and parse_size("4096") == 4096
    with pytest.raises(UsageError, match="not a size"):
        parse_size("lots")


def test_processes_using_store_paths_are_roots(store: Store) -> None:
    cwd = build(store, "cwd", 'mkdir "$out"')
    opened = build(store, "opened", 'echo data > "$out"')
    named = build(store, "named", 'echo data > "$out"')
    dead = build(store, "dead", 'echo data > "$out"')
    # an environment's bin/python: a link to an interpreter outside the store, so the
    # process's exe is not in the store; the program it was started as is
    program = build(store, "program", f'mkdir "$out"; ln -s {shutil.which("sleep")} "$out/run"')
    argument = build(store, "argument", 'echo data > "$out"')  # only named as an argument
    code = "import sys, time; f = open(sys.argv[1]); print('ready', flush=True); time.sleep(60)"
    procs = [
        subprocess.Popen(["sleep", "60"], cwd=store.path(cwd.out)),
        subprocess.Popen(
            [sys.executable, "-c", code, str(store.path(opened.out))], stdout=subprocess.PIPE
        ),
        subprocess.Popen(["sleep", "60"], env={"TOOL": str(store.path(named.out))}),
        subprocess.Popen([store.path(program.out) / "run", "60"]),
        subprocess.Popen(["sh", "-c", "sleep 60", str(store.path(argument.out))]),
    ]
    try:
        assert procs[1].stdout is not None and procs[1].stdout.readline() == b"ready\n"
        roots = {r.path: r for r in find_roots(store) if r.kind == "runtime"}
        assert roots[cwd.out].source == f"process {procs[0].pid} (cwd)"
        assert roots[opened.out].source == f"process {procs[1].pid} (open file)"
        assert roots[named.out].source == f"process {procs[2].pid} (env)"
        assert roots[program.out].source == f"process {procs[3].pid} (program)"
        collect_garbage(store)
        found = valid(store, cwd, opened, named, program, argument, dead)
        assert found == [True, True, True, True, False, False]
    finally:
        for proc in procs:
            proc.kill()
            proc.wait()
    collect_garbage(store)
    assert valid(store, cwd, opened, named, program) == [False, False, False, False]


# -- left-overs --------------------------------------------------------------------------------


def test_leftovers_and_dead_build_folders_go_live_ones_stay(store: Store) -> None:
    store.registry.open()  # a store has its registry before any path (else it is lost)
    store.dir.mkdir(parents=True)
    leftover = make_name("output:out", "0" * 64, "interrupted")
    busy = make_name("output:out", "1" * 64, "being-committed")
    for name in (leftover, busy):
        (store.dir / name).mkdir()
        (store.dir / name / "part").write_text("x" * 1000)
    gone = subprocess.Popen(["true"])
    gone.wait()
    dead_dir = store.tmp_dir / f"hello-{gone.pid}-abcd1234"
    mine = store.new_tmp_dir("running")
    dead_dir.mkdir(parents=True)
    (dead_dir / "log").write_text("y" * 500)
    going = du(store.dir / leftover, dead_dir)
    with path_locks(store.lock_dir, [busy]):  # a process is committing it right now
        result = collect_garbage(store, scan_processes=False)
    assert result.leftovers == [leftover]
    assert result.tmp_dirs == [dead_dir.name]
    assert not (store.dir / leftover).exists() and (store.dir / busy).exists()
    assert not dead_dir.exists() and mine.exists()
    assert result.freed == going  # the blocks, as du -s counts them


def test_gc_removes_the_lock_files_no_process_holds(store: Store) -> None:
    """A holder killed by SIGKILL leaves its lock file: the next collection removes it, and
    keeps the one a process holds."""
    store.registry.open()
    code = (
        "import os, sys; from pybuild.store.locks import path_locks\n"
        "with path_locks(sys.argv[1], ['killed']): os.kill(os.getpid(), 9)"
    )
    subprocess.run([sys.executable, "-c", code, str(store.lock_dir)], check=False)
    assert (store.lock_dir / "killed.lock").exists()
    with path_locks(store.lock_dir, ["building"]):
        collect_garbage(store, dry_run=True, scan_processes=False)
        assert (store.lock_dir / "killed.lock").exists()  # a dry run changes nothing
        collect_garbage(store, scan_processes=False)
        assert sorted(os.listdir(store.lock_dir)) == ["building.lock"]
    assert os.listdir(store.lock_dir) == []


def test_a_working_folder_of_a_process_now_gone_is_collected(store: Store) -> None:
    """The names new_tmp_dir gives are those the collector reads its owner's pid from."""
    store.registry.open()
    code = "import sys; from pybuild.store import Store; print(Store(sys.argv[1]).new_tmp_dir('x'))"
    child = subprocess.run(
        [sys.executable, "-c", code, str(store.home)], capture_output=True, text=True, check=True
    )
    made = Path(child.stdout.strip())
    assert made.parent == store.tmp_dir and made.is_dir()
    assert made.stat().st_mode & 0o777 == 0o700  # as tempfile.mkdtemp makes one
    mine = store.new_tmp_dir("x")
    assert mine.name.startswith(f"x-{os.getpid()}-") and mine != store.new_tmp_dir("x")
    result = collect_garbage(store, scan_processes=False)
    assert result.tmp_dirs == [made.name] and not made.exists() and mine.exists()


def test_a_dead_builds_folder_outside_the_store_goes_with_its_record(
    store: Store, tmp_path: Path
) -> None:
    """A builder's own folder is in TMPDIR, where the collector removes it only through the
    record in var/tmp of a build whose process is gone, and only if it is a build's folder."""
    store.registry.open()
    gone = subprocess.Popen(["true"])
    gone.wait()
    outside = tmp_path / "tmp"
    dead_work = store.tmp_dir / f"hello-{gone.pid}-abcd1234"
    dead_work.mkdir(parents=True)
    dead_build = store.new_build_dir(dead_work, "hello", str(outside))
    (dead_build / "object.o").write_text("z" * 700)
    running = store.new_tmp_dir("running")
    running_build = store.new_build_dir(running, "running", str(outside))
    # A record that names anything but a build's folder (edited by hand, say) goes alone.
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "data").write_text("keep")
    forged = f"{BUILD_DIR_RECORD}x-{gone.pid}-abcd5678"
    os.symlink(precious, store.tmp_dir / forged)
    (outside / "pybuild-build-link").symlink_to(precious)  # nor through a link so named
    os.symlink(outside / "pybuild-build-link", store.tmp_dir / f"{forged[:-1]}9")

    dry = collect_garbage(store, dry_run=True, scan_processes=False)
    expected = sorted([str(dead_build), dead_work.name, forged, f"{forged[:-1]}9"])
    records = [BUILD_DIR_RECORD + dead_work.name, forged, f"{forged[:-1]}9"]  # links: a block
    going = du(dead_build, dead_work, *(store.tmp_dir / record for record in records))
    assert sorted(dry.tmp_dirs) == expected and dry.freed == going
    assert dead_build.exists()

    result = collect_garbage(store, scan_processes=False)
    assert sorted(result.tmp_dirs) == expected and result.freed == going
    assert not dead_build.exists() and not dead_work.exists()
    assert (precious / "data").read_text() == "keep"
    assert sorted(os.listdir(outside)) == ["pybuild-build-link", running_build.name]
    assert sorted(os.listdir(store.tmp_dir)) == [BUILD_DIR_RECORD + running.name, running.name]


def test_a_dead_builds_outputs_folder_goes_with_its_record_and_nothing_else(
    store: Store, tmp_path: Path
) -> None:
    """A build's outputs folder is in the home, beside the store: the collector removes it
    through the record in var/tmp of a build whose process is gone, only while it is a folder
    of the home (named from var/tmp as ../../) named as outputs folders are: never the store,
    nor through a link."""
    store.registry.open()
    store.dir.mkdir(parents=True, exist_ok=True)
    store.tmp_dir.mkdir(parents=True)
    gone = subprocess.Popen(["true"])
    gone.wait()
    dead = store.home / ".dead"
    (dead / "x-out").mkdir(parents=True)
    (dead / "x-out" / "part").write_text("p" * 300)
    os.symlink("../../.dead", store.tmp_dir / f"x-{gone.pid}-abcd1234")
    running, running_record = store.new_outputs_dir("running")
    elsewhere = tmp_path / ".else"  # named so, but not in the home
    elsewhere.mkdir()
    (store.home / ".link").symlink_to(elsewhere)
    forged = {
        "store": "../../store",
        "var": "../../var",
        "elsewhere": elsewhere,
        "link": "../../.link",
        "long": "../../.toolong",
        "whole": store.home / ".kept",  # the home's, but not named as ../..
        "deeper": "../../store/../.kept",
    }
    for label, target in forged.items():
        os.symlink(target, store.tmp_dir / f"{label}-{gone.pid}-abcd5678")
    (store.home / ".toolong").mkdir()
    (store.home / ".kept").mkdir()

    records = [f"{label}-{gone.pid}-abcd5678" for label in forged]
    dry = collect_garbage(store, dry_run=True, scan_processes=False)
    going = du(dead, *(store.tmp_dir / record for record in records))
    assert sorted(dry.tmp_dirs) == sorted([str(dead), *records]) and dry.freed == going
    result = collect_garbage(store, scan_processes=False)
    assert sorted(result.tmp_dirs) == sorted([str(dead), *records]) and result.freed == going
    assert not dead.exists() and running.is_dir() and store.dir.is_dir() and store.var.is_dir()
    assert elsewhere.is_dir() and (store.home / ".toolong").is_dir()
    assert (store.home / ".kept").is_dir()
    assert sorted(os.listdir(store.tmp_dir)) == [running_record.name]


def test_the_folders_keep_failed_kept_stay_those_of_an_interrupted_build_go(
    store: Store, tmp_path: Path
) -> None:
    """gc deleted what -K had just kept for inspection, once its pybuild had exited."""
    failing = tmp_path / "failing.py"
    failing.write_text(
        "from pybuild import derivation\n"
        "d = derivation(name='fail', builder='/bin/sh',"
        " args=['-c', 'mkdir $out; touch $out/partial; echo $out > made-here; exit 3'])\n"
    )
    outside = tmp_path / "tmp"
    outside.mkdir()
    env = {**os.environ, "TMPDIR": str(outside)}
    failed = subprocess.run(
        [sys.executable, "-m", "pybuild", "build", "-K", "-f", failing, "d"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert failed.returncode == 1, failed.stderr
    [build_dir] = outside.iterdir()
    [work] = [p for p in store.tmp_dir.iterdir() if not p.is_symlink()]
    assert f"keeping the failed build's directories {build_dir} and {work}" in failed.stderr
    # Built beside the store, kept in var/tmp as kept-NAME-PID-RANDOM, with no record left.
    out = Path((build_dir / "made-here").read_text().strip())
    assert out.parent.parent == store.home and len(str(out)) == len(str(store.path(out.name)))
    assert sorted(os.listdir(store.home)) == ["store", "var"]
    assert os.listdir(store.tmp_dir) == [work.name] and (work / out.name / "partial").exists()
    gone = subprocess.Popen(["true"])
    gone.wait()
    interrupted = store.tmp_dir / f"hello-{gone.pid}-abcd1234"
    interrupted.mkdir()
    interrupted_build = store.new_build_dir(interrupted, "hello", str(outside))

    result = collect_garbage(store, scan_processes=False)
    assert sorted(result.tmp_dirs) == sorted([interrupted.name, str(interrupted_build)])
    assert (build_dir / "made-here").exists() and (work / out.name / "partial").exists()
    assert not interrupted.exists() and not interrupted_build.exists()


def test_the_docs_say_gc_leaves_what_keep_failed_kept() -> None:
    """The profiles page said gc removed the folders of kept failed builds, which it leaves
    (the test above), as the settings page says."""
    docs = Path(__file__).resolve().parent.parent / "docs"
    profiles = " ".join((docs / "concepts" / "profiles.md").read_text().split())
    assert "kept failed builds too" not in profiles
    assert "never the folders of a failed build that `keep_failed` (`-K`) kept" in profiles
    assert "`pybuild gc` leaves them" in (docs / "guides" / "settings.md").read_text()


def test_a_build_folder_of_a_relative_build_dir_is_recorded_by_its_whole_path(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    work = store.new_tmp_dir("rel")
    made = store.new_build_dir(work, "rel", "relative")  # the build_dir setting, as written
    record = store.tmp_dir / (BUILD_DIR_RECORD + work.name)
    assert made.is_absolute() and record.readlink() == tmp_path / "relative" / made.name


def test_a_build_folder_in_tmpdir_is_made_without_tempfiles_probe(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """tempfile.gettempdir() first writes a file of a random name into TMPDIR, to see that it
    can: a SIGKILL at that moment leaves it where no collection looks. TMPDIR is taken as set."""
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr(tempfile, "tempdir", None)

    def probe(*_: object) -> str:
        raise AssertionError("tempfile probed TMPDIR")

    monkeypatch.setattr(tempfile, "_get_default_tempdir", probe)
    made = store.new_build_dir(store.new_tmp_dir("probe"), "probe")
    assert made.parent == tmp_path


def test_temp_roots_hold_while_their_process_lives(store: Store) -> None:
    kept = build(store, "kept", 'echo kept > "$out"')
    with temp_roots(store, [kept.out]):
        collect_garbage(store, scan_processes=False)
        assert valid(store, kept) == [True]
    # A temp-roots file left by a process that died holds nothing, and is cleaned up.
    folder = store.var / "temproots"
    (folder / "999999-stale").write_text(kept.out + "\n")
    collect_garbage(store, scan_processes=False)
    assert valid(store, kept) == [False]
    assert os.listdir(folder) == []


# -- caches ------------------------------------------------------------------------------------


@pytest.fixture
def settled(monkeypatch: pytest.MonkeyPatch) -> None:
    """Records and notes are kept at once, without their two seconds' wait for inputs and the
    registry to settle."""
    monkeypatch.setattr(evalcache, "_SETTLED_NS", 0)
    monkeypatch.setattr(validity, "_SETTLED_NS", 0)


def record(store: Store, key: str, *drvs: Derivation) -> Path:
    """The evaluation record `key` of a command line that yielded `drvs`, as a build saves it:
    recorded first (which forgets what an earlier evaluation of this process said was volatile),
    then saved."""
    recorder = evalcache.Recorder(str(store.dir))
    with recorder.recording():
        pass
    evalcache.save(store, key, recorder, drvs)
    path = store.var / "cache" / "eval" / f"{key}.marshal"
    assert path.is_file()
    return path


def damaged_record(store: Store) -> Path:
    path = store.var / "cache" / "eval" / "damaged.marshal"
    path.write_bytes(b"\x00 not marshal")
    return path


def note(store: Store, *drvs: Derivation) -> Path:
    """The note that the outputs of `drvs` are valid, as the fast path keeps it."""
    names = sorted(d.out for d in drvs)
    store.registry.close()  # as between two commands: the log checkpointed and emptied
    assert validity.valid(str(store.var), names)
    path = store.var / "cache" / "valid" / evalcache.text_hash("\n".join(names))
    assert path.is_file()
    return path


@pytest.mark.usefixtures("settled")
def test_gc_removes_the_cache_entries_that_can_no_longer_answer(
    store: Store, tmp_path: Path
) -> None:
    """A record naming a collected output, a damaged one, and a note of the registry's stamp
    before the collection wrote to it go; a record whose outputs stay valid stays (which
    notes are stale: tests/test_validity.py)."""
    kept = build(store, "kept", 'echo kept > "$out"')
    gone = build(store, "gone", 'echo gone > "$out"')
    add_result_link(store, tmp_path / "result", kept.path(store=store))
    records = [record(store, "kept", kept), record(store, "gone", gone)]
    records.append(record(store, "both", kept, gone))
    damaged, old_note = damaged_record(store), note(store, kept)

    result = collect_garbage(store, scan_processes=False)
    assert gone.out in result.deleted and kept.out not in result.deleted
    assert [path.exists() for path in (*records, damaged)] == [True, False, False, False]
    assert not old_note.exists()
    assert (result.eval_records_removed, result.validity_notes_removed) == (3, 1)

    again = collect_garbage(store, scan_processes=False)
    assert again.deleted == [] and again.eval_records_removed == 0 and records[0].exists()


@pytest.mark.usefixtures("settled")
def test_a_dry_run_keeps_every_cache_entry(store: Store) -> None:
    gone = build(store, "gone", 'echo gone > "$out"')
    entries = [record(store, "gone", gone), damaged_record(store), note(store, gone)]
    dry = json.loads(cli("gc", "--dry-run", "--json").stdout)
    assert gone.out in map(os.path.basename, dry["deleted"])
    assert (dry["evalRecordsRemoved"], dry["validityNotesRemoved"]) == (0, 0)
    assert all(path.exists() for path in entries)
    done = json.loads(cli("gc", "--json").stdout)
    assert (done["evalRecordsRemoved"], done["validityNotesRemoved"]) == (2, 1)
    assert not any(path.exists() for path in entries)


# -- gc racing a build ---------------------------------------------------------------------------

SLOW = """\
echo $$ > "$marker"
while [ ! -e "$go" ]; do sleep 0.02; done
mkdir "$out"
cat "$inp/data" > "$out/copy"
echo "$inp" > "$out/from"
"""


def test_gc_during_a_build_keeps_its_inputs_and_outputs(store: Store, tmp_path: Path) -> None:
    inp = build(store, "input", 'mkdir "$out" && echo precious > "$out/data"')
    marker, go = tmp_path / "started", tmp_path / "go"
    slow = derivation(
        name="slow",
        builder="/bin/sh",
        args=["-c", SLOW],
        env={"inp": inp, "marker": str(marker), "go": str(go)},
    )
    # Only the build's temp roots protect its input: processes are not scanned here.
    outcome: dict[str, object] = {}
    thread = threading.Thread(target=lambda: outcome.update(realise([slow], store, quiet())))
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        assert marker.exists(), "the builder did not start"
        result = collect_garbage(store, scan_processes=False)
        assert inp.out not in result.deleted and inp.drv_name not in result.deleted
        assert result.tmp_dirs == []  # the running build's folder stays
    finally:
        go.touch()
        thread.join(60)
    assert statuses(outcome) == {slow: "built"}  # type: ignore[arg-type]
    assert (store.path(slow.out) / "copy").read_text() == "precious\n"
    # Once built, the input is referenced by the output: both live while a root holds it.
    add_result_link(store, tmp_path / "result", slow.path(store=store))
    collect_garbage(store, scan_processes=False)
    assert valid(store, slow, inp) == [True, True]


def test_gc_command_during_a_build_command(tmp_path: Path) -> None:
    marker, go = tmp_path / "started", tmp_path / "go"
    recipes = tmp_path / "slow.py"
    recipes.write_text(
        "from pybuild import derivation\n"
        "inp = derivation(name='input', builder='/bin/sh',"
        " args=['-c', 'mkdir $out && echo precious > $out/data'])\n"
        f"slow = derivation(name='slow', builder='/bin/sh', args=['-c', {SLOW!r}],"
        f" env={{'inp': inp, 'marker': {str(marker)!r}, 'go': {str(go)!r}}})\n"
    )
    inp_out = cli("build", "-f", recipes, "inp").stdout.strip()
    proc = subprocess.Popen(
        [sys.executable, "-m", "pybuild", "build", "-f", recipes, "slow"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        gc = json.loads(cli("gc", "--json").stdout)
        assert inp_out not in gc["deleted"]
    finally:
        go.touch()
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert Path(out.strip(), "copy").read_text() == "precious\n"


# -- a full filesystem ---------------------------------------------------------------------------


@pytest.fixture
def small_fs(tmp_path: Path) -> Iterator[Path]:
    """A tmpfs of 4 MiB, to fill: skipped where mounting one is not permitted (not root)."""
    with tiny_filesystem(tmp_path / "fs", "4m") as folder:
        yield folder


def fill(path: Path) -> None:
    """Write `path` until its filesystem has no room left."""
    with open(path, "wb", buffering=0) as out:
        try:
            while True:
                out.write(b"\0" * 65536)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC, exc
        with contextlib.suppress(OSError):
            while True:
                out.write(b"\0" * 512)


def test_gc_and_du_run_on_a_full_filesystem_in_the_room_of_the_reserve(
    small_fs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite cannot open the registry on a full filesystem (no room for its -shm): du and gc
    delete the reserve kept beside it and run in its room; the next opening, with the room
    gc freed, makes it again."""
    home = small_fs / "home"
    monkeypatch.setenv("PYBUILD_HOME", str(home))
    store = Store(home)
    try:
        dead = build(store, "dead", 'head -c 300000 /dev/zero > "$out"')
        store.registry.close()
        fill(small_fs / "filler")
        assert "reclaimable by `pybuild gc`: 2 path(s)" in cli("du").stdout
        assert "2 store path(s) deleted" in cli("gc").stderr
        assert not store.registry.reserve.exists()  # gc freed 300 kB: room for it again
        assert not store.is_valid(dead.out)
        assert store.registry.reserve.stat().st_blocks * 512 >= RESERVE_BYTES
    finally:
        store.registry.close()


# -- delete, why-depends, du -----------------------------------------------------------------------


def test_delete_refuses_a_live_path_and_names_its_root(store: Store, tmp_path: Path) -> None:
    top, middle, leaf = chain_of(store)
    link = add_result_link(store, tmp_path / "result", top.path(store=store))
    with pytest.raises(LivePathError) as err:
        delete_paths(store, [leaf.out], scan_processes=False)
    assert err.value.root.source == str(link)
    assert err.value.chain == [str(store.path(d.out)) for d in (top, middle, leaf)]
    result = cli("delete", store.path(leaf.out), ok=False)
    assert f"held by the result link {link}" in result.stderr
    assert " -> ".join(str(store.path(d.out)) for d in (top, middle, leaf)) in result.stderr
    assert f"rm {link}" in result.stderr
    assert valid(store, top, middle, leaf) == [True] * 3

    link.unlink()
    refused = cli("delete", store.path(middle.out), ok=False)
    assert f"still referenced by {store.path(top.out)}" in refused.stderr
    deleted = cli("delete", store.path(middle.out), store.path(top.out)).stdout
    assert f"deleted {store.path(top.out)}" in deleted
    assert valid(store, top, middle, leaf) == [False, False, True]
    assert list(store.verify()) == []


def test_delete_says_a_live_outputs_derivation_is_kept_as_its_deriver(
    store: Store, tmp_path: Path
) -> None:
    """An output refers to nothing of its .drv: the chain says that gc keeps the .drv with
    its output, not that the output refers to it."""
    top, middle, leaf = chain_of(store)
    link = add_result_link(store, tmp_path / "result", top.path(store=store))
    drv = store.path(store.info(top.out).deriver or "")
    refused = cli("delete", drv, ok=False)
    through = f"through: {store.path(top.out)} -> {drv} (its deriver, which gc keeps with it)"
    assert f"held by the result link {link}" in refused.stderr
    assert through in refused.stderr
    leaf_drv = store.path(store.info(leaf.out).deriver or "")
    refused = cli("delete", leaf_drv, ok=False)  # the nearest output keeps it, as a deriver
    assert f"{store.path(leaf.out)} -> {leaf_drv} (its deriver" in refused.stderr
    assert str(store.path(middle.out)) in refused.stderr and drv.exists()


def test_why_depends_prints_the_chain(store: Store) -> None:
    top, middle, leaf = chain_of(store)
    steps = why_depends(store, top.out, leaf.out)
    assert steps == [(top.out, "ref"), (middle.out, "ref"), (leaf.out, None)]
    out = cli("why-depends", store.path(top.out), store.path(leaf.out)).stdout.splitlines()
    assert out[0].startswith(str(store.path(top.out))) and "in ref" in out[0]
    assert out[2].strip() == f"└── {store.path(leaf.out)}"
    none = cli("why-depends", store.path(leaf.out), store.path(top.out))  # exit 0, as Nix's
    assert none.stdout == ""
    assert none.stderr == f"{store.path(leaf.out)} does not depend on {store.path(top.out)}\n"


def test_why_depends_of_a_single_file_says_its_contents_refer_to_the_next(store: Store) -> None:
    """A path that is one file has no file inside to name: ``(refers to the next in .)``
    said nothing a reader could use."""
    leaf = build(store, "leaf", 'echo leaf > "$out"')
    top = build(store, "top", 'echo "$leaf" > "$out"', leaf=leaf)
    link = build(store, "link", 'ln -s "$leaf" "$out"', leaf=leaf)
    first = cli("why-depends", store.path(top.out), store.path(leaf.out)).stdout.splitlines()[0]
    assert first == f"{store.path(top.out)}   (its contents refer to the next)"
    first = cli("why-depends", store.path(link.out), store.path(leaf.out)).stdout.splitlines()[0]
    assert first == f"{store.path(link.out)}   (it is a link to the next)"


def test_query_answers_as_nix_store_query(store: Store) -> None:
    """References, referrers and both closures, each path once; the tree marks a path
    shown before; the deriver is the .drv that built it."""
    top, middle, leaf = chain_of(store)
    also = build(store, "also", 'mkdir "$out" && echo "$leaf" > "$out/ref"', leaf=leaf)
    t, m, lf, a = (str(store.path(d.out)) for d in (top, middle, leaf, also))

    def query(*args: object) -> list[str]:
        return cli("query", *args).stdout.splitlines()

    assert query("--references", t) == [m]
    assert query("--references", t, m) == [lf, m]  # the union, sorted by name
    assert query("--referrers", lf) == [a, m]
    assert query("-R", t) == [lf, m, t]
    assert query("--requisites", t, a) == [a, lf, m, t]
    assert query("--referrers-closure", lf) == [a, lf, m, t]
    assert query("--deriver", t) == [str(store.path(store.info(top.out).deriver or ""))]
    assert query("--tree", t) == [t, f"└───{m}", f"    └───{lf}"]
    both = build(store, "both", 'mkdir "$out" && echo "$m $l" > "$out/ref"', m=middle, l=leaf)
    assert query("--tree", store.path(both.out)) == [
        str(store.path(both.out)),
        f"├───{lf}",
        f"└───{m}",
        f"    └───{lf} [...]",
    ]
    dot = query("--graph", t)
    assert dot[0] == "digraph G {" and dot[-1] == "}"
    assert f'"{leaf.out}" -> "{middle.out}";' in dot and f'"{middle.out}" -> "{top.out}";' in dot
    assert not any(also.out in line for line in dot)
    assert "required" in cli("query", t, ok=False).stderr  # a question must be asked


def test_query_roots_names_what_keeps_a_path(store: Store, tmp_path: Path) -> None:
    """--roots: the roots whose closure holds the path, through references and the outputs
    that keep their derivation, as gc sees them; gc --print-roots lists every root."""
    top, middle, leaf = chain_of(store)
    alone = build(store, "alone", 'echo alone > "$out"')
    add_result_link(store, tmp_path / "result", top.path(store=store))
    store.gcroots_dir.mkdir(parents=True, exist_ok=True)
    (store.gcroots_dir / "mine").symlink_to(store.path(alone.out))
    line = f"{tmp_path / 'result'} -> {store.path(top.out)}"
    assert cli("query", "--roots", store.path(leaf.out)).stdout.splitlines() == [line]
    deriver = store.path(store.info(middle.out).deriver or "")
    assert cli("query", "--roots", deriver).stdout.splitlines() == [line]
    mine = f"{store.gcroots_dir / 'mine'} -> {store.path(alone.out)}"
    assert cli("query", "--roots", store.path(alone.out)).stdout.splitlines() == [mine]
    listed = cli("gc", "--print-roots").stdout.splitlines()
    assert line in listed and mine in listed
    assert all(valid(store, top, middle, leaf, alone))  # listing deletes nothing
    refused = cli("gc", "--print-roots", "--dry-run", ok=False)
    assert refused.returncode == 1 and "drop --dry-run" in refused.stderr


def test_du_shows_closures_and_what_gc_would_free(store: Store, tmp_path: Path) -> None:
    top, middle, leaf = chain_of(store)
    big = build(store, "big", 'head -c 200000 /dev/zero > "$out"')
    small = 'for d in a b c; do mkdir -p "$out/$d"; echo > "$out/$d/1"; echo > "$out/$d/2"; done'
    build(store, "small-files", small)  # their blocks, not their sizes, are what goes
    add_result_link(store, tmp_path / "result", top.path(store=store))
    usage = disk_usage(store, scan_processes=False)
    [(root, size, count)] = usage.closures
    assert root.source == str(tmp_path / "result") and count == 3
    assert size == sum(store.info(d.out).nar_size for d in (top, middle, leaf))
    assert big.out in usage.dead and usage.reclaimable >= 200_000
    text = cli("du").stdout
    assert str(tmp_path / "result") in text and "reclaimable by `pybuild gc`" in text
    assert len(json.loads(cli("du", "--json").stdout)["closures"]) == 1
    assert json.loads(cli("du", "-n", "0", "--json").stdout)["closures"] == []  # as the text
    assert "largest closures" not in cli("du", "-n", "0").stdout  # no heading over nothing
    before = du(store.dir)
    freed = collect_garbage(store, scan_processes=False).freed
    assert freed == usage.reclaimable == before - du(store.dir)  # what du -s then loses
    assert show_derivation_works(top, tmp_path / "result")


def show_derivation_works(drv: Derivation, link: Path) -> bool:
    """The .drv of a live output survives gc: show-derivation of the result link works."""
    shown = json.loads(cli("show-derivation", link).stdout)
    return next(iter(shown)).endswith(drv.drv_name)
