"""The pool of build users: builds running at once never share a uid."""

from __future__ import annotations

from pathlib import Path

import pytest

from pybuild import buildusers
from pybuild.buildusers import FIRST_UID, build_user
from pybuild.errors import StoreError


def test_builds_at_once_get_different_users_and_a_finished_one_frees_its_own(
    tmp_path: Path,
) -> None:
    with build_user(tmp_path) as first, build_user(tmp_path) as second:
        assert (first.uid, second.uid) == (FIRST_UID, FIRST_UID + 1)
        assert first.gid == first.uid
    with build_user(tmp_path) as again:
        assert again.uid == FIRST_UID


def test_a_full_pool_is_an_error_that_says_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(buildusers, "POOL_SIZE", 1)
    busy = pytest.raises(StoreError, match=r"build users of .* are busy")
    with build_user(tmp_path), busy as err, build_user(tmp_path):
        pass
    assert "jobs" in err.value.hint
