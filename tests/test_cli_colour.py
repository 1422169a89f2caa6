"""The colours of the command line's own last words: its ``error:`` line is coloured as the
progress display colours the errors and warnings it tells, under the same ``--color``."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

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
