"""Store paths given on the command line as users write them: with ``..``, through a home that
is a link, as ``.``, or as the basename of a path the store has not."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from test_store_upkeep import cli as run_cli

from pybuild.store import Store

MISSING = "0" * 32 + "-foo"


def add(store: Store, tmp_path: Path, text: str) -> str:
    """A store path of one file holding `text`, by its basename."""
    src = tmp_path / text
    src.write_text(text)
    return store.add_path(src)


# -- a path with .. is the path it names ------------------------------------------------------


def test_parse_normalises_dot_dot_below_a_store_path(store: Store, tmp_path: Path) -> None:
    a, b = add(store, tmp_path, "aaa"), add(store, tmp_path, "bbb")
    assert store.parse(f"{store.path(a)}/../{b}") == b
    assert store.parse(f"{store.dir}/../store/{b}") == b
    assert store.parse(f"{store.path(b)}/./") == b


def test_parse_normalises_a_relative_dot_dot(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    a = add(store, tmp_path, "aaa")
    src = tmp_path / "dir"
    src.mkdir()
    b = store.add_path(src)
    monkeypatch.chdir(store.path(b))
    assert store.parse(f"../{a}") == a
    assert store.parse(".") == b


def test_delete_of_a_path_with_dot_dot_deletes_that_path(tmp_path: Path) -> None:
    added = []
    for text in ("aaa", "bbb"):  # by another process, whose temporary roots end with it
        (tmp_path / text).write_text(text)
        added.append(Path(run_cli("add", tmp_path / text).stdout.strip()))
    a, b = added
    result = run_cli("delete", f"{a}/../{b.name}")
    assert result.returncode == 0, result.stderr
    assert os.path.exists(a)
    assert not os.path.exists(b)


# -- a home behind a link ----------------------------------------------------------------------


def test_parse_takes_a_path_under_the_resolved_store(tmp_path: Path) -> None:
    real = tmp_path / "realhome"
    real.mkdir()
    (tmp_path / "linkhome").symlink_to("realhome")
    via_link, direct = Store(tmp_path / "linkhome"), Store(real)
    name = add(via_link, tmp_path, "x")
    assert via_link.parse(real / "store" / name) == name
    assert direct.parse(tmp_path / "linkhome" / "store" / name) == name
    via_link.registry.close()
    direct.registry.close()


def test_path_info_of_the_resolved_path_through_a_linked_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = tmp_path / "realhome"
    real.mkdir()
    (tmp_path / "linkhome").symlink_to("realhome")
    monkeypatch.setenv("PYBUILD_HOME", str(tmp_path / "linkhome"))
    store = Store(tmp_path / "linkhome")
    name = add(store, tmp_path, "x")
    store.registry.close()
    result = run_cli("path-info", real / "store" / name)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(store.path(name))


# -- a .drv basename the store has not ---------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [["path-info"], ["show-derivation"], ["log"], ["query", "-R"], ["verify"], ["why-depends"]],
    ids=" ".join,
)
def test_a_missing_drv_basename_is_told_as_a_missing_store_name(
    command: list[str], tmp_path: Path
) -> None:
    args = [MISSING + ".drv"] * (2 if command == ["why-depends"] else 1)
    result = run_cli(*command, *args, cwd=tmp_path)
    assert result.returncode != 0
    assert "shaped as a store path's name, but the store" in result.stderr
    assert "no such file" not in result.stderr


@pytest.mark.parametrize("tail", ["", "/", "/.", "/lib"])
def test_log_of_a_drv_not_in_the_store_says_so(store: Store, tmp_path: Path, tail: str) -> None:
    result = run_cli("log", f"{store.path(MISSING + '.drv')}{tail}", cwd=tmp_path)
    assert result.returncode != 0
    assert f"{store.path(MISSING + '.drv')} is not in the store" in result.stderr
    assert "not built on this machine" not in result.stderr


def test_delete_takes_a_stored_paths_basename_as_path_info_does(tmp_path: Path) -> None:
    """``delete <hash>-<name>`` said the name was "not inside the store"."""
    (tmp_path / "aaa").write_text("aaa")
    added = Path(run_cli("add", tmp_path / "aaa").stdout.strip())
    result = run_cli("delete", added.name, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert not added.exists()


# -- . and .. are paths ------------------------------------------------------------------------


def test_dot_is_a_path(store: Store, tmp_path: Path) -> None:
    src = tmp_path / "dir"
    (src / "sub").mkdir(parents=True)
    name = store.add_path(src)
    result = run_cli("path-info", ".", cwd=store.path(name))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(store.path(name))
    result = run_cli("path-info", "..", cwd=store.path(name) / "sub")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == str(store.path(name))
    result = run_cli("path-info", "..", cwd=store.path(name))
    assert "attribute path" not in result.stderr
    assert "store directory itself" in result.stderr
    assert os.path.isdir(store.path(name))
