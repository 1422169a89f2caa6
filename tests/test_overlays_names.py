"""An overlay's attribute names: Python names, as recipes take them by parameter."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pybuild.errors import UsageError
from pybuild.pkgset import package_set
from support.interpreter import FAKE_PYTHON

PY = FAKE_PYTHON


def test_an_overlay_setting_a_project_name_is_refused_at_its_line(tmp_path: Path) -> None:
    """``python-dateutil`` overrode nothing that needs ``python_dateutil``, without a word."""

    def overlay(final: Any, prev: Any) -> dict[str, Any]:
        return {"python-dateutil": prev.six}

    with pytest.raises(UsageError) as err:
        package_set(PY, [tmp_path], [overlay])
    assert str(err.value).startswith(
        f"the overlay at {__file__}:{overlay.__code__.co_firstlineno} sets 'python-dateutil',"
        " which is no Python name"
    )
    assert err.value.hint.startswith("name it 'python_dateutil'")
