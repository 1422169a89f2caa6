"""The builder's bytecode phase (pybuild/python/builder/bytecode.py): what compileall's
``compile_dir`` made one file at a time, byte for byte, in one process or several."""

from __future__ import annotations

import compileall
import os
import py_compile
import shutil
from pathlib import Path

import pytest

from pybuild.python.builder.bytecode import (
    SOURCES_PER_WORKER,
    build_cores,
    compile_tree,
    usable_cores,
)


def _package(out: Path, modules: int) -> Path:
    """An installed package under `out`: `modules` modules in nested folders, a folder linked
    from elsewhere (compileall does not follow it) and a stray ``__pycache__`` source."""
    site = out / "lib" / "python3.11" / "site-packages"
    for i in range(modules):
        module = site / "pkg" / f"sub{i % 3}" / f"mod{i}.py"
        module.parent.mkdir(parents=True, exist_ok=True)
        module.write_text(f"X = {{'a', 'b', {i}}}\n\ndef f(y):\n    return y in X\n")
    (site / "pkg" / "data.txt").write_text("not Python\n")
    outside = out.parent / f"{out.name}-elsewhere"
    outside.mkdir()
    (outside / "linked.py").write_text("Y = 1\n")
    os.symlink(outside, site / "pkg" / "linked")
    (site / "pkg" / "__pycache__").mkdir()
    (site / "pkg" / "__pycache__" / "stray.py").write_text("Z = 1\n")
    return site


def _pycs(out: Path) -> dict[str, bytes]:
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for p in sorted(out.rglob("*.pyc"))
        if not p.is_symlink()
    }


@pytest.mark.parametrize("workers", [1, 2])
def test_compile_tree_writes_what_compile_dir_writes(tmp_path: Path, workers: int) -> None:
    modules = 2 * SOURCES_PER_WORKER + 1  # enough for two workers
    ours, theirs = tmp_path / "ours", tmp_path / "theirs"
    site = _package(ours, modules)
    shutil.copytree(ours, theirs, symlinks=True)
    theirs_site = theirs / site.relative_to(ours)

    assert compile_tree(str(site), stripdir=str(ours), workers=workers)
    assert compileall.compile_dir(
        str(theirs_site),
        quiet=2,
        stripdir=str(theirs),
        workers=1,
        invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
    )

    mine, reference = _pycs(ours), _pycs(theirs)
    assert len(mine) == modules  # no __pycache__ source, nothing through the link
    assert mine == reference


def test_a_file_that_does_not_compile_leaves_the_others_compiled(tmp_path: Path) -> None:
    site = _package(tmp_path / "out", 2 * SOURCES_PER_WORKER)
    (site / "pkg" / "aaa_broken.py").write_text("def (:\n")

    assert not compile_tree(str(site), stripdir=str(tmp_path / "out"), workers=2)
    assert len(_pycs(tmp_path / "out")) == 2 * SOURCES_PER_WORKER


def test_usable_cores_without_an_affinity_call(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(os, "sched_getaffinity", raising=False)  # as on macOS
    monkeypatch.setattr(os, "cpu_count", lambda: None)

    assert usable_cores() == 1


@pytest.mark.parametrize(
    ("given", "cores"),
    [("1", 1), ("3", 3), ("8", 4), (None, 4), ("0", 4), ("many", 4)],
)
def test_the_build_uses_the_cores_pybuild_gives_it(
    monkeypatch: pytest.MonkeyPatch, given: str | None, cores: int
) -> None:
    """Its share with -j (PYBUILD_BUILD_CORES), never more than it may run on; without a
    usable share, every core it may run on."""
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2, 3}, raising=False)
    if given is None:
        monkeypatch.delenv("PYBUILD_BUILD_CORES", raising=False)
    else:
        monkeypatch.setenv("PYBUILD_BUILD_CORES", given)

    assert build_cores() == cores
