"""BuildOptions refuse a value where the caller writes it, not when a build uses it."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Any

import pytest

from pybuild.buildoptions import BuildOptions
from pybuild.errors import UsageError


@pytest.mark.parametrize("log", ["file.txt", 3, io.BytesIO()])
def test_a_log_that_is_no_text_stream_is_refused_when_the_options_are_made(log: object) -> None:
    """``log="file.txt"`` was taken, and realise failed later with AttributeError: 'str'
    object has no attribute 'write'."""
    with pytest.raises(UsageError, match=r"BuildOptions\(\): log must be a text stream"):
        BuildOptions(log=log)  # type: ignore[arg-type]


def test_a_text_stream_or_none_is_a_log() -> None:
    assert BuildOptions().log is None
    stream = io.StringIO()
    assert BuildOptions(log=stream).log is stream
    with open(os.devnull, "w") as devnull:
        assert BuildOptions.from_settings(log=devnull).log is devnull


def test_a_log_without_flush_is_refused() -> None:
    """The progress lines are written and flushed one by one: an object that only writes
    failed at the first line."""

    class WritesOnly:
        def write(self, text: str) -> int:
            return len(text)

    with pytest.raises(UsageError, match="log must be a text stream"):
        BuildOptions(log=WritesOnly())  # type: ignore[arg-type]


def _closed() -> io.StringIO:
    stream = io.StringIO()
    stream.close()
    return stream


_READ_ONLY = "not a stream that cannot be written (opened for reading?)"


@pytest.mark.parametrize(
    ("make", "said"),
    [
        (lambda tmp: open(tmp, encoding="utf-8"), _READ_ONLY),  # noqa: SIM115 - closed below
        (lambda tmp: _closed(), "not a closed stream"),
        (lambda tmp: io.TextIOWrapper(io.BufferedReader(io.BytesIO(b"x"))), _READ_ONLY),
    ],
    ids=["opened-for-reading", "closed", "read-only-wrapper"],
)
def test_a_stream_that_cannot_be_written_now_is_refused(
    make: Any, said: str, tmp_path: Path
) -> None:
    """A file opened for reading, or a closed one, was taken, and realise failed at its
    first line with io.UnsupportedOperation: not writable or ValueError: I/O operation on
    closed file."""
    file = tmp_path / "ro.txt"
    file.write_text("")
    stream = make(file)
    try:
        with pytest.raises(UsageError, match=r"BuildOptions\(\): log must be a text stream") as err:
            BuildOptions(log=stream)
        assert str(err.value).endswith(said)
    finally:
        stream.close()
