"""Searching a package set: what it holds, at which version, what each package is, whether
it is built — read from the recipes alone, building nothing (as ``nix search`` does).

Example::

    >>> from pybuild import package_set
    >>> [(r.attr, r.built) for r in search(package_set(), ["yaml"], store)]
    [('pyyaml', False)]
"""

from __future__ import annotations

import ast
import functools
import os
import re
import stat
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from .errors import UnsupportedInterpreter, UsageError
from .lazy import force

__all__ = ["SearchResult", "rows", "search"]


@dataclass(frozen=True)
class SearchResult:
    """One attribute of the set, as a search shows it."""

    attr: str
    pname: str | None
    version: str | None
    summary: str
    built: bool
    recipe: str | None  # the recipe file, where the attribute comes from one
    # what is wrong with it, said of it ("does not evaluate: …", "is a str, not …"), or None
    error: str | None = None

    def to_json(self) -> dict[str, object]:
        return asdict(self)


def search(pkgs: Any, words: Sequence[str] = (), store: Any = None) -> list[SearchResult]:
    """The packages of `pkgs` whose name or summary matches every word, by name.

    Each word is a regular expression, matched anywhere and case aside, against the name and
    against the summary, as ``nix search`` matches its words (``'^numpy$'`` is numpy alone;
    a plain word matches where it appears). A recipe's summary is the first paragraph of its
    module's docstring (:func:`_summary`), an overlay's value keeping the summary of the
    recipe it takes the place of: nothing is run to find it. A package of an overlay's own
    has its ``meta`` description, which only its evaluation gives. Matches are evaluated
    (for the version and whether the output is valid), not built; one that does not evaluate
    is listed all the same, with its error, as a broken attribute does not end ``nix search``.
    """
    from .store import Store

    store = store or Store.default()
    wanted = [_pattern(word) for word in words]
    found = []
    for attr in pkgs.packages():
        file = pkgs.recipe_file(attr)
        described = file or pkgs.recipe_file(attr, overridden=True)  # an overlay's override
        summary = _summary(str(described)) if described is not None else _described(pkgs, attr)
        if all(w.search(attr) or w.search(summary) for w in wanted):
            found.append(_result(pkgs, attr, summary, file, store))
    return found


def _described(pkgs: Any, attr: str) -> str:
    """The summary of a package no recipe module gives (an overlay's own, or one it renames):
    its ``meta`` description's first line, as ``eval`` shows it; "" for none, or for one
    that does not evaluate (its row says so)."""
    try:
        meta = getattr(force(pkgs[attr]), "meta", None)
    except (KeyboardInterrupt, SystemExit):  # a recipe's GeneratorExit is its error too
        raise
    except BaseException:  # any error of a recipe's, its own BaseException too: its row says it
        return ""
    description = meta.get("description") if isinstance(meta, dict) else None
    return description.strip().split("\n", 1)[0].rstrip(".") if isinstance(description, str) else ""


def _pattern(word: str) -> re.Pattern[str]:
    try:
        return re.compile(word, re.IGNORECASE)
    except re.error as exc:
        raise UsageError(f"{word!r} is not a regular expression: {exc}") from None


def _result(pkgs: Any, attr: str, summary: str, file: Path | None, store: Any) -> SearchResult:
    from .derivations import Derivation
    from .pkgset import a_noun

    pname = version = error = None
    built = False
    try:
        value = force(pkgs[attr])
        pname, version = getattr(value, "pname", None), getattr(value, "version", None)
        drv = getattr(value, "drv", value)
    except UnsupportedInterpreter as exc:  # no fault: a release not made for it (nix: broken)
        error = "is not for this interpreter: " + str(exc).splitlines()[0]
    except (KeyboardInterrupt, SystemExit):  # a recipe's GeneratorExit is its error too
        raise
    except BaseException as exc:  # any error of a recipe's is its row, as in build --all -k
        from .diagnostics import in_a_row  # only a failed evaluation needs it

        error = "does not evaluate: " + in_a_row(exc).splitlines()[0]  # eval says the rest
    else:
        if isinstance(drv, Derivation):
            built = all(store.is_valid(p) for p in drv.output_paths.values())
        else:
            error = f"is {a_noun(type(value).__name__)}, not a derivation or package"
    recipe = str(file) if file else None
    return SearchResult(attr, pname, version, summary, built, recipe, error)


def rows(results: Sequence[SearchResult], columns: int | None = None) -> list[str]:
    """The lines of a search's table: a ``*`` for a built package, its name, version and
    summary. With `columns` (a terminal's width), a summary too long for it is cut at a word,
    ending with "…", so that each row stays one line; without, it is whole (for a reader of
    the output)."""
    width = max((len(r.attr) for r in results), default=0)
    lines = []
    for r in results:
        row = f"{'*' if r.built else ' '} {r.attr:<{width}}  {r.version or '?':<10}  "
        lines.append(row + _cut(r.summary, columns - len(row) if columns else None))
    return lines


def _cut(text: str, room: int | None) -> str:
    """`text` in `room` characters: whole if it fits (or no room is left at all: the row
    overflows anyway), else its words that fit, ending with "…"."""
    if room is None or room < 1 or len(text) <= room:
        return text
    head = text[: room - 1]
    if text[room - 1] != " " and " " in head:  # a word goes on past the cut: leave it out
        head = head.rsplit(" ", 1)[0]
    return head.rstrip(" ,;:(") + "…"


@functools.lru_cache(maxsize=1024)
def _summary(file: str) -> str:
    """The first paragraph of a module's docstring (its lines up to the first blank one,
    joined: a long first sentence is wrapped over several), as text (reST's ````literal````
    marks left out), read without running the module."""
    try:
        if not stat.S_ISREG(os.stat(file).st_mode):  # a pipe's read would wait for ever
            return ""
        doc = ast.get_docstring(ast.parse(Path(file).read_text(encoding="utf-8")))
    except (OSError, SyntaxError, UnicodeDecodeError):
        return ""
    paragraph = doc.strip().split("\n\n", 1)[0] if doc else ""
    return " ".join(paragraph.replace("``", "").split()).rstrip(".")  # reST's literals, as text
