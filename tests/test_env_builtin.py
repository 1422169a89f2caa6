"""Environments are built by pybuild itself (``builtin:python-env``), as Nix builds buildEnv."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest

from pybuild.derivations import derivation
from pybuild.errors import BuildError
from pybuild.pkgset import DEFAULT_RECIPES, package_set
from pybuild.python.builder.env import compile_module
from pybuild.realiser import BuildOptions, check, realise
from pybuild.store import Store
from support.fixtures import BuildIndex, write_fixture_recipes

OURS = f"{sys.implementation.name}-{platform.python_version()} sha256-x cp311-cp311-linux_x86_64"


def quiet() -> BuildOptions:
    return BuildOptions(log=open(os.devnull, "w"))


def no_process(*args: object, **kwargs: object) -> None:
    raise AssertionError(f"a process was started: {args}")


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
    out = subprocess.run(
        [f"{env}/bin/python", "-c", "import greet, shout; print(shout.VERSION)"],
        env={},
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "1.0"
    site = Path(str(env)) / pkgs.python.site_packages
    assert [p.name for p in (site / "__pycache__").iterdir()] == [
        f"_pybuild_env.{sys.implementation.cache_tag}.pyc"
    ]
    shown = subprocess.run(
        [sys.executable, "-m", "pybuild", "show-derivation", str(env)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert '"builder": "builtin:python-env"' in shown.stdout


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


def test_an_unknown_builtin_builder_fails_the_build(store: Store) -> None:
    drv = derivation(name="odd", builder="builtin:nothing")
    with pytest.raises(BuildError) as err:
        realise([drv], store, quiet())
    assert "has no builder builtin:nothing" in err.value.tail


def test_bytecode_for_our_interpreter_is_what_it_writes_itself(tmp_path: Path) -> None:
    ours = tmp_path / "ours" / "_pybuild_env.py"
    ours.parent.mkdir()
    ours.write_text("import os\nPATHS = ['../a', '../b']\n")
    compile_module(ours, "/no/such/python", OURS)  # in this process: no interpreter started
    code = (
        "import py_compile, sys; py_compile.compile(sys.argv[1], dfile='_pybuild_env.py',"
        " doraise=True, invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)"
    )
    fresh = tmp_path / "fresh" / "_pybuild_env.py"
    fresh.parent.mkdir()
    fresh.write_text(ours.read_text())
    subprocess.run([sys.executable, "-I", "-S", "-c", code, str(fresh)], check=True)
    pyc = f"__pycache__/_pybuild_env.{sys.implementation.cache_tag}.pyc"
    assert (ours.parent / pyc).read_bytes() == (fresh.parent / pyc).read_bytes()


def _other_python() -> str | None:
    for root in ("/root/.pyenv/versions", "/opt/pyenv/versions"):
        for found in sorted(Path(root).glob("3.1[02]*/bin/python3.1[02]")):
            return str(found)
    return None


@pytest.mark.skipif(_other_python() is None, reason="needs a CPython 3.10 or 3.12")
def test_bytecode_for_another_interpreter_is_written_by_it(tmp_path: Path) -> None:
    python = str(_other_python())
    facts = subprocess.run(
        [
            python,
            "-I",
            "-S",
            "-c",
            "import platform, sys; print(platform.python_version(), sys.implementation.cache_tag)",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    module = tmp_path / "_pybuild_env.py"
    module.write_text("X = 1\n")
    compile_module(module, python, f"cpython-{facts[0]} sha256-x tag")
    assert (tmp_path / "__pycache__" / f"_pybuild_env.{facts[1]}.pyc").is_file()
