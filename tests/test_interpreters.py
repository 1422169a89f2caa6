"""Choosing the interpreter: ``pybuild --python 3.12`` and ``package_set(python="3.12")``.

A version is found as ``python3.12`` on ``PATH``; a version manager's shim there is run and
asked for the real interpreter, and pyenv's shim, which refuses a version it has not selected,
falls back to pyenv's versions folder. Sets for several interpreters live side by side with
their own store paths, and the in-build builder runs under each CPython this machine has
(the fixture projects are built with each, from the local build index).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from pybuild.cli import main
from pybuild.errors import UnsupportedInterpreter, UsageError
from pybuild.pkgset import DEFAULT_RECIPES, package_set
from pybuild.python.locate import locate_python
from support.fixtures import BuildIndex, write_fixture_recipes

THIS = f"{sys.version_info.major}.{sys.version_info.minor}"
REAL = os.path.realpath(sys.executable)


def _installed(version: str) -> str | None:
    try:
        return locate_python(version)
    except UsageError:
        return None


OTHERS = [v for v in ("3.10", "3.12", "3.13", "3.14") if v != THIS]


def _script(path: Path, body: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(0o755)
    return path


def test_a_version_is_found_on_path_and_a_shim_is_resolved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shim = _script(tmp_path / "bin" / f"python{THIS}", f'exec {sys.executable} "$@"')
    monkeypatch.setenv("PATH", f"{shim.parent}{os.pathsep}{os.environ['PATH']}")
    assert locate_python(THIS) == REAL
    assert locate_python(shim) == REAL
    assert locate_python(sys.executable) == REAL


def test_a_shim_that_refuses_falls_back_to_pyenvs_versions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    refusing = f"echo 'pyenv: python{THIS}: command not found' >&2; exit 127"
    shim = _script(tmp_path / "shims" / f"python{THIS}", refusing)
    monkeypatch.setenv("PATH", str(shim.parent))
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path / "pyenv"))
    with pytest.raises(UsageError, match=rf"pyenv: python{THIS}: command not found"):
        locate_python(THIS)
    for version in (f"{THIS}.0", f"{THIS}.10"):
        found = tmp_path / "pyenv" / "versions" / version / "bin" / f"python{THIS}"
        found.parent.mkdir(parents=True)
        found.symlink_to(sys.executable if version.endswith(".10") else "/nonexistent")
    assert locate_python(THIS) == REAL  # the newest version that has it


def test_a_refusing_shim_given_by_its_path_is_found_in_pyenvs_versions_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    refusing = f"echo 'pyenv: python{THIS}: command not found' >&2; exit 127"
    shim = _script(tmp_path / "pyenv" / "shims" / f"python{THIS}", refusing)
    elsewhere = _script(tmp_path / "bin" / f"python{THIS}", refusing)
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path / "pyenv"))
    found = tmp_path / "pyenv" / "versions" / f"{THIS}.1" / "bin" / f"python{THIS}"
    found.parent.mkdir(parents=True)
    found.symlink_to(sys.executable)
    assert locate_python(shim) == REAL  # what `which python3.X` prints
    (tmp_path / "links").mkdir()
    (tmp_path / "links" / f"python{THIS}").symlink_to(shim)
    assert locate_python(tmp_path / "links" / f"python{THIS}") == REAL  # a link to it
    assert locate_python(shim.parent / ".." / "shims" / shim.name) == REAL
    with pytest.raises(UsageError, match="a script that did not name an interpreter"):
        locate_python(elsewhere)  # not pyenv's: nothing says where its interpreter is


def test_a_release_is_the_minor_versions_interpreter_when_it_is_that_one_else_pyenvs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--python 3.12.1`` looked for a program named 3.12.1, as uv finds that release."""
    this = ".".join(map(str, sys.version_info[:3]))
    monkeypatch.setenv("PATH", f"{os.path.dirname(sys.executable)}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("PYENV_ROOT", str(tmp_path / "pyenv"))
    assert locate_python(this) == REAL
    other = f"{THIS}.{sys.version_info.micro + 50}"
    with pytest.raises(
        UsageError, match=rf"no interpreter '{other}': python{THIS} is {this} \("
    ) as info:
        locate_python(other)
    assert f"--python {THIS}" in info.value.hint
    installed = tmp_path / "pyenv" / "versions" / other / "bin" / f"python{THIS}"
    installed.parent.mkdir(parents=True)
    installed.symlink_to(sys.executable)
    assert locate_python(other) == REAL  # pyenv's install of that release
    with pytest.raises(UsageError, match="is a folder, not an interpreter") as folder:
        locate_python(tmp_path / "pyenv" / "versions" / other)
    assert folder.value.hint.startswith("give the interpreter")


def test_an_interpreter_not_found_says_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(UsageError, match=r"no interpreter '3\.98'") as info:
        locate_python("3.98")
    assert "give the interpreter's path" in info.value.hint


def test_an_interpreter_too_old_or_failing_is_told_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--python 2.7``: one line naming the version found and the oldest supported, not the
    traceback of our `packaging` failing to import there (the fake is this interpreter
    telling the version 2.7.18, without our `packaging` on its path, as on a Python 2). An
    interpreter whose answer fails otherwise is told by the last line of what it said."""
    fake = _script(
        tmp_path / "bin" / "python2.7",
        '[ "$1" = -c ] && { echo "$0"; exit; }  # a shim is asked which interpreter it runs\n'
        f'unset PYTHONPATH; exec {REAL} -S -c "{AS_PYTHON_2}"',
    )
    monkeypatch.setenv("PATH", str(fake.parent))
    assert main(["--python", "2.7", "eval", "six"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(
        f"error: Python 2.7.18 at {fake} is too old: pybuild's sets need CPython 3.10 or newer\n"
    )
    assert "Traceback" not in err and "packaging" not in err
    broken = _script(
        tmp_path / "bin" / "python3.99",
        '[ "$1" = -c ] && { echo "$0"; exit; }\n'
        "printf 'Traceback (most recent call last):\\n  File \"<string>\", line 2\\n' >&2\n"
        'echo "ImportError: cannot import name tags" >&2; exit 1',
    )
    assert main(["--python", "3.99", "eval", "six"]) == 1
    assert capsys.readouterr().err == (
        f"error: {broken} does not run as a Python interpreter: ImportError: cannot import name"
        " tags\n"
    )
    silent = _script(
        tmp_path / "bin" / "python3.98", '[ "$1" = -c ] && { echo "$0"; exit; }\nexit 3'
    )
    assert main(["--python", "3.98", "eval", "six"]) == 1
    assert capsys.readouterr().err == (  # not subprocess's message, the whole probe script in it
        f"error: {silent} does not run as a Python interpreter: it exited with status 3, saying"
        " nothing on stderr\n"
    )


def test_a_program_that_is_no_python_or_no_file_is_told_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--python /bin/ls`` printed the whole probe script, which ls quoted back in its
    error; a path to nothing said "cannot read this interpreter"."""
    ls = os.path.realpath("/bin/ls")
    assert main(["--python", "/bin/ls", "eval", "six"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: {ls} does not run as a Python interpreter: ")
    assert err.count("\n") == 1 and "import" not in err and "version_info" not in err
    missing = tmp_path / "not" / "python"
    assert main(["--python", str(missing), "eval", "six"]) == 1
    assert capsys.readouterr().err == f"error: {missing}: no such file\n"


AS_PYTHON_2 = "import sys; sys.version_info = (2, 7, 18, 'final', 0); exec(sys.stdin.read())"


def test_python_is_refused_where_it_would_be_ignored(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """--python, and the other options that choose a set, where a file makes its own."""
    assert main(["--python", THIS, "gc"]) == 1
    assert "`pybuild gc` uses no package set" in capsys.readouterr().err
    (tmp_path / "file.py").write_text("x = 1\n")
    monkeypatch.chdir(tmp_path)
    assert main(["--python", THIS, "build", "-f", "file.py", "x"]) == 1
    assert f"and package_set(python={THIS!r}), or drop --python" in capsys.readouterr().err
    (tmp_path / "r").mkdir()
    (tmp_path / "o.py").write_text("def overlay(final, prev):\n    return {}\n")
    for command in (
        ["build", "--recipes", "r"],
        ["build", "--no-default-recipes", "--recipes", "r"],
        ["run", "--overlay", "o.py", "--python", THIS],
    ):
        assert main([*command, "-f", "file.py", "x"]) == 1
        said = capsys.readouterr().err
        assert "file.py makes its own package set, so --" in said
        # What it says to write works pasted into a file read from another folder.
        imports, call = re.search(r"write in it `(.*)` and (package_set\(.*\)), or", said).groups()
        monkeypatch.chdir("/")
        exec(f"{imports}\npkgs = {call}", {})
        monkeypatch.chdir(tmp_path)
    (tmp_path / "shell.py").write_text("env = 1\n")
    assert main(["shell", "--recipes", str(tmp_path), "--run", "true"]) == 1
    assert "shell.py makes its own package set, so --recipes" in capsys.readouterr().err
    assert main(["--python", THIS, "prefetch", "six==1.17.0"]) == 1
    assert "--python chooses a wheel's interpreter: add --kind wheel" in capsys.readouterr().err


def test_sets_for_two_interpreters_live_side_by_side(use_index: BuildIndex, tmp_path: Path) -> None:
    other = next((v for v in OTHERS if _installed(v)), None)
    if other is None:
        pytest.skip("no CPython besides this one is installed")
    recipes = write_fixture_recipes(tmp_path / "recipes", use_index, ["shout", "greet"])
    here = package_set(recipes=[DEFAULT_RECIPES, recipes])
    there = package_set(python=other, recipes=[DEFAULT_RECIPES, recipes])
    assert there.interpreter.version_xy == other
    assert there.greet.drv.out != here.greet.drv.out
    assert there.greet.drv.name == f"python{other}-greet-1.0"
    assert there.greet.attrs["src"].out == here.greet.attrs["src"].out  # one download


@pytest.mark.parametrize("version", OTHERS)
def test_the_builder_runs_under_each_installed_cpython(
    version: str, use_index: BuildIndex, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """shout (flit-core) and greet (setuptools, needs shout) built with that interpreter: every
    phase, the imports check and greet's script run under it. The first build of shout with
    this interpreter is cached by the evaluation cache; --python must not be answered by it."""
    if _installed(version) is None:
        pytest.skip(f"CPython {version} is not installed")
    recipes = write_fixture_recipes(tmp_path / "recipes", use_index, ["shout", "greet"])
    common = ["--recipes", str(DEFAULT_RECIPES), "--recipes", str(recipes)]
    assert main(["build", "shout", *common]) == 0
    assert f"-python{THIS}-shout-1.0" in capsys.readouterr().out
    assert main(["--python", version, "build", "greet", *common]) == 0, capsys.readouterr().err
    out = Path(capsys.readouterr().out.strip())
    assert out.name.endswith(f"-python{version}-greet-1.0")
    assert (out / "lib" / f"python{version}" / "site-packages" / "greet").is_dir()
    run = subprocess.run([out / "bin" / "greet"], env={}, capture_output=True, text=True)
    assert run.stdout == "HELLO FROM GREET!\n", run.stderr
    assert main(["build", "shout", *common, "--python", version]) == 0
    assert f"-python{version}-shout-1.0" in capsys.readouterr().out


@pytest.mark.network  # the set's recipes on two interpreters: their files, as the index has them
@pytest.mark.parametrize(
    ("attr", "kept"), [("referencing", "rpds-py"), ("pytest_asyncio", "pytest")]
)
def test_a_backport_is_a_dependency_only_below_the_version_that_has_it(
    attr: str, kept: str
) -> None:
    """referencing and pytest-asyncio need typing-extensions below 3.13 alone, as their wheels'
    metadata says (``typing-extensions>=4.4.0; python_version < "3.13"``): uv leaves it out
    on 3.13."""
    if _installed("3.13") is None:
        pytest.skip("CPython 3.13 is not installed")
    names = {
        v: [d.pname for d in getattr(package_set(python=v), attr).dependencies]
        for v in (THIS, "3.13")
    }
    assert "typing-extensions" not in names["3.13"] and kept in names["3.13"]
    assert ("typing-extensions" in names[THIS]) == (sys.version_info < (3, 13))


@pytest.mark.network  # the set's recipes evaluated for 3.10: their files, as the index has them
def test_on_310_every_attribute_can_exist() -> None:
    """annotated-doc, cachetools, more-itertools, pyflakes, soupsieve and typer require 3.11
    in their newest releases: on 3.10 they were unsupported, and so were beautifulsoup4 and
    fipy, which need them. Each returns its last release for 3.10 there (``typer_0_29_1``),
    as pandas returns pandas_2, and numpy built from its sdist builds NumPy 2.2's (2.4's
    requires 3.11)."""
    if _installed("3.10") is None:
        pytest.skip("CPython 3.10 is not installed")
    pkgs = package_set(python="3.10")
    unsupported = []
    for attr in pkgs.packages():
        try:
            assert pkgs[attr].drv.drv_name
        except UnsupportedInterpreter:
            unsupported.append(attr)
    assert unsupported == []
    assert pkgs.typer.drv.drv_name == pkgs.typer_0_29_1.drv.drv_name
    assert (pkgs.typer.version, pkgs.soupsieve.version) == ("0.29.1", "2.10")
    assert pkgs.numpy_from_source.version == pkgs.numpy.version == "2.2.6"


def test_a_hint_that_chooses_an_interpreter_names_both_ways_of_choosing_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``package_set(python="2.7")`` in a script was told to use ``--python 3.10``, a flag of
    the command line it is not running."""
    fake = _script(
        tmp_path / "bin" / "python2.7",
        '[ "$1" = -c ] && { echo "$0"; exit; }\n'
        f'unset PYTHONPATH; exec {REAL} -S -c "{AS_PYTHON_2}"',
    )
    monkeypatch.setenv("PATH", str(fake.parent))
    with pytest.raises(UsageError, match="is too old") as old:
        package_set(python="2.7")
    assert old.value.hint == (
        'use CPython 3.10 or newer: --python 3.10 on the command line, package_set(python="3.10")'
        " in Python, or an interpreter's path"
    )
    with pytest.raises(UsageError, match=r"no interpreter '3\.98'") as missing:
        locate_python("3.98")
    assert missing.value.hint == (
        "install that Python, or give the interpreter's path: --python /path/to/python on the"
        ' command line, package_set(python="/path/to/python") in Python'
    )


def test_a_minor_versions_command_that_runs_another_version_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--python 3.13`` took a ``python3.13`` on ``PATH`` that ran 3.12 and built a 3.12 set
    without a word, where ``--python 3.13.1`` names the release it found."""
    this = ".".join(map(str, sys.version_info[:3]))
    wrong = tmp_path / "bin" / "python3.99"
    wrong.parent.mkdir()
    wrong.symlink_to(sys.executable)
    monkeypatch.setenv("PATH", f"{wrong.parent}{os.pathsep}{os.environ['PATH']}")
    with pytest.raises(
        UsageError, match=rf"no interpreter '3\.99': python3\.99 is {this} \({re.escape(REAL)}\)"
    ) as info:
        package_set(python="3.99")
    assert "--python /path/to/python3.99" in info.value.hint
    assert locate_python(THIS) == locate_python(f"python{THIS}")  # its own version: taken


@pytest.mark.network  # the set's recipes on three platforms: their files, as the index has them
@pytest.mark.parametrize(
    ("tag", "system"),
    [
        ("cp312-cp312-win_amd64", "Windows"),
        ("cp312-cp312-macosx_14_0_arm64", "Darwin"),
        ("cp312-cp312-manylinux_2_17_x86_64", "Linux"),
    ],
)
def test_the_platform_system_a_recipe_reads_and_the_windows_dependencies_it_adds(
    tag: str, system: str
) -> None:
    """pytest, tqdm and typer need colorama on Windows: their recipes list it there, read
    from the platform as the platform_system marker says it (no such dependency was listed,
    and the build's check of declared requirements would have failed there)."""
    from pybuild.pkgset import package_set
    from support.interpreter import FAKE_PYTHON, changed

    python = changed(FAKE_PYTHON, version="3.12.1", tags=(tag, "py3-none-any"))
    assert python.platform_system == system
    pkgs = package_set(python)
    for name in ("pytest", "tqdm", "typer"):
        needs = [p.pname for p in pkgs[name].dependencies]
        assert ("colorama" in needs) == (system == "Windows"), name
    assert pkgs.colorama.attrs["do_check"] == (system != "Windows")  # pytest needs it there


def test_a_profile_refuses_another_interpreters_package_with_a_way_a_profile_has(
    use_index: BuildIndex, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``install -f f.py pkgs312.greet`` into a profile of this interpreter was refused with
    the environment's hint, "make the environment with the python of the set it comes
    from": a profile never changes its interpreter, so the hint names what it can do."""
    other = next((v for v in OTHERS if _installed(v)), None)
    if other is None:
        pytest.skip("no CPython besides this one is installed")
    recipes = write_fixture_recipes(tmp_path / "recipes", use_index, ["shout", "greet"])
    file = tmp_path / "f.py"
    file.write_text(
        "from pybuild import package_set\n"
        "from pybuild.pkgset import DEFAULT_RECIPES\n"
        f"there = package_set(python={other!r}, recipes=[DEFAULT_RECIPES, {str(recipes)!r}])\n"
    )
    monkeypatch.chdir(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "pybuild", "install", "-f", file, "there.shout", "--dry-run"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1, result.stderr
    assert f"but the environment is for cpython {sys.version.split()[0]}" in result.stderr
    hint = " ".join(result.stderr.partition("hint: ")[2].split())
    assert hint.startswith(f"profile default is for Python {sys.version.split()[0]}, which")
    assert f"`pybuild install --profile NAME --python {other}." in hint, hint  # -f: no --python
