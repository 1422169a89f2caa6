"""Package sets: laziness, call-by-name, overlays with final/prev, overrides, cycles, errors."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import packaging
import pytest

from pybuild.errors import CycleError, MissingAttribute, MissingInput, MissingKey, UsageError
from pybuild.evaluate import RaisedAttributeError
from pybuild.lazy import Lazy
from pybuild.pkgset import load_overlay, package_set
from support.fixtures import BuildIndex
from support.interpreter import FAKE_PYTHON

PY = FAKE_PYTHON


def write_recipes(folder: Path, recipes: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, body in recipes.items():
        (folder / f"{name}.py").write_text(textwrap.dedent(body))
    return folder


def python_recipe(pname: str, version: str, deps: tuple[str, ...] = ()) -> str:
    params = ", ".join(["build_python_package", *deps])
    return f"""
        def recipe({params}):
            return build_python_package(pname={pname!r}, version={version!r}, src="/dev/null",
                                        dependencies=[{", ".join(deps)}])
    """


@pytest.fixture
def recipes(tmp_path: Path) -> Path:
    return write_recipes(
        tmp_path / "recipes",
        {
            "leaf": python_recipe("leaf", "1.0"),
            "middle": python_recipe("middle", "2.0", ("leaf",)),
            "top": python_recipe("top", "3.0", ("middle", "leaf")),
            "broken": "def recipe():\n    raise RuntimeError('evaluated broken')\n",
        },
    )


def test_nothing_is_evaluated_until_used(recipes: Path) -> None:
    pkgs = package_set(PY, [recipes])
    assert {"leaf", "middle", "top", "broken"} <= set(pkgs.packages())
    assert pkgs.top.version == "3.0"  # `broken` was never called
    with pytest.raises(Exception, match="evaluated broken"):
        pkgs.broken  # noqa: B018 - evaluating is the point


def test_inputs_are_injected_by_parameter_name(recipes: Path) -> None:
    pkgs = package_set(PY, [recipes])
    assert [d.pname for d in pkgs.top.dependencies] == ["middle", "leaf"]
    assert pkgs.middle.dependencies[0].version == "1.0"


def test_overlay_replacing_a_leaf_changes_every_dependent(recipes: Path) -> None:
    def newer_leaf(final, prev):
        return {"leaf": prev.leaf.override_python_attrs(version="1.5")}

    pkgs = package_set(PY, [recipes], [newer_leaf])
    assert pkgs.leaf.version == "1.5"
    assert pkgs.middle.dependencies[0].version == "1.5"
    assert {d.version for d in pkgs.top.dependencies if d.pname == "leaf"} == {"1.5"}


def test_overlays_stack_and_see_final(recipes: Path) -> None:
    def first(final, prev):
        return {"leaf": prev.leaf.override_python_attrs(version="1.1")}

    def second(final, prev):
        return {
            "leaf": prev.leaf.override_python_attrs(lambda old: {"version": old["version"] + ".1"}),
            "extra": final.top.override_python_attrs(pname="extra"),
        }

    pkgs = package_set(PY, [recipes], [first, second])
    assert pkgs.leaf.version == "1.1.1"
    assert pkgs.extra.pname == "extra"
    assert pkgs.extra.version == "3.0"


def test_override_recalls_the_recipe_with_other_inputs(recipes: Path) -> None:
    pkgs = package_set(PY, [recipes])
    other = pkgs.leaf.override_python_attrs(version="9.9")
    changed = pkgs.middle.override(leaf=other)
    assert changed.dependencies[0].version == "9.9"
    assert pkgs.middle.dependencies[0].version == "1.0"


def test_override_with_an_input_the_recipe_does_not_take_names_the_close_one(
    recipes: Path,
) -> None:
    pkgs = package_set(PY, [recipes])
    with pytest.raises(UsageError) as err:
        pkgs.middle.override(lef=pkgs.leaf)
    message = str(err.value)
    assert message.startswith("middle: the recipe has no input 'lef'; did you mean 'leaf'?")
    assert f"recipe() in {recipes / 'middle.py'}:2 are: build_python_package, leaf" in message


def test_override_of_a_recipe_with_kwargs_passes_any_input(tmp_path: Path) -> None:
    folder = write_recipes(
        tmp_path / "r",
        {
            "loose": """
                def recipe(build_python_package, **more):
                    version = more.get("version", "1")
                    return build_python_package(pname="loose", version=version, src="/dev/null")
            """
        },
    )
    assert package_set(PY, [folder]).loose.override(version="2").version == "2"


def test_missing_attribute_suggests_close_names(recipes: Path) -> None:
    pkgs = package_set(PY, [recipes])
    with pytest.raises(MissingAttribute) as err:
        pkgs.midle  # noqa: B018
    assert "middle" in err.value.suggestions
    assert "did you mean 'middle'" in str(err.value)


def test_a_missing_key_is_a_key_error_that_suggests_close_names(recipes: Path) -> None:
    """``pkgs["midle"]`` raised the AttributeError of ``pkgs.midle``, which
    ``except KeyError`` around a lookup by name let through."""
    pkgs = package_set(PY, [recipes])
    with pytest.raises(KeyError) as err:
        pkgs["midle"]
    assert isinstance(err.value, MissingKey)
    assert "did you mean 'middle'" in str(err.value)
    assert pkgs["middle"] is pkgs.middle


@pytest.mark.parametrize("key", [3, None, ("middle",)])
def test_a_key_that_is_no_name_is_a_missing_key_naming_it(recipes: Path, key: Any) -> None:
    """``pkgs[3]`` crashed with AttributeError: 'int' object has no attribute 'lower' from
    the close-name suggestion; a dict gives a KeyError for a missing key of any type."""
    pkgs = package_set(PY, [recipes])
    with pytest.raises(MissingKey) as err:
        pkgs[key]
    assert str(err.value).startswith(f"no {key!r} in the package set")
    assert err.value.suggestions == []
    assert key not in pkgs


def test_a_recipe_file_whose_name_no_parameter_can_be_is_refused_with_the_name_to_give_it(
    tmp_path: Path,
) -> None:
    """``my-six.py`` was the attribute ``my-six``, which no recipe could take: one asking for
    ``my_six`` was told to mean ``my-six``, a name no parameter can be."""
    user = python_recipe("user", "1", ("my_six",))
    folder = write_recipes(tmp_path / "r", {"my-six": python_recipe("six", "1"), "user": user})
    with pytest.raises(UsageError) as err:
        package_set(PY, [folder])
    assert str(err.value).startswith(
        f"recipe file {folder / 'my-six.py'}: 'my-six' is no Python name, so no recipe could"
        " take it as a parameter\n  hint: rename it my_six.py"
    )
    for name, fixed in (("2to3", "pkg_2to3"), ("class", "class_")):
        write_recipes(tmp_path / name, {name: python_recipe(name, "1")})
        with pytest.raises(UsageError, match=f"rename it {fixed}.py"):
            package_set(PY, [tmp_path / name])
    (folder / "my-six.py").rename(folder / "my_six.py")
    assert package_set(PY, [folder]).user.dependencies[0].pname == "six"
    # A parameter spelt with the ligature is read by Python as fix: no recipe could take ﬁx.
    write_recipes(tmp_path / "nfkc", {"\ufb01x": python_recipe("fix", "1")})
    with pytest.raises(UsageError) as err:
        package_set(PY, [tmp_path / "nfkc"])
    assert "'\ufb01x' is read by Python as 'fix'" in str(err.value)
    assert "hint: rename it fix.py" in str(err.value)


def test_an_overlays_attribute_no_parameter_can_take_is_refused(tmp_path: Path) -> None:
    """An overlay's ``my-six`` is no input a recipe can take: refused, naming the one it can."""
    folder = write_recipes(tmp_path / "r", {"user": python_recipe("user", "1", ("my_six",))})

    def overlay(final: Any, prev: Any) -> dict[str, Any]:
        return {"my-six": final.user}

    with pytest.raises(UsageError) as err:
        package_set(PY, [folder], [overlay])
    assert "sets 'my-six', which is no Python name" in str(err.value)
    assert "name it 'my_six'" in str(err.value)


def test_recipe_needing_an_unknown_input_names_it(tmp_path: Path) -> None:
    folder = write_recipes(tmp_path / "r", {"needy": python_recipe("needy", "1", ("nosuch",))})
    with pytest.raises(MissingInput, match="nosuch") as err:
        package_set(PY, [folder]).needy  # noqa: B018
    assert f"needed by recipe() in {folder / 'needy.py'}:2" in str(err.value)  # not a module


def test_an_overlay_may_read_values_through_prev(recipes: Path) -> None:
    def reader(final, prev):
        return {"version_of_middle": prev.middle.version, "leaf": prev.leaf}

    pkgs = package_set(PY, [recipes], [reader])
    assert pkgs.version_of_middle == "2.0"
    assert pkgs.top.version == "3.0"  # the set is whole afterwards


def test_a_misspelt_method_through_prev_is_an_attribute_error(recipes: Path) -> None:
    def typo(final, prev):
        return {"middle": prev.middle.overide_python_attrs(version="9")}

    with pytest.raises(AttributeError, match="overide_python_attrs") as err:
        package_set(PY, [recipes], [typo])
    assert "overlays were being applied" not in str(err.value)


def test_eager_cycle_between_recipes_names_the_chain(tmp_path: Path) -> None:
    folder = write_recipes(
        tmp_path / "r",
        {
            "a": "def recipe(b):\n    return b.version\n",
            "b": "def recipe(a):\n    return a.upper()\n",
        },
    )
    with pytest.raises(CycleError) as err:
        package_set(PY, [folder]).a  # noqa: B018
    assert err.value.chain == ["a", "b", "a"]
    # Each recipe of the cycle is named, where its recipe() is written.
    assert str(err.value).startswith(
        f"dependency cycle: a -> b -> a (a: {folder / 'a.py'}:1, b: {folder / 'b.py'}:1)"
    )
    assert "parameters are its inputs" in err.value.hint


def test_a_cycle_of_lazy_recipes_names_each_recipe(tmp_path: Path) -> None:
    folder = write_recipes(
        tmp_path / "r",
        {"aa": "def recipe(bb):\n    return bb\n", "bb": "\n\ndef recipe(aa):\n    return aa\n"},
    )
    with pytest.raises(CycleError) as err:
        package_set(PY, [folder]).aa  # noqa: B018
    assert str(err.value).startswith(
        f"dependency cycle: aa -> bb -> aa (aa: {folder / 'aa.py'}:1, bb: {folder / 'bb.py'}:3)"
    )


def test_dependency_cycle_is_reported_when_the_derivation_is_made(tmp_path: Path) -> None:
    folder = write_recipes(
        tmp_path / "r",
        {"a": python_recipe("a", "1", ("b",)), "b": python_recipe("b", "1", ("a",))},
    )
    pkgs = package_set(PY, [folder])
    with pytest.raises(CycleError) as err:
        pkgs.a.drv  # noqa: B018
    assert err.value.chain in (["a", "b", "a"], ["b", "a", "b"])
    # packages that need each other, as some of the index's do: nixpkgs' way out
    assert err.value.hint.startswith("a package's store path cannot refer to one that refers")
    assert "override_python_attrs in an overlay" in err.value.hint


def test_overlay_that_refers_to_itself_is_infinite_recursion(recipes: Path) -> None:
    def loop(final, prev):
        return {"leaf": final.leaf.override_python_attrs(version="2")}

    line = loop.__code__.co_firstlineno + 1  # where final.leaf is written
    pkgs = package_set(PY, [recipes], [loop])
    with pytest.raises(CycleError, match="leaf -> leaf") as err:
        pkgs.leaf  # noqa: B018
    assert f"the overlay's value of leaf at {__file__}:{line}" in str(err.value)
    assert err.value.hint == (
        "inside an overlay, use prev.leaf for the value before this overlay"
        " (final.leaf is this very value)"
    )


def test_a_cycle_an_overlays_value_closes_through_a_recipe_names_the_overlay(
    tmp_path: Path,
) -> None:
    recipes = {
        "a": "def recipe():\n    return 'a'\n",
        "b": "def recipe(a):\n    return a.upper()\n",
    }
    folder = write_recipes(tmp_path / "r", recipes)

    def around(final, prev):
        return {"a": final.b}

    def made(final, prev):  # a reference made elsewhere (as pypi: makes them): no line of its own
        return {"a": Lazy("made", lambda: final.b.force())}

    with pytest.raises(CycleError) as err:
        package_set(PY, [folder], [around]).a  # noqa: B018
    assert err.value.chain == ["a", "b", "a"]
    line = around.__code__.co_firstlineno + 1  # where final.b is written
    assert str(err.value).startswith(
        f"dependency cycle: a -> b -> a (the overlay's value of a at {__file__}:{line})"
    )
    assert err.value.hint == "read what the overlay's a builds on through prev, not final"
    with pytest.raises(CycleError) as err:
        package_set(PY, [folder], [made]).a  # noqa: B018
    line = made.__code__.co_firstlineno + 1  # where its key is written
    assert f"(the overlay's value of a at {__file__}:{line})" in str(err.value)


def test_an_unknown_name_an_overlay_reads_names_the_overlays_line(recipes: Path) -> None:
    def typo(final, prev):
        return {"top": prev.top.override(middle=final.midle), "bad": prev.leef}

    def missing(final, prev):
        return {"other": final.myextra, "early": prev.late}

    def later(final, prev):
        return {"late": prev.leaf}

    line = typo.__code__.co_firstlineno + 1
    pkgs = package_set(PY, [recipes], [typo])
    with pytest.raises(MissingInput) as err:
        pkgs.top.drv  # noqa: B018
    assert str(err.value).startswith(
        f"the package set (final.midle at {__file__}:{line}) has no attribute 'midle';"
        " did you mean 'middle'?"
    )
    with pytest.raises(MissingInput, match=rf"\(prev.leef at .*:{line}\).*'leaf'"):
        pkgs.bad  # noqa: B018
    pkgs = package_set(PY, [recipes], [missing, later])
    line = missing.__code__.co_firstlineno + 1
    with pytest.raises(MissingInput, match=f"final.myextra at .*:{line}") as err:
        pkgs.other  # noqa: B018
    assert "--overlay FILE" in err.value.hint
    with pytest.raises(MissingInput, match=f"prev.late at .*:{line}") as err:
        pkgs.early  # noqa: B018
    assert err.value.hint.endswith("read it as final.late")


def test_overlay_must_return_a_dict(recipes: Path) -> None:
    def listed(final, prev):
        return [prev.leaf]

    where = f"{__file__}:{listed.__code__.co_firstlineno}"
    with pytest.raises(UsageError) as err:
        package_set(PY, [recipes], [listed])
    assert str(err.value).startswith(f"the overlay at {where} returned a list, not a dict")
    assert err.value.hint.startswith("an overlay is a function of (final, prev) returning a dict")
    with pytest.raises(UsageError, match="returned a NoneType, not a dict"):
        package_set(PY, [recipes], [lambda final, prev: None])


def test_an_overlay_replacing_python_is_refused_with_the_sets_interpreter(recipes: Path) -> None:
    """The packages stayed for the set's interpreter while pkgs.python was another's, and
    with_packages picked from another set (this one's overlays left out)."""
    import types

    other = types.SimpleNamespace(version_xy="3.99")  # another set's pkgs.python, as it reads

    def newer_python(final, prev):
        return {"python": other}

    where = f"{__file__}:{newer_python.__code__.co_firstlineno}"
    with pytest.raises(UsageError) as err:
        package_set(PY, [recipes], [newer_python])
    assert str(err.value).startswith(
        f"the overlay at {where} replaces python, the interpreter of the set (Python"
        f" {PY.version_xy}), which every package of the set is made for"
    )
    assert err.value.hint.startswith(
        "choose the set's interpreter: --python 3.99 on the command line,"
        ' or package_set(python="3.99")'
    )
    with pytest.raises(UsageError, match=r"--python X\.Y on the command line"):
        package_set(PY, [recipes], [lambda final, prev: {"python": prev.python}])


def test_an_overlay_not_taking_final_and_prev_names_its_file(recipes: Path) -> None:
    def one(prev):
        return {}

    def three(final, prev, extra):
        return {}

    def keyword(final, prev, *, extra):
        return {}

    def defaults(final, prev=None, extra=1):
        return {}

    for overlay in (one, three, keyword):
        where = f"{__file__}:{overlay.__code__.co_firstlineno}"
        with pytest.raises(UsageError) as err:
            package_set(PY, [recipes], [overlay])
        assert str(err.value).startswith(f"the overlay at {where} takes (")
        assert "called with two arguments, (final, prev)" in str(err.value)
        assert "function of (final, prev)" in err.value.hint
    package_set(PY, [recipes], [defaults, lambda *layers: {}])


def test_missing_recipe_folder_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="does not exist"):
        package_set(PY, [tmp_path / "nope"])


def test_an_overlay_and_a_recipe_folder_given_for_each_other_are_told_so(tmp_path: Path) -> None:
    """``--overlay recipes`` was "no such file", ``--recipes overlay.py`` "does not exist"."""
    overlay = tmp_path / "overlay.py"
    overlay.write_text("def overlay(final, prev):\n    return {}\n")
    with pytest.raises(UsageError, match=r"overlay\.py is a file: give an overlay file with --ov"):
        package_set(PY, [overlay]).names()
    with pytest.raises(UsageError, match=f"^overlay {tmp_path} is a folder: give a recipe folder"):
        load_overlay(tmp_path)


def test_builtins_are_bound_to_the_sets_interpreter(recipes: Path) -> None:
    pkgs = package_set(PY, [recipes])
    assert pkgs.python.interpreter is PY
    assert pkgs.python.version == PY.version
    assert pkgs.leaf.python is PY
    assert pkgs.call_package(lambda leaf, python: (leaf.version, python.version)) == (
        "1.0",
        "3.11.7",
    )


def test_the_default_set_has_the_bootstrap_tools() -> None:
    pkgs = package_set(PY)
    for name in ("setuptools", "wheel", "flit_core"):
        assert name in pkgs
    assert "build_python_package" not in pkgs.packages()


@pytest.mark.network  # the set's build tools and their closures, as the index has them
@pytest.mark.parametrize(
    "tool", ["flit_core", "flit_core_3", "setuptools", "setuptools_scm", "hatchling", "hatch_vcs"]
)
def test_pytests_own_dependencies_may_be_built_from_source_with_the_sets_tools(
    tool: str, tmp_path: Path
) -> None:
    """An import overlay may replace one of pytest's dependencies with its sdist, built with the
    tools such sdists name: none of them may need pytest to be built (its check would close a
    cycle, as flit-core 3's did for exceptiongroup on 3.10)."""

    sdist = write_recipes(tmp_path / "iniconfig", {"setup": ""})  # what it holds is not read

    def from_source(final: Any, prev: Any) -> dict[str, Any]:
        tools = [getattr(final, tool)]
        source = prev.iniconfig.override_python_attrs(
            format="pyproject", src=str(sdist), build_system=tools
        )
        return {"iniconfig": source}

    pkgs = package_set(sys.executable, overlays=[from_source])
    assert (
        pkgs.iniconfig.drv.name
        == f"python{sys.version_info[0]}.{sys.version_info[1]}-iniconfig-{pkgs.iniconfig.version}"
    )


def test_python_override_with_package_overrides(recipes: Path) -> None:
    pkgs = package_set(PY, [recipes])

    def newer(final, prev):
        return {"leaf": prev.leaf.override_python_attrs(version="7.0")}

    python = pkgs.python.override(package_overrides=newer)
    assert python.pkgs.middle.dependencies[0].version == "7.0"
    assert pkgs.middle.dependencies[0].version == "1.0"
    assert python.version == PY.version


def test_parameters_of_every_kind_of_callable() -> None:
    import functools

    from pybuild.pkgset import _parameters

    def plain(a, /, b, c=1, *args, d, e=2, **kwargs):
        return None

    class Maker:
        def __call__(self, x, y=0):
            return None

        def method(self, z):
            return None

    expected = [("b", True), ("c", False), ("d", True), ("e", False)]
    assert _parameters(plain) == expected
    assert _parameters(functools.wraps(plain)(lambda *a, **k: None)) == expected
    assert _parameters(functools.partial(plain, b=3)) == [("b", False), *expected[1:]]
    assert _parameters(Maker()) == [("x", True), ("y", False)]
    assert _parameters(Maker().method) == [("z", True)]


EVALUATE = """
import sys
from pybuild.pkgset import package_set
print(package_set(recipes=[sys.argv[1]]).top.drv.drv_name)
print(*sorted(sys.modules))
"""


def test_evaluating_a_set_imports_neither_typing_nor_dataclasses(
    tmp_path: Path, use_index: BuildIndex
) -> None:
    """Each costs milliseconds a deep recipe's evaluation (about 50 in all) cannot spare:
    typing 2 ms, dataclasses with inspect 6 ms. Run without site (``-S``), whose import hook
    for an editable install loads typing itself; the first run fills the interpreter's cache."""
    folder = write_recipes(
        tmp_path / "recipes",
        {
            "leaf": "def recipe(build_python_package, fetch_url):\n"
            "    return build_python_package(pname='leaf', version='1',\n"
            "        src=fetch_url('file:///nowhere/leaf-1.tar.gz', hash='0' * 64))\n",
            "top": "def recipe(build_python_package, fetch_url, leaf):\n"
            "    return build_python_package(pname='top', version='1', dependencies=[leaf],\n"
            "        src=fetch_url('file:///nowhere/top-1.tar.gz', hash='1' * 64))\n",
        },
    )
    root = Path(__file__).resolve().parent.parent
    path = os.pathsep.join([str(root), str(Path(packaging.__file__).parent.parent)])
    env = {**os.environ, "PYTHONPATH": path}
    first = subprocess.run([sys.executable, "-c", EVALUATE, folder], env=env, capture_output=True)
    assert first.returncode == 0, first.stderr
    bare = [sys.executable, "-S", "-c", EVALUATE, folder]
    out = subprocess.run(bare, env=env, capture_output=True, text=True, check=True).stdout
    drv_name, modules = out.splitlines()
    assert drv_name.endswith("-top-1.drv")
    assert "pybuild.derivations" in modules.split()  # the probe sees what evaluation loads
    assert {"typing", "dataclasses", "inspect"}.isdisjoint(modules.split())


def test_a_file_that_is_missing_is_not_mistaken_for_one_that_fails(tmp_path: Path) -> None:
    from pybuild.evaluate import EvalError, load_module

    with pytest.raises(UsageError, match="no such file"):
        load_module(tmp_path / "absent.py")
    with pytest.raises(UsageError, match="no such file"):
        load_module(tmp_path / "absent.txt")
    (tmp_path / "notes.txt").write_text("x = 1\n")
    with pytest.raises(UsageError, match="not a Python file"):
        load_module(tmp_path / "notes.txt")
    reads = tmp_path / "reads.py"  # its own error is not "no such file": the file exists
    reads.write_text(f"open({str(tmp_path / 'absent.cfg')!r})\n")
    with pytest.raises(EvalError, match="FileNotFoundError"):
        load_module(reads)
    (tmp_path / "fine.py").write_text("answer = 42\n")
    assert load_module(tmp_path / "fine.py").answer == 42


def test_a_recipe_is_run_as_it_is_now_not_as_its_cached_bytecode_was(tmp_path: Path) -> None:
    import py_compile

    from pybuild.evaluate import load_module

    recipe = tmp_path / "pinned.py"
    recipe.write_text("answer = 1\n")
    os.utime(recipe, (1_700_000_000, 1_700_000_000))
    py_compile.compile(str(recipe), doraise=True)  # a cache even where bytecode is not written
    assert load_module(recipe).answer == 1
    recipe.write_text("answer = 22\n")  # another size, the same time
    os.utime(recipe, (1_700_000_000, 1_700_000_000))
    assert load_module(recipe).answer == 22
    py_compile.compile(str(recipe), doraise=True)
    recipe.write_text("answer = 33\n")  # the same size, another time
    os.utime(recipe, (1_700_000_100, 1_700_000_100))
    assert load_module(recipe).answer == 33


def test_a_moved_recipe_folder_names_the_new_place_in_tracebacks(tmp_path: Path) -> None:
    import py_compile
    import shutil

    from pybuild.evaluate import load_module

    before = write_recipes(tmp_path / "before", {"fails": "def recipe():\n    raise ValueError\n"})
    py_compile.compile(str(before / "fails.py"), doraise=True)
    after = Path(shutil.copytree(before, tmp_path / "after"))  # times kept: the cache is current
    assert list((after / "__pycache__").iterdir())
    module = load_module(after / "fails.py")
    assert module.recipe.__code__.co_filename == str(after / "fails.py")


@pytest.mark.parametrize(
    "file", ["/r/six.py", "/r.d/six.py", "/r/.six.py", "/r/a.b.py", "/r/six", "/r/.six", "six.py"]
)
def test_recipe_bytecode_is_looked_for_where_the_import_system_caches_it(file: str) -> None:
    import importlib.util

    from pybuild.evaluate import _cache_path

    assert _cache_path(file) == importlib.util.cache_from_source(file)


def test_collection_is_held_back_while_a_set_is_evaluated_and_only_then(tmp_path: Path) -> None:
    import gc

    seen: list[int] = []
    recipes = write_recipes(
        tmp_path / "recipes",
        {
            "inner": "import gc\ndef recipe():\n    return gc.get_threshold()[0]\n",
            "outer": "import gc\n"
            "def recipe(inner):\n    return (inner.real, gc.get_threshold()[0])\n",
            "fails": "def recipe(inner):\n    raise RuntimeError(inner)\n",
        },
    )
    before = gc.get_threshold()
    pkgs = package_set(PY, [recipes])
    assert gc.get_threshold() == before
    inner, outer = pkgs.outer  # the inner one asked for inside the outer one: one hold
    seen += [inner, outer]
    assert min(seen) >= 100_000 > before[0]
    assert gc.get_threshold() == before
    with pytest.raises(Exception, match=str(inner)):
        pkgs.fails  # noqa: B018 - evaluating is the point
    assert gc.get_threshold() == before  # put back however the evaluation ended
    gc.set_threshold(before[0] + 1, *before[1:])
    try:  # a program's own threshold is its own: not raised past, not put back over
        assert pkgs.extend(lambda final, prev: {}).inner == max(before[0] + 1, 100_000)
        assert gc.get_threshold()[0] == before[0] + 1
    finally:
        gc.set_threshold(*before)


def _with_b(final: Any, prev: Any) -> dict[str, Any]:
    return {
        "b": final.call_package(
            lambda build_python_package: build_python_package(pname="b", version="1", src=".")
        )
    }


def _with_a(final: Any, prev: Any) -> dict[str, Any]:
    return {
        "a": final.call_package(
            lambda b, build_python_package: build_python_package(
                pname="a", version="1", src=".", dependencies=[b]
            )
        )
    }


def _with_a_and_b(final: Any, prev: Any) -> dict[str, Any]:
    return {**_with_b(final, prev), **_with_a(final, prev)}


@pytest.mark.parametrize(
    "overlays",
    [[_with_a_and_b], [_with_a, _with_b]],
    ids=["the-same-overlay", "a-later-overlay"],
)
def test_an_overlays_call_package_takes_inputs_that_overlays_add(
    recipes: Path, overlays: list[Any]
) -> None:
    pkgs = package_set(PY, [recipes]).extend(*overlays)
    assert [d.pname for d in pkgs.a.dependencies] == ["b"]


def test_an_overlays_call_package_names_an_input_no_overlay_adds(recipes: Path) -> None:
    def overlay(final: Any, prev: Any) -> dict[str, Any]:
        return {"a": final.call_package(lambda leav, build_python_package: leav)}

    pkgs = package_set(PY, [recipes]).extend(overlay)
    with pytest.raises(MissingInput) as err:
        pkgs.a  # noqa: B018 - evaluating is the point
    assert "has no attribute 'leav'; did you mean 'leaf'?" in str(err.value)
    assert f"needed by <lambda>() in {__file__}:" in str(err.value)


def test_an_attribute_error_a_recipe_raises_is_not_the_attribute_missing(tmp_path: Path) -> None:
    """``getattr(pkgs, name, default)`` and ``hasattr`` take an AttributeError for absence."""
    typo = "def recipe():\n    return 'x'.strip_spaces()\n"
    folder = write_recipes(tmp_path / "r", {"typo": typo})
    pkgs = package_set(PY, [folder])
    with pytest.raises(RaisedAttributeError, match="while evaluating typo: AttributeError") as err:
        getattr(pkgs, "typo", None)
    assert isinstance(err.value.__cause__, AttributeError)
    assert getattr(pkgs, "typoo", None) is None  # absent: still an AttributeError


def test_a_value_no_package_an_overlay_sets_is_blamed_on_the_overlay(
    recipes: Path, tmp_path: Path
) -> None:
    """Its dependents and the command line named neither the attribute nor the overlay;
    the line is the key's, not the overlay's ``def``."""
    from pybuild.commands.common import as_derivation

    file = tmp_path / "badkey.py"
    file.write_text('def overlay(final, prev):\n    return {"leaf": "1.0"}\n')
    pkgs = package_set(PY, [recipes], [load_overlay(file)])
    with pytest.raises(UsageError) as err:
        pkgs.middle.drv  # noqa: B018 - making it is the point
    assert str(err.value).startswith(
        "middle: dependencies must be Python packages, not the str '1.0'"
        f" (leaf, set by the overlay at {file}:2)\n"
    )
    with pytest.raises(UsageError) as err:
        as_derivation(pkgs.leaf, "leaf", pkgs)
    assert str(err.value).startswith(
        f"leaf is a str, not a derivation or package (set by the overlay at {file}:2)\n"
    )


def test_a_recipe_module_without_recipe_names_the_close_functions_it_defines(
    tmp_path: Path,
) -> None:
    body = "from pathlib import Path\n\ndef recipes():\n    pass\n\ndef helper():\n    pass\n"
    folder = write_recipes(tmp_path / "r", {"plural": body})
    with pytest.raises(UsageError) as err:
        package_set(PY, [folder]).plural  # noqa: B018 - evaluating is the point
    assert str(err.value) == (
        f"{folder / 'plural.py'}: a recipe module must define recipe(...);"
        " did you mean recipes(...)?"
    )


def test_call_package_given_no_function_says_what_it_takes(recipes: Path) -> None:
    """``call_package("/path/x.py")`` raised TypeError: '/path/x.py' is not a callable
    object, from deep in the signature's reading."""
    pkgs = package_set(PY, [recipes])
    with pytest.raises(UsageError) as err:
        pkgs.call_package("/path/x.py")
    assert str(err.value).startswith(
        "call_package takes a function whose parameters name its inputs (a recipe), not a"
        " str '/path/x.py'"
    )
    assert "--recipes DIR" in err.value.hint


def test_a_recipe_folder_given_alone_is_refused_not_read_letter_by_letter(tmp_path: Path) -> None:
    """A str is a Sequence[str] to mypy: package_set(recipes="/x") looked for a folder "/"
    then "x" and said "recipe folder x does not exist"."""
    for alone in (str(tmp_path), tmp_path):
        with pytest.raises(UsageError) as err:
            package_set(FAKE_PYTHON, recipes=alone)  # type: ignore[arg-type]  # the mistake
        assert str(err.value) == (
            f"package_set(): recipes must be a list of folders, not the string '{tmp_path}'"
            f" alone: put it in a list, ['{tmp_path}']"
        )
