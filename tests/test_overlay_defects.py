"""Overlays as a tester wrote them: nixpkgs' habits that must work, or fail with the
overlay's own line and the way to write it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import test_overlays_deferred

from pybuild.errors import PybuildError
from pybuild.lazy import force
from pybuild.pkgset import package_set
from support.interpreter import FAKE_PYTHON

PY = FAKE_PYTHON
recipes = test_overlays_deferred.recipes  # the fixture: a folder of one recipe, leaf


def _no_leaf_checks(final: Any, prev: Any) -> dict[str, Any]:
    return {"leaf": prev.leaf.override_python_attrs(do_check=False)}


def test_python_override_in_an_overlays_body_is_made_when_used(recipes: Path) -> None:
    """nixpkgs' ``python3.override { packageOverrides = … }`` in an overlay: the set it
    makes has this overlay too, which ran it again, forever (a bare RecursionError)."""

    def overlay(final: Any, prev: Any) -> dict[str, Any]:
        py = final.python.override(package_overrides=_no_leaf_checks)
        return {"env": py.with_packages(lambda ps: [ps.leaf])}

    def twice(final: Any, prev: Any) -> dict[str, Any]:
        py = final.python.override(package_overrides=_no_leaf_checks)
        py = py.override(
            package_overrides=lambda f, p: {"leaf": p.leaf.override_python_attrs(version="2")}
        )
        return {"env2": py.with_packages(lambda ps: [ps.leaf])}

    pkgs = package_set(PY, [recipes], [overlay, twice])
    assert [p.attrs["do_check"] for p in force(pkgs.env).roots] == [False]
    assert pkgs.leaf.attrs["do_check"] is True
    [leaf] = force(pkgs.env2).roots
    assert (leaf.attrs["do_check"], leaf.version) == (False, "2")


def test_python_override_read_in_an_overlays_body_is_refused_at_its_line(
    recipes: Path,
) -> None:
    def overlay(final: Any, prev: Any) -> dict[str, Any]:
        py = final.python.override(package_overrides=_no_leaf_checks)
        return {"version": py.pkgs.leaf.version}

    with pytest.raises(PybuildError) as err:
        package_set(PY, [recipes], [overlay])
    line = overlay.__code__.co_firstlineno + 2
    assert f"python.override(package_overrides=…) is used at {__file__}:{line}" in str(err.value)
    assert "final.call_package(lambda python:" in err.value.hint


def test_a_missing_patch_an_overlay_gives_is_told_at_the_overlays_line(
    recipes: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It was blamed on the recipe's line, with a hint to name it from the recipe's file."""
    (recipes / "local.py").write_text(
        "from pathlib import Path\n\n"
        "def recipe(build_python_package):\n"
        "    here = str(Path(__file__).parent)\n"
        "    return build_python_package(pname='local', version='1', src=here)\n"
    )

    def overlay(final: Any, prev: Any) -> dict[str, Any]:
        return {"local": prev.local.override_python_attrs(patches=["nope.patch"])}

    monkeypatch.chdir(tmp_path)
    pkgs = package_set(PY, [recipes], [overlay])
    with pytest.raises(PybuildError) as err:
        pkgs.local.drv  # noqa: B018 - evaluating is the point
    line = overlay.__code__.co_firstlineno + 1
    assert f"(given at {__file__}:{line})" in str(err.value)
    assert f"from the file that gives it, {__file__}: Path(__file__).parent / 'nope.patch'" in (
        err.value.hint
    )


def test_search_keeps_the_summary_of_a_recipe_an_overlay_overrides(
    recipes: Path, store: Any
) -> None:
    """An overridden package had no summary: search found it by name alone."""
    from pybuild.search import search

    pkgs = package_set(PY, [recipes], [_no_leaf_checks])
    [found] = search(pkgs, ["needing nothing"], store)
    assert (found.attr, found.summary) == ("leaf", "A leaf of the tree, needing nothing")


def test_search_finds_an_overlays_own_package_by_its_description(recipes: Path, store: Any) -> None:
    """A package an overlay makes had no summary, its meta description unread."""
    from pybuild.search import search

    def mine(final: Any, prev: Any) -> dict[str, Any]:
        meta = {"description": "My very own thing.\nMore words."}
        return {"mine": prev.leaf.override_python_attrs(pname="mine", meta=meta)}

    [found] = search(package_set(PY, [recipes], [mine]), ["own thing"], store)
    assert (found.attr, found.summary) == ("mine", "My very own thing")


@pytest.mark.parametrize("label", ["final", "prev"])
def test_a_name_a_later_overlay_adds_read_in_a_body_is_told_as_read_too_early(
    recipes: Path, label: str
) -> None:
    """It was 'the package set has no attribute mysix; did you mean six?': the set has it.
    Through prev, it is also said that prev never holds a later overlay's names."""
    from pybuild.errors import MissingInput

    def early(final: Any, prev: Any) -> dict[str, Any]:
        version = (final if label == "final" else prev).mine.version
        return {"mine_version": version}

    def later(final: Any, prev: Any) -> dict[str, Any]:
        return {"mine": prev.leaf}

    with pytest.raises(MissingInput) as err:
        package_set(PY, [recipes], [early, later])
    read = f"{__file__}:{early.__code__.co_firstlineno + 1}"
    defined = f"{__file__}:{later.__code__.co_firstlineno + 1}"
    said = err.value.args[0]
    assert said.startswith(
        f"{label}.mine at {read} is read in the overlay's body, before the overlay at {defined}"
        " that defines it is applied"
    )
    prev_only = ": prev holds what the recipes and earlier overlays define"
    assert said.endswith(prev_only) == (label == "prev")
    assert err.value.hint.startswith("read final.mine lazily")
    assert "final.call_package" in err.value.hint


def test_a_name_read_too_early_is_an_error_of_a_public_class(recipes: Path) -> None:
    """It was ``pybuild.pkgset._ReadEarly``: a private name in a user's traceback, which an
    ``except`` could not name. It is ``pybuild.pkgset.ReadTooEarly``, still a MissingInput."""
    import pybuild.pkgset
    from pybuild.errors import MissingInput

    def early(final: Any, prev: Any) -> dict[str, Any]:
        return {"mine_version": final.mine.version}

    def later(final: Any, prev: Any) -> dict[str, Any]:
        return {"mine": prev.leaf}

    with pytest.raises(pybuild.pkgset.ReadTooEarly) as err:
        package_set(PY, [recipes], [early, later])
    assert type(err.value).__module__ == "pybuild.pkgset"
    assert type(err.value).__qualname__ == "ReadTooEarly"
    assert "ReadTooEarly" in pybuild.pkgset.__all__
    assert isinstance(err.value, MissingInput)


def test_an_overlay_imports_a_module_beside_it(tmp_path: Path) -> None:
    """As a script's own folder is on sys.path: it worked only from the overlay's folder."""
    import sys

    from pybuild.pkgset import load_overlay

    folder = tmp_path / "d1"
    folder.mkdir()
    (folder / "overlay_defects_helper.py").write_text("MARK = 'beside'\n")
    (folder / "overlay.py").write_text(
        "from overlay_defects_helper import MARK\n\n"
        "def overlay(final, prev):\n"
        "    return {'mark': MARK}\n"
    )
    try:
        overlay = load_overlay(folder / "overlay.py")
    finally:
        sys.modules.pop("overlay_defects_helper", None)
    assert overlay(None, None) == {"mark": "beside"}
    assert str(folder) not in sys.path


def test_a_file_given_with_f_imports_a_module_beside_it(tmp_path: Path) -> None:
    """``build -f shell.py env``, shell.py importing its folder's helper, failed from any
    other working folder (ModuleNotFoundError), as an overlay did."""
    import subprocess
    import sys

    folder = tmp_path / "proj"
    folder.mkdir()
    (folder / "pins_beside.py").write_text("NAME = 'from-beside'\n")
    (folder / "shell.py").write_text(
        "from pins_beside import NAME\n"
        "from pybuild import derivation\n"
        "out = derivation(name=NAME, builder='/bin/sh', args=['-c', 'echo > $out'])\n"
    )
    shown = subprocess.run(
        [sys.executable, "-m", "pybuild", "eval", "-f", folder / "shell.py", "out"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert shown.returncode == 0, shown.stderr
    assert "from-beside" in shown.stdout


def _overlay_beside(folder: Path, helper: str, mark: str) -> Path:
    """An overlay file in `folder` whose value comes from its own `helper` module beside it
    (a function of the helper's that reads the helper's global, called when applied)."""
    folder.mkdir()
    (folder / f"{helper}.py").write_text(f"MARK = {mark!r}\n\ndef mark():\n    return MARK\n")
    (folder / "overlay.py").write_text(
        f"from {helper} import MARK, mark\n\n"
        "def overlay(final, prev):\n"
        f"    return {{'mark_{folder.name}': MARK, 'called_{folder.name}': mark()}}\n"
    )
    return folder / "overlay.py"


def test_overlays_in_two_folders_each_import_their_own_helper_of_one_name(
    tmp_path: Path,
) -> None:
    """Each overlay's ``from helper import MARK`` is its own folder's helper: the second
    overlay was given the first's, cached in sys.modules, and said "one" for "two"."""
    import sys

    from pybuild.pkgset import load_overlay

    one = _overlay_beside(tmp_path / "h1", "overlay_twin_helper", "one")
    two = _overlay_beside(tmp_path / "h2", "overlay_twin_helper", "two")
    pkgs = package_set(PY, [], [load_overlay(one), load_overlay(two)])
    assert (pkgs.mark_h1, pkgs.mark_h2) == ("one", "two")
    assert (pkgs.called_h1, pkgs.called_h2) == ("one", "two")
    assert sys.modules["overlay_twin_helper"].MARK == "one"  # first come keeps the name
    loaded = {getattr(module, "__file__", None) for module in list(sys.modules.values())}
    assert str(tmp_path / "h2" / "overlay_twin_helper.py") in loaded  # the second's: counted


def test_an_overlays_helper_is_its_own_where_the_caller_imported_one_of_its_name(
    tmp_path: Path,
) -> None:
    """A caller's module of the helper's name (its own helper.py) neither hides the overlay's
    nor is replaced by it."""
    import sys
    import types

    from pybuild.pkgset import load_overlay

    mine = types.ModuleType("overlay_callers_helper")
    mine.MARK = "caller's"  # type: ignore[attr-defined]
    sys.modules["overlay_callers_helper"] = mine
    try:
        overlay = load_overlay(_overlay_beside(tmp_path / "h1", "overlay_callers_helper", "one"))
        assert sys.modules["overlay_callers_helper"] is mine
    finally:
        del sys.modules["overlay_callers_helper"]
    assert overlay(None, None) == {"mark_h1": "one", "called_h1": "one"}


def test_an_overlays_helper_package_is_its_own(tmp_path: Path) -> None:
    """A package beside the overlay (a folder with __init__.py), submodules and all."""
    import sys

    from pybuild.pkgset import load_overlay

    overlays = []
    for name, mark in (("p1", "one"), ("p2", "two")):
        folder = tmp_path / name
        (folder / "overlay_twin_pkg").mkdir(parents=True)
        (folder / "overlay_twin_pkg" / "__init__.py").write_text("")
        (folder / "overlay_twin_pkg" / "marks.py").write_text(f"MARK = {mark!r}\n")
        (folder / "overlay.py").write_text(
            "from overlay_twin_pkg.marks import MARK\n\n"
            f"def overlay(final, prev):\n    return {{'mark_{name}': MARK}}\n"
        )
        overlays.append(load_overlay(folder / "overlay.py"))
    pkgs = package_set(PY, [], overlays)
    assert (pkgs.mark_p1, pkgs.mark_p2) == ("one", "two")
    assert sys.modules["overlay_twin_pkg.marks"].MARK == "one"  # first come keeps the name


def test_an_overlay_files_own_module_stays_loaded(tmp_path: Path) -> None:
    """Only the helpers beside it are taken out after: the overlay's own module, which its
    functions name as theirs, stays in sys.modules."""
    import sys

    from pybuild.pkgset import load_overlay

    overlay = load_overlay(_overlay_beside(tmp_path / "h1", "overlay_own_helper", "one"))
    assert overlay.__module__ in sys.modules


def test_an_overlays_helper_stays_among_the_loaded_modules(tmp_path: Path) -> None:
    """The evaluation cache counts the files of the modules loaded as inputs: a helper taken
    out of sys.modules went uncounted, and a build answered from the record after the
    helper changed gave the old derivation."""
    import sys

    from pybuild.pkgset import load_overlay

    load_overlay(_overlay_beside(tmp_path / "h1", "overlay_counted_helper", "one"))
    loaded = {getattr(module, "__file__", None) for module in list(sys.modules.values())}
    assert str(tmp_path / "h1" / "overlay_counted_helper.py") in loaded


def test_an_overlays_helper_package_imports_its_submodule_when_applied(
    tmp_path: Path,
) -> None:
    """A helper package whose function imports its submodule lazily (``from . import sub``,
    run when the overlay is applied) failed with ModuleNotFoundError: No module named
    'overlay_lazy_pkg': the package had been taken out of sys.modules under its name, which
    it still has. With no module of that name before, it keeps its name."""
    from pybuild.pkgset import load_overlay

    package = tmp_path / "d" / "overlay_lazy_pkg"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(
        "MARK = 'd'\n\ndef later():\n    from . import sub\n    return sub.X\n"
    )
    (package / "sub.py").write_text("X = 'dsub'\n")
    (tmp_path / "d" / "overlay.py").write_text(
        "import overlay_lazy_pkg as hp\n\n"
        "def overlay(final, prev):\n"
        "    return {'mark_d': hp.MARK, 'mark_d_sub': hp.later()}\n"
    )
    pkgs = package_set(PY, [], [load_overlay(tmp_path / "d" / "overlay.py")])
    assert (pkgs.mark_d, pkgs.mark_d_sub) == ("d", "dsub")


def test_an_overlays_helper_imports_a_helper_by_name_when_applied(tmp_path: Path) -> None:
    """``import helper`` inside a helper's function, run when the overlay is applied, found
    no helper (its folder is off sys.path by then): it is the one the overlay loaded."""
    import sys

    from pybuild.pkgset import load_overlay

    folder = tmp_path / "h1"
    folder.mkdir()
    (folder / "overlay_late_helper.py").write_text(
        "MARK = 'one'\n\n"
        "def later():\n    import overlay_late_helper\n    return overlay_late_helper\n"
    )
    (folder / "overlay.py").write_text(
        "import overlay_late_helper\n\n"
        "def overlay(final, prev):\n"
        "    return {'same': overlay_late_helper.later() is overlay_late_helper}\n"
    )
    pkgs = package_set(PY, [], [load_overlay(folder / "overlay.py")])
    assert pkgs.same is True
    assert sys.modules["overlay_late_helper"].MARK == "one"
