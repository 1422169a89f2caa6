"""The build sandbox: only declared inputs are visible, and no network unless it is a download.

These tests need bubblewrap that works here (CI installs it from Debian's packages); where it
cannot run they are skipped, and the test of the `sandbox = true` setting proves the refusal.
"""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from pybuild.errors import SettingsError
from pybuild.sandbox import Sandbox, _probe, sandbox_for

BWRAP, PROBLEM = _probe()
needs_bwrap = pytest.mark.skipif(BWRAP is None, reason=f"no working bubblewrap: {PROBLEM}")


@pytest.fixture
def box(tmp_path: Path) -> dict[str, Path]:
    """A fake store with a declared and an undeclared input, and a build directory."""
    store = tmp_path / "store"
    declared, secret = store / "aaaa-declared", store / "bbbb-secret"
    for folder, text in ((declared, "visible\n"), (secret, "secret\n")):
        folder.mkdir(parents=True)
        (folder / "data").write_text(text)
    work = tmp_path / "var" / "tmp" / "build-1"
    (work / "build").mkdir(parents=True)
    return {"declared": declared, "secret": secret, "work": work}


def run_in(box: dict[str, Path], code: str, network: bool = False) -> subprocess.CompletedProcess:
    assert BWRAP is not None
    argv = Sandbox(BWRAP).wrap(
        [sys.executable, "-S", "-c", code],
        build_dir=box["work"] / "build",
        work=box["work"],
        inputs=[box["declared"]],
        network=network,
    )
    return subprocess.run(argv, capture_output=True, text=True, timeout=60, env={})


@needs_bwrap
def test_declared_inputs_are_readable_and_undeclared_ones_absent(box: dict[str, Path]) -> None:
    code = (
        f"print(open({str(box['declared'] / 'data')!r}).read().strip());"
        f"import os; print(os.path.exists({str(box['secret'])!r}))"
    )
    result = run_in(box, code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["visible", "False"]


@needs_bwrap
def test_inputs_are_read_only_and_the_build_directory_writable(box: dict[str, Path]) -> None:
    target = box["declared"] / "data"
    out = box["work"] / "out"
    code = (
        f"open({str(out)!r}, 'w').write('made');"
        f"\ntry:\n open({str(target)!r}, 'w')\nexcept OSError as e:\n print('refused', e.errno)"
    )
    result = run_in(box, code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("refused")
    assert out.read_text() == "made"
    assert target.read_text() == "visible\n"


@needs_bwrap
def test_no_network_unless_it_is_a_download(box: dict[str, Path]) -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        code = (
            "import socket\ntry:\n"
            f" socket.create_connection(('127.0.0.1', {port}), timeout=5); print('connected')\n"
            "except OSError as e:\n print('no network', e.errno)"
        )
        assert run_in(box, code).stdout.startswith("no network")
        assert run_in(box, code, network=True).stdout.strip() == "connected"


@needs_bwrap
def test_private_tmp(box: dict[str, Path], tmp_path: Path) -> None:
    marker = Path("/tmp") / f"pybuild-sandbox-test-{tmp_path.name}"
    marker.write_text("host")
    try:
        result = run_in(box, f"import os; print(os.path.exists({str(marker)!r}))")
        assert result.stdout.strip() == "False"
    finally:
        marker.unlink()


def test_settings() -> None:
    assert sandbox_for("false") is None
    with pytest.raises(SettingsError, match="sandbox must be one of"):
        sandbox_for("maybe")
    if BWRAP is None:
        with pytest.raises(SettingsError, match="bubblewrap cannot run"):
            sandbox_for("true")
        assert sandbox_for("relaxed") is None
    else:
        assert isinstance(sandbox_for("true"), Sandbox)
        assert isinstance(sandbox_for("relaxed"), Sandbox)
