"""Runtime roots of processes started through links: the program a process was started as is
followed one link at a time, and every store path met on the way is in use, as an
environment's ``bin/python`` reached through a profile's links (which links on to an
interpreter outside the store, so neither the command line's word nor ``exe`` names it)."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_gc import build, valid

from pybuild.derivations import Derivation
from pybuild.store import Store
from pybuild.store.gc import collect_garbage
from pybuild.store.roots import find_roots


@pytest.fixture
def environment(store: Store) -> Derivation:
    """A store path shaped like an environment: its ``bin/run`` links to ``sleep`` outside
    the store, as an environment's ``bin/python`` links to its base interpreter."""
    sleep = shutil.which("sleep")
    return build(store, "env", f'mkdir -p "$out/bin"; ln -s {sleep} "$out/bin/run"')


@pytest.fixture
def profile(store: Store, environment: Derivation, tmp_path: Path) -> Path:
    """A profile's chain of relative links to `environment`, made by hand (not a root):
    ``default -> default-1-link -> ../store/HASH-env``."""
    folder = tmp_path / "profiles"
    folder.mkdir()
    relative = os.path.relpath(store.path(environment.out), folder)
    (folder / "default-1-link").symlink_to(relative)
    (folder / "default").symlink_to("default-1-link")
    return folder / "default"


@contextlib.contextmanager
def running(argv: list[str], **kwargs: object) -> Iterator[subprocess.Popen[bytes]]:
    proc = subprocess.Popen(argv, **kwargs)  # type: ignore[call-overload]
    try:
        yield proc
    finally:
        proc.kill()
        proc.wait()


def runtime_sources(store: Store) -> dict[str, set[str]]:
    """For each store path a runtime root holds, the processes that hold it."""
    found: dict[str, set[str]] = {}
    for root in find_roots(store):
        if root.kind == "runtime":
            found.setdefault(root.path, set()).add(root.source)
    return found


def test_a_program_started_through_links_holds_the_store_path_they_lead_to(
    store: Store, environment: Derivation, profile: Path
) -> None:
    with running([str(profile / "bin" / "run"), "60"]) as proc:
        held = runtime_sources(store)
        assert f"process {proc.pid} (program)" in held[environment.out]
        collect_garbage(store)
        assert valid(store, environment) == [True]
    collect_garbage(store)
    assert valid(store, environment) == [False]


def test_a_relative_program_is_followed_from_the_process_folder(
    store: Store, environment: Derivation, profile: Path
) -> None:
    relative = os.path.join(".", profile.name, "bin", "run")
    with running([relative, "60"], cwd=profile.parent) as proc:
        assert f"process {proc.pid} (program)" in runtime_sources(store)[environment.out]


def test_a_program_found_on_path_is_followed_from_there(
    store: Store, environment: Derivation, profile: Path
) -> None:
    path = f"{profile.parent / 'elsewhere'}{os.pathsep}{profile / 'bin'}"
    with running(["run", "60"], env={"PATH": path}) as proc:
        assert f"process {proc.pid} (program)" in runtime_sources(store)[environment.out]


def test_a_link_loop_ends_the_walk(store: Store, tmp_path: Path) -> None:
    (tmp_path / "a").symlink_to("b")
    (tmp_path / "b").symlink_to("a")
    sleep = shutil.which("sleep")
    assert sleep is not None
    # The process's first word is a loop of links; gc still lists the rest and ends.
    with running([str(tmp_path / "a"), "60"], executable=sleep):
        assert runtime_sources(store) == {}
