"""A package with extras whose extra needs a package that needs it back (``pytest[dev]``:
pytest-xdist needs pytest), in an environment, a lock and a profile: one build of it.

Hermetic: the index of :mod:`test_profiles_index` (hand-made wheels beside the build index's
files): ``anvil`` 1.0, whose ``dev`` extra needs ``bellows``, which needs ``anvil``.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from test_profiles import cli, run
from test_profiles_index import Publish, publish  # noqa: F401  (the fixture)

from pybuild.lazy import force
from pybuild.pkgset import package_set
from pybuild.python.environment import VersionConflict

BACK_EDGE = (("anvil", "1.0", "bellows; extra == 'dev'"), ("bellows", "1.0", "anvil"))


@pytest.fixture
def pkgs(publish: Publish) -> object:  # noqa: F811  (the fixture imported above)
    publish(*BACK_EDGE)
    return package_set()


def test_a_package_with_an_extra_that_needs_it_back_is_in_the_environment_once(pkgs) -> None:
    """bellows needs anvil, so the environment of anvil[dev] had the plain anvil too, through
    it: two builds of anvil 1.0, refused. uv installs the distribution once with its extra's
    requirements; so does the environment, with the build that has them."""
    dev = pkgs.from_pypi("anvil", extras=["dev"])
    env = pkgs.python.with_packages([dev])
    assert [(p.pname, p.drv.drv_name) for p in env.closure] == [
        ("anvil", dev.drv.drv_name),
        ("bellows", force(dev.dependencies[0]).drv.drv_name),
    ]
    assert env.spec["listed"] == env.spec["programs"][:1] == [str(dev)]
    # Listed beside the plain one (in either order), the one with the extra is kept alone.
    plain = pkgs.from_pypi("anvil")
    for listed in ([plain, dev], [dev, plain]):
        both = pkgs.python.with_packages(listed, listed_programs_only=True)
        assert [p.drv.drv_name for p in both.closure] == [p.drv.drv_name for p in env.closure]
        assert both.spec["listed"] == both.spec["programs"] == [str(dev)]


def test_other_builds_of_one_version_are_still_refused(pkgs) -> None:
    """Only a package and itself with extras are one (an override of the one with extras is
    still that package with extras: ``pytest[dev]`` with its checks off); another build of
    the plain package is not."""
    dev = pkgs.from_pypi("anvil", extras=["dev"])
    plain = pkgs.from_pypi("anvil")
    changed = plain.override_python_attrs(env={"CHANGED": "1"})
    unchecked = dev.override_python_attrs(do_check=False).override(lambda old: old)
    alone = pkgs.python.with_packages([unchecked])  # bellows pulls in the plain anvil
    assert [p.drv.drv_name for p in alone.closure if p.pname == "anvil"] == [unchecked.drv.drv_name]
    nothing = pkgs.from_pypi("anvil", extras=["nosuch"])  # warned of: it adds nothing
    for packages in ([dev, changed], [unchecked, changed], [nothing, changed]):
        env = pkgs.python.with_packages(packages)
        with pytest.raises(VersionConflict, match="anvil is in the environment twice, as two"):
            env.drv  # noqa: B018 - making it is the point


def test_two_extras_of_one_package_asked_apart_are_one_build_with_both(
    publish: Publish,  # noqa: F811  (the fixture imported above)
) -> None:
    """``shell -p 'pypi:anvil[dev]' -p 'pypi:anvil[gears]'`` was refused: two builds of anvil
    1.0. uv installs anvil once with both extras' requirements; so does the environment, in
    the place of the first, with each package the two extras need once."""
    publish(
        ("anvil", "1.0", "bellows; extra == 'dev'", "cogs; extra == 'gears'", *SHARED),
        ("bellows", "1.0", "anvil"),
        ("cogs", "1.0"),
        ("drum", "1.0"),
    )
    pkgs = package_set()
    dev, gears = (pkgs.from_pypi("anvil", extras=[e]) for e in ("dev", "gears"))
    env = pkgs.python.with_packages([dev, gears, pkgs.from_pypi("anvil")])
    anvil = [p for p in env.closure if p.pname == "anvil"]
    assert len(anvil) == 1 and env.closure[0] is anvil[0]
    assert sorted(force(d).pname for d in anvil[0].attrs["dependencies"]) == [
        "bellows",
        "cogs",
        "drum",
    ]
    assert env.spec["listed"] == [str(anvil[0])]
    inside = "import anvil, bellows, cogs, drum; print(anvil.VERSION)"
    asked = ("-p", "pypi:anvil[dev]", "-p", "pypi:anvil[gears]")
    assert cli("shell", *asked, "--run", f"python -c '{inside}'").stdout == "1.0\n"


SHARED = ("drum; extra == 'dev'", "drum; extra == 'gears'")  # a package both extras need


def test_shell_lock_and_profile_of_a_package_with_such_an_extra(
    pkgs, tmp_path: Path, pybuild_home: Path
) -> None:
    """The commands a user of ``pytest[dev]`` runs: each has one anvil, with its extra."""
    both = "import anvil, bellows; print(anvil.VERSION)"
    assert cli("shell", "-p", "pypi:anvil[dev]", "--run", f"python -c '{both}'").stdout == "1.0\n"
    lock = tmp_path / "pylock.toml"
    cli("lock", "pypi:anvil[dev]", "-o", lock)
    packages = tomllib.loads(lock.read_text())["packages"]
    assert [(p["name"], p.get("dependencies")) for p in packages] == [
        ("anvil", [{"name": "bellows"}]),
        ("bellows", [{"name": "anvil"}]),
    ]
    # A profile keeps it so when another package is removed (its environment made of the
    # current one's store paths).
    python = pybuild_home / "var" / "profiles" / "default" / "bin" / "python"
    cli("install", "pypi:anvil[dev]")
    cli("install", "pypi:bellows")
    cli("remove", "bellows")
    assert run(python, "-c", both).stdout == "1.0\n"
    where = "import os, anvil; print(os.path.realpath(anvil.__file__))"
    dev = pkgs.from_pypi("anvil", extras=["dev"])
    assert run(python, "-c", where).stdout.startswith(f"{dev}/")


# selfx's extra all asks for selfx[a] (dask's complete asks for dask[array,…]); 2.0's extra a
# needs a dep 2 the index lacks; 0.1's metadata cannot be read (a 2015 sdist's hook failing).
ITSELF = (
    ("selfx", "0.1", "not a requirement!"),
    ("selfx", "1.0", "selfx[a]; extra == 'all'", "dep>=1; extra == 'a'"),
    ("selfx", "2.0", "selfx[a]; extra == 'all'", "dep>=2; extra == 'a'"),
    ("dep", "1.0"),
)


def test_an_extra_asking_for_its_own_project_is_of_the_release_that_asks(
    publish: Publish,  # noqa: F811  (the fixture imported above)
    tmp_path: Path,
) -> None:
    """As pip and uv: selfx[all] 2.0 asks for selfx[a] 2.0, which cannot be had, so selfx
    1.0 is taken. Read as any release of selfx, resolvelib tried every one for selfx[a]
    before going back on selfx[all] (dask[complete] went back through 215 releases), and
    reading 0.1's metadata failed the whole resolution."""
    publish(*ITSELF)
    lock = tmp_path / "pylock.toml"
    cli("lock", "pypi:selfx[all]", "-o", lock)
    packages = tomllib.loads(lock.read_text())["packages"]
    assert sorted((p["name"], p["version"]) for p in packages) == [("dep", "1.0"), ("selfx", "1.0")]


# tool's final releases need clk 8; its pre-release 1.5b1 takes clk 7 (black and click 7).
PRE_ONLY_FITS = (
    ("tool", "1.0", "clk>=8"),
    ("tool", "1.5b1", "clk>=7"),
    ("tool", "2.0", "clk>=8"),
    ("clk", "7.0"),
    ("clk", "8.0"),
)


def test_a_pre_release_is_taken_when_no_final_release_works_with_the_rest(
    publish: Publish,  # noqa: F811  (the fixture imported above)
    tmp_path: Path,
) -> None:
    """As uv (``black`` with ``click<8`` is black 21.12b0): a pre-release comes after every
    final release, and is taken when none of them works with the rest of the request, where
    pip would fail; with clk free, the newest final release is taken."""
    publish(*PRE_ONLY_FITS)
    for asked, expected in (
        (["pypi:tool", "pypi:clk<8"], [("clk", "7.0"), ("tool", "1.5b1")]),
        (["pypi:tool"], [("clk", "8.0"), ("tool", "2.0")]),
    ):
        lock = tmp_path / "pylock.toml"
        cli("lock", *asked, "-o", lock)
        packages = tomllib.loads(lock.read_text())["packages"]
        assert sorted((p["name"], p["version"]) for p in packages) == expected
