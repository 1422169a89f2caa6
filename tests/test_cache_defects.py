"""Binary caches: a login in the URL over the netrc file's, signatures kept against a
concurrent writer, the deriver a substitution registers, and the words of a few refusals.

The caches are folders of the test or loopback HTTP servers it starts (test_cache's).
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import ClassVar

import pytest
from test_cache import NO_SANDBOX, _CacheHandler, _GuardedHandler, make_chain

from pybuild.cache import CacheUnavailable, NarInfo, SecretKey, copy_to, open_cache
from pybuild.cache.info import narinfo_name
from pybuild.realiser import BuildOptions, realise
from pybuild.store import Store
from support.serving import serve

# -- a login in the cache's URL ---------------------------------------------------------------


def test_the_login_in_the_url_is_sent_over_the_netrc_file_s_and_named_when_refused(
    tmp_path: Path, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """requests applies a netrc login over the URL's; the URL's is the one meant (the docs
    say it is sent instead), and a refusal names the login that was sent."""
    lib = make_chain(tmp_path).lib
    realise([lib], store, BuildOptions(log=io.StringIO(), **NO_SANDBOX))
    netrc = tmp_path / "netrc"
    monkeypatch.setenv("NETRC", str(netrc))
    guarded = {"root": tmp_path / "served", "anonymous": ""}
    (tmp_path / "served").mkdir()
    with serve(type("Handler", (_GuardedHandler,), guarded)) as url:
        port = url.rpartition(":")[2]
        netrc.write_text("machine 127.0.0.1 login ci password wrong\n")
        cache = open_cache(f"http://ci:secret@127.0.0.1:{port}/x")
        assert copy_to(cache, store, [lib.out]).uploaded == [lib.out]

        netrc.write_text("machine 127.0.0.1 login reader password secret\n")
        with pytest.raises(CacheUnavailable) as caught:
            copy_to(open_cache(f"http://ci:wrong@127.0.0.1:{port}/x"), store, [lib.out])
        assert caught.value.reason == (
            "GET pybuild-cache-info: HTTP 401 Unauthorized (the server refused the login"
            " 'ci' that the cache's URL gives)"
        )


# -- signatures written beside another writer's -----------------------------------------------

RIVAL = SecretKey.generate("ci-3")


class _RacedHandler(_CacheHandler):
    """A cache where another job signs each entry again at the same time: right after a PUT
    of metadata, the file is what that job writes, having read it before the PUT (the old
    file, with its own signature by ci-3 added), `races` times for each file."""

    races = 1
    raced: ClassVar[dict[str, int]]

    def do_PUT(self) -> None:
        path = self._file()
        raced = self.raced.get(path.name, 0)
        if not path.name.endswith(".narinfo") or not path.exists() or raced >= self.races:
            super().do_PUT()
            return
        self.raced[path.name] = raced + 1
        self.rfile.read(int(self.headers["Content-Length"]))  # written, then overwritten:
        path.write_text(NarInfo.parse(path.read_text()).signed(RIVAL).to_text())
        self.send_response(201)
        self.send_header("Content-Length", "0")
        self.end_headers()


def raced_cache(tmp_path: Path, races: int) -> tuple[Store, str, type[_RacedHandler]]:
    """A store with lib built, and a handler for a cache that holds lib's entry, unsigned."""
    lib = make_chain(tmp_path).lib
    built = Store(tmp_path / "home-a")
    realise([lib], built, BuildOptions(log=io.StringIO(), **NO_SANDBOX))
    root = tmp_path / "served"
    copy_to(open_cache(str(root)), built, [lib.out])
    handler = type("Handler", (_RacedHandler,), {"root": root, "races": races, "raced": {}})
    return built, lib.out, handler


def test_a_signature_another_writer_overwrote_is_merged_into_its_entry_and_put_again(
    tmp_path: Path,
) -> None:
    built, path, handler = raced_cache(tmp_path, races=1)
    key = SecretKey.generate("ci-2")
    told: list[str] = []
    with serve(handler) as url:
        report = copy_to(open_cache(url), built, [path], keys=[key], say=told.append)
    assert report.signed == [path]
    info = NarInfo.parse((tmp_path / "served" / narinfo_name(path)).read_text())
    assert info.trusted_by([key.public_key()]) == "ci-2"
    assert info.trusted_by([RIVAL.public_key()]) == "ci-3"
    assert not any("warning" in line for line in told), told


def test_a_signature_lost_to_other_writers_time_and_again_is_warned_of_naming_the_path(
    tmp_path: Path,
) -> None:
    built, path, handler = raced_cache(tmp_path, races=100)
    key = SecretKey.generate("ci-2")
    told: list[str] = []
    with serve(handler) as url:
        copy_to(open_cache(url), built, [path], keys=[key], say=told.append)
    assert any(
        line.startswith(f"warning: {url}: the entry of {path} lacks the signature by ci-2")
        for line in told
    ), told
