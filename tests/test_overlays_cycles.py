"""A recipe or an overlay's call_package taking its own attribute as an input: the cycle
names the function, where it is written, and what to do."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from pybuild.errors import CycleError
from pybuild.pkgset import package_set
from support.fixtures import BuildIndex
from support.interpreter import FAKE_PYTHON

PY = FAKE_PYTHON


def test_a_recipe_file_taking_itself_names_its_recipe(tmp_path: Path) -> None:
    folder = tmp_path / "r"
    folder.mkdir()
    (folder / "selfy.py").write_text(
        "def recipe(build_python_package, selfy):\n"
        "    return build_python_package(pname='selfy-x', version='1', src='.',"
        " dependencies=[selfy])\n"
    )
    pkgs = package_set(PY, [folder])
    with pytest.raises(CycleError) as err:
        pkgs.selfy.drv  # noqa: B018 - making it is the point
    assert str(err.value).startswith(
        f"dependency cycle: selfy -> selfy (recipe() in {folder / 'selfy.py'}:1 takes selfy,"
        " the attribute it makes, as an input)"
    )
    assert "must not take selfy" in err.value.hint


def _hello(build_python_package: Any, hello_ovl: Any) -> Any:
    return build_python_package(pname="hello-x", version="1", src=".", dependencies=[hello_ovl])


def test_an_overlays_call_package_taking_its_attribute_names_the_overlay(tmp_path: Path) -> None:
    def overlay(final: Any, prev: Any) -> dict[str, Any]:
        return {"hello_ovl": prev.call_package(_hello)}

    pkgs = package_set(PY, [tmp_path], [overlay])
    with pytest.raises(CycleError) as err:
        pkgs.hello_ovl.drv  # noqa: B018 - making it is the point
    line = _hello.__code__.co_firstlineno
    assert str(err.value).startswith(
        f"dependency cycle: hello_ovl -> hello_ovl (_hello() in {__file__}:{line} takes"
        " hello_ovl, the attribute it makes, as an input; set by the overlay at"
        f" {__file__}:{overlay.__code__.co_firstlineno}"
    )
    assert "prev.hello_ovl" in err.value.hint


def test_a_recipe_taking_itself_without_using_it_is_no_error(
    tmp_path: Path, use_index: BuildIndex
) -> None:
    def overlay(final: Any, prev: Any) -> dict[str, Any]:
        unused = lambda build_python_package, quiet: build_python_package(  # noqa: E731
            pname="quiet", version="1", src="."
        )
        return {"quiet": prev.call_package(unused)}

    assert package_set(PY, [tmp_path], [overlay]).quiet.drv.name.startswith("python")


def _tool_and_lib(folder: Path) -> Path:
    """A recipe folder of lib, and tool, which needs lib: an override that checks lib with
    tool closes a cycle."""
    folder.mkdir()
    (folder / "tool.py").write_text(
        "def recipe(build_python_package, lib):\n"
        "    return build_python_package(pname='tool', version='1', src='.', dependencies=[lib])\n"
    )
    (folder / "lib.py").write_text(
        "def recipe(build_python_package):\n"
        "    return build_python_package(pname='lib', version='1', src='.')\n"
    )
    return folder


def test_an_overrides_input_that_needs_the_package_names_the_overlay(tmp_path: Path) -> None:
    """The cycle is found while the overridden package's derivation is made, after the set
    handed the package out: the command line asks the set whose value closes it."""
    from pybuild.commands.common import as_derivation

    folder = _tool_and_lib(tmp_path / "r")

    def overlay(final: Any, prev: Any) -> dict[str, Any]:
        return {"lib": prev.lib.override_python_attrs(check_inputs=[final.tool])}

    pkgs = package_set(PY, [folder], [overlay])
    with pytest.raises(CycleError) as err:
        as_derivation(pkgs.lib, "lib", pkgs)
    line = overlay.__code__.co_firstlineno + 1
    assert err.value.args[0] == (
        f"dependency cycle: lib -> tool -> lib (the overlay's value of lib at {__file__}:{line})"
    )
    assert err.value.hint == (
        "the overlay's lib takes tool, which needs lib again: give it inputs that do not need it"
    )


def test_shell_and_run_name_the_overlay_that_closes_a_cycle(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """shell -p and run made their environment's derivation without the set at hand to ask."""
    from pybuild.cli import main

    folder = _tool_and_lib(tmp_path / "r")
    overlay = tmp_path / "cyc.py"
    overlay.write_text(
        "def overlay(final, prev):\n"
        "    return {'lib': prev.lib.override_python_attrs(check_inputs=[final.tool])}\n"
    )
    sets = ["--no-default-recipes", "--recipes", str(folder), "--overlay", str(overlay)]
    for argv in (["shell", *sets, "-p", "tool", "--run", "true"], ["run", *sets, "tool"]):
        assert main(argv) == 1
        assert f"(the overlay's value of lib at {overlay}:2)" in capsys.readouterr().err, argv


@pytest.mark.network  # the set's recipes evaluated: their files, as the index has them
def test_an_overlay_can_make_each_versioned_attribute_of_the_set_its_default() -> None:
    """Each versioned recipe of the default set (pytest_8 beside pytest) is written whole, not
    as an override of its default, as nixpkgs writes pytest/7.nix: an overlay that makes it
    the default (pytest 8 for every check phase) would otherwise be a dependency cycle,
    pytest -> pytest_8 -> pytest. Those whose release cannot exist here are passed over."""
    from pybuild.errors import UnsupportedInterpreter
    from pybuild.pkgset import DEFAULT_RECIPES

    stems = sorted(p.stem for p in DEFAULT_RECIPES.glob("*_[0-9]*.py"))
    pairs = [(re.sub(r"(_[0-9]+)+$", "", s), s) for s in stems]
    assert ("pytest", "pytest_8") in pairs and all(
        (DEFAULT_RECIPES / f"{d}.py").is_file() for d, _ in pairs
    )
    made = []
    for default, versioned in pairs:

        def overlay(final: Any, prev: Any, d: str = default, v: str = versioned) -> dict[str, Any]:
            return {d: getattr(final, v)}

        pkgs = package_set(overlays=[overlay])
        try:
            assert pkgs[default].drv.drv_name == pkgs[versioned].drv.drv_name
        except UnsupportedInterpreter:
            continue
        made.append(versioned)
    assert "pytest_8" in made and "typer_0_29_1" in made, made
