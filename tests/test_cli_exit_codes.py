"""A word of the command line that cannot be read exits 2, as the README says and argparse's
own refusals (``switch-generation abc``, ``build -j -1``) do; 1 is for what was read and
then failed."""

from __future__ import annotations

import pytest

from pybuild.cli import main


def status_of(*argv: str) -> object:
    """The exit status of the command line, whether returned or raised (argparse's)."""
    try:
        return main(list(argv))
    except SystemExit as exc:
        return exc.code


@pytest.mark.parametrize(
    ("argv", "told"),
    [
        (["prefetch", "six"], "error: 'six': write NAME==VERSION"),
        (["search", "("], "error: '(' is not a regular expression: missing )"),
        (
            ["eval", "--option", "jobs", "abc", "six"],
            "error: invalid value 'abc' for setting 'jobs' from --option: expected an integer",
        ),
        (
            ["--option", "jobs", "-1", "eval", "six"],
            "error: invalid value -1 for setting 'jobs' from --option: must be at least 0",
        ),
    ],
)
def test_a_value_that_cannot_be_read_exits_2(
    argv: list[str], told: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert status_of(*argv) == 2
    assert capsys.readouterr().err.startswith(told)


@pytest.mark.parametrize("word", ["abc", "-1", "1.5"])
def test_jobs_that_are_no_number_are_told_alike(
    word: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """``-j abc`` was "invalid _jobs value: 'abc'", naming a function of pybuild's."""
    assert status_of("build", "-j", word, "six") == 2
    assert (
        f"argument -j/--jobs: {word} is no number of builds: give 0 or more"
        in capsys.readouterr().err
    )
