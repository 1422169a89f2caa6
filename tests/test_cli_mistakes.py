"""Mistakes on the command line and in a recipe, told as what they are: a command line that
cannot be read exits 2 with what to write, a recipe's exit or output never passes for
pybuild's own, and a name that is not there is told with those that are."""

from __future__ import annotations

from pathlib import Path

import pytest

from pybuild.cli import main


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
    argv: list[str], told: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """As ``-j abc`` does (argparse's): the README says a command line that cannot be read
    exits 2, and 1 is for what went wrong evaluating or building what it asked."""
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
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """As Nix's builtins.trace: ``p=$(pybuild eval ...)`` holds only the answer."""
    (tmp_path / "loud.py").write_text("def recipe(six):\n    print('tracing')\n    return six\n")
    (tmp_path / "file.py").write_text("print('at the top')\nx = 2\n")
    assert status_of("eval", "--recipes", str(tmp_path), "loud.pname") == 0
    assert capsys.readouterr() == ('"six"\n', "tracing\n")
    assert status_of("eval", "-f", str(tmp_path / "file.py"), "x") == 0
    assert capsys.readouterr() == ("2\n", "at the top\n")


def test_a_name_a_file_or_dict_lacks_is_told_with_those_it_has(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
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
