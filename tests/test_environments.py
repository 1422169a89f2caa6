"""Environments, shells and set-level commands, on the local build index (no network).

The fixture projects `greet` (setuptools, console script, needs `shout`) and `shout`
(flit-core, versions 1.0 and 2.0) are published as sdists next to the real build-tool wheels;
a recipe folder written here adds them to the default set.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from pybuild.errors import BuildError, UsageError
from pybuild.hashing import hash_file
from pybuild.pkgset import DEFAULT_RECIPES, package_set
from pybuild.python.environment import OtherInterpreter, VersionConflict
from pybuild.python.interpreter import Interpreter
from pybuild.realiser import BuildOptions, realise
from pybuild.store import Store
from support.fixtures import PROJECTS, BuildIndex, index_environ, write_fixture_recipes
from support.index import make_wheel, write_index


@pytest.fixture
def recipes(use_index: BuildIndex, tmp_path: Path) -> Path:
    return write_fixture_recipes(tmp_path / "recipes", use_index, ("shout", "shout_2", "greet"))


def clean_run(*argv: str) -> str:
    """Run a program with an empty environment, from ``/`` (``python -c`` would see what the
    current folder holds: a checkout's ``pybuild.egg-info``); its output, stripped."""
    result = subprocess.run(argv, env={}, cwd="/", capture_output=True, text=True, check=True)
    return result.stdout.strip()


def quiet() -> BuildOptions:
    return BuildOptions(log=open(os.devnull, "w"))


def build_env(pkgs, names: list[str], **kwargs) -> Path:
    env = pkgs.python.with_packages(lambda ps: [ps[n] for n in names], **kwargs)
    realise([env.drv], Store.default(), quiet())
    return Path(str(env))


def cli(
    *args: str, cwd: Path | None = None, env: dict[str, str] | None = None, ok: bool = True
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "pybuild", *args],
        cwd=cwd,
        text=True,
        capture_output=True,
        env={**os.environ, **(env or {})},
    )
    assert "Traceback" not in result.stderr, result.stderr
    if ok:
        assert result.returncode == 0, result.stderr
    return result


def test_environment_is_a_venv_of_the_closure(recipes: Path) -> None:
    pkgs = package_set(recipes=[DEFAULT_RECIPES, recipes])
    env = build_env(pkgs, ["greet"])
    assert (env / "pyvenv.cfg").read_text().startswith("home = ")
    assert "include-system-site-packages = false" in (env / "pyvenv.cfg").read_text()
    code = (
        "import sys, subprocess, greet, shout; print(shout.VERSION, sys.prefix, flush=True);"
        "subprocess.run([sys.executable, '-c', 'import shout; print(shout.VERSION)'])"
    )
    out = clean_run(str(env / "bin" / "python"), "-c", code).split()
    assert out == ["1.0", str(env), "1.0"]  # the child (sys.executable) sees the same packages
    assert clean_run(str(env / "bin" / "greet")) == "HELLO FROM GREET!"
    for text in [p.read_text() for p in env.rglob("*.pth")]:
        assert str(Store.default().dir) not in text  # relative: the store can move


def test_environment_through_a_symlink_and_after_the_store_moved(
    recipes: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pkgs = package_set(recipes=[DEFAULT_RECIPES, recipes])
    env = build_env(pkgs, ["greet"])
    link = tmp_path / "result"
    link.symlink_to(env)
    probe = ["-c", "import greet, shout; print(shout.VERSION)"]
    assert clean_run(str(link / "bin" / "python"), *probe) == "1.0"
    home = Store.default().home
    moved = tmp_path / "moved-home"
    shutil.move(home, moved)
    monkeypatch.setenv("PYBUILD_HOME", str(moved))
    new_env = moved / "store" / env.name
    assert clean_run(str(new_env / "bin" / "python"), *probe) == "1.0"
    assert clean_run(str(new_env / "bin" / "greet")) == "HELLO FROM GREET!"
    assert cli("verify", "--check-contents").returncode == 0


def test_an_environment_in_a_home_whose_path_is_not_ascii(
    recipes: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The environment's spec is JSON: written with \\u escapes, its packages' store paths
    were not found in it, so the environment had no inputs and its build was refused."""
    build_env(package_set(recipes=[DEFAULT_RECIPES, recipes]), ["greet"])  # its packages, built
    moved = tmp_path / "hömé"
    shutil.move(Store.default().home, moved)
    monkeypatch.setenv("PYBUILD_HOME", str(moved))
    env = build_env(package_set(recipes=[DEFAULT_RECIPES, recipes]), ["greet"])
    assert env.parent == moved / "store"
    assert clean_run(str(env / "bin" / "greet")) == "HELLO FROM GREET!"


def test_packages_are_given_as_a_list_or_by_a_function_of_the_set(recipes: Path) -> None:
    """A list (or any iterable) of packages, as uv and pip take them, names the environment
    a function of the set names; anything else is refused by what it is."""
    pkgs = package_set(recipes=[DEFAULT_RECIPES, recipes])
    by_function = pkgs.python.with_packages(lambda ps: [ps.six, ps.greet])
    assert pkgs.python.with_packages([pkgs.six, pkgs.greet]).drv == by_function.drv
    assert pkgs.python.with_packages(p for p in (pkgs.six, pkgs.greet)).drv == by_function.drv
    # A package listed twice, or the same build by another way (shell -p six six): the same
    # environment, as nixpkgs' withPackages gives.
    twice = [pkgs.six, pkgs.greet, pkgs.six, pkgs.six.override_python_attrs()]
    assert pkgs.python.with_packages(twice).drv == by_function.drv
    for wrong, named in (
        (pkgs.six, "<PythonPackage six "),
        ("six", "'six'"),
        (lambda ps: ps.six, "a function that gave <PythonPackage six "),
    ):
        with pytest.raises(UsageError, match="wants a list of packages") as e:
            pkgs.python.with_packages(wrong)
        assert f"it was given {named}" in str(e.value)
        assert "with_packages([pkgs.six" in e.value.hint


def test_inputs_from_gives_a_projects_inputs_without_the_project(recipes: Path) -> None:
    """As nixpkgs' ``mkShell { inputsFrom = [ … ]; }``: a development shell of greet holds
    what greet needs to run, build and test, and not greet, so its own build (which fails
    here, as a project with a failing test does) is never waited for."""
    pkgs = package_set(recipes=[DEFAULT_RECIPES, recipes])
    broken = pkgs.greet.override_python_attrs(post_patch="exit 1", check_inputs=[pkgs.pytest])
    env = pkgs.python.with_packages(lambda ps: [ps.six], inputs_from=[broken])
    assert sorted(p.pname for p in env.roots) == ["pytest", "setuptools", "shout", "six"]
    realise([env.drv], Store.default(), quiet())
    python = str(Path(str(env)) / "bin" / "python")
    assert clean_run(python, "-c", "import shout, setuptools, pytest, six; print('ok')") == "ok"
    missing = subprocess.run([python, "-c", "import greet"], env={}, capture_output=True)
    assert b"No module named 'greet'" in missing.stderr
    with pytest.raises(UsageError, match="inputs_from wants Python packages"):
        pkgs.python.with_packages(lambda ps: [], inputs_from=[broken.drv])
    with pytest.raises(UsageError, match=r"the set's interpreter \(ps.python\).*leave it out"):
        pkgs.python.with_packages(lambda ps: [ps.python, ps.six])


def test_a_version_the_source_does_not_build_fails_the_build(recipes: Path) -> None:
    """override_python_attrs(version=…) without the new version's source would build the old
    release under the new name, and fool the check of two versions in one environment."""
    pkgs = package_set(recipes=[DEFAULT_RECIPES, recipes])
    renamed = pkgs.shout.override_python_attrs(version="9.9")
    with pytest.raises(BuildError) as caught:
        realise([renamed.drv], Store.default(), quiet())
    assert "the source builds shout 1.0, but the recipe says version 9.9" in str(caught.value)
    same = pkgs.shout.override_python_attrs(version="1.0.0")  # the same release, spelt longer
    realise([same.drv], Store.default(), quiet())


def test_a_name_the_source_does_not_build_fails_the_build(recipes: Path) -> None:
    """A misspelt pname built the distribution under another store name, which the check of
    two versions of one distribution in an environment did not see."""
    pkgs = package_set(recipes=[DEFAULT_RECIPES, recipes])
    renamed = pkgs.shout.override_python_attrs(pname="shuot")
    with pytest.raises(BuildError) as caught:
        realise([renamed.drv], Store.default(), quiet())
    assert (
        "the source builds shout 1.0, but the recipe says pname shuot: set pname='shout'"
    ) in str(caught.value)
    same = pkgs.shout.override_python_attrs(pname="Shout")  # the same name, canonicalised
    realise([same.drv], Store.default(), quiet())


def test_two_versions_of_one_distribution_name_both_and_who_pulled_them(recipes: Path) -> None:
    pkgs = package_set(recipes=[DEFAULT_RECIPES, recipes])
    # as pkgs.from_pypi("shout", "<3") makes it: a recipe generated from the index
    asked = pkgs.shout_2.override_python_attrs(allow_undeclared_imports=True)
    env = pkgs.python.with_packages(lambda ps: [ps.greet, asked])
    with pytest.raises(VersionConflict) as err:
        env.drv  # noqa: B018
    text = str(err.value)
    assert "shout" in text and "1.0" in text and "2.0" in text
    assert "environment -> greet 1.0 -> shout 1.0" in text
    assert "environment -> shout 2.0" in text
    # shell -p pytest -p 'pypi:packaging<26': the hint named only Python's way to resolve the
    # two together, not the command line's (install's arguments, shell's -p), and then lost
    # the version asked for, the one listed: it is kept
    assert err.value.hint == (
        "keep one of them: override the dependent, or use an overlay; or have the index"
        " resolve them together: on the command line pypi:greet pypi:shout==2.0 (after -p"
        " each, for shell and run), from Python pkgs.from_pypi_together('greet',"
        " 'shout==2.0') (packages asked for one by one, pkgs.from_pypi, are resolved each"
        " alone, and the set's own keep the set's dependencies)"
    )


def test_the_two_versions_hint_keeps_the_extras_asked_for_and_pins_no_sets_recipe(
    recipes: Path,
) -> None:
    """shell -p rich 'pypi:httpx[cli]': the set's rich 15.0.0 beside the rich 14.3.4 that
    httpx[cli] needs. The hint said pypi:rich==15.0.0 pypi:httpx: without the cli extra asked
    for (its CLI then says its dependencies are missing), and with rich pinned to the set's
    version, which no one asked for and which leaves httpx[cli] only releases without the
    extra. It now names the extra, and the set's recipe without its version."""
    from pybuild.python.environment import with_extras

    pkgs = package_set(recipes=[DEFAULT_RECIPES, recipes])
    offering = pkgs.greet.override_python_attrs(optional_dependencies={"loud": [pkgs.six]})
    loud = with_extras(offering, offering.optional("loud"))  # as pypi:greet[loud] is
    env = pkgs.python.with_packages(lambda ps: [ps.shout_2, loud])
    with pytest.raises(VersionConflict) as err:
        env.drv  # noqa: B018
    assert (
        "on the command line pypi:shout 'pypi:greet[loud]' (after -p each, for shell and run),"
        " from Python pkgs.from_pypi_together('shout', 'greet[loud]')"
    ) in err.value.hint


def test_the_two_versions_hint_offers_the_index_only_its_own_releases(recipes: Path) -> None:
    """-f two.py, a local project (wordy, needing the set's six 1.17.0) beside six 1.16.0 of
    the index: the hint said pypi:wordy pypi:six, and pypi:wordy is whatever project of that
    name the index has, not the local one. The index is offered only when every package of
    the clash (who pulled it in, and the distribution's builds) is a release of it; a local
    folder, or another download (a fork's archive), is not."""
    from pybuild.fetchers import fetch_url

    pkgs = package_set(recipes=[DEFAULT_RECIPES, recipes])
    local_greet = pkgs.greet.override_python_attrs(src=PROJECTS / "greet")
    archive = fetch_url("file:///nowhere/shout-2.0.tar.gz", "sha256-" + "B" * 43 + "=")
    forked_shout = pkgs.shout_2.override_python_attrs(src=archive)
    local_shout = pkgs.shout.override_python_attrs(src=PROJECTS / "shout")
    keep = "keep one of them: override the dependent, or use an overlay"
    for listed in (
        [local_greet, pkgs.shout_2],  # who pulled one in is local
        [pkgs.greet, forked_shout],  # the distribution is another download
        [pkgs.greet, local_shout],  # two builds of one version, one of them local
    ):
        env = pkgs.python.with_packages(listed)
        with pytest.raises(VersionConflict) as err:
            env.drv  # noqa: B018
        assert err.value.hint == keep
    env = pkgs.python.with_packages([pkgs.greet, pkgs.shout_2])  # the index's releases, all
    with pytest.raises(VersionConflict) as err:
        env.drv  # noqa: B018
    assert err.value.hint.startswith(f"{keep}; or have the index resolve them together:")


def test_two_builds_of_one_version_both_and_who_pulled_them(recipes: Path) -> None:
    """shout overridden for the environment while greet keeps the set's: one version, two
    builds, whose files would collide when the environment is built; said when it is made,
    with each build's path and who pulled it in, as two versions are."""
    pkgs = package_set(recipes=[DEFAULT_RECIPES, recipes])
    unchecked = pkgs.shout.override_python_attrs(do_check=False)
    env = pkgs.python.with_packages(lambda ps: [ps.greet, unchecked])
    with pytest.raises(VersionConflict) as err:
        env.drv  # noqa: B018
    text = str(err.value)
    assert "shout is in the environment twice, as two builds of one version:" in text
    assert f"1.0 ({pkgs.shout.drv.out}), pulled in by environment -> greet 1.0 -> shout 1.0" in text
    assert f"1.0 ({unchecked.drv.out}), pulled in by environment -> shout 1.0" in text
    together = pkgs.python.with_packages(lambda ps: [ps.greet, unchecked], ignore_collisions=True)
    assert together.drv  # the environment takes one of them, as its layout does


def test_a_package_of_another_interpreter_is_refused_before_anything_is_built(
    recipes: Path,
) -> None:
    """Its modules are in another ``lib/pythonX.Y`` (or built for another ABI): the environment
    would not import them, or run its programs with the wrong interpreter. Said when the
    environment is made, listed or pulled in, naming the package and both interpreters (and
    who pulled it in, as for two versions; in the closure, its dependent refuses it)."""
    pkgs = package_set(recipes=[DEFAULT_RECIPES, recipes])
    other = Interpreter(
        executable="/nowhere/bin/python3.99",
        version="3.99.0",
        implementation="cpython",
        tags=("cp399-cp399-linux_x86_64", "py3-none-any"),
        executable_hash="sha256-x",
    )
    there = package_set(python=other, recipes=[DEFAULT_RECIPES, recipes])
    theirs = "cpython 3.99.0 (/nowhere/bin/python3.99)"
    ours = f"cpython {pkgs.python.version} ({pkgs.python.executable})"
    listed = pkgs.python.with_packages(lambda ps: [ps.six, there.shout])
    with pytest.raises(OtherInterpreter) as err:
        listed.drv  # noqa: B018
    assert (
        f"shout 1.0 is built for {theirs}, but the environment is for {ours}:"
        " pulled in by environment -> shout 1.0\n"
    ) in str(err.value)
    assert "take shout from a package set of the environment's interpreter" in err.value.hint
    pulled = pkgs.python.with_packages(lambda ps: [ps.greet.override(shout=there.shout)])
    with pytest.raises(UsageError) as dependent:
        pulled.drv  # noqa: B018
    assert str(dependent.value) == (
        f"shout 1.0, a dependency of greet 1.0, is built for {theirs}, but greet is for {ours}"
    )


def test_overlay_swaps_a_dependency_for_every_dependent(recipes: Path) -> None:
    def newer_shout(final, prev):
        return {"shout": final.shout_2}

    pkgs = package_set(recipes=[DEFAULT_RECIPES, recipes], overlays=[newer_shout])
    env = build_env(pkgs, ["greet"])
    out = clean_run(str(env / "bin" / "python"), "-c", "import shout; print(shout.VERSION)")
    assert out.strip() == "2.0"
    plain = package_set(recipes=[DEFAULT_RECIPES, recipes])
    assert str(plain.greet) != str(pkgs.greet)  # greet rebuilt against the other shout


def test_a_changed_leaf_rebuilds_exactly_its_dependents(recipes: Path) -> None:
    plain = package_set(recipes=[DEFAULT_RECIPES, recipes])

    def patched(final, prev):
        return {"shout": prev.shout.override_python_attrs(env={"PATCHED": "1"})}

    changed = plain.extend(patched)
    assert str(changed.shout) != str(plain.shout)
    assert str(changed.greet) != str(plain.greet)
    assert str(changed.shout_2) == str(plain.shout_2)
    assert str(changed.setuptools) == str(plain.setuptools)


def wheel_recipes(
    tmp_path: Path,
    use_index: BuildIndex,
    monkeypatch: pytest.MonkeyPatch,
    wheels: dict[str, dict[str, str]],
    dependencies: dict[str, list[str]] | None = None,
) -> Path:
    """A recipe folder of one wheel recipe for each of `wheels` (name -> its files), with
    their `dependencies` (name -> names), served by the build index (the build tools too)."""
    made = {name: make_wheel(tmp_path, name, "1.0", files) for name, files in wheels.items()}
    url = write_index(tmp_path / "idx", [*made.values(), *(use_index.root / "files").glob("*.whl")])
    for key, value in index_environ(url).items():
        monkeypatch.setenv(key, value)
    folder = tmp_path / "recipes"
    folder.mkdir()
    for name, wheel in made.items():
        deps = (dependencies or {}).get(name, [])
        (folder / f"{name}.py").write_text(
            textwrap.dedent(f"""\
            def recipe(build_python_package, fetch_pypi, {", ".join(deps)}):
                return build_python_package(pname={name!r}, version="1.0", format="wheel",
                    src=fetch_pypi({name!r}, "1.0", kind="wheel",
                                   hash={hash_file(wheel).sri!r}),
                    dependencies=[{", ".join(deps)}])
        """)
        )
    return folder


@pytest.mark.parametrize(
    ("member", "installed"),
    [
        ("clash.py", "lib/python{xy}/site-packages/clash.py"),
        ("{name}-1.0.data/data/share/common/clash.txt", "share/common/clash.txt"),
        ("{name}-1.0.data/data/lib/pkgconfig/clash.pc", "lib/pkgconfig/clash.pc"),
    ],
    ids=["module", "data", "lib"],
)
def test_collisions_fail_unless_ignored(
    tmp_path: Path,
    use_index: BuildIndex,
    monkeypatch: pytest.MonkeyPatch,
    member: str,
    installed: str,
) -> None:
    """A module, or a wheel's data (``share``, ``etc``, ``lib`` beside the interpreter's
    folder: merged as site-packages is)."""
    wheels = {name: {member.format(name=name): f"WHO = {name!r}\n"} for name in ("one", "two")}
    folder = wheel_recipes(tmp_path, use_index, monkeypatch, wheels)
    pkgs = package_set(recipes=[DEFAULT_RECIPES, folder])
    with pytest.raises(BuildError) as err:
        build_env(pkgs, ["one", "two"])
    installed = installed.format(xy=pkgs.python.version_xy)
    assert f"{installed} is in both" in err.value.tail and "ignore_collisions" in err.value.tail
    env = build_env(pkgs, ["one", "two"], ignore_collisions=True)
    assert (env / installed).read_text() == "WHO = 'one'\n"  # the first package listed wins


def test_a_profile_refuses_two_packages_same_file_with_a_hint_it_can_act_on(
    tmp_path: Path, use_index: BuildIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``install`` has no ``ignore_collisions``: its refusal says to remove the other package
    (or use another profile), not what the environment's builder says to ``with_packages``;
    a dry run whose packages are built reports the collision too, before any generation."""
    wheels = {name: {"clash.py": f"WHO = {name!r}\n"} for name in ("one", "two")}
    folder = wheel_recipes(tmp_path, use_index, monkeypatch, wheels)
    sets = ["--recipes", str(DEFAULT_RECIPES), "--recipes", str(folder)]
    cli("install", *sets, "one")
    for how in ([], ["--dry-run"]):  # the run builds two: the dry run then reads it
        refused = cli("install", *sets, "two", *how, ok=False)
        assert refused.returncode == 1
        assert "clash.py is in both" in refused.stderr, refused.stderr
        assert "`pybuild remove one`" in refused.stderr
        assert "ignore_collisions" not in refused.stderr
        assert "would make generation" not in refused.stderr
    assert cli("list-generations").stdout.count("\n") == 1


def test_a_profile_refuses_a_program_named_as_its_python(
    tmp_path: Path, use_index: BuildIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A package's ``python3`` and ``activate`` programs would be hidden by the profile's own:
    refused, naming each, with a hint a profile's user can follow."""
    entry_points = "[console_scripts]\npython3 = gamma:main\nactivate = gamma:main\n"
    wheels = {
        "gamma": {
            "gamma.py": "def main():\n    pass\n",
            "gamma-1.0.dist-info/entry_points.txt": entry_points,
        }
    }
    folder = wheel_recipes(tmp_path, use_index, monkeypatch, wheels)
    sets = ["--recipes", str(DEFAULT_RECIPES), "--recipes", str(folder)]
    for how in ([], ["--dry-run"]):  # the run builds gamma: the dry run then reads it
        refused = cli("install", *sets, "gamma", "--profile", "gam", *how, ok=False)
        assert refused.returncode == 1
        for name in ("python3", "activate"):
            assert f"bin/{name} is the environment's own, and is in " in refused.stderr
        assert "-gamma-1.0" in refused.stderr and "result/bin/NAME" in refused.stderr
        assert "ignore_collisions" not in refused.stderr and "remove NAME" not in refused.stderr
    assert cli("list-generations", "--profile", "gam").stdout == ""


def test_a_console_script_sees_the_environment_as_in_a_venv(
    tmp_path: Path, use_index: BuildIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The package's own script adds its closure to ``sys.path``, so that it runs alone from
    the store; the environment's sees the environment alone: each distribution once, and no
    package's site-packages but the environment's (as ``python -m`` sees it)."""
    code = (
        "import importlib.metadata, sys\n"
        "def main():\n"
        "    print(sorted(d.metadata['Name'] for d in importlib.metadata.distributions()))\n"
        "    print(len([p for p in sys.path if p.endswith('site-packages')]))\n"
    )
    wheels = {
        "where": {"where.py": code, "where-1.0.dist-info/entry_points.txt": _WHERE},
        "dep": {"dep.py": ""},
    }
    folder = wheel_recipes(tmp_path, use_index, monkeypatch, wheels, {"where": ["dep"]})
    pkgs = package_set(recipes=[DEFAULT_RECIPES, folder])
    env = build_env(pkgs, ["where"])
    seen = "['dep', 'where']\n1"
    assert clean_run(str(env / "bin" / "where")) == seen
    assert clean_run(str(env / "bin" / "python"), "-c", "import where; where.main()") == seen
    alone = clean_run(str(Path(str(pkgs.where)) / "bin" / "where")).split("\n")
    assert alone == ["['dep', 'where']", "2"]  # its own site-packages and dep's


_WHERE = "[console_scripts]\nwhere = where:main\n"


def test_shell_pure_run_hides_pythonpath(recipes: Path) -> None:
    def shell(*flags: str, run: str, **env: str) -> str:
        sets = ["--recipes", str(DEFAULT_RECIPES), "--recipes", str(recipes)]
        return cli("shell", *flags, *sets, "-p", "greet", "--run", run, env=env).stdout

    code = "import os, sys, greet; print(os.environ.get('PYTHONPATH'), '/nowhere' in sys.path)"
    hidden = shell("--pure", run=f'python -c "{code}"', PYTHONPATH="/nowhere")
    assert hidden.split() == ["None", "False"]
    shown = shell("--pure", run="env", MY_SECRET="x")
    assert "MY_SECRET" not in shown and "VIRTUAL_ENV=" in shown
    impure = shell(run="echo $MY_SECRET; greet", MY_SECRET="x").split("\n")
    assert impure[:2] == ["x", "HELLO FROM GREET!"]


def test_shell_waits_for_its_command_as_system_does(recipes: Path) -> None:
    """Ctrl-C and Ctrl-\\ are the command's to handle (an interactive shell survives them), the
    status is the command's own, and a broken pipe ends the writer quietly, as in a terminal."""

    def shell(run: str) -> subprocess.CompletedProcess[str]:
        sets = ["--recipes", str(DEFAULT_RECIPES), "--recipes", str(recipes)]
        return cli("shell", *sets, "-p", "greet", "--run", run, ok=False)

    interrupted = shell("kill -INT $PPID; kill -QUIT $PPID; sleep 0.5; echo survived; exit 3")
    assert (interrupted.returncode, interrupted.stdout) == (3, "survived\n")
    piped = shell("yes | head -n 1")
    assert (piped.returncode, piped.stdout, piped.stderr) == (0, "y\n", "")


def test_run_runs_a_packages_program_as_nix_run_and_uvx_do(recipes: Path) -> None:
    sets = ["--recipes", str(DEFAULT_RECIPES), "--recipes", str(recipes)]
    assert cli("run", *sets, "greet").stdout == "HELLO FROM GREET!\n"  # its only program
    code = "import sys, greet, shout; print(sys.argv[1:])"
    python = cli("run", *sets, "--with", "shout", "--bin", "python", "greet", "-c", code, "-x")
    assert python.stdout == "['-x']\n"  # everything after ATTR is the program's
    separated = cli("run", *sets, "--bin", "python", "greet", "--", "-c", "print(2)")
    assert separated.stdout == "2\n"  # a -- after ATTR separates, as nix run takes it
    failed = cli("run", *sets, "--bin", "python", "greet", "-c", "raise SystemExit(4)", ok=False)
    assert failed.returncode == 4  # the program's own status
    none = cli("run", *sets, "shout", ok=False)
    assert "shout has no programs" in none.stderr and "--bin python" in none.stderr
    missing = cli("run", *sets, "--bin", "gret", "greet", ok=False)
    assert "the environment has no program 'gret' (it has: greet, python" in missing.stderr


def test_run_takes_its_options_after_attr_up_to_a_double_dash_as_nix_run_does(
    recipes: Path,
) -> None:
    """``pybuild run ATTR --bin NAME -- ARG…``: the words before ``--`` are pybuild's when all
    are run's options (test_fastpath.py: its repeat, answered from its record, alike)."""
    sets = ["--recipes", str(DEFAULT_RECIPES), "--recipes", str(recipes)]
    code = "import sys, greet, shout; print(sys.argv[1:])"
    nix_order = ["greet", "--with", "shout", "--bin", "python", "--", "-c", code, "-x"]
    assert cli("run", *sets, *nix_order).stdout == "['-x']\n"
    # a word that is not one of run's options: everything after ATTR is the program's
    echo = ["--bin", "python", "greet", "-c", code, "--with", "--", "y"]
    assert cli("run", *sets, *echo).stdout == "['--with', '--', 'y']\n"
    # an abbreviation of run's --with is not one of its options: greet gets them all
    abbreviated = ["greet", "--bin", "python", "--wit", "shout", "--", "-c", code]
    assert cli("run", *sets, *abbreviated).stdout == "HELLO FROM GREET!\n"


def test_run_takes_a_package_of_a_file_as_build_does(recipes: Path, tmp_path: Path) -> None:
    """A project's own package (``build -f default.py myapp``) runs as one of the set does."""
    project = tmp_path / "default.py"
    project.write_text(
        "from pybuild.pkgset import DEFAULT_RECIPES, package_set\n"
        f"pkgs = package_set(recipes=[DEFAULT_RECIPES, {str(recipes)!r}])\n"
        "app = pkgs.greet\n"
    )
    assert cli("run", "-f", str(project), "app").stdout == "HELLO FROM GREET!\n"
    code = "import greet; greet.main()"
    assert cli("run", "-f", str(project), "--bin", "python", "app", "-c", code).returncode == 0
    not_one = cli("run", "-f", str(project), "pkgs", ok=False)
    assert "pkgs is neither a Python package nor an environment" in not_one.stderr


def test_run_takes_an_environment_of_a_file_as_shell_does(recipes: Path, tmp_path: Path) -> None:
    """``run -f shell.py env --bin NAME`` was refused, env being no Python package, though
    ``--bin`` is any of the environment's programs: NAME runs in it, as ``shell -f FILE --run
    NAME`` runs it; python by default, as ``run python``; the --with packages are added."""
    shell = tmp_path / "shell.py"
    shell.write_text(
        "from pybuild.pkgset import DEFAULT_RECIPES, package_set\n"
        f"pkgs = package_set(recipes=[DEFAULT_RECIPES, {str(recipes)!r}])\n"
        "env = pkgs.python.with_packages(lambda ps: [ps.shout])\n"
    )
    code = "import shout; print(shout.VERSION)"
    named = cli("run", "-f", str(shell), "env", "--bin", "python", "--", "-c", code)
    assert named.stdout == "1.0\n"
    assert cli("run", "-f", str(shell), "env", "-c", code).stdout == "1.0\n"
    added = cli("run", "-f", str(shell), "--with", "pkgs.greet", "--bin", "greet", "env")
    assert added.stdout == "HELLO FROM GREET!\n"
    missing = cli("run", "-f", str(shell), "--bin", "greet", "env", ok=False)
    assert "the environment has no program 'greet'" in missing.stderr


@pytest.mark.parametrize(
    ("programs", "chosen"),
    [
        (["Picky_Tool", "picky-helper"], "Picky_Tool"),  # the one named as the package
        (["picky", "tool"], None),  # two, neither named as it
        (["check"], "check"),  # its only one
        ([], None),
    ],
)
@pytest.mark.parametrize("indent", [1, None])  # as the builder writes it, or as a tool might
def test_a_packages_program_is_the_one_named_as_it_or_its_only_one(
    tmp_path: Path, programs: list[str], chosen: str | None, indent: int | None
) -> None:
    from pybuild.errors import UsageError
    from pybuild.shell import main_program

    (tmp_path / "bin").mkdir()
    info = {"dependencies": [], "pname": "picky.tool", "version": "1.0"}
    (tmp_path / "pybuild-package.json").write_text(json.dumps(info, indent=indent) + "\n")
    for name in programs:
        (tmp_path / "bin" / name).write_text("#!/bin/sh\n")
    if chosen is not None:
        assert main_program(str(tmp_path)) == chosen
    else:
        with pytest.raises(UsageError, match=r"picky\.tool has (no|several) programs") as no:
            main_program(str(tmp_path), ["--bin", "x"])
        assert "pybuild run --bin" in str(no.value.hint)  # where --bin goes
        assert "--bin after the package is the program's" in str(no.value.hint)
        assert "unless a -- ends pybuild's options" in str(no.value.hint)


def test_a_package_whose_command_comes_with_a_dependency_is_told_which(tmp_path: Path) -> None:
    """fastapi-cli's ``fastapi`` is fastapi-cli-slim's: the error names it, as uvx's does."""
    from pybuild.errors import UsageError
    from pybuild.shell import main_program

    package, env = tmp_path / "pkg", tmp_path / "env"
    package.mkdir()
    info = {"dependencies": [], "pname": "fastapi-cli", "version": "1.0"}
    (package / "pybuild-package.json").write_text(json.dumps(info, indent=1) + "\n")
    (env / "bin").mkdir(parents=True)
    for name in ["fastapi", "python", "python3", "activate"]:
        (env / "bin" / name).write_text("#!/bin/sh\n")
    with pytest.raises(UsageError) as told:
        main_program(str(package), [], str(env))
    assert str(told.value).splitlines()[0].endswith("its dependencies have: fastapi")
    assert "pybuild run --bin NAME ATTR" in str(told.value.hint)
    assert "or run python with it: pybuild run --bin python ATTR -c CODE" in str(told.value.hint)


def test_a_command_runs_in_an_environment_from_any_thread(tmp_path: Path) -> None:
    """Only the main thread may change how signals are handled: elsewhere they stay as
    they are, and the command still runs and gives its status."""
    import threading

    from pybuild.shell import run_in_environment

    statuses: list[int] = []
    thread = threading.Thread(
        target=lambda: statuses.append(run_in_environment(str(tmp_path), True, "exit 4"))
    )
    thread.start()
    thread.join()
    assert statuses == [4]


def test_shell_reads_shell_py(recipes: Path, tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "shell.py").write_text(
        textwrap.dedent(f"""\
        from pybuild.pkgset import DEFAULT_RECIPES, package_set
        pkgs = package_set(recipes=[DEFAULT_RECIPES, {str(recipes)!r}])
        env = pkgs.python.with_packages(lambda ps: [ps.greet])
    """)
    )
    result = cli("shell", "--run", "greet", cwd=project)
    assert result.stdout.strip() == "HELLO FROM GREET!"
    missing = cli("shell", "--run", "true", cwd=tmp_path, ok=False)
    assert missing.returncode == 2 and "shell.py" in missing.stderr  # a missing argument
    # -f FILE from anywhere, as nix-shell FILE: its env, or the -p packages of it
    shell = str(project / "shell.py")
    assert cli("shell", "-f", shell, "--run", "greet", cwd=tmp_path).stdout == "HELLO FROM GREET!\n"
    code = "python -c 'import shout; print(shout.VERSION)'"
    assert cli("shell", "-f", shell, "-p", "pkgs.shout", "--run", code).stdout == "1.0\n"
    greet = cli("shell", "-f", shell, "-p", "pkgs.shout", "--run", "greet", ok=False)
    assert greet.returncode != 0  # only shout: greet is not in that environment
    ignored = cli("shell", "-f", shell, "--python", "3.12", "--run", "true", ok=False)
    assert "would not apply" in ignored.stderr


def test_eval_shows_a_recipe_without_building_it(recipes: Path) -> None:
    result = cli(
        "eval", "--recipes", str(DEFAULT_RECIPES), "--recipes", str(recipes), "greet", "--json"
    )
    info = json.loads(result.stdout)
    assert info["pname"] == "greet" and info["version"] == "1.0"
    assert info["dependencies"] == ["shout"] and info["build_system"] == ["setuptools"]
    assert info["built"] is False
    assert not Path(info["outputs"]["out"]).exists()


def test_build_all_reports_each_attribute(recipes: Path, tmp_path: Path) -> None:
    folder = tmp_path / "small"
    folder.mkdir()
    for name in ("shout", "greet"):
        shutil.copy(recipes / f"{name}.py", folder / f"{name}.py")
    (folder / "broken.py").write_text("def recipe(nosuchthing):\n    return nosuchthing\n")
    (folder / "fails.py").write_text(
        "from pybuild import derivation\n\n\ndef recipe():\n    return derivation("
        "name='fails', builder='/bin/sh', args=['-c', 'echo oops; exit 3'])\n"
    )
    (folder / "after_fails.py").write_text(
        "from pybuild import derivation\n\n\ndef recipe(fails):\n    return derivation("
        "name='after', builder='/bin/sh', args=['-c', f'cat {fails} > $out'])\n"
    )
    for name in ("setuptools", "flit_core"):
        shutil.copy(DEFAULT_RECIPES / f"{name}.py", folder / f"{name}.py")
    # Something failed: exit 1, --keep-going or not (it only lets the other builds go on).
    result = cli(
        "build", "--all", "-k", "--json", "--no-default-recipes", "--recipes", str(folder), ok=False
    )
    assert result.returncode == 1
    rows = {row["attr"]: row for row in json.loads(result.stdout)}
    assert rows["greet"]["status"] == "built" and Path(rows["greet"]["outputs"]["out"]).is_dir()
    assert rows["shout"]["status"] == "built"
    # One record layout, with --all or without: only the status says it is valid now.
    plain = cli("build", "--json", "--no-default-recipes", "--recipes", str(folder), "greet")
    assert json.loads(plain.stdout) == [{**rows["greet"], "status": "valid"}]
    assert rows["broken"]["status"] == "eval-failed" and "nosuchthing" in rows["broken"]["error"]
    fails, after = rows["fails"], rows["after_fails"]
    assert fails["status"] == "failed" and "exited with status 3" in fails["error"]
    assert Path(fails["log"]).read_text() == "oops\n"
    # The dependent is not a failure of its own: it names the input that failed, with that
    # input's error and log.
    assert after["status"] == "dependency failed" and after["failedInput"].endswith("-fails.drv")
    assert after["log"] == fails["log"] and "exited with status 3" in after["error"]
    assert after["failedInput"] == fails["drvPath"]  # a .drv in the store, as drvPath names it
    text = cli("build", "--all", "-k", "--no-default-recipes", "--recipes", str(folder), ok=False)
    assert text.returncode == 1
    lines = text.stdout.splitlines()
    assert any(
        line.startswith("failed") and "fails" in line and "status 3" in line for line in lines
    )
    assert f"log: {fails['log']}" in text.stdout
    assert not any(
        fails["outputs"]["out"] in line for line in lines
    )  # no would-be path for a failure
    assert any(
        line.startswith("dependency failed")
        and line.endswith(f"its input {after['failedInput']} failed")
        for line in lines
    )
    assert "4 succeeded, 2 failed, 1 not built: an input failed" in text.stderr
    # One column each, the widest status (dependency failed) included.
    starts = {line.index(attr) for line in lines for attr in rows if f" {attr} " in line}
    assert len(starts) == 1, text.stdout


def test_overlay_file_on_the_command_line(recipes: Path, tmp_path: Path) -> None:
    overlay = tmp_path / "newer.py"
    overlay.write_text("def overlay(final, prev):\n    return {'shout': final.shout_2}\n")
    args = ["--recipes", str(DEFAULT_RECIPES), "--recipes", str(recipes)]
    plain = json.loads(cli("eval", *args, "shout", "--json").stdout)
    newer = json.loads(cli("eval", *args, "--overlay", str(overlay), "shout", "--json").stdout)
    assert (plain["version"], newer["version"]) == ("1.0", "2.0")


def test_the_interpreter_is_the_same_in_every_environment(recipes: Path) -> None:
    pkgs = package_set(recipes=[DEFAULT_RECIPES, recipes])
    versions = set()
    for names in (["greet"], ["shout_2"]):
        env = build_env(pkgs, names)
        versions.add(clean_run(str(env / "bin" / "python"), "-c", "import sys; print(sys.version)"))
    assert len(versions) == 1


@pytest.mark.parametrize(
    "name", ["numpy", "Foo.Bar_baz", "typing-extensions", "a__b--c..d", "Zope.Interface", "x-_.y"]
)
def test_names_normalise_as_packaging_does(name: str) -> None:
    from packaging.utils import canonicalize_name

    from pybuild.python.environment import _normalise

    assert _normalise(name) == canonicalize_name(name)
