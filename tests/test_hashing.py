"""Hashes in hex, Nix base-32 and SRI, and the NAR serialisation, against vectors from nix-hash."""

from __future__ import annotations

import doctest
import hashlib
import os
from pathlib import Path

import pytest

import pybuild.hashing
from pybuild.errors import InvalidHash, InvalidPath
from pybuild.hashing import (
    Hash,
    hash_bytes,
    hash_file,
    hash_path,
    nar_chunks,
    nix32_decode,
    nix32_encode,
    parse_hash,
)

# Checked against `nix-hash --type sha256` (flat: `--flat`).
EMPTY_HEX = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
EMPTY_BASE32 = "0mdqa9w1p6cmli6976v4wi0sw9r4p5prkj7lzfd1877wk11c9c73"
EMPTY_SRI = "sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU="
HELLO_FLAT_BASE32 = "00xyyr3fi8l6hb839bv3f7yb86yjv7xi1cgh1xnhipym4asvb4aq"
HELLO_NAR_HEX = "1c37d01af40be2e80691de3cc3df44377a699afbb17c68f080964b2fd071fc13"
HELLO_NAR_BASE32 = "04zwf782yjwnh3q6hz5izfd6jyip8kgw6g6yj43fiqhbyhdd0dqw"
EMPTY_FILE_NAR_BASE32 = "0ip26j2h11n1kgkz36rl4akv694yz65hr72q4kv4b3lxcbi65b3p"
TREE_NAR_HEX = "6b3e3f4375a4145a353dd0912c700e0d01c4f6e1b62781164d8b7db078e674d2"


def make_tree(root: Path) -> Path:
    """The directory whose NAR hash is TREE_NAR_HEX."""
    tree = root / "d"
    (tree / "sub").mkdir(parents=True)
    (tree / "run.sh").write_bytes(b"#!/bin/sh\necho hi\n")
    (tree / "run.sh").chmod(0o755)
    (tree / "sub" / "a").write_bytes(b"x")
    (tree / "link").symlink_to("../f.txt")
    return tree


def write(path: Path, data: bytes, mode: int = 0o644) -> Path:
    path.write_bytes(data)
    path.chmod(mode)
    return path


# -- the three printed forms ------------------------------------------------------------------


def test_empty_flat_hash_in_every_form() -> None:
    digest = hash_bytes(b"")
    assert digest.hex == EMPTY_HEX
    assert digest.base32 == EMPTY_BASE32
    assert digest.sri == EMPTY_SRI
    assert str(digest) == EMPTY_SRI


def test_flat_file_hash(tmp_path: Path) -> None:
    file = write(tmp_path / "hello", b"hello\n")
    assert hash_file(file).base32 == HELLO_FLAT_BASE32
    assert hash_file(file) == hash_bytes(b"hello\n")
    assert hash_file(write(tmp_path / "empty", b"")).hex == EMPTY_HEX


def test_flat_hash_of_a_file_larger_than_one_read(tmp_path: Path) -> None:
    data = os.urandom((1 << 20) * 2 + 12345)
    file = write(tmp_path / "big", data)
    assert hash_file(file).hex == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize("form", ["hex", "base32", "sri"])
def test_parse_reads_every_form(form: str) -> None:
    text = getattr(hash_bytes(b""), form)
    assert parse_hash(text) == Hash(hashlib.sha256(b"").digest())


@pytest.mark.parametrize(
    "text",
    [
        EMPTY_HEX,
        EMPTY_HEX.upper(),
        EMPTY_BASE32,
        EMPTY_SRI,
        f"sha256:{EMPTY_HEX}",
        f"sha256:{EMPTY_BASE32}",
        f"  {EMPTY_SRI}\n",
    ],
)
def test_all_spellings_parse_to_the_same_hash(text: str) -> None:
    parsed = parse_hash(text)
    assert parsed.hex == EMPTY_HEX
    assert parsed.base32 == EMPTY_BASE32
    assert parsed.sri == EMPTY_SRI


def test_round_trips_between_forms() -> None:
    for seed in range(20):
        digest = hash_bytes(seed.to_bytes(4, "big"))
        assert parse_hash(digest.hex) == digest
        assert parse_hash(digest.base32) == digest
        assert parse_hash(digest.sri) == digest
        assert parse_hash(parse_hash(digest.base32).sri).hex == digest.hex


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("abc", "expected 64 hex digits"),
        (EMPTY_HEX[:-1], "expected 64 hex digits"),
        (EMPTY_HEX + "0", "expected 64 hex digits"),
        ("g" * 64, "not hexadecimal"),
        (EMPTY_BASE32[:-1] + "e", "not a Nix base-32 digit"),
        (EMPTY_BASE32[:-1] + "u", "not a Nix base-32 digit"),
        (EMPTY_BASE32.upper(), "not a Nix base-32 digit"),
        ("z" + "0" * 51, "too large"),
        ("sha256-notbase64!!", "bad base64"),
        ("sha256-" + "A" * 42 + "==", "32 bytes"),
        (f"md5:{EMPTY_HEX}", "only sha256 is supported"),
        (f"sha1:{EMPTY_HEX}", "only sha256 is supported"),
    ],
)
def test_parse_rejects_malformed_hashes(text: str, reason: str) -> None:
    with pytest.raises(InvalidHash) as info:
        parse_hash(text)
    assert reason in str(info.value)
    assert info.value.text == text


def test_parse_rejects_other_sri_algorithms() -> None:
    sri512 = "sha512-" + "A" * 86 + "=="
    with pytest.raises(InvalidHash):
        parse_hash(sri512)


def test_parse_rejects_hex_with_embedded_whitespace() -> None:
    # bytes.fromhex skips whitespace, so 64 characters can hold far fewer than 32 bytes.
    text = "ab" + " " * 60 + "cd"
    assert len(text) == 64
    with pytest.raises(InvalidHash):
        parse_hash(text)


def test_hash_is_a_value() -> None:
    a, b = hash_bytes(b"x"), parse_hash(hash_bytes(b"x").base32)
    assert a == b
    assert hash(a) == hash(b)
    assert a != hash_bytes(b"y")
    with pytest.raises(AttributeError):
        a.digest = b""  # type: ignore[misc]


def test_module_docstring_example_holds() -> None:
    result = doctest.testmod(pybuild.hashing, verbose=False, report=False)
    assert result.attempted > 0
    assert result.failed == 0


# -- Nix base-32 ------------------------------------------------------------------------------


def test_nix32_of_known_digest() -> None:
    assert nix32_encode(bytes.fromhex(EMPTY_HEX)) == EMPTY_BASE32
    assert nix32_decode(EMPTY_BASE32) == bytes.fromhex(EMPTY_HEX)


@pytest.mark.parametrize("size", [20, 32])
def test_nix32_round_trip(size: int) -> None:
    for seed in range(50):
        data = hashlib.sha256(str(seed).encode()).digest()[:size]
        text = nix32_encode(data)
        assert len(text) == (size * 8 - 1) // 5 + 1
        assert set(text) <= set("0123456789abcdfghijklmnpqrsvwxyz")
        assert nix32_decode(text, size) == data


def test_nix32_edge_values() -> None:
    assert nix32_encode(bytes(32)) == "0" * 52
    assert nix32_decode("0" * 52) == bytes(32)
    ones = b"\xff" * 32
    assert nix32_decode(nix32_encode(ones)) == ones
    assert nix32_encode(ones)[0] == "1"  # 256 bits leave one bit for the top digit


def test_nix32_decode_rejects_wrong_length() -> None:
    with pytest.raises(InvalidHash, match="52 characters"):
        nix32_decode("0" * 51)
    with pytest.raises(InvalidHash):
        nix32_decode("0" * 52, size=20)


# -- NAR --------------------------------------------------------------------------------------


def test_nar_hash_of_a_regular_file(tmp_path: Path) -> None:
    digest, size = hash_path(write(tmp_path / "hello", b"hello\n"))
    assert digest.hex == HELLO_NAR_HEX
    assert digest.base32 == HELLO_NAR_BASE32
    assert size == 120


def test_nar_hash_of_an_empty_file(tmp_path: Path) -> None:
    digest, size = hash_path(write(tmp_path / "empty", b""))
    assert digest.base32 == EMPTY_FILE_NAR_BASE32
    assert size == 112


def test_nar_hash_of_a_tree_with_executable_and_symlink(tmp_path: Path) -> None:
    digest, size = hash_path(make_tree(tmp_path))
    assert digest.hex == TREE_NAR_HEX
    assert size == 888


def test_nar_size_is_the_serialisation_length(tmp_path: Path) -> None:
    tree = make_tree(tmp_path)
    data = b"".join(nar_chunks(tree))
    assert hash_path(tree) == (hash_bytes(data), len(data))
    assert data.startswith(b"\x0d\0\0\0\0\0\0\0nix-archive-1\0\0\0")
    assert len(data) % 8 == 0


def test_nar_ignores_times_and_permissions_except_the_exec_bit(tmp_path: Path) -> None:
    file = write(tmp_path / "f", b"hello\n", 0o644)
    reference = hash_path(file)
    for mode in (0o600, 0o444, 0o664, 0o640):
        file.chmod(mode)
        assert hash_path(file) == reference, oct(mode)
    os.utime(file, (12345, 67890))
    assert hash_path(file) == reference
    file.chmod(0o755)
    executable = hash_path(file)
    assert executable != reference
    file.chmod(0o700)
    assert hash_path(file) == executable
    file.chmod(0o644)
    assert hash_path(file) == reference


def test_nar_of_a_tree_ignores_directory_modes_and_times(tmp_path: Path) -> None:
    tree = make_tree(tmp_path)
    os.utime(tree / "sub", (1, 1))
    (tree / "sub").chmod(0o700)
    assert hash_path(tree)[0].hex == TREE_NAR_HEX


def test_nar_depends_on_names_contents_and_link_targets(tmp_path: Path) -> None:
    tree = make_tree(tmp_path)
    (tree / "link").unlink()
    (tree / "link").symlink_to("../g.txt")
    assert hash_path(tree)[0].hex != TREE_NAR_HEX
    tree = make_tree(tmp_path / "2")
    (tree / "sub" / "a").rename(tree / "sub" / "b")
    assert hash_path(tree)[0].hex != TREE_NAR_HEX


def test_nar_entries_are_sorted_by_bytes_not_creation_order(tmp_path: Path) -> None:
    first, second = tmp_path / "one", tmp_path / "two"
    first.mkdir()
    second.mkdir()
    for name in ("b", "B", "a", "_"):
        (first / name).write_text(name)
    for name in ("_", "a", "B", "b"):
        (second / name).write_text(name)
    assert hash_path(first) == hash_path(second)


def test_nar_of_a_symlink_is_the_link_itself(tmp_path: Path) -> None:
    target = write(tmp_path / "target", b"hello\n")
    link = tmp_path / "link"
    link.symlink_to(target)
    assert hash_path(link) != hash_path(target)
    dangling = tmp_path / "dangling"
    dangling.symlink_to(str(target))
    assert hash_path(dangling) == hash_path(link)


def test_nar_rejects_special_files(tmp_path: Path) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    with pytest.raises(InvalidPath):
        hash_path(fifo)
