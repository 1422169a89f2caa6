"""A requested output that is registered but gone from the store folder (deleted by hand) is
not answered as built: ``pybuild build`` fails naming it and the command that puts it back,
the long way and on the no-op fast path alike; a missing input, or a full disk, is the hint
of a build that fails on it."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pybuild import buildstep
from pybuild.derivations import derivation
from pybuild.errors import BuildError, StoreError
from pybuild.realiser import BuildOptions, _hint_at_the_cause, realise
from pybuild.store import Store
from pybuild.store.temproots import release_temp_roots
from pybuild.store.validity import valid
from support.fixtures import BuildIndex, write_fixture_recipes

SCRIPT = 'mkdir "$out" && echo hi > "$out/f"'


def built(store: Store) -> str:
    drv = derivation(name="base", builder="/bin/sh", args=["-c", SCRIPT], store=store)
    with open(os.devnull, "w") as log:
        realise([drv], store, BuildOptions(log=log))
    release_temp_roots(store)
    return drv.out


def deleted(store: Store, name: str) -> None:
    """``chmod -R u+w $S; rm -rf $S``, as the tester did."""
    path = store.path(name)
    for dirpath, _, _ in os.walk(path):
        os.chmod(dirpath, 0o755)
    shutil.rmtree(path)


def test_realise_refuses_a_registered_output_that_is_missing(store: Store) -> None:
    name = built(store)
    deleted(store, name)
    drv = derivation(name="base", builder="/bin/sh", args=["-c", SCRIPT], store=store)
    with pytest.raises(StoreError) as raised, open(os.devnull, "w") as log:
        realise([drv], store, BuildOptions(log=log))
    assert str(store.path(name)) in str(raised.value)
    assert raised.value.hint.startswith(
        f"pybuild verify --check-contents --repair {store.path(name)}"
    )


def test_the_fast_paths_validity_asks_that_the_paths_are_there(store: Store) -> None:
    name = built(store)
    assert valid(str(store.var), [name])
    deleted(store, name)
    assert not valid(str(store.var), [name])


def test_build_fails_and_the_hinted_repair_puts_it_back(tmp_path: Path, store: Store) -> None:
    file = tmp_path / "recipe.py"
    file.write_text(
        "from pybuild import derivation\n"
        f"base = derivation(name='base', builder='/bin/sh', args=['-c', {SCRIPT!r}])\n"
    )
    argv = [sys.executable, "-m", "pybuild", "build", "-f", str(file), "base"]
    first = subprocess.run(argv, capture_output=True, text=True, check=True)
    path = first.stdout.strip()
    deleted(store, os.path.basename(path))
    for _ in range(2):  # the second one as a repeated no-op, on the fast path if it has one
        again = subprocess.run(argv, capture_output=True, text=True)
        assert again.returncode != 0, again.stdout
        assert again.stdout == ""
        assert f"{path} is registered but missing" in again.stderr
        assert f"pybuild verify --check-contents --repair {path}" in again.stderr
    dry = subprocess.run([*argv, "--dry-run"], capture_output=True, text=True)
    assert dry.returncode == 1 and f"{path} is registered but missing" in dry.stderr
    report = subprocess.run([*argv, "--json"], capture_output=True, text=True)
    assert report.returncode == 1 and '"valid"' not in report.stdout, report.stdout
    assert '"failed"' in report.stdout
    repair = ["verify", "--check-contents", "--repair", path]
    done = subprocess.run(
        [sys.executable, "-m", "pybuild", *repair], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert subprocess.run(argv, capture_output=True, text=True, check=True).stdout == first.stdout
    assert (Path(path) / "f").read_text() == "hi\n"


def test_a_missing_input_is_hinted_at_over_any_other_hint(store: Store) -> None:
    """A sandboxed build reading an input deleted by hand got the sandbox's hint (declare
    what it reads), which the missing input's hint, the cause, came after and gave way to."""
    name = built(store)
    reader = derivation(
        name="reader",
        builder="/bin/sh",
        args=["-c", f"cat {store.path(name)}/f > $out; exit 1"],
        env={"inputs": store.path(name)},
        store=store,
    )
    deleted(store, name)
    error = BuildError("reader", "builder exited with status 1", "", "")
    error.hint = "the build ran in the sandbox: it sees only its declared inputs"
    _hint_at_the_cause(error, reader, store)
    assert error.hint.startswith(f"{store.path(name)} is registered but missing")


def test_a_build_failing_on_a_full_disk_says_so_though_its_log_could_not(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A builder whose ``No space left on device`` could not be written to its log (the disk
    full) failed with 'builder exited with status 1', an empty log and no hint."""
    drv = derivation(name="full", builder="/bin/sh", args=["-c", "exit 1"], store=store)
    monkeypatch.setattr(buildstep, "_ROOM", 1 << 62)  # every disk as full as the builder left it
    with pytest.raises(BuildError) as raised, open(os.devnull, "w") as log:
        realise([drv], store, BuildOptions(log=log))
    assert "is full, so its log may lack the builder's last words" in raised.value.reason
    assert raised.value.hint == buildstep.DISK_FULL_HINT
    monkeypatch.setattr(buildstep, "_ROOM", 0)
    with pytest.raises(BuildError) as raised, open(os.devnull, "w") as log:
        realise([drv], store, BuildOptions(log=log))
    assert "is full" not in raised.value.reason and raised.value.hint != buildstep.DISK_FULL_HINT


def test_an_environment_is_not_made_without_a_package_deleted_by_hand(
    use_index: BuildIndex, tmp_path: Path, store: Store
) -> None:
    """It was made without the package's links, registered, and served after a repair."""
    from pybuild.pkgset import DEFAULT_RECIPES, package_set

    recipes = write_fixture_recipes(tmp_path / "recipes", use_index, ["shout"])
    pkgs = package_set(recipes=[DEFAULT_RECIPES, recipes])
    with open(os.devnull, "w") as log:
        realise([pkgs.shout.drv], store, BuildOptions(log=log))
    deleted(store, pkgs.shout.drv.out)
    env = pkgs.python.with_packages(lambda ps: [ps.shout])
    with pytest.raises(BuildError) as raised, open(os.devnull, "w") as log:
        realise([env.drv], store, BuildOptions(log=log))
    assert f"{store.path(pkgs.shout.drv.out)}, a package of it, is not in" in raised.value.tail
    assert "is registered but missing from the store folder" in raised.value.hint
    assert not store.is_valid(env.drv.out)


def test_run_of_a_package_deleted_by_hand_says_so(
    use_index: BuildIndex, tmp_path: Path, store: Store
) -> None:
    """run read the package's pybuild-package.json, and failed with 'FileNotFoundError … a
    bug in pybuild?'."""
    recipes = write_fixture_recipes(tmp_path / "recipes", use_index, ["shout", "greet"])
    argv = [sys.executable, "-m", "pybuild", "run", "--recipes", str(recipes), "greet"]
    subprocess.run(argv, capture_output=True, check=True)
    path = next(p for p in store.dir.iterdir() if p.name.endswith("-greet-1.0"))
    deleted(store, path.name)
    told = subprocess.run(argv, capture_output=True, text=True)
    assert told.returncode == 1 and "a bug in pybuild" not in told.stderr, told.stderr
    assert f"{path} is registered but missing from the store folder" in told.stderr


def test_a_build_dir_given_through_the_api_that_is_a_file_is_said_so(
    store: Store, tmp_path: Path
) -> None:
    """The settings refuse it when they load; BuildOptions(build_dir=…) reached the store's
    mkdir, and failed as FileExistsError, 'a bug in pybuild?'."""
    (tmp_path / "afile").write_text("")
    drv = derivation(name="dir", builder="/bin/sh", args=["-c", "mkdir $out"], store=store)
    for given in (tmp_path / "afile", tmp_path / "afile" / "below"):
        options = BuildOptions(log=io.StringIO(), build_dir=str(given))
        with pytest.raises(StoreError, match=f"build_dir {given} is not a folder"):
            realise([drv], store, options)
