"""Help and usage texts: each says what it means, of the command it is for."""

from __future__ import annotations

import pytest

from pybuild.cli import main


def test_search_help_says_what_a_question_mark_is(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["search", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert (
        "a * before a row marks a package already built, and a ? in place of its version one"
        " whose version is not known" in text
    )


def test_a_word_config_show_does_not_take_is_told_with_its_usage(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["config", "show", "jobs"])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: pybuild config show ")
    assert "pybuild config show: error: unrecognized arguments: jobs" in err
