"""Asking an index ahead: what will most likely be wanted next, fetched on a few threads
while the asker works, each answer computed once whichever thread asks first.

A resolver asks one question at a time (:meth:`~pybuild.generate.releases.Releases.prefetch`),
and so does an evaluation that looks up the release files its recipes pin
(:mod:`pybuild.fetchahead`); either would spend most of its time waiting for the index. So
each asks ahead: :meth:`Ahead.ask` queues a question, answered on one of a few threads over
the index client's one HTTP session, and :class:`Once` makes a thread that wants an answer
another thread is fetching wait for it rather than fetch it again.

A question asked ahead only saves time: its error is dropped, and the same question, asked
again when its answer is wanted, reports it then as it would have. The threads are daemons
that end once nothing is queued: a process does not wait at its end for answers it no longer
needs, and an idle one has none running.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Hashable
from typing import TypeVar

__all__ = ["Ahead", "Once"]

_T = TypeVar("_T")
THREADS = 8  # below requests' pool of 10 connections per host, with the asker's own


class Once:
    """Keyed locks: ``once(key, compute)`` runs `compute()` under the lock of `key`, so a
    thread asking what another is computing waits for it, and then finds the answer where
    `compute` keeps it (its caller's cache), rather than fetching it again."""

    def __init__(self) -> None:
        self._locks: dict[Hashable, threading.Lock] = {}
        self._guard = threading.Lock()

    def __call__(self, key: Hashable, compute: Callable[[], _T]) -> _T:
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            return compute()


class Ahead:
    """Questions asked in the background, on up to `threads` threads."""

    def __init__(self, threads: int = THREADS) -> None:
        self._threads = threads
        self._queued: deque[Callable[[], object]] = deque()
        self._asked: set[Hashable] = set()
        self._running = 0
        self._closed = False
        self._lock = threading.Condition()  # over all of the above; notified as threads end

    def ask(self, question: Callable[[], object], key: Hashable = None) -> None:
        """Have `question()` asked in the background, unless `key` was asked before (with
        none, each time)."""
        with self._lock:
            if self._closed or key in self._asked:
                return
            if key is not None:
                self._asked.add(key)
            self._queued.append(question)
            if self._running < self._threads:
                self._running += 1
                name = f"pybuild-index-{self._running}"
                threading.Thread(target=self._work, name=name, daemon=True).start()

    def _work(self) -> None:
        while True:
            with self._lock:
                if not self._queued:
                    self._running -= 1
                    self._lock.notify_all()
                    return
                question = self._queued.popleft()
            try:
                question()
            except Exception:  # asked again when its answer is wanted, and its error told then
                continue

    def close(self, wait: bool = True) -> None:
        """Drop the questions not yet asked; with `wait`, wait for those being asked (their
        asker is about to take away what they use)."""
        with self._lock:
            self._closed = True
            self._queued.clear()
            while wait and self._running:
                self._lock.wait()
