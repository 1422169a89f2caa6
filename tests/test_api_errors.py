"""Errors a script using pybuild as a library meets: an attribute that exists but fails to
evaluate is no AttributeError (``hasattr``/``getattr(x, name, default)`` would take it for
absent), and arguments of the wrong shape are told as usage errors, not bare TypeErrors."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
from test_pkgset import write_recipes

from pybuild.buildoptions import BuildOptions
from pybuild.errors import MissingAttribute, MissingInput, PybuildError, UsageError
from pybuild.pkgset import package_set
from pybuild.settings import Settings
from support.interpreter import FAKE_PYTHON

PY = FAKE_PYTHON


LEAF = """
    def recipe(build_python_package):
        return build_python_package(pname="leaf", version="1", src="/dev/null")
"""
BROKENIN = """
    def recipe(build_python_package, leef):
        return build_python_package(pname="brokenin", version="1", src="/dev/null",
                                    dependencies=[leef])
"""


def test_a_recipe_missing_an_input_is_not_taken_for_the_attribute_absent(tmp_path: Path) -> None:
    folder = write_recipes(tmp_path / "r", {"leaf": LEAF, "brokenin": BROKENIN})
    pkgs = package_set(PY, [folder])
    assert "brokenin" in pkgs
    for ask in (
        lambda: hasattr(pkgs, "brokenin"),
        lambda: getattr(pkgs, "brokenin", None),
        lambda: pkgs.brokenin,
    ):
        with pytest.raises(MissingInput) as err:
            ask()
        assert not isinstance(err.value, AttributeError)
        assert isinstance(err.value, PybuildError)
        assert f"needed by recipe() in {folder / 'brokenin.py'}:2" in str(err.value)
        assert "has no attribute 'leef'; did you mean 'leaf'?" in str(err.value)
        assert err.value.name == "leef" and err.value.suggestions == ["leaf"]
    with pytest.raises(MissingAttribute):  # a name truly absent is still an AttributeError
        pkgs.brokenn  # noqa: B018
    assert not hasattr(pkgs, "brokenn")


def test_an_overlays_missing_final_name_is_not_taken_for_an_absent_attribute(
    tmp_path: Path,
) -> None:
    folder = write_recipes(tmp_path / "r", {"leaf": LEAF})

    def overlay(final: Any, prev: Any) -> dict[str, Any]:
        return {"leaf": prev.leaf.override_python_attrs(dependencies=[final.leeff])}

    line = overlay.__code__.co_firstlineno + 1
    pkgs = package_set(PY, [folder], [overlay])
    env = pkgs.python.with_packages([pkgs.leaf])
    with pytest.raises(MissingInput) as err:
        getattr(env, "drv", None)
    assert str(err.value).startswith(
        f"the package set (final.leeff at {__file__}:{line}) has no attribute 'leeff';"
        " did you mean 'leaf'?"
    )


def test_a_recipes_own_missing_attribute_is_not_taken_for_the_attribute_absent(
    tmp_path: Path,
) -> None:
    """A recipe reading an attribute of the set that is not there (``pkgs.leef``)."""
    own = "def recipe(pkgs):\n    return pkgs.leef\n"
    folder = write_recipes(tmp_path / "r", {"leaf": LEAF, "own": own})
    pkgs = package_set(PY, [folder])
    with pytest.raises(PybuildError, match="leef") as err:
        getattr(pkgs, "own", None)
    assert not isinstance(err.value, AttributeError)


def test_overlays_of_the_wrong_shape_are_told_how_to_give_them(tmp_path: Path) -> None:
    folder = write_recipes(tmp_path / "r", {"leaf": LEAF})

    def overlay(final: Any, prev: Any) -> dict[str, Any]:
        return {}

    with pytest.raises(UsageError) as err:
        package_set(PY, [folder], overlay)  # type: ignore[arg-type]
    assert "package_set(): overlays must be a list of overlays" in str(err.value)
    assert "put it in a list, [overlay]" in str(err.value)
    with pytest.raises(UsageError) as err:
        package_set(PY, [folder], "my_overlay.py")  # type: ignore[arg-type]
    assert "load_overlay('my_overlay.py')" in str(err.value)
    with pytest.raises(UsageError) as err:
        package_set(PY, [folder], ["my_overlay.py"])  # type: ignore[list-item]
    assert str(err.value).startswith("package_set(): overlay 'my_overlay.py' is a path")
    assert "load_overlay('my_overlay.py')" in str(err.value)
    pkgs = package_set(PY, [folder])
    with pytest.raises(UsageError) as err:
        pkgs.extend(tmp_path / "x.py")  # type: ignore[arg-type]
    assert str(err.value).startswith(f"extend(): overlay {str(tmp_path / 'x.py')!r} is a path")
    with pytest.raises(UsageError) as err:
        pkgs.extend({"leaf": None})  # type: ignore[arg-type]
    assert str(err.value).startswith(
        "extend(): overlay must be a function (final, prev) -> dict, not dict {'leaf': None}"
    )
    assert pkgs.extend(overlay).leaf.pname == "leaf"  # a function is fine


def test_build_options_refuse_an_unknown_keyword_naming_the_close_one() -> None:
    with pytest.raises(UsageError) as err:
        BuildOptions(keep_goin=True)  # type: ignore[call-arg]
    assert str(err.value).startswith(
        "BuildOptions() got an unexpected keyword argument 'keep_goin'; did you mean 'keep_going'"
    )
    with pytest.raises(UsageError) as err:
        BuildOptions.from_settings(Settings(), keep_goin=True)
    assert str(err.value).startswith(
        "BuildOptions.from_settings() got an unexpected keyword argument 'keep_goin';"
        " did you mean 'keep_going'"
    )


@pytest.mark.parametrize(
    ("changes", "told"),
    [
        ({"jobs": None}, "jobs must be an integer, 0 or more, not NoneType None"),
        ({"jobs": -1}, "jobs must be an integer, 0 or more, not int -1"),
        ({"jobs": 2.5}, "jobs must be an integer, 0 or more, not float 2.5"),
        ({"jobs": "2"}, "jobs must be an integer, 0 or more, not str '2'"),
        ({"jobs": True}, "jobs must be an integer, 0 or more, not bool True"),
        ({"keep_going": 1}, "keep_going must be a boolean, True or False, not int 1"),
        (
            {"sandbox": "relax"},
            "sandbox must be 'true', 'false' or 'relaxed' (or None for the setting's),"
            " not str 'relax'; did you mean 'relaxed'?",
        ),
        ({"substituters": "file:///c"}, "put it in a list, ['file:///c']"),
    ],
)
def test_build_options_refuse_a_value_of_the_wrong_type(changes: Any, told: str) -> None:
    with pytest.raises(UsageError) as err:
        BuildOptions(**changes)
    assert str(err.value).startswith("BuildOptions(): ")
    assert told in str(err.value)
    with pytest.raises(UsageError, match="BuildOptions"):
        dataclasses.replace(BuildOptions(), **changes)


def test_build_options_take_good_values_and_stay_replaceable() -> None:
    options = BuildOptions(jobs=0, substituters=["file:///c"], sandbox="false")  # type: ignore[arg-type]
    assert options.substituters == ("file:///c",)  # a list is made a tuple: the value is frozen
    assert dataclasses.replace(options, jobs=4).jobs == 4
    assert BuildOptions(build_users=None).build_users is None


def test_realise_of_one_package_alone_says_to_put_it_in_a_list() -> None:
    """realise(pkgs.six) failed with Python's "'PythonPackage' object is not iterable"."""
    from pybuild import derivation, realise

    drv = derivation(name="x", builder="/bin/sh", args=["-c", "echo > $out"])
    with pytest.raises(UsageError) as refused:
        realise(drv)  # type: ignore[arg-type]
    assert str(refused.value).startswith("realise: targets must be a list of packages or")
    assert str(refused.value).endswith("alone: put it in a list, realise([...])")
    for alone in ("six", None):  # a name, read letter by letter; nothing at all
        with pytest.raises(UsageError, match=r"alone: put it in a list, realise\(\[\.\.\.\]\)$"):
            realise(alone)  # type: ignore[arg-type]


def test_options_that_have_reported_are_still_pickled_and_copied() -> None:
    """The reporter an options object makes when a build first reports holds a lock: the
    options could then no longer be pickled (for a process pool) nor deep-copied."""
    import copy
    import pickle

    options = BuildOptions(jobs=3)
    assert options.reporter is options.reporter  # made once, then kept
    for again in (pickle.loads(pickle.dumps(options)), copy.deepcopy(options)):
        assert again == options and again.jobs == 3
        assert again.reporter is not options.reporter


def test_every_error_is_pickled_as_it_is() -> None:
    """A failed build's result sent back from another process (multiprocessing) could not be
    read: an exception is pickled as its class called with its args, the message alone, which
    BuildError(name, reason) refused, and the pool's result thread died."""
    import pickle

    from pybuild import BuildResult, Status
    from pybuild.errors import BuildError, HashMismatch

    failed = BuildError("demo-1.0", "exit status 3", log_path="/x/log", tail="oops")
    failed.hint = "look at the log"
    result = BuildResult(Status.FAILED, error=failed, log_path="/x/log")
    again = pickle.loads(pickle.dumps(result))
    assert type(again.error) is BuildError and str(again.error) == str(failed)
    assert (again.error.name, again.error.reason, again.error.hint) == (
        "demo-1.0",
        "exit status 3",
        "look at the log",
    )
    mismatch = HashMismatch("src", "sha256-a", "sha256-b")
    assert str(pickle.loads(pickle.dumps(mismatch))) == str(mismatch)


def test_a_missing_attributes_name_survives_a_pickle() -> None:
    """An AttributeError's name is held by the exception, not in its attributes' dict."""
    import copy
    import pickle

    from pybuild.errors import MissingAttribute

    missing = MissingAttribute("x", "pkgs", ["xx"])
    assert pickle.loads(pickle.dumps(missing)).name == "x" == copy.deepcopy(missing).name
