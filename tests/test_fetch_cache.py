"""The record of where release files are (``var/cache/fetch-pypi.json``), shared by every
pybuild process of a home: what one remembers, no other may lose."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING

import pytest

from pybuild import fetchers
from pybuild.fetchers import find_pypi_file, remember_file
from pybuild.hashing import hash_bytes

if TYPE_CHECKING:
    from multiprocessing.synchronize import Barrier

WRITERS, EACH = 8, 25


def file_of(writer: int, i: int) -> tuple[str, str, str, str]:
    """A file's hash, project, version and name (its URL too)."""
    name = f"p{writer}-{i}.tar.gz"
    return hash_bytes(name.encode()).sri, f"p{writer}", str(i), name


def remember(writer: int, i: int) -> None:
    sri, pname, version, name = file_of(writer, i)
    remember_file(sri, pname, version, "sdist", name, name)


def remember_many(writer: int, start: Barrier) -> None:
    """One process's files, remembered one call (one rewrite of the record) at a time."""
    start.wait()
    for i in range(EACH):
        remember(writer, i)


def remembered(writer: int, i: int) -> bool:
    """Whether the file is found without the index (there is none to ask)."""
    sri, pname, version, name = file_of(writer, i)
    try:
        return find_pypi_file(pname, version, sri, "sdist", None).url == name
    except Exception:
        return False


@pytest.fixture
def no_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file not remembered is an error, never a question to a real index."""
    monkeypatch.setenv("PIP_INDEX_URL", (tmp_path / "nowhere").as_uri())
    monkeypatch.setenv("PIP_EXTRA_INDEX_URL", "")


@pytest.mark.usefixtures("no_index")
def test_concurrent_writers_lose_no_entry(pybuild_home: Path) -> None:
    """Each writer reads the record, adds its entry and replaces the file: without taking
    turns, two that read the same old file each drop the other's entry, and a later
    evaluation pinning that file needs the index again."""
    context = multiprocessing.get_context("fork")  # the test's PYBUILD_HOME, and quick
    start = context.Barrier(WRITERS)
    writers = [context.Process(target=remember_many, args=(w, start)) for w in range(WRITERS)]
    for process in writers:
        process.start()
    for process in writers:
        process.join(timeout=60)
        assert process.exitcode == 0
    assert (pybuild_home / "var" / "cache" / "fetch-pypi.json").is_file()
    lost = [(w, i) for w in range(WRITERS) for i in range(EACH) if not remembered(w, i)]
    assert lost == []


@pytest.mark.usefixtures("no_index")
def test_the_parsed_record_is_kept_while_the_file_is_unchanged(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What this process wrote is not parsed again; a file another process replaced is."""
    remember(0, 0)
    parses: list[str] = []
    counting = SimpleNamespace(
        loads=lambda text: parses.append(text) or json.loads(text), dumps=json.dumps
    )
    monkeypatch.setattr(fetchers, "json", counting)
    assert remembered(0, 0) and remembered(0, 0)
    assert parses == []
    other = multiprocessing.get_context("fork").Process(target=remember, args=(1, 0))
    other.start()
    other.join(timeout=60)
    assert other.exitcode == 0
    assert remembered(1, 0) and remembered(0, 0)
    assert len(parses) == 1
