"""Binary caches: a login in the URL over the netrc file's, signatures kept against a
concurrent writer, the deriver a substitution registers, and the words of a few refusals.

The caches are folders of the test or loopback HTTP servers it starts (test_cache's).
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from test_cache import NO_SANDBOX, _GuardedHandler, make_chain

from pybuild.cache import CacheUnavailable, copy_to, open_cache
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
