"""What a realisation tells its user while it runs: the plan, each build, and the time it took.

Nix prints what it will do before doing it ("these 7 derivations will be built") and, in a
terminal, a live status line; a long build must never look hung. The realiser reports four
kinds of event to a :class:`Progress`; the command line picks how they are shown:

- :class:`Lines`: one plain line per event, for pipes, logs and CI (and the library's default);
- :class:`Live`: on a terminal, a live status of the running builds with a counter
  (``[3/7]``) and their elapsed times, finished builds printed above it with their times
  (the rich library draws it);
- ``quiet``: only warnings and errors (``-q``).

Example::

    >>> progress = Lines(sys.stdout)
    >>> progress.planned(builds=2, downloads=1, copies=0)
    3 derivations will be made: 2 built, 1 downloaded
    >>> progress.started("hello", "…-hello.drv", "building")
    [1/3] building hello (…-hello.drv)
"""

from __future__ import annotations

import os
import sys
import threading
import time

TYPE_CHECKING = False  # typing: an import no command needs at run time
if TYPE_CHECKING:
    from typing import Protocol, TextIO

    from rich.text import Text

    from .results import Status
else:
    Protocol = object  # what Progress is matters to the checker only

__all__ = ["Lines", "Live", "Progress", "close_all", "for_stream"]


class Progress(Protocol):
    """Where the realiser's events go."""

    def planned(self, builds: int, downloads: int, copies: int) -> None: ...

    def started(self, name: str, drv_name: str, verb: str) -> None:
        """A build starts; a derivation started again (retried here after a remote builder
        failed) is still one of the plan's."""

    def finished(self, name: str, status: Status, seconds: float) -> None:
        """A derivation is done; `seconds` count from when the realiser took it, so a build
        that was ``started`` is timed from its start instead (see :func:`_since`)."""

    def replanned(self, drv_name: str, added: int) -> None:
        """A copy from a cache failed: `drv_name` is built instead, a step of its own after
        the copy's (numbered anew if the copy was ``started``), once the `added` derivations
        a plan made again adds (the inputs the first plan left to the cache) are made. The
        counter's total grows by them all, so its number only goes up."""

    def message(self, text: str) -> None: ...

    def close(self) -> None: ...


def plan_line(builds: int, downloads: int, copies: int, more: bool = False) -> str:
    """The plan in one line: ``7 derivations will be made: 5 built, 2 downloaded``, ``1
    derivation will be built``; with `more`, what a plan made again as the build runs adds
    (``2 more derivations will be built``). Derivations are what the plan counts, so the
    line says so: a copy from a cache brings a derivation's outputs with all they refer to,
    often more paths than derivations (``2 derivations' outputs will be copied from a binary
    cache, with what they refer to``, and then 9 paths are)."""
    kinds = [
        (n, what)
        for n, what in (
            (builds, "built"),
            (downloads, "downloaded"),
            (copies, "copied from a cache"),
        )
        if n
    ]
    total = builds + downloads + copies
    if len(kinds) == 1 and copies:
        owner = "derivation's" if copies == 1 else "derivations'"
        return (
            f"{copies}{' more' * more} {owner} outputs will be copied from a binary cache, with"
            " what they refer to"
        )
    noun = f"{total}{' more' * more} derivation{'' if total == 1 else 's'}"
    if len(kinds) == 1:
        return f"{noun} will be {kinds[0][1]}"
    return f"{noun} will be made: {', '.join(f'{n} {what}' for n, what in kinds)}"


def done_line(name: str, status: Status, seconds: float, started: str = "building") -> str:
    """``built NAME in 1.2 s``; a download (`started` as ``fetching``) is ``fetched``."""
    return f"{_done_verb(status, started)} {name} in {_seconds(seconds)}"


def _done_verb(status: Status, started: str) -> str:
    verb = {"built": "built", "substituted": "copied from a cache", "valid": "already valid"}
    done = "fetched" if started == "fetching" and status == "built" else None
    return done or verb.get(str(status), str(status))


# The colours of the plain lines' status words (SGR codes), as the live display's.
_GREEN, _YELLOW, _RED, _RESET = "\x1b[32m", "\x1b[33m", "\x1b[31m", "\x1b[0m"
# What starts the lines a pypi: plan tells of itself (``pybuild: warning: …``), printed among
# a build tool's own while its sdists' metadata are prepared; its status word is after it.
_OURS = "pybuild: "
# The --color of the running command (:func:`use_color`), for the lines told from deep within
# it, where no command line is at hand: a pypi: plan's warnings, told as evaluation makes it.
_COMMAND = {"color": "auto"}


def _status_word(text: str) -> str:
    """The status word `text` starts with, ``error`` or ``warning``, which both displays
    colour; "" for a line that starts with neither, whatever it says further on."""
    return next((word for word in ("error", "warning") if text.startswith(word)), "")


def _painted(text: str, word: str, color: str) -> str:
    """`text`, whose start is `word`, with that word in `color`."""
    return f"{color}{word}{_RESET}{text.removeprefix(word)}"


def _since(started: float | None, seconds: float) -> float:
    """A build's time: from when it `started` (its ``started`` event), if it was told; else
    the realiser's `seconds`, which count from when it took the derivation and so include
    the wait for a free slot, a remote builder or another process's lock."""
    return seconds if started is None else time.monotonic() - started


def _started_as(name: str) -> str:
    """The name a finished derivation was started under: a copy ends as ``app (2 path(s),
    1.2 KiB from URL)``, what it copied after its derivation name, in which no space can
    be (a store path's name)."""
    return name.partition(" ")[0]


def _seconds(seconds: float) -> str:
    return f"{seconds:.1f} s" if seconds < 60 else f"{int(seconds // 60)} min {seconds % 60:.0f} s"


class Lines:
    """Plain lines on a stream: one for the plan, one as each build starts and as it ends.

    With `color` (``--color always`` in a pipe or a CI log, which shows colours, or a
    terminal under ``-v``), each line's status word is coloured: ``built`` green,
    ``warning`` yellow and ``error`` red; nothing is drawn in place.
    """

    def __init__(
        self, stream: TextIO | None = None, quiet: bool = False, color: bool = False
    ) -> None:
        self._stream, self._quiet, self._color = stream, quiet, color
        self._total = self._started = 0
        # Each derivation's number in the counter: one started again (a remote builder failed
        # and it is retried elsewhere) keeps it, so the counter never runs past the plan; one
        # built after its copy failed is a new step (replanned).
        self._numbers: dict[str, int] = {}
        # How and when each running build was started (see _since).
        self._verbs: dict[str, tuple[str, float]] = {}
        self._lock = threading.Lock()

    def _print(self, text: str) -> None:
        """One write per line, under the lock: builds start on the pool's threads while the
        main thread reports others ending, and ``print`` writes a line's end apart from it."""
        stream = self._stream or sys.stderr
        with self._lock:
            stream.write(text + "\n")
            stream.flush()

    def planned(self, builds: int, downloads: int, copies: int) -> None:
        self._total, self._started = builds + downloads + copies, 0
        self._numbers.clear()
        if not self._quiet:
            self._print(plan_line(builds, downloads, copies))

    def replanned(self, drv_name: str, added: int) -> None:
        with self._lock:
            copied = self._numbers.pop(drv_name, None) is not None
            self._total = max(self._total, self._started) + added + int(copied)

    def started(self, name: str, drv_name: str, verb: str) -> None:
        with self._lock:
            number = self._numbers.get(drv_name)
            if number is None:
                self._started += 1
                number = self._numbers[drv_name] = self._started
            counter = f"[{number}/{max(self._total, self._started)}] "
            self._verbs[name] = (verb, time.monotonic())
        if not self._quiet:
            self._print(f"{counter}{verb} {name} ({drv_name})")

    def finished(self, name: str, status: Status, seconds: float) -> None:
        with self._lock:
            verb, since = self._verbs.pop(_started_as(name), ("building", None))
        if not self._quiet and status in ("built", "substituted"):
            line = done_line(name, status, _since(since, seconds), verb)
            self._print(_painted(line, _done_verb(status, verb), _GREEN) if self._color else line)

    def message(self, text: str) -> None:
        if not self._quiet or text.startswith(("warning", "error")):
            self._print(self._paint_message(text) if self._color else text)

    @staticmethod
    def _paint_message(text: str) -> str:
        said = text.removeprefix(_OURS)  # a pypi: plan's warning says whose it is first
        word = _status_word(said)
        if not word:
            return text
        return text.removesuffix(said) + _painted(said, word, _RED if word == "error" else _YELLOW)

    def close(self) -> None:
        pass


class Live:
    """On a terminal: the running builds with their elapsed times under a ``[n/N]`` counter,
    redrawn in place; finished builds and messages are printed above it."""

    def __init__(self, stream: TextIO, color: bool) -> None:
        from rich.console import Console
        from rich.live import Live as RichLive

        # no colour is no style at all (no_color alone leaves bold: SGR codes), and colour is
        # colour with NO_COLOR set too (--color always), which rich reads itself otherwise
        self._console = Console(
            file=stream, color_system="auto" if color else None, no_color=not color,
            highlight=False,
        )  # fmt: skip
        self._running: dict[str, tuple[str, float]] = {}
        self._drvs: dict[str, str] = {}  # the derivation of each running name
        self._total = self._done = 0
        self._lock = threading.Lock()
        self._live = RichLive(
            get_renderable=self._status, console=self._console, refresh_per_second=4,
            transient=True, redirect_stdout=False, redirect_stderr=False,
        )  # fmt: skip
        _live.append(self)

    def _status(self) -> Text:
        from rich.text import Text

        with self._lock:
            running = sorted(self._running.items(), key=lambda item: item[1][1])
            # a plan made again (a cache entry refused) adds to it: never [4/3]
            done, total = self._done, max(self._total, self._done + len(self._running))
        now = time.monotonic()
        lines = [Text(f"[{done}/{total}] {len(running)} running", style="bold")]
        for name, (verb, since) in running:
            lines.append(Text(f"  {verb} {name}  {_seconds(now - since)}", style="cyan"))
        return Text("\n").join(lines)

    def planned(self, builds: int, downloads: int, copies: int) -> None:
        with self._lock:
            self._total, self._done = builds + downloads + copies, 0
        self._console.print(plan_line(builds, downloads, copies))
        self._live.start()  # until the plan's last build ends: results are printed after it

    def started(self, name: str, drv_name: str, verb: str) -> None:
        with self._lock:
            self._running[name] = (verb, time.monotonic())
            self._drvs[name] = drv_name

    def replanned(self, drv_name: str, added: int) -> None:
        """The failed copy is a step done (it is no longer running), its build one to come."""
        with self._lock:
            copies = [name for name, drv in self._drvs.items() if drv == drv_name]
            total = max(self._total, self._done + len(self._running)) + added
            for name in copies:
                del self._running[name], self._drvs[name]
                self._done, total = self._done + 1, total + 1
            self._total = total

    def finished(self, name: str, status: Status, seconds: float) -> None:
        with self._lock:
            verb, since = self._running.pop(_started_as(name), ("building", None))
            self._drvs.pop(_started_as(name), None)
            self._done += 1
            last = self._done >= self._total and not self._running
        if self._live.is_started:  # the status drawn under the line is the one without it
            self._live.refresh()
        if status in ("built", "substituted"):
            line = done_line(name, status, _since(since, seconds), verb)
            self._console.print(_styled(line, "green"))
        if last:
            self.close()

    def message(self, text: str) -> None:
        """`text` above the status, in its status word's colour (the plain lines' words'),
        as the whole line, as a finished build's: an error's red, a warning's yellow, and
        any other line plain, whatever words it holds further on."""
        word = _status_word(text.removeprefix(_OURS))
        self._console.print(_styled(text, {"error": "red", "warning": "yellow"}.get(word, "")))

    def close(self) -> None:
        if self._live.is_started:
            self._live.stop()


def _styled(line: str, style: str) -> Text:
    """A line printed above the live status in `style`, as text (no markup); print's own
    `style=` would style the status rich draws again under it too."""
    from rich.text import Text

    return Text(line, style=style)


_live: list[Live] = []  # displays to stop when the command ends (close_all)


def close_all() -> None:
    """Stop every live display, leaving the terminal as it was (the command line's last act)."""
    while _live:
        _live.pop().close()


def tell(text: str, color: str | None = None) -> None:
    """Print `text`, an error or a warning a command tells beside its builds (``error: …``,
    ``warning: …``, ``pybuild: warning: …``), on standard error, its status word coloured as
    the progress display colours its own, under the same ``--color`` (`color`; by default
    the running command's: :func:`use_color`): the plain lines, whatever the stream is
    (never the live display, which draws)."""
    if sys.stderr is not None:  # closed, as print would have it: nothing is told
        for_stream(sys.stderr, verbose=True, color=color or _COMMAND["color"]).message(text)


def use_color(color: str) -> None:
    """Have :func:`tell` colour as `color` says what it is given no colour for: the running
    command's ``--color``, set by :func:`pybuild.cli.main` (``auto`` again once it is over)
    for what is told from deep within an evaluation, which no command line reaches."""
    _COMMAND["color"] = color


def for_stream(
    stream: TextIO | None = None, *, quiet: bool = False, verbose: bool = False, color: str = "auto"
) -> Progress:
    """The progress display for `stream` (standard error): live on a terminal, else lines.

    `color` is ``auto`` (on a terminal, unless ``NO_COLOR`` is set), ``always`` (in a pipe
    too, as a CI log shows colours: its lines' status words, as grep's and cargo's) or
    ``never``.
    """
    stream = stream or sys.stderr
    terminal = stream.isatty() and os.environ.get("TERM") != "dumb"
    colored = color == "always" or (color == "auto" and terminal and not os.environ.get("NO_COLOR"))
    if quiet or verbose or not terminal:  # -v: every line, kept in the scrollback
        return Lines(stream, quiet=quiet, color=colored)
    return Live(stream, color=colored)
