"""``pybuild build --check``: rebuild a valid path and say whether it is bit-identical."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from pybuild.pkgset import DEFAULT_RECIPES, package_set
from pybuild.realiser import BuildOptions, check, realise
from pybuild.store import Store
from support.fixtures import BuildIndex, write_fixture_recipes

BUILDS = '''\
from pybuild import derivation

steady = derivation(name="steady", builder="/bin/sh",
                    args=["-c", 'mkdir "$out" && echo same > "$out/a" && echo same > "$out/b"'])
# Differs on every build: a counter kept outside the store.
wobbly = derivation(name="wobbly", builder="/bin/sh", args=["-c", """
    n=$(cat {counter} 2>/dev/null || echo 0); n=$((n + 1)); echo $n > {counter}
    mkdir "$out" && echo same > "$out/a" && echo "build $n" > "$out/b"
"""])
'''


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pybuild", *args],
        cwd=cwd,
        text=True,
        capture_output=True,
        env=dict(os.environ),
    )


def test_check_reports_identical_and_differing_rebuilds(tmp_path: Path) -> None:
    (tmp_path / "builds.py").write_text(BUILDS.format(counter=tmp_path / "counter"))
    assert run("build", "-f", "builds.py", "steady", "wobbly", cwd=tmp_path).returncode == 0
    steady = run("build", "--check", "-f", "builds.py", "steady", cwd=tmp_path)
    assert steady.returncode == 0, steady.stderr
    assert "rebuilt bit-identical" in steady.stdout
    wobbly = run("build", "--check", "-f", "builds.py", "wobbly", cwd=tmp_path)
    assert wobbly.returncode == 1
    assert "differs when rebuilt, in 1 file(s)" in wobbly.stdout
    assert wobbly.stdout.strip().endswith("b")  # the file that differs, and only it
    store = Store.default()
    assert not [p for p in store.verify(check_contents=True) if p.is_damage]  # nothing replaced


def test_check_of_a_python_package(use_index: BuildIndex, tmp_path: Path) -> None:
    folder = write_fixture_recipes(tmp_path / "recipes", use_index, ("shout",))
    pkgs = package_set(recipes=[DEFAULT_RECIPES, folder])
    store = Store.default()
    options = BuildOptions(log=open(os.devnull, "w"))  # noqa: SIM115
    realise([pkgs.shout.drv], store, options)
    assert check(pkgs.shout.drv, store, options) == {}
