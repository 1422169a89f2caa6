"""Errors of the checks made when a recipe is made (``pybuild/python/recipecheck.py``): each
names the entry that is wrong and says what the set, or the system, has instead."""

from __future__ import annotations

from typing import Any

import pytest

from pybuild.errors import UsageError
from pybuild.python.package import build_python_package


def make(**attrs: Any) -> Any:
    return build_python_package(pname="six", version="1", src="/dev/null", **attrs)


# -- a system tool named in native_build_inputs -------------------------------------------


@pytest.mark.parametrize("tool", ["cmake", "gcc"])
@pytest.mark.parametrize("override", [False, True])
def test_a_tool_named_in_native_build_inputs_is_not_promised_as_the_sets(
    tool: str, override: bool
) -> None:
    """The default set has no cmake nor gcc: the hint offers the set's package only if the
    set has one, and says where the system's tools come from (its PATH) otherwise."""
    with pytest.raises(UsageError) as err:
        if override:
            make().override_python_attrs(native_build_inputs=[tool])
        else:
            make(native_build_inputs=[tool])
    assert str(err.value).splitlines()[0] == (
        f"six: native_build_inputs must be packages of the set, not the str {tool!r}"
    )
    hint = err.value.hint
    assert hint is not None
    assert hint.startswith(f"if the set has {tool}, list its package")
    assert "needs no entry: every build finds it on the system's PATH" in hint
    assert 'pkgs.from_pypi("cmake")' in hint


def test_a_name_in_an_overrides_dependencies_still_gives_the_sets_package() -> None:
    """A Python package named in dependencies: the set's package, as before."""
    with pytest.raises(UsageError) as err:
        make().override_python_attrs(dependencies=["wcwidth"])
    assert err.value.hint == (
        "give the set's package, pkgs.wcwidth (final.wcwidth in an overlay), not its name"
    )
