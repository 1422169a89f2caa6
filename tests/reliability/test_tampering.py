"""A registered path changed behind the store's back: `verify` names it, `--repair` fixes it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from pybuild.hashing import hash_file
from pybuild.store import Store

BUILDS = """\
from pybuild import derivation
from pybuild.fetchers import fetch_url

made = derivation(name="made", builder="/bin/sh", args=["-c",
    'mkdir -p "$out/sub" && echo one > "$out/a" && echo two > "$out/sub/b"'])
fetched = fetch_url({url!r}, {hash!r}, name="payload.txt")
"""


def pybuild(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pybuild", *args],
        cwd=cwd,
        text=True,
        capture_output=True,
        env=dict(os.environ),
    )


@pytest.fixture
def built(tmp_path: Path) -> tuple[Path, Store]:
    payload = tmp_path / "payload.txt"
    payload.write_text("downloaded bytes\n")
    (tmp_path / "builds.py").write_text(
        BUILDS.format(url=payload.as_uri(), hash=hash_file(payload).sri)
    )
    result = pybuild("build", "-f", "builds.py", "made", "fetched", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    return tmp_path, Store.default()


def writable(path: Path) -> None:
    for p in [path, *path.parents][:3]:
        if p.exists():
            os.chmod(p, 0o755 if p.is_dir() else 0o644)


def change_a_byte(out: Path) -> None:
    writable(out / "a")
    (out / "a").write_text("onE\n")


def add_a_file(out: Path) -> None:
    writable(out / "sub")
    (out / "sub" / "extra").write_text("not built\n")


def remove_a_file(out: Path) -> None:
    writable(out / "sub")
    (out / "sub" / "b").unlink()


@pytest.mark.parametrize("tamper", [change_a_byte, add_a_file, remove_a_file])
def test_verify_reports_and_repair_rebuilds(
    built: tuple[Path, Store], tamper: Callable[[Path], None]
) -> None:
    folder, store = built
    out = next(store.dir.glob("*-made"))
    tamper(out)
    report = pybuild("verify", "--check-contents", cwd=folder)
    assert report.returncode == 1
    assert f"modified: {out}" in report.stdout
    repaired = pybuild("verify", "--repair", cwd=folder)
    assert repaired.returncode == 0, repaired.stderr
    assert f"repaired: {out}" in repaired.stdout
    assert pybuild("verify", "--check-contents", cwd=folder).returncode == 0
    assert (out / "a").read_text() == "one\n" and (out / "sub" / "b").read_text() == "two\n"
    assert not (out / "sub" / "extra").exists()


def test_a_tampered_download_is_fetched_again(built: tuple[Path, Store]) -> None:
    folder, store = built
    out = next(p for p in store.dir.glob("*-payload.txt") if not p.name.endswith(".drv"))
    os.chmod(out, 0o644)
    out.write_text("tampered\n")
    assert pybuild("verify", "--check-contents", cwd=folder).returncode == 1
    assert pybuild("verify", "--repair", cwd=folder).returncode == 0
    assert out.read_text() == "downloaded bytes\n"


def test_a_missing_path_is_rebuilt(built: tuple[Path, Store]) -> None:
    folder, store = built
    out = next(store.dir.glob("*-made"))
    os.chmod(out, 0o755)
    for p in out.rglob("*"):
        if p.is_dir():
            os.chmod(p, 0o755)
    subprocess.run(["rm", "-rf", str(out)], check=True)
    report = pybuild("verify", cwd=folder)
    assert report.returncode == 1 and f"missing: {out}" in report.stdout
    assert pybuild("verify", "--repair", cwd=folder).returncode == 0
    assert (out / "a").read_text() == "one\n"


def test_an_added_source_cannot_be_rebuilt_and_says_so(built: tuple[Path, Store]) -> None:
    folder, _ = built
    source = folder / "note.txt"
    source.write_text("a source\n")
    added = Path(pybuild("add", str(source), cwd=folder).stdout.strip())
    os.chmod(added, 0o644)
    added.write_text("changed\n")
    result = pybuild("verify", "--repair", cwd=folder)
    assert result.returncode == 1
    assert "cannot repair" in result.stderr and "add it again" in result.stderr


def test_a_reformatted_drv_is_written_again_and_its_output_rebuilt(
    built: tuple[Path, Store],
) -> None:
    """A .drv's content follows from its name: one that still holds its derivation is written
    back in canonical form, and its damaged output is rebuilt from it."""
    folder, store = built
    out = next(store.dir.glob("*-made"))
    drv = next(store.dir.glob("*-made.drv"))
    text = drv.read_text()
    writable(drv)
    drv.write_text(text + "\n")
    change_a_byte(out)
    result = pybuild("verify", "--repair", cwd=folder)
    assert result.returncode == 0, result.stderr
    assert f"repaired: {drv}" in result.stdout and f"repaired: {out}" in result.stdout
    assert drv.read_text() == text and (out / "a").read_text() == "one\n"
    assert pybuild("verify", "--check-contents", cwd=folder).returncode == 0


def test_an_edited_drv_says_what_writes_it_and_the_rest_is_repaired(
    built: tuple[Path, Store],
) -> None:
    folder, store = built
    drv = next(store.dir.glob("*-made.drv"))
    writable(drv)
    drv.write_text(drv.read_text().replace("echo one", "echo uno"))
    out = next(store.dir.glob("*-made"))
    change_a_byte(out)
    download = next(p for p in store.dir.glob("*-payload.txt") if not p.name.endswith(".drv"))
    os.chmod(download, 0o644)
    download.write_text("tampered\n")
    result = pybuild("verify", "--repair", cwd=folder)
    assert result.returncode == 1
    assert f"cannot repair {drv}: " in result.stderr and "no longer matches" in result.stderr
    assert f"hint: `pybuild delete {drv}`" in result.stderr and "add it again" not in result.stderr
    assert f"cannot repair {out}: " in result.stderr
    assert f"repaired: {download}" in result.stdout
    assert download.read_text() == "downloaded bytes\n"
