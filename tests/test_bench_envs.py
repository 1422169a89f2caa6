"""The environment of the bench's workloads 1-3 (bench/envs.py), chosen from a small set."""

from __future__ import annotations

import marshal
import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from bench import envfloor, evaluated, given
from bench.envs import choose_packages
from pybuild.pkgset import PackageSet, package_set
from support.fixtures import BuildIndex
from support.interpreter import FAKE_PYTHON

PY = FAKE_PYTHON


SRC = "{src}"  # filled in by the fixture: a file of the test's own


def recipe(pname: str, version: str, deps: str = "", tools: str = "", tests: str = "") -> str:
    inputs = ", ".join(filter(None, ["build_python_package", deps, tools, tests]))
    return textwrap.dedent(f"""
        def recipe({inputs}):
            return build_python_package(
                pname={pname!r}, version={version!r}, src={SRC!r},
                dependencies=[{deps}], build_system=[{tools}], check_inputs=[{tests}],
            )
    """)


UNSUPPORTED = """\
from pybuild.errors import UnsupportedInterpreter


def recipe(build_python_package):
    raise UnsupportedInterpreter("a-gone", "1", "Python 3.11.7", "it requires Python <3.11")
"""


@pytest.fixture
def pkgs(tmp_path: Path, use_index: BuildIndex) -> PackageSet:
    """A small set of the bench's shapes; the derivations of its packages take the toolchain's
    wheels from the fixture index."""
    folder = tmp_path / "recipes"
    folder.mkdir()
    recipes = {
        "anchor": recipe("anchor", "1", deps="lib", tools="backend"),
        "lib": recipe("lib", "2", tests="runner"),
        "lib_1": recipe("lib", "1"),  # another release of lib: never beside lib
        "old_user": recipe("old-user", "1", deps="lib_1"),  # needs it: passed over
        "backend": recipe("backend", "1"),  # a build tool: not asked for
        "runner": recipe("runner", "1"),  # a test tool: not asked for
        "a_leaf": recipe("a-leaf", "1"),
        "b_stack": recipe("b-stack", "1", deps="lib, c_leaf"),
        "c_leaf": recipe("c-leaf", "1"),
        "d_leaf": recipe("d-leaf", "1"),
        "a_gone": UNSUPPORTED,  # first by name: an environment without it is still chosen
    }
    src = tmp_path / "src.tar.gz"
    src.write_bytes(b"")
    for name, text in recipes.items():
        (folder / f"{name}.py").write_text(text.replace(SRC, str(src)))
    return package_set(PY, [folder])


def test_anchors_first_then_closures_in_name_order_one_release_a_project(pkgs: PackageSet) -> None:
    chosen = choose_packages(pkgs, size=5, anchors=("anchor",))
    assert chosen == ["a_leaf", "anchor", "b_stack", "c_leaf", "lib"]


def test_a_closure_that_would_pass_the_size_is_skipped_for_smaller_ones(pkgs: PackageSet) -> None:
    # anchor+lib, a_leaf; b_stack would bring two more (3 + 2 > 4): c_leaf fills the place
    assert choose_packages(pkgs, size=4, anchors=("anchor",)) == [
        "a_leaf",
        "anchor",
        "c_leaf",
        "lib",
    ]


def test_releases_this_interpreter_cannot_have_are_left_out_other_errors_are_not(
    pkgs: PackageSet, tmp_path: Path
) -> None:
    assert "a_gone" not in evaluated(pkgs)
    assert {"anchor", "lib", "lib_1", "backend"} <= set(evaluated(pkgs))
    (tmp_path / "recipes" / "broken.py").write_text(
        "def recipe(build_python_package):\n    raise RuntimeError('a defect of the set')\n"
    )
    with pytest.raises(RuntimeError, match="a defect of the set"):
        evaluated(package_set(PY, [tmp_path / "recipes"]))


def test_a_set_that_cannot_give_the_size_is_reported(pkgs: PackageSet) -> None:
    with pytest.raises(SystemExit, match="not 9"):
        choose_packages(pkgs, size=9, anchors=("anchor",))


def _env_file(folder: Path, recipes: Path) -> Path:
    """env.py as the bench writes it, over the test's set: two roots and their closure."""
    file = folder / "env.py"
    file.write_text(
        textwrap.dedent(f"""
            import os
            from pybuild.pkgset import package_set
            from pybuild.python.interpreter import Interpreter

            pkgs = package_set(Interpreter(**{PY._facts!r}), [{str(recipes)!r}])
            env = pkgs.python.with_packages(
                lambda ps: [ps.anchor, ps.b_stack], name=os.environ.get("BENCH_ENV_NAME")
            )
        """)
    )
    return file


def _dry_run(file: Path) -> list[str]:
    return [sys.executable, "-m", "pybuild", "build", "--dry-run", "-f", str(file), "env"]


def test_the_given_evaluation_makes_the_environments_derivation_without_the_set(
    pkgs: PackageSet, tmp_path: Path
) -> None:
    env = pkgs.python.with_packages(lambda ps: [ps.anchor, ps.b_stack])
    file = given.write(tmp_path, env)
    real = _env_file(tmp_path, tmp_path / "recipes")
    environ = {**os.environ, "BENCH_ENV_NAME": "probe"}
    given.check(_dry_run(real), _dry_run(file), environ)  # the same derivation: no exit
    probe = f"from pybuild.evaluate import load_module; load_module({str(file)!r}); import sys; "
    probe += "print(sorted(m for m in sys.modules if m.startswith('pybuild.')))"
    loaded = subprocess.run([sys.executable, "-c", probe], env=environ, capture_output=True)
    assert loaded.returncode == 0, loaded.stderr
    assert b"pybuild.pkgset" not in loaded.stdout and b"pybuild.python" not in loaded.stdout

    kept = marshal.loads((tmp_path / "given.marshal").read_bytes())
    kept["closure"] = kept["closure"][1:]  # a package missing: another derivation
    (tmp_path / "given.marshal").write_bytes(marshal.dumps(kept))
    with pytest.raises(SystemExit, match=r"does not make env\.py.s derivation"):
        given.check(_dry_run(real), _dry_run(file), environ)


def _tree(root: Path) -> list[tuple[str, str, bool]]:
    """Every entry under `root`: its path, what it is (a link's target, a file's text), and
    whether it is executable."""
    entries = []
    for path in sorted(root.rglob("*")):
        if path.is_symlink():
            entries.append((str(path.relative_to(root)), "-> " + os.readlink(path), False))
        elif path.is_dir():
            entries.append((str(path.relative_to(root)), "/", False))
        else:
            executable = bool(path.stat().st_mode & 0o100)
            entries.append((str(path.relative_to(root)), path.read_text(), executable))
    return entries


def test_the_standard_library_floor_lays_out_and_registers_the_same_tree(
    tmp_path: Path,
) -> None:
    env = tmp_path / "env"  # an environment's shape: folders, links into the store, scripts
    (env / "bin").mkdir(parents=True)
    (env / "bin" / "tool").write_text("#!/store/python\nimport tool\n")
    (env / "bin" / "tool").chmod(0o755)
    (env / "bin" / "python").symlink_to("/store/abc-python/bin/python3")
    (env / "lib" / "site-packages").mkdir(parents=True)
    (env / "lib" / "site-packages" / "tool").symlink_to("/store/def-tool/tool")
    (env / "pyvenv.cfg").write_text("home = /store/abc-python/bin\n")
    spec = envfloor.write(tmp_path, env)

    environ = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    subprocess.run(envfloor.argv(spec, "probe"), env=environ, check=True)

    store = tmp_path / "envfloor-store"
    made = [p for p in store.iterdir() if p.name.endswith("-probe")]
    assert len(made) == 1 and _tree(made[0]) == _tree(env)
    assert len(list(store.glob("*-probe.drv"))) == 1
    with sqlite3.connect(store / "db.sqlite") as db:
        assert sorted(path for (path,) in db.execute("SELECT path FROM paths")) == sorted(
            [str(made[0]), str(next(store.glob("*-probe.drv")))]
        )
