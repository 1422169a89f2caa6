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


# -- a wrong entry of a mapping attribute --------------------------------------------------


@pytest.mark.parametrize(
    ("attrs", "message", "hint"),
    [
        (
            {"env": {"CFLAGS": 3, "OK": "x"}},
            "env must be a mapping of variable names to strings, but env['CFLAGS'] is the int 3",
            'a variable holds a string: env={"CFLAGS": "3"}',
        ),
        (
            {"env": {"OK": ["-O1", "-g"]}},
            "env must be a mapping of variable names to strings, but env['OK'] is the list"
            " ['-O1', '-g']",
            'a variable holds a string: join the flags with spaces, env={"OK": "-O1 -g"}',
        ),
        (
            {"env": {"CC": None}},
            "env must be a mapping of variable names to strings, but env['CC'] is None",
            "",
        ),
        (
            {"env": {3: "x"}},
            "env must be a mapping of variable names to strings, but its key 3 is an int,"
            " not a name (a str)",
            "",
        ),
        (
            {"config_settings": {"setup-args": [1]}},
            "config_settings must be a mapping of names to strings or lists of strings, but"
            " config_settings['setup-args'] is the list [1]",
            "",
        ),
        (
            {"optional_dependencies": {"socks": "pysocks"}},
            "optional_dependencies must be a mapping of extra names to lists of packages, but"
            " optional_dependencies['socks'] is the str 'pysocks'",
            "",
        ),
    ],
)
def test_a_wrong_entry_of_a_mapping_is_named(
    attrs: dict[str, Any], message: str, hint: str
) -> None:
    """Not "must be a mapping …, not dict {…}" (it is a dict): the entry that is wrong."""
    with pytest.raises(UsageError) as err:
        make(**attrs)
    assert str(err.value).splitlines()[0] == f"six: {message}"
    assert err.value.hint == hint


def test_a_mapping_attribute_that_is_no_mapping_is_shown_whole() -> None:
    with pytest.raises(UsageError) as err:
        make(env=["CFLAGS=-O1"])
    assert str(err.value) == (
        "six: env must be a mapping of variable names to strings, not list ['CFLAGS=-O1']"
    )
