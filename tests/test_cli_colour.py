"""The colours of the command line's own last words: its ``error:`` line is coloured as the
progress display colours the errors and warnings it tells, under the same ``--color``."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

from pybuild import evalcache
from pybuild.cli import main

RED_ERROR = "\x1b[31merror\x1b[0m: "


class Terminal(io.StringIO):
    """Standard error on a terminal, kept."""

    def isatty(self) -> bool:
        return True


@pytest.fixture
def missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A file no command can evaluate: each command line below fails with an error."""
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    return str(tmp_path / "missing.py")


@pytest.mark.parametrize("where", [["--color", "always", "build"], ["build", "--color", "always"]])
def test_color_always_colours_the_error_line_in_a_pipe_too(
    where: list[str], missing: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """--color always coloured the build's lines, never the error that ended it."""
    assert main([*where, "-f", missing, "x"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(RED_ERROR) and "no such file" in err.splitlines()[0]


def test_the_error_line_is_plain_unless_colours_are_on(
    missing: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Plain in a pipe (auto), with --color never, with NO_COLOR on a terminal, and the
    traceback of --show-trace as Python prints it; coloured on a terminal (auto)."""
    assert main(["build", "-f", missing, "x"]) == 1
    assert capsys.readouterr().err.startswith("error: ")
    assert main(["build", "--color", "always", "--show-trace", "-f", missing, "x"]) == 1
    assert capsys.readouterr().err.startswith("Traceback (most recent call last):")
    told = []
    for how, no_color in ((["--color", "auto"], None), (["--color", "never"], None), ([], "1")):
        if no_color:
            monkeypatch.setenv("NO_COLOR", no_color)
        terminal = Terminal()
        monkeypatch.setattr(sys, "stderr", terminal)
        assert main(["build", *how, "-f", missing, "x"]) == 1
        told.append(terminal.getvalue())
    assert told[0].startswith(RED_ERROR)
    assert told[1].startswith("error: ") and told[2].startswith("error: ")


YELLOW_WARNING = "\x1b[33mwarning\x1b[0m: "


def test_the_errors_and_warnings_a_command_tells_beside_its_builds_are_coloured_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """build -k's error for each failed attribute and search's warning of a recipe that does
    not evaluate were plain under --color always; they are coloured as the final error is,
    and stay plain without it."""
    monkeypatch.setenv("PYBUILD_SANDBOX", "false")
    monkeypatch.setenv("PYBUILD_BUILD_USERS", "false")
    file = tmp_path / "fail.py"
    file.write_text(
        "from pybuild import derivation\n"
        "bad = derivation(name='bad', builder='/bin/sh', args=['-c', 'exit 4'])\n"
        "good = derivation(name='good', builder='/bin/sh', args=['-c', 'echo ok > $out'])\n"
    )
    assert main(["--color", "always", "build", "-k", "-f", str(file), "bad", "good"]) == 1
    lines = capsys.readouterr().err.splitlines()
    assert any(line.startswith(f"{RED_ERROR}bad: build of bad failed") for line in lines), lines
    assert main(["build", "-k", "-f", str(file), "bad", "good"]) == 1
    plain = capsys.readouterr().err.splitlines()
    assert any(line.startswith("error: bad: build of bad failed") for line in plain), plain
    recipes = tmp_path / "recipes"
    recipes.mkdir()
    (recipes / "broken.py").write_text("def recipe():\n    raise ValueError('no')\n")
    search = ["search", "--no-default-recipes", "--recipes", str(recipes)]
    main(["--color", "always", *search])
    assert capsys.readouterr().err.startswith(f"{YELLOW_WARNING}broken does not evaluate")
    main(search)
    assert capsys.readouterr().err.startswith("warning: broken does not evaluate")


WARNS = """\
from pybuild import derivation
from pybuild.generate.plan import tell_notes

# What a pypi: plan tells as the evaluation makes it (a yanked release taken, a wheel taken)
tell_notes([("pybuild: warning: alpha 1.0 was yanked", True), ("pybuild: beta: a wheel", False)])
good = derivation(name="good", builder="/bin/sh", args=["-c", "echo ok > $out"])
"""


def test_the_lines_a_pypi_plan_tells_of_itself_are_coloured_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A pypi: plan's ``pybuild: warning: …``, told from deep within the evaluation where no
    command line is at hand, was plain under --color always; its status word is coloured as
    the command's other warnings are, when the evaluation record tells it again too, and the
    line stays as it was without colours (a note, not a warning, is never coloured)."""
    monkeypatch.setenv("PYBUILD_SANDBOX", "false")
    monkeypatch.setenv("PYBUILD_BUILD_USERS", "false")
    monkeypatch.setattr(evalcache, "_SETTLED_NS", 0)  # what was just written may be recorded
    file = tmp_path / "warns.py"
    file.write_text(WARNS)
    build = ["build", "-f", str(file), "good"]
    coloured = f"pybuild: {YELLOW_WARNING}alpha 1.0 was yanked\n"
    plain = "pybuild: warning: alpha 1.0 was yanked\n"
    assert main(["--color", "always", *build]) == 0
    assert f"{coloured}pybuild: beta: a wheel\n" in capsys.readouterr().err
    assert main(["--color", "always", *build]) == 0  # the record tells its warnings again
    assert capsys.readouterr().err == coloured
    assert main(build) == 0
    assert capsys.readouterr().err == plain
    assert main(["--color", "never", "eval", "-f", str(file), "good.name"]) == 0
    assert f"{plain}pybuild: beta: a wheel\n" in capsys.readouterr().err


def test_an_imported_files_warnings_are_coloured_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``pybuild import`` told what it ignores in the file it imports (``--no-index``) plain
    under --color always."""
    from pybuild.errors import UsageError
    from pybuild.generate import folder

    def resolve(*args: object, **kwargs: object) -> None:
        raise UsageError("resolution stopped by the test")

    monkeypatch.setattr(folder, "get_plan", resolve)
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("six\n--no-index\n")
    command = ["import", str(requirements), "-o", str(tmp_path / "out")]
    told = f"{requirements}:2: --no-index is a pip option pybuild ignores"
    assert main(["--color", "always", *command]) == 1
    assert capsys.readouterr().err.startswith(f"pybuild: {YELLOW_WARNING}{told}")
    assert main(command) == 1
    assert capsys.readouterr().err.startswith(f"pybuild: warning: {told}")
