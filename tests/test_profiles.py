"""Profiles: install, remove, upgrade, generations and rollback, as a user runs them.

Hermetic: the fixture projects `shout` (1.0 and 2.0) and `greet` (needs shout, has a console
script) are built from the local build index. One network test does the same with the real
numpy and requests recipes.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from pybuild import evalcache, realiser
from pybuild.cli import main
from pybuild.pkgset import DEFAULT_RECIPES
from pybuild.profiles import Profile, ProfileError, changes, install, remove
from pybuild.profiles.generations import switch_generation
from pybuild.profiles.manifest import Manifest
from pybuild.realiser import BuildOptions
from pybuild.store import Store
from support.fixtures import BuildIndex, write_fixture_recipes
from support.setbuild import checks_off


@pytest.fixture
def recipes(use_index: BuildIndex, tmp_path: Path) -> Path:
    return write_fixture_recipes(tmp_path / "recipes", use_index, ("shout", "shout_2", "greet"))


def cli(
    *args: object, ok: bool = True, env: dict[str, str] | None = None, status: int = 1
) -> subprocess.CompletedProcess[str]:
    """Run pybuild; it must succeed, or (`ok` False) exit with `status`: 1 for what was read
    and failed, 2 for a command line that cannot be read."""
    result = subprocess.run(
        [sys.executable, "-m", "pybuild", *map(str, args)],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=600,
    )
    assert "Traceback" not in result.stderr, result.stderr
    if ok:
        assert result.returncode == 0, result.stderr
    else:
        assert result.returncode == status, result.stderr
    return result


def sets(recipes: Path) -> list[str]:
    return ["--recipes", str(DEFAULT_RECIPES), "--recipes", str(recipes)]


def run(
    program: Path | str, *args: str, path: str | None = None
) -> subprocess.CompletedProcess[str]:
    """Run a program with an empty environment (only PATH, when given)."""
    env = {"PATH": path} if path is not None else {}
    return subprocess.run([str(program), *args], env=env, capture_output=True, text=True)


def imports(python: Path, module: str) -> bool:
    return run(python, "-c", f"import {module}").returncode == 0


def quiet() -> BuildOptions:
    return BuildOptions(log=open(os.devnull, "w"))


def snapshot(folder: Path) -> dict[str, str]:
    """Every entry of a profiles folder: link targets and file contents."""
    found = {}
    for entry in sorted(folder.iterdir()):
        if entry.is_symlink():
            found[entry.name] = "-> " + os.readlink(entry)
        elif entry.is_file():
            found[entry.name] = entry.read_text()
    return found


def generations(profile: str = "default") -> list[dict]:
    return json.loads(cli("list-generations", "--json", "--profile", profile).stdout)


# -- the user's scenario ----------------------------------------------------------------------


def test_install_rollback_switch_delete_and_gc_as_a_user_would(recipes: Path) -> None:
    bin_dir = Path(cli("profile", "path").stdout.strip())
    assert cli("profile").stdout.strip() == str(bin_dir)  # path is the default action
    python = bin_dir / "python"
    assert not bin_dir.exists()

    cli("install", *sets(recipes), "shout")
    version = run(python, "--version").stdout
    assert version.startswith("Python 3.")
    assert imports(python, "shout") and not imports(python, "greet")

    cli("install", *sets(recipes), "greet")
    assert run(python, "--version").stdout == version
    assert run(bin_dir / "greet").stdout.strip() == "HELLO FROM GREET!"
    # On PATH, as a user would put it: `python` and the console script come from the profile.
    probe = run(
        "sh", "-c", "python -c 'import greet, shout' && greet", path=f"{bin_dir}:/usr/bin:/bin"
    )
    assert probe.stdout.strip() == "HELLO FROM GREET!", probe.stderr
    listed = json.loads(cli("list", "--json").stdout)
    assert [(p["attr"], p["version"]) for p in listed] == [("greet", "1.0"), ("shout", "1.0")]

    cli("rollback")
    assert run(python, "--version").stdout == version
    assert imports(python, "shout") and not imports(python, "greet")
    assert not (bin_dir / "greet").exists()
    assert [g["current"] for g in generations()] == [True, False]

    cli("switch-generation", "2")
    assert run(python, "--version").stdout == version
    assert imports(python, "greet") and imports(python, "shout")
    first, second = generations()
    assert second["current"] and second["packages"] == ["greet", "shout"]

    live = {
        row["path"] for row in json.loads(cli("path-info", "-r", "--json", bin_dir.parent).stdout)
    }
    cli("delete-generations", "old")
    assert [g["generation"] for g in generations()] == [2]
    dry = json.loads(cli("gc", "--dry-run", "--json").stdout)
    done = json.loads(cli("gc", "--json").stdout)
    assert first["environment"] in done["deleted"]  # the environment only generation 1 had
    assert sorted(dry["deleted"]) == sorted(done["deleted"]) and done["freed"] > 0
    assert not live & set(done["deleted"])
    assert all(os.path.exists(p) for p in live)
    assert not os.path.exists(first["environment"])
    assert run(bin_dir / "greet").stdout.strip() == "HELLO FROM GREET!"
    assert run(python, "--version").stdout == version
    assert cli("verify", "--check-contents").returncode == 0
    again = json.loads(cli("gc", "--json").stdout)
    assert again["deleted"] == []  # everything left is live


def test_profile_links_are_relative_and_the_home_can_move(
    recipes: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store.default()
    profile = Profile(store, "default")
    install(profile, ["shout"], recipes=[str(DEFAULT_RECIPES), str(recipes)], options=quiet())
    for link in profile.dir.iterdir():
        if link.is_symlink():
            assert not os.path.isabs(os.readlink(link))
    moved = tmp_path / "moved"
    shutil.move(store.home, moved)
    assert imports(moved / "var" / "profiles" / "default" / "bin" / "python", "shout")
    monkeypatch.setenv("PYBUILD_HOME", str(moved))
    assert cli("list").stdout.split()[:3] == ["shout", "shout", "1.0"]


# -- upgrade, replace, conflicts ---------------------------------------------------------------


def test_upgrade_takes_the_changed_recipe_and_install_keeps_versions(recipes: Path) -> None:
    cli("install", *sets(recipes), "shout")
    # The recipe folder changes under the profile: `shout` is now version 2.0.
    shutil.copy(recipes / "shout_2.py", recipes / "shout.py")
    refused = cli("install", *sets(recipes), "greet", ok=False)
    assert "shout" in refused.stderr and "pybuild upgrade shout" in refused.stderr
    assert len(generations()) == 1  # nothing changed

    upgraded = cli("upgrade")
    assert "upgrading shout 1.0 -> shout 2.0" in upgraded.stderr
    bin_python = Path(cli("profile", "path").stdout.strip()) / "python"
    assert run(bin_python, "-c", "import shout; print(shout.VERSION)").stdout.strip() == "2.0"
    assert "nothing changed" in cli("upgrade", "shout").stderr
    assert len(generations()) == 2
    cli("rollback")
    assert run(bin_python, "-c", "import shout; print(shout.VERSION)").stdout.strip() == "1.0"


def test_remove_keeps_the_others_as_built_and_a_rebuilt_one_is_named_so(recipes: Path) -> None:
    """After a change to a recipe that keeps its name and version (as an update of pybuild's
    builder changes every package's derivation), ``remove`` keeps the others as the store has
    them, as ``nix-env -e`` does; an install, which evaluates them, says what changed."""
    cli("install", *sets(recipes), "greet", "shout")
    before = {p["attr"]: p["out"] for p in json.loads(cli("list", "--json").stdout)}
    shout = recipes / "shout.py"
    shout.write_text(shout.read_text().replace("dependencies=", 'env={"X": "1"}, dependencies='))
    assert "removing greet 1.0" in cli("remove", "greet").stderr
    (kept,) = json.loads(cli("list", "--json").stdout)
    assert (kept["attr"], kept["out"]) == ("shout", before["shout"])  # not evaluated again
    bin_python = Path(cli("profile", "path").stdout.strip()) / "python"
    assert run(bin_python, "-c", "import shout; print(shout.VERSION)").stdout.strip() == "1.0"
    assert not imports(bin_python, "greet")
    refused = cli("install", *sets(recipes), "greet", ok=False).stderr
    assert "shout (shout 1.0) of profile default is built otherwise than when it was" in refused
    assert "still shout 1.0, but its derivation changed" in refused
    assert "pybuild upgrade shout" in refused
    assert "rebuilding shout 1.0" in cli("upgrade").stderr


def test_an_upgrade_that_changes_nothing_after_a_remove_makes_no_generation(
    recipes: Path,
) -> None:
    """``remove`` makes its environment of the store paths, an upgrade of the packages'
    derivations: another derivation of the same environment, and no change to the profile."""
    cli("install", *sets(recipes), "greet", "shout")
    cli("remove", "greet")
    assert "nothing changed" in cli("upgrade").stderr
    assert len(generations()) == 2


def test_install_from_a_file_keeps_its_file_and_upgrade_reads_it_again(
    recipes: Path, tmp_path: Path
) -> None:
    """``install -f FILE ATTR``, as ``nix-env -f FILE -i``: the manifest names the file, an
    install of another package evaluates it again, and only upgrade takes what it now says."""
    project = tmp_path / "default.py"
    text = (
        "from pybuild.pkgset import DEFAULT_RECIPES, package_set\n"
        f"pkgs = package_set(recipes=[DEFAULT_RECIPES, {str(recipes)!r}])\n"
        "app = pkgs.{app}\n"
    )
    project.write_text(text.format(app="shout"))
    assert "shout-1.0" in cli("install", "-f", project, "--dry-run", "app").stderr
    assert generations() == []
    cli("install", "-f", project, "app")
    cli("install", *sets(recipes), "greet")  # needs shout 1.0, as app is
    greet, app = json.loads(cli("list", "--json").stdout)  # by name: greet, shout
    assert (app["attr"], app["version"], app["file"]) == ("app", "1.0", str(project))
    assert greet["attr"] == "greet" and "file" not in greet
    cli("remove", "greet")
    project.write_text(text.format(app="shout_2"))
    refused = cli("install", *sets(recipes), "greet", ok=False)
    assert f"changed in its file {project}" in refused.stderr
    assert "pybuild upgrade app" in refused.stderr
    assert "upgrading shout 1.0 -> shout 2.0" in cli("upgrade", "app").stderr
    bin_python = Path(cli("profile", "path").stdout.strip()) / "python"
    assert run(bin_python, "-c", "import shout; print(shout.VERSION)").stdout.strip() == "2.0"
    assert [g["generation"] for g in generations()] == [1, 2, 3, 4]
    mixed = cli("install", "-f", project, *sets(recipes), "app", ok=False).stderr
    assert f"{project} makes its own package set, so --recipes would not apply" in mixed
    project.unlink()
    for command in (("install", *sets(recipes), "greet"), ("upgrade",)):
        lost = cli(*command, ok=False).stderr
        assert f"installed from {project}, which is gone" in lost
        assert "pybuild remove app" in lost
    cli("remove", "app")


def test_a_lost_overlay_or_recipe_folder_is_needed_only_by_what_keeps_it(
    recipes: Path, use_index: BuildIndex, tmp_path: Path
) -> None:
    """A package whose recorded overlay or recipe folder is gone: an install that keeps it names
    it and the way out; one that upgrades it with new ones or installs it anew needs none, nor
    does a remove of another package, which keeps it as it is in the store."""
    extra = write_fixture_recipes(tmp_path / "extra", use_index, ("megaphone",))
    overlay, new = tmp_path / "ov.py", tmp_path / "new.py"
    for path in (overlay, new):
        path.write_text("def overlay(final, prev):\n    return {}\n")
    cli("install", *sets(recipes), "--overlay", overlay, "shout")
    cli("install", *sets(extra), "megaphone")
    overlay.unlink()
    kept = cli("install", *sets(extra), "megaphone", ok=False).stderr
    assert f"shout (shout 1.0) of profile default was installed with the overlay {overlay}" in kept
    assert "`pybuild upgrade shout --overlay NEW`" in kept and "`pybuild remove shout`" in kept
    assert len(generations()) == 2
    cli("upgrade", "shout", "--overlay", new)  # the old overlay is not needed
    new.unlink()
    cli("install", *sets(recipes), "shout")  # nor is the one it replaces
    assert json.loads(cli("list", "--json").stdout)[1]["overlays"] == []
    shutil.rmtree(extra)
    lost = cli("install", *sets(recipes), "greet", ok=False).stderr
    assert "megaphone (megaphone 1.0) of profile default was installed with the recipe" in lost
    assert f"folder {extra}, which is gone" in lost
    assert "`pybuild upgrade megaphone --recipes NEW`" in lost
    again = write_fixture_recipes(tmp_path / "again", use_index, ("megaphone",))
    cli("upgrade", "megaphone", *sets(again))
    shutil.rmtree(again)
    cli("remove", "shout")
    assert [p["attr"] for p in json.loads(cli("list", "--json").stdout)] == ["megaphone"]
    assert len(generations()) == 6


def test_a_dry_run_says_what_would_change_in_the_profile_and_what_it_builds(
    recipes: Path,
) -> None:
    """As ``nix-env -i --dry-run``: the new environment counts, though every package is built."""
    cli("install", *sets(recipes), "shout")
    before = snapshot(Store.default().var / "profiles")
    dry = cli("install", *sets(recipes), "--dry-run", "greet").stderr
    assert "would install greet 1.0" in dry
    assert "profile default: would make generation 2 (install greet)" in dry
    assert "-env" in dry and "nothing to do" not in dry
    dry = cli("install", *sets(recipes), "--dry-run", "shout_2").stderr
    assert "would replace shout 1.0 by shout 2.0" in dry and "-env" in dry
    removed = cli("remove", "--dry-run", "shout").stderr
    assert "would remove shout 1.0" in removed and "would make generation 2" in removed
    assert "nothing would change" in cli("upgrade", "--dry-run").stderr
    assert snapshot(Store.default().var / "profiles") == before


def test_remove_dry_run_help_says_what_it_does() -> None:
    """remove builds no package: its --dry-run is not described as a build's."""
    shown = " ".join(cli("remove", "--help").stdout.split())
    assert "--dry-run print what would be removed and what the new generation's" in shown
    assert "downloaded and copied from a cache" not in shown


def test_a_repeated_install_is_answered_from_the_evaluation_cache(
    recipes: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(evalcache, "_SETTLED_NS", 0)  # in-process: no settling margin needed
    for recipe in recipes.iterdir():
        os.utime(recipe, (time.time() - 100,) * 2)
    evaluated: list[str] = []
    real = changes._Work.evaluate
    monkeypatch.setattr(
        changes._Work,
        "evaluate",
        lambda work, attr, *a: evaluated.append(attr) or real(work, attr, *a),
    )
    install_shout = ["install", *sets(recipes), "shout"]
    assert main(install_shout) == 0
    assert main(install_shout) == 0  # evaluated: the profile has changed since the last record
    assert evaluated == ["shout", "shout"]  # the installed shout is replaced, not evaluated
    assert main(install_shout) == 0
    assert evaluated == ["shout", "shout"]  # answered from the record of the last one
    assert capsys.readouterr().err.count("profile default: nothing changed") == 2
    assert main(["--option", "eval_cache", "false", *install_shout]) == 0
    assert len(evaluated) == 3
    # An edited recipe is noticed: the install evaluates it, and replaces shout by the new one.
    shutil.copy(recipes / "shout_2.py", recipes / "shout.py")
    os.utime(recipes / "shout.py", (time.time() - 50,) * 2)
    assert main(install_shout) == 0
    assert "replacing shout 1.0 by shout 2.0" in capsys.readouterr().err
    assert len(generations()) == 2


def test_a_profile_names_pybuilds_own_recipes_so_an_old_one_still_upgrades(
    recipes: Path, pybuild_home: Path
) -> None:
    cli("install", *sets(recipes), "shout")
    manifest = pybuild_home / "var" / "profiles" / "default-1.json"
    text = manifest.read_text()
    assert '"pybuild:recipes"' in text and str(DEFAULT_RECIPES) not in text
    # As a profile made when the default set lay inside the package recorded it:
    old = os.path.join(os.sep, "old", "site-packages", "pybuild", "recipes")
    manifest.write_text(text.replace('"pybuild:recipes"', json.dumps(old)))
    assert "nothing changed" in cli("upgrade").stderr


def test_installing_another_version_replaces_it_and_conflicts_change_nothing(
    recipes: Path,
) -> None:
    cli("install", *sets(recipes), "shout")
    replaced = cli("install", *sets(recipes), "shout_2")
    assert "replacing shout 1.0 by shout 2.0" in replaced.stderr
    assert [(p["pname"], p["version"]) for p in json.loads(cli("list", "--json").stdout)] == [
        ("shout", "2.0")
    ]
    before = snapshot(Store.default().var / "profiles")
    conflict = cli("install", *sets(recipes), "greet", ok=False)  # greet needs shout 1.0
    assert "shout is in the environment twice" in conflict.stderr
    assert snapshot(Store.default().var / "profiles") == before


def test_list_lines_up_its_columns_whatever_the_lengths(recipes: Path) -> None:
    cli("install", *sets(recipes), "greet", "pypi:shout>=0.1,!=0.5,<2,!=1.9")
    lines = cli("list").stdout.splitlines()
    assert len(lines) == 2 and len({line.index(os.sep) for line in lines}) == 1


def test_packages_from_the_index_by_name(recipes: Path) -> None:
    cli("install", *sets(recipes), "pypi:shout")
    cli("install", *sets(recipes), "greet")  # pypi:shout is kept at the version it has
    listed = json.loads(cli("list", "--json").stdout)
    assert [(p["attr"], p["version"]) for p in listed] == [("greet", "1.0"), ("pypi:shout", "1.0")]
    assert "nothing changed" in cli("upgrade", "shout").stderr
    cli("remove", "shout")
    assert [p["attr"] for p in json.loads(cli("list", "--json").stdout)] == ["greet"]
    cli("install", *sets(recipes), "pypi:shout[loud]<2")  # the newest within a range
    cli("remove", "greet")  # shout is kept: asked again as pypi:shout[loud]==1.0
    listed = json.loads(cli("list", "--json").stdout)
    assert [(p["attr"], p["version"]) for p in listed] == [("pypi:shout[loud]<2", "1.0")]
    # Its project names it, as `uv tool uninstall shout` finds it, at a version it admits.
    for name in ("pypi:shout", "pypi:shout==1.0", "pypi:shout<3"):
        assert "would remove shout 1.0" in cli("remove", "--dry-run", name).stderr
        assert "upgrading" not in cli("upgrade", "--dry-run", name).stderr
    other = cli("remove", "--dry-run", "pypi:shout>=2", ok=False).stderr
    assert "pypi:shout>=2 is not installed in profile default" in other


def test_packages_from_the_index_are_resolved_together_and_with_those_kept(
    use_index: BuildIndex,
) -> None:
    """As ``uv pip install greet "shout<2"``: greet's newest shout is 2.0, so each resolved
    alone would put two shouts in the profile; and a later ``pypi:greet`` fits the shout the
    profile keeps, as ``uv pip install greet`` keeps what is installed."""
    bin_python = Path(cli("profile", "path").stdout.strip()) / "python"
    shout = "import shout, greet; print(shout.VERSION)"
    cli("install", "pypi:greet", "pypi:shout<2")
    assert run(bin_python, "-c", shout).stdout.strip() == "1.0"
    cli("remove", "greet")
    cli("install", "pypi:greet")  # with the shout kept: pypi:shout==1.0
    assert run(bin_python, "-c", shout).stdout.strip() == "1.0"
    listed = json.loads(cli("list", "--json").stdout)
    assert [(p["attr"], p["version"]) for p in listed] == [
        ("pypi:greet", "1.0"),
        ("pypi:shout<2", "1.0"),
    ]


def test_a_profile_has_the_programs_of_what_was_installed_and_a_shell_all(
    recipes: Path, use_index: BuildIndex
) -> None:
    """As nix-env, uv tool and pipx put a tool's programs on PATH, not its dependencies'; a
    shell's environment has them all, as a venv has."""
    write_fixture_recipes(recipes, use_index, ("megaphone",))
    (recipes / "loud.py").write_text(
        "def recipe(greet, megaphone):\n"
        "    return greet.override_python_attrs(\n"
        '        lambda old: {"dependencies": [*old["dependencies"], megaphone]})\n'
    )
    cli("install", *sets(recipes), "loud")
    bin_dir = Path(cli("profile", "path").stdout.strip())
    assert (bin_dir / "greet").exists() and not (bin_dir / "megaphone").exists()
    find = "command -v greet; command -v megaphone"
    shell = cli("shell", *sets(recipes), "-p", "loud", "--run", find)
    assert [Path(p).name for p in shell.stdout.split()] == ["greet", "megaphone"]


# -- bad input: clear errors, no damage -------------------------------------------------------


def test_rollback_and_switch_errors(recipes: Path) -> None:
    none = cli("rollback", ok=False)
    assert "has no generation yet" in none.stderr
    for command in ("list", "list-generations"):  # both say so, and list nothing
        listed = cli(command, "--profile", "nope")
        assert (listed.stdout, listed.stderr) == ("", "profile nope has no generation yet\n")
        assert json.loads(cli(command, "--profile", "nope", "--json").stdout) == []
    cli("install", *sets(recipes), "shout")
    first = cli("rollback", ok=False)
    assert "generation 1 is the oldest of profile default" in first.stderr
    assert "hint: `pybuild list-generations` shows them" in first.stderr  # the default profile
    cli("remove", "shout")
    cli("delete-generations", "1")
    folder = Store.default().var / "profiles"
    before = snapshot(folder)
    deleted = cli("switch-generation", "1", ok=False)
    assert (
        "has no generation 1 (it was deleted" in deleted.stderr
        and "generations: 2" in deleted.stderr
    )
    assert "has no generation 7" in cli("switch-generation", "7", ok=False).stderr
    current = cli("delete-generations", "2", ok=False)
    assert "generation 2 is the current one" in current.stderr
    assert snapshot(folder) == before


def test_removing_what_is_not_installed(recipes: Path) -> None:
    cli("install", *sets(recipes), "shout")
    before = snapshot(Store.default().var / "profiles")
    result = cli("remove", "shout", "greet", ok=False)
    assert "greet is not installed in profile default (it has: shout)" in result.stderr
    assert snapshot(Store.default().var / "profiles") == before
    cli("remove", "shout")  # by attribute; the distribution name works as well
    assert json.loads(cli("list", "--json").stdout) == []
    assert "has no packages to upgrade" in cli("upgrade", ok=False).stderr


def test_a_profile_link_changed_by_hand(recipes: Path, tmp_path: Path) -> None:
    cli("install", *sets(recipes), "shout")
    cli("install", *sets(recipes), "shout_2")
    folder = Store.default().var / "profiles"
    link = folder / "default"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    link.unlink()
    link.symlink_to(elsewhere)
    before = snapshot(folder)
    for args in (["install", *sets(recipes), "greet"], ["rollback"], ["list"], ["remove", "shout"]):
        result = cli(*args, ok=False)
        assert "changed by hand" in result.stderr and "switch-generation 2" in result.stderr
    assert snapshot(folder) == before
    gens = cli("list-generations")
    assert "changed by hand" in gens.stderr and len(gens.stdout.splitlines()) == 2

    repaired = cli("switch-generation", "2").stderr  # the repair
    assert repaired == "switched profile default to generation 2 (its link was broken)\n"
    assert json.loads(cli("list", "--json").stdout)[0]["version"] == "2.0"

    # A generation link pointed at another store path: it is not the generation's environment.
    generation_1 = folder / "default-1-link"
    other = Store.default().path(Store.default().add_text("other", "x"))
    generation_1.unlink()
    generation_1.symlink_to(other)
    before = snapshot(folder)
    result = cli("switch-generation", "1", ok=False)
    assert "generation 1 of profile default was changed by hand" in result.stderr
    assert "default-1-link" in cli("rollback", ok=False).stderr
    assert snapshot(folder) == before
    cli("delete-generations", "1")  # the way out the hint names
    assert [g["generation"] for g in generations()] == [2]


def test_a_profile_never_changes_its_interpreter(recipes: Path) -> None:
    cli("install", *sets(recipes), "shout")
    manifest = Store.default().var / "profiles" / "default-1.json"
    data = json.loads(manifest.read_text())
    data["python"]["identity"] = "cpython-3.0.0 sha256-x= cp30"  # as if it had been replaced
    manifest.write_text(json.dumps(data))
    result = cli("install", *sets(recipes), "greet", ok=False)
    assert "never changes its interpreter" in result.stderr and "--profile NAME" in result.stderr


def test_a_new_profile_is_made_for_the_python_asked_and_keeps_it(recipes: Path) -> None:
    """``--python`` chooses a new profile's interpreter (it was ignored: the running one was
    taken); naming another for a profile that has one is refused (remove takes no --python)."""
    from pybuild.errors import UsageError
    from pybuild.python.locate import locate_python

    this = f"{sys.version_info.major}.{sys.version_info.minor}"
    others = []
    for version in ("3.12", "3.13", "3.10", "3.11"):
        with contextlib.suppress(UsageError):
            if version != this and locate_python(version):
                others.append(version)
    if not others:
        pytest.skip("no other CPython is installed")
    version = others[0]
    made = cli("--python", version, "install", "--profile", "other", *sets(recipes), "shout")
    assert "profile other: generation 1" in made.stderr
    [entry] = json.loads(cli("list", "--json", "--profile", "other").stdout)
    assert Path(entry["out"]).name.endswith(f"-python{version}-shout-1.0")
    for change in (["install", *sets(recipes), "greet"], ["upgrade"]):
        refused = cli("--python", this, *change[:1], "--profile", "other", *change[1:], ok=False)
        assert f"profile other uses Python {version}" in refused.stderr, change
        assert "never changes its interpreter" in refused.stderr
    kept = cli("install", "--profile", "other", *sets(recipes), "greet")  # its own, unasked
    assert "profile other: generation 2" in kept.stderr
    first = cli("switch-generation", "1", "--profile", "other")
    assert "switched profile other from generation 2 to 1" in first.stderr
    oldest = cli("rollback", "--profile", "other", ok=False)
    assert "hint: `pybuild list-generations --profile other` shows them" in oldest.stderr


def test_two_attributes_of_one_distribution_in_one_install_are_refused(recipes: Path) -> None:
    """A profile holds one version of a distribution: installing two at once kept the last."""
    both = cli("install", *sets(recipes), "shout", "shout_2", ok=False)
    assert "shout and shout_2 are both shout" in both.stderr
    assert generations() == []


def test_an_upgrade_to_the_same_version_says_it_is_built_anew() -> None:
    old = changes.Entry("six", "six", "1.17.0", "a-six", None, (), None)
    new = changes.Entry("six", "six", "1.17.0", "b-six", None, (), None)
    assert changes._upgrading(old, new).startswith("rebuilding six 1.17.0: its recipe or an")
    other = changes.Entry("six", "six", "1.18.0", "c-six", None, (), None)
    assert changes._upgrading(old, other) == "upgrading six 1.17.0 -> six 1.18.0"
    older = changes.Entry("six", "six", "1.16.0", "d-six", None, (), None)
    assert changes._upgrading(old, older) == "downgrading six 1.17.0 -> six 1.16.0"


def test_a_command_waiting_for_the_profile_says_why(recipes: Path) -> None:
    """A remove, a rollback or a gc -d behind another command's change of the profile said
    nothing."""
    cli("install", *sets(recipes), "shout")
    cli("install", *sets(recipes), "greet")
    profile = Profile(Store.default(), "default")
    for command in (["rollback"], ["remove", "shout"], ["gc", "-d"]):
        with profile.lock():
            waiting = subprocess.Popen(
                [sys.executable, "-m", "pybuild", *command], stderr=subprocess.PIPE, bufsize=0
            )
            said = _said_until(waiting, b"waiting")  # a remove says what it removes first
        rest = waiting.communicate(timeout=600)[1].decode()
        assert said.splitlines()[-1] == (
            "waiting for profile default: another pybuild command is changing it"
        ), said
        assert waiting.returncode == 0, rest


def _said_until(process: subprocess.Popen[bytes], start: bytes, timeout: float = 300) -> str:
    """What `process` wrote to its standard error up to a line that starts with `start`, or
    until it ended or was silent for `timeout` seconds (a hang, not a slow machine). Read from
    the pipe itself: a buffered readline takes two lines written at once, and a select then
    waits on an empty pipe for a line already read."""
    assert process.stderr is not None
    said = b""
    while not any(line.startswith(start) for line in said.splitlines()):
        told, _, _ = select.select([process.stderr], [], [], timeout)
        chunk = os.read(process.stderr.fileno(), 4096) if told else b""
        if not chunk:
            return said.decode() + ("" if told else f"(nothing said in {timeout} s)\n")
        said += chunk
    return said.decode()


def test_a_change_builds_without_the_profile_lock_and_keeps_what_another_made_meanwhile(
    recipes: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An install, remove or upgrade held the profile's lock through its whole evaluation and
    build, so a quick change or a rollback in another terminal waited out a long build. It
    builds without it now, as nix-env does, and a generation made current meanwhile is kept:
    the change starts over from it."""
    profile = Profile(Store.default(), "default")
    dirs = [str(DEFAULT_RECIPES), str(recipes)]
    meanwhile: list[Callable[[], object]] = []  # what another command does during a build
    building = realiser.realise

    def realise(*args: Any, **kwargs: Any) -> Any:
        with profile.lock(lambda line: pytest.fail(f"built under the profile's lock: {line}")):
            pass
        while meanwhile:
            meanwhile.pop()()
        return building(*args, **kwargs)

    monkeypatch.setattr(realiser, "realise", realise)
    lines: list[str] = []
    meanwhile.append(lambda: install(profile, ["greet"], recipes=dirs, options=quiet()))
    install(profile, ["shout"], recipes=dirs, options=quiet(), log=lines.append)
    assert "profile default changed meanwhile (now generation 1): starting over from it" in lines
    done = [
        (g.manifest.action, [e.attr for e in g.manifest.packages]) for g in profile.generations()
    ]
    assert done == [("install greet", ["greet"]), ("install shout", ["greet", "shout"])]

    meanwhile.append(lambda: switch_generation(profile, None))  # a rollback, to greet alone
    remove(profile, ["greet"], options=quiet())
    current = profile.current()
    assert current is not None and current.number == 3 and current.manifest.packages == ()


def test_bad_profile_names_and_generation_specs(recipes: Path) -> None:
    assert "is not a profile name" in cli("list", "--profile", "../x", ok=False).stderr
    assert "is not a profile name" in cli("list", "--profile", "a-1", ok=False).stderr
    json_name = cli("list", "--profile", "a.json", ok=False).stderr
    assert "a name ending in .json would be taken for a generation's manifest" in json_name
    assert "--profile a\n" in json_name
    for before in (["--profile", "p312"], ["--profile=p312"]):
        placed = subprocess.run(
            [sys.executable, "-m", "pybuild", *before, "-q", "list"], capture_output=True, text=True
        )
        assert placed.returncode == 2
        assert placed.stderr == (
            f"error: --profile goes after the command: `pybuild -q list {' '.join(before)}`\n"
        )
    result = cli("delete-generations", "yesterday", ok=False, status=2)
    assert "`old`, generation numbers, `+N`" in result.stderr


# -- several profiles, generation deletion ----------------------------------------------------


def test_profiles_are_independent_and_delete_generations_keeps_what_it_should(
    recipes: Path,
) -> None:
    store = Store.default()
    work = Profile(store, "work")
    options = quiet()
    dirs = [str(DEFAULT_RECIPES), str(recipes)]
    install(work, ["shout"], recipes=dirs, options=options)
    remove(work, ["shout"], options=options)
    install(work, ["shout"], recipes=dirs, options=options)
    install(work, ["shout_2"], recipes=dirs, options=options)
    assert work.numbers() == [1, 2, 3, 4] and work.current_number() == 4
    assert Profile(store, "default").current_number() is None
    assert cli("list").stdout == ""

    # Generation times: 1 and 2 are 10 days old, 3 is 5 days old, 4 is new.
    now = time.time()
    for number, age in ((1, 10), (2, 10), (3, 5)):
        stamp = now - age * 86400
        os.utime(work.dir / f"work-{number}-link", (stamp, stamp), follow_symlinks=False)
    work.switch(3)
    assert work.delete_generations(["7d"], now=now) == [1]  # 2 was current 7 days ago: kept
    assert work.delete_generations(["+1"]) == [2]  # keeps the last one (4) and the current (3)
    assert work.numbers() == [3, 4]
    with pytest.raises(ProfileError, match="has no generation 2"):
        work.delete_generations(["2", "4"])
    assert work.numbers() == [3, 4]
    work.switch(4)
    assert cli("delete-generations", "old", "--profile", "work").returncode == 0
    assert work.numbers() == [4]
    assert (
        "nothing changed" in cli("install", *sets(recipes), "shout_2", "--profile", "work").stderr
    )


def test_delete_generations_plus_n_counts_back_from_the_current_one_as_nix_does() -> None:
    """``+N`` keeps the current generation and the N-1 before it, and never deletes one newer
    than the current (after two rollbacks, 4 and 5 are the way forward); ``+0`` is refused."""
    store = Store.default()
    work = Profile(store, "work")
    for number in range(1, 6):
        env = store.add_text("env", f"generation {number}")
        work.add(Manifest(environment=env, python={}, packages=()))
    work.rollback()
    work.rollback()
    assert work.current_number() == 3
    assert work.delete_generations(["+2"], dry_run=True) == [1]
    assert work.delete_generations(["+3"], dry_run=True) == []
    assert work.delete_generations(["+1"], dry_run=True) == [1, 2]
    previewed = cli("delete-generations", "--dry-run", "+2", "--profile", "work")
    assert "would delete generation(s) 1 of profile work" in previewed.stderr
    refused = cli("delete-generations", "--dry-run", "+0", "--profile", "work", ok=False)
    assert "must keep at least one" in refused.stderr
    assert work.numbers() == [1, 2, 3, 4, 5]
    assert work.delete_generations(["+2"]) == [1]
    assert work.numbers() == [2, 3, 4, 5] and work.current_number() == 3


def test_gc_delete_old_drops_every_profiles_old_generations_then_collects(
    recipes: Path,
) -> None:
    """``gc -d``, as ``nix-collect-garbage -d``: every profile keeps its current generation
    only, and what the old ones alone held is collected."""
    store = Store.default()
    work, play = Profile(store, "work"), Profile(store, "play")
    # By the command line: this process's temporary roots would keep what it built.
    cli("install", *sets(recipes), "shout", "--profile", "work")
    cli("install", *sets(recipes), "shout_2", "--profile", "work")  # replaces shout 1.0
    cli("install", *sets(recipes), "shout_2", "--profile", "play")
    old_env = Path(work.generation(1).link).resolve()
    # A dry run previews both steps: the generations, and the paths only they hold.
    preview = cli("gc", "-d", "--dry-run")
    assert "would delete generation(s) 1 of profile work" in preview.stderr
    assert f"would delete {old_env}" in preview.stdout.splitlines()
    assert work.numbers() == [1, 2] and old_env.exists()
    previewed = cli("delete-generations", "old", "--dry-run", "--profile", "work")
    assert "would delete generation(s) 1 of profile work" in previewed.stderr
    assert work.numbers() == [1, 2]
    assert "as 30d" in cli("gc", "--delete-older-than", "30", ok=False, status=2).stderr
    assert cli("gc", "--delete-older-than", "30d").returncode == 0  # none that old
    assert work.numbers() == [1, 2]
    done = cli("gc", "-d", "--json")
    assert json.loads(done.stdout)["generationsDeleted"] == {"work": [1]}
    assert work.numbers() == [2] and play.numbers() == [1]
    assert not old_env.exists()
    bin_python = Path(cli("profile", "path", "--profile", "work").stdout.strip()) / "python"
    assert run(bin_python, "-c", "import shout; print(shout.VERSION)").stdout.strip() == "2.0"
    assert "deleted generation" not in cli("gc", "-d").stderr  # nothing old is left


def test_gc_keeps_every_generation_and_what_a_profile_needs(recipes: Path) -> None:
    cli("install", *sets(recipes), "greet")
    cli("remove", "greet")
    gens = generations()
    result = json.loads(cli("gc", "--json").stdout)
    for generation in gens:
        assert os.path.exists(generation["environment"])
        assert generation["environment"] not in result["deleted"]
    cli("rollback")
    assert run(Path(cli("profile", "path").stdout.strip()) / "greet").stdout.strip() == (
        "HELLO FROM GREET!"
    )


# -- the real packages ------------------------------------------------------------------------


# requests and its sdists, built with their upstream suites off: this test collects garbage, so
# it cannot share the home where tests/test_network_checks.py runs those suites already.
UNCHECKED = ("requests", "urllib3", "idna", "charset_normalizer", "certifi")


@pytest.mark.network
def test_numpy_and_requests_profile_rollback_and_gc(tmp_path: Path) -> None:
    bin_dir = Path(cli("profile", "path").stdout.strip())
    python = bin_dir / "python"
    overlay = ("--overlay", checks_off(tmp_path, UNCHECKED))
    cli("install", *overlay, "numpy")
    version = run(python, "--version").stdout
    cli("install", *overlay, "requests")
    assert run(python, "--version").stdout == version
    assert imports(python, "numpy") and imports(python, "requests")
    cli("rollback")
    assert imports(python, "numpy") and not imports(python, "requests")
    assert run(python, "--version").stdout == version
    cli("switch-generation", "2")
    assert imports(python, "requests") and imports(python, "numpy")
    first, _ = generations()
    live = {
        row["path"] for row in json.loads(cli("path-info", "-r", "--json", bin_dir.parent).stdout)
    }
    cli("delete-generations", "old")
    done = json.loads(cli("gc", "--json").stdout)
    assert first["environment"] in done["deleted"]
    assert all(os.path.exists(p) for p in live)
    code = "import numpy, requests; print(numpy.arange(3).sum())"
    assert run(python, "-c", code).stdout.strip() == "3"
    assert run(python, "--version").stdout == version
    assert cli("verify", "--check-contents").returncode == 0


def test_gc_delete_old_skips_a_broken_profile_and_goes_on_with_the_others() -> None:
    """A profile link removed by hand is no reason to leave the other profiles' old
    generations, nor the collection: ``gc -d`` skips that profile with a warning saying how to
    repair it (as ``nix-collect-garbage -d`` goes on), keeps all its generations, collects what
    the others' old ones alone held, and exits non-zero, since it did not do all it was asked."""
    store = Store.default()
    profiles = {name: Profile(store, name) for name in ("a", "b", "c")}
    for name, profile in profiles.items():
        for number in (1, 2):
            env = store.add_text("env", f"{name} generation {number}")
            profile.add(Manifest(environment=env, python={}, packages=()))
    profiles["b"].link.unlink()
    done = cli("gc", "-d", ok=False)
    assert "warning: skipping profile b: the profile link" in done.stderr
    assert "switch-generation 2 --profile b" in done.stderr
    assert profiles["a"].numbers() == [2] and profiles["c"].numbers() == [2]
    assert profiles["b"].numbers() == [1, 2]
    assert "store path(s) deleted" in done.stderr  # the collection ran (this process's
    # temporary roots keep the environments it made)
    assert "error: profile(s) b skipped" in done.stderr.splitlines()[-1]
    as_json = json.loads(cli("gc", "-d", "--json", ok=False).stdout)
    assert list(as_json["profilesSkipped"]) == ["b"]


def test_a_kept_package_its_overlay_no_longer_defines_is_named_as_the_profiles(
    recipes: Path, tmp_path: Path
) -> None:
    """An overlay that renamed a package the profile has made every later install fail with
    the set's "the package set has no attribute 'mine'", naming neither the profile's
    package, its overlay, nor the way out."""
    overlay = tmp_path / "mine.py"
    overlay.write_text("def overlay(final, prev):\n    return {'mine': prev.shout}\n")
    cli("install", *sets(recipes), "--overlay", overlay, "mine")
    overlay.write_text("def overlay(final, prev):\n    return {'mine2': prev.shout}\n")
    refused = cli("install", *sets(recipes), "greet", ok=False).stderr
    assert "mine (shout 1.0) of profile default is no longer defined by the set with" in refused
    assert str(overlay) in refused and "has no attribute 'mine'" in refused
    assert "`pybuild upgrade mine --overlay FILE`" in refused
    assert "`pybuild remove shout`" in refused
    for upgrade in (["upgrade"], ["upgrade", "mine"]):  # the upgrade of it, too
        refused = cli(*upgrade, ok=False).stderr
        assert "mine (shout 1.0) of profile default is no longer defined by the set" in refused


def test_a_kept_file_attribute_no_longer_defined_names_its_file_as_the_way(
    recipes: Path, tmp_path: Path
) -> None:
    """A file's package has no other source than its file: the way out is not
    ``upgrade --overlay``, which reads the file again."""
    file = tmp_path / "f.py"
    dirs = ", ".join(repr(str(d)) for d in [DEFAULT_RECIPES, recipes])
    file.write_text(f"from pybuild import package_set\nfoo = package_set(recipes=[{dirs}]).shout\n")
    cli("install", "-f", file, "foo")
    file.write_text(file.read_text().replace("foo =", "bar ="))
    refused = cli("upgrade", ok=False).stderr
    assert f"foo (shout 1.0) of profile default is no longer defined by its file {file}" in refused
    assert "define it again there, or remove it: `pybuild remove shout`" in refused
    assert "--overlay" not in refused


def test_a_package_the_profile_has_as_a_dependency_is_installed_at_its_version(
    use_index: BuildIndex, tmp_path: Path
) -> None:
    """As ``uv pip install shout`` where sealed brought shout in: the requirement is met, so
    ``install pypi:shout`` takes the shout that pypi:sealed was built with (the set's 1.0,
    sealed asking for any). It took the index's newest, 2.0, a second shout beside sealed's:
    an error, whose hint was to ask for the two together."""
    recipes = write_fixture_recipes(tmp_path / "recipes", use_index, ("shout",))
    cli("install", *sets(recipes), "pypi:sealed")
    told = cli("install", *sets(recipes), "pypi:shout").stderr
    listed = json.loads(cli("list", "--json").stdout)
    assert [(p["attr"], p["version"]) for p in listed] == [
        ("pypi:sealed", "1.0"),
        ("pypi:shout", "1.0"),
    ]
    assert "shout 1.0 is in profile default already, as a dependency" in " ".join(told.split())
    # asked for by its version, 2.0 is the second shout it was
    other = cli("install", *sets(recipes), "pypi:shout==2.0", ok=False).stderr
    assert "shout is in the environment twice" in other
