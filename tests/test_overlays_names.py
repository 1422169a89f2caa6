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
        f"the overlay at {__file__}:{overlay.__code__.co_firstlineno + 1} sets 'python-dateutil',"
        " which is no Python name"
    )
    assert err.value.hint.startswith("name it 'python_dateutil'")


def test_a_name_with_a_space_is_told_the_name_without_it(tmp_path: Path) -> None:
    def overlay(final: Any, prev: Any) -> dict[str, Any]:
        return {"six ": prev.six}

    with pytest.raises(UsageError) as err:
        package_set(PY, [tmp_path], [overlay])
    assert err.value.hint.startswith("name it 'six':")


@pytest.mark.parametrize("name", ["_private", "extend", "pkgs", "names", "interpreter"])
def test_a_name_the_set_keeps_for_itself_is_refused(tmp_path: Path, name: str) -> None:
    """pkgs.extend, pkgs.interpreter, pkgs._x are the set's own: an overlay's value of that
    name was accepted and then never given (or hid the set's method)."""

    def overlay(final: Any, prev: Any) -> dict[str, Any]:
        return {
            name: prev.six,
        }

    with pytest.raises(UsageError) as err:
        package_set(PY, [tmp_path], [overlay])
    line = overlay.__code__.co_firstlineno  # a key written as a variable: the overlay's def
    assert str(err.value).startswith(f"the overlay at {__file__}:{line} sets {name!r}, which")
    assert f"pkgs.{name} would not give it" in str(err.value)


def test_the_sets_functions_may_still_be_replaced(tmp_path: Path) -> None:
    """call_package and build_python_package are attributes recipes take: an overlay may
    give its own (no_checks.py replaces build_python_package)."""

    def overlay(final: Any, prev: Any) -> dict[str, Any]:
        return {
            "call_package": prev.call_package,
            "build_python_package": prev.build_python_package,
        }

    assert "call_package" in package_set(PY, [tmp_path], [overlay])
