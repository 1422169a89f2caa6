"""Real Python builds: tiny projects built from sdists with the real build tools, hermetically.

The fixture projects (tests/fixtures/projects/) are published as sdists in a local PEP 691
index beside the real wheels of setuptools, flit-core, pytest and the builder's toolchain
(``.cache/wheels``, filled by ``tests/support/wheelcache.py``), and pip's configuration points
at that index only, so nothing reaches a real one. The recipes of the fixture projects are
written to a folder and evaluated with the default recipes, as a user's would be.

Builds are shared: one pybuild home for the module (``world``), so setuptools and friends are
built once; a test that needs a home of its own (reproducibility, HTTP) makes one.

Builds run in-process with ``realise``; one test checks that ``pybuild build`` (from a file,
or from a recipe folder) gives the same output.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import io
import os
import re
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from packaging.version import Version

from pybuild.derivations import STORE_TOKEN, Derivation
from pybuild.errors import BuildError, HashMismatch, UsageError
from pybuild.fetchers import fetch_pypi
from pybuild.hashing import hash_bytes, hash_file
from pybuild.index import ProjectNotFound, VersionNotFound
from pybuild.localsource import local_source
from pybuild.pkgset import DEFAULT_RECIPES, PackageSet, package_set
from pybuild.python.package import PythonPackage, build_python_package
from pybuild.realiser import BuildOptions, realise
from pybuild.sandbox import sandbox_for
from pybuild.store import Store
from support import fixtures as _fixtures
from support.fixtures import BuildIndex, index_environ, write_fixture_recipes
from support.interpreter import changed

build_index = _fixtures.build_index
build_index_http = _fixtures.build_index_http
use_index = _fixtures.use_index

SITE = f"lib/python{sys.version_info.major}.{sys.version_info.minor}/site-packages"
GREETING = "HELLO FROM GREET!"


@dataclass
class World:
    """The module's shared pybuild home, recipes and package set."""

    home: Path
    store: Store
    recipes: Path
    index: BuildIndex
    pkgs: PackageSet

    def new_set(self) -> PackageSet:
        """The same recipes, evaluated afresh (in whatever home is current)."""
        return package_set(recipes=[DEFAULT_RECIPES, self.recipes])

    def out(self, name: str) -> str:
        """The output of the shared set's `name`, evaluated in the world's home.

        A derivation is made in the current home (its builder and sources are added to that
        store), so tests that switch homes ask for the world's outputs through this.
        """
        with pytest.MonkeyPatch.context() as mp:
            for key, value in _home_environ(self.home).items():
                mp.setenv(key, value)
            return self.pkgs[name].drv.out


def _home_environ(home: Path) -> dict[str, str]:
    return {"PYBUILD_HOME": str(home), "XDG_CONFIG_HOME": str(home.parent / "config")}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, build_index: BuildIndex) -> Iterator[World]:
    base = tmp_path_factory.mktemp("world")
    home = base / "home"
    with pytest.MonkeyPatch.context() as mp:
        for name, value in {**_home_environ(home), **index_environ(build_index.file_url)}.items():
            mp.setenv(name, value)
        for name in ("PYBUILD_JOBS", "PYBUILD_KEEP_FAILED", "PYBUILD_CONFIG"):
            mp.delenv(name, raising=False)
        recipes = write_fixture_recipes(base / "recipes", build_index)
        pkgs = package_set(recipes=[DEFAULT_RECIPES, recipes])
        store = Store(home)
        yield World(home, store, recipes, build_index, pkgs)
        store.registry.close()


@pytest.fixture(autouse=True)
def pybuild_home(world: World, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Overrides conftest's: the tests of this module share the world's home and index, and
    as root their builds outside the sandbox run as root too (as conftest's)."""
    for name, value in {**_home_environ(world.home), **index_environ(world.index.file_url)}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("PYBUILD_BUILD_USERS", "false")
    return world.home


@pytest.fixture
def fresh_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    """A home of the test's own, empty, made the current one."""
    home = tmp_path / "other-home"
    for name, value in _home_environ(home).items():
        monkeypatch.setenv(name, value)
    store = Store(home)
    yield store
    store.registry.close()


def build(*packages: PythonPackage | Derivation, store: Store | None = None, **options: object):
    """Realise `packages` quietly; returns their fates."""
    drvs = [p.drv if isinstance(p, PythonPackage) else p for p in packages]
    return realise(drvs, store, BuildOptions(log=io.StringIO(), **options))  # type: ignore[arg-type]


def failure_text(exc: BuildError) -> str:
    """The error's message and its whole log."""
    log = Path(exc.log_path).read_text(errors="replace") if exc.log_path else ""
    return f"{exc}\n{log}"


def assert_not_registered(store: Store, pkg: PythonPackage) -> None:
    """No output of `pkg` is valid or present, under its name or any other of its kind."""
    out = pkg.drv.out
    assert not store.is_valid(out)
    assert not store.path(out).exists()
    registered = [p for p in store.registry.paths() if not p.endswith(".drv")]
    assert [p for p in registered if p.endswith(pkg.drv.name)] == []


def out_of(pkg: PythonPackage, store: Store) -> Path:
    return Path(pkg.drv.path(store=store))


def run_python_with(site_dirs: list[Path], code: str) -> str:
    """Run `code` in a bare interpreter (no site-packages, empty environment) with `site_dirs`."""
    prelude = "import site\n" + "".join(f"site.addsitedir({str(d)!r})\n" for d in site_dirs)
    result = subprocess.run(
        [sys.executable, "-S", "-c", prelude + code], env={}, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def differing_files(a: Path, b: Path) -> list[str]:
    """Relative paths whose presence or bytes differ between two trees (for messages)."""

    def files(root: Path) -> dict[str, bytes]:
        return {
            p.relative_to(root).as_posix(): (
                os.readlink(p).encode() if p.is_symlink() else p.read_bytes()
            )
            for p in root.rglob("*")
            if p.is_file() or p.is_symlink()
        }

    fa, fb = files(a), files(b)
    return sorted(k for k in fa.keys() | fb.keys() if fa.get(k) != fb.get(k))


def need_pytest(world: World) -> PythonPackage:
    if "pytest" not in world.pkgs:
        pytest.skip("the default package set has no pytest recipe yet")
    return world.pkgs.pytest


# -- shared builds --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def greet(world: World) -> PythonPackage:
    """greet (setuptools, from its sdist) and shout (flit-core), built once."""
    with pytest.MonkeyPatch.context() as mp:
        for name, value in _home_environ(world.home).items():
            mp.setenv(name, value)
        build(world.pkgs.greet, store=world.store)
    return world.pkgs.greet


# -- building -------------------------------------------------------------------------------


def test_greet_builds_from_its_sdist_and_its_script_runs_from_an_empty_environment(
    world: World, greet: PythonPackage
) -> None:
    store, shout = world.store, world.pkgs.shout
    out = out_of(greet, store)
    result = subprocess.run([out / "bin" / "greet"], env={}, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout == GREETING + "\n"
    # The script finds its closure relative to itself: no absolute store path in it.
    script = (out / "bin" / "greet").read_text()
    assert str(store.dir) not in script
    assert f"../../{shout.drv.out}/{SITE}" in script
    assert shout.drv.out in store.info(greet.drv.out).references
    # A venv-like layout, installed by pybuild, built by the backend each project names.
    dist_info = out / SITE / "greet-1.0.dist-info"
    assert (dist_info / "INSTALLER").read_text() == "pybuild\n"
    assert "Generator: setuptools" in (dist_info / "WHEEL").read_text()
    shout_info = out_of(shout, store) / SITE / "shout-1.0.dist-info"
    assert "Generator: flit" in (shout_info / "WHEEL").read_text()
    assert (out / SITE / "greet" / "__init__.py").is_file()


def test_the_builder_runs_from_the_toolchain_compiled_for_its_interpreter(
    world: World, greet: PythonPackage
) -> None:
    """A package's builder is the toolchain's copy of it (the toolchain is built once per
    interpreter), with that interpreter's bytecode for every module, checked by nothing (store
    files all have one time), so no build compiles the builder again."""
    drv = greet.drv
    tools = next(d for d in drv.input_drvs if d.name.endswith("-pybuild-toolchain"))
    assert drv.args[1] == f"{STORE_TOKEN}/{tools.out}/pybuild-builder/__main__.py"
    assert not [s for s in drv.input_srcs if s.endswith("-pybuild-python-builder")]
    builder = world.store.path(tools.out) / "pybuild-builder"
    modules = sorted(p.name for p in builder.glob("*.py"))
    assert {"__main__.py", "phases.py", "unpack.py"} <= set(modules)
    assert "toolchain.py" not in modules  # it made the toolchain; no build runs it
    for name in modules:
        pyc = Path(importlib.util.cache_from_source(str(builder / name)))
        flags = int.from_bytes(pyc.read_bytes()[4:8], "little")
        assert flags == 0b01, name  # hash-based, source unchecked (PEP 552)


def test_a_c_extension_builds_with_gcc_and_imports(world: World) -> None:
    cext = world.pkgs.cext
    build(cext)
    site = out_of(cext, world.store) / SITE
    assert list((site / "cext").glob("_fast.*.so")), sorted(os.listdir(site / "cext"))
    closure = [site, *(out_of(p, world.store) / SITE for p in cext.runtime_closure)]
    assert run_python_with(closure, "import cext._fast\nprint(cext._fast.add(2, 40))") == "42\n"
    # compiled with the interpreter's flags (-DNDEBUG -O3 …), as pip compiles it: setuptools
    # takes CFLAGS instead of them, so the build's own flag must not be given as CFLAGS
    assert run_python_with(closure, "import cext._fast\nprint(cext._fast.optimised())") == "True\n"


def test_a_failing_test_suite_fails_the_build_in_the_check_phase(world: World) -> None:
    checked = world.pkgs.failing.override_python_attrs(check_inputs=[need_pytest(world)])
    with pytest.raises(BuildError) as info:
        build(checked)
    text = failure_text(info.value)
    assert "phase check failed" in text
    assert "test_the_answer_is_forty_two" in text
    assert "phase check failed" in str(info.value)  # the message itself says which phase
    assert_not_registered(world.store, checked)

    unchecked = checked.override_python_attrs(do_check=False)
    assert build(unchecked)[unchecked.drv].status == "built"
    assert world.store.is_valid(unchecked.drv.out)


def test_requirements_and_scripts_are_checked_against_the_closure(
    world: World, shout2: PythonPackage
) -> None:
    picky = world.pkgs.picky  # requires shout>=2, is given shout 1.0
    with pytest.raises(BuildError) as info:
        build(picky)
    assert "phase runtime deps check failed" in str(info.value)
    assert "picky 1.0 requires shout>=2 (have shout 1.0)" in failure_text(info.value)
    assert_not_registered(world.store, picky)

    newer = picky.override_python_attrs(dependencies=[shout2])
    with pytest.raises(BuildError) as info:
        build(newer)  # picky-helper runs picky_helper:main, which nothing ships
    assert "phase scripts check failed" in str(info.value)
    assert "picky-helper (picky_helper:main)" in failure_text(info.value)

    dropped = newer.override_python_attrs(remove_scripts={"picky-helper": "no such module"})
    assert build(dropped)[dropped.drv].status == "built"
    bin_dir = out_of(dropped, world.store) / "bin"
    assert sorted(os.listdir(bin_dir)) == ["picky"]


def test_an_undeclared_import_fails_the_imports_check_unless_a_generated_recipe_allows_it(
    world: World,
) -> None:
    # greet imports shout: without it (and without its requirement), the import fails
    bare = world.pkgs.greet.override_python_attrs(dependencies=[], remove_deps=["shout"])
    with pytest.raises(BuildError) as info:
        build(bare)
    assert "phase imports check failed: cannot import greet" in failure_text(info.value)
    assert not world.store.is_valid(bare.drv.out)  # the set's greet may be there: not this one

    allowed = bare.override_python_attrs(allow_undeclared_imports=True)
    assert build(allowed)[allowed.drv].status == "built"
    log = (world.store.log_dir / f"{allowed.drv.drv_name}.log").read_text()
    assert "greet imports shout, which no dependency provides" in log
    assert world.pkgs.greet.drv.out != allowed.drv.out
    # the flag is in a derivation only when set: every other recipe keeps its store path
    assert "allow_undeclared_imports" not in dict(world.pkgs.greet.drv.env)["PYBUILD_ATTRS"]


def builder_phases(monkeypatch: pytest.MonkeyPatch) -> Any:
    """The in-build builder's phases module, loaded as the builder loads it."""
    builder = Path(__file__).parents[1] / "pybuild" / "python" / "builder"
    monkeypatch.syspath_prepend(str(builder))  # phases imports its siblings by bare names
    spec = importlib.util.spec_from_file_location("pybuild_builder_phases", builder / "phases.py")
    assert spec is not None and spec.loader is not None
    main = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(main)
    return main


def test_a_wheel_is_refused_as_a_source_tree_by_the_builder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A wheel the recipe's check could not see (a fetch named otherwise, a folder of its
    files) is refused when unpacked, not built as a release 0.0.0 with a version hint."""
    main = builder_phases(monkeypatch)
    wheel = tmp_path / "0hash-demo-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("demo/__init__.py", "")
        archive.writestr("demo-1.0.dist-info/METADATA", "Name: demo\nVersion: 1.0\n")
    attrs = {"format": "pyproject", "src": str(wheel)}
    with pytest.raises(
        main.PhaseFailed, match=r"^src demo-1\.0-py3-none-any\.whl is a built wheel"
    ):
        main.unpack_phase(attrs, tmp_path / "out", tmp_path, {})
    files = tmp_path / "0hash-files"
    zipfile.ZipFile(wheel).extractall(files)
    work = tmp_path / "work"
    work.mkdir()
    with pytest.raises(main.PhaseFailed, match=r"^src \(demo-1.0.dist-info in it\) is a built"):
        main.unpack_phase({**attrs, "src": str(files)}, tmp_path / "out", work, {})
    (files / "setup.py").write_text("")  # a source tree that happens to hold one
    main.unpack_phase({**attrs, "src": str(files)}, tmp_path / "out", work / "again", {})


def test_a_console_script_whose_package_fails_to_import_is_named_with_its_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Finding ``flask.cli`` imports ``flask``: when that fails (flask 1 with werkzeug 3), the
    scripts check shows the import's error, where it had called the module missing from the
    package and its dependencies; a module that is truly missing is still named so."""
    main = builder_phases(monkeypatch)
    monkeypatch.setenv("PYBUILD_BUILD_TOP", str(tmp_path))
    site_packages = "lib/site-packages"
    site = tmp_path / "out" / site_packages
    (site / "app").mkdir(parents=True)
    (site / "app" / "__init__.py").write_text(
        "print('app says hello', end='')\n"
        "raise ImportError(\"cannot import name 'url_quote' from 'werkzeug.urls'\")\n"
    )
    (site / "app" / "cli.py").write_text("def main(): pass\n")
    info = site / "app-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: app\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[console_scripts]\napp = app.cli:main\n")
    attrs = {"site_packages": site_packages, "dependencies": []}
    with pytest.raises(main.PhaseFailed) as failed:
        main.scripts_check_phase(attrs, tmp_path / "out", tmp_path, {})
    assert str(failed.value).startswith(
        "console scripts whose module's package fails to import: app (app.cli:main):"
        " ImportError: cannot import name 'url_quote' from 'werkzeug.urls'."
    )

    (info / "entry_points.txt").write_text("[console_scripts]\napp = app_helper.cli:main\n")
    with pytest.raises(main.PhaseFailed, match=r"neither the package nor its dependencies: app "):
        main.scripts_check_phase(attrs, tmp_path / "out", tmp_path / "again", {})


def test_asking_a_failed_backend_what_it_needs_adds_none_of_its_warnings_to_the_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pyproject-hooks replays a hook's warnings in the caller: setuptools' boxed deprecations,
    from the question asked after a failed build_wheel, had pushed the compiler's error out of
    the log's tail (pycrypto on 3.13)."""
    import warnings

    from pyproject_hooks import BuildBackendHookCaller

    main = builder_phases(monkeypatch)
    monkeypatch.setenv("PYBUILD_BUILD_TOP", str(tmp_path))
    (tmp_path / "warner.py").write_text(
        "import warnings\n"
        "def get_requires_for_build_wheel(config_settings=None):\n"
        "    warnings.warn('License classifiers are deprecated.')\n"
        "    return []\n"
    )
    hooks = BuildBackendHookCaller(
        str(tmp_path), "warner", backend_path=["."], python_executable=sys.executable
    )
    with warnings.catch_warnings(record=True) as replayed:
        warnings.simplefilter("always")
        main._explain_build_failure(hooks, None, [], "warner", {})
    assert [str(w.message) for w in replayed] == []


def test_an_undeclared_import_is_found_behind_an_error_of_the_packages_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A jupyter-server extension re-raises jupyter_server's absence with its own message, and
    black's ``blackd`` the absence of its extra's aiohttp as a plain ImportError (each
    ``from None``: the name is only in the error's context); a missing module of the package
    itself still fails, and so does a module missing from a project that is there (a
    dependency too old); one missing from a namespace package does not (another project's part
    of it is there), nor does a module whose own code refuses to be imported by itself
    (psycopg_binary, which psycopg imports), while an ImportError the import system raises (an
    extension that does not load) still fails."""
    main = builder_phases(monkeypatch)
    (tmp_path / "ext").mkdir()
    (tmp_path / "ext" / "__init__.py").write_text(
        "try:\n    import no_such_server\nexcept ModuleNotFoundError:\n"
        "    raise ModuleNotFoundError('No Such Server must be installed') from None\n"
    )
    (tmp_path / "extra").mkdir()
    (tmp_path / "extra" / "__init__.py").write_text(
        "try:\n    import no_such_http\nexcept ImportError:\n"
        "    raise ImportError('install extra[d] for no_such_http') from None\n"
    )
    (tmp_path / "own").mkdir()
    (tmp_path / "own" / "__init__.py").write_text("import own.absent\n")
    (tmp_path / "companion").mkdir()
    (tmp_path / "companion" / "__init__.py").write_text(
        "import sys\nif 'main_package' not in sys.modules:\n"
        "    raise ImportError('the main_package package should be imported before companion')\n"
    )
    suffix = importlib.machinery.EXTENSION_SUFFIXES[0]  # the running interpreter's own
    (tmp_path / f"broken{suffix}").write_bytes(b"not an ELF file")
    (tmp_path / "dep").mkdir()
    (tmp_path / "dep" / "__init__.py").write_text("")
    (tmp_path / "stale").mkdir()
    (tmp_path / "stale" / "__init__.py").write_text("import dep.newer_module\n")
    (tmp_path / "shared" / "other").mkdir(parents=True)  # a namespace: another project's part
    (tmp_path / "cloudy").mkdir()
    (tmp_path / "cloudy" / "__init__.py").write_text("import shared.cloud\n")

    def run(module: str) -> subprocess.CompletedProcess[str]:
        code = main._tolerant_imports([module], [module])
        argv = [sys.executable, "-c", code]
        return subprocess.run(argv, cwd=tmp_path, capture_output=True, text=True)

    assert "ext imports no_such_server, which no dependency provides" in run("ext").stdout
    tolerated = run("extra")
    assert tolerated.returncode == 0
    assert "extra imports no_such_http, which no dependency provides" in tolerated.stdout
    failed = run("own")
    assert failed.returncode == 1 and "No module named 'own.absent'" in failed.stderr
    refused = run("companion")
    assert (
        refused.returncode == 0
        and (
            "companion refuses to be imported by itself (the main_package package should be"
            " imported before companion): its import is left unchecked"
        )
        in refused.stdout
    )
    failed = run("broken")
    assert failed.returncode == 1 and "ImportError:" in failed.stderr
    failed = run("stale")
    assert failed.returncode == 1 and "No module named 'dep.newer_module'" in failed.stderr
    assert "cloudy imports shared.cloud, which no dependency provides" in run("cloudy").stdout
    # a module the standard library dropped (imp on 3.12): the release is too old, not short
    # of a dependency
    (tmp_path / "aged").mkdir()
    (tmp_path / "aged" / "__init__.py").write_text("import dropped_module\n")
    monkeypatch.setattr(main, "_REMOVED_FROM_STDLIB", {"dropped_module": (3, 0)})
    failed = run("aged")
    assert failed.returncode == 1 and "No module named 'dropped_module'" in failed.stderr
    assert (
        "aged imports dropped_module, which the standard library no longer has (removed in"
        " Python 3.0)\npybuild: none of its modules imports: this release does not work on"
        " this Python"
    ) in failed.stdout
    # ... unless another of its modules imports: Cython 0.29's pyximport imports imp, and its
    # Cython works on 3.12 (pip and uv install it, and sdists needing Cython<3 build with it)
    (tmp_path / "fine.py").write_text("")
    code = main._tolerant_imports(["fine", "aged"], ["fine", "aged"])
    mixed = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True
    )
    assert mixed.returncode == 0, mixed.stderr
    assert "aged imports dropped_module, which the standard library no longer has" in (mixed.stdout)
    assert "its other modules import: those left unchecked are extras" in mixed.stdout
    # ... but not when the one that fails is the project's own (virtualenv 16's virtualenv
    # imports distutils; its virtualenv_support, only data, imports)
    code = main._tolerant_imports(["aged", "fine"], ["aged", "fine"], "Aged")
    own = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True)
    assert own.returncode == 1 and "No module named 'dropped_module'" in own.stderr
    assert "it is the project's own module: this release does not work" in own.stdout


def test_phases_and_their_subprocesses_see_only_the_declared_inputs(world: World) -> None:
    # sealed's import (the imports check) runs `sys.executable -c "import …"`: shout must be
    # there, pip (in the interpreter's own site-packages) must not.
    assert build(world.pkgs.sealed)[world.pkgs.sealed.drv].status == "built"


@pytest.mark.parametrize("sandbox", ["false", "true"])
def test_a_package_that_writes_to_home_builds_and_leaves_the_host_alone(
    world: World, sandbox: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if os.path.lexists("/homeless-shelter"):
        pytest.skip("/homeless-shelter exists on this machine: builds outside a sandbox refuse")
    if sandbox == "true" and sandbox_for("relaxed", lambda _: None) is None:
        pytest.skip("no sandbox here")
    monkeypatch.setenv("PYBUILD_SANDBOX", sandbox)
    pkg = world.pkgs.homebound.override_python_attrs(env={"PYBUILD_TRY": sandbox})
    assert build(pkg)[pkg.drv].status == "built"
    assert not os.path.lexists("/homeless-shelter")


def test_a_build_outside_the_sandbox_refuses_while_its_home_exists(
    world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pybuild import buildstep

    home = tmp_path / "homeless-shelter"
    home.mkdir()
    monkeypatch.setattr(buildstep, "_HOMELESS", str(home))
    monkeypatch.setenv("PYBUILD_SANDBOX", "false")
    pkg = world.pkgs.shout.override_python_attrs(env={"PYBUILD_TRY": "home"})
    with pytest.raises(BuildError, match="homeless-shelter exists"):
        build(pkg)


def test_a_backend_missing_from_build_system_is_named(world: World) -> None:
    pkg = world.pkgs.needs_hatch
    with pytest.raises(BuildError) as info:
        build(pkg)
    message = str(info.value)  # the message's log tail, not only the full log
    assert "phase build failed" in message
    assert "hatchling" in message
    assert "to build_system" in message
    assert_not_registered(world.store, pkg)


def test_a_build_requirement_of_another_version_is_not_told_to_be_added(
    world: World, tmp_path: Path
) -> None:
    """[build-system] requires flit_core<4, and build_system gives flit_core 4: the phase told
    to add the missing packages to build_system, where flit_core already was."""
    project = tmp_path / "bounded"
    (project / "bounded").mkdir(parents=True)
    (project / "bounded" / "__init__.py").write_text('"""Bounded."""\n__version__ = "1.0"\n')
    (project / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["flit_core<4"]\nbuild-backend = "flit_core.buildapi"\n'
        '[project]\nname = "bounded"\nversion = "1.0"\ndescription = "Bounded."\n'
    )
    flit_core = world.pkgs.flit_core
    pkg = build_python_package(
        pname="bounded",
        version="1.0",
        src=local_source(project, git=False),
        build_system=[flit_core],
    )
    with pytest.raises(BuildError) as info:
        build(pkg)
    message = str(info.value)
    assert f"missing flit_core<4 (have flit_core {flit_core.version})" in message
    assert "Add the missing packages" not in message
    assert "Give build_system a flit_core that satisfies it" in message
    assert_not_registered(world.store, pkg)


def test_a_requirement_only_the_backends_get_requires_names_is_named_when_the_build_fails(
    world: World,
) -> None:
    pkg = world.pkgs.needs_tool  # get_requires_for_build_wheel asks for absent-tool
    with pytest.raises(BuildError) as info:
        build(pkg)
    message = str(info.value)
    assert "phase build failed" in message
    assert "get_requires_for_build_wheel not satisfied by build_system" in message
    assert "absent-tool>=1 (none of the dependencies is it)" in message
    assert_not_registered(world.store, pkg)


def test_a_failing_backend_ends_the_log_with_its_own_error_not_the_builders_traceback(
    world: World, tmp_path: Path
) -> None:
    """The tail of the log a failed build shows is the backend's output (mysqlclient's "Can
    not find valid pkg-config name"), then one line: the builder's own traceback through
    pyproject-hooks pushed the cause out of it, and asking the backend what it needs, after,
    repeated its failure."""
    project = tmp_path / "natively"
    project.mkdir()
    (project / "setup.py").write_text("raise Exception('Can not find valid pkg-config name')\n")
    pkg = build_python_package(
        pname="natively", version="1.0", src=project, build_system=[world.pkgs.setuptools]
    )
    with pytest.raises(BuildError) as info:
        build(pkg)
    message = str(info.value)
    assert message.count("Can not find valid pkg-config name") == 1
    assert "could not build a wheel (exit status 1); its output, above, says why" in message
    assert "phases.py" not in message  # the builder's frames; the backend's own are its output


def test_a_build_that_works_never_asks_the_backend_what_it_requires(world: World) -> None:
    pkg = world.pkgs.unasked  # its get_requires_for_build_wheel raises
    build(pkg)
    site = out_of(pkg, world.store) / SITE
    assert run_python_with([site], "import unasked; print(unasked.VERSION)") == "1.0\n"


def test_a_build_that_downloads_fails(world: World) -> None:
    pkg = world.pkgs.online
    with pytest.raises(BuildError) as info:
        build(pkg)
    text = failure_text(info.value)
    assert "online: the download failed" in text
    # It failed at the builder's closed proxy, not merely because the name does not resolve.
    assert "Connection refused" in text
    assert_not_registered(world.store, pkg)


def _evil_sdist(path: Path, member: str) -> Path:
    """An sdist with a harmless setup.py, then `member`."""
    members = {"evil-1.0/setup.py": b"from setuptools import setup\nsetup()\n", member: b"1\n"}
    with tarfile.open(path, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


@pytest.mark.parametrize("kind", ["dot-dot", "absolute"])
def test_a_malicious_sdist_is_refused(world: World, tmp_path: Path, kind: str) -> None:
    target = tmp_path / "outside" / "abs-evil.py"
    member = "../evil.py" if kind == "dot-dot" else str(target)
    archive = _evil_sdist(tmp_path / f"evil-{kind}-1.0.tar.gz", member)
    pkg = build_python_package(
        pname=f"evil-{kind}", version="1.0", src=archive, build_system=[world.pkgs.setuptools]
    )
    with pytest.raises(BuildError) as info:
        build(pkg, keep_failed=True, build_dir=str(tmp_path / "builds"))
    message = str(info.value)
    assert "phase unpack failed" in message
    assert repr(member) in message  # the unsafe member, named
    assert_not_registered(world.store, pkg)
    assert not target.exists()
    # The failed build directory was kept: nothing of the archive landed anywhere.
    assert list(world.home.rglob("*evil.py")) == []
    assert list(tmp_path.rglob("*evil.py")) == []


# -- a package's own programs ---------------------------------------------------------------

_RAW_SCRIPT = '''\
#!/usr/bin/env python
"""gadget-raw: says where gadget is (a script of the package's own, no entry point)."""
from __future__ import annotations

import sys, gadget
print("raw", gadget.__name__, sys.prefix == sys.base_prefix)
'''


@pytest.fixture(scope="module")
def gadget(world: World, tmp_path_factory: pytest.TempPathFactory) -> PythonPackage:
    """gadget, from a local folder: a console script and a Python script of its own
    (setuptools' script-files, which the wheel ships in its ``.data/scripts``), built once."""
    project = tmp_path_factory.mktemp("gadget") / "gadget"
    (project / "gadget").mkdir(parents=True)
    (project / "scripts").mkdir()
    (project / "pyproject.toml").write_text(
        '[project]\nname = "gadget"\nversion = "0.1.0"\n'
        '[project.scripts]\ngadget-cli = "gadget:main"\n'
        '[tool.setuptools]\npackages = ["gadget"]\nscript-files = ["scripts/gadget-raw"]\n'
    )
    (project / "gadget" / "__init__.py").write_text("def main():\n    print('cli')\n")
    (project / "scripts" / "gadget-raw").write_text(_RAW_SCRIPT)
    (project / "scripts" / "gadget-raw").chmod(0o755)
    pkg = build_python_package(
        pname="gadget",
        version="0.1.0",
        src=local_source(project, git=False),
        build_system=[world.pkgs.setuptools],
    )
    with pytest.MonkeyPatch.context() as mp:
        for name, value in _home_environ(world.home).items():
            mp.setenv(name, value)
        build(pkg, store=world.store)
    return pkg


def test_a_packages_own_python_script_runs_from_its_path_and_in_an_environment(
    world: World, gadget: PythonPackage
) -> None:
    """A Python script of the wheel's scripts folder (``#!python``, which the installer
    rewrites) adds the package's closure as a console script does: it printed
    ``ModuleNotFoundError: No module named 'gadget'``. In an environment it runs with the
    environment's python."""
    out = out_of(gadget, world.store)
    for name, said in (("gadget-raw", "raw gadget True\n"), ("gadget-cli", "cli\n")):
        ran = subprocess.run([out / "bin" / name], env={}, cwd="/", capture_output=True, text=True)
        assert (ran.returncode, ran.stderr, ran.stdout) == (0, "", said), name
    script = (out / "bin" / "gadget-raw").read_bytes()
    console = (out / "bin" / "gadget-cli").read_bytes()
    assert script.split(b"\n")[:2] == console.split(b"\n")[:2]  # #!python -S, and the mark
    assert str(world.store.dir).encode() not in script.partition(b"\n")[2]
    env = world.pkgs.python.with_packages([gadget])
    build(env.drv, store=world.store)
    env_bin = Path(world.store.path(env.drv.out)) / "bin"
    ran = subprocess.run([env_bin / "gadget-raw"], env={}, cwd="/", capture_output=True, text=True)
    assert (ran.returncode, ran.stderr, ran.stdout) == (0, "", "raw gadget False\n")


def test_scripts_under_optimize_as_root_write_no_bytecode_into_the_store(
    world: World, gadget: PythonPackage
) -> None:
    """Under ``-O`` Python looks for ``.opt-1.pyc`` files, which builds do not make, and root,
    whom the store's read-only modes do not stop, wrote them into the package's path, which
    then no longer matched its hash."""
    out = out_of(gadget, world.store)
    for name in ("gadget-raw", "gadget-cli"):
        ran = subprocess.run(
            [out / "bin" / name], env={"PYTHONOPTIMIZE": "1"}, cwd="/", capture_output=True
        )
        assert ran.returncode == 0, ran.stderr
    assert list(out.rglob("*.opt-1.pyc")) == []
    problems = [p for p in world.store.verify(check_contents=True) if p.is_damage]
    assert problems == []


def _evil_wheel(folder: Path, name: str, member: str) -> Path:
    """A wheel of `name` 1.0 with a module, its metadata, and `member`."""
    wheel = folder / f"{name}-1.0-py3-none-any.whl"
    info = f"{name}-1.0.dist-info"
    files = {
        f"{name}.py": "VALUE = 1\n",
        member: "1\n",
        f"{info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n",
        f"{info}/WHEEL": "Wheel-Version: 1.0\nGenerator: hand\nRoot-Is-Purelib: true\n"
        "Tag: py3-none-any\n",
    }
    with zipfile.ZipFile(wheel, "w") as archive:
        for path, text in files.items():
            archive.writestr(path, text)
        archive.writestr(f"{info}/RECORD", "".join(f"{path},,\n" for path in [*files, info]))
    return wheel


@pytest.mark.parametrize(
    ("where", "member", "why"),
    [
        ("root", "../evil", "member ../evil escapes the installation folder"),
        (
            "data",
            "evil_data-1.0.data/scripts/../../../evil",
            "member evil_data-1.0.data/scripts/../../../evil escapes the installation folder",
        ),
        (
            "scheme",
            "evil_scheme-1.0.data/../evil",
            "evil_scheme-1.0.data/../evil is not contained in a valid .data subdirectory.",
        ),
    ],
)
def test_a_wheel_member_outside_the_installation_is_refused(
    world: World, tmp_path: Path, where: str, member: str, why: str
) -> None:
    """A member that goes up out of its folder failed the install phase with installer's
    traceback; the phase now names the wheel and the member."""
    name = f"evil_{where}"
    wheel = _evil_wheel(tmp_path, name, member)
    pkg = build_python_package(pname=name, version="1.0", format="wheel", src=wheel)
    with pytest.raises(BuildError) as info:
        build(pkg, build_dir=str(tmp_path / "builds"))
    text = failure_text(info.value)
    assert f"pybuild: phase install failed: refusing to install {wheel.name}: " in text
    assert f"{why}\n" in text
    assert "Traceback" not in text
    assert list(tmp_path.rglob("evil")) == []
    assert_not_registered(world.store, pkg)


# -- fetching errors ------------------------------------------------------------------------


def test_a_wrong_hash_is_reported_with_both_hashes(use_index: BuildIndex) -> None:
    wrong = hash_bytes(b"not greet").sri
    with pytest.raises(HashMismatch) as info:
        fetch_pypi("greet", "1.0", hash=wrong)
    actual = use_index.hash_of("greet-1.0.tar.gz")
    assert info.value.expected == wrong
    assert info.value.actual == actual
    assert wrong in str(info.value) and actual in str(info.value)


def test_an_empty_hash_shows_the_hash_to_paste(use_index: BuildIndex) -> None:
    with pytest.raises(HashMismatch) as info:
        fetch_pypi("shout", "2.0")
    actual = use_index.hash_of("shout-2.0.tar.gz")
    assert info.value.actual == actual
    assert f"hash={actual!r}" in str(info.value)


def test_a_version_the_index_lacks_lists_the_versions(use_index: BuildIndex) -> None:
    with pytest.raises(VersionNotFound) as info:
        fetch_pypi("shout", "3.0", hash=use_index.hash_of("shout-1.0.tar.gz"))
    assert info.value.available == [Version("1.0"), Version("2.0")]
    assert "1.0, 2.0" in str(info.value)


def test_a_project_the_index_lacks(use_index: BuildIndex) -> None:
    with pytest.raises(ProjectNotFound) as info:
        fetch_pypi("no-such-project", "1.0", hash=use_index.hash_of("shout-1.0.tar.gz"))
    assert info.value.project == "no-such-project"
    assert info.value.indexes == [use_index.file_url]
    with pytest.raises(ProjectNotFound) as typo:  # the close names, as pypi:NAME gives them
        fetch_pypi("shuot", "1.0", hash=use_index.hash_of("shout-1.0.tar.gz"))
    assert str(typo.value).endswith(
        "; did you mean 'shout'?\n  hint: check the spelling, or add"
        " the index holding it to PIP_EXTRA_INDEX_URL"
    )


def test_a_recipe_with_a_wrong_hash_fails_when_evaluated(world: World, tmp_path: Path) -> None:
    folder = tmp_path / "recipes"
    folder.mkdir()
    wrong = hash_bytes(b"not shout").sri
    text = re.sub(r'hash="[^"]*"', f'hash="{wrong}"', (world.recipes / "shout.py").read_text())
    (folder / "shout.py").write_text(text)
    pkgs = package_set(recipes=[DEFAULT_RECIPES, folder])
    with pytest.raises(HashMismatch) as info:
        pkgs.shout.drv  # noqa: B018 - evaluating is the point
    assert info.value.actual == world.index.hash_of("shout-1.0.tar.gz")


# -- overriding -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def shout2(world: World) -> PythonPackage:
    return world.pkgs.shout.override_python_attrs(
        version="2.0",
        src=fetch_pypi("shout", "2.0", hash=world.index.hash_of("shout-2.0.tar.gz")),
    )


def test_override_python_attrs_builds_another_version(world: World, shout2: PythonPackage) -> None:
    build(shout2)
    out = out_of(shout2, world.store)
    assert shout2.drv.out != world.pkgs.shout.drv.out
    assert (out / SITE / "shout-2.0.dist-info").is_dir()
    assert run_python_with([out / SITE], "import shout\nprint(shout.VERSION)") == "2.0\n"


def test_override_rebuilds_a_dependent_with_the_other_input(
    world: World, greet: PythonPackage, shout2: PythonPackage
) -> None:
    pkgs, store = world.pkgs, world.store
    greet2 = greet.override(shout=shout2)
    assert greet2.drv.out != greet.drv.out
    assert greet2.dependencies == [shout2]
    build(greet2)
    out = out_of(greet2, store)
    refs = store.info(greet2.drv.out).references
    assert shout2.drv.out in refs and pkgs.shout.drv.out not in refs
    result = subprocess.run([out / "bin" / "greet"], env={}, capture_output=True, text=True)
    assert result.stdout == GREETING + "\n", result.stderr
    # The same change made by an overlay gives the same greet, and leaves the rest alone.
    new_shout = shout2.attrs["src"]
    changed = pkgs.extend(
        lambda final, prev: {
            "shout": prev.shout.override_python_attrs(version="2.0", src=new_shout)
        }
    )
    assert changed.greet.drv.out == greet2.drv.out
    for name in ("setuptools", "flit_core", "cext", "failing"):
        assert changed[name].drv.out == pkgs[name].drv.out, name
    assert pkgs.greet.drv.out == greet.drv.out  # the original set is unchanged


# -- identity -------------------------------------------------------------------------------


def test_file_and_http_indexes_give_the_same_paths(
    world: World, build_index_http: str, fresh_home: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in index_environ(build_index_http).items():
        monkeypatch.setenv(name, value)
    for name in ("no_proxy", "NO_PROXY"):
        monkeypatch.setenv(name, "127.0.0.1")
    over_http = world.new_set()
    for name in ("greet", "shout", "cext", "setuptools", "flit_core"):
        assert over_http[name].drv.out == world.out(name), name
    src = over_http.greet.attrs["src"]
    assert src.meta["url"].startswith(build_index_http)  # it did come over HTTP
    build(src, store=fresh_home)
    fetched = Path(src.path(store=fresh_home))
    assert hash_file(fetched).sri == world.index.hash_of("greet-1.0.tar.gz")


@pytest.fixture(scope="module")
def second_home(
    world: World, greet: PythonPackage, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Store]:
    """Another home where the same recipes built greet and cext again, from scratch."""
    home = tmp_path_factory.mktemp("second") / "home"
    with pytest.MonkeyPatch.context() as mp:
        for name, value in _home_environ(home).items():
            mp.setenv(name, value)
        store = Store(home)
        again = world.new_set()
        assert again.greet.drv.out == world.out("greet")
        build(again.greet, again.cext, store=store)
        yield store
        store.registry.close()


def assert_identical_in_both(world: World, other: Store, names: tuple[str, ...]) -> None:
    for name in names:
        out = world.out(name)
        if not world.store.is_valid(out):
            build(world.pkgs[name], store=world.store)
        first, second = world.store.path(out), other.path(out)
        assert other.info(out).nar_hash == world.store.info(out).nar_hash, (
            f"{name} differs between homes in {differing_files(first, second)}"
        )


def test_builds_in_two_homes_are_identical(world: World, second_home: Store) -> None:
    assert_identical_in_both(world, second_home, ("shout", "greet"))


def test_a_c_extension_builds_reproducibly(world: World, second_home: Store) -> None:
    assert_identical_in_both(world, second_home, ("cext",))


def test_the_interpreter_is_part_of_every_package(world: World) -> None:
    pkgs = world.pkgs
    python = pkgs.greet.python  # the set's Interpreter
    assert dict(pkgs.greet.drv.env)["PYBUILD_PYTHON"] == python.identity
    rebuilt = changed(python, executable_hash=hash_bytes(b"other python").sri)
    newer = changed(python, version="3.11.99")
    outs = {pkgs.greet.drv.out}
    for other_python in (rebuilt, newer):
        other = package_set(other_python, [DEFAULT_RECIPES, world.recipes])
        assert dict(other.greet.drv.env)["PYBUILD_PYTHON"] == other_python.identity
        assert other.greet.attrs["src"].out == pkgs.greet.attrs["src"].out  # same download
        outs.add(other.greet.drv.out)
        assert other.setuptools.drv.out != pkgs.setuptools.drv.out
    assert len(outs) == 3
    # A package for one interpreter cannot use one built for another.
    mixed = build_python_package(
        python=rebuilt, pname="mixed", version="1", src=world.recipes, dependencies=[pkgs.shout]
    )
    with pytest.raises(UsageError) as err:
        mixed.drv  # noqa: B018 - evaluating is the point
    here = f"cpython {python.version} ({python.executable}, executable"  # only the hash differs
    assert str(err.value) == (
        f"shout 1.0, a dependency of mixed 1, is built for {here} {python.executable_hash}),"
        f" but mixed is for {here} {rebuilt.executable_hash})"
    )


# -- the command line and the store -----------------------------------------------------------


def test_the_cli_builds_the_same_package(
    world: World, greet: PythonPackage, tmp_path: Path
) -> None:
    file = tmp_path / "packages.py"
    file.write_text(
        "from pybuild.pkgset import DEFAULT_RECIPES, package_set\n"
        f"pkgs = package_set(recipes=[DEFAULT_RECIPES, {str(world.recipes)!r}])\n"
    )
    pybuild = [sys.executable, "-m", "pybuild", "build"]
    from_set = ["--recipes", str(DEFAULT_RECIPES), "--recipes", str(world.recipes), "greet"]
    for args in (["-f", str(file), "pkgs.greet"], ["-f", str(file), "pkgs.greet.drv"], from_set):
        result = subprocess.run([*pybuild, *args], capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == str(out_of(greet, world.store)), args


def test_builds_leave_every_store_path_unmodified(world: World, greet: PythonPackage) -> None:
    problems = [p for p in world.store.verify(check_contents=True) if p.is_damage]
    assert problems == []
