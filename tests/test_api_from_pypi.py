"""``pkgs.from_pypi`` called from Python with arguments that do not fit: each is refused as a
UsageError naming the argument and what to write, before the index is asked; no network."""

from __future__ import annotations

import pytest

from pybuild.errors import UsageError
from pybuild.pkgset import package_set


@pytest.fixture(scope="module")
def pkgs():
    return package_set()


@pytest.mark.parametrize(
    ("name", "hint"),
    [
        ("pypi:rich", "from_pypi('rich')"),
        ("rich==14.0.0", "from_pypi('rich', '14.0.0')"),
        ("rich[jupyter]<15", "from_pypi('rich', '<15', extras=['jupyter'])"),
        ("pypi:django>=4.2,<5", "from_pypi('django', '<5,>=4.2')"),
    ],
)
def test_a_requirement_given_as_the_name_says_how_to_split_it(pkgs, name: str, hint: str) -> None:
    with pytest.raises(UsageError) as info:
        pkgs.from_pypi(name)
    assert str(info.value).startswith(f"from_pypi: {name!r} is not a project name")
    assert hint in info.value.hint


@pytest.mark.parametrize("name", ["", "a b", "-rich", 3])
def test_a_name_that_is_no_project_name_is_refused(pkgs, name: object) -> None:
    with pytest.raises(UsageError, match=r"from_pypi: .* project name"):
        pkgs.from_pypi(name)


def test_a_string_where_the_list_of_extras_goes_is_refused(pkgs) -> None:
    """Not iterated letter by letter, into extras 'c', 'k', 'o' and 's'."""
    with pytest.raises(UsageError) as info:
        pkgs.from_pypi("requests", extras="socks")
    assert str(info.value) == (
        "from_pypi('requests'): extras must be a list of extra names, not the string"
        " 'socks' alone: put it in a list, ['socks']"
    )


@pytest.mark.parametrize("extras", [None, [3], ["a b"]])
def test_extras_that_are_no_names_are_refused(pkgs, extras: object) -> None:
    with pytest.raises(UsageError, match=r"from_pypi\('requests'\): extras must be"):
        pkgs.from_pypi("requests", extras=extras)


def test_a_version_that_is_no_string_is_refused(pkgs) -> None:
    with pytest.raises(UsageError, match=r"from_pypi\('rich'\): version must be .*, not float"):
        pkgs.from_pypi("rich", 14.0)
