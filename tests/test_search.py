"""``pybuild search``'s summaries: a recipe's docstring's first paragraph, whole, matched
against the words; cut at a word, with "…", only where a terminal's width cuts the row."""

from __future__ import annotations

from pathlib import Path

from pybuild.search import SearchResult, rows, search

RECIPE = '''\
"""Flaskish, a web framework whose first sentence is wrapped (its conftest uses
``monkeypatch``); from its wheel.

Its second paragraph is no part of the summary: "secondpara" matches nothing.
"""
'''


class Recipes:
    """A set of one recipe, `file`, as search reads a set (what it evaluates to is no
    derivation: search lists it all the same, with that said)."""

    def __init__(self, file: Path) -> None:
        self.file = file

    def packages(self) -> list[str]:
        return ["flaskish"]

    def recipe_file(self, attr: str) -> Path:
        return self.file

    def __getitem__(self, attr: str) -> str:
        return "not a package"


def test_the_summary_is_the_docstrings_first_paragraph_and_matched_whole(tmp_path: Path) -> None:
    file = tmp_path / "flaskish.py"
    file.write_text(RECIPE)
    recipes = Recipes(file)
    [found] = search(recipes, ["wheel"], store=object())  # a word of the docstring's 2nd line
    assert found.summary == (
        "Flaskish, a web framework whose first sentence is wrapped (its conftest uses"
        " monkeypatch); from its wheel"  # reST's literal marks left out, as in plain text
    )
    assert search(recipes, ["secondpara"], store=object()) == []


def test_a_row_too_wide_for_the_terminal_is_cut_at_a_word() -> None:
    summary = "pytest 8, for test suites that pytest 9 broke (flask's conftest uses it)"
    results = [SearchResult("pytest_8", "pytest", "8.4.2", summary, True, None)]
    [whole] = rows(results)
    assert whole == f"* pytest_8  8.4.2       {summary}"
    [cut] = rows(results, columns=60)
    assert cut == "* pytest_8  8.4.2       pytest 8, for test suites that…"  # not "pyte"
    assert len(cut) <= 60
    [fits] = rows(results, columns=len(whole))
    assert fits == whole
