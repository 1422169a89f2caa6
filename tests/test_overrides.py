"""Overriding recipes: ``.override`` and ``.override_python_attrs`` composed, and their errors.

A recipe's mistakes are refused when it is made, naming the package and the attribute, and
the two kinds of override keep each other's changes, as nixpkgs' makeOverridablePythonPackage
composes overridePythonAttrs and override.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from pybuild.errors import UsageError
from pybuild.fetchers import fetch_url
from pybuild.lazy import Lazy
from pybuild.pkgset import PackageSet, package_set
from pybuild.python.package import build_python_package
from support.fixtures import BuildIndex
from support.interpreter import FAKE_PYTHON


def recipe(pname: str, deps: tuple[str, ...] = (), extra: str | None = None) -> str:
    """A recipe whose source is a fetch (nothing is read to make its derivation), taking
    `deps` as its dependencies, or giving the attributes `extra` instead."""
    params = ", ".join(["build_python_package", "fetch_url", *deps])
    attrs = f"dependencies=[{', '.join(deps)}]," if extra is None else extra
    return f"""
        def recipe({params}):
            return build_python_package(
                pname={pname!r},
                version="1.0",
                src=fetch_url("file:///nowhere/{pname}-1.0.tar.gz", hash="0" * 64),
                {attrs}
            )
    """


@pytest.fixture
def pkgs(tmp_path: Path, use_index: BuildIndex) -> PackageSet:
    """A set of three recipes; their derivations take the toolchain's wheels from the fixture
    index."""
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


# -- entries of the input lists, checked when the recipe is made -------------------------


def make(**attrs: Any) -> Any:
    return build_python_package(pname="crashtest", version="1", src="/dev/null", **attrs)


def test_a_name_in_dependencies_is_refused_as_the_parameter_it_should_be() -> None:
    with pytest.raises(UsageError) as err:
        make(dependencies=["wcwidth"])
    assert str(err.value).splitlines()[0] == (
        "crashtest: dependencies must be packages of the set, not the str 'wcwidth'"
    )
    assert err.value.hint == (
        "write the recipe's parameter wcwidth, not its name: take it, def recipe(..., wcwidth),"
        " and list that: [wcwidth]"
    )


def test_a_name_in_an_overrides_dependencies_is_refused_as_the_package_it_should_be() -> None:
    """An override takes no parameter: its hint is the set's package, not a recipe's."""
    with pytest.raises(UsageError) as err:
        make().override_python_attrs(dependencies=["wcwidth"])
    assert err.value.hint == (
        "give the set's package, pkgs.wcwidth (final.wcwidth in an overlay), not its name"
    )


@pytest.mark.parametrize(
    ("attrs", "start"),
    [
        (
            {"build_system": ["poetry-core"]},
            "build_system must be packages of the set, not the str 'poetry-core'",
        ),
        ({"check_inputs": ["pytest"]}, "check_inputs must be packages of the set, not the str"),
        (
            {"native_build_inputs": [None]},
            "native_build_inputs must be packages of the set, not None",
        ),
        ({"dependencies": [3]}, "dependencies must be packages of the set, not the int 3"),
        (
            {"optional_dependencies": {"socks": [{}]}},
            "optional_dependencies['socks'] must be packages of the set, not the dict {}",
        ),
    ],
)
def test_an_entry_that_is_not_a_package_names_the_package_and_the_list(
    attrs: dict[str, Any], start: str
) -> None:
    with pytest.raises(UsageError) as err:
        make(**attrs)
    assert str(err.value).startswith("crashtest: " + start)
    assert err.value.hint


def test_a_derivation_is_not_a_build_tool() -> None:
    """The builder reads each input's package record: a fetch is no Python package."""
    fetch = fetch_url("file:///nowhere/tool.tar.gz", hash="0" * 64)
    with pytest.raises(UsageError, match="native_build_inputs must be packages of the set"):
        make(native_build_inputs=[fetch])


def test_lazy_references_in_the_lists_are_not_resolved_when_the_recipe_is_made() -> None:
    def unresolved() -> Any:
        raise AssertionError("resolved while the recipe was made")

    later = Lazy("final.later", unresolved)
    leaf = make()
    lists = ("build_system", "dependencies", "check_inputs", "native_build_inputs")
    pkg = make(**{name: [later, leaf] for name in lists}, optional_dependencies={"x": [later]})
    assert pkg.attrs["dependencies"] == [later, leaf]


def test_a_reference_to_something_else_is_refused_when_the_derivation_is_made(
    pkgs: PackageSet,
) -> None:
    fetcher = Lazy("final.fetch_url", lambda: pkgs.fetch_url)  # as a recipe's parameter is
    wrong = pkgs.top.override_python_attrs(dependencies=[fetcher])
    with pytest.raises(UsageError, match="top: dependencies must be Python packages, not the"):
        wrong.drv  # noqa: B018 - making it is the point


def test_the_command_line_names_the_recipe_line_of_a_wrong_entry(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "crashtest.py").write_text(
        "def recipe(build_python_package):\n"
        "    return build_python_package(\n"
        '        pname="crashtest", version="1", src=".", dependencies=["wcwidth"]\n'
        "    )\n"
    )
    command = [sys.executable, "-m", "pybuild", "eval", "--recipes", folder, "crashtest"]
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "error: crashtest: dependencies must be packages of the set" in result.stderr
    assert f"at {Path('mine') / 'crashtest.py'}:2, in recipe" in result.stderr
    assert "Traceback" not in result.stderr


# -- disabled_tests and disabled_test_paths, checked when the recipe is made -------------


def test_the_nixpkgs_list_of_disabled_tests_is_refused_with_the_mapping_it_becomes() -> None:
    with pytest.raises(UsageError) as err:
        make(disabled_tests=["test_foo"])
    assert str(err.value).splitlines()[0] == (
        "crashtest: disabled_tests maps each test to the reason it is off, not the list"
        ' [\'test_foo\']: disabled_tests={"test_foo": "why"}'
    )


def test_a_list_of_disabled_test_paths_is_refused_with_a_path_example() -> None:
    with pytest.raises(UsageError) as err:
        make(disabled_test_paths=["tests/x.py"])
    assert 'disabled_test_paths={"tests/x.py": "why"}' in str(err.value)
    with pytest.raises(UsageError) as err:
        make(disabled_test_paths="tests")
    assert 'disabled_test_paths={"tests/test_x.py": "why"}' in str(err.value)


def test_a_disabled_test_without_a_reason_names_the_package() -> None:
    with pytest.raises(UsageError, match="crashtest: disabled_tests: 'test_x' needs a reason"):
        make(disabled_tests={"test_x": " "})


def test_an_override_to_a_list_of_disabled_tests_is_refused_there(pkgs: PackageSet) -> None:
    with pytest.raises(UsageError, match=r"^top: disabled_tests maps each test"):
        pkgs.top.override_python_attrs(disabled_tests=["test_foo"])


# -- the positional argument of the overrides --------------------------------------------


def test_override_takes_a_function_of_the_current_inputs(pkgs: PackageSet) -> None:
    seen: list[str] = []

    def swap(old: dict[str, Any]) -> dict[str, Any]:
        seen.extend(sorted(old))
        return {"leaf": old["leaf"].override_python_attrs(version="1.5")}

    changed = pkgs.top.override(leaf=pkgs.other).override(swap)
    assert seen == ["build_python_package", "fetch_url", "leaf"]
    assert [(d.pname, d.version) for d in changed.dependencies] == [("other", "1.5")]


def test_an_overlays_prev_override_takes_a_function_too(pkgs: PackageSet) -> None:
    """In an overlay, ``prev.top`` is a lazy reference: its ``.override`` takes the function
    as the package's does."""
    swapped = pkgs.extend(
        lambda final, prev: {"top": prev.top.override(lambda old: {"leaf": prev.other})}
    )
    assert deps(swapped.top) == ["other"]


def test_override_takes_a_mapping_and_an_input_named_fn(tmp_path: Path) -> None:
    folder = tmp_path / "r"
    folder.mkdir()
    (folder / "odd.py").write_text(
        "def recipe(build_python_package, fn=None):\n"
        "    return build_python_package(pname='odd', version=fn or '1', src='.')\n"
    )
    odd = package_set(FAKE_PYTHON, [folder]).odd
    assert odd.override(fn="2").version == "2"  # a recipe's input, not the function
    assert odd.override({"fn": "3"}).version == "3"


@pytest.mark.parametrize("method", ["override", "override_python_attrs"])
def test_a_function_that_returns_no_dict_is_refused_naming_it(
    pkgs: PackageSet, method: str
) -> None:
    with pytest.raises(UsageError) as err:
        getattr(pkgs.top, method)(lambda old: None)
    message = str(err.value)
    assert message.startswith(f"top: the function given to {method}, <lambda>() in ")
    assert "returned None, not a dict of the" in message
    assert "lambda old:" in err.value.hint


def test_an_override_of_something_else_is_refused(pkgs: PackageSet) -> None:
    with pytest.raises(UsageError, match="override takes a function of the old inputs or a"):
        pkgs.top.override("leaf")


# -- a mistake of .override, named at its line ---------------------------------------------


def test_an_override_that_breaks_the_recipe_is_named_at_the_override(pkgs: PackageSet) -> None:
    from pybuild.diagnostics import user_frame

    with pytest.raises(UsageError) as err:
        pkgs.top.override(leaf=None)
    text = str(err.value)
    assert text.startswith("top: dependencies must be packages of the set, not None")
    assert "(from the recipe at " in text and "top.py:" in text
    assert "re-called with this .override's inputs)" in text
    # what the override is to give, not how a recipe lists its inputs
    assert err.value.hint.startswith("an input given to .override takes the place of the")
    assert "override_python_attrs" in err.value.hint
    place = user_frame(err.value)
    assert place is not None and place[0] == __file__


def test_the_command_line_names_the_line_of_an_override_a_recipe_made(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    for name, body in {"leaf": recipe("leaf"), "top": recipe("top", ("leaf",))}.items():
        (folder / f"{name}.py").write_text(textwrap.dedent(body))
    (folder / "overnone.py").write_text("def recipe(top):\n    return top.override(leaf=None)\n")
    command = [sys.executable, "-m", "pybuild", "eval", "--recipes", folder, "overnone"]
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "error: top: dependencies must be packages of the set, not None" in result.stderr
    assert f"at {Path('mine') / 'overnone.py'}:2, in recipe" in result.stderr


def test_override_of_a_package_no_recipe_made_names_call_package() -> None:
    """The hint named make_overridable, which pybuild does not export nor document."""
    pkg = build_python_package(pname="loose", version="1", src="/dev/null", python=FAKE_PYTHON)
    with pytest.raises(UsageError) as err:
        pkg.override()
    assert "make_overridable" not in str(err.value)
    assert "call_package(fn)" in str(err.value)
