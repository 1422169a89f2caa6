"""How long a saved ``pypi:`` resolution (a plan) is trusted, and ``--refresh``, on a local
index whose releases each test publishes as it goes; no network.

The releases: ``demo-x`` 1.0 and 2.0, ``tpypi-app`` 1.0 (needs ``tpypi-demo``, unpinned) and
``tpypi-demo`` 1.0 and 2.0, each a pure wheel, next to the real build-tool wheels.
"""

from __future__ import annotations

import json
import shutil
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from test_pypi import _metadata, cli, wheel

from pybuild.generate.plan import Request
from pybuild.importers.requirements import RequirementLine
from support.fixtures import WHEEL_CACHE, BuildIndex, index_environ
from support.index import write_index

_DAY = 24 * 3600


@pytest.fixture(scope="module")
def releases(build_index: BuildIndex, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every release's wheel by ``name-version``; `build_index` fills the build tools' cache."""
    tmp = tmp_path_factory.mktemp("refresh-dists")
    made = {}
    for name, version, requires in (
        ("demo-x", "1.0", []),
        ("demo-x", "2.0", []),
        ("tpypi-app", "1.0", ["tpypi-demo"]),
        ("tpypi-demo", "1.0", []),
        ("tpypi-demo", "2.0", []),
    ):
        code = f"VERSION = '{version}'\n"
        made[f"{name}-{version}"] = wheel(
            tmp, name, version, code, _metadata(name, version, requires)
        )
    return made


class Publisher:
    """The test's index: :meth:`publish` writes it anew with the releases named."""

    def __init__(self, root: Path, releases: dict[str, Path]) -> None:
        self.root, self.releases = root, releases

    def publish(self, *names: str, yanked: tuple[str, ...] = ()) -> None:
        files = [self.releases[n] for n in names]
        reasons = {self.releases[n].name: "it was broken" for n in yanked}
        shutil.rmtree(self.root, ignore_errors=True)  # what is not named is gone
        write_index(self.root, [*files, *sorted(WHEEL_CACHE.glob("*.whl"))], yanked=reasons)


@pytest.fixture
def index(releases: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Publisher:
    publisher = Publisher(tmp_path / "index", releases)
    publisher.publish("demo-x-1.0")
    for name, value in index_environ((tmp_path / "index").as_uri()).items():
        monkeypatch.setenv(name, value)
    return publisher


def _version(*args: str) -> str:
    out = cli("eval", "-q", "--json", *args).stdout
    return str(json.loads(out)["version"])


def _locked(path: Path) -> dict[str, str]:
    return {p["name"]: p["version"] for p in tomllib.loads(path.read_text())["packages"]}


def _age_plans(pybuild_home: Path, seconds: float) -> int:
    """Set every saved plan's `created` back by `seconds`, as though made that long ago."""
    plans = list((pybuild_home / "var" / "cache" / "pypi").glob("*/plans/*.json"))
    for plan in plans:
        data = json.loads(plan.read_text())
        data["created"] -= seconds
        plan.write_text(json.dumps(data))
    return len(plans)


# -- --refresh: resolve again, using no saved plan and no evaluation record -----------------


def test_refresh_resolves_again_and_the_new_plan_is_kept(index: Publisher) -> None:
    """As uv's --refresh: a newer release published within the day is seen when asked for;
    without it the saved plan answers (the day's rule), and after it the new plan does."""
    assert _version("pypi:demo-x") == "1.0"
    index.publish("demo-x-1.0", "demo-x-2.0")
    assert _version("pypi:demo-x") == "1.0"
    assert _version("--refresh", "pypi:demo-x") == "2.0"
    assert _version("pypi:demo-x") == "2.0"


def test_refresh_passes_over_the_evaluation_record_of_build_and_run(
    index: Publisher, tmp_path: Path
) -> None:
    """A repeated build is answered from its evaluation record (in the fast path too), which
    holds while its plan does: --refresh evaluates again, and its new record answers next."""
    first = cli("build", "pypi:demo-x").stdout
    assert "demo-x-1.0" in first
    index.publish("demo-x-1.0", "demo-x-2.0")
    assert cli("build", "pypi:demo-x").stdout == first
    refreshed = cli("build", "--refresh", "pypi:demo-x").stdout
    assert "demo-x-2.0" in refreshed
    assert cli("build", "pypi:demo-x").stdout == refreshed
    program = "import demo_x; print(demo_x.VERSION)"
    index.publish("demo-x-1.0")  # 2.0 withdrawn: a refresh sees 1.0 again
    ran = cli("run", "--refresh", "--with", "pypi:demo-x", "python", "-c", program)
    assert ran.stdout.strip() == "1.0"
    shell = cli("shell", "--refresh", "-p", "pypi:demo-x", "--run", f'python -c "{program}"')
    assert shell.stdout.strip() == "1.0"
    lock = tmp_path / "pylock.toml"
    cli("lock", "--refresh", "pypi:demo-x", "-o", str(lock))
    assert _locked(lock) == {"demo-x": "1.0"}


def test_install_refresh_and_upgrade_resolve_again(index: Publisher) -> None:
    """``upgrade`` is for taking what is newer: it resolves its pypi: packages again, as uv's
    upgrade and nix profile upgrade evaluate again; it said "nothing changed" while the index
    had a newer release. ``install --refresh`` resolves what it installs again."""
    cli("install", "pypi:demo-x")
    index.publish("demo-x-1.0", "demo-x-2.0")
    upgraded = cli("upgrade")
    assert "upgrading demo-x 1.0 -> demo-x 2.0" in upgraded.stderr, upgraded.stderr
    index.publish("demo-x-1.0")
    assert "nothing changed" in cli("install", "pypi:demo-x").stderr
    reinstalled = cli("install", "--refresh", "pypi:demo-x").stderr
    assert "nothing changed" not in reinstalled and "1.0" in reinstalled


def test_requests_meaning_the_same_share_one_plan() -> None:
    def key(text: str) -> str:
        return Request((RequirementLine(Requirement(text)),)).key("py", "any")

    assert key("demo-x>=1") == key("demo_x >= 1.0") == key("Demo.X>=1.0.0")
    assert key("demo-x[b,a]==2") == key("demo-x[a,b]==2.0")
    assert key("demo-x~=1.0") != key("demo-x~=1.0.0")  # they differ: ~=1.0.0 is < 1.1
    assert key("demo-x==1.*") != key("demo-x==1.0.*")


# -- an exact pin holds for good only when nothing in its plan is unpinned ------------------


def test_an_exact_pins_unpinned_dependencies_are_resolved_again_after_a_day(
    index: Publisher, tmp_path: Path, pybuild_home: Path
) -> None:
    """tpypi-app==1.0 needs tpypi-demo, unpinned: its plan is resolved again after a day, as
    an unpinned request's is; it answered the tpypi-demo it first saw for good."""
    index.publish("tpypi-app-1.0", "tpypi-demo-1.0")
    lock = tmp_path / "pylock.toml"
    cli("lock", "pypi:tpypi-app==1.0", "-o", str(lock))
    assert _locked(lock) == {"tpypi-app": "1.0", "tpypi-demo": "1.0"}
    index.publish("tpypi-app-1.0", "tpypi-demo-1.0", "tpypi-demo-2.0")
    cli("lock", "pypi:tpypi-app==1.0", "-o", str(lock))
    assert _locked(lock) == {"tpypi-app": "1.0", "tpypi-demo": "1.0"}  # within the day
    assert _age_plans(pybuild_home, 2 * _DAY)
    cli("lock", "pypi:tpypi-app==1.0", "-o", str(lock))
    assert _locked(lock) == {"tpypi-app": "1.0", "tpypi-demo": "2.0"}


def test_a_plan_of_exact_pins_alone_holds_for_good(
    index: Publisher, tmp_path: Path, pybuild_home: Path
) -> None:
    """Every release of the plan is one the request pins: nothing newer can change it, so it
    is used days later, with no index at all."""
    index.publish("tpypi-app-1.0", "tpypi-demo-1.0")
    args = ("pypi:tpypi-app==1.0", "pypi:tpypi-demo==1.0")
    lock = tmp_path / "pylock.toml"
    cli("lock", *args, "-o", str(lock))
    assert _age_plans(pybuild_home, 30 * _DAY)
    index.publish()  # the index has nothing now: only the saved plan can answer
    cli("lock", *args, "-o", str(lock))
    assert _locked(lock) == {"tpypi-app": "1.0", "tpypi-demo": "1.0"}


# -- a release yanked after it was resolved ------------------------------------------------


def test_refresh_sees_a_release_yanked_since_it_was_resolved(index: Publisher) -> None:
    """A saved plan says nothing of a yank that came after it (until it is resolved again);
    --refresh resolves again: an exact pin is taken with the warning, a range passes it over."""
    index.publish("demo-x-1.0", "demo-x-2.0")
    assert "yanked" not in cli("eval", "pypi:demo-x==2.0").stderr
    assert _version("pypi:demo-x") == "2.0"
    index.publish("demo-x-1.0", "demo-x-2.0", yanked=("demo-x-2.0",))
    assert "yanked" not in cli("eval", "pypi:demo-x==2.0").stderr  # the saved plan's answer
    told = cli("eval", "-q", "--refresh", "pypi:demo-x==2.0").stderr
    assert "warning: demo-x 2.0 is yanked (reason: it was broken)" in told
    assert "warning: demo-x 2.0 is yanked" in cli("eval", "pypi:demo-x==2.0").stderr  # saved
    assert _version("pypi:demo-x") == "2.0"  # a range skips it only when resolved again
    assert _version("--refresh", "pypi:demo-x") == "1.0"
