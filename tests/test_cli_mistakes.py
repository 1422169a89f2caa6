"""Mistakes on the command line and in a recipe, told as what they are: a command line that
cannot be read exits 2 with what to write, a recipe's exit or output never passes for
pybuild's own, and a name that is not there is told with those that are."""

from __future__ import annotations

from pathlib import Path

import pytest

from pybuild.cli import main
from support.fixtures import BuildIndex


def status_of(*argv: str) -> object:
    """The exit status of the command line, whether returned or raised (argparse's)."""
    try:
        return main(list(argv))
    except SystemExit as exc:
        return exc.code


@pytest.mark.parametrize(
    ("argv", "told"),
    [
        (["build", "-j", "-1", "six"], "argument -j/--jobs: -1 is no number of builds"),
        (["build", "pypi:", "six"], "pypi: is not a project"),
        (["eval", "pypi:requests[socks"], "pypi:requests[socks is not a project"),
        (["eval", "six..version"], "is no attribute path"),
        (["eval", "six[x]"], "is a requirement, not an attribute"),
        (["install", "pypi:"], "pypi: is not a project"),
        (["remove", "pypi:"], "pypi: is not a project"),
        (["upgrade", "pypi:six["], "pypi:six[ is not a project"),
        (["search", "pypi:"], "pypi: is not a project"),
    ],
)
def test_a_command_line_that_cannot_be_read_exits_2(
    argv: list[str], told: str, capsys: pytest.CaptureFixture[str], use_index: BuildIndex
) -> None:
    """As ``-j abc`` does (argparse's): the README says a command line that cannot be read
    exits 2, and 1 is for what went wrong evaluating or building what it asked. (The set's
    six of ``six[x]`` is evaluated for the hint: from the local index.)"""
    assert status_of(*argv) == 2
    assert told in capsys.readouterr().err


@pytest.mark.parametrize(
    ("argv", "told"),
    [
        (["query", "--referrerz", "six"], "--referrerz (did you mean '--referrers'?)"),
        (["copy", "--form", "/x", "six"], "--form (did you mean '--from'?)"),
        (["sign", "--kye", "k", "/x"], "--kye (did you mean '--key'?)"),
    ],
)
def test_a_mistyped_option_is_told_before_the_option_it_was_meant_to_be_is_missed(
    argv: list[str], told: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """``query --referrerz``: argparse told "one of the arguments --references --referrers
    … is required", and never the word it did not take, which ``gc --dryrun`` is told."""
    assert status_of(*argv) == 2
    err = capsys.readouterr().err
    assert f"error: unrecognized arguments: {told}" in err
    assert "required" not in err


def test_a_missing_required_option_is_still_told_when_every_word_is_known(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert status_of("query", "six") == 2
    assert "one of the arguments --references --referrers" in capsys.readouterr().err


def test_a_recipe_that_calls_sys_exit_is_an_error_at_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``sys.exit(3)`` in a recipe ended pybuild with status 3, saying nothing; in a -f file
    or an overlay alike."""
    (tmp_path / "boom.py").write_text("import sys\n\ndef recipe(six):\n    sys.exit(3)\n")
    assert status_of("eval", "--recipes", str(tmp_path), "boom") == 1
    err = capsys.readouterr().err
    assert err.startswith("error: a recipe called sys.exit(3)")
    assert f"at {tmp_path / 'boom.py'}:4, in recipe" in err
    (tmp_path / "file.py").write_text("import sys\nsys.exit('no')\n")
    assert status_of("eval", "-f", str(tmp_path / "file.py"), "x") == 1
    err = capsys.readouterr().err
    assert "called sys.exit('no')" in err and f"at {tmp_path / 'file.py'}:2" in err
    (tmp_path / "overlay.py").write_text("def overlay(final, prev):\n    exit()\n")
    assert status_of("eval", "--overlay", str(tmp_path / "overlay.py"), "six") == 1
    err = capsys.readouterr().err
    assert "called sys.exit()" in err and f"at {tmp_path / 'overlay.py'}:2" in err


def test_what_a_recipe_prints_goes_to_stderr_leaving_stdout_the_results(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], use_index: BuildIndex
) -> None:
    """As Nix's builtins.trace: ``p=$(pybuild eval ...)`` holds only the answer."""
    (tmp_path / "loud.py").write_text("def recipe(six):\n    print('tracing')\n    return six\n")
    (tmp_path / "file.py").write_text("print('at the top')\nx = 2\n")
    assert status_of("eval", "--recipes", str(tmp_path), "loud.pname") == 0
    assert capsys.readouterr() == ('"six"\n', "tracing\n")
    assert status_of("eval", "-f", str(tmp_path / "file.py"), "x") == 0
    assert capsys.readouterr() == ("2\n", "at the top\n")


def test_a_name_a_file_or_dict_lacks_is_told_with_those_it_has(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    use_index: BuildIndex,
) -> None:
    """A shell.py that names its environment otherwise was told only that it has no
    ``env``; a dict's missing key, without the keys it has."""
    (tmp_path / "shell.py").write_text(
        "from pybuild import package_set\n"
        "pkgs = package_set()\n"
        "environment = pkgs.python.with_packages([pkgs.six])\n"
    )
    monkeypatch.chdir(tmp_path)
    assert status_of("shell", "--run", "true") == 1
    err = capsys.readouterr().err
    assert "shell.py has no attribute 'env'" in err
    assert "shell.py defines: environment, pkgs" in err
    assert "env must be an environment: env = pkgs.python.with_packages([...])" in err
    (tmp_path / "nest.py").write_text("nested = {'a': {'b': 1, 'bb': 2, 'x': 3}}\n")
    assert status_of("eval", "-f", "nest.py", "nested.a.c") == 1
    assert "nested.a of nest.py has no attribute 'c'\n  hint: it has: b, bb, x" in (
        capsys.readouterr().err
    )
    assert status_of("eval", "-f", "nest.py", "nested.a.by") == 1
    assert "hint: it has: b, bb, x" in capsys.readouterr().err  # the close ones first


def test_copy_from_given_an_attribute_says_it_takes_store_paths(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``copy --from CACHE six`` was told six is an invalid store path name, and not that
    only --to takes attributes."""
    assert status_of("copy", "--from", str(tmp_path), "six") == 1
    err = capsys.readouterr().err
    assert "copy --from takes store paths or result links" in err
    assert "`pybuild path-info six`" in err and "(--to takes attributes too)" in err


@pytest.mark.parametrize(
    "argv",
    [
        ["shell", "-f", "FILE", "-p", "env", "pypi:idna", "--run", "true"],
        ["run", "-f", "FILE", "--with", "pypi:idna==3.10", "six", "--", "-c", "pass"],
        ["install", "-f", "FILE", "pypi:idna[all]>=3", "--dry-run"],
    ],
)
def test_a_pypi_project_with_a_file_names_the_line_that_takes_it_from_the_files_set(
    argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``shell -f shell.py -p env pypi:idna``: the file's attributes are named with -f, and a
    project of the index is none; said so, with the line that takes it from the file's own
    set, not "shell.py has no attribute 'pypi:idna'", which sent the user into the file."""
    file = tmp_path / "shell.py"
    file.write_text("from pybuild import package_set\npkgs = package_set()\nsix = pkgs.six\n")
    argv = [str(file) if word == "FILE" else word for word in argv]
    assert status_of(*argv) == 2
    err = capsys.readouterr().err
    assert f"-f {file} takes attributes of the file, and pypi:idna" in err
    asked = next(word for word in argv if word.startswith("pypi:"))
    call = {
        "pypi:idna": "pkgs.from_pypi('idna')",
        "pypi:idna==3.10": "pkgs.from_pypi('idna', '3.10')",
        "pypi:idna[all]>=3": "pkgs.from_pypi('idna', '>=3', extras=['all'])",
    }[asked]
    assert f"idna = {call}" in err  # the version and extras asked for, as arguments


OVERLAY = """\
from pathlib import Path

HERE = Path(__file__).parent


def overlay(final, prev):
    def local(pname, **more):
        return final.build_python_package(
            pname=pname, version="0.1", src=HERE / pname, build_system=[final.flit_core], **more
        )

    unchecked = final.six.override_python_attrs(do_check=False)
    return {
        "wordy": local("wordy"),
        "hatchy": local("hatchy", optional_dependencies={"net": [final.wordy, final.six]}),
        "oddly": local("oddly", optional_dependencies={"net": [unchecked]}),
        "six": prev.six.override_python_attrs(optional_dependencies={"web": [final.wordy]}),
    }
"""


def test_a_requirement_of_a_set_package_is_answered_with_the_sets_way(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], use_index: BuildIndex
) -> None:
    """``shell -p 'hatchy[net]'``, hatchy a local project of an overlay: the hint was
    pypi:hatchy[net], whatever project of that name the index has. It names the set's way,
    hatchy and the extra's packages beside it (in a file, ps.hatchy.optional('net')), the
    extras it has for one it lacks, and the index only for a package of the set that is one
    of its releases."""
    (tmp_path / "overlay.py").write_text(OVERLAY)
    for name in ("wordy", "hatchy", "oddly"):
        (tmp_path / name).mkdir()

    def hint(word: str) -> str:
        assert status_of("eval", "--overlay", str(tmp_path / "overlay.py"), word) == 2
        err = capsys.readouterr().err
        assert f"error: {word!r} is a requirement, not an attribute" in err
        return err.split("\n  hint: ", 1)[1]

    in_file = "pkgs.python.with_packages(lambda ps: [ps.hatchy, *ps.hatchy.optional('net')])"
    assert hint("hatchy[net]") == (
        "name the set's hatchy and the packages of its extra net in its place: hatchy wordy"
        f" six; or, in a file (-f FILE), {in_file}\n"
    )
    assert hint("Hatchy[nett]") == "the set's hatchy has no extra nett (its extras: net)\n"
    assert hint("hatchy==2.0") == "the set's hatchy is 0.1: name it hatchy\n"
    # a package of the extra that is no attribute of the set (an override) is in a file only
    assert hint("oddly[net]").startswith("the set's oddly with its extra net is, in a file")
    assert hint("six[web]").endswith("; or a release from the index is pypi:six[web]\n")
    assert hint("six==1.16.0") == "a release from the index is pypi:six==1.16.0\n"
