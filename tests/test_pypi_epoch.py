"""Releases whose version has a PEP 440 epoch (``1!2.0``), whose ``!`` no store name can hold,
on a local index; no network.

The index holds ``ripe`` 1!2.0 (a pure wheel with a data file, which installer finds by the
wheel's file name) and ``sown`` 1!3.0 (an sdist building with flit-core), next to the real
build-tool wheels.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from test_pypi import _project, build_env, cli, run_python

from pybuild.fetchers import FILE_NAME, fetch_pypi
from pybuild.lazy import force
from pybuild.pkgset import DEFAULT_RECIPES, package_set
from pybuild.realiser import BuildOptions, realise
from pybuild.store import Store
from pybuild.store.paths import store_spelling
from support.fixtures import WHEEL_CACHE, BuildIndex, published
from support.index import make_sdist, make_wheel

RIPE_WHEEL = "ripe-1!2.0-py3-none-any.whl"
# A data file of the wheel: installer installs its .data folder only if the wheel's file name
# gives the version its folder is named by.
RIPE_DATA = "ripe-1!2.0.data/data/share/ripe/notes.txt"


@pytest.fixture(scope="module")
def dists(build_index: BuildIndex, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Every file of the index; `build_index` fills the cache of the build tools' wheels."""
    tmp = tmp_path_factory.mktemp("epoch-dists")
    made = [
        make_wheel(
            tmp, "ripe", "1!2.0", {"ripe/__init__.py": "VERSION = '1!2.0'\n", RIPE_DATA: "ripe\n"}
        ),
        make_sdist(tmp, "sown", "1!3.0", _project("sown", "1!3.0")),
    ]
    return [*made, *sorted(WHEEL_CACHE.glob("*.whl"))]


@pytest.fixture
def index(dists: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return published(tmp_path / "index", dists, monkeypatch)


def test_a_name_a_store_can_hold_is_spelt_as_it_is_and_an_epoch_with_equals() -> None:
    assert store_spelling("six-1.17.0-py2.py3-none-any.whl") == "six-1.17.0-py2.py3-none-any.whl"
    assert store_spelling("python3.12-x-1.0_1+local") == "python3.12-x-1.0_1+local"
    assert store_spelling("cfn_review_bot-1!2024.1.tar.gz") == "cfn_review_bot-1=2024.1.tar.gz"


def test_epoch_releases_resolve_evaluate_build_and_import(index: Path) -> None:
    pkgs = package_set(recipes=[DEFAULT_RECIPES])
    ripe, sown = pkgs.from_pypi("ripe"), pkgs.from_pypi("sown")
    assert (ripe.version, sown.version) == ("1!2.0", "1!3.0")
    xy = f"{sys.version_info.major}.{sys.version_info.minor}"
    assert ripe.drv.name == f"python{xy}-ripe-1=2.0"
    assert sown.drv.name == f"python{xy}-sown-1=3.0"
    assert force(ripe.attrs["src"]).name == "ripe-1=2.0-py3-none-any.whl"
    assert force(sown.attrs["src"]).name == "sown-1=3.0.tar.gz"
    env = build_env(pkgs, [ripe, sown])
    assert run_python(env, "import ripe, sown; print(ripe.VERSION, sown.VERSION)") == "1!2.0 1!3.0"
    # installed from the wheel under its own name: its data file where data goes
    assert (Path(str(ripe)) / "share" / "ripe" / "notes.txt").read_text() == "ripe\n"


def test_a_wheel_pinned_by_url_is_installed_under_its_own_name(index: Path) -> None:
    """A pinned url= names the store path after the URL's file, with ``_`` for what a name
    cannot hold (as before); the builder still gets the wheel's own name."""
    pkgs = package_set(recipes=[DEFAULT_RECIPES])
    found = force(pkgs.from_pypi("ripe").attrs["src"])
    src = fetch_pypi("ripe", "1!2.0", found.output_hash, "wheel", url=found.meta["url"])
    assert src.name == "ripe-1_2.0-py3-none-any.whl"
    assert src.meta[FILE_NAME] == RIPE_WHEEL
    ripe = pkgs.from_pypi("ripe").override_python_attrs(src=src)
    assert json.loads(dict(ripe.drv.env)["PYBUILD_ATTRS"])["src_name"] == RIPE_WHEEL
    with open("/dev/null", "w") as quiet:
        realise([ripe.drv], Store.default(), BuildOptions(log=quiet))
    assert (Path(str(ripe)) / "share" / "ripe" / "notes.txt").read_text() == "ripe\n"


def test_lock_and_eval_of_an_epoch_release_on_the_command_line(index: Path, tmp_path: Path) -> None:
    lock = tmp_path / "pylock.toml"
    cli("lock", "pypi:ripe", "pypi:sown", "-o", str(lock))
    assert f'name = "{RIPE_WHEEL}"' in lock.read_text()
    shown = json.loads(cli("eval", "--json", "pypi:sown").stdout)
    assert (shown["version"], shown["drvPath"][-len("sown-1=3.0.drv") :]) == (
        "1!3.0",
        "sown-1=3.0.drv",
    )


def test_an_error_in_eval_exits_non_zero(tmp_path: Path) -> None:
    recipe = tmp_path / "bad.py"
    recipe.write_text("from pybuild import fetch_url\nbad = fetch_url('file:///x', name='a b')\n")
    result = cli("eval", "-f", str(recipe), "bad", ok=False)
    assert "characters ' ' are not allowed" in result.stderr
    assert result.returncode == 1
