"""The ``ca`` a client sends with an import is its word only: serve records none it has not
checked, so the registry never holds a content address that is false (one a binary cache or
``path-info`` would then give out as this store's)."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_remote_content_address import _drv, _offer

from pybuild.store import Store


@pytest.mark.parametrize(
    "ca", ["junk", "fixed:r:sha256:1b8m03r63zqhnjf7l5wnldhh7c134ap5vpj0850ymkq1iyzicy5s"]
)
def test_a_ca_sent_with_an_output_is_not_recorded(store: Store, tmp_path: Path, ca: str) -> None:
    """An output is named by its derivation, not by what came: no ca of it can be checked."""
    out = _drv(tmp_path).out
    assert _offer(store, tmp_path, out, "anything\n", ca=ca) == {
        "reply": "imported",
        "path": out,
    }
    assert store.info(out).ca is None
    assert store.client_imported([out]) == [out]
