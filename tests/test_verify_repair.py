"""``verify --repair`` of a store that lost more than a path: its ``store/`` folder itself.

Every registered path is then missing; each one a cache keeps is put back into a store folder
made again as a build makes it, and each other one (the derivations, lost with the folder, so
nothing can be rebuilt) is said to be beyond repair, not a crash.
"""

# ruff: noqa: F811 - `filled`, test_cache.py's fixture, is imported to be a parameter here

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

from test_cache import Filled, filled  # noqa: F401 - filled: a fixture
from test_link_cache import fill

from pybuild.derivations import derivation
from pybuild.realiser import BuildOptions, realise
from pybuild.store import Store
from pybuild.store.temproots import release_temp_roots


def remove_store_folder(store: Store) -> None:
    """``chmod -R u+w store; rm -rf store``, as the tester did."""
    for dirpath, dirnames, _ in os.walk(store.dir):
        for name in dirnames:
            path = os.path.join(dirpath, name)
            if not os.path.islink(path):
                os.chmod(path, 0o755)
    os.chmod(store.dir, 0o755)
    shutil.rmtree(store.dir)


def made_mode() -> int:
    """The mode a build gives the store folder it makes: a folder's, as the umask leaves it."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o777 & ~umask


def test_without_a_cache_each_path_lost_with_the_store_folder_is_said_to_be_beyond_repair(
    tmp_path: Path,
) -> None:
    """The derivations went with the folder, so nothing can be rebuilt: each path is named
    with why and what to do, and the command fails; it does not crash."""
    store = Store(tmp_path / "home")
    source = derivation(name="source", builder="/bin/sh", args=["-c", 'echo text > "$out"'])
    with open(os.devnull, "w") as log:
        realise([source], store, BuildOptions(log=log))
    release_temp_roots(store)
    remove_store_folder(store)

    env = {**os.environ, "PYBUILD_HOME": str(store.home)}
    argv = [sys.executable, "-m", "pybuild", "verify", "--repair", "--option", "link_cache", ""]
    done = subprocess.run(argv, capture_output=True, text=True, env=env)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert "bug in pybuild" not in done.stderr
    for name in store.registry.paths():
        assert f"missing: {store.path(name)}" in done.stdout
        assert f"cannot repair {store.path(name)}: neither the link cache" in done.stderr


def test_a_path_is_put_back_into_a_store_folder_that_is_gone(store: Store) -> None:
    """The folder is made again as a build makes it, then the fresh copy renamed in."""
    name = store.add_text("note", "text\n")
    remove_store_folder(store)
    fresh = store.new_tmp_dir("test") / name
    fresh.write_text("text\n")
    store.replace_contents(name, fresh)
    assert store.path(name).read_text() == "text\n"
    assert stat.S_IMODE(os.stat(store.dir).st_mode) == made_mode()
    assert list(store.verify(check_contents=True)) == []


def test_the_link_cache_repairs_every_path_of_a_store_folder_that_is_gone(
    filled: Filled, tmp_path: Path
) -> None:
    links, home = tmp_path / "links", tmp_path / "home-1"
    store, _ = fill(filled, home, links)
    release_temp_roots(store)
    remove_store_folder(store)

    env = {
        **os.environ,
        "PYBUILD_HOME": str(home),
        "PYBUILD_LINK_CACHE": str(links),
        "PYBUILD_TRUSTED_PUBLIC_KEYS": filled.public,
    }
    argv = [sys.executable, "-m", "pybuild", "verify", "--repair"]
    done = subprocess.run(argv, capture_output=True, text=True, env=env)
    assert "Traceback" not in done.stderr and "bug in pybuild" not in done.stderr, done.stderr
    for drv in (filled.chain.app, filled.chain.lib):
        path = store.path(drv.out)
        assert f"hard-linked {path} from the link cache {links}" in done.stderr
        assert f"repaired: {path}" in done.stdout
    assert stat.S_IMODE(os.stat(store.dir).st_mode) == made_mode()
    drvs = {n for n in store.registry.paths() if n.endswith(".drv")}  # no cache keeps them
    assert {p.path for p in store.verify(check_contents=True)} == drvs
    assert done.returncode == 1 and all(
        f"cannot repair {store.path(n)}" in done.stderr for n in drvs
    )
