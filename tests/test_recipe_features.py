"""What nixpkgs recipes use every day, in ``build_python_package``: patches, hooks around the
phases, native build inputs, relaxed and removed requirements, meta, and the checks of a
recipe's attributes.

The builds are real and hermetic, as in test_python_builds: the fixture projects (``failing``,
``picky``, ``shout``, ``megaphone``, ``tooled``) are published in a local index beside the
real wheels of the build tools, and one pybuild home is shared by the module so that the
build tools are built once.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from pybuild.errors import BuildError, HashMismatch, UsageError
from pybuild.fetchers import fetch_url
from pybuild.hashing import hash_file
from pybuild.pkgset import DEFAULT_RECIPES, PackageSet, package_set
from pybuild.python.package import PythonPackage, build_python_package
from pybuild.realiser import BuildOptions, realise
from pybuild.sandbox import _probe
from pybuild.store import Store
from support.fixtures import PROJECTS, BuildIndex, index_environ, write_fixture_recipes

SITE = f"lib/python{sys.version_info[0]}.{sys.version_info[1]}/site-packages"


def _patch(*lines: str) -> str:
    """A unified diff of failing.py (lines given without their newline; " " is empty context)."""
    return "".join(f"{line}\n" for line in ("--- a/failing.py", "+++ b/failing.py", *lines))


# failing.py says ANSWER = 41 and its test wants 42: FIX makes the suite pass; MORE adds a line.
FIX = _patch(
    "@@ -1,3 +1,3 @@", ' """A module whose test fails."""', " ", "-ANSWER = 41", "+ANSWER = 42"
)
MORE = _patch("@@ -2,2 +2,3 @@", " ", " ANSWER = 42", '+PATCHED = "twice"')
STALE = FIX.replace("-ANSWER = 41", "-ANSWER = 40")  # context that is not in the source


@dataclass
class World:
    home: Path
    store: Store
    pkgs: PackageSet


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, build_index: BuildIndex) -> Iterator[World]:
    base = tmp_path_factory.mktemp("world")
    environ = {
        "PYBUILD_HOME": str(base / "home"),
        "XDG_CONFIG_HOME": str(base / "config"),
        **index_environ(build_index.file_url),
    }
    with pytest.MonkeyPatch.context() as mp:
        for name, value in environ.items():
            mp.setenv(name, value)
        recipes = write_fixture_recipes(base / "recipes", build_index)
        store = Store(base / "home")
        yield World(base / "home", store, package_set(recipes=[DEFAULT_RECIPES, recipes]))
        store.registry.close()


@pytest.fixture(autouse=True)
def pybuild_home(world: World, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Overrides conftest's: the tests of this module share the world's home."""
    monkeypatch.setenv("PYBUILD_HOME", str(world.home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(world.home.parent / "config"))
    return world.home


def build(pkg: PythonPackage, **options: object) -> Path:
    """Realise `pkg` quietly; its output."""
    realise([pkg.drv], None, BuildOptions(log=io.StringIO(), **options))  # type: ignore[arg-type]
    return Path(pkg.drv.path())


def failure(pkg: PythonPackage) -> str:
    """Build `pkg`, which must fail: the error's message and its whole log."""
    with pytest.raises(BuildError) as info:
        build(pkg)
    log = Path(info.value.log_path).read_text() if info.value.log_path else ""
    return f"{info.value}\n{log}"


def checked_failing(world: World, **attrs: object) -> PythonPackage:
    """``failing`` with its test suite run: it passes only once ANSWER is 42."""
    return world.pkgs.failing.override_python_attrs(check_inputs=[world.pkgs.pytest], **attrs)


def write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


# -- patches --------------------------------------------------------------------------------


def test_local_and_fetched_patches_are_applied_in_order_before_the_build(
    world: World, tmp_path: Path
) -> None:
    more = write(tmp_path / "more.patch", MORE)
    fetched = fetch_url(more.as_uri(), hash_file(more).sri)  # fixed-output, as for a URL
    pkg = checked_failing(world, patches=[write(tmp_path / "fix.patch", FIX), fetched])
    module = (build(pkg) / SITE / "failing.py").read_text()  # the check passed: ANSWER is 42
    assert 'ANSWER = 42\nPATCHED = "twice"\n' in module


def test_a_fetched_patch_is_pinned_by_its_hash(world: World, tmp_path: Path) -> None:
    patch = write(tmp_path / "fix.patch", FIX)
    wrong = hash_file(write(tmp_path / "other", STALE)).sri
    line = sys._getframe().f_lineno + 1  # the recipe's line that gives the hash
    pkg = checked_failing(world, patches=[fetch_url(patch.as_uri(), wrong)])
    with pytest.raises((BuildError, HashMismatch)) as info:
        build(pkg)
    assert hash_file(patch).sri in str(info.value)
    assert f"(hash given at {__file__}:{line}):" in str(info.value)
    assert not world.store.is_valid(pkg.drv.out)


def test_a_download_pybuild_makes_for_itself_names_no_recipe_line(world: World) -> None:
    """The build tools' wheels, which pybuild fetches for every build, are its own: no line of
    the user's gave their hashes, so none is named (nor searched for up the whole stack)."""
    from pybuild.python.package import _wheels_in

    _wheels_in.cache_clear()
    wheels = _wheels_in(str(world.home), world.pkgs.python)
    assert wheels and all(w.meta["position"] == "" for w in wheels)
    here = fetch_url(Path(__file__).as_uri(), hash_file(__file__).sri)
    assert here.meta["position"] == f"{__file__}:{sys._getframe().f_lineno - 1}"


def test_a_patch_that_does_not_apply_fails_the_patch_phase(world: World, tmp_path: Path) -> None:
    pkg = checked_failing(world, patches=[write(tmp_path / "stale.patch", STALE)])
    text = failure(pkg)
    assert "phase patch failed: stale.patch does not apply to failing-1.0" in text
    assert "phase build" not in text


@pytest.mark.skipif(_probe()[0] is None, reason=f"no bubblewrap: {_probe()[1]}")
def test_patch_is_on_path_in_the_sandbox(world: World, tmp_path: Path) -> None:
    pkg = checked_failing(world, patches=[write(tmp_path / "fix-sandboxed.patch", FIX)])
    assert "ANSWER = 42" in (build(pkg, sandbox="true") / SITE / "failing.py").read_text()


# -- hooks ----------------------------------------------------------------------------------


SHOW = "import failing, os; print(failing.ANSWER, os.environ['out'] in failing.__file__)"


def test_hooks_run_around_their_phases_with_the_phase_environment(world: World) -> None:
    pkg = checked_failing(
        world,
        # Before the build, in the source tree: the fix is what gets built.
        post_patch="echo post_patch >> hooks.log\nsed -i 's/ANSWER = 41/ANSWER = 42/' failing.py",
        pre_build='echo pre_build >> hooks.log; test -f pyproject.toml; test -n "$out"\n'
        "echo \"HOOKED = '$pname $version'\" >> failing.py",
        # After the install: $out is there, and the hook's python sees the installed package
        # (from the build folder: in the source tree, the source's failing.py would be found).
        post_install='test -d "$out/$site_packages"; cp hooks.log "$out/hooks.log"\n'
        'cd "$TMPDIR"; python -c "$SHOW" > "$out/answer"\n'
        'echo post_install >> "$out/hooks.log"',
        # Before the tests, with the check inputs importable too.
        pre_check='cd "$TMPDIR"; python -c "import pytest; $SHOW" > "$out/answer-at-check"\n'
        'echo pre_check >> "$out/hooks.log"',
        env={"SHOW": SHOW},
    )
    out = build(pkg)
    assert (out / "hooks.log").read_text().split() == [
        "post_patch",
        "pre_build",
        "post_install",
        "pre_check",
    ]
    assert (out / "answer").read_text() == (out / "answer-at-check").read_text() == "42 True\n"
    assert "HOOKED = 'failing 1.0'" in (out / SITE / "failing.py").read_text()


def test_a_failing_hook_fails_its_phase_and_pre_check_runs_only_with_the_check(
    world: World,
) -> None:
    hook = "false\necho never reached"  # sh -e: the first failing command ends the hook
    unchecked = world.pkgs.failing.override_python_attrs(do_check=False, pre_check=hook)
    assert (build(unchecked) / SITE / "failing.py").is_file()

    text = failure(checked_failing(world, pre_check=hook))
    assert "phase check failed: the pre_check hook exited with status 1" in text
    assert "never reached" not in text


# -- native build inputs --------------------------------------------------------------------


def test_native_build_inputs_are_on_path_and_importable_for_the_backend(world: World) -> None:
    tooled, megaphone = world.pkgs.tooled, world.pkgs.megaphone
    assert "missing megaphone" in failure(tooled)  # [build-system] requires names it

    with_tool = tooled.override_python_attrs(native_build_inputs=[megaphone])
    out = build(with_tool)
    generated = (out / SITE / "tooled" / "generated.py").read_text()
    assert generated == "SAID = 'MADE AT BUILD TIME'\nLOUDNESS = 11\nFROM_SET = True\n"
    # A build tool, not a dependency: nothing of it is needed at run time.
    assert json.loads((out / "pybuild-package.json").read_text())["dependencies"] == []
    assert megaphone.drv.out not in world.store.info(with_tool.drv.out).references


# -- relax_deps / remove_deps ---------------------------------------------------------------


def metadata(out: Path) -> str:
    return next((out / SITE).glob("*.dist-info")).joinpath("METADATA").read_text()


def requirements(out: Path) -> list[str]:
    """Requires-Dist as importlib.metadata reads it, after checking RECORD still agrees."""
    from importlib.metadata import distributions

    (dist,) = distributions(path=[str(out / SITE)])
    info = next((out / SITE).glob("*.dist-info"))
    data = (info / "METADATA").read_bytes()
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    assert f"{info.name}/METADATA,sha256={digest},{len(data)}" in (info / "RECORD").read_text()
    return dist.requires or []


def test_relax_deps_drops_the_bound_the_runtime_deps_check_refuses(world: World) -> None:
    picky = world.pkgs.picky.override_python_attrs(  # wants shout>=2, is given shout 1.0
        remove_scripts={"picky-helper": "its module is not shipped"}
    )
    assert "relax_deps=[" in failure(picky)  # the refusal says how to give way

    out = build(picky.override_python_attrs(relax_deps=["shout"]))
    assert requirements(out) == ["shout", 'gamma; python_version < "3"']
    # Only that line changed: the same build unchecked and unrelaxed has the rest as it is.
    unrelaxed = build(picky.override_python_attrs(skip_phases=["runtime deps check"]))
    original, relaxed = (metadata(o) for o in (unrelaxed, out))
    assert "Requires-Dist: shout>=2\n" in original
    assert relaxed == original.replace("Requires-Dist: shout>=2\n", "Requires-Dist: shout\n")


def test_remove_deps_drops_the_requirement(world: World) -> None:
    picky = world.pkgs.picky.override_python_attrs(
        dependencies=[],
        remove_scripts={"picky-helper": "its module is not shipped"},
        remove_deps=["Shout"],  # names compare as PEP 503 normalises them
    )
    assert requirements(build(picky)) == ['gamma; python_version < "3"']


def test_relaxing_a_requirement_the_wheel_does_not_have_is_an_error(world: World) -> None:
    picky = world.pkgs.picky.override_python_attrs(relax_deps=["shout", "numpy"])
    assert "phase install failed: relax_deps names numpy, which the wheel does not" in failure(
        picky
    )


# -- meta -----------------------------------------------------------------------------------

META = {"description": "Shouts text", "homepage": "https://example.org", "license": "MIT"}


def test_meta_is_kept_on_the_package_and_is_not_in_its_hash(world: World) -> None:
    shout = world.pkgs.shout
    described = shout.override_python_attrs(meta=META)
    assert described.meta == META and shout.meta == {}
    assert described.drv.drv_name == shout.drv.drv_name
    assert described.drv.meta["license"] == "MIT"


def test_pybuild_eval_shows_meta(build_index: BuildIndex, tmp_path: Path) -> None:
    folder = write_fixture_recipes(tmp_path / "recipes", build_index, ["megaphone"])
    (folder / "described.py").write_text(
        "def recipe(build_python_package, flit_core, megaphone):\n"
        "    return build_python_package(\n"
        f"        pname='shout', version='1.0', src={str(PROJECTS / 'shout')!r},\n"
        f"        build_system=[flit_core], native_build_inputs=[megaphone], meta={META!r})\n"
    )
    command = [sys.executable, "-m", "pybuild", "eval", "described"]
    command += ["--recipes", str(DEFAULT_RECIPES), "--recipes", str(folder)]
    shown = subprocess.run(command, capture_output=True, text=True, check=True)
    assert "meta.license: MIT\n" in shown.stdout
    assert "native_build_inputs: megaphone\n" in shown.stdout
    as_json = subprocess.run([*command, "--json"], capture_output=True, text=True, check=True)
    assert json.loads(as_json.stdout)["meta"] == META


# -- checks of the attributes ---------------------------------------------------------------


def recipe(**attrs: object) -> PythonPackage:
    return build_python_package(**{"pname": "demo", "version": "1", "src": "/nowhere", **attrs})


def test_an_unknown_phase_in_skip_phases_is_refused_with_close_names() -> None:
    with pytest.raises(UsageError, match="unknown phase 'imports-check'; did you mean 'imports"):
        recipe(skip_phases=["imports-check"])
    assert recipe(skip_phases=["patch", "runtime deps check"]).attrs["skip_phases"]


@pytest.mark.parametrize(
    ("attr", "value", "what"),
    [
        ("dependencies", "six", "a list of packages"),
        ("native_build_inputs", None, "a list of packages"),
        ("do_check", "no", "True or False"),
        ("skip_phases", "check", "a list of phase names"),
        ("patches", "fix.patch", "a list of patch files"),
        ("post_install", ["rm -r tests"], "a shell snippet"),
        ("relax_deps", "numpy", "a list of requirement names, or True"),
        ("meta", {"license": ["MIT"]}, "a mapping of description, homepage, license"),
        ("env", {"CFLAGS": 3}, "a mapping of variable names to strings"),
        ("config_settings", {"setup-args": [1]}, "a mapping of names to strings or lists"),
    ],
)
def test_a_wrong_type_is_refused_naming_the_attribute(attr: str, value: object, what: str) -> None:
    with pytest.raises(UsageError, match=f"^demo: {attr} must be {what}"):
        recipe(**{attr: value})


def test_a_package_alone_where_a_list_goes_is_told_to_be_put_in_one() -> None:
    """``dependencies=six`` in a recipe: the error names six and the list, not ``Lazy``."""
    from pybuild.lazy import Lazy

    six = recipe(pname="six")
    for alone in (six, Lazy("final.six", lambda: six)):
        with pytest.raises(UsageError) as told:
            recipe(dependencies=alone)
        assert str(told.value) == (
            "demo: dependencies must be a list of packages, not the package six alone: put it"
            " in a list, [six]"
        )


def test_unknown_names_suggest_close_ones_and_patches_need_a_source() -> None:
    with pytest.raises(UsageError, match="'dependecies'; did you mean 'dependencies'"):
        recipe(dependecies=[])
    with pytest.raises(UsageError, match="meta has unknown key 'licence'; did you mean 'license'"):
        recipe(meta={"licence": "MIT"})
    with pytest.raises(UsageError, match="build from the sdist to patch it"):
        recipe(format="wheel", patches=["fix.patch"])


def test_a_wheel_is_no_source_to_build_but_one_to_install(tmp_path: Path) -> None:
    wheel = "demo-1-py3-none-any.whl"
    fetched = fetch_url(f"file://{tmp_path}/{wheel}", "sha256-" + "A" * 43 + "=")
    for src in (fetched, tmp_path / wheel, str(tmp_path / wheel)):
        with pytest.raises(UsageError, match=f"^demo: src is the wheel {wheel}, but format="):
            recipe(src=src)
        assert recipe(src=src, format="wheel").attrs["format"] == "wheel"
    assert recipe(src=f"{tmp_path}/demo-1.tar.gz").attrs["src"]


def test_an_sdist_or_a_folder_is_no_wheel_to_install(tmp_path: Path) -> None:
    """format="wheel" with an sdist failed in the build's unpack phase, naming no recipe."""
    sdist = "demo-1.tar.gz"
    fetched = fetch_url(f"file://{tmp_path}/{sdist}", "sha256-" + "A" * 43 + "=")
    for src, name in [(fetched, sdist), (tmp_path / sdist, sdist), (str(tmp_path), tmp_path.name)]:
        with pytest.raises(UsageError) as told:
            recipe(src=src, format="wheel")
        assert str(told.value).startswith(f"demo: src is {name}, not a wheel, but format='wheel'")
        assert 'fetch_pypi(..., kind="wheel"), or leave out format="wheel"' in told.value.hint
        assert recipe(src=src).attrs["src"] is src
