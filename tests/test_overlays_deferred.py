"""Overlays' calls of the set's functions (``final.f(...)``, ``prev.f(...)``): made once the
set is complete, so that they see every overlay, as nixpkgs' ``final.buildPythonPackage``
sees later overlays."""

from __future__ import annotations

import functools
import textwrap
from pathlib import Path
from typing import Any

import pytest

from pybuild.lazy import Lazy
from pybuild.pkgset import load_overlay, package_set
from support.interpreter import FAKE_PYTHON

PY = FAKE_PYTHON
OVERLAYS = Path(__file__).parent.parent / "overlays"


@pytest.fixture
def recipes(tmp_path: Path) -> Path:
    folder = tmp_path / "recipes"
    folder.mkdir()
    (folder / "leaf.py").write_text(
        textwrap.dedent('''
            """A leaf of the tree, needing nothing."""

            def recipe(build_python_package):
                return build_python_package(pname="leaf", version="1.0", src="/dev/null")
        ''')
    )
    return folder


def _private(final: Any, prev: Any) -> dict[str, Any]:
    return {
        "private": final.build_python_package(
            pname="private", version="1", src="/dev/null", dependencies=[final.leaf]
        )
    }


def _no_checks(final: Any, prev: Any) -> dict[str, Any]:
    return {"build_python_package": functools.partial(prev.build_python_package, do_check=False)}


def test_a_call_through_final_sees_a_later_overlay(recipes: Path) -> None:
    pkgs = package_set(PY, [recipes], [_private, _no_checks])
    assert pkgs.private.attrs["do_check"] is False
    assert pkgs.leaf.attrs["do_check"] is False
    assert [d.pname for d in pkgs.private.dependencies] == ["leaf"]


def test_a_call_in_an_overlay_is_made_only_when_used(recipes: Path) -> None:
    calls: list[str] = []

    def counted(final: Any, prev: Any) -> dict[str, Any]:
        return {"count": lambda: calls.append("called") or "made"}

    def caller(final: Any, prev: Any) -> dict[str, Any]:
        return {"made": final.count(), "version": prev.leaf.version}

    pkgs = package_set(PY, [recipes], [counted, caller])
    assert calls == []  # a value read (prev.leaf.version) is still read at once
    assert pkgs.version == "1.0"
    assert pkgs.made == "made"
    assert calls == ["called"]


def test_an_error_of_a_deferred_call_names_the_overlays_line(recipes: Path) -> None:
    def typo(final: Any, prev: Any) -> dict[str, Any]:
        return {"bad": final.build_python_package(pname="bad", verison="1", src="/dev/null")}

    pkgs = package_set(PY, [recipes], [typo])
    with pytest.raises(TypeError) as err:
        pkgs.bad  # noqa: B018 - evaluating is the point
    lines = [(tb.tb_frame.f_code.co_name, tb.tb_lineno) for tb in _frames(err.value)]
    assert ("typo", typo.__code__.co_firstlineno + 1) in lines


def _frames(exc: BaseException) -> list[Any]:
    tb, frames = exc.__traceback__, []
    while tb is not None:
        frames.append(tb)
        tb = tb.tb_next
    return frames


def test_a_recipes_call_is_still_made_at_once(recipes: Path) -> None:
    """Only what an overlay writes waits: a recipe's package keeps its ``.override``."""
    pkgs = package_set(PY, [recipes], [_no_checks])
    assert not isinstance(pkgs.leaf, Lazy)
    assert pkgs.leaf.override().attrs["do_check"] is False


@pytest.mark.parametrize("order", ["before", "after"])
def test_the_shipped_private_package_is_reached_by_no_checks(order: str) -> None:
    private = load_overlay(OVERLAYS / "private_package.py")
    no_checks = load_overlay(OVERLAYS / "no_checks.py")
    overlays = [private, no_checks] if order == "before" else [no_checks, private]
    pkgs = package_set(PY, overlays=overlays)
    assert pkgs.hello_private.attrs["do_check"] is False
