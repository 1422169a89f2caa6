"""``pybuild prefetch --kind wheel`` for a release without a wheel for the interpreter: what
it has wheels for, and a hint that offers only what can work: ``--python`` where a wheel fits
this platform for another interpreter, ``--kind sdist`` where the release has an sdist."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest
from packaging.tags import sys_tags

from pybuild.cli import main
from support.fixtures import index_environ
from support.index import write_index


def _prefetch_wheel(
    names: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> str:
    """What ``prefetch NAME==1.0 --kind wheel`` says of a release with the files `names`."""
    files = tmp_path / "dists"
    files.mkdir()
    for name in names:
        (files / name).write_bytes(name.encode())
    url = write_index(tmp_path / "index", [files / n for n in names])
    for name, value in index_environ(url).items():
        monkeypatch.setenv(name, value)
    project = names[0].split("-")[0]
    assert main(["prefetch", f"{project}==1.0", "--kind", "wheel"]) == 1
    return str(capsys.readouterr().err)


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
    err = _prefetch_wheel(names, tmp_path, monkeypatch, capsys)
    assert f"its wheels are for {older}, {this}, {newer} ({this}'s for win_amd64)" in err
    assert err.rstrip().endswith(
        "hint: fetch the wheel for an interpreter it has one for (--python X.Y), another"
        " release, or its sdist (--kind sdist)"
    )


def test_wheels_for_other_platforms_only_hint_neither_python_nor_an_sdist_it_lacks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """pywin32 311 off Windows: --python could not help (the platform is the problem) and it
    has no sdist, yet both were hinted."""
    this = f"cp3{sys.version_info.minor}"
    names = [f"winlike-1.0-{this}-{this}-{p}.whl" for p in ("win32", "win_amd64", "win_arm64")]
    err = _prefetch_wheel(names, tmp_path, monkeypatch, capsys)
    hint = err[err.index("hint:") :]
    assert "--python" not in hint and "--kind sdist" not in hint, err
    assert "its wheels are for other platforms only (win32, win_amd64, win_arm64)" in hint
    assert "and it has no sdist" in hint
    platform = next(iter(sys_tags())).platform
    assert f"no release of winlike can be installed on this platform ({platform})" in hint
    assert "fetch another release" not in hint  # no release has a wheel for it or an sdist


def test_wheels_for_other_platforms_only_hint_another_release_when_one_has_a_file_here(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another release with an sdist can be fetched: the hint offers one, not "no release"."""
    this = f"cp3{sys.version_info.minor}"
    names = [f"winold-1.0-{this}-{this}-win_amd64.whl", "winold-0.9.tar.gz"]
    err = _prefetch_wheel(names, tmp_path, monkeypatch, capsys)
    hint = err[err.index("hint:") :]
    assert "its wheels are for other platforms only (win_amd64), and it has no sdist" in hint
    assert "fetch another release" in hint and "no release of" not in hint, err


def test_a_wheel_for_this_platform_and_another_python_hints_python_but_no_missing_sdist(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    platform = next(iter(sys_tags())).platform
    names = ["pyonly-1.0-cp399-cp399-" + platform + ".whl"]
    err = _prefetch_wheel(names, tmp_path, monkeypatch, capsys)
    hint = err[err.index("hint:") :]
    assert "(--python X.Y)" in hint and "another release" in hint, err
    assert "--kind sdist" not in hint


def test_wheels_for_other_platforms_and_an_sdist_hint_the_sdist_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    this = f"cp3{sys.version_info.minor}"
    names = [f"winsrc-1.0-{this}-{this}-win_amd64.whl", "winsrc-1.0.tar.gz"]
    err = _prefetch_wheel(names, tmp_path, monkeypatch, capsys)
    hint = err[err.index("hint:") :]
    assert "--python" not in hint and "(--kind sdist)" in hint, err
    assert "its wheels are for other platforms only (win_amd64)" in hint
