"""A web server on 127.0.0.1 that drips: 64 bytes every 2 s, never finishing.

A socket time-out never fires on such a server, since something always arrives in time; only
a minimum speed or a deadline gives it up. It is bounded itself: each drip ends after 60 s,
and every one ends when the block does.
"""

from __future__ import annotations

import contextlib
import http.server
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from support.serving import serve

DRIP = b"x" * 64
EVERY = 2.0
AT_MOST = 60.0


class _Handler(http.server.BaseHTTPRequestHandler):
    root: Path | None
    drips: Callable[[str], bool]
    stop: threading.Event

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        path = self.root / self.path.lstrip("/") if self.root else None
        data = path.read_bytes() if path and ".." not in self.path and path.is_file() else None
        if self.drips(self.path):
            self._drip(data or b"")
        elif data is None:
            self.send_error(404)
        else:
            self.send_response(200)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    def _drip(self, start: bytes) -> None:
        """`start` (the real file, so that a client parses it), then filler, 64 bytes at a
        time, of a body said to be 10 MiB long."""
        self.send_response(200)
        self.send_header("Content-Length", str(10 << 20))
        self.end_headers()
        end = time.monotonic() + AT_MOST
        offset = 0
        with contextlib.suppress(OSError):  # the client gave up: that is the point
            while time.monotonic() < end:
                piece = start[offset : offset + len(DRIP)]
                self.wfile.write(piece + DRIP[len(piece) :])
                self.wfile.flush()
                offset += len(DRIP)
                if self.stop.wait(EVERY):
                    return


@contextlib.contextmanager
def dripping_server(
    root: Path | None = None, drips: Callable[[str], bool] = lambda path: True
) -> Iterator[str]:
    """Serve the files of `root`, but drip the paths that `drips` selects (by default all).

    Yields the base URL, ``http://127.0.0.1:<port>``.
    """
    stop = threading.Event()
    handler = type(
        "Handler", (_Handler,), {"root": root, "drips": staticmethod(drips), "stop": stop}
    )
    with serve(handler) as url:
        try:
            yield url
        finally:
            stop.set()
