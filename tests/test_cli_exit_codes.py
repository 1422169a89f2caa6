"""A word of the command line that cannot be read exits 2, as the README says and argparse's
own refusals (``switch-generation abc``, ``build -j -1``) do; 1 is for what was read and
then failed."""

from __future__ import annotations

import pytest
from test_cli_mistakes import status_of  # the exit status, returned or raised


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


@pytest.mark.parametrize(
    "argv",
    [
        ["gc", "--python", "3.12"],
        ["list", "--python", "3.12"],
        ["hash", "/tmp", "--python", "3.12"],
        ["hash", "--python", "3.12", "/tmp"],
        ["hash", "--python=3.12", "/tmp"],
        ["--python", "3.12", "hash", "/tmp"],
    ],
)
def test_python_after_a_command_without_a_package_set_is_told_as_before_it(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """Told "unrecognized arguments: --python 3.12 (did you mean '--option'?)", or with
    ``hash --python 3.12 /tmp``, 3.12 was taken for the path and /tmp refused."""
    command = argv[2] if argv[0] == "--python" else argv[0]
    assert status_of(*argv) == 1
    assert capsys.readouterr().err == (
        f"error: --python chooses the package set's interpreter; `pybuild {command}` uses no"
        " package set\n"
    )
