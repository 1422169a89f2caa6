"""Overriding recipes: ``.override`` and ``.override_python_attrs`` composed, and their errors.

A recipe's mistakes are refused when it is made, naming the package and the attribute, and
the two kinds of override keep each other's changes, as nixpkgs' makeOverridablePythonPackage
composes overridePythonAttrs and override.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest

from pybuild.pkgset import PackageSet, package_set
from support.interpreter import FAKE_PYTHON


def recipe(pname: str, deps: tuple[str, ...] = ()) -> str:
    """A recipe whose source is a fetch (nothing is read to make its derivation)."""
    params = ", ".join(["build_python_package", "fetch_url", *deps])
    return f"""
        def recipe({params}):
            return build_python_package(
                pname={pname!r},
                version="1.0",
                src=fetch_url("file:///nowhere/{pname}-1.0.tar.gz", hash="0" * 64),
                dependencies=[{", ".join(deps)}],
            )
    """


@pytest.fixture
def pkgs(tmp_path: Path) -> PackageSet:
    folder = tmp_path / "recipes"
    folder.mkdir()
    bodies = {"leaf": recipe("leaf"), "other": recipe("other"), "top": recipe("top", ("leaf",))}
    for name, body in bodies.items():
        (folder / f"{name}.py").write_text(textwrap.dedent(body))
    return package_set(FAKE_PYTHON, [folder])


def deps(pkg: Any) -> list[str]:
    return [d.pname for d in pkg.dependencies]


# -- override and override_python_attrs, composed ----------------------------------------


def test_override_keeps_an_earlier_override_python_attrs(pkgs: PackageSet) -> None:
    changed = pkgs.top.override_python_attrs(do_check=False).override(leaf=pkgs.other)
    assert changed.attrs["do_check"] is False
    assert deps(changed) == ["other"]


def test_override_python_attrs_keeps_an_earlier_override(pkgs: PackageSet) -> None:
    changed = pkgs.top.override(leaf=pkgs.other).override_python_attrs(do_check=False)
    assert changed.attrs["do_check"] is False
    assert deps(changed) == ["other"]


def test_both_orders_make_the_same_derivation(pkgs: PackageSet) -> None:
    first = pkgs.top.override_python_attrs(do_check=False).override(leaf=pkgs.other)
    second = pkgs.top.override(leaf=pkgs.other).override_python_attrs(do_check=False)
    plain = pkgs.top
    assert first.drv.drv_name == second.drv.drv_name != plain.drv.drv_name


def test_a_chain_of_overrides_keeps_every_change(pkgs: PackageSet) -> None:
    changed = (
        pkgs.top.override_python_attrs(version="2.0")
        .override(leaf=pkgs.other)
        .override_python_attrs(lambda old: {"pytest_flags": [*old["pytest_flags"], "-x"]})
        .override_python_attrs(do_check=False)
        .override(leaf=pkgs.leaf)  # back again: the attribute changes stay
    )
    assert (changed.version, changed.attrs["do_check"], deps(changed)) == ("2.0", False, ["leaf"])
    assert list(changed.attrs["pytest_flags"]) == ["-x"]  # applied once, not once per re-call


def test_a_function_of_the_old_attributes_sees_those_of_the_new_inputs(
    pkgs: PackageSet,
) -> None:
    """As nixpkgs re-applies overridePythonAttrs' function after an override."""
    named = pkgs.top.override_python_attrs(
        lambda old: {"meta": {"description": "needs " + old["dependencies"][0].pname}}
    )
    assert named.meta == {"description": "needs leaf"}
    assert named.override(leaf=pkgs.other).meta == {"description": "needs other"}


def test_override_of_an_overridden_lazy_reference_keeps_the_change(pkgs: PackageSet) -> None:
    """An overlay's ``prev.x.override_python_attrs(...)`` is lazy; a later override keeps it."""

    def overlay(final: Any, prev: Any) -> dict[str, Any]:
        return {"top": prev.top.override_python_attrs(do_check=False)}

    overlaid = pkgs.extend(overlay)
    changed = overlaid.top.override(leaf=overlaid.other)
    assert (changed.attrs["do_check"], deps(changed)) == (False, ["other"])
