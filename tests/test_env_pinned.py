"""An environment's python run through a link (a profile, a result link) stays on the store path
the link named when it started, as a program of Nix's environments does: a generation made
meanwhile is not half seen."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from pybuild.errors import UsageError
from pybuild.pkgset import DEFAULT_RECIPES, package_set
from pybuild.python.builder.env import build
from pybuild.python.locate import locate_python
from pybuild.realiser import BuildOptions, realise
from pybuild.store import Store
from support.fixtures import BuildIndex, write_fixture_recipes

# What the interpreter says of where it is, then (once told to go on) which shout it imports.
_PROBE = """\
import json, site, sys, sysconfig
print(json.dumps({
    "prefix": sys.prefix, "exec_prefix": sys.exec_prefix, "executable": sys.executable,
    "path": sys.path, "site": site.getsitepackages(),
    "purelib": sysconfig.get_paths()["purelib"],
}), flush=True)
sys.stdin.readline()
import shout
print(shout.VERSION, flush=True)
"""


def quiet() -> BuildOptions:
    return BuildOptions(log=open(os.devnull, "w"))


def build_env(pkgs, names: list[str]) -> Path:
    env = pkgs.python.with_packages(lambda ps: [ps[n] for n in names])
    realise([env.drv], Store.default(), quiet())
    return Path(str(env))


def point(link: Path, target: Path) -> None:
    """Make `link` name `target` by one rename, as a profile switches generations."""
    new = link.with_name(link.name + ".new")
    new.symlink_to(target)
    new.rename(link)


def start(python: Path, probe: str = _PROBE) -> subprocess.Popen[str]:
    argv = [str(python), "-c", probe]
    pipes = {"stdin": subprocess.PIPE, "stdout": subprocess.PIPE, "stderr": subprocess.PIPE}
    return subprocess.Popen(argv, env={}, cwd="/", text=True, **pipes)  # type: ignore[call-overload]


@pytest.fixture
def envs(use_index: BuildIndex, tmp_path: Path) -> tuple[Path, Path, str]:
    recipes = write_fixture_recipes(tmp_path / "recipes", use_index, ("shout", "shout_2"))
    pkgs = package_set(recipes=[DEFAULT_RECIPES, recipes])
    return build_env(pkgs, ["shout"]), build_env(pkgs, ["shout_2"]), pkgs.python.site_packages


def test_python_through_a_link_stays_on_the_store_path_it_started_with(
    envs: tuple[Path, Path, str], tmp_path: Path
) -> None:
    old, new, site_rel = envs
    profile = tmp_path / "profile"
    point(profile, old)
    process = start(profile / "bin" / "python")
    assert process.stdout is not None and process.stdin is not None
    seen = json.loads(process.stdout.readline())
    point(profile, new)  # a new generation, while it runs
    out, err = process.communicate("\n")
    assert process.returncode == 0, err
    assert out.strip() == "1.0"  # the generation it started with, not the new one
    store = os.path.realpath(old)
    site = os.path.join(store, site_rel)
    assert (seen["prefix"], seen["exec_prefix"]) == (store, store)
    assert seen["executable"] == os.path.join(store, "bin", "python")
    assert site in seen["path"]
    assert not [entry for entry in seen["path"] if entry.startswith(str(profile))]
    assert len(seen["path"]) == len(set(seen["path"]))
    assert (seen["site"], seen["purelib"]) == ([site], site)


def test_python_of_the_store_path_and_of_a_link_to_it_see_the_same(
    envs: tuple[Path, Path, str], tmp_path: Path
) -> None:
    env = envs[0]
    result = tmp_path / "result"
    result.symlink_to(env)
    seen = []
    for python in (env / "bin" / "python", result / "bin" / "python"):
        process = start(python)
        out, err = process.communicate("\n")
        assert process.returncode == 0, err
        seen.append(out.splitlines())
    assert seen[0] == seen[1]
    assert json.loads(seen[0][0])["prefix"] == os.path.realpath(env)


def _interpreter(version: str) -> str:
    try:
        return locate_python(version)
    except UsageError:
        pytest.skip(f"no python{version} here")


def _env_of(python: str, version: str, value: int, store: Path) -> Path:
    """An environment laid out by the builder of a package whose own ``.pth`` names a folder
    of its site-packages (as an editable install's does) with a module of `value`."""
    site = f"lib/python{version}/site-packages"
    package = store / f"{value}-python{version}-pthpkg-1.0"
    (package / site / "pthpkg_extra").mkdir(parents=True)
    (package / site / "pthpkg.pth").write_text("pthpkg_extra\n")
    (package / site / "pthpkg_extra" / "extramod.py").write_text(f"VALUE = {value}\n")
    spec = {
        "python": python,
        "version": f"{version}.0",
        "site_packages": site,
        "closure": [str(package)],
        "programs": [str(package)],
        "ignore_collisions": False,
    }
    env = store / f"{value}-env"
    build(spec, env)
    return env


_EXTRA_PROBE = """\
import json, sys
print(json.dumps(sys.path), flush=True)
sys.stdin.readline()
import extramod
print(extramod.VALUE, flush=True)
"""


@pytest.mark.parametrize("version", ["3.10", "3.11", "3.12", "3.13", "3.14"])
def test_a_folder_a_packages_pth_adds_is_pinned_too(version: str, tmp_path: Path) -> None:
    """A package's ``.pth`` that names a folder is read by site after the environment's own
    pinned it, from the site-packages named through the link: its folder was added through
    the link, ahead of its pinned copy, and its modules came from the new generation."""
    python = _interpreter(version)
    old = _env_of(python, version, 1, tmp_path / "store")
    new = _env_of(python, version, 2, tmp_path / "store")
    profile = tmp_path / "profile"
    point(profile, old)
    seen = []
    for run in (old / "bin" / "python", profile / "bin" / "python"):
        process = start(run, _EXTRA_PROBE)
        assert process.stdout is not None
        seen.append(json.loads(process.stdout.readline()))
        point(profile, new)  # a new generation, while it runs
        out, err = process.communicate("\n")
        point(profile, old)
        assert process.returncode == 0, err
        assert out.strip() == "1"  # the generation it started with
    assert seen[0] == seen[1]
    assert os.path.join(old, f"lib/python{version}/site-packages/pthpkg_extra") in seen[1]


@pytest.mark.parametrize("version", ["3.10", "3.11", "3.12", "3.13", "3.14"])
def test_a_venv_made_through_a_link_is_made_as_from_the_store_path(
    version: str, tmp_path: Path
) -> None:
    """Python 3.10 takes ``sys._base_executable`` from the path it was run by, unresolved, and
    venv names its folder ``home``: a venv made by a profile's python named the profile."""
    env = _env_of(_interpreter(version), version, 1, tmp_path / "store")
    result = tmp_path / "result"
    result.symlink_to(env)
    made = []
    for python in (env / "bin" / "python", result / "bin" / "python"):
        venv = tmp_path / "venv"
        argv = [str(python), "-m", "venv", "--without-pip", str(venv)]
        subprocess.run(argv, env={}, cwd="/", check=True, capture_output=True)
        made.append((venv / "pyvenv.cfg").read_text())  # home, and executable from 3.11
        shutil.rmtree(venv)
    assert made[0] == made[1]
    assert str(result) not in made[1]


def test_python_through_a_link_holds_its_store_path_open_for_the_collector(
    envs: tuple[Path, Path, str], tmp_path: Path
) -> None:
    """Once the link names another generation, nothing else of the process names the store
    path it runs from: a collection keeps what a process holds open."""
    from pybuild.store.roots import _process_paths

    old, new, _ = envs
    profile = tmp_path / "profile"
    point(profile, old)
    process = start(profile / "bin" / "python")
    assert process.stdout is not None
    process.stdout.readline()
    point(profile, new)
    try:
        found = [
            data for what, data in _process_paths(f"/proc/{process.pid}") if what == "open file"
        ]
    finally:
        process.communicate("\n")
    assert os.fsencode(os.path.realpath(old)) in found
