"""Binary caches: the words of a few refusals, each saying what to do."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from test_cache import NO_SANDBOX, make_chain

from pybuild.cache import (
    CacheError,
    InvalidKey,
    NarInfo,
    PublicKey,
    SecretKey,
    Substituters,
    copy_from,
    copy_to,
    open_cache,
)
from pybuild.cache.info import narinfo_name
from pybuild.errors import UsageError
from pybuild.realiser import BuildOptions, realise
from pybuild.settings import SettingsError, load_settings
from pybuild.store import Store


def test_a_file_url_with_a_host_suggests_three_slashes_or_a_plain_path() -> None:
    with pytest.raises(UsageError) as caught:
        open_cache("file://relc")
    assert str(caught.value) == (
        "binary cache URL 'file://relc': a file:// URL names no host ('relc' is read as"
        " one); write file:///ABSOLUTE/PATH, or give the folder's path alone (relc)"
    )


def test_two_public_keys_in_one_item_are_told_to_be_items_of_their_own() -> None:
    one, two = (str(SecretKey.generate(n).public_key()) for n in ("ci-1", "ci-2"))
    with pytest.raises(InvalidKey) as caught:
        PublicKey.parse(f"{one} {two}")
    assert str(caught.value) == (
        "invalid public key named 'ci-1': it holds whitespace, so more than one key: give each"
        ' key as a list item of its own (["ci-1:…", "ci-2:…"]), or separate them with spaces'
        " in --option trusted-public-keys"
    )


@pytest.mark.parametrize(
    ("joint", "fault"), [(",", "keys hold no comma"), ("\n", "it holds whitespace")]
)
def test_two_keys_in_one_item_of_the_config_file_are_told_to_be_items_of_their_own(
    tmp_path: Path, joint: str, fault: str
) -> None:
    """A comma was told 'not base64' in the file (the environment's advice, spaces, is not
    the file's), and a newline 'holds a space'."""
    one, two = (str(SecretKey.generate(n).public_key()) for n in ("ci-1", "ci-2"))
    config = tmp_path / "config.toml"
    config.write_text(f"trusted_public_keys = [{json.dumps(one + joint + two)}]\n")
    with pytest.raises(SettingsError) as caught:
        load_settings(environ={"PYBUILD_CONFIG": str(config), "HOME": str(tmp_path)})
    told = str(caught.value)
    assert f"'trusted_public_keys' from {config}: {fault}" in told, told
    assert 'give each of the keys as a list item of its own (["ci-1:…", "ci-2:…"])' in told
    assert "not base64" not in told and "holds a space" not in told


def test_a_public_key_holding_a_line_break_is_told_whitespace() -> None:
    one, two = (str(SecretKey.generate(n).public_key()) for n in ("ci-1", "ci-2"))
    with pytest.raises(InvalidKey, match="it holds whitespace, so more than one key"):
        PublicKey.parse(f"{one}\n{two}")


def test_a_secret_key_split_over_two_lines_says_so_and_shows_none_of_it() -> None:
    text = str(SecretKey.generate("ci-1"))
    broken = f"{text[:30]}\n{text[30:]}\n"
    with pytest.raises(InvalidKey) as caught:
        SecretKey.parse(broken)
    assert str(caught.value) == (
        "invalid secret key named 'ci-1': it is split over 2 lines; a key is one line, as"
        " `pybuild key generate` writes it"
    )
    assert text[5:30] not in str(caught.value)


def test_a_key_file_with_two_whole_keys_says_it_holds_more_than_one_not_a_split_key() -> None:
    """Two keys, one a line, were told 'it is split over 2 lines; a key is one line'."""
    keys = [str(SecretKey.generate(name)) for name in ("ci-1", "ci-2")]
    with pytest.raises(InvalidKey) as caught:
        SecretKey.parse("\n".join(keys) + "\n")
    told = str(caught.value)
    assert told == (
        "invalid secret key named 'ci-1': it holds 2 keys, one a line (ci-1, ci-2); --key"
        " takes one: keep the key to sign with alone in the file, as `pybuild key generate`"
        " writes it"
    )
    assert not any(key[5:15] in told or key[-10:] in told for key in keys)


def test_an_archive_damaged_at_its_size_says_how_to_mend_the_cache(tmp_path: Path) -> None:
    """A copy --to sees only the archive's size, so it said 'already there' and mended
    nothing: the refusal names the entry's .narinfo to delete before copying again."""
    chain = make_chain(tmp_path)
    built = Store(tmp_path / "home-a")
    realise([chain.lib], built, BuildOptions(log=io.StringIO(), **NO_SANDBOX))
    key = SecretKey.generate("ci-1")
    root = tmp_path / "cache"
    copy_to(open_cache(str(root)), built, [chain.lib.out], keys=[key])
    meta = root / narinfo_name(chain.lib.out)
    archive = root / NarInfo.parse(meta.read_text()).url
    archive.write_bytes(bytes(archive.stat().st_size))
    subs = Substituters([str(root)], [str(key.public_key())], say=lambda _: None)
    with pytest.raises(CacheError) as caught:
        copy_from(subs, Store(tmp_path / "home-b"), [chain.lib.out])
    assert str(caught.value).endswith(
        f"; to mend the cache, delete its {meta.name} and copy the path to it again"
    )
