"""Binary caches: the words of a few refusals, each saying what to do."""

from __future__ import annotations

import pytest

from pybuild.cache import open_cache
from pybuild.errors import UsageError


def test_a_file_url_with_a_host_suggests_three_slashes_or_a_plain_path() -> None:
    with pytest.raises(UsageError) as caught:
        open_cache("file://relc")
    assert str(caught.value) == (
        "binary cache URL 'file://relc': a file:// URL names no host ('relc' is read as"
        " one); write file:///ABSOLUTE/PATH, or give the folder's path alone (relc)"
    )
