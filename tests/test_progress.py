"""The progress display: the live one in a real terminal (tmux), as a person sees it, and the
lines written for pipes and CI logs.

The build runs in a detached tmux session; its screen is read with ``capture-pane`` while the
builds run (a live ``[n/10]`` status with the running builds and their times) and after (the
plan line and each build with its time; the live part is gone).
"""

from __future__ import annotations

import io
import os
import re
import shlex
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from pybuild.progress import Lines, Live, for_stream, plan_line
from pybuild.results import Status

needs_tmux = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")

TEN = """
from pybuild import derivation

leaves = [
    derivation(name=f"leaf{i}", builder="/bin/sh", args=["-c", f"sleep 1; echo {i} > $out"])
    for i in range(9)
]
top = derivation(name="top", builder="/bin/sh", args=["-c", "cat " + " ".join(
    str(leaf) for leaf in leaves) + " > $out"])
"""


def screen(session: str) -> str:
    return subprocess.run(
        ["tmux", "capture-pane", "-p", "-t", session], capture_output=True, text=True
    ).stdout


@needs_tmux
def test_a_terminal_shows_the_plan_a_live_counter_and_build_times(tmp_path: Path) -> None:
    (tmp_path / "ten.py").write_text(textwrap.dedent(TEN))
    session = f"pybuild-progress-{os.getpid()}"
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    command = " ".join(
        shlex.quote(a)
        for a in [sys.executable, "-m", "pybuild", "build", "-j", "2", "-f", "ten.py", "top"]
    )
    subprocess.run(
        ["tmux", "new-session", "-d", "-s", session, "-x", "120", "-y", "40", "-c",
         str(tmp_path), f"{command}; echo EXIT=$?; sleep 60"],
        check=True, env={**env, "TERM": "xterm-256color"},
    )  # fmt: skip
    try:
        seen_live, deadline = "", time.monotonic() + 60
        while time.monotonic() < deadline:
            now = screen(session)
            if "running" in now and "/10]" in now and "building leaf" in now:
                seen_live = now
            if "EXIT=" in now:
                break
            time.sleep(0.2)
        final = screen(session)
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)
    assert "EXIT=0" in final, final
    assert "10 derivations will be built" in final
    assert "running" in seen_live and "building leaf" in seen_live, seen_live
    for name in ("leaf0", "leaf8", "top"):
        assert f"built {name} in " in final
    assert "running" not in final  # the live part is cleared when the build ends


class Writes(io.StringIO):
    """A stream that records each write call."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: list[str] = []

    def write(self, text: str) -> int:
        self.calls.append(text)
        return super().write(text)


def test_each_line_is_one_write_so_threads_never_run_lines_together() -> None:
    """Builds start on the pool's threads while the main thread reports others ending: a line
    written in two parts (its text, then its end, as ``print`` writes) can be split by
    another thread's line (``…whl.drv)built pycparser in 0.1 s`` and an empty line)."""
    stream = Writes()
    lines = Lines(stream)
    lines.planned(builds=1, downloads=1, copies=0)
    lines.started("x.tar.gz", "a.drv", "fetching")
    lines.finished("x.tar.gz", Status.BUILT, 0.1)
    lines.message("warning: a message")
    assert all(call.endswith("\n") and call.count("\n") == 1 for call in stream.calls)
    assert len(stream.calls) == 4


def test_a_download_is_told_as_fetched_and_a_build_as_built() -> None:
    stream = Writes()
    lines = Lines(stream)
    lines.planned(builds=1, downloads=1, copies=0)
    lines.started("x.tar.gz", "a.drv", "fetching")
    lines.started("python3.11-x-1.0", "b.drv", "building")
    lines.finished("python3.11-x-1.0", Status.BUILT, 2.0)
    lines.finished("x.tar.gz", Status.BUILT, 0.1)
    assert stream.getvalue().splitlines()[3:] == [  # each timed from its start
        "built python3.11-x-1.0 in 0.0 s",
        "fetched x.tar.gz in 0.0 s",
    ]


def test_a_derivation_started_again_keeps_its_number_in_the_counter() -> None:
    # A remote builder failed it, and it is built here after all: still one of the plan's.
    stream = Writes()
    lines = Lines(stream)
    lines.planned(builds=2, downloads=0, copies=0)
    lines.started("okthing", "a.drv", "building on build1")
    lines.message("warning: remote builder ssh://build1: the connection closed; ...")
    lines.started("okthing", "a.drv", "building")
    lines.started("other", "b.drv", "building")
    assert [line.partition("]")[0] for line in stream.getvalue().splitlines()[1:]] == [
        "[1/2",
        "warning: remote builder ssh://build1: the connection closed; ...",
        "[1/2",
        "[2/2",
    ]


def test_a_build_after_a_failed_copy_is_a_new_step_and_the_total_grows_by_what_was_added() -> None:
    """The copy of app failed at lib: lib is built, then app. The copy and the build of app
    are two steps, lib a third: numbers go up, and the total says so before lib starts."""
    stream = Writes()
    lines = Lines(stream)
    lines.planned(builds=0, downloads=0, copies=1)
    lines.started("app", "a.drv", "copying")
    lines.replanned("a.drv", added=1)
    lines.started("lib", "l.drv", "building")
    lines.started("app", "a.drv", "building")
    assert [line.partition(" ")[0] for line in stream.getvalue().splitlines()[1:]] == [
        "[1/1]",
        "[2/3]",
        "[3/3]",
    ]


def test_the_live_counter_counts_a_failed_copy_as_a_step_done() -> None:
    live = Live(io.StringIO(), color=False)
    try:
        live.planned(builds=0, downloads=0, copies=1)
        live.started("app", "a.drv", "copying")
        live.replanned("a.drv", added=1)
        live.started("lib", "l.drv", "building")
        assert live._status().plain.splitlines() == ["[1/3] 1 running", "  building lib  0.0 s"]
        live.finished("lib", Status.BUILT, 0.1)
        live.started("app", "a.drv", "building")
        assert live._status().plain.splitlines()[0] == "[2/3] 1 running"
        live.finished("app", Status.BUILT, 0.1)
        assert not live._live.is_started
    finally:
        live.close()


@pytest.mark.parametrize(
    ("counts", "line"),
    [
        ((1, 0, 0), "1 derivation will be built"),
        ((0, 2, 0), "2 derivations will be downloaded"),
        ((5, 2, 3), "10 derivations will be made: 5 built, 2 downloaded, 3 copied from a cache"),
        ((1, 0, 1), "2 derivations will be made: 1 built, 1 copied from a cache"),
        ((0, 0, 1), "1 derivation's outputs will be copied from a binary cache, with what they"
         " refer to"),
        ((0, 0, 2), "2 derivations' outputs will be copied from a binary cache, with what they"
         " refer to"),
        ((2, 0, 0, True), "2 more derivations will be built"),
        ((1, 1, 0, True), "2 more derivations will be made: 1 built, 1 downloaded"),
        ((0, 0, 1, True), "1 more derivation's outputs will be copied from a binary cache, with"
         " what they refer to"),
    ],
)  # fmt: skip
def test_the_plan_line_counts_derivations_in_words_true_for_any_count(
    counts: tuple[int, int, int] | tuple[int, int, int, bool], line: str
) -> None:
    """Not 'these 1 derivation will be made', nor 'these 2 paths will be copied' for the
    two derivations whose outputs and references were 9 paths; a plan made again as the
    build runs (a copy failed) says what it adds."""
    assert plan_line(*counts) == line


def test_a_build_is_timed_from_its_start_not_from_its_wait_for_a_slot() -> None:
    # The realiser's count (100 s) includes the wait for a free slot or a remote builder.
    stream = io.StringIO()
    progress = Lines(stream)
    progress.started("waited", "…-waited.drv", "building")
    progress.finished("waited", Status.BUILT, 100.0)
    assert stream.getvalue().splitlines()[-1] == "built waited in 0.0 s"


def test_a_copy_is_numbered_and_timed_from_its_start_as_a_build_is() -> None:
    """A copy ends under its name and what it copied (``app (2 path(s), …)``): it is still
    the derivation that started, timed from its start, not from the realiser's count."""
    stream = io.StringIO()
    progress = Lines(stream)
    progress.planned(builds=1, downloads=0, copies=1)
    progress.started("lib", "…-lib.drv", "building")
    progress.finished("lib", Status.BUILT, 0.1)
    progress.started("app", "…-app.drv", "copying")
    progress.finished("app (2 path(s), 1.0 KiB from file:///c)", Status.SUBSTITUTED, 100.0)
    assert stream.getvalue().splitlines()[3:] == [
        "[2/2] copying app (…-app.drv)",
        "copied from a cache app (2 path(s), 1.0 KiB from file:///c) in 0.0 s",
    ]


def test_the_live_display_ends_with_the_last_derivation_of_a_plan_that_grew() -> None:
    """A copy that fails mid-way has its inputs built while it runs, more derivations than
    the plan told: the status counts them, never ``[2/1]``, and stays until the copy, built
    here after all, ends (it was cleared when as many had ended as the plan had counted)."""
    live = Live(io.StringIO(), color=False)
    try:
        live.planned(builds=0, downloads=0, copies=1)
        live.started("app", "…-app.drv", "copying")
        live.started("lib", "…-lib.drv", "building")
        live.finished("lib", Status.BUILT, 0.1)
        assert live._status().plain.splitlines()[0] == "[1/2] 1 running"
        assert live._live.is_started
        live.started("app", "…-app.drv", "building")
        live.finished("app", Status.BUILT, 0.1)
        assert not live._live.is_started
    finally:
        live.close()


class Terminal(io.StringIO):
    """What the live display writes to a terminal, kept."""

    def isatty(self) -> bool:
        return True


def drawn(color: bool, monkeypatch: pytest.MonkeyPatch) -> str:
    """What a live display of one build draws on a terminal, from its plan to its end."""
    for name in ("NO_COLOR", "FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    stream = Terminal()
    live = Live(stream, color=color)
    try:
        live.planned(builds=1, downloads=0, copies=0)
        live.started("slow", "…-slow.drv", "building")
        live._live.refresh()  # the status as a running build draws it
        live.finished("slow", Status.BUILT, 2.0)
    finally:
        live.close()
    return stream.getvalue()


def test_the_live_display_without_colour_sends_no_style_at_all(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """--color never (or NO_COLOR) is no SGR code at all: the status line was still bold."""
    plain = drawn(False, monkeypatch)
    assert "[0/1] 1 running" in plain and "built slow in " in plain
    assert re.search(r"\x1b\[[0-9;]*m", plain) is None, plain
    assert re.search(r"\x1b\[[0-9;]*m", drawn(True, monkeypatch))  # with colour: styled


def test_a_finished_build_is_never_drawn_over_by_the_status_from_before_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The status drawn again under ``built slow`` counts it as done, in its own style: it
    was the one drawn before (``[0/1] 1 running``), in the line's green."""
    after = drawn(True, monkeypatch).split("built slow in ")[1]
    assert "[0/1]" not in after and "[1/1] 0 running" in after, after
    assert "1;32m" not in after


def test_color_always_colours_the_status_words_of_the_plain_lines(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """In a pipe or a CI log (and under -v), ``--color always`` colours each line's status
    word, as grep's and cargo's do: it gave plain lines wherever no live display was drawn."""
    monkeypatch.delenv("NO_COLOR", raising=False)

    def told(stream: io.StringIO, **how: Any) -> str:
        progress = for_stream(stream, **how)
        progress.planned(builds=1, downloads=0, copies=0)
        progress.started("hello", "…-hello.drv", "building")
        progress.finished("hello", Status.BUILT, 0.1)
        progress.message("warning: a word")
        progress.close()
        return stream.getvalue()

    piped = told(io.StringIO(), color="always").splitlines()
    assert piped[2].startswith("\x1b[32mbuilt\x1b[0m hello in ")
    assert piped[3] == "\x1b[33mwarning\x1b[0m: a word"
    assert piped[1].startswith("[1/1] building hello")  # the other words as they are
    assert told(Terminal(), color="always", verbose=True).splitlines()[2].startswith("\x1b[32m")
    for plain in (told(io.StringIO()), told(Terminal(), color="never", verbose=True)):
        assert "\x1b" not in plain


def test_the_live_display_colours_a_message_by_its_status_word(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """On a terminal, an error above the status is red, a warning yellow (``pybuild:
    warning: …`` too), and any other message plain, whatever it says further on: a line
    holding the word warning was yellow anywhere in it, and an error was plain."""
    for name in ("NO_COLOR", "FORCE_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")

    def shown(text: str) -> str:
        stream = Terminal()
        live = Live(stream, color=True)
        try:
            live.message(text)
        finally:
            live.close()
        return stream.getvalue()

    assert "\x1b[31m" in shown("error: hello failed, a warning of its tests said why")
    assert "\x1b[33m" in shown("warning: a word")
    assert "\x1b[33m" in shown("pybuild: warning: a word")
    assert "\x1b[" not in shown("note: the warning filter of pytest is kept")
