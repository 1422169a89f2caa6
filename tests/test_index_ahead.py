"""Questions asked of an index ahead (:class:`pybuild.index.ahead.Ahead`): each asked once, an
error dropped (the question is asked again when wanted), and none left running or queued once
its asker is done with them."""

from __future__ import annotations

import threading

from pybuild.index.ahead import Ahead

WAIT = 60  # seconds: only a broken test waits this long


def test_each_question_is_asked_once_and_an_error_is_dropped() -> None:
    ahead, asked, done = Ahead(threads=1), [], threading.Event()

    def fails() -> None:
        asked.append("fails")
        raise RuntimeError("the index is down")

    ahead.ask(fails, "a")
    ahead.ask(fails, "a")  # asked already
    ahead.ask(done.set, "b")  # the one thread goes on after the error
    assert done.wait(WAIT)
    assert asked == ["fails"]
    ahead.close()


def test_closing_waits_for_the_questions_being_asked_and_drops_the_rest() -> None:
    """Its asker is about to take away what the questions use (a resolver's scratch folder):
    those under way end first, those queued are never asked, nor any asked later."""
    ahead, started, release, answered = Ahead(threads=1), threading.Event(), threading.Event(), []

    def slow() -> None:
        started.set()
        release.wait(WAIT)
        answered.append("slow")

    ahead.ask(slow)
    assert started.wait(WAIT)
    ahead.ask(lambda: answered.append("queued"))
    threading.Timer(0.2, release.set).start()
    ahead.close()
    assert answered == ["slow"]
    ahead.ask(lambda: answered.append("late"))
    assert answered == ["slow"]
