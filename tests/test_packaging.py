"""pybuild as users install it: a wheel in a fresh venv finds its default set and examples.

The default set (``recipes/``) and the overlay examples (``overlays/``) live at the top of the
repository and ship inside the wheel as package data; these tests build the wheel, install it
into a new virtual environment and build from another folder, as a user of the wheel would.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from site import getsitepackages

import pytest

from pybuild.pkgset import package_set
from support.fixtures import WHEEL_CACHE, BuildIndex, index_environ
from support.setbuild import home_environ, shared_root, unsupported_here

ROOT = Path(__file__).resolve().parent.parent


def test_the_package_list_names_every_package_of_the_tree() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(config["packages"])
    folders = {
        ".".join(p.relative_to(ROOT).parts)
        for p in (ROOT / "pybuild").rglob("*")
        if p.is_dir() and p.name != "__pycache__" and any(p.glob("*.py"))
    }
    assert folders | {"pybuild"} | set(config["package-dir"]) == listed


@dataclass
class Installed:
    wheel: Path
    python: Path  # the venv's interpreter, with pybuild installed from the wheel
    site: Path


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Installed]:
    """pybuild's wheel, built offline with the cached setuptools, in a fresh venv whose other
    dependencies are the running interpreter's (``--system-site-packages``)."""
    from support.wheelcache import fill_cache

    fill_cache(log=lambda *_: None)
    base = tmp_path_factory.mktemp("packaging")
    dist = base / "dist"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-index", "--find-links",
         str(WHEEL_CACHE), "-w", str(dist), str(ROOT)],
        check=True, capture_output=True, env={**os.environ, "PIP_CONFIG_FILE": os.devnull},
    )  # fmt: skip
    (wheel,) = dist.glob("pybuild-*.whl")
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", venv], check=True)
    python = venv / "bin" / "python"
    if sys.prefix != sys.base_prefix:
        _see_the_running_venvs_packages(python)
    # --force-reinstall: the editable pybuild seen through --system-site-packages is not it.
    subprocess.run(
        [python, "-m", "pip", "install", "-q", "--no-deps", "--no-index", "--force-reinstall",
         wheel],
        check=True, capture_output=True, env={**os.environ, "PIP_CONFIG_FILE": os.devnull},
    )  # fmt: skip
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    yield Installed(wheel, python, Path(site))


def _see_the_running_venvs_packages(python: Path) -> None:
    """Add the running venv's site folders to the venv of `python`, after its own: a venv made
    from a venv is one of its base interpreter, whose site-packages --system-site-packages adds,
    so pybuild's dependencies, installed in the running venv, were missing."""
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    (Path(site) / "_running_venv.pth").write_text("".join(f"{f}\n" for f in getsitepackages()))


# The wheel's user has no checkout on PYTHONPATH (a developer running the tests may).
_USER_ENVIRON = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}


def pybuild(installed: Installed, *args: object, cwd: Path, env: dict[str, str]):
    return subprocess.run(
        [installed.python, "-m", "pybuild", *map(str, args)],
        cwd=cwd,
        env={**_USER_ENVIRON, **env},
        capture_output=True,
        text=True,
        timeout=1800,
    )


def test_the_wheel_ships_the_default_set_and_every_file_of_the_examples(
    installed: Installed,
) -> None:
    names = set(zipfile.ZipFile(installed.wheel).namelist())
    for folder, package in (("recipes", "pybuild/recipes"), ("overlays", "pybuild/overlays")):
        shipped = {
            f"{package}/{p.relative_to(ROOT / folder).as_posix()}"
            for p in (ROOT / folder).rglob("*")
            if p.is_file() and "__pycache__" not in p.parts
        }
        assert shipped and shipped <= names, sorted(shipped - names)
    assert "pybuild/py.typed" in names
    assert not [n for n in names if n.startswith(("recipes/", "overlays/"))]  # no top level


def test_the_installed_command_is_our_launcher_not_an_installers_wrapper(
    installed: Installed,
) -> None:
    """``pybuild`` is bin/pybuild, which loads only what the command needs: no entry point,
    whose wrapper (pip writes it) imports ``re`` at every start."""
    names = zipfile.ZipFile(installed.wheel).namelist()
    version = installed.wheel.name.split("-")[1]
    assert f"pybuild-{version}.data/scripts/pybuild" in names
    assert not [n for n in names if n.endswith("entry_points.txt")]
    command = installed.python.parent / "pybuild"
    assert "import re" not in command.read_text()
    done = subprocess.run(
        [command, "--version"], env=_USER_ENVIRON, capture_output=True, text=True, check=True
    )
    assert done.stdout.startswith(f"pybuild {version} from {installed.site / 'pybuild'} (python ")


def test_an_installed_wheel_builds_from_its_default_set_in_another_folder(
    installed: Installed, build_index: BuildIndex, tmp_path: Path
) -> None:
    where = subprocess.run(
        [installed.python, "-c", "from pybuild.bundled import *;"
         "print(default_recipes()); print(example_overlays())"],
        cwd=tmp_path, env=_USER_ENVIRON, check=True, capture_output=True, text=True,
    ).stdout.split()  # fmt: skip
    assert where == [str(installed.site / "pybuild" / n) for n in ("recipes", "overlays")]
    env = {**index_environ(build_index.file_url), "PYBUILD_HOME": str(tmp_path / "home")}
    result = pybuild(installed, "build", "flit_core", cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert Path(result.stdout.strip(), "lib").is_dir()


def test_an_install_without_its_recipes_folder_says_so_where_the_default_set_is_needed(
    tmp_path: Path, use_index: BuildIndex
) -> None:
    """A partial install (a wheel built without its package data): a set of the user's own
    folders still evaluates, and a command that needs the default set says in one line that
    it is missing, with a hint that works, rather than a traceback raised again while the
    error is described."""
    site = tmp_path / "site"
    shutil.copytree(
        ROOT / "pybuild", site / "pybuild", ignore=shutil.ignore_patterns("__pycache__")
    )
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "leaf.py").write_text(
        "def recipe(build_python_package):\n"
        f"    return build_python_package(pname='leaf', version='1.0', src={str(mine)!r})\n"
    )
    # The test's environment as it is now (its index's), not as it was at import.
    env = {**os.environ, "PYTHONPATH": str(site), "PYBUILD_HOME": str(tmp_path / "home")}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, *args], cwd=tmp_path, env=env, capture_output=True, text=True
        )

    missing = (
        "error: pybuild's recipes folder is missing from this installation\n"
        "  hint: reinstall pybuild with its package data, or leave the default set out: "
        "--no-default-recipes --recipes DIR\n"
    )
    for args in (["leaf"], ["--recipes", "mine", "leaf"]):
        result = run("-m", "pybuild", "build", *args)
        assert (result.returncode, result.stderr) == (1, missing)
    alone = run("-m", "pybuild", "eval", "--no-default-recipes", "--recipes", "mine", "leaf")
    assert alone.returncode == 0, alone.stderr
    assert "name: python" in alone.stdout
    library = run(
        "-c", "import pybuild.pkgset\ntry:\n    from pybuild.pkgset import DEFAULT_RECIPES\n"
        "except Exception as e:\n    print(type(e).__name__, e)",
    )  # fmt: skip
    assert library.stdout == (
        "UsageError pybuild's recipes folder is missing from this installation\n"
        "  hint: reinstall pybuild with its package data, or leave the default set out: "
        "--no-default-recipes --recipes DIR\n"
    ), library.stderr


def test_a_profile_of_the_users_folders_is_recorded_where_none_is_shipped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A profile's manifest names pybuild's own folders by name, and checked whether a folder
    is one of them by asking for them, which failed on an installation without them."""
    from pybuild import bundled
    from pybuild.profiles import manifest

    monkeypatch.setattr(bundled, "shipped", lambda name: None)
    mine = str(tmp_path / "mine")
    assert manifest._named(mine) == mine == manifest._located(mine)


def test_the_default_set_is_importable_by_name_from_the_package_set_module() -> None:
    from pybuild.pkgset import DEFAULT_RECIPES

    assert DEFAULT_RECIPES == ROOT / "recipes" and (DEFAULT_RECIPES / "six.py").is_file()


EXAMPLES = {  # each overlay example, and what to build with it
    "private_package.py": ["hello_private"],
    "scipy_older.py": ["scipy"],
    "numpy_1_everywhere.py": ["matplotlib"],
    "no_checks.py": ["requests"],
}


def test_every_overlay_example_is_tried_here() -> None:
    assert sorted(p.name for p in (ROOT / "overlays").glob("*.py")) == sorted(EXAMPLES)


@pytest.mark.network
@pytest.mark.parametrize("example", sorted(EXAMPLES))
def test_each_overlay_example_builds_from_an_installed_wheel(
    installed: Installed, example: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # The home the network tests of this interpreter share: the set's packages that the
    # examples do not change (fonttools and its test suite, pillow, …) are built once a run,
    # by whichever test needs them first; the installed pybuild makes the same output paths.
    root = shared_root(tmp_path_factory)
    if example == "numpy_1_everywhere.py":
        reason = unsupported_here(package_set(), "numpy_1")
        if reason is not None:
            pytest.skip(reason)
    overlay = installed.site / "pybuild" / "overlays" / example
    cwd = tmp_path_factory.mktemp("elsewhere")
    result = pybuild(
        installed, "build", "--overlay", overlay, *EXAMPLES[example],
        cwd=cwd, env=home_environ(root),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    if example == "private_package.py":  # built from its pyproject.toml, shipped in the wheel
        out = Path(result.stdout.strip())
        assert (out / "bin" / "hello-private").is_file()


def test_the_recipe_writing_api_is_exported_from_the_top() -> None:
    import pybuild

    names = {"package_set", "build_python_package", "fetch_pypi", "fetch_url", "derivation"}
    names |= {"PackageSet", "PythonPackage", "realise", "Store"}
    assert names <= set(pybuild.__all__)
    for name in pybuild.__all__:
        assert getattr(pybuild, name).__name__ == name
