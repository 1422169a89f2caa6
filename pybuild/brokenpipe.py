"""Output to a reader that has gone away: ``pybuild search | head -2``.

Python ignores SIGPIPE, so a write to a pipe whose reader has closed raises BrokenPipeError
where a C program would end quietly (the Python docs' "Note on SIGPIPE"). The two standard
streams are treated apart, because they carry different things:

- standard output carries results: once its reader is gone nobody wants the rest, so the
  command stops there and exits quietly with 141 (128 + SIGPIPE), as ``cat`` would;
- standard error carries the plan, progress, messages and warnings: a write there that fails
  must never abort the work (``pybuild install … 2>&1 | head -5`` would stop a build half
  done), so the stream goes to /dev/null and the command goes on, its exit status its own (as
  Nix ignores failing writes to standard error). So it does when its terminal was closed
  (EIO): the command, interrupted by the SIGHUP that came with it, cleans up and exits 129.
"""

from __future__ import annotations

import io
import os
import sys

TYPE_CHECKING = False  # typing: an import no command needs at run time
if TYPE_CHECKING:
    from typing import TextIO

    from _typeshed import ReadableBuffer

__all__ = ["CLOSED_STATUS", "guard_stderr", "output_closed", "quiet_exit", "restore_stderr"]

CLOSED_STATUS = 141  # 128 + SIGPIPE: what a shell reports for a command its pipe ended


class _Forgiving(io.FileIO):
    """Standard error's file: once its reader is gone, what is written goes to /dev/null."""

    def write(self, data: ReadableBuffer, /) -> int:
        try:
            return super().write(data)
        except OSError as exc:
            import errno

            # EIO: a terminal hung up (closed), which ends the command with SIGHUP: its clean-up
            # and its exit status must not fail on what it says meanwhile.
            if not isinstance(exc, BrokenPipeError) and exc.errno != errno.EIO:
                raise
            _to_devnull(self.fileno())
            return memoryview(data).nbytes  # taken: the caller must not try again


def guard_stderr() -> TextIO | None:
    """Make ``sys.stderr`` forgiving (see the module's docstring); the stream it replaced, to
    give back with :func:`restore_stderr`, or None when ``sys.stderr`` is not the process's
    own (a test capturing it, a caller that redirected it)."""
    stderr = sys.__stderr__
    if stderr is None or sys.stderr is not stderr:
        return None
    try:
        fd = stderr.fileno()
        stderr.flush()
    except (OSError, ValueError):
        return None
    raw = _Forgiving(fd, "w", closefd=False)
    sys.stderr = io.TextIOWrapper(
        io.BufferedWriter(raw),
        encoding=stderr.encoding,
        errors=stderr.errors,
        line_buffering=True,
        write_through=True,
    )
    return stderr


def restore_stderr(replaced: TextIO | None) -> None:
    """Give back the stream :func:`guard_stderr` replaced (a no-op for None)."""
    if replaced is None:
        return
    sys.stderr.flush()
    sys.stderr = replaced


def output_closed(exc: BaseException) -> bool:
    """Whether `exc` is a write to standard output whose reader has gone. A BrokenPipeError
    from anything else (a remote builder's pipe) is an error to report, so standard output
    itself is asked: a pipe with no reader left polls as an error, a closed socket as hung
    up."""
    if not isinstance(exc, BrokenPipeError):
        return False
    import select

    poller = select.poll()
    try:
        poller.register(sys.__stdout__.fileno() if sys.__stdout__ else 1, select.POLLOUT)
    except (OSError, ValueError):
        return False
    return any(events & (select.POLLERR | select.POLLHUP) for _, events in poller.poll(0))


def quiet_exit() -> int:
    """Point standard output at /dev/null, so that what is still buffered for it goes there
    when Python exits (instead of 'Exception ignored … BrokenPipeError'); the exit status."""
    _to_devnull(sys.__stdout__.fileno() if sys.__stdout__ else 1)
    return CLOSED_STATUS


def _to_devnull(fd: int) -> None:
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
    finally:
        os.close(devnull)
