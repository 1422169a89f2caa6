"""The arguments of ``derivation`` and ``fetch_pypi``, checked where they are taken.

A wrong type there would otherwise surface later as a raw Python error (a string split into
letters, ``'list' object has no attribute 'lower'``) naming neither the argument nor what it
takes; here each is a :class:`~pybuild.errors.UsageError` that says both, as the checks of
``build_python_package`` do.
"""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pybuild.derivations import derivation
from pybuild.errors import HashMismatch, PybuildError, UsageError
from pybuild.realiser import BuildOptions, realise
from pybuild.store import Store

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


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"name": ["x"]}, "derivation: name must be a string, not list ['x']"),
        ({"args": None}, "derivation 'x': args must be a list of strings, paths or derivations"),
        ({"meta": ["a"]}, "derivation 'x': meta must be a mapping of names to values"),
        ({"env": {1: "a"}}, "derivation 'x': env's names must be strings, the variables' names"),
        ({"builder": None}, "derivation 'x': builder must be a program's path or a derivation"),
    ],
)
def test_a_wrong_type_names_the_argument(arguments: dict[str, Any], message: str) -> None:
    with pytest.raises(UsageError) as err:
        derivation(**{**SH, **arguments})
    assert str(err.value).startswith(message)


def test_a_value_no_builder_takes_names_its_variable_or_its_place() -> None:
    with pytest.raises(UsageError, match=r"^derivation 'x': env 'A': cannot pass list"):
        derivation(**{**SH, "env": {"A": ["a", "b"]}})
    with pytest.raises(UsageError, match=r"^derivation 'x': args\[1\]: cannot pass None to a"):
        derivation(**{**SH, "args": ["-c", None]})


def test_no_outputs_is_told_as_none_not_as_names_repeated() -> None:
    with pytest.raises(PybuildError, match=r"derivation 'x': outputs names none \(as 'out'\)"):
        derivation(**{**SH, "outputs": []})


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ((["six"], "1.17.0"), "fetch_pypi: pname must be a non-empty string, not list ['six']"),
        (
            ("six", 1.17),
            "fetch_pypi('six'): version must be a non-empty string, the release's version as"
            " the index names it, not float 1.17",
        ),
        (("six", "1.17.0", None), "fetch_pypi('six'): hash must be a hash (a string"),
        (("six", "1.17.0", "", "wheel", ["x"]), "fetch_pypi('six'): hashes must be a mapping"),
    ],
)
def test_fetch_pypi_names_its_wrong_argument(arguments: tuple[Any, ...], message: str) -> None:
    from pybuild.fetchers import fetch_pypi

    positional, keywords = arguments[:4], dict(zip(["hashes"], arguments[4:], strict=False))
    with pytest.raises(UsageError) as err:
        fetch_pypi(*positional, **keywords)
    assert str(err.value).startswith(message)


def test_fetch_url_names_its_wrong_argument() -> None:
    from pybuild.fetchers import fetch_url

    with pytest.raises(UsageError, match=r"^\['file:///x'\] is not a URL"):
        fetch_url(["file:///x"])  # type: ignore[arg-type]
    with pytest.raises(UsageError, match=r"^fetch_url\('file:///x'\): hash must be a hash"):
        fetch_url("file:///x", 1)  # type: ignore[arg-type]


def test_the_command_line_names_the_recipe_line_of_a_wrong_argument(tmp_path: Path) -> None:
    (tmp_path / "wrongarg.py").write_text(
        'from pybuild import fetch_pypi\ndef recipe():\n    return fetch_pypi(["six"], "1.17.0")\n'
    )
    command = [sys.executable, "-m", "pybuild", "eval", "--recipes", tmp_path, "wrongarg"]
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "error: fetch_pypi: pname must be a non-empty string, not list ['six']" in result.stderr
    assert "at wrongarg.py:3, in recipe" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unknown_argument_of_derivation_names_the_close_one() -> None:
    with pytest.raises(UsageError) as err:
        derivation(**SH, arg=["-c", "echo hi > $out"])
    assert str(err.value) == (
        "derivation() got an unexpected keyword argument 'arg'; did you mean 'args'?"
    )


def test_a_hash_given_to_derivation_as_fetches_take_it_names_output_hash() -> None:
    with pytest.raises(UsageError, match=r"argument 'hash'; did you mean 'output_hash'\?"):
        derivation(**SH, hash="sha256-" + "A" * 43 + "=")


def test_a_sha256_given_to_a_fetch_names_hash() -> None:
    from pybuild.fetchers import fetch_pypi, fetch_url

    with pytest.raises(UsageError) as err:
        fetch_pypi("six", "1.17.0", sha256="ff" * 32)
    assert str(err.value).startswith(
        "fetch_pypi() got an unexpected keyword argument 'sha256'; did you mean 'hash'?"
    )
    with pytest.raises(UsageError, match=r"argument 'sha256'; did you mean 'hash'\?$"):
        fetch_url("file:///x", sha256="ff" * 32)


def test_a_src_of_no_kind_is_refused_naming_the_package_when_the_recipe_is_made() -> None:
    from pybuild.python.package import build_python_package

    with pytest.raises(UsageError) as err:
        build_python_package(pname="x", version="1", src=None)
    assert str(err.value) == (
        "x: src must be a fetch (fetch_pypi, fetch_url), a path or a derivation, not NoneType None"
    )


def test_a_reference_to_no_source_names_the_package_and_the_recipe_line() -> None:
    from pybuild.lazy import Lazy
    from pybuild.python.package import build_python_package

    pkg = build_python_package(pname="x", version="1", src=Lazy("final.nothing", lambda: None))
    with pytest.raises(UsageError) as err:
        pkg.drv  # noqa: B018 - making it is the point
    assert str(err.value).startswith("x 1's src must be a fetch (fetch_pypi, fetch_url), a path")
    assert f"(given at {__file__}:" in str(err.value)


def test_a_fixed_output_mismatch_names_output_hash_and_the_line_that_gave_it(
    store: Store,
) -> None:
    from pybuild.hashing import hash_bytes

    drv = derivation(**SH, args=["-c", 'echo hi > "$out"'], output_hash=hash_bytes(b"").sri)
    line = sys._getframe().f_lineno - 1
    with pytest.raises(HashMismatch) as err:
        realise([drv], store, BuildOptions(log=io.StringIO()))
    actual = hash_bytes(b"hi\n").sri
    assert err.value.hint == f"if the content is right, use output_hash={actual!r}"
    assert f"(hash given at {__file__}:{line})" in str(err.value)


def test_a_fetch_mismatch_still_names_hash() -> None:
    assert HashMismatch("x", "", "sha256-x").hint.endswith("use hash='sha256-x'")


def test_a_mismatch_shows_the_expected_hash_in_the_form_of_the_actual_one() -> None:
    """A hash given as hex was shown as hex beside the actual one in SRI form: the two could
    not be compared by eye (Nix shows both in one form). One that is no hash is as given."""
    from pybuild.hashing import hash_bytes

    given, actual = hash_bytes(b"a"), hash_bytes(b"b").sri
    for written in (given.hex, f"sha256:{given.hex}", given.base32):
        assert f"expected: {given.sri}\n" in str(HashMismatch("x", written, actual))
    assert "expected: nonsense\n" in str(HashMismatch("x", "nonsense", actual))


def test_tags_are_checked_each_time_but_an_interpreter_s_tuple_once() -> None:
    """fetch_pypi checked every tag of the ~900 an interpreter has for each wheel of a set;
    a tuple found good is now taken again as it is (immutable: the same object is the same
    tags), while a list, or a tuple with a bad tag, is checked each time."""
    from pybuild.fetchers import fetch_pypi

    good = ("py3-none-any",)
    for _ in range(2):  # past the check both times: on to the file (a bad URL here)
        with pytest.raises(PybuildError) as asked:
            fetch_pypi("x", "1", "", "wheel", tags=good, url="not a url")
        assert "tags" not in str(asked.value)
    for tags in (["py3-none-any", 3], ("py3-none-any", ""), [*good, None]):
        with pytest.raises(UsageError, match=r"tags must be a list of an interpreter's tags"):
            fetch_pypi("x", "1", "", "wheel", tags=tags)  # type: ignore[arg-type]
