"""A build whose log cannot be written (the disk is full) keeps its error: the builder's last
lines are kept in memory as well, quoted by the error, which says the log is incomplete and
that the disk is full. ``/dev/full`` stands for the full disk: every write to it fails with
ENOSPC, as one to a full tmpfs does; a build's log is made to fail as that does (a link to
``/dev/full`` would be read back without end)."""

from __future__ import annotations

import errno
import io
import os
from pathlib import Path

import pytest

from pybuild import processes
from pybuild.derivations import derivation
from pybuild.errors import BuildError
from pybuild.realiser import BuildOptions, realise
from pybuild.store import Store

pytestmark = pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")


def test_a_builders_output_is_kept_when_its_log_cannot_be_written(tmp_path: Path) -> None:
    argv = ["/bin/sh", "-c", "echo first; echo 'head: No space left on device' >&2"]
    with (
        open("/dev/full", "wb") as log,
        processes.start(argv, cwd=tmp_path, env={"T": "1"}, log=log, tag="T=1") as builder,
    ):
        builder.wait(timeout=None)
    assert builder.output.text() == "first\nhead: No space left on device\n"
    assert builder.output.write_error is not None
    assert builder.output.write_error.errno == errno.ENOSPC


def full_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every write of a builder's log fails as on a full disk."""

    def fails(fd: int, data: memoryview) -> int:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(processes, "_write_log", fails)


def test_a_build_on_a_full_disk_quotes_its_builder_and_says_the_disk_is_full(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    script = "echo 'head: error writing: No space left on device' >&2; exit 1"
    drv = derivation(name="base", builder="/bin/sh", args=["-c", script], store=store)
    full_disk(monkeypatch)
    with pytest.raises(BuildError) as raised:
        realise([drv], store, BuildOptions(log=io.StringIO()))
    error = raised.value
    assert "head: error writing: No space left on device" in error.tail
    assert "its log could not be written whole (No space left on device)" in error.reason
    assert error.hint.startswith("the disk the build wrote to is full")


def test_a_full_disk_is_hinted_at_when_only_the_log_says_so(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A builder that printed nothing of the disk: the failed write of its log tells."""
    script = "echo building; exit 1"
    drv = derivation(name="base", builder="/bin/sh", args=["-c", script], store=store)
    full_disk(monkeypatch)
    with pytest.raises(BuildError) as raised:
        realise([drv], store, BuildOptions(log=io.StringIO()))
    assert raised.value.tail == "building"
    assert raised.value.hint.startswith("the disk the build wrote to is full")
