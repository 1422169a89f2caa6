"""Temporary roots of evaluation: a collection running while recipes are evaluated never takes
what the evaluation added or found valid (sources, the downloader script, .drv files)."""

from __future__ import annotations

import contextlib
import hashlib
import multiprocessing
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from pybuild.derivations import Derivation, derivation
from pybuild.fetchers import fetch_url
from pybuild.realiser import BuildOptions, realise
from pybuild.store import Store
from pybuild.store.gc import collect_garbage
from pybuild.store.roots import find_roots
from pybuild.store.temproots import (
    TEMP_ROOTS,
    _roots_of,
    add_temp_roots,
    gc_lock,
    release_temp_roots,
)


def quiet() -> BuildOptions:
    return BuildOptions(log=open(os.devnull, "w"))


def python(code: str, **popen: Any) -> subprocess.Popen[str]:
    """Run `code` in a fresh interpreter (the test's PYBUILD_HOME and PYTHONPATH)."""
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], text=True, **popen)


def gc_in_another_process() -> list[str]:
    """Collect as ``pybuild gc`` would, from a fresh process; the basenames deleted."""
    code = """
        from pybuild.store import Store
        from pybuild.store.gc import collect_garbage
        print("\\n".join(collect_garbage(Store.default(), scan_processes=False).deleted))
    """
    proc = python(code, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    return out.split()


def evaluate(store: Store, tmp_path: Path, tag: str) -> list[Derivation]:
    """Recipes as a user writes them: a builder script of theirs (an added source) and a
    download (the downloader script is added to the store), both new to the store."""
    script = tmp_path / f"build-{tag}.sh"
    script.write_text(f'echo "built {tag}" > "$out"\n')
    data = tmp_path / f"data-{tag}.txt"
    data.write_text(f"data {tag}\n")
    digest = hashlib.sha256(data.read_bytes()).hexdigest()
    built = derivation(name=f"built-{tag}", builder="/bin/sh", args=[script], store=store)
    fetched = fetch_url(data.as_uri(), digest, name=f"data-{tag}", store=store)
    return [built, fetched]


def check_built(store: Store, drvs: list[Derivation], tag: str) -> None:
    built, fetched = drvs
    assert store.path(built.out).read_text() == f"built {tag}\n"
    assert store.path(fetched.out).read_text() == f"data {tag}\n"


# -- a collection between evaluation and build ---------------------------------------------


@pytest.mark.parametrize("where", ["this process", "another process"])
def test_a_collection_between_evaluation_and_build_keeps_the_sources(
    store: Store, tmp_path: Path, where: str
) -> None:
    drvs = evaluate(store, tmp_path, "one")
    sources = sorted(s for d in drvs for s in d.input_srcs)
    assert len(sources) == 2 and all(store.is_valid(s) for s in sources)
    if where == "this process":
        deleted = collect_garbage(store, scan_processes=False).deleted
    else:
        deleted = gc_in_another_process()
    assert not set(sources) & set(deleted)
    realise(drvs, store, quiet())
    check_built(store, drvs, "one")


def test_a_path_evaluation_finds_valid_is_kept_too(store: Store, tmp_path: Path) -> None:
    """A store path named in a recipe (added by an earlier process) is rooted once seen."""
    script = tmp_path / "build.sh"
    script.write_text('echo found > "$out"\n')
    added = python(
        f"from pybuild.store import Store; print(Store.default().add_path({str(script)!r}))",
        stdout=subprocess.PIPE,
    )
    name = added.communicate(timeout=60)[0].strip()
    assert added.returncode == 0 and store.is_valid(name)
    drv = derivation(name="found", builder="/bin/sh", args=[str(store.path(name))], store=store)
    assert drv.input_srcs == (name,)
    assert name not in gc_in_another_process()
    realise([drv], store, quiet())
    assert store.path(drv.out).read_text() == "found\n"


def test_the_drv_files_written_for_a_build_stay_while_the_process_runs(store: Store) -> None:
    drv = derivation(name="kept", builder="/bin/sh", args=["-c", 'echo kept > "$out"'])
    realise([drv], store, quiet())
    assert drv.drv_name not in gc_in_another_process()
    assert store.is_valid(drv.drv_name)
    release_temp_roots(store)  # as the end of this process would
    assert drv.drv_name in gc_in_another_process()


def test_what_realise_returns_stays_until_the_process_ends(store: Store, tmp_path: Path) -> None:
    """Built here or found valid (built by a process that has ended), a target's output stays
    while its caller uses it, as Nix's builds root theirs: realise's own hold ends on return."""
    drvs = evaluate(store, tmp_path, "kept")
    realise(drvs, store, quiet())
    assert not {d.out for d in drvs} & set(gc_in_another_process())
    check_built(store, drvs, "kept")
    release_temp_roots(store)  # as the end of this process would
    realise(drvs, store, quiet())  # valid already: nothing to build, rooted all the same
    assert not {d.out for d in drvs} & set(gc_in_another_process())
    check_built(store, drvs, "kept")


# -- two collectors against a builder ---------------------------------------------------------


@contextlib.contextmanager
def two_collectors(tmp_path: Path) -> Iterator[list[int]]:
    """Two processes collecting in a loop while the block runs (both have collected once when
    it starts); the list is filled with the number of paths each deleted."""
    stop = tmp_path / "stop"
    code = f"""
        import time
        from pathlib import Path
        from pybuild.store import Store
        from pybuild.store.gc import collect_garbage
        store, deadline = Store.default(), time.monotonic() + 120
        collect = lambda: len(collect_garbage(store, scan_processes=False).deleted)
        deleted = collect()
        print("collecting", flush=True)
        while not Path({str(stop)!r}).exists() and time.monotonic() < deadline:
            deleted += collect()
        print(deleted)
    """
    procs = [python(code, stdout=subprocess.PIPE) for _ in range(2)]
    deleted: list[int] = []
    try:
        for proc in procs:
            assert proc.stdout is not None and proc.stdout.readline() == "collecting\n"
        yield deleted
    finally:
        stop.touch()
        for proc in procs:
            out = proc.communicate(timeout=120)[0]
            assert proc.returncode == 0
            deleted.append(int(out))


def build_round(store: Store, tmp_path: Path, tag: str) -> None:
    drvs = evaluate(store, tmp_path, tag)
    realise(drvs, store, quiet())
    check_built(store, drvs, tag)


def test_builds_succeed_while_two_processes_collect_in_a_loop(store: Store, tmp_path: Path) -> None:
    """Each round is a process of its own, as a `pybuild build` is: its roots end with it."""
    fork = multiprocessing.get_context("fork")
    with two_collectors(tmp_path) as deleted:
        for i in range(12):
            round_ = fork.Process(target=build_round, args=(store, tmp_path, f"round{i}"))
            round_.start()
            round_.join(timeout=60)
            assert round_.exitcode == 0, f"round {i} failed (its traceback is above)"
    assert sum(deleted) > 0  # they ran meanwhile: each round's outputs died after it


# -- the roots file: dead processes, threads, forks, the gc lock -------------------------------


def holder(store: Store, tmp_path: Path, tag: str) -> tuple[subprocess.Popen[str], str]:
    """A process that added a source to the store and waits for a line before it exits."""
    script = tmp_path / f"tool-{tag}.sh"
    script.write_text(f"echo {tag}\n")
    proc = python(
        f"""
        import sys
        from pybuild.store import Store
        print(Store.default().add_path({str(script)!r}), flush=True)
        sys.stdin.readline()
        """,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    assert proc.stdout is not None
    return proc, proc.stdout.readline().strip()


def test_roots_of_a_process_hold_while_it_lives_and_go_with_it(
    store: Store, tmp_path: Path
) -> None:
    crashing, lost = holder(store, tmp_path, "crashing")
    ending, kept = holder(store, tmp_path, "ending")
    folder = store.var / TEMP_ROOTS
    files = {name.split("-")[0]: folder / name for name in os.listdir(folder)}
    assert files.keys() == {str(crashing.pid), str(ending.pid)}
    assert files[str(crashing.pid)].read_text() == f"{lost}\n"
    roots = {(r.kind, r.path) for r in find_roots(store, scan_processes=False)}
    assert {("temp", lost), ("temp", kept)} <= roots
    collect_garbage(store, scan_processes=False)
    assert store.is_valid(lost) and store.is_valid(kept)

    crashing.kill()  # a crash leaves its file behind: it holds nothing, and is cleaned
    crashing.wait(timeout=60)
    assert files[str(crashing.pid)].exists()
    assert lost not in {r.path for r in find_roots(store, scan_processes=False)}
    deleted = collect_garbage(store, scan_processes=False).deleted
    assert lost in deleted and kept not in deleted
    assert not files[str(crashing.pid)].exists()

    ending.communicate("\n", timeout=60)  # an orderly end removes its own file
    assert os.listdir(folder) == []
    assert kept in collect_garbage(store, scan_processes=False).deleted


def test_one_file_per_process_and_home_whatever_the_threads_and_store_objects(
    store: Store,
) -> None:
    names = [f"{i:032d}-n{i}" for i in range(200)]
    stores = [Store(store.home) for _ in range(4)]

    def add(k: int) -> None:
        for name in names[k::2] + names[::-1]:
            add_temp_roots(stores[k], [name])

    threads = [threading.Thread(target=add, args=(k,)) for k in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    [own_file] = os.listdir(store.var / TEMP_ROOTS)
    assert sorted((store.var / TEMP_ROOTS / own_file).read_text().split("\n")[:-1]) == names
    release_temp_roots(store)
    assert os.listdir(store.var / TEMP_ROOTS) == []


def test_a_root_is_written_only_when_no_collection_runs(store: Store) -> None:
    """While a collection holds the gc lock, adding a root waits; then it is written at once."""
    name = "0" * 32 + "-waiting"
    folder = store.var / TEMP_ROOTS
    with gc_lock(store, exclusive=True):
        adder = threading.Thread(target=add_temp_roots, args=(store, [name]))
        adder.start()
        _wait_for_lock_waiter(store.var / "gc.lock")
        written = [f.read_text() for f in folder.iterdir()] if folder.is_dir() else []
        assert not any(name in text for text in written)
    adder.join(timeout=30)
    assert not adder.is_alive()
    assert [f.read_text() for f in folder.iterdir()] == [f"{name}\n"]
    release_temp_roots(store)


def _wait_for_lock_waiter(lock_file: Path) -> None:
    """Return once some process waits for a lock on `lock_file` (``->`` lines of /proc/locks)."""
    inode = f":{os.stat(lock_file).st_ino} "
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with open("/proc/locks") as f:
            if any("->" in line and inode in line for line in f):
                return
        time.sleep(0.01)
    raise AssertionError(f"nothing waited for {lock_file}")


def test_a_forked_child_writes_its_own_file_and_keeps_its_parents(store: Store) -> None:
    mine, childs = "0" * 32 + "-parent", "1" * 32 + "-child"
    add_temp_roots(store, [mine])
    folder = store.var / TEMP_ROOTS
    [parent_file] = os.listdir(folder)
    held = _roots_of(store)
    with held.lock:  # a thread of the parent is writing a root while another forks
        pid = os.fork()
    if pid == 0:  # the child: exits 0 only if all went well
        signal.alarm(30)  # a lock inherited held would hang it
        ok = False
        try:
            add_temp_roots(store, [mine, childs])
            files = sorted(os.listdir(folder))
            ok = len(files) == 2 and (folder / parent_file).read_text() == f"{mine}\n"
        finally:
            os._exit(0 if ok else 1)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert (folder / parent_file).read_text() == f"{mine}\n"
    roots = {r.path for r in find_roots(store, scan_processes=False, clean=True)}
    assert mine in roots and childs not in roots  # the child's file died with it
    assert os.listdir(folder) == [parent_file]
    release_temp_roots(store)
