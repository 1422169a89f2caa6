"""``pybuild build --check``: rebuild a valid path and say whether it is bit-identical."""

from __future__ import annotations

import json
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
# Writes its own $out, as a wrapper script does: its final path, whichever build made it.
aware = derivation(name="aware", builder="/bin/sh",
                   args=["-c", 'mkdir "$out" && echo "#!$out/bin/python" > "$out/a"'])
# Differs on every build: a counter kept outside the store.
wobbly = derivation(name="wobbly", builder="/bin/sh", args=["-c", """
    n=$(cat {counter} 2>/dev/null || echo 0); n=$((n + 1)); echo $n > {counter}
    mkdir "$out" && echo same > "$out/a" && echo "build $n" > "$out/b"
"""])
# An output that is a single file, which differs on every build.
single = derivation(name="single", builder="/bin/sh", args=["-c", 'date +%s%N > "$out"'])
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
    # Standard output holds the path, as every build's does; the verdict is a message.
    built = run("build", "-f", "builds.py", "steady", cwd=tmp_path).stdout
    assert steady.stdout == built and "rebuilt bit-identical" in steady.stderr
    assert run("build", "-f", "builds.py", "aware", cwd=tmp_path).returncode == 0
    aware = run("build", "--check", "-f", "builds.py", "aware", cwd=tmp_path)
    assert aware.returncode == 0 and "rebuilt bit-identical" in aware.stderr, aware.stderr
    wobbly = run("build", "--check", "-f", "builds.py", "wobbly", cwd=tmp_path)
    assert wobbly.returncode == 1
    assert "differs when rebuilt, in 1 file(s)" in wobbly.stderr
    assert wobbly.stderr.strip().endswith("b")  # the file that differs, and only it
    assert wobbly.stdout == run("build", "-f", "builds.py", "wobbly", cwd=tmp_path).stdout
    store = Store.default()
    assert not [p for p in store.verify(check_contents=True) if p.is_damage]  # nothing replaced


def test_check_keeps_a_rebuild_that_differs_with_keep_failed(tmp_path: Path) -> None:
    """``build --check -K``: the rebuild that differs is kept to compare, as Nix keeps
    ``<out>.check``; one that is identical is not, nor one that differs without -K."""
    (tmp_path / "builds.py").write_text(BUILDS.format(counter=tmp_path / "counter"))
    assert run("build", "-f", "builds.py", "steady", "wobbly", cwd=tmp_path).returncode == 0
    tmp = Path(os.environ["PYBUILD_HOME"]) / "var" / "tmp"
    kept_before = set(tmp.glob("kept-*"))
    steady = run("build", "--check", "-K", "-f", "builds.py", "steady", cwd=tmp_path)
    assert steady.returncode == 0 and "keeping" not in steady.stderr
    assert run("build", "--check", "-f", "builds.py", "wobbly", cwd=tmp_path).returncode == 1
    assert set(tmp.glob("kept-*")) == kept_before
    wobbly = run("build", "--check", "-K", "-f", "builds.py", "wobbly", cwd=tmp_path)
    assert wobbly.returncode == 1 and "differs when rebuilt" in wobbly.stderr
    assert "failed" not in wobbly.stderr  # nothing failed: it is the rebuild that is kept
    assert "keeping the directories of the rebuild that differs" in wobbly.stderr
    (kept,) = set(tmp.glob("kept-*")) - kept_before
    output = Path(wobbly.stdout.strip())
    # The report's line says where the output's rebuild is, to compare with the output.
    assert f"{output}: differs when rebuilt (kept in {kept / output.name})" in wobbly.stderr
    assert (kept / output.name / "b").read_text() != (output / "b").read_text()
    assert (kept / output.name / "a").read_text() == (output / "a").read_text()
    report = run("build", "--check", "-K", "--json", "-f", "builds.py", "wobbly", cwd=tmp_path)
    (row,) = json.loads(report.stdout)
    (kept_again,) = set(tmp.glob("kept-*")) - kept_before - {kept}
    assert row["kept"] == {str(output): str(kept_again / output.name)}
    plain = run("build", "--check", "--json", "-f", "builds.py", "wobbly", cwd=tmp_path)
    assert "kept" not in json.loads(plain.stdout)[0]  # only a rebuild kept has it


def test_check_names_a_single_file_output_that_differs(tmp_path: Path) -> None:
    """An output that is one file differs as a whole: the report says so, not ``.``."""
    (tmp_path / "builds.py").write_text(BUILDS.format(counter=tmp_path / "counter"))
    assert run("build", "-f", "builds.py", "single", cwd=tmp_path).returncode == 0
    single = run("build", "--check", "-f", "builds.py", "single", cwd=tmp_path)
    assert single.returncode == 1
    assert single.stderr.splitlines()[-1] == "  the output itself", single.stderr
    report = run("build", "--check", "--json", "-f", "builds.py", "single", cwd=tmp_path)
    assert list(json.loads(report.stdout)[0]["differing"].values()) == [["."]]


def test_check_of_a_python_package(use_index: BuildIndex, tmp_path: Path) -> None:
    folder = write_fixture_recipes(tmp_path / "recipes", use_index, ("shout",))
    pkgs = package_set(recipes=[DEFAULT_RECIPES, folder])
    store = Store.default()
    options = BuildOptions(log=open(os.devnull, "w"))  # noqa: SIM115
    realise([pkgs.shout.drv], store, options)
    assert check(pkgs.shout.drv, store, options) == {}


CHAIN = """\
from pybuild import derivation

dep = derivation(name="dep", builder="/bin/sh", args=["-c", 'echo from-dep > "$out"'])
# Reads dep while building, but keeps no reference to it: a gc may take dep.
user = derivation(name="user", builder="/bin/sh", args=["-c", f'tr a-z A-Z < {dep} > "$out"'])
"""


def test_check_after_gc_first_makes_the_inputs_it_needs(tmp_path: Path) -> None:
    (tmp_path / "chain.py").write_text(CHAIN)
    built = run("build", "-f", "chain.py", "user", "-o", "result", cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    assert run("gc", cwd=tmp_path).returncode == 0
    store = Store.default()
    assert not [p for p in store.registry.paths() if p.endswith("-dep")]  # collected
    checked = run("build", "--check", "-f", "chain.py", "user", cwd=tmp_path)
    assert checked.returncode == 0, checked.stderr
    assert "rebuilt bit-identical" in checked.stderr


def test_check_all_rebuilds_every_attribute_and_reports_the_share(tmp_path: Path) -> None:
    folder = tmp_path / "recipes"
    folder.mkdir()
    for name, body in (("steady", "steady"), ("wobbly", "wobbly")):
        (folder / f"{name}.py").write_text(
            BUILDS.format(counter=tmp_path / "counter") + f"\n\ndef recipe():\n    return {body}\n"
        )
    assert (
        run(
            "build", "--all", "--no-default-recipes", "--recipes", str(folder), cwd=tmp_path
        ).returncode
        == 0
    )
    result = run(
        "build", "--all", "--check", "--no-default-recipes", "--recipes", str(folder), cwd=tmp_path
    )
    assert result.returncode == 1  # one attribute does not rebuild bit for bit
    assert "rebuilt bit-identical" in result.stderr and "differs when rebuilt" in result.stderr
    assert len(result.stdout.split()) == 2  # the paths alone
    assert "1 of 2 rebuilt bit for bit (50%)" in result.stderr
    report = run(
        "build",
        "--all",
        "--check",
        "--json",
        "--no-default-recipes",
        "--recipes",
        str(folder),
        cwd=tmp_path,
    )
    rows = {row["attr"]: row for row in json.loads(report.stdout)}
    assert rows["steady"]["status"] == "identical" and rows["wobbly"]["status"] == "differs"
    assert list(rows["wobbly"]["differing"].values()) == [["b"]]
    assert "differing" not in rows["steady"]  # only a record that differs has it


def test_options_that_do_not_fit_together_are_refused(tmp_path: Path) -> None:
    (tmp_path / "builds.py").write_text(BUILDS.format(counter=tmp_path / "counter"))
    for args in (
        ["--all", "steady"],
        ["--all", "-f", "builds.py"],
        ["--all", "-o", "result"],
        [],
    ):
        result = run("build", *args, cwd=tmp_path)
        status = 1 if args else 2  # nothing named is a missing argument
        assert result.returncode == status and "error:" in result.stderr, args
        assert "Traceback" not in result.stderr


def test_a_build_that_records_its_build_folder_is_the_same_when_built_again(
    tmp_path: Path,
) -> None:
    # As numpy's __config__.py records its compiler flags, and with them its build folder.
    (tmp_path / "builds.py").write_text(
        "from pybuild import derivation\n"
        'where = derivation(name="where", builder="/bin/sh",\n'
        '                   args=["-c", \'mkdir "$out" && pwd > "$out/built-in"\'])\n'
    )
    built = run("build", "-f", "builds.py", "where", cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    recorded = (Path(built.stdout.split()[-1]) / "built-in").read_text().strip()
    assert Path(recorded).name == "pybuild-build-where-0"
    checked = run("build", "--check", "-f", "builds.py", "where", cwd=tmp_path)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "rebuilt bit-identical" in checked.stderr
