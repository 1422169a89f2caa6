"""A home that cannot be one (a file, or a path below a file) is refused by the library with
the command line's error, not a NotADirectoryError from wherever a folder is first made."""

from __future__ import annotations

from pathlib import Path

import pytest

from pybuild import derivation, realise
from pybuild.errors import StoreError
from pybuild.store import Store, default_home

NAME = "0xyb2i18pjzvac50ymwqxhhhw9wqhr8v-python3.11-six-1.17.0"
HINT = "set PYBUILD_HOME to a folder, or to a path where one can be made"


@pytest.fixture
def notes(tmp_path: Path) -> Path:
    notes = tmp_path / "notes.txt"
    notes.write_text("")
    return notes


def test_a_store_below_a_file_is_a_store_error(notes: Path) -> None:
    with pytest.raises(StoreError, match=f"^the pybuild home {notes / 'x'} cannot be made: "):
        Store(notes / "x").is_valid(NAME)
    with pytest.raises(StoreError, match=f"^the pybuild home {notes} is a file, not a folder\n"):
        Store(notes).is_valid(NAME)


def test_a_pybuild_home_below_a_file_is_refused_as_the_command_line_refuses_it(
    notes: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYBUILD_HOME", str(notes / "x"))
    with pytest.raises(StoreError) as info:
        realise([derivation(name="a", builder="/bin/sh", args=["-c", "echo > $out"])])
    text = f"PYBUILD_HOME {notes / 'x'} cannot be made: {notes} is a file"
    assert info.value.args == (text,) and info.value.hint == HINT
    with pytest.raises(StoreError, match="cannot be made"):
        default_home()


def test_a_home_not_made_yet_is_no_error(tmp_path: Path) -> None:
    assert not Store(tmp_path / "new" / "home").is_valid(NAME)


def test_a_home_that_is_a_link_to_nothing_yet_says_so(tmp_path: Path) -> None:
    """A link whose folder is not made yet was called a file."""
    home = tmp_path / "home"
    home.symlink_to(tmp_path / "real" / "h")
    with pytest.raises(StoreError) as info:
        Store(home).is_valid(NAME)
    target = tmp_path / "real" / "h"
    assert info.value.args == (
        f"the pybuild home {home} is a link to {target}, which does not exist",
    )
    assert info.value.hint == f"make the folder it names, or {HINT}"
