"""``verify`` while other processes add to the store: what a running process holds is no
left-over.

A path is in ``store/`` a moment before it is registered (a commit moves it in, then waits
for the registry); a process holds its temporary root and its build lock meanwhile, and gc
leaves it alone for that. Verify must too, and must not call a path a left-over because it
was registered after verify read the registry.
"""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from pybuild.store import Store
from pybuild.store.gc import collect_garbage
from pybuild.store.locks import path_locks
from pybuild.store.temproots import release_temp_roots, temp_roots

DRV_TEXT = 'Derive([("out","/nowhere","","")],[],[],"x","/bin/sh",[],[])'


def unregistered(store: Store) -> list[str]:
    return [p.path for p in store.verify() if p.kind == "unregistered"]


def appearing(store: Store, suffix: str, proc: subprocess.Popen[str]) -> Path:
    """The entry of ``store/`` ending in `suffix`, once the process moved it in."""
    deadline = time.monotonic() + 60
    while True:
        found = [name for name in os.listdir(store.dir) if name.endswith(suffix)]
        if found:
            return store.dir / found[0]
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, f"no *{suffix} appeared"
        time.sleep(0.02)


def test_a_drv_moved_in_by_a_process_waiting_for_the_registry_is_not_a_left_over(
    store: Store,
) -> None:
    """Another writer holds the registry: an instantiation has moved its .drv in and waits
    to register it. Verify, gc alike, leaves it alone; once registered it is a valid path."""
    store.add_text("first", "first\n")  # the registry is made
    release_temp_roots(store)
    blocker = sqlite3.connect(store.registry.path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")  # the registry's writer, for now
    code = f"""
        from pybuild.store import Store
        print(Store({str(store.home)!r}).add_text("blocked.drv", {DRV_TEXT!r}), flush=True)
    """
    proc = subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        drv_path = appearing(store, "-blocked.drv", proc)
        assert not store.is_valid(drv_path.name)
        assert unregistered(store) == []
        assert drv_path.name not in collect_garbage(store, dry_run=True).leftovers
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert store.is_valid(out.strip())
    assert unregistered(store) == []


def test_a_path_registered_while_verify_runs_is_not_a_left_over(store: Store) -> None:
    """Verify reads the registry first and the store folder last: what a build registered
    in between is valid, not left over."""
    gone = store.add_text("gone", "gone\n")
    os.unlink(store.path(gone))  # a first finding, so that verify stops after reading
    checking = store.verify()
    assert next(checking).kind == "missing"
    added = store.add_text("added", "added\n")  # another process's build, meanwhile
    release_temp_roots(store)  # it has ended
    assert store.is_valid(added)
    assert [p for p in checking if p.kind == "unregistered"] == []


def test_a_path_held_by_a_live_process_is_not_a_left_over_until_it_ends(
    store: Store,
) -> None:
    """Unregistered, but temp-rooted or build-locked by a running process (a build about to
    register it): not reported. Once no process holds it, it is a left-over again."""
    store.add_text("first", "first\n")
    release_temp_roots(store)
    rooted, locked = "1" * 32 + "-rooted", "2" * 32 + "-locked"
    for name in (rooted, locked):
        (store.dir / name).mkdir()
    with temp_roots(store, [rooted]), path_locks(store.lock_dir, [locked]):
        child = subprocess.run(  # another process: its verify sees both held
            [sys.executable, "-m", "pybuild", "verify", "--json"],
            env={**os.environ, "PYBUILD_HOME": str(store.home)},
            capture_output=True,
            text=True,
        )
        assert child.returncode == 0, child.stderr
        assert child.stdout.strip() == "[]"
        assert unregistered(store) == []
    assert unregistered(store) == [rooted, locked]
