"""A package's attributes as an override sees them and as its hash counts them.

nixpkgs' habit ``old.propagatedBuildInputs ++ [x]`` is ``old["dependencies"] + [x]`` here,
so every list-valued attribute an override's function is given is a list, whether the recipe
gave it or left it at its default; and a change that means nothing to the build (the order of
skipped phases, a dependency listed twice) keeps the derivation, and with it every dependent.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest
from test_overrides import recipe  # a recipe that reads nothing to make its derivation

from pybuild.errors import UsageError
from pybuild.pkgset import PackageSet, package_set
from support.fixtures import BuildIndex
from support.interpreter import FAKE_PYTHON


@pytest.fixture
def pkgs(tmp_path: Path, use_index: BuildIndex) -> PackageSet:
    """Recipes of this file's own; their derivations take the toolchain's wheels from the
    fixture index."""
    folder = tmp_path / "recipes"
    folder.mkdir()
    bodies = {
        "leaf": recipe("leaf", (), ""),  # leaves every list out: each its default
        "other": recipe("other", (), ""),
        "top": recipe("top", ("leaf",), "dependencies=[leaf], check_inputs=(leaf,),"),
        "envy": recipe("envy", (), "env={'A': '1'}, optional_dependencies={'x': ()},"),
    }
    for name, body in bodies.items():
        (folder / f"{name}.py").write_text(textwrap.dedent(body))
    return package_set(FAKE_PYTHON, [folder])


def pnames(packages: Any) -> list[str]:
    return [p.pname for p in packages]


# -- the old attributes: lists, and copies ---------------------------------------------------


@pytest.mark.parametrize("name", ["leaf", "top"])
def test_an_old_list_attribute_takes_a_list_added(pkgs: PackageSet, name: str) -> None:
    pkg = getattr(pkgs, name)
    groups = ("dependencies", "check_inputs", "build_system", "native_build_inputs", "patches")

    def add_other(old: dict[str, Any]) -> dict[str, Any]:
        assert all(type(old[group]) is list for group in groups)
        return {"dependencies": old["dependencies"] + [pkgs.other]}

    assert pnames(pkg.override_python_attrs(add_other).dependencies)[-1] == "other"


def test_editing_the_old_values_leaves_the_package_as_it_was(pkgs: PackageSet) -> None:
    top, envy, leaf = pkgs.top, pkgs.envy, pkgs.leaf

    def edit(old: dict[str, Any]) -> dict[str, Any]:
        old["dependencies"].append(pkgs.other)
        old["env"]["B"] = "2"  # leaf's is the default: no other package may see it
        for extra in old["optional_dependencies"].values():
            extra.append(pkgs.other)
        return {}

    for pkg in (top, envy, leaf):
        pkg.override_python_attrs(edit)
    assert pnames(top.dependencies) == ["leaf"]
    assert dict(envy.attrs["env"]) == {"A": "1"}
    assert envy.optional("x") == []
    assert dict(pkgs.other.attrs["env"]) == {}


# -- what means nothing to the build keeps the derivation ------------------------------------


def test_the_order_of_skipped_phases_keeps_the_derivation(pkgs: PackageSet) -> None:
    top = pkgs.top
    one = top.override_python_attrs(skip_phases=["imports check", "check"])
    other = top.override_python_attrs(skip_phases=["check", "imports check", "check"])
    assert one.drv.drv_name == other.drv.drv_name != top.drv.drv_name


def test_a_package_listed_twice_is_listed_once(pkgs: PackageSet) -> None:
    top = pkgs.top
    twice = top.override_python_attrs(lambda old: {"dependencies": old["dependencies"] * 2})
    assert twice.drv.drv_name == top.drv.drv_name
    both = top.override_python_attrs(check_inputs=[pkgs.other, pkgs.leaf, pkgs.other])
    once = top.override_python_attrs(check_inputs=[pkgs.other, pkgs.leaf])
    assert both.drv.drv_name == once.drv.drv_name


def test_a_reason_for_a_disabled_test_is_the_build_logs(pkgs: PackageSet) -> None:
    """The builder logs each reason (``not running test NAME: REASON``), so a reason stays
    in the derivation: the log it writes is the build's."""
    top = pkgs.top
    why = top.override_python_attrs(disabled_tests={"test_lazy": "why"})
    other = top.override_python_attrs(disabled_tests={"test_lazy": "another reason"})
    assert why.drv.drv_name != other.drv.drv_name


# -- nixpkgs' names that pybuild spells otherwise ----------------------------------------------


def test_passthru_is_answered_with_what_pybuild_offers(pkgs: PackageSet) -> None:
    with pytest.raises(UsageError) as err:
        pkgs.top.override_python_attrs(passthru={"tests": "x"})
    assert err.value.args[0] == "top: unknown attribute 'passthru'"
    hint = err.value.hint
    assert "optional_dependencies=" in hint and "meta=" in hint and "extend(" in hint


def test_a_nixpkgs_name_that_spelling_misleads_is_named_for_what_it_is(pkgs: PackageSet) -> None:
    with pytest.raises(UsageError) as err:
        pkgs.top.override_python_attrs(propagatedBuildInputs=[], pyproject=True)
    message = str(err.value)
    assert "'propagatedBuildInputs'; nixpkgs' name for 'dependencies'" in message
    assert "native_build_inputs" not in message
    assert "'pyproject'; nixpkgs' name for format='pyproject' (the default)" in message


def test_a_local_source_is_an_input_in_a_home_whose_path_is_not_ascii(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, use_index: BuildIndex
) -> None:
    """The builder's attributes are JSON: written with \\u escapes, the source's store path
    was not found in them, so it was no input, and the sandbox did not have it."""
    from pybuild.python.package import build_python_package

    monkeypatch.setenv("PYBUILD_HOME", str(tmp_path / "hü"))
    src = tmp_path / "proj"
    src.mkdir()
    (src / "pyproject.toml").write_text("[project]\nname = 'hola'\nversion = '0.1'\n")
    drv = build_python_package(pname="hola", version="0.1", src=src, python=FAKE_PYTHON).drv
    assert [Path(p).name.endswith("-source") for p in drv.input_srcs].count(True) == 1
    assert "h\\u00fc" not in dict(drv.env)["PYBUILD_ATTRS"]


def test_old_values_read_as_nixpkgs_reads_them_are_told_how_to_read_them(pkgs: PackageSet) -> None:
    """old.dependencies and old["propagatedBuildInputs"]: nixpkgs' habits, each told what to
    write here, not a bare AttributeError or a suggestion of native_build_inputs."""
    from pybuild.errors import MissingAttribute, MissingKey

    with pytest.raises(MissingKey) as key:
        pkgs.top.override_python_attrs(lambda old: {"dependencies": old["propagatedBuildInputs"]})
    assert str(key.value) == (
        "no 'propagatedBuildInputs' in top's old attributes; nixpkgs' name for 'dependencies'"
    )
    for written, meant in (
        ("dependencies", "dependencies"),
        ("propagatedBuildInputs", "dependencies"),
    ):
        with pytest.raises(MissingAttribute) as attr:
            pkgs.top.override_python_attrs(lambda old, w=written: {"version": getattr(old, w)})
        assert str(attr.value).startswith(
            f"top's old attributes are a dict, read by key: old.{written} is no attribute"
        )
        assert attr.value.hint == f"write old[{meant!r}]"


def test_a_source_given_by_a_link_to_a_file_is_the_file(
    tmp_path: Path, use_index: BuildIndex
) -> None:
    """An sdist (or a patch) reached by a link: its content is the source, so an edit of the
    file makes another package, where the link stored as a link was read live (stale)."""
    from pybuild.python.package import build_python_package
    from pybuild.store import Store

    sdist = tmp_path / "downloads" / "hola-0.1.tar.gz"
    sdist.parent.mkdir()
    sdist.write_bytes(b"first")
    link = tmp_path / "hola-0.1.tar.gz"
    link.symlink_to(sdist)

    def drv() -> Any:
        return build_python_package(pname="hola", version="0.1", src=link, python=FAKE_PYTHON).drv

    first = drv()
    sdist.write_bytes(b"second")
    assert drv().drv_name != first.drv_name
    (source,) = [p for p in first.input_srcs if p.endswith("-hola-0.1.tar.gz")]
    assert Store.default().path(source).read_bytes() == b"first"  # a file, not a link
