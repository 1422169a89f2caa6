"""A file of the user's that pybuild cannot write (the lock file, the recipes, a key asked
for in a read-only folder) is the user's to fix, told with the file as they named it, never
as "a bug in pybuild?"; the same error raised by their own recipe keeps its line."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

import pybuild
from pybuild.diagnostics import describe

OURS = str(Path(pybuild.__file__).resolve().parent / "atomic.py")


def raised_in(file: str, error: OSError) -> OSError:
    """`error`, raised by code of `file` (pybuild's own, or a recipe's)."""
    with pytest.raises(OSError) as caught:
        exec(compile("raise error", file, "exec"), {"error": error})
    return caught.value


@pytest.mark.parametrize(
    ("number", "told", "hint"),
    [
        (
            errno.EROFS,
            "cannot write",
            "its filesystem is mounted read-only: have the command write elsewhere (its -o,"
            " where it has one, or another working folder)",
        ),
        (
            errno.EACCES,
            "cannot access",
            "use a path of yours (the command's -o, where it has one, or another working"
            " folder), or have its permissions changed",
        ),
    ],
)
def test_a_file_pybuild_may_not_write_is_told_by_the_name_asked_for(
    tmp_path: Path, number: int, told: str, hint: str
) -> None:
    temporary = tmp_path / f".pylock.toml.tmp{os.getpid()}"
    exc = raised_in(OURS, OSError(number, os.strerror(number), str(temporary)))
    assert describe(exc) == (
        f"error: {told} {tmp_path / 'pylock.toml'}: {os.strerror(number)}\n  hint: {hint}"
    )


def test_a_folder_it_may_not_make_is_told_by_its_absolute_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    exc = raised_in(OURS, OSError(errno.EROFS, "Read-only file system", "pybuild-recipes"))
    assert describe(exc).startswith(
        f"error: cannot write {tmp_path / 'pybuild-recipes'}: Read-only file system\n"
    )


def test_a_recipes_own_write_keeps_its_line(tmp_path: Path) -> None:
    recipe = tmp_path / "recipe.py"
    recipe.write_text("raise error\n")
    exc = raised_in(str(recipe), OSError(errno.EROFS, "Read-only file system", "/ro/y"))
    text = describe(exc)
    assert "at " in text and "recipe.py:1" in text and "Read-only file system: '/ro/y'" in text


def test_another_process_temporary_name_is_not_taken_for_a_file_asked_for(
    tmp_path: Path,
) -> None:
    other = tmp_path / f".x.tmp{os.getpid() + 1}"
    exc = raised_in(OURS, OSError(errno.EROFS, "Read-only file system", str(other)))
    assert describe(exc).startswith(f"error: cannot write {other}: ")
