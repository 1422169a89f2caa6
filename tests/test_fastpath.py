"""The console script's fast path answers as the full command line would, or not at all.

Each test runs the full command (``pybuild.cli.main``) and :func:`pybuild.fastpath.answer` on
the same command line and compares what they print; and shows that the fast path leaves the
answer to the full command line (None) whenever anything its record holds has changed.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pybuild import evalcache, fastpath
from pybuild.bundled import default_recipes
from pybuild.cli import main
from pybuild.store import Store, validity
from pybuild.store.temproots import release_temp_roots
from support.fixtures import BuildIndex, write_fixture_recipes

FILE = """
from pybuild import derivation

hello = derivation(name="hello", builder="/bin/sh", args=["-c", "echo hi > $out"])
bye = derivation(name="bye", builder="/bin/sh", args=["-c", "echo bye > $out"])
"""
BUILD = ["build", "-f", "build.py", "hello", "bye"]


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(evalcache, "_SETTLED_NS", 0)
    monkeypatch.delenv("PYBUILD_EVAL_CACHE", raising=False)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "build.py").write_text(FILE)
    stamp = (tmp_path / "build.py").stat().st_mtime - 100
    os.utime(tmp_path / "build.py", (stamp, stamp))
    return tmp_path


def full(capsys: pytest.CaptureFixture[str], argv: list[str]) -> str:
    """What the full command line prints (the evaluation cache turned off: it evaluates)."""
    assert main([*argv, "--option", "eval_cache", "false"]) == 0
    return capsys.readouterr().out


def fast(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int | None, str]:
    status = fastpath.answer(argv)
    return status, capsys.readouterr().out


def test_a_repeated_build_is_answered_as_the_full_command_answers_it(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert fast(capsys, BUILD) == (None, "")  # no record yet
    assert main(BUILD) == 0  # evaluates, builds, keeps the record
    first = capsys.readouterr().out
    roots = set((project / "pybuild-home" / "var" / "temproots").iterdir())
    assert fast(capsys, BUILD) == (0, first)
    assert set((project / "pybuild-home" / "var" / "temproots").iterdir()) == roots  # let go
    assert full(capsys, BUILD) == first


def test_the_fast_path_leaves_a_changed_input_to_the_full_command(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(BUILD)
    capsys.readouterr()
    (project / "build.py").write_text(FILE.replace("echo hi", "echo hey"))
    assert fast(capsys, BUILD) == (None, "")


def test_cached_bytecode_is_no_input_of_a_record(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bytecode of the evaluated file is used only while it matches its source's time and
    size, which the record holds: removing it (or Python rewriting it) changes no answer, and a
    no-op checks one file per recipe, not two."""
    monkeypatch.setattr(sys, "dont_write_bytecode", False)  # whatever PYTHONDONTWRITEBYTECODE
    main(BUILD)  # writes the file's bytecode
    capsys.readouterr()
    main(BUILD)
    first = capsys.readouterr().out
    [cached] = (project / "__pycache__").iterdir()
    [record] = (project / "pybuild-home" / "var" / "cache" / "eval").glob("*.marshal")
    assert not [f for f in next(evalcache._answers(str(record)))[0]["files"] if "__pycache__" in f]
    cached.unlink()
    assert fast(capsys, BUILD) == (0, first)


@pytest.mark.parametrize("kept", [0, 1, 100, -1])
def test_a_damaged_record_leaves_the_answer_to_the_full_command(
    project: Path, capsys: pytest.CaptureFixture[str], kept: int
) -> None:
    main(BUILD)
    capsys.readouterr()
    [record] = (project / "pybuild-home" / "var" / "cache" / "eval").glob("*.marshal")
    record.write_bytes(record.read_bytes()[:kept])  # cut short, as by a full disk
    assert fast(capsys, BUILD) == (None, "")


def test_the_fast_path_leaves_a_deleted_output_to_the_full_command(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(BUILD)
    out = capsys.readouterr().out.split()
    release_temp_roots(Store.default())  # as the end of the building process would
    assert main(["delete", out[0]]) == 0
    capsys.readouterr()
    assert fast(capsys, BUILD) == (None, "")
    assert main(BUILD) == 0 and capsys.readouterr().out.split() == out  # built again


SOURCED = """
from pathlib import Path
from pybuild import derivation

hello = derivation(name="hello", builder="/bin/sh", args=["-c", "cat $src > $out"],
                   env={"src": Path("greeting.txt")})
bye = derivation(name="bye", builder="/bin/sh", args=["-c", "cat $src $src > $out"],
                 env={"src": Path("greeting.txt")})
"""


def test_a_record_holds_while_other_builds_change_the_store(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the store keeps about itself (its registry, the notes of what it holds) changes
    with every build; an evaluation that found its sources there does not depend on it, so
    building something else leaves the record answering."""
    monkeypatch.setattr(validity, "_SETTLED_NS", 0)  # notes written at once
    (project / "sourced.py").write_text(SOURCED)
    (project / "greeting.txt").write_text("hi\n")
    for path in ("sourced.py", "greeting.txt"):
        os.utime(project / path, (1_000_000, 1_000_000))
    hello, bye = (["build", "-f", "sourced.py", name] for name in ("hello", "bye"))
    assert main(hello) == 0
    first = capsys.readouterr().out
    for _ in range(2):  # each evaluation asks whether the source is valid, and notes it
        assert main(bye) == 0
        capsys.readouterr()
        assert fast(capsys, hello) == (0, first)


def test_settings_and_other_options_go_the_long_way(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    main(BUILD)
    capsys.readouterr()
    for extra in (["--json"], ["-o", "result"], ["--option", "eval_cache", "false"], ["-q"]):
        assert fastpath.answer([*BUILD, *extra]) is None
    assert fastpath.answer(["build", "hello", "-f", "build.py", "bye"]) is None  # argparse refuses
    config = Path(os.environ["XDG_CONFIG_HOME"]) / "pybuild" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text("eval_cache = false\n")  # the record counted the config file
    assert fastpath.answer(BUILD) is None
    config.unlink()
    assert fast(capsys, BUILD)[0] == 0
    monkeypatch.setenv("PYBUILD_EVAL_CACHE", "false")
    assert fastpath.answer(BUILD) is None


def test_the_fast_path_answers_only_for_the_pybuild_variables_its_record_saw(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The settings are read before the recording, and the fast path reads none: a variable
    set, unset or changed since (a value the full command line refuses, a misspelt name) was
    answered with the record's paths, where the full command line said what is wrong."""
    monkeypatch.setenv("PYBUILD_JOBS", "1")
    main(BUILD)
    first = capsys.readouterr().out
    assert fast(capsys, BUILD) == (0, first)
    for name, value in (("PYBUILD_JOBS", "abc"), ("PYBUILD_JOBZ", "1")):
        with monkeypatch.context() as m:
            m.setenv(name, value)
            assert fastpath.answer(BUILD) is None
            assert main(BUILD) == 1
            assert f"from env {name}" in capsys.readouterr().err
    monkeypatch.setenv("PYBUILD_JOBS", "2")  # valid: the full command line evaluates again
    assert fastpath.answer(BUILD) is None
    assert main(BUILD) == 0 and capsys.readouterr().out == first
    assert fast(capsys, BUILD) == (0, first)  # the answer kept for this value
    monkeypatch.setenv("PYBUILD_JOBS", "1")
    assert fast(capsys, BUILD) == (0, first)  # and the first, beside it
    monkeypatch.delenv("PYBUILD_JOBS")
    assert fastpath.answer(BUILD) is None


def test_version_and_help_are_the_full_command_lines(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "77")
    pybuild = __import__("pybuild")
    where = (
        f"from {Path(pybuild.__file__).parent} (python {sys.version_info[0]}.{sys.version_info[1]})"
    )
    assert fast(capsys, ["--version"]) == (0, f"pybuild {pybuild.__version__} {where}\n")
    assert fast(capsys, ["--help"]) == (None, "")  # no copy of the help yet
    with pytest.raises(SystemExit):
        main(["build", "--help"])  # a command's help is argparse's, always
    capsys.readouterr()
    assert main(["--help"]) == 0
    text = capsys.readouterr().out
    assert "usage: pybuild" in text and "build" in text
    assert fast(capsys, ["--help"]) == (0, text)
    assert fast(capsys, []) == (2, text)
    monkeypatch.setenv("COLUMNS", "120")  # argparse wraps to the terminal: another copy
    assert fast(capsys, ["--help"]) == (None, "")


@pytest.fixture
def recipes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, use_index: BuildIndex) -> Path:
    """A folder of shout's and greet's recipes; records kept as soon as they are made."""
    monkeypatch.setattr(evalcache, "_SETTLED_NS", 0)
    monkeypatch.chdir(tmp_path)
    return write_fixture_recipes(tmp_path / "recipes", use_index, ("shout", "greet"))


def test_a_repeated_shell_run_is_answered_from_its_record(
    recipes: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    argv = ["shell", "--no-default-recipes", "--recipes", str(default_recipes())]
    run = ["--run", "greet; echo $VIRTUAL_ENV"]
    argv += ["--recipes", str(recipes), "-p", "greet", "shout", *run]  # as nix-shell -p a b
    assert fastpath.answer(argv) is None
    assert main(argv) == 0  # builds; the caches it wrote while evaluating are too young
    assert main(argv) == 0  # evaluates again and keeps the record
    first = capfd.readouterr().out.split("\n", 2)[2]
    assert first.startswith("HELLO FROM GREET!\n")
    assert fastpath.answer(argv) == 0
    assert capfd.readouterr().out == first
    repeated = [*argv[: argv.index("shout")], "-p", *argv[argv.index("shout") :]]
    assert fastpath.answer(repeated) == 0  # -p greet -p shout: the same packages, one record
    assert capfd.readouterr().out == first
    (recipes / "greet.py").write_text((recipes / "greet.py").read_text() + "\n# edited\n")
    assert fastpath.answer(argv) is None


def test_a_repeated_run_is_answered_from_its_record(
    recipes: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    sets = ["--no-default-recipes", "--recipes", str(default_recipes())]
    sets += ["--recipes", str(recipes), "--with", "shout"]
    argv = ["run", *sets, "--bin", "python", "greet", "-c", "import greet; greet.main()"]
    assert fastpath.answer(argv) is None
    assert main(argv) == 0  # builds; the caches it wrote while evaluating are too young
    assert main(argv) == 0  # evaluates again and keeps the record
    assert capfd.readouterr().out.endswith("HELLO FROM GREET!\n")
    assert fastpath.answer(argv) == 0
    assert capfd.readouterr().out == "HELLO FROM GREET!\n"
    own = ["run", *sets, "greet"]  # its program: the same environment, one record
    assert fastpath.answer(own) == 0
    assert capfd.readouterr().out == "HELLO FROM GREET!\n"
    assert fastpath.answer(["run", *sets, "--bin", "nope", "greet"]) is None  # the long way
    assert fastpath.answer(["run", *sets, "-j", "2", "greet"]) is None  # -j: the long way
    nix_order = ["run", *sets[:-2], "greet", "--bin", "python", "--with", "shout", "--"]
    assert fastpath.answer([*nix_order, "-c", "import shout; print(1)"]) == 0  # as nix run
    assert capfd.readouterr().out == "1\n"
    program_s = [*nix_order[:-4], "-c", "import sys; print(sys.argv)", "--with", "--", "x"]
    assert fastpath.answer(program_s) is None  # -c is not run's: the full command says whose
    file = recipes.parent / "default.py"  # a project's file, as `build -f` takes it
    folders = [str(default_recipes()), str(recipes)]
    file.write_text(
        f"from pybuild.pkgset import package_set\npkgs = package_set(recipes={folders!r})\n"
    )
    for written in [file, *recipes.glob("*.py")]:  # as a project's files are: not just made
        os.utime(written, (time.time() - 60,) * 2)
    from_file = ["run", "-f", str(file), "--with", "pkgs.shout", "pkgs.greet"]
    assert main(from_file) == 0
    assert fastpath.answer(from_file) == 0  # kept from its first evaluation: nothing was young
    assert capfd.readouterr().out == "HELLO FROM GREET!\n" * 2
    (recipes / "greet.py").write_text((recipes / "greet.py").read_text() + "\n# edited\n")
    assert fastpath.answer(argv) is None


def test_rollback_and_switch_generation_are_answered_as_the_full_command_does(
    store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    from pybuild.profiles import Manifest, Profile

    profile = Profile(store, "p")
    for text in ("one", "two"):
        env = store.add_text("env", text)
        profile.add(Manifest(environment=env, python={}, packages=()))
    assert fastpath.answer(["rollback", "--profile", "p"]) == 0
    assert profile.current_number() == 1
    assert capsys.readouterr().err == "switched profile p from generation 2 to 1\n"
    assert fastpath.answer(["rollback", "--profile", "p"]) is None  # the oldest: an error
    assert fastpath.answer(["switch-generation", "3", "--profile", "p"]) is None  # no such one
    assert profile.current_number() == 1
    assert fastpath.answer(["switch-generation", "--profile", "p", "2"]) == 0
    assert main(["rollback", "--profile", "p"]) == 0  # the full command: the same line
    assert capsys.readouterr().err.splitlines() == [
        "switched profile p from generation 1 to 2",
        "switched profile p from generation 2 to 1",
    ]
    store.registry.close()
    os.rename(store.registry.path, f"{store.registry.path}.away")  # nothing valid any more
    assert fastpath.answer(["switch-generation", "2", "--profile", "p"]) is None


# The probe runs without ``site`` (``-S``): a developer's ``.pth`` files may load pathlib or
# typing at start-up, which would hide what the rollback itself loads.
SWITCH_PROBE = """
import sys
sys.path.insert(0, sys.argv[1])
before = set(sys.modules)
from pybuild.cli import main
status = main(sys.argv[2:])
print(status, *sorted(set(sys.modules) - before))
"""
HEAVY_FOR_A_SWITCH = (
    "contextlib",
    "dataclasses",
    "datetime",
    "importlib",  # which imports warnings
    "inspect",
    "json",
    "pathlib",
    "re",
    "typing",
    "warnings",
    "pybuild.profiles.changes",
    "pybuild.profiles.generations",
    "pybuild.profiles.manifest",
    "pybuild.store.core",
)


def test_a_fast_rollback_loads_no_re_json_pathlib_or_profile_changes(store: Store) -> None:
    from pybuild.profiles import Manifest, Profile

    profile = Profile(store, "p")
    for text in ("one", "two"):
        profile.add(Manifest(environment=store.add_text("env", text), python={}, packages=()))
    root = str(Path(__file__).resolve().parent.parent)
    probe = [sys.executable, "-S", "-c", SWITCH_PROBE, root, "rollback", "--profile", "p"]
    done = subprocess.run(probe, capture_output=True, text=True, check=True)
    status, *loaded = done.stdout.split()
    assert (status, done.stderr) == ("0", "switched profile p from generation 2 to 1\n")
    assert sorted(set(HEAVY_FOR_A_SWITCH) & set(loaded)) == []
    assert "_sqlite3" in loaded  # the probe does see what the switch loads
    assert profile.current_number() == 1


def test_a_dry_run_loads_neither_shutil_nor_the_build(project: Path) -> None:
    """argparse asks shutil the terminal's width, and shutil loads zlib, bz2 and lzma: the
    command line's parsers get the width without it (the interpreter's start, with ``site``,
    may load shutil itself: the probe runs without it). A dry run needs the plan, not the
    realiser and its build step."""
    root = str(Path(__file__).resolve().parent.parent)
    probe = [sys.executable, "-S", "-c", SWITCH_PROBE, root, *BUILD, "--dry-run"]
    done = subprocess.run(probe, capture_output=True, text=True, check=True)
    status, *loaded = done.stdout.split()
    assert status == "0" and "2 derivations will be built" in done.stderr
    assert "argparse" in loaded and "pybuild.plan" in loaded
    assert sorted({"shutil", "lzma", "bz2", "pybuild.realiser"} & set(loaded)) == []


def test_a_manifest_is_read_from_its_text_as_json_reads_it(
    store: Store, capsys: pytest.CaptureFixture[str]
) -> None:
    """A switch reads the environment straight from the manifest pybuild wrote; any other text
    (rewritten by hand or by a tool) is read as JSON, with the same answer or the same error."""
    import json

    from pybuild.profiles import Manifest, Profile
    from pybuild.profiles.links import _written_environment

    profile = Profile(store, "p")
    envs = [store.add_text("env", text) for text in ("one", "two")]
    for env in envs:
        profile.add(Manifest(environment=env, python={"environment": "x"}, packages=()))
    manifest = Path(profile.links.manifest_path(1))
    written = manifest.read_text()
    assert _written_environment(written) == json.loads(written)["environment"] == envs[0]
    assert '    "environment": "x"' in written  # a nested key of the same name is not the one
    compact = json.dumps(json.loads(written))
    assert _written_environment(compact) is None
    twice = written.replace('  "packages"', f'  "environment": "{envs[1]}",\n  "packages"')
    assert _written_environment(twice) is None  # JSON keeps the last: not ours to guess
    assert _written_environment(written.replace('"version": 1', '"version": 2')) is None

    manifest.write_text(compact)
    assert fastpath.answer(["rollback", "--profile", "p"]) == 0
    assert profile.current_number() == 1
    manifest.write_text(written.replace(envs[0], envs[1]))  # it no longer says what 1 holds
    assert fastpath.answer(["switch-generation", "1", "--profile", "p"]) is None
    assert main(["switch-generation", "1", "--profile", "p"]) == 1
    assert "generation 1 of profile p was changed by hand" in capsys.readouterr().err


def test_a_no_op_build_loads_only_the_fast_paths_modules(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A repeated build answered from its record and the validity notes loads neither SQLite
    nor importlib (which imports warnings) nor collections: 2 M of the 25 M instructions a
    no-op runs beyond the bare interpreter are the last two."""
    monkeypatch.setattr(validity, "_SETTLED_NS", 0)  # the registry's files count as old
    assert main(BUILD) == 0
    first = capsys.readouterr().out
    assert fast(capsys, BUILD) == (0, first)  # the record answers; the registry is noted
    root = str(Path(__file__).resolve().parent.parent)
    probe = [sys.executable, "-S", "-c", SWITCH_PROBE, root, *BUILD]
    done = subprocess.run(probe, capture_output=True, text=True, check=True)
    assert done.stdout.startswith(first)
    status, *loaded = done.stdout[len(first) :].split()
    assert status == "0" and "pybuild.evalcache" in loaded
    assert sorted({"collections", "importlib", "warnings", "_sqlite3"} & set(loaded)) == []
