"""Core metadata: which requirements apply in an environment, and for which extra."""

from __future__ import annotations

import pytest
from packaging.requirements import Requirement

from pybuild.generate import metadata
from pybuild.generate.errors import InvalidMetadata
from pybuild.generate.metadata import parse_metadata

LINUX = {"python_version": "3.11", "python_full_version": "3.11.7", "sys_platform": "linux"}

TEXT = """Metadata-Version: 2.1
Name: app
Version: 1.0
Provides-Extra: a
Provides-Extra: b
Requires-Dist: base
Requires-Dist: windows; sys_platform == "win32"
Requires-Dist: only-a; extra == "a"
Requires-Dist: a-on-windows; extra == "a" and sys_platform == "win32"
Requires-Dist: a-or-linux; extra == "a" or sys_platform == "linux"
Requires-Dist: not-a; extra != "a"
Requires-Dist: only-b; extra == "b"
"""


def names(requirements: list[Requirement]) -> list[str]:
    return [r.name for r in requirements]


def test_an_extra_adds_the_requirements_true_with_it_and_false_without_it() -> None:
    meta = parse_metadata(TEXT, "wheel")

    assert names(meta.requirements(LINUX)) == ["base", "a-or-linux", "not-a"]
    assert names(meta.requirements(LINUX, "a")) == ["only-a"]
    assert names(meta.requirements(LINUX, "b")) == ["only-b"]
    assert names(meta.requirements({**LINUX, "sys_platform": "win32"}, "a")) == [
        "only-a",
        "a-on-windows",
        "a-or-linux",
    ]
    assert names(meta.requirements(LINUX, "c")) == []


def test_a_releases_requirements_are_parsed_once_however_often_they_are_asked_for(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The resolver asks for a candidate's again as it backtracks, and a lock for every extra
    of every requirement: ray's 295 were parsed 87,623 times for one lock."""
    parsed: list[str] = []

    class Counted(Requirement):
        def __init__(self, text: str) -> None:
            parsed.append(text)
            super().__init__(text)

    monkeypatch.setattr(metadata, "Requirement", Counted)
    meta = parse_metadata(TEXT, "wheel")
    for env in (LINUX, {**LINUX, "sys_platform": "win32"}):
        for extra in (None, "a", "b", None, "a", "b"):
            meta.requirements(env, extra)
    assert meta.invalid() is None

    assert sorted(parsed) == sorted(meta.requires_dist)


def test_a_requirement_that_does_not_parse_is_told_each_time_it_is_asked_for() -> None:
    meta = parse_metadata(TEXT + "Requires-Dist: not a requirement!\n", "wheel")

    for _ in range(2):
        with pytest.raises(InvalidMetadata, match="not a requirement!"):
            meta.requirements(LINUX)
    assert isinstance(meta.invalid(), InvalidMetadata)
