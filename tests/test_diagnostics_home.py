"""A pybuild home whose own files cannot be used (a read-only filesystem, another user's, a
file where a folder belongs) is told as the store's error, naming the file and what to do,
not as a raw OSError at the line of the recipe that was evaluating when it was met."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pybuild.diagnostics import describe, in_a_row
from pybuild.evaluate import load_module

RECIPE = """\
from pybuild import derivation


def recipe():
    return derivation(name="ok", builder="/bin/sh", args=["-c", "echo ok > $out"])
"""


def raised_in_a_recipe(tmp_path: Path, error: OSError) -> BaseException:
    """`error`, raised by the code of a user's recipe (as the store's own writes are, below
    it), so a line of the user's is in its traceback."""
    recipe = tmp_path / "recipe.py"
    recipe.write_text("def recipe(error):\n    raise error\n")
    with pytest.raises(OSError) as caught:
        load_module(recipe).recipe(error)
    return caught.value


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    (home / "var").mkdir(parents=True)
    monkeypatch.setenv("PYBUILD_HOME", str(home))
    return home


@pytest.mark.parametrize(
    ("number", "remedy"),
    [
        (
            errno.EROFS,
            ", even to evaluate (it holds the locks, and the roots of what evaluation adds):"
            " remount it read-write, or set PYBUILD_HOME to a home on a writable filesystem",
        ),
        (
            errno.EACCES,
            " by the user running pybuild, even to evaluate (it holds the locks, and the roots"
            " of what evaluation adds): make it yours again (chown), or set PYBUILD_HOME to a"
            " home of your own",
        ),
    ],
)
def test_a_home_that_cannot_be_written_is_a_store_error(
    home: Path, tmp_path: Path, number: int, remedy: str
) -> None:
    lock = home / "var" / "gc.lock"
    exc = raised_in_a_recipe(tmp_path, OSError(number, os.strerror(number), str(lock)))
    text = describe(exc)
    assert text == (
        f"error: cannot write {lock}: {os.strerror(number)}\n"
        f"  hint: the pybuild home ({home}) must be writable{remedy}"
    )
    assert in_a_row(exc) == text.removeprefix("error: ")


def test_a_home_that_cannot_be_made_is_a_store_error(
    home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An empty read-only mount as the home: making its first folder fails; or a folder
    above a home not made yet. A folder above a home that is there is not the home's."""
    text = describe(OSError(errno.EROFS, "Read-only file system", str(home / "var")))
    assert text.startswith(f"error: cannot write {home / 'var'}: Read-only file system\n")
    assert "a bug in pybuild" not in text
    above = OSError(errno.EACCES, "Permission denied", str(tmp_path / "new"))
    assert describe(above).startswith("error: PermissionError: ")
    monkeypatch.setenv("PYBUILD_HOME", str(tmp_path / "new" / "home"))
    assert describe(above).startswith(f"error: cannot write {tmp_path / 'new'}: Permission")


def test_a_file_where_the_home_keeps_a_folder_is_named(home: Path, tmp_path: Path) -> None:
    roots = home / "var" / "temproots"
    roots.write_text("")
    for error in (
        FileExistsError(errno.EEXIST, "File exists", str(roots)),  # making it
        NotADirectoryError(errno.ENOTDIR, "Not a directory", str(roots / "123")),  # a file in it
    ):
        text = describe(raised_in_a_recipe(tmp_path, error))
        assert text == (
            f"error: {roots} is a file, where pybuild keeps a folder\n"
            "  hint: move it away (or remove it): pybuild makes the folder again"
        )


def test_a_folder_where_the_home_keeps_a_file_is_named(home: Path, tmp_path: Path) -> None:
    lock = home / "var" / "gc.lock"
    lock.mkdir()
    error = IsADirectoryError(errno.EISDIR, "Is a directory", str(lock))
    assert describe(raised_in_a_recipe(tmp_path, error)).startswith(
        f"error: {lock} is a folder, where pybuild keeps a file\n"
    )


def test_other_errors_are_told_as_they_were(home: Path, tmp_path: Path) -> None:
    """A file outside the home is the recipe's business; a folder there already (made by
    another process meanwhile) and a store path's content are not what the hints are for."""
    made = home / "var" / "log"
    made.mkdir()
    (home / "store" / "x-file").mkdir(parents=True)
    for error in (
        OSError(errno.EROFS, "Read-only file system", str(tmp_path / "elsewhere")),
        FileExistsError(errno.EEXIST, "File exists", str(made)),
        NotADirectoryError(errno.ENOTDIR, "Not a directory", str(home / "store" / "x-file")),
        OSError(errno.ENOENT, "No such file or directory", str(home / "var" / "gone")),
    ):
        exc = raised_in_a_recipe(tmp_path, error)
        assert "  at " in describe(exc), error


def run_cli(home: Path, *args: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pybuild", *map(str, args)],
        env={**os.environ, "PYBUILD_HOME": str(home)},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("folder", ["temproots", "log", "tmp"])
def test_a_file_in_place_of_a_folder_of_var_is_named_by_the_command_line(
    home: Path, tmp_path: Path, folder: str
) -> None:
    """Evaluating (which roots what it adds in var/temproots) or building (its log in
    var/log, its work in var/tmp) with a file in place of the folder: the error was a
    FileExistsError at the recipe's line, or "a bug in pybuild?"."""
    recipes = tmp_path / "r"
    recipes.mkdir()
    (recipes / "ok.py").write_text(RECIPE)
    (home / "var" / folder).write_text("")
    result = run_cli(home, "build", "--no-default-recipes", "--recipes", recipes, "ok")
    assert result.returncode == 1
    blocker = home / "var" / folder
    assert result.stderr.endswith(
        f"error: {blocker} is a file, where pybuild keeps a folder\n"
        "  hint: move it away (or remove it): pybuild makes the folder again\n"
    ), result.stderr


def test_a_home_on_a_filesystem_of_no_folders_is_a_store_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A home under /proc: making its folders fails with ENOENT, the folder above being
    there; told as the home that cannot be made, not as a bug of pybuild's."""
    monkeypatch.setenv("PYBUILD_HOME", str(tmp_path / "proc" / "home"))
    error = FileNotFoundError(errno.ENOENT, "No such file or directory", str(tmp_path / "proc"))
    text = describe(error)
    assert text == (
        f"error: cannot make the pybuild home {tmp_path / 'proc' / 'home'}:"
        f" cannot make {tmp_path / 'proc'} there\n"
        "  hint: set PYBUILD_HOME to a folder on a filesystem where you can make folders"
    )
    for home in ("/proc/pybuild-test/home", "/proc/pybuild-test"):  # the home itself, too
        process = subprocess.run(
            [sys.executable, "-m", "pybuild", "eval", "six.version"],
            env={**os.environ, "PYBUILD_HOME": home},
            capture_output=True,
            text=True,
        )
        assert process.returncode == 1
        assert process.stderr.startswith(f"error: cannot make the pybuild home {home}:"), home


def test_a_home_split_over_filesystems_is_told_with_the_way_out(tmp_path: Path, home: Path) -> None:
    """A store mounted or linked onto a bigger disk: the rename of what was made, from the
    home's var/tmp into the store, crosses filesystems (EXDEV). Told as the home's error,
    with both paths and the way that works (move the whole home), never as a raw OSError at
    the line of the recipe that was adding its source."""
    made, into = home / "var" / "tmp" / "add-1" / "content", home / "store" / "abc-fetch.py"
    error = OSError(errno.EXDEV, os.strerror(errno.EXDEV), str(made), None, str(into))
    text = describe(raised_in_a_recipe(tmp_path, error))
    assert text.splitlines()[0] == (
        f"error: cannot move {made} to {into}: they are on different filesystems"
    )
    assert f"hint: a pybuild home ({home}) must lie on one filesystem" in text
    assert "set PYBUILD_HOME" in text and "recipe.py" not in text
