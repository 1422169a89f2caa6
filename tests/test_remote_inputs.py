"""What the client sends a remote builder: its own copy of each input, checked as it goes."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from test_remote import built_on, fake_ssh, pybuild

DRVS = """\
from pybuild import derivation
dep = derivation(name='dep', builder='/bin/sh', args=['-c', 'mkdir $out; echo dep > $out/a'])
top = derivation(name='top', builder='/bin/sh',
    args=['-c', f'cat {dep}/a > $out'])
"""


@pytest.mark.parametrize("damage", ["added", "changed", "removed"])
def test_a_damaged_local_input_fails_the_build_as_this_store_s_problem(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pybuild_home: Path, damage: str
) -> None:
    # The copy here differs from what its registry records: the builder is not blamed (nor
    # marked down), and nothing is built on that input here either.
    drvs = fake_ssh(tmp_path, monkeypatch, f"{sys.executable} -m pybuild")
    drvs.write_text(DRVS)
    dep = pybuild("build", "-f", drvs, "dep")
    assert dep.returncode == 0, dep.stderr
    path = Path(dep.stdout.strip())
    path.chmod(0o755)
    if damage == "added":
        (path / "x.py").write_text("print(1)\n")
    elif damage == "changed":
        (path / "a").chmod(0o644)
        (path / "a").write_text("DEP\n")  # same size
    else:
        os.unlink(path / "a")
    remote = tmp_path / "remote"
    result = pybuild("build", "-f", drvs, "top", "-j", "0", "--builders", f"ssh://x?home={remote}")
    assert result.returncode != 0
    assert "no more builds" not in result.stderr, result.stderr
    assert f"{path} differs from what this store's registry records" in result.stderr
    assert f"pybuild verify --check-contents --repair {path}" in result.stderr
    assert "top" not in built_on(pybuild_home)
    assert not any(n.endswith("-dep") for n in os.listdir(remote / "store"))
