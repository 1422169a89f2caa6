"""The arguments of ``derivation`` and ``fetch_pypi``, checked where they are taken.

A wrong type there would otherwise surface later as a raw Python error (a string split into
letters, ``'list' object has no attribute 'lower'``) naming neither the argument nor what it
takes; here each is a :class:`~pybuild.errors.UsageError` that says both, as the checks of
``build_python_package`` do.
"""

from __future__ import annotations

from typing import Any

import pytest

from pybuild.derivations import derivation
from pybuild.errors import UsageError

SH: dict[str, Any] = {"name": "x", "builder": "/bin/sh"}


@pytest.mark.parametrize(
    ("argument", "value"),
    [("args", "-c echo hi > $out"), ("srcs", "/etc/hostname"), ("outputs", "out")],
)
def test_a_string_where_a_list_goes_is_refused_with_the_list(argument: str, value: str) -> None:
    with pytest.raises(UsageError) as err:
        derivation(**SH, **{argument: value})
    assert str(err.value) == (
        f"derivation 'x': {argument} must be a list of"
        f" {'names' if argument == 'outputs' else 'strings, paths or derivations'},"
        f" not the string {value!r} alone: put it in a list, [{value!r}]"
    )


def test_a_string_where_a_recipe_attribute_takes_a_list_is_refused_so_too() -> None:
    from pybuild.python.package import build_python_package

    with pytest.raises(UsageError, match=r"put it in a list, \['-x'\]$"):
        build_python_package(pname="x", version="1", src=".", pytest_flags="-x")
