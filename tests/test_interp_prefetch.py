"""``pybuild prefetch --kind wheel`` for a release without a wheel for the interpreter."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from pybuild.cli import main
from support.fixtures import index_environ
from support.index import write_index


def test_a_release_without_a_wheel_for_the_interpreter_says_which_it_has_wheels_for(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``prefetch numpy==1.26.4 --kind wheel --python 3.13`` listed the first of 1060 tags and
    of 36 files, leaving the reader to find that the wheels are for cp310 to cp312, and said
    nothing of what to do."""
    minor = sys.version_info.minor
    this, older, newer = (f"cp3{m}" for m in (minor, minor - 1, minor + 1))
    names = [
        f"many-1.0-{newer}-{newer}-manylinux_2_17_x86_64.whl",
        f"many-1.0-{older}-{older}-manylinux_2_17_x86_64.whl",
        f"many-1.0-{this}-{this}-win_amd64.whl",  # this interpreter's, for another platform
        "many-1.0.tar.gz",
    ]
    files = tmp_path / "dists"
    files.mkdir()
    for name in names:
        (files / name).write_bytes(name.encode())
    url = write_index(tmp_path / "index", [files / n for n in names])
    for name, value in index_environ(url).items():
        monkeypatch.setenv(name, value)
    assert main(["prefetch", "many==1.0", "--kind", "wheel"]) == 1
    err = capsys.readouterr().err
    assert f"its wheels are for {older}, {this}, {newer} ({this}'s for win_amd64)" in err
    assert err.rstrip().endswith(
        "hint: fetch the wheel for an interpreter it has one for (--python X.Y), another"
        " release, or its sdist (--kind sdist)"
    )
