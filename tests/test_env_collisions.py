"""The environment builder's collision check, on plain folders laid out like store paths."""

from __future__ import annotations

from pathlib import Path

import pytest

from pybuild.python.builder.env import Collision, check_collisions

SITE = "lib/python3.11/site-packages"


def package(root: Path, name: str, files: list[str]) -> Path:
    path = root / name
    for rel in files:
        (path / rel).parent.mkdir(parents=True, exist_ok=True)
        (path / rel).write_text(name)
    (path / SITE).mkdir(parents=True, exist_ok=True)
    return path


def test_shared_folders_merge_without_clashing(tmp_path: Path) -> None:
    one = package(tmp_path, "one", [f"{SITE}/ns/a.py", f"{SITE}/one.py", f"{SITE}/x.pth"])
    two = package(tmp_path, "two", [f"{SITE}/ns/b.py", f"{SITE}/x.pth", "bin/two"])
    three = package(tmp_path, "three", [f"{SITE}/ns/__pycache__/a.pyc", "bin/three"])
    check_collisions([one, two, three], SITE)


def test_every_shared_file_is_named(tmp_path: Path) -> None:
    one = package(tmp_path, "one", [f"{SITE}/ns/deep/m.py", "bin/tool", f"{SITE}/only1.py"])
    two = package(tmp_path, "two", [f"{SITE}/ns/deep/m.py", "bin/tool"])
    three = package(tmp_path, "three", [f"{SITE}/ns/deep/m.py", f"{SITE}/ns/other.py"])
    with pytest.raises(Collision) as err:
        check_collisions([one, two, three], SITE)
    message = str(err.value)
    assert f"{SITE}/ns/deep/m.py is in both one and two" in message
    assert f"{SITE}/ns/deep/m.py is in both one and three" in message
    assert "bin/tool is in both one and two" in message
    assert "only1" not in message and "other.py" not in message
    # The packages of the clashes, as fields: a profile names which to remove from them.
    assert err.value.packages == {"one", "two", "three"}


def test_a_file_where_another_package_has_a_folder_clashes(tmp_path: Path) -> None:
    one = package(tmp_path, "one", [f"{SITE}/thing/__init__.py"])
    two = package(tmp_path, "two", [f"{SITE}/thing"])
    with pytest.raises(Collision, match="thing is in both one and two"):
        check_collisions([one, two], SITE)


def test_data_files_clash_as_modules_do(tmp_path: Path) -> None:
    """``share``, ``etc``, ``include``: every folder of a prefix but its modules' and programs'
    is merged as site-packages is, so one file in two packages is a clash there too (the
    environment would otherwise hold the first one's, whichever was listed first)."""
    one = package(
        tmp_path,
        "one",
        ["share/common/same.txt", "etc/conf.d/one.json", "include/one/h.h", "pybuild-package.json"],
    )
    two = package(
        tmp_path, "two", ["share/common/same.txt", "etc/conf.d/two.json", "pybuild-package.json"]
    )
    with pytest.raises(Collision) as err:
        check_collisions([one, two], SITE)
    message = str(err.value)
    assert "share/common/same.txt is in both one and two" in message
    assert "etc" not in message and "include" not in message and "pybuild-package" not in message
