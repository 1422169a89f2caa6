"""Errors of the user's recipes and overlays, as the command line reports them: each names the
file and line where it arose, and ``build --all`` makes each attribute's error its row."""

from __future__ import annotations

import errno
import io
import json
import os
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

from pybuild.commands.build import _evaluate_all
from pybuild.diagnostics import describe, in_a_row
from pybuild.errors import UsageError
from pybuild.evaluate import load_module
from pybuild.store import Store
from pybuild.store.temproots import release_temp_roots
from support.fixtures import BuildIndex

OK = """\
from pybuild import derivation


def recipe():
    return derivation(name="ok", builder="/bin/sh", args=["-c", "echo ok > $out"])
"""


def run_cli(*args: object, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run pybuild as a user does; no command may end in a traceback."""
    result = subprocess.run(
        [sys.executable, "-m", "pybuild", *map(str, args)],
        cwd=cwd,
        env=dict(os.environ),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result


def write_recipes(folder: Path, recipes: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, body in recipes.items():
        (folder / f"{name}.py").write_text(textwrap.dedent(body))
    return folder


def build_all(folder: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return run_cli("build", "--all", "-k", "--no-default-recipes", "--recipes", folder, *extra)


def test_a_recipe_raising_any_error_is_its_row_and_the_rest_builds(tmp_path: Path) -> None:
    raises = 'def recipe(ok):\n    return {}["boom"]\n'
    folder = write_recipes(tmp_path / "r", {"ok": OK, "raises": raises})
    result = build_all(folder)
    assert result.returncode == 1, result.stderr
    rows = {line.split()[1]: line for line in result.stdout.splitlines()}
    assert rows["ok"].split()[0] == "built" and Path(rows["ok"].split()[2]).is_file()
    assert rows["raises"].split()[0] == "eval-failed"
    assert f"KeyError: 'boom' (at {folder / 'raises.py'}:2)" in rows["raises"]
    assert "1 succeeded, 1 failed" in result.stderr
    as_json = build_all(folder, "--json")
    report = {r["attr"]: r for r in json.loads(as_json.stdout)}
    assert report["raises"]["status"] == "eval-failed"
    assert report["raises"]["error"].endswith("raises.py:2)")
    # stderr says why, as the table does without --json: the JSON alone had it
    assert f"eval-failed: raises: KeyError: 'boom' (at {folder / 'raises.py'}:2)" in (
        as_json.stderr
    )
    assert "1 succeeded, 1 failed" in as_json.stderr


class _Interrupted:
    """A set whose evaluation is interrupted (Ctrl-C) at its first attribute."""

    def packages(self) -> list[str]:
        return ["a", "b"]

    def __getitem__(self, name: str) -> object:
        raise KeyboardInterrupt


def test_an_interruption_of_build_all_is_no_row() -> None:
    with pytest.raises(KeyboardInterrupt):
        _evaluate_all(_Interrupted())


def test_only_a_value_that_is_no_package_is_not_a_package(tmp_path: Path) -> None:
    usage = "from pybuild.errors import UsageError\n\ndef recipe():\n    raise UsageError('nope')\n"
    folder = write_recipes(
        tmp_path / "r",
        {
            "usage": usage,
            "misspelt": "def recipe(pkgs):\n    return pkgs.sixx\n",
            "number": "def recipe():\n    return 42\n",
        },
    )
    rows = {r["attr"]: r for r in json.loads(build_all(folder, "--json").stdout)}
    assert rows["usage"]["status"] == "eval-failed" and rows["usage"]["error"].startswith("nope")
    assert rows["misspelt"]["status"] == "eval-failed" and "'sixx'" in rows["misspelt"]["error"]
    assert rows["number"]["status"] == "not-a-package"


def test_a_misspelt_name_in_an_overlay_file_names_its_line(tmp_path: Path) -> None:
    folder = write_recipes(tmp_path / "r", {"ok": OK, "other": OK})
    overlay = tmp_path / "ov.py"
    overlay.write_text("def overlay(final, prev):\n    return {'other': final.okk}\n")
    result = run_cli(
        "eval", "--no-default-recipes", "--recipes", folder, "--overlay", overlay, "other"
    )
    assert result.returncode == 1
    assert result.stderr.startswith(
        f"error: the package set (final.okk at {overlay}:2) has no attribute 'okk';"
        " did you mean 'ok'?"
    )


LEAF = """\
def recipe(build_python_package, ok):
    return build_python_package(pname="leaf", version="1.0", src="/dev/null")
"""


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("override_python_attrs(do_chek=False)", "leaf: unknown attribute 'do_chek'"),
        ("override(okk=final.ok)", "leaf: the recipe has no input 'okk'"),
        ("override(ok=final.ok).override_python_attrs(do_chek=False)", "'do_chek'"),
    ],
)
def test_a_mistake_in_an_overlays_override_is_told_at_the_overlays_line(
    tmp_path: Path, change: str, message: str
) -> None:
    """The override waits for its value to be used, when the overlay has returned: the error
    named no line (the set's reading of the value is pybuild's), or the line that read it."""
    from pybuild.pkgset import load_overlay, package_set

    folder = write_recipes(tmp_path / "r", {"ok": OK, "leaf": LEAF})
    overlay = tmp_path / "ov.py"
    overlay.write_text(f"def overlay(final, prev):\n    return {{'leaf': prev.leaf.{change}}}\n")
    pkgs = package_set(recipes=[folder], overlays=[load_overlay(overlay)])
    with pytest.raises(UsageError) as raised:
        _ = pkgs.leaf
    told = describe(raised.value)
    assert message in told.splitlines()[0]
    assert f"  at {overlay}:2, in overlay\n    return {{'leaf': prev.leaf." in told


def test_a_mistake_in_an_override_in_a_file_is_told_at_its_line_not_at_the_use(
    tmp_path: Path,
) -> None:
    folder = write_recipes(tmp_path / "r", {"ok": OK, "leaf": LEAF})
    file = tmp_path / "file.py"
    file.write_text(
        "from pybuild import package_set\n"
        f"pkgs = package_set(recipes=[{str(folder)!r}]).extend(\n"
        "    lambda final, prev: {'leaf': prev.leaf.override_python_attrs(do_chek=False)}\n"
        ")\n"
        "leaf = pkgs.leaf\n"
    )
    result = run_cli("eval", "-f", file, "leaf")
    assert result.returncode == 1
    assert f"\n  at {file}:3, in <lambda>\n" in result.stderr


def test_a_recipe_returning_no_package_is_named_with_its_file(tmp_path: Path) -> None:
    folder = write_recipes(tmp_path / "r", {"notpkg": "def recipe():\n    return 42\n"})
    for command in ("build", "eval", "path-info", "show-derivation"):
        result = run_cli(command, "--no-default-recipes", "--recipes", folder, "notpkg")
        assert result.returncode == 1
        assert result.stderr.startswith(
            "error: notpkg is an int, not a derivation or package"
            f" (returned by the recipe at {folder / 'notpkg.py'}:1)\n"
        )
        assert "hint: what is built is a package" in result.stderr
    rows = {r["attr"]: r for r in json.loads(build_all(folder, "--json").stdout)}
    assert rows["notpkg"]["status"] == "not-a-package"
    assert rows["notpkg"]["error"].startswith("notpkg is an int, not a derivation or package (")


WHEEL_AS_SOURCE = """\
from pathlib import Path


def recipe(build_python_package, setuptools):
    return build_python_package(
        pname="demo",
        version="1.0",
        src=Path(__file__).parent / "demo-1.0-py3-none-any.whl",
        build_system=[setuptools],
    )
"""


def test_a_wheel_as_the_src_of_a_source_build_is_refused_at_its_line(tmp_path: Path) -> None:
    """Built as a source tree, a wheel made a release 0.0.0 without the wheel's modules."""
    folder = write_recipes(tmp_path / "r", {"demo": WHEEL_AS_SOURCE})
    result = run_cli("eval", "--recipes", folder, "demo")
    assert result.returncode == 1
    assert result.stderr.startswith(
        "error: demo: src is the wheel demo-1.0-py3-none-any.whl, but format='pyproject'"
    )
    assert f"at {folder / 'demo.py'}:5, in recipe" in result.stderr
    assert 'hint: add format="wheel"' in result.stderr


MISSING_SOURCE = """\
from pathlib import Path


def recipe(build_python_package):
    return build_python_package(
        pname="demo", version="1.0", src=Path(__file__).parent / "nonexistent"
    )
"""


def test_a_missing_local_source_and_a_failing_import_name_the_recipes_line(
    tmp_path: Path,
) -> None:
    """Both are found after the recipe's code has run (the derivation is made later, and a
    module's import error is reported as the module's), and named no line."""
    failing = "import os\nimport no_such_module_here\n\n\ndef recipe():\n    return 1\n"
    folder = write_recipes(tmp_path / "r", {"demo": MISSING_SOURCE, "failing": failing})
    missing = run_cli("eval", "--recipes", folder, "demo")
    assert missing.returncode == 1
    assert missing.stderr.startswith(
        f"error: demo 1.0's src {folder / 'nonexistent'} does not exist"
        f" (given at {folder / 'demo.py'}:5)\n"
    )
    overridden = tmp_path / "file.py"
    overridden.write_text(
        "from pybuild import package_set\n"
        f"pkgs = package_set(recipes=[{str(folder)!r}])\n"
        "six = pkgs.demo.override_python_attrs(\n    src='/no/such/place')\n"
    )
    told = run_cli("eval", "-f", overridden, "six")
    assert f"/no/such/place does not exist (given at {overridden}:3)" in told.stderr
    imported = run_cli("eval", "--recipes", folder, "failing")
    assert imported.returncode == 1
    assert imported.stderr.startswith(
        f"error: while evaluating {folder / 'failing.py'}: ModuleNotFoundError: No module named"
        " 'no_such_module_here'\n  at "
    )
    assert "failing.py:2, in <module>\n    import no_such_module_here\n" in imported.stderr


ATTRIBUTE_ERROR = """\
def recipe(ok):
    version = "1.0"
    return version.strip_spaces()
"""


def test_an_attribute_error_of_a_recipe_is_told_at_its_line_not_as_the_attribute_missing(
    tmp_path: Path,
) -> None:
    """Python takes an AttributeError out of ``__getattr__`` for the attribute being absent:
    the set's attribute was reported missing, with a hint to add it, and so in a file."""
    folder = write_recipes(tmp_path / "r", {"ok": OK, "attrerr": ATTRIBUTE_ERROR})
    told = (
        "error: AttributeError: 'str' object has no attribute 'strip_spaces';"
        " did you mean 'isspace'?\n"
        f"  at {folder / 'attrerr.py'}:3, in recipe\n"
        "    return version.strip_spaces()\n"
    )
    for command in ("build", "eval"):
        result = run_cli(command, "--no-default-recipes", "--recipes", folder, "attrerr")
        assert result.returncode == 1
        assert result.stderr.startswith(told), result.stderr
    file = tmp_path / "file.py"
    file.write_text(
        f"from pybuild import package_set\npkgs = package_set(recipes=[{str(folder)!r}])\n"
    )
    assert run_cli("eval", "-f", file, "pkgs.attrerr").stderr.startswith(told)
    file.write_text(file.read_text() + "attrerr = pkgs.attrerr\n")
    assert run_cli("eval", "-f", file, "attrerr").stderr.startswith(told)
    traced = subprocess.run(
        [sys.executable, "-m", "pybuild", "--show-trace", "eval", "--recipes", folder, "attrerr"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert f'{folder / "attrerr.py"}", line 3, in recipe' in traced.stderr
    assert "AttributeError: 'str' object has no attribute 'strip_spaces'\n" in traced.stderr
    assert "has no attribute 'attrerr'" not in traced.stderr


def test_a_misspelt_attribute_of_a_package_in_a_file_names_the_close_ones(tmp_path: Path) -> None:
    """The interpreter's own suggestion is in no exception's text: the file's error had none."""
    leaf = (
        "def recipe(build_python_package):\n"
        "    return build_python_package(pname='leaf', version='1.0', src='/dev/null')\n"
    )
    folder = write_recipes(tmp_path / "r", {"leaf": leaf})
    file = tmp_path / "file.py"
    file.write_text(
        "from pybuild import package_set\n"
        f"pkgs = package_set(recipes=[{str(folder)!r}])\n"
        "v = pkgs.leaf.versoin\n"
    )
    result = run_cli("eval", "-f", file, "v")
    assert result.returncode == 1
    assert result.stderr.startswith(
        f"error: while evaluating {file}: AttributeError: 'PythonPackage' object has no"
        " attribute 'versoin'; did you mean 'version'?\n"
    )


def test_a_misspelt_key_of_an_overrides_old_values_names_the_close_ones(
    tmp_path: Path, use_index: BuildIndex
) -> None:
    """``old["dependecies"]`` was a bare KeyError naming the key; the old values are known, so
    the close keys are named. It is still a KeyError, for code that catches one."""
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "setup.py").write_text("")
    leaf = (
        "def recipe(build_python_package):\n"
        "    return build_python_package(pname='leaf', version='1.0',"
        f" src={str(tmp_path / 'src')!r})\n"
    )
    folder = write_recipes(tmp_path / "r", {"leaf": leaf})
    file = tmp_path / "file.py"
    file.write_text(
        "from pybuild import package_set\n"
        f"pkgs = package_set(recipes=[{str(folder)!r}])\n"
        "v = pkgs.leaf.override_python_attrs(lambda old: {'do_check': old['do_chek']})\n"
    )
    caught = tmp_path / "caught.py"
    caught.write_text(
        "from pybuild import package_set\n"
        f"pkgs = package_set(recipes=[{str(folder)!r}])\n"
        "def unchecked(old):\n"
        "    try:\n"
        "        return {'do_check': old['tests']}\n"
        "    except KeyError:\n"
        "        return {'do_check': False}\n"
        "w = pkgs.leaf.override_python_attrs(unchecked)\n"
    )
    result = run_cli("eval", "-f", file, "v")
    assert result.returncode == 1
    assert result.stderr.startswith(
        "error: no 'do_chek' in leaf's old attributes; did you mean 'do_check', 'pre_check',"
        f" 'imports_check'?\n  at {file}:3, in <lambda>\n"
    ), result.stderr
    assert run_cli("eval", "-f", caught, "w").returncode == 0


MISSING_COMMA = """\
def recipe(build_python_package):
    return build_python_package(
        pname="demo"
        version="1.0",
        src="/dev/null",
    )
"""


def test_a_syntax_error_is_told_at_its_line_under_a_caret(tmp_path: Path) -> None:
    """It was the one error told as ``while evaluating FILE: SyntaxError: … (demo.py, line 3)``,
    and its trace ended in pybuild's frames."""
    folder = write_recipes(tmp_path / "r", {"demo": MISSING_COMMA})
    told = (
        "error: SyntaxError: invalid syntax. Perhaps you forgot a comma?\n"
        f"  at {folder / 'demo.py'}:3\n"
        '    pname="demo"\n'
        "          ^\n"
    )
    result = run_cli("eval", "--no-default-recipes", "--recipes", folder, "demo")
    assert result.returncode == 1
    assert result.stderr.startswith(told), result.stderr
    row = json.loads(build_all(folder, "--json").stdout)[0]
    assert row["error"] == (
        f"SyntaxError: invalid syntax. Perhaps you forgot a comma? (at {folder / 'demo.py'}:3)"
    )
    overlay = tmp_path / "ov.py"
    overlay.write_text("def overlay(final, prev):\n\treturn {'x': final.demo.override(\n")
    result = run_cli("eval", "--recipes", folder, "--overlay", overlay, "x")
    assert result.stderr.startswith(
        f"error: SyntaxError: '(' was never closed\n  at {overlay}:2\n"
        "    return {'x': final.demo.override(\n"
        "                                    ^\n"
    ), result.stderr
    file = tmp_path / "file.py"
    file.write_text("def f():\nreturn 1\n")
    assert run_cli("eval", "-f", file, "f").stderr.startswith(
        "error: IndentationError: expected an indented block after function definition on"
        f" line 1\n  at {file}:2\n    return 1\n    ^^^^^^\n"
    )
    traced = subprocess.run(
        [sys.executable, "-m", "pybuild", "--show-trace", "eval", "--recipes", folder, "demo"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    # The interpreter's own traceback: from 3.13 it underlines the token the error spans.
    caret = "^" * (len('"demo"') if sys.version_info >= (3, 13) else 1)
    assert traced.stderr.startswith(
        f'  File "{folder / "demo.py"}", line 3\n    pname="demo"\n          {caret}\n'
    ), traced.stderr
    assert traced.stderr.rstrip().endswith(
        f"EvalSyntaxError: {folder / 'demo.py'}:3: SyntaxError: invalid syntax. Perhaps you"
        " forgot a comma?"
    )


MISSPELT_NAME = """\
def recipe(build_python_package):
    version = "1.0"
    return build_python_package(pname="demo", version=versoin, src="/dev/null")
"""


def test_a_misspelt_name_in_a_recipe_names_the_close_ones_it_could_see(tmp_path: Path) -> None:
    """The interpreter's traceback says "Did you mean" from the frame that raised; the
    exception's text, all that was told, never does."""
    folder = write_recipes(
        tmp_path / "r",
        {"demo": MISSPELT_NAME, "module": "x = lenn([1])\n\n\ndef recipe():\n    return x\n"},
    )
    result = run_cli("eval", "--no-default-recipes", "--recipes", folder, "demo")
    assert result.returncode == 1
    assert result.stderr.startswith(
        "error: NameError: name 'versoin' is not defined; did you mean 'version'?\n"
        f"  at {folder / 'demo.py'}:3, in recipe\n"
    ), result.stderr
    rows = {r["attr"]: r for r in json.loads(build_all(folder, "--json").stdout)}
    assert "NameError: name 'lenn' is not defined; did you mean 'len'?" in rows["module"]["error"]


def test_an_error_a_file_raises_says_how_to_see_its_trace_wherever_it_is_raised(
    tmp_path: Path,
) -> None:
    """A ``-f`` file's error, or a recipe module's, raised as it is loaded, is carried as
    ours (it names the file): it went without the hint an error in a recipe's function, or a
    syntax error, ends with."""
    folder = write_recipes(
        tmp_path / "r",
        {"demo": MISSPELT_NAME, "module": "x = lenn([1])\n\n\ndef recipe():\n    pass\n"},
    )
    file = tmp_path / "file.py"
    file.write_text("x = lenn([1])\n")
    syntax = tmp_path / "syntax.py"
    syntax.write_text("x = (\n")
    hint = "  hint: run again with --show-trace for the full traceback\n"
    for command in (
        ["eval", "-f", file, "x"],
        ["eval", "--no-default-recipes", "--recipes", folder, "module"],
        ["eval", "--no-default-recipes", "--recipes", folder, "demo"],
        ["eval", "-f", syntax, "x"],
    ):
        result = run_cli(*command)
        assert result.returncode == 1
        assert result.stderr.endswith(hint), result.stderr


def os_error(number: int) -> OSError:
    return OSError(number, os.strerror(number))


def test_a_full_disk_under_a_recipe_names_the_file_not_the_recipes_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The recipe adds a text to the store; pybuild's own write (the roots that keep it) finds
    the disk full: the error says which file, and where to free space, not the recipe's line."""
    store = Store(tmp_path / "home")
    recipe = tmp_path / "recipe.py"
    recipe.write_text("def recipe(store):\n    return store.add_text('t', 'text')\n")
    real_write = os.write

    def disk_full_in_the_home(fd: int, data: bytes) -> int:
        if os.readlink(f"/proc/self/fd/{fd}").startswith(str(store.home)):
            raise os_error(errno.ENOSPC)
        return real_write(fd, data)

    with monkeypatch.context() as patched, pytest.raises(OSError) as caught:
        patched.setattr(os, "write", disk_full_in_the_home)
        load_module(recipe).recipe(store)
    release_temp_roots(store)
    store.registry.close()
    roots = store.var / "temproots"
    text = describe(caught.value)
    assert text.startswith(f"error: cannot write {roots}{os.sep}"), text
    assert text.splitlines()[0].endswith(": No space left on device")
    assert f"hint: free space on the filesystem that holds {roots}, then run" in text
    assert "  at " not in text and str(recipe) not in text
    assert in_a_row(caught.value) == text.removeprefix("error: ")


def test_a_full_disk_under_an_atomic_write_names_the_file_and_leaves_no_half_of_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cache's or a plan's file (write_atomic) on a full disk: the error named no file (a
    write to an open file names none), and the half-written temporary file stayed."""
    from pybuild import atomic

    class Full(io.StringIO):
        def write(self, text: str) -> int:
            raise os_error(errno.ENOSPC)

    def open_full(path: str, *args: object, **kwargs: object) -> Full:
        Path(path).write_text("half")  # opened: the file is there, and nothing more fits
        return Full()

    monkeypatch.setattr(atomic, "open", open_full, raising=False)
    target = tmp_path / "facts.json"
    with pytest.raises(OSError) as caught:
        atomic.write_atomic(target, "{}")
    assert sorted(tmp_path.iterdir()) == []
    assert describe(caught.value).startswith(
        f"error: cannot write {target}: No space left on device\n"
    )


def test_a_full_disk_or_quota_where_the_file_is_unknown_names_home_and_tmpdir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYBUILD_HOME", str(tmp_path / "home"))
    (tmp_path / "tmp").mkdir()
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    monkeypatch.setattr(tempfile, "tempdir", None)  # read TMPDIR again
    text = describe(os_error(errno.EDQUOT))
    assert text == (
        "error: a write failed: Disk quota exceeded\n"
        "  hint: free space (or have your quota raised) on the filesystem that holds the pybuild"
        f" home ({tmp_path / 'home'}), or the one that holds TMPDIR ({tmp_path / 'tmp'}),"
        " then run the command again"
    )


STOPS = """\
class Stop(BaseException):
    \"\"\"An exception of the recipe's own that is no Exception.\"\"\"


def recipe():
    raise Stop("nope")
"""


def test_a_recipes_own_base_exception_is_its_error_not_a_traceback(tmp_path: Path) -> None:
    """A recipe raising a BaseException of its own (no Exception) ended search and build
    --all -k with a traceback: it is that recipe's error, at its line, as an Exception is."""
    folder = write_recipes(tmp_path / "r", {"ok": OK, "stops": STOPS})
    built = build_all(folder)
    rows = {line.split()[1]: line for line in built.stdout.splitlines()}
    assert rows["ok"].split()[0] == "built" and rows["stops"].split()[0] == "eval-failed"
    assert f"Stop: nope (at {folder / 'stops.py'}:6)" in rows["stops"]
    assert "pybuild_recipe_" not in rows["stops"]  # the module name pybuild made, new each run
    assert "1 succeeded, 1 failed" in built.stderr
    found = run_cli("search", "--no-default-recipes", "--recipes", folder)
    assert [line[2:].split()[:2] for line in found.stdout.splitlines()][1] == ["stops", "?"]
    assert "warning: stops does not evaluate: " in found.stderr
    assert f"Stop: nope (at {folder / 'stops.py'}:6)" in found.stderr
    told = run_cli("eval", "--no-default-recipes", "--recipes", folder, "stops")
    assert told.returncode == 1
    assert told.stderr.startswith("error: ") and "Stop: nope\n" in told.stderr
    assert f"\n  at {folder / 'stops.py'}:6, in recipe\n" in told.stderr
    command = ["eval", "--show-trace", "--no-default-recipes", "--recipes", str(folder), "stops"]
    traced = subprocess.run(
        [sys.executable, "-m", "pybuild", *command], capture_output=True, text=True, timeout=120
    )
    assert traced.returncode == 1 and "Traceback" in traced.stderr


def test_a_base_exception_of_a_file_or_an_overlays_override_is_told_at_its_line(
    tmp_path: Path,
) -> None:
    """Wherever the user's code runs: a -f file as it loads, an override's function that an
    overlay gave, called once the overlay has returned."""
    file = tmp_path / "file.py"
    file.write_text(STOPS.replace("def recipe():\n    ", ""))
    loaded = run_cli("build", "-f", file, "x")
    assert loaded.returncode == 1 and "Stop: nope" in loaded.stderr.splitlines()[0]
    assert f"\n  at {file}:5, in <module>\n" in loaded.stderr
    folder = write_recipes(tmp_path / "r", {"ok": OK, "leaf": LEAF})
    overlay = tmp_path / "ov.py"
    overlay.write_text(
        STOPS.replace("def recipe():\n    raise Stop", "def stop(old):\n    raise Stop")
        + "\n\ndef overlay(final, prev):\n"
        + "    return {'leaf': prev.leaf.override_python_attrs(stop)}\n"
    )
    result = run_cli(
        "eval", "--no-default-recipes", "--recipes", folder, "--overlay", overlay, "leaf"
    )
    assert result.returncode == 1 and "Stop: nope" in result.stderr.splitlines()[0]
    assert f"\n  at {overlay}:6, in stop\n" in result.stderr


@pytest.mark.parametrize("kind", [SystemExit])
def test_an_exit_is_no_row_of_build_all(kind: type[BaseException]) -> None:
    """As Ctrl-C: they keep their meaning, where a recipe's own BaseException is its row."""

    class Raising(_Interrupted):
        def __getitem__(self, name: str) -> object:
            raise kind

    with pytest.raises(kind):
        _evaluate_all(Raising())


def test_a_recipes_generator_exit_is_its_error(tmp_path: Path) -> None:
    """GeneratorExit raised outside a generator means nothing to pybuild: a recipe's is its
    row and its error, as any other (it ended search and build --all -k with a traceback)."""
    body = "def recipe(build_python_package):\n    raise GeneratorExit('g')\n"
    folder = write_recipes(tmp_path / "r", {"ok": OK, "genexit": body})
    rows = {line.split()[1]: line for line in build_all(folder).stdout.splitlines()}
    assert rows["ok"].split()[0] == "built" and rows["genexit"].split()[0] == "eval-failed"
    assert f"GeneratorExit: g (at {folder / 'genexit.py'}:2)" in rows["genexit"]
    found = run_cli("search", "--no-default-recipes", "--recipes", folder)
    assert next(line[2:].split()[:2] for line in found.stdout.splitlines()) == ["genexit", "?"]


def test_search_and_an_overlay_pass_over_entries_that_are_no_files(tmp_path: Path) -> None:
    """A pipe among the recipes made search wait for ever for a writer (it read the file's
    docstring first); a link in a loop beside an overlay failed the overlay as a bug."""
    folder = write_recipes(tmp_path / "r", {"ok": OK})
    os.mkfifo(folder / "pipe.py")
    found = run_cli("search", "--no-default-recipes", "--recipes", folder)
    assert ["pipe", "?"] in [line[2:].split()[:2] for line in found.stdout.splitlines()]
    beside = tmp_path / "o"
    beside.mkdir()
    (beside / "a.py").symlink_to("b.py")
    (beside / "b.py").symlink_to("a.py")
    (beside / "ok.py").write_text("def overlay(final, prev):\n    return {}\n")
    shown = run_cli(
        "eval", "--no-default-recipes", "--recipes", folder, "--overlay", beside / "ok.py", "ok"
    )
    assert shown.returncode == 0, shown.stderr


def test_a_recipe_folder_that_is_no_folder_is_told_as_what_it_is(tmp_path: Path) -> None:
    """A pipe or a device given as --recipes was told only "is not a folder"; it is named as
    what it is, as one given to -f or --overlay is."""
    os.mkfifo(tmp_path / "x.py")
    for path, kind in ((tmp_path / "x.py", "a pipe"), ("/dev/null", "a character device")):
        told = run_cli("build", "--recipes", path, "six")
        assert told.returncode == 1
        assert told.stderr == (
            f"error: recipe folder {path} is {kind}, not a folder: give a folder of recipe"
            " modules\n"
        )
