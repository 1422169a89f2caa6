"""Importing hashes and locks made for another platform, on a local index; no network.

The index holds ``crunch`` 1.0 (an sdist, a wheel for this platform and one for Windows),
``grind`` 1.0 (an sdist and a Windows wheel), ``ferro`` 1.0 (an sdist that builds with maturin, as
orjson's, a wheel for this platform and one for Windows), ``smelt`` 1.0 (the same as ferro),
``rivet`` 1.0 (the same without the wheel for this platform), and ``vault`` 1.0, which needs
``latch`` on this platform only (as keyring needs SecretStorage on Linux), next to the build
tools' wheels.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from packaging.tags import sys_tags
from test_pypi import _metadata, _project, cli, wheel

from support.fixtures import WHEEL_CACHE, BuildIndex, published, sha256_of
from support.index import make_sdist

HERE = next(iter(sys_tags()))
WINDOWS = f"{HERE.interpreter}-{HERE.abi}-win_amd64"
MATURIN = '[build-system]\nrequires = ["maturin>=1"]\nbuild-backend = "maturin"\n'


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
        make_sdist(tmp, "ferro", "1.0", _project("ferro", "1.0", backend=MATURIN)),
        wheel(tmp, "ferro", "1.0", "", _metadata("ferro", "1.0"), tag=str(HERE)),
        wheel(tmp, "ferro", "1.0", "", _metadata("ferro", "1.0"), tag=WINDOWS),
        make_sdist(tmp, "smelt", "1.0", _project("smelt", "1.0", backend=MATURIN)),
        wheel(tmp, "smelt", "1.0", "", _metadata("smelt", "1.0"), tag=str(HERE)),
        wheel(tmp, "smelt", "1.0", "", _metadata("smelt", "1.0"), tag=WINDOWS),
        make_sdist(tmp, "rivet", "1.0", _project("rivet", "1.0", backend=MATURIN)),
        wheel(tmp, "rivet", "1.0", "", _metadata("rivet", "1.0"), tag=WINDOWS),
        wheel(tmp, "vault", "1.0", "import latch\n", vault),
        wheel(tmp, "latch", "1.0", "", _metadata("latch", "1.0")),
    ]
    return [*made, *sorted(WHEEL_CACHE.glob("*.whl"))]


@pytest.fixture
def index(dists: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return published(tmp_path / "index", dists, monkeypatch)


def test_a_hash_of_another_platforms_wheel_names_that_wheel_and_its_platform(
    index: Path, tmp_path: Path
) -> None:
    """numpy==2.4.6 with the hash of its win_amd64 wheel was "no file fits the hashes",
    listing this platform's wheel and the sdist: the reader had to find out whose the hash
    was."""
    windows = f"crunch-1.0-{WINDOWS}.whl"
    requirements = tmp_path / "requirements.txt"
    requirements.write_text(f"crunch==1.0 --hash=sha256:{sha256_of(index, windows)}\n")
    result = cli("import", str(requirements), "-o", str(tmp_path / "out"), ok=False)
    assert (
        f"crunch 1.0: the hash given is {windows}'s, a wheel for win_amd64; no file for this"
        " interpreter and platform is hashed"
    ) in result.stderr, result.stderr
    mine = f"crunch-1.0-{HERE}.whl"
    assert f"{mine} sha256:{sha256_of(index, mine)}" in result.stderr
    assert "--universal" in result.stderr
    assert not (tmp_path / "out").exists()


HEADER = 'lock-version = "1.0"\ncreated-by = "uv"\n'


def _locked(index: Path, name: str, *filenames: str) -> str:
    """A ``[[packages]]`` entry of `name` 1.0 locked to `filenames`, with their hashes."""

    def entry(filename: str) -> str:
        return f'{{ name = "{filename}", hashes = {{ sha256 = "{sha256_of(index, filename)}" }} }}'

    sdists = [f for f in filenames if not f.endswith(".whl")]
    wheels = [entry(f) for f in filenames if f.endswith(".whl")]
    text = f'\n[[packages]]\nname = "{name}"\nversion = "1.0"\n'
    text += f"sdist = {entry(sdists[0])}\n" if sdists else ""
    return text + (f"wheels = [{', '.join(wheels)}]\n" if wheels else "")


def test_a_lock_lacking_what_its_packages_need_here_is_refused_naming_them(
    index: Path, tmp_path: Path
) -> None:
    """A lock made for Windows lacks keyring's SecretStorage and jeepney, which it needs on
    Linux: they were resolved from the index, unhashed, without a word, and --json gave them
    the origin of the locked ones, where uv installs the lock's packages alone."""
    lock = tmp_path / "pylock.toml"
    lock.write_text(HEADER + _locked(index, "vault", "vault-1.0-py3-none-any.whl"))
    out = tmp_path / "out"
    result = cli("import", str(lock), "-o", str(out), "--json", ok=False)
    assert (
        f"{lock}: the lock lacks what its packages need on this platform: latch (required by vault)"
    ) in result.stderr, result.stderr
    assert "made for another platform" in result.stderr
    assert not out.exists()
    lock.write_text(lock.read_text() + _locked(index, "latch", "latch-1.0-py3-none-any.whl"))
    cli("import", str(lock), "-o", str(out))
    assert sorted(p.stem for p in (out / "generated-recipes").glob("*.py")) == ["latch", "vault"]


def test_a_locked_package_without_a_wheel_for_this_platform_says_it_is_built_from_its_sdist(
    index: Path, tmp_path: Path
) -> None:
    """numpy locked to its sdist and its win_amd64 wheel switched to the sdist on Linux
    without a word."""
    lock = tmp_path / "pylock.toml"
    windows = f"grind-1.0-{WINDOWS}.whl"
    lock.write_text(HEADER + _locked(index, "grind", "grind-1.0.tar.gz", windows))
    result = cli("import", str(lock), "-o", str(tmp_path / "out"))
    assert (
        f"grind 1.0 is built from its sdist: the wheel it is locked or required with, {windows},"
        " is a wheel for win_amd64, and none is for this interpreter and platform"
    ) in result.stderr, result.stderr


RUST_SDIST = "its sdist compiles Rust (maturin in its build requirements)"


def test_a_locked_sdist_that_compiles_rust_is_refused_where_no_locked_wheel_fits(
    index: Path, tmp_path: Path
) -> None:
    """orjson locked for macOS to its sdist and its macOS wheels made a recipe building the
    sdist with maturin, and the build failed on maturin's own build requirements
    (puccinialin), advising to edit the generated recipe: no Rust compiler is among the set's
    tools, so the lock's packages cannot all be installed here, which import says."""
    lock = tmp_path / "pylock.toml"
    windows = f"ferro-1.0-{WINDOWS}.whl"
    lock.write_text(HEADER + _locked(index, "ferro", "ferro-1.0.tar.gz", windows))
    out = tmp_path / "out"
    result = cli("import", str(lock), "-o", str(out), ok=False)
    told = " ".join(result.stderr.split())
    assert (
        f"ferro 1.0: the wheel it is locked or required with, {windows}, is a wheel for"
        f" win_amd64, and {RUST_SDIST}: no Rust compiler is among the set's tools"
    ) in told, told
    mine = f"ferro-1.0-{HERE}.whl"
    assert "lock again on this platform, or for every platform (uv's --universal)" in told
    assert f"{mine} sha256:{sha256_of(index, mine)}" in told
    assert not out.exists()
    # without a wheel for this platform in the release: another release or interpreter
    lock.write_text(
        HEADER + _locked(index, "rivet", "rivet-1.0.tar.gz", f"rivet-1.0-{WINDOWS}.whl")
    )
    told = " ".join(cli("import", str(lock), "-o", str(out), ok=False).stderr.split())
    assert f"rivet-1.0-{WINDOWS}.whl, is a wheel for win_amd64, and {RUST_SDIST}" in told, told
    assert "a release of rivet or an interpreter with a wheel for this platform" in told
    assert "lock again with it" in told


def test_a_required_hash_of_a_rust_sdist_alone_is_refused(index: Path, tmp_path: Path) -> None:
    """orjson==3.13.0 with the hash of its sdist alone was built with maturin, and failed."""
    requirements = tmp_path / "requirements.txt"
    sdist = sha256_of(index, "rivet-1.0.tar.gz")
    requirements.write_text(f"rivet==1.0 --hash=sha256:{sdist}\n")
    result = cli("import", str(requirements), "-o", str(tmp_path / "out"), ok=False)
    told = " ".join(result.stderr.split())
    assert f"rivet 1.0's wheels are for win_amd64, and {RUST_SDIST}" in told, told
    requirements.write_text(f"ferro==1.0 --hash=sha256:{sha256_of(index, 'ferro-1.0.tar.gz')}\n")
    result = cli("import", str(requirements), "-o", str(tmp_path / "out"), ok=False)
    told = " ".join(result.stderr.split())
    assert (
        "ferro 1.0: no wheel for this interpreter is among the files it is locked or required"
        f" with, and {RUST_SDIST}"
    ) in told, told
    assert f"this machine's wheel (ferro-1.0-{HERE}.whl sha256:" in told


def test_a_hash_of_another_platforms_wheel_never_offers_a_rust_sdist_as_this_machines_file(
    index: Path, tmp_path: Path
) -> None:
    """The hint to add the hash of "this machine's file" named orjson's sdist, which compiles
    Rust and cannot be built here."""
    requirements = tmp_path / "requirements.txt"
    for name in ("ferro", "rivet"):
        windows = sha256_of(index, f"{name}-1.0-{WINDOWS}.whl")
        requirements.write_text(f"{name}==1.0 --hash=sha256:{windows}\n")
        result = cli("import", str(requirements), "-o", str(tmp_path / "out"), ok=False)
        told = " ".join(result.stderr.split())
        assert f"{name}-1.0.tar.gz" not in told, told
    mine = f"ferro-1.0-{HERE}.whl"
    requirements.write_text(
        f"ferro==1.0 --hash=sha256:{sha256_of(index, f'ferro-1.0-{WINDOWS}.whl')}\n"
    )
    told = " ".join(
        cli("import", str(requirements), "-o", str(tmp_path / "out"), ok=False).stderr.split()
    )
    assert f"this machine's file ({mine} sha256:{sha256_of(index, mine)})" in told, told
    requirements.write_text(
        f"rivet==1.0 --hash=sha256:{sha256_of(index, f'rivet-1.0-{WINDOWS}.whl')}\n"
    )
    told = " ".join(
        cli("import", str(requirements), "-o", str(tmp_path / "out"), ok=False).stderr.split()
    )
    assert (
        f"rivet 1.0 has no file for this interpreter and platform, as {RUST_SDIST}: no Rust"
        " compiler is among the set's tools; ask for another release"
    ) in told, told


def test_every_locked_rust_sdist_without_a_fitting_wheel_is_named_at_once(
    index: Path, tmp_path: Path
) -> None:
    """A lock made for Windows with orjson and pydantic-core was refused naming orjson alone:
    the user locked again, or edited it, only to be refused for pydantic-core next. Each such
    package is named, in the order of their names whatever the lock's, before any recipe is
    written."""
    lock = tmp_path / "pylock.toml"
    rivet = _locked(index, "rivet", "rivet-1.0.tar.gz", f"rivet-1.0-{WINDOWS}.whl")
    ferro = _locked(index, "ferro", "ferro-1.0.tar.gz", f"ferro-1.0-{WINDOWS}.whl")
    smelt = _locked(index, "smelt", "smelt-1.0.tar.gz", f"smelt-1.0-{WINDOWS}.whl")
    lock.write_text(HEADER + smelt + rivet + ferro)
    out = tmp_path / "out"
    told = " ".join(cli("import", str(lock), "-o", str(out), ok=False).stderr.split())
    assert f"ferro-1.0-{WINDOWS}.whl, is a wheel for win_amd64, and {RUST_SDIST}" in told, told
    assert f"rivet-1.0-{WINDOWS}.whl, is a wheel for win_amd64, and {RUST_SDIST}" in told, told
    assert told.index("ferro 1.0") < told.index("rivet 1.0"), told
    assert told.count("lock again on this platform") == 1, told  # one way out said for both
    assert f"this machine's wheels (ferro-1.0-{HERE}.whl sha256:" in told, told
    assert f"; smelt-1.0-{HERE}.whl sha256:" in told, told
    assert "choose a release of rivet or an interpreter" in told, told
    assert not out.exists()
