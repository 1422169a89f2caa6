"""The in-build downloader of fixed-output fetches (pybuild/builders/fetch.py), over HTTP.

Its limits are the settings ``stalled_download_timeout``, ``download_min_speed`` and
``download_deadline``; the realiser gives them to the download at build time, so small values
here make a dripping server fail the build within seconds.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import unquote

import pytest

from pybuild.builders import fetch
from pybuild.errors import BuildError
from pybuild.fetchers import fetch_url
from pybuild.hashing import hash_bytes
from pybuild.realiser import BuildOptions, realise
from pybuild.settings import SETTINGS
from pybuild.store import Store
from support.drip import dripping_server


def test_a_download_over_http(store: Store, tmp_path: Path) -> None:
    data = bytes(range(256)) * 1000
    (tmp_path / "file.bin").write_bytes(data)
    with dripping_server(tmp_path, drips=lambda path: False) as url:
        drv = fetch_url(f"{url}/file.bin", hash_bytes(data).sri, store=store)
        assert realise([drv], store, BuildOptions(log=io.StringIO()))[drv].status == "built"
    assert Path(drv.path(store=store)).read_bytes() == data


@pytest.mark.parametrize(
    ("limits", "reason"),
    [
        ({"stalled_download_timeout": 3, "download_min_speed": 1024}, "too slow: "),
        (
            {"stalled_download_timeout": 3, "download_min_speed": 0, "download_deadline": 3},
            "not done after 3 s (download_deadline)",
        ),
    ],
)
def test_a_download_that_drips_fails_within_its_limits(
    store: Store, limits: dict[str, int], reason: str
) -> None:
    """64 bytes every 2 s: the socket time-out never fires; the speed or the deadline does."""
    with dripping_server() as url:
        drv = fetch_url(f"{url}/file.tar.gz", hash_bytes(b"whatever").sri, store=store)
        start = time.monotonic()
        with pytest.raises(BuildError) as info:
            realise([drv], store, BuildOptions(log=io.StringIO(), **limits))  # type: ignore[arg-type]
        assert time.monotonic() - start < 30
    assert f"cannot download {url}/file.tar.gz: {reason}" in str(info.value)
    # The limits are given at build time: how patient one is does not change the derivation.
    assert "PYBUILD_" not in store.path(drv.drv_name).read_text()


def test_run_alone_the_downloader_has_the_settings_defaults() -> None:
    assert {name: SETTINGS[name].default for name in fetch._DEFAULTS} == fetch._DEFAULTS


def test_a_download_is_the_same_derivation_from_a_link_to_the_interpreter(tmp_path: Path) -> None:
    """pybuild in a venv (or run by pipx) runs from a link to the base interpreter: its
    downloads are the same derivations, as its packages are, so a .drv name does not depend
    on which of the two ran the evaluation."""
    link = tmp_path / "python3"
    link.symlink_to(os.path.realpath(sys.executable))
    code = 'from pybuild import fetch_url; print(fetch_url("file:///x/a.tar.gz", "{}").drv_name)'
    names = {
        subprocess.run(
            [python, "-c", code.format("0" * 64)], capture_output=True, text=True, check=True
        ).stdout
        for python in (sys.executable, str(link))
    }
    assert len(names) == 1 and names.pop().endswith("-a.tar.gz.drv\n")


@pytest.mark.parametrize(
    "text",
    [
        "some/file.tar.gz",
        "/abs/file.tar.gz",
        " https://x/f.tar.gz",
        "ftp://example.invalid/x.tar.gz",
        "git+https://example.invalid/x.tar.gz",
        "data:,x",
    ],
)
def test_a_fetch_of_what_is_no_url_is_refused(store: Store, text: str) -> None:
    from pybuild.errors import UsageError

    with pytest.raises(UsageError, match=r"is not a URL \(file://, http:// or https://\)"):
        fetch_url(text, hash_bytes(b"x").sri, store=store)


def test_a_urls_scheme_is_taken_in_any_case(store: Store) -> None:
    fetched = fetch_url("HTTPS://example.invalid/x.tar.gz", hash_bytes(b"x").sri, store=store)
    assert fetched.name == "x.tar.gz"


def test_a_fetch_is_named_by_the_last_part_of_its_urls_path(store: Store) -> None:
    sri = hash_bytes(b"x").sri
    assert fetch_url("https://h/a/six-1.0.tar.gz?x=1#y", sri, store=store).name == "six-1.0.tar.gz"
    assert fetch_url("file:///a/b%20c.whl", sri, store=store).name == "b_c.whl"
    assert fetch_url("https://h/a/x.whl", sri, name="given", store=store).name == "given"


def test_a_file_name_no_store_name_could_be_is_made_one_and_downloads(
    store: Store, tmp_path: Path
) -> None:
    """A letter outside ASCII (raw or percent-encoded) is replaced, as a space is: the store
    refused café-1.0.tar.gz. A file name longer than a store name may be keeps its end, which
    says what kind of archive it is. Both are downloaded under those names."""
    long = "x" * 229 + "-1.0.tar.gz"  # 240 characters: a file's name may have 255
    for file, name in [
        ("café-1.0.tar.gz", "caf_-1.0.tar.gz"),
        ("caf%C3%A9-1.0.tar.gz", "caf_-1.0.tar.gz"),
        (long, long[-207:]),  # 211 with .drv, a store name's most
    ]:
        data = file.encode()
        (tmp_path / unquote(file)).write_bytes(data)
        drv = fetch_url(f"file://{tmp_path}/{file}", hash_bytes(data).sri, store=store)
        assert drv.name == name
        assert realise([drv], store, BuildOptions(log=io.StringIO()))[drv].status == "built"
        assert Path(drv.path(store=store)).read_bytes() == data


def test_property_a_fetch_is_named_as_urlsplit_would_name_it(store: Store) -> None:
    """fetch_url splits a URL itself (urlsplit's cost was 1.4% of a large set's evaluation):
    whatever the URL, the name is the one urlsplit's path gives."""
    from urllib.parse import urlsplit

    from hypothesis import assume, given, settings
    from hypothesis import strategies as st

    from pybuild.fetchers import _name_from_path

    scheme = st.sampled_from(["http", "https", "file", "HTTP", "Https", "FILE"])
    rest = st.text(alphabet="abc/?#:;@[]%20.-_~!$&'()*+,=", max_size=30)
    sri = hash_bytes(b"x").sri

    @settings(max_examples=300, deadline=None)
    @given(scheme=scheme, rest=rest)
    def check(scheme: str, rest: str) -> None:
        url = f"{scheme}:{rest}"
        try:
            path = urlsplit(url).path
        except ValueError:  # a host with one bracket: the download itself refuses it
            assume(False)
        assert fetch_url(url, sri, store=store).name == _name_from_path(path)

    check()
