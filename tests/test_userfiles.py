"""Which files are the user's (pybuild.userfiles): decided on the files' real paths, every
link on the way resolved, as errors and recipes' positions need it."""

from __future__ import annotations

import os
import sysconfig
from pathlib import Path

import pybuild
from pybuild.bundled import shipped
from pybuild.userfiles import is_user_file


def test_a_users_file_is_the_users_and_pybuilds_own_are_not(tmp_path: Path) -> None:
    mine = tmp_path / "recipes" / "mine.py"
    mine.parent.mkdir()
    mine.write_text("")
    assert is_user_file(str(mine))
    assert is_user_file(os.path.relpath(mine))  # as a code object may name it
    assert not is_user_file(pybuild.__file__)
    assert not is_user_file(os.__file__)  # the standard library
    assert not is_user_file("<string>")
    recipes = shipped("recipes")
    assert recipes is not None
    assert is_user_file(str(next(recipes.glob("*.py"))))  # written like the user's code


def test_links_are_resolved_the_folders_and_the_files(tmp_path: Path) -> None:
    """A link to pybuild's folder is pybuild's; a file that is a link into the standard
    library is the library's; a link to the shipped recipes is written like the user's."""
    (tmp_path / "pkg").symlink_to(Path(pybuild.__file__).parent)
    assert not is_user_file(str(tmp_path / "pkg" / "cli.py"))
    (tmp_path / "os.py").symlink_to(os.__file__)
    assert not is_user_file(str(tmp_path / "os.py"))
    recipes = shipped("recipes")
    assert recipes is not None
    (tmp_path / "shipped").symlink_to(recipes)
    assert is_user_file(str(tmp_path / "shipped" / next(recipes.glob("*.py")).name))
    purelib = Path(sysconfig.get_paths()["purelib"])
    (tmp_path / "site").symlink_to(purelib)
    assert not is_user_file(str(tmp_path / "site" / "anything.py"))
