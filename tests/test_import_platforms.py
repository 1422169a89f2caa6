"""Importing hashes and locks made for another platform, on a local index; no network.

The index holds ``crunch`` 1.0 (an sdist, a wheel for this platform and one for Windows),
``grind`` 1.0 (an sdist and a Windows wheel), and ``vault`` 1.0, which needs ``latch`` on this
platform only (as keyring needs SecretStorage on Linux), next to the build tools' wheels.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import pytest
from packaging.tags import sys_tags
from test_pypi import _metadata, _project, cli, wheel

from support.fixtures import WHEEL_CACHE, BuildIndex, index_environ
from support.index import make_sdist, write_index

HERE = next(iter(sys_tags()))
WINDOWS = f"{HERE.interpreter}-{HERE.abi}-win_amd64"


@pytest.fixture(scope="module")
def dists(build_index: BuildIndex, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Every file of the index; `build_index` fills the cache of the build tools' wheels."""
    tmp = tmp_path_factory.mktemp("platform-dists")
    vault = _metadata("vault", "1.0", [f'latch; sys_platform == "{sys.platform}"'])
    made = [
        make_sdist(tmp, "crunch", "1.0", _project("crunch", "1.0")),
        wheel(tmp, "crunch", "1.0", "", _metadata("crunch", "1.0"), tag=str(HERE)),
        wheel(tmp, "crunch", "1.0", "", _metadata("crunch", "1.0"), tag=WINDOWS),
        make_sdist(tmp, "grind", "1.0", _project("grind", "1.0")),
        wheel(tmp, "grind", "1.0", "", _metadata("grind", "1.0"), tag=WINDOWS),
        wheel(tmp, "vault", "1.0", "import latch\n", vault),
        wheel(tmp, "latch", "1.0", "", _metadata("latch", "1.0")),
    ]
    return [*made, *sorted(WHEEL_CACHE.glob("*.whl"))]


@pytest.fixture
def index(dists: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "index"
    url = write_index(root, dists)
    for name, value in index_environ(url).items():
        monkeypatch.setenv(name, value)
    return root


def _hash_of(index: Path, filename: str) -> str:
    return hashlib.sha256((index / "files" / filename).read_bytes()).hexdigest()


def test_a_hash_of_another_platforms_wheel_names_that_wheel_and_its_platform(
    index: Path, tmp_path: Path
) -> None:
    """numpy==2.4.6 with the hash of its win_amd64 wheel was "no file fits the hashes",
    listing this platform's wheel and the sdist: the reader had to find out whose the hash
    was."""
    windows = f"crunch-1.0-{WINDOWS}.whl"
    requirements = tmp_path / "requirements.txt"
    requirements.write_text(f"crunch==1.0 --hash=sha256:{_hash_of(index, windows)}\n")
    result = cli("import", str(requirements), "-o", str(tmp_path / "out"), ok=False)
    assert (
        f"crunch 1.0: the hash given is {windows}'s, a wheel for win_amd64; no file for this"
        " interpreter and platform is hashed"
    ) in result.stderr, result.stderr
    mine = f"crunch-1.0-{HERE}.whl"
    assert f"{mine} sha256:{_hash_of(index, mine)}" in result.stderr
    assert "--universal" in result.stderr
    assert not (tmp_path / "out").exists()
