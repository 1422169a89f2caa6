"""Environments are built by pybuild itself (``builtin:python-env``), as Nix builds buildEnv."""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pybuild import builtin
from pybuild.derivations import derivation
from pybuild.errors import BuildError
from pybuild.pkgset import DEFAULT_RECIPES, package_set
from pybuild.python.builder.env import Collision, build, link_scripts, link_tree
from pybuild.realiser import BuildOptions, check, realise
from pybuild.store import Store
from support.fixtures import BuildIndex, write_fixture_recipes

OURS = f"{sys.implementation.name}-{platform.python_version()} sha256-x cp311-cp311-linux_x86_64"


def quiet() -> BuildOptions:
    return BuildOptions(log=open(os.devnull, "w"))


def no_process(*args: object, **kwargs: object) -> None:
    raise AssertionError(f"a process was started: {args}")


def run_in(env: object, code: str) -> str:
    """What the environment's python prints for `code`, started with an empty environment."""
    argv = [f"{env}/bin/python", "-c", code]
    return subprocess.run(argv, env={}, capture_output=True, text=True, check=True).stdout


def test_an_environment_is_built_without_a_process(
    use_index: BuildIndex, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    recipes = write_fixture_recipes(tmp_path / "recipes", use_index, ("shout", "greet"))
    pkgs = package_set(recipes=[DEFAULT_RECIPES, recipes])
    env = pkgs.python.with_packages(lambda ps: [ps.greet])
    store = Store.default()
    assert realise([pkgs.greet.drv], store, quiet())[pkgs.greet.drv].ok
    assert env.drv.builder == "builtin:python-env"
    with monkeypatch.context() as patched:
        patched.setenv("PYBUILD_SANDBOX", "true")  # not even probed: a builtin needs none
        patched.setattr(subprocess.Popen, "__init__", no_process)
        patched.setattr(os, "fork", no_process)
        result = realise([env.drv], store, quiet())[env.drv]
        assert result.ok, result.error
        assert check(env.drv, store, quiet()) == {}  # --check: the same bytes again
    log = (store.log_dir / f"{env.drv.drv_name}.log").read_text()
    assert "environment of 2 packages" in log
    assert run_in(env, "import greet, shout; print(shout.VERSION)").strip() == "1.0"
    site = Path(str(env)) / pkgs.python.site_packages
    for entry in site.iterdir():  # a relative link to each package's entry: a merged tree
        if entry.name == "00-pybuild-store.pth":  # the environment's own (python -O as root)
            continue
        assert entry.is_symlink() and not os.path.isabs(os.readlink(entry)), entry
        assert entry.resolve().is_relative_to(store.dir)
    assert {"greet", "shout"} <= {p.name.split(".")[0] for p in site.iterdir()}
    path = run_in(env, "import sys; print('\\n'.join(sys.path))").split()
    assert [p for p in path if p.startswith(str(store.dir))] == [str(site)]  # as in a venv
    shown = subprocess.run(
        [sys.executable, "-m", "pybuild", "show-derivation", str(env)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert '"builder": "builtin:python-env"' in shown.stdout


@pytest.mark.parametrize("shell", ["sh", "bash", "zsh", "fish"])
def test_activate_finds_the_environment_from_each_shell(
    use_index: BuildIndex, tmp_path: Path, shell: str
) -> None:
    """bin/activate (sh, bash, zsh) and bin/activate.fish, sourced from another folder: the
    environment is VIRTUAL_ENV and its python first on PATH; deactivate undoes both. A copy
    moved elsewhere (a moved home) finds itself too: sh, which cannot say which file it reads,
    had been given the store path the environment was built at, so that the same store path
    had another content in each home, and a moved one activated the old place."""
    program = shutil.which(shell)
    if program is None:
        pytest.skip(f"{shell} is not installed")
    pkgs = package_set()
    env = pkgs.python.with_packages(lambda ps: [])
    assert realise([env.drv], Store.default(), quiet())[env.drv].ok
    moved = tmp_path / "moved"
    shutil.copytree(str(env), moved, symlinks=True)
    assert str(Store.default().dir) not in (moved / "bin" / "activate").read_text()
    for where in (str(env), str(moved)):
        code = (
            f"source {where}/bin/activate.fish; echo $VIRTUAL_ENV; command -v python;"
            " deactivate; echo after $VIRTUAL_ENV"
            if shell == "fish"
            else f". {where}/bin/activate; echo $VIRTUAL_ENV; command -v python; deactivate;"
            ' echo "after ${VIRTUAL_ENV:-}"'
        )
        environ = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
        done = subprocess.run(
            [program, "-c", code], cwd=tmp_path, env=environ, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        lines = done.stdout.split("\n")
        assert [*lines[:2], lines[2].rstrip()] == [where, f"{where}/bin/python", "after"]


def test_a_derivation_of_another_layout_is_refused(store: Store) -> None:
    drv = derivation(
        name="other-env",
        builder="builtin:python-env",
        env={"PYBUILD_ENV_LAYOUT": "0" * 64, "PYBUILD_ENV": "{}", "PYBUILD_PYTHON": OURS},
    )
    with pytest.raises(BuildError) as err:
        realise([drv], store, quiet())
    assert "lays out environments differently" in err.value.tail
    assert not store.is_valid(drv.output_paths["out"])


def _hand_written_environment(tmp_path: Path, field: str) -> tuple[dict, Path]:
    """An environment's description with `field` written to reach outside ``$out`` (or read
    outside the build's inputs), and the path an unchecked builder would make there."""
    escape = tmp_path / "escape"
    spec: dict = {
        "site_packages": "lib/python3.11/site-packages",
        "closure": [],
        "programs": [],
        "python": sys.executable,
        "version": "3.11.2",
        "ignore_collisions": False,
    }
    if field == "site_packages":  # absolute
        spec["site_packages"] = str(escape / "x")
    elif field == "site_packages ..":
        spec["site_packages"] = "lib/" + "../" * 64 + str(escape / "x").lstrip("/")
    elif field == "closure":  # a folder of the host, listed and published in a store path
        private = tmp_path / "private"
        (private / "lib" / "python3.11" / "site-packages" / "secret-name").mkdir(parents=True)
        spec["closure"] = spec["programs"] = [str(private)]
        escape = private / "written"  # nothing to make: what is refused is that it is read
    elif field == "version":  # python3 links to `python`, then python3/evil.1 is made there
        escape.mkdir()
        spec["python"], spec["version"] = str(escape), "3/evil.1"
        escape = escape / "evil.1"
    return spec, escape


@pytest.mark.parametrize("field", ["site_packages", "site_packages ..", "closure", "version"])
def test_a_hand_written_environment_that_reaches_outside_is_refused(
    store: Store, tmp_path: Path, field: str
) -> None:
    """The builtin builder runs as pybuild does (as root, when it is), unsandboxed: a
    description that names a folder outside ``$out`` to write, or a path that is not one of
    the build's inputs to read, fails the build, naming it, before anything is made."""
    from pybuild.python.environment import _layout_version

    spec, escape = _hand_written_environment(tmp_path, field)
    drv = derivation(
        name="benv",
        builder="builtin:python-env",
        env={"PYBUILD_ENV": json.dumps(spec), "PYBUILD_ENV_LAYOUT": _layout_version()},
    )
    with pytest.raises(BuildError) as err:
        realise([drv], store, quiet())
    assert f"its {field.split()[0]} " in err.value.tail
    assert "is refused" in err.value.tail
    assert not (tmp_path / "escape" / "x").exists() and not os.path.lexists(escape)
    assert not store.is_valid(drv.output_paths["out"])


@pytest.mark.parametrize("case", ["out of its own", "no layout", "a carriage return"])
def test_a_hand_written_environment_whose_other_variables_reach_outside_is_refused(
    store: Store, tmp_path: Path, case: str
) -> None:
    """A derivation without the output ``out`` set ``out`` itself (outputs=["dev"], env
    out=/anywhere), and the builder, run as root, laid the environment out there; one
    without ``PYBUILD_ENV_LAYOUT`` was a KeyError; a ``\r`` split pyvenv.cfg's line."""
    from pybuild.python.environment import _layout_version

    escape = tmp_path / "escape"
    spec = {"site_packages": "lib/site-packages", "closure": [], "programs": [], "listed": []}
    spec |= {"python": "/usr/bin/python3", "version": "3.11.2", "ignore_collisions": False}
    env = {"PYBUILD_ENV_LAYOUT": _layout_version()}
    outputs = ["out"]
    if case == "out of its own":
        env["out"], outputs = str(escape), ["dev"]
    elif case == "no layout":
        env = {}
    else:
        spec["python"] = "/usr/bin/python3\rinclude-system-site-packages = true"
    env["PYBUILD_ENV"] = json.dumps(spec)
    drv = derivation(name="benv", builder="builtin:python-env", env=env, outputs=outputs)
    with pytest.raises(BuildError) as err:
        realise([drv], store, quiet())
    assert "the environment's derivation is refused: its " in err.value.tail
    assert not escape.exists()


def test_an_unknown_builtin_builder_fails_the_build(store: Store) -> None:
    drv = derivation(name="odd", builder="builtin:nothing")
    with pytest.raises(BuildError) as err:
        realise([drv], store, quiet())
    assert "has no builder builtin:nothing" in err.value.tail


def _raising(exc: Exception) -> None:
    raise exc


@pytest.mark.parametrize(
    ("exc", "failed"),
    [
        (OSError(28, "No space left on device"), True),
        (subprocess.CalledProcessError(1, ["tool"]), True),
        (ValueError("a bug in the builder"), False),
    ],
)
def test_a_builtin_that_the_system_or_a_process_fails_fails_its_build(
    store: Store, monkeypatch: pytest.MonkeyPatch, exc: Exception, failed: bool
) -> None:
    """The system's refusal and a process's failure fail the build, with their message in the
    log; any other exception is pybuild's bug and goes up as it is (a traceback to report)."""
    monkeypatch.setattr(sys.modules[__name__], "failing", lambda env, log: _raising(exc), False)
    monkeypatch.setitem(builtin._BUILDERS, "builtin:failing", f"{__name__}:failing")
    drv = derivation(name="fails", builder="builtin:failing")
    if failed:
        with pytest.raises(BuildError) as err:
            realise([drv], store, quiet())
        assert str(exc) in err.value.tail
    else:
        with pytest.raises(ValueError, match="a bug in the builder"):
            realise([drv], store, quiet())
    assert not store.is_valid(drv.output_paths["out"])


def test_folders_several_packages_have_are_merged_with_relative_links(tmp_path: Path) -> None:
    """A namespace package and the ``__pycache__`` of top-level modules are in several
    packages: the environment has a folder of its own there, with a link to each file."""
    store = tmp_path / "store"
    files = {
        "a": ["ns/a.py", "x.py", "__pycache__/x.pyc", "a_only/__init__.py"],
        "b": ["ns/b.py", "y.py", "__pycache__/y.pyc", "ns/sub/c.py"],
    }
    for package, names in files.items():
        for name in names:
            path = store / package / "lib" / "site" / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(f"{package}/{name}\n")
    (store / "env" / "lib" / "site").mkdir(parents=True)
    link_tree(store / "env", "lib/site", [store / "a", store / "b"])

    site = store / "env" / "lib" / "site"
    assert not (site / "ns").is_symlink() and not (site / "__pycache__").is_symlink()
    assert (site / "a_only").is_symlink() and (site / "ns" / "sub").is_symlink()
    assert os.readlink(site / "ns" / "a.py") == "../../../../a/lib/site/ns/a.py"
    moved = tmp_path / "moved"
    store.rename(moved)  # relative links: the store can move
    site = moved / "env" / "lib" / "site"
    for package, names in files.items():
        for name in names:
            assert (site / name).read_text() == f"{package}/{name}\n"


def test_programs_run_with_a_path_of_the_environment_alone_and_python_o_writes_nothing(
    use_index: BuildIndex, tmp_path: Path
) -> None:
    """A console script of the environment runs where PATH is the environment's bin alone,
    as a venv's does (its trampoline's readlink is found in the system's folders, never
    needed on PATH); and ``python -O`` as root (which ignores the store's read-only modes)
    writes no optimised bytecode into the packages' store paths, which would no longer
    match their registered hashes."""
    recipes = write_fixture_recipes(tmp_path / "recipes", use_index, ("shout", "greet"))
    pkgs = package_set(recipes=[DEFAULT_RECIPES, recipes])
    env = pkgs.python.with_packages(lambda ps: [ps.greet])
    store = Store.default()
    assert realise([env.drv], store, quiet())[env.drv].ok
    bin_dir = f"{env}/bin"
    ran = subprocess.run(
        [f"{bin_dir}/greet"], env={"PATH": bin_dir}, capture_output=True, text=True
    )
    assert ran.returncode == 0 and ran.stdout.strip(), ran.stderr
    optimised = [f"{env}/bin/python", "-O", "-c", "import greet, shout"]
    subprocess.run(optimised, env={}, check=True)
    if os.geteuid() == 0:  # another user cannot write into the store anyway
        assert list(store.verify(check_contents=True)) == []
    sites = [Path(str(p)) for p in (pkgs.greet, pkgs.shout)]
    assert not [f for site in sites for f in site.rglob("*.opt-1.pyc")]


def test_python_scripts_get_a_trampoline_and_other_programs_a_link(tmp_path: Path) -> None:
    """A Python script runs with the environment's python, so that it sees the environment; a
    console script of the package's build is written again from its entry point (the
    package's adds its closure, which the environment has); a compiled program (ruff's wheel
    ships one) or a shell script runs as it is."""
    store = tmp_path / "store"
    package = store / "h-python3.11-tools-1.0"
    (package / "bin").mkdir(parents=True)
    dist_info = package / "lib/site/tools-1.0.dist-info"
    dist_info.mkdir(parents=True)
    (dist_info / "entry_points.txt").write_text(
        "[console_scripts]\nTool = tools.cli:main.run [extra]\n[gui_scripts]\ngui=tools:gui\n"
    )
    ours = "#!/usr/bin/python3.11 -S\n# Made by pybuild: adds this package's runtime closure, …\n"
    long_shebang = "#!/bin/sh\n'''exec' /a/long/path/python \"$0\" \"$@\"\n' '''\nimport sys\n"
    programs = {
        "compiled": b"\x7fELF\x02\x01\x01" + bytes(64),
        "shell": b"#!/bin/sh\necho from the shell\n",
        "console": b"#!/usr/bin/python3.11 -S\nimport sys\n",
        "pypy": b"#!/opt/pypy/bin/pypy3 -S\nimport sys\n",
        "long": long_shebang.encode(),
        "Tool": ours.encode(),
        "gui": ours.encode(),
    }
    for name, text in programs.items():
        (package / "bin" / name).write_bytes(text)
        (package / "bin" / name).chmod(0o755)
    env = store / "e-env"
    (env / "bin").mkdir(parents=True)
    link_scripts(str(env), [str(package)], "lib/site")
    for name in ("compiled", "shell"):
        assert os.readlink(env / "bin" / name) == f"../../{package.name}/bin/{name}"
    for name in ("console", "pypy", "long"):
        trampoline = env / "bin" / name
        assert not trampoline.is_symlink() and '"$here/python"' in trampoline.read_text()
    tool = (env / "bin" / "Tool").read_text()
    assert "from tools.cli import main\n" in tool and "sys.exit(main.run())" in tool
    assert "from tools import gui\n" in (env / "bin" / "gui").read_text()
    assert os.access(env / "bin" / "Tool", os.X_OK)
    ran = subprocess.run([env / "bin" / "shell"], capture_output=True, text=True, check=True)
    assert ran.stdout == "from the shell\n"


def test_every_package_of_the_closure_gives_its_programs_and_data(tmp_path: Path) -> None:
    """As in a venv (and Nix's python.withPackages): a dependency's programs are there too (the
    packages asked for first win a name), and a wheel's data (``share/jupyter``, ``etc``, and
    ``lib`` beside the interpreter's folder: ``lib/pkgconfig``) is merged as site-packages is,
    where programs look for it under ``sys.prefix``."""
    site = "lib/python3.11/site-packages"
    store = tmp_path / "store"
    files = {
        "a-python3.11-lab-1.0": [
            "bin/lab",
            "bin/tool",
            "share/jupyter/lab/static/app.js",
            "etc/jupyter/server.d/lab.json",
            "lib/pkgconfig/lab.pc",
            "lib/liblab.so",
            f"{site}/lab/__init__.py",
        ],
        "b-python3.11-core-1.0": [
            "bin/jupyter",
            "bin/tool",
            "share/jupyter/kernels/py/k.json",
            "etc/jupyter/server.d/core.json",
            "lib/pkgconfig/core.pc",
            f"{site}/core.py",
        ],
    }
    for package, names in files.items():
        for name in names:
            (store / package / name).parent.mkdir(parents=True, exist_ok=True)
            (store / package / name).write_text("#!/usr/bin/python3 -S\n" if "bin/" in name else "")
        (store / package / "pybuild-package.json").write_text("{}\n")
    spec = {
        "python": sys.executable,
        "version": "3.11.7",
        "site_packages": site,
        "closure": [str(store / p) for p in files],
        "programs": [str(store / p) for p in files],
        "ignore_collisions": True,
    }
    env = store / "e-env"
    build(spec, env)
    venv = ["activate", "activate.fish", "python", "python3", "python3.11"]
    assert sorted(os.listdir(env / "bin")) == sorted([*venv, "jupyter", "lab", "tool"])
    assert "a-python3.11-lab-1.0" in (env / "bin" / "tool").read_text()  # the one asked for
    for name in (
        "share/jupyter/lab/static/app.js",
        "share/jupyter/kernels/py/k.json",
        "etc/jupyter/server.d/lab.json",
        "etc/jupyter/server.d/core.json",
        "lib/pkgconfig/lab.pc",
        "lib/pkgconfig/core.pc",
        "lib/liblab.so",
    ):
        assert (env / name).is_file(), name
    # merged on its own, as before
    assert sorted(os.listdir(env / site)) == ["00-pybuild-store.pth", "core.py", "lab"]
    assert (
        os.readlink(env / "share/jupyter/kernels")
        == "../../../b-python3.11-core-1.0/share/jupyter/kernels"
    )
    assert not (env / "pybuild-package.json").exists()
    # A profile's: the programs of the packages installed alone, their data all the same.
    listed = store / "p-env"
    build({**spec, "programs": spec["closure"][:1]}, listed)
    assert sorted(os.listdir(listed / "bin")) == sorted([*venv, "lab", "tool"])
    assert (listed / "share/jupyter/kernels/py/k.json").is_file()


def test_a_program_named_as_the_environments_own_is_a_collision(tmp_path: Path) -> None:
    """A package's ``python3`` or ``activate`` would be hidden by the environment's own (its
    interpreter, its activate script): refused as two packages' same program is, naming the
    program and the package; with collisions ignored, the environment's own stay."""
    site = "lib/python3.11/site-packages"
    store = tmp_path / "store"
    gamma = store / "g-python3.11-gamma-1.0"
    (gamma / site).mkdir(parents=True)
    (gamma / "bin").mkdir()
    for name in ("python3", "activate", "python3.11", "gamma"):
        (gamma / "bin" / name).write_text("#!/usr/bin/python3 -S\nimport sys\n")
    spec = {
        "python": sys.executable,
        "version": "3.11.7",
        "site_packages": site,
        "closure": [str(gamma)],
        "programs": [str(gamma)],
        "ignore_collisions": False,
    }
    with pytest.raises(Collision) as err:
        build(spec, store / "e-env")
    for name in ("python3", "activate", "python3.11"):
        assert f"bin/{name} is the environment's own, and is in {gamma.name}" in str(err.value)
    assert "bin/python is" not in str(err.value) and "bin/gamma" not in str(err.value)
    assert not (store / "e-env").exists()
    build({**spec, "ignore_collisions": True}, store / "i-env")
    assert os.readlink(store / "i-env" / "bin" / "python3") == sys.executable
    assert "deactivate ()" in (store / "i-env" / "bin" / "activate").read_text()
    assert (store / "i-env" / "bin" / "gamma").is_file()
    # A package whose programs the environment leaves out (a profile's dependency) is none.
    build({**spec, "programs": []}, store / "p-env")


def test_a_program_of_a_dependency_whose_programs_are_left_out_is_no_collision(
    tmp_path: Path,
) -> None:
    """pybuild run pypi:rst2html5 failed: docutils, its dependency, has a bin/rst2html5 too.
    A profile's environment has the listed package's programs alone; one with every
    package's has the listed package's program under that name, as uvx runs the tool's."""
    site = "lib/python3.11/site-packages"
    store = tmp_path / "store"
    packages = [store / "r-python3.11-rst2html5-2.0", store / "d-python3.11-docutils-0.23"]
    for package in packages:
        (package / site).mkdir(parents=True)
        (package / "bin").mkdir()
        (package / "bin" / "rst2html5").write_text("#!/bin/sh\necho " + package.name + "\n")
    spec = {
        "python": sys.executable,
        "version": "3.11.7",
        "site_packages": site,
        "closure": [str(p) for p in packages],
        "programs": [str(packages[0])],
        "ignore_collisions": False,
    }
    build(spec, store / "run-env")
    assert os.readlink(store / "run-env" / "bin" / "rst2html5").endswith(
        "r-python3.11-rst2html5-2.0/bin/rst2html5"
    )
    # Where both packages' programs are there, the listed package's wins its name, as it is
    # laid out; two listed packages, or two dependencies, clash.
    full = {**spec, "programs": spec["closure"], "listed": [str(packages[0])]}
    build(full, store / "full-env")
    assert "rst2html5-2.0" in os.readlink(store / "full-env" / "bin" / "rst2html5")
    for listed in (spec["closure"], []):
        with pytest.raises(Collision, match=r"bin/rst2html5 is in both r-python3\.11-rst2html5"):
            build({**full, "listed": listed}, store / "clash-env")


def _package_with_links_out(store: Path, private: Path) -> list[Path]:
    """Packages whose own outputs have symbolic links to folders and files outside them (a
    build, sandboxed, can make one to a folder it cannot read), each named ``covert``: a
    package's ``lib/python3.11`` and ``bin``, a dist-info folder and an ``entry_points.txt``,
    programs, and a package that is a link; and the links a real package may have in its
    site-packages (a module that is a link to a file of its own), linked as they are."""
    site = "lib/python3.11/site-packages"
    (private / "lib" / "site-packages" / "covert_module.py").parent.mkdir(parents=True)
    (private / "lib" / "site-packages" / "covert_module.py").write_text("covert content\n")
    (private / "bin").mkdir()
    for name in ("covert-program", "python3"):
        (private / "bin" / name).write_text(f"#!/usr/bin/python3 -S\n{_ADDS}\ncovert\n")
    (private / "covert-ep.txt").write_text("[console_scripts]\ntool = covert_module:main\n")
    (private / "covert.dist-info").mkdir()
    (private / "covert.dist-info" / "entry_points.txt").write_text(
        "[console_scripts]\nother = covert_module:main\n"
    )
    (private / "whole" / site).mkdir(parents=True)
    (private / "whole" / site / "covert_whole.py").write_text("covert\n")

    linked = store / "a-python3.11-linked-1.0"  # lib/python3.11 and bin are links out
    (linked / "lib").mkdir(parents=True)
    (linked / "lib" / "python3.11").symlink_to(private / "lib")
    (linked / "bin").symlink_to(private / "bin")
    own = store / "b-python3.11-own-1.0"  # real folders, with links in them
    (own / site / "own-1.0.dist-info").mkdir(parents=True)
    (own / site / "own-1.0.dist-info" / "entry_points.txt").symlink_to(private / "covert-ep.txt")
    (own / site / "other-1.0.dist-info").symlink_to(private / "covert.dist-info")
    (own / site / "own_real.py").write_text("VALUE = 1\n")
    (own / site / "own.py").symlink_to("own_real.py")  # a module that is a link: linked
    (own / "bin").mkdir()
    for name in ("tool", "other"):
        (own / "bin" / name).write_text(f"#!/usr/bin/python3 -S\n{_ADDS}\n")
    (own / "bin" / "program").symlink_to(private / "bin" / "covert-program")
    whole = store / "c-python3.11-whole-1.0"  # the package itself is a link
    whole.symlink_to(private / "whole")
    return [linked, own, whole]


_ADDS = "# Made by pybuild: adds this package's runtime closure"


def test_links_in_a_package_are_not_followed_out_of_it(tmp_path: Path) -> None:
    """The builder runs as pybuild does (as root, unsandboxed): a link a package has where a
    folder is (``lib/python3.11``, ``bin``, a dist-info, the package itself) or to a file it
    reads (``entry_points.txt``, a program) was followed, so that the names and content of a
    folder the package's build could not read were published in the environment. Such a link
    is no folder of the package now, and a program that is a link is linked; a module that is
    a link is linked as before."""
    store = tmp_path / "store"
    store.mkdir()
    packages = [str(p) for p in _package_with_links_out(store, tmp_path / "private")]
    site = "lib/python3.11/site-packages"
    spec = {
        "python": sys.executable,
        "version": "3.11.7",
        "site_packages": site,
        "closure": packages,
        "programs": packages,
        "ignore_collisions": False,
    }
    env = store / "e-env"
    build(spec, env)
    seen = []
    for folder, folders, files in os.walk(env):
        for name in folders + files:
            path = os.path.join(folder, name)
            seen.append(path)
            if os.path.islink(path):
                seen.append(os.readlink(path))
            elif os.path.isfile(path):
                seen.append(Path(path).read_text())
    assert not [text for text in seen if "covert" in text]
    assert sorted(os.listdir(env / site)) == [
        "00-pybuild-store.pth",
        "other-1.0.dist-info",
        "own-1.0.dist-info",
        "own.py",
        "own_real.py",
    ]
    assert (
        os.readlink(env / site / "own.py") == f"../../../../{Path(packages[1]).name}/{site}/own.py"
    )
    assert (env / site / "own.py").read_text() == "VALUE = 1\n"
    assert os.readlink(env / "bin" / "program") == f"../../{Path(packages[1]).name}/bin/program"
    assert '"$here/python"' in (env / "bin" / "tool").read_text()  # no entry point: a trampoline
