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

Standard output that fails for another reason is an error, told as its own
(:class:`~pybuild.errors.OutputFailed`): one closed before pybuild started (``>&-``), whose
file descriptor the next file opened would otherwise take, so that the builders' output went
into a file of the store's; or a file that is full (``>/dev/full``), which would otherwise be
told as the home's filesystem full.
"""

from __future__ import annotations

import io
import os
import sys

TYPE_CHECKING = False  # typing: an import no command needs at run time
if TYPE_CHECKING:
    from typing import TextIO

    from _typeshed import ReadableBuffer

    from .errors import OutputFailed

__all__ = [
    "CLOSED_STATUS",
    "guard_streams",
    "output_closed",
    "output_failed",
    "quiet_exit",
    "restore_streams",
]

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


class _Told(io.FileIO):
    """Standard output's file: a write that fails, but for its reader gone, raises
    :class:`~pybuild.errors.OutputFailed` once; what is written after it is dropped, so that
    the error is told once, and the clean-up after it is not cut short. A reader gone raises
    BrokenPipeError once, and the rest is dropped too: closing the stream writes its buffer
    again, which Python 3.13 does as soon as :func:`restore_streams` lets go of it, before
    :func:`quiet_exit`."""

    closed_at_start = False  # fd 1 was closed: it holds /dev/null, and every write fails
    failed = False

    def write(self, data: ReadableBuffer, /) -> int:
        if self.failed:
            return memoryview(data).nbytes
        try:
            if self.closed_at_start:
                import errno

                raise OSError(errno.EBADF, os.strerror(errno.EBADF))
            return super().write(data)
        except OSError as exc:
            self.failed = True  # told once: what is written after it is dropped
            if isinstance(exc, BrokenPipeError):
                raise
            raise output_failed(exc, closed=self.closed_at_start) from exc


_Replaced = tuple["TextIO | None", "TextIO | None", bool]


def guard_streams() -> _Replaced:
    """Make ``sys.stderr`` forgiving and ``sys.stdout`` tell its failures (see the module's
    docstring); what :func:`restore_streams` needs to give them back. A stream that is not
    the process's own (a test capturing it, a caller that redirected it) is left alone."""
    closed = sys.stdout is None and sys.__stdout__ is None
    if closed:
        _to_devnull(1)  # taken before any file is opened: never a store's file on fd 1
    return _guard(sys.stdout, sys.__stdout__, 1, closed), _guard_stderr(), closed


def _guard(stream: TextIO | None, own: TextIO | None, fd: int, closed: bool) -> TextIO | None:
    """Put a :class:`_Told` writer in place of standard output; the stream it replaced."""
    if not closed:
        if own is None or stream is not own:
            return None
        try:
            own.flush()
        except (OSError, ValueError):
            return None
    raw = _Told(fd, "w", closefd=False)
    raw.closed_at_start = closed
    sys.stdout = io.TextIOWrapper(
        io.BufferedWriter(raw),
        encoding=own.encoding if own else "utf-8",
        errors=own.errors if own else "strict",
        line_buffering=bool(own and own.line_buffering),
    )
    return own


def _guard_stderr() -> TextIO | None:
    """Make ``sys.stderr`` forgiving; the stream it replaced."""
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


def restore_streams(replaced: _Replaced) -> None:
    """Give back the streams :func:`guard_streams` replaced."""
    stdout, stderr, closed = replaced
    if stdout is not None or closed:
        try:
            sys.stdout.flush()  # what is left (the help text): its failure is the caller's
        finally:
            sys.stdout = stdout  # type: ignore[assignment]  # None again for a closed one
    if stderr is not None:
        sys.stderr.flush()
        sys.stderr = stderr


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


def output_failed(exc: Exception, closed: bool = False) -> OutputFailed:
    """`exc`, an error writing to standard output, told as standard output's: with the file
    it goes to, when that is a file (``/dev/full``), not a pipe or a terminal's. Anything
    else is raised again: a bug."""
    from .errors import OutputFailed

    if isinstance(exc, OutputFailed):
        return exc
    if not isinstance(exc, OSError):
        raise exc
    return OutputFailed(None if closed else _file_of(1), exc.strerror or str(exc), closed)


def _file_of(fd: int) -> str | None:
    """The file `fd` writes to, when it is one (not a pipe, a socket or /dev/null)."""
    try:
        target = os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        return None
    return target if target.startswith("/") and target != os.devnull else None


def quiet_exit() -> int:
    """Point standard output at /dev/null, so that what is still buffered for it goes there
    when Python exits (instead of 'Exception ignored … BrokenPipeError'); the exit status."""
    _to_devnull(sys.__stdout__.fileno() if sys.__stdout__ else 1)
    return CLOSED_STATUS


def _to_devnull(fd: int) -> None:
    devnull = os.open(os.devnull, os.O_WRONLY)
    if devnull == fd:  # `fd` was closed, and the open took it
        return
    try:
        os.dup2(devnull, fd)
    finally:
        os.close(devnull)
