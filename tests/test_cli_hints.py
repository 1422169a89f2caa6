"""Hints that give a command to paste quote the paths in it: a path with a space, pasted as
it was printed, would name other files (``rm /tmp/sp ace/res six`` removes three)."""

from __future__ import annotations

import shlex
from pathlib import Path

from test_cli import HELLO, run_cli

from pybuild.commands.imports import use_them
from pybuild.store import Store
from pybuild.store.roots import Root

SPACED = "/tmp/sp ace/res six"


def test_removing_a_root_is_a_command_to_paste() -> None:
    assert Root("result", SPACED, "abc-x").how_to_remove() == f"rm {shlex.quote(SPACED)}"


def test_delete_of_a_rooted_path_says_how_to_remove_a_spaced_root(tmp_path: Path) -> None:
    folder = tmp_path / "sp ace"
    folder.mkdir()
    out = run_cli("build", "-q", "-f", HELLO, "hello", "-o", "res six", cwd=folder).stdout.strip()
    refused = run_cli("delete", out, cwd=folder, check=False)
    assert refused.returncode == 1
    assert f"(rm {shlex.quote(str(folder / 'res six'))})" in refused.stderr


def test_the_imports_hint_quotes_its_folder() -> None:
    told = use_them("", Path("/tmp/sp ace/imp"))
    assert "--overlay '/tmp/sp ace/imp/overlay.py' -p ATTR" in told
    assert "cd '/tmp/sp ace/imp' && pybuild shell" in told


def test_repointing_a_moved_link_is_a_command_to_paste(store: Store) -> None:
    name = "0" * 32 + "-x"
    moved = Root("result", SPACED, name, elsewhere=f"/old home/store/{name}")
    link = shlex.quote(SPACED)
    assert moved.repoint_hint(store) == (
        f"point it here with `ln -sfn {shlex.quote(str(store.path(name)))} {link}`,"
        f" or build again with -o {link}"
    )
