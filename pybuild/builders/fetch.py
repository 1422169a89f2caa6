"""In-build downloader of fixed-output fetches: ``python -S fetch.py URL``, writes ``$out``.

It runs inside a build with only the standard library, under any CPython from 3.10 to 3.14.
The realiser checks the result against the declared hash, so this script only has to download
faithfully: it follows a bounded number of redirects, writes ``$out`` only once complete, and
gives up on a server that stalls or drips. The limits are the settings
``stalled_download_timeout``, ``download_min_speed`` and ``download_deadline``, which the
realiser puts in the build's environment as ``PYBUILD_<NAME>``.

:class:`Pace` is also how pybuild reads binary caches (it imports it from here, since this
script must run alone).
"""

import os
import signal
import sys
import time
import urllib.request
from types import FrameType
from typing import IO, Any

_CHUNK = 1 << 16
_DEFAULTS = {"stalled_download_timeout": 60, "download_min_speed": 1024, "download_deadline": 3600}


class TooSlow(OSError):
    """A download fell below its minimum speed or ran past its deadline."""


class Pace:
    """The speed and time limits of one download.

    As curl's ``--speed-limit``/``--speed-time`` (which Nix uses): fewer than `min_speed` bytes
    per second over a period of `window` seconds, and the download is given up; with
    `min_speed` 0, one byte per period will do. `deadline` bounds the whole download. A window
    or deadline of 0 turns that check off. The checks are made as data arrives; a server that
    sends nothing at all is caught by the socket time-out, which the caller sets to `window`.
    """

    def __init__(self, window: float, min_speed: int, deadline: float) -> None:
        self.window, self.min_speed, self.deadline = window, min_speed, deadline
        self.start = self.since = time.monotonic()
        self.got = 0

    def advance(self, count: int) -> None:
        """Count `count` more bytes; TooSlow if the download is too slow or too late."""
        now = time.monotonic()
        if self.deadline and now - self.start > self.deadline:
            raise TooSlow(f"not done after {self.deadline:g} s (download_deadline)")
        self.got += count
        if not self.window or now - self.since < self.window:
            return
        needed = max(1, int(self.min_speed * self.window))
        if self.got < needed:
            raise TooSlow(
                f"too slow: {self.got} bytes in {now - self.since:.0f} s, fewer than {needed}"
                " (download_min_speed over stalled_download_timeout)"
            )
        self.since, self.got = now, 0


def copy(read: Any, out: IO[bytes], pace: Pace) -> None:
    """Copy a response to `out`, keeping `pace`; `read` returns what has arrived (read1)."""
    while chunk := read(_CHUNK):
        pace.advance(len(chunk))
        out.write(chunk)


def _setting(name: str) -> int:
    return int(os.environ.get(f"PYBUILD_{name.upper()}", _DEFAULTS[name]))


def _past_deadline(signum: int, frame: FrameType | None) -> None:
    raise TooSlow(f"not done after {_setting('download_deadline')} s (download_deadline)")


def main() -> int:
    url = sys.argv[1]
    out = os.environ["out"]  # noqa: SIM112 - Nix names outputs in lower case
    partial = out + ".part"
    window = _setting("stalled_download_timeout")
    # The deadline by the clock, not only as data arrives: it also covers connecting and a
    # server that drips its headers.
    signal.signal(signal.SIGALRM, _past_deadline)
    signal.setitimer(signal.ITIMER_REAL, _setting("download_deadline"))
    print(f"downloading {url}", flush=True)
    pace = Pace(window, _setting("download_min_speed"), 0)
    try:
        with (
            urllib.request.urlopen(url, timeout=window or None) as response,
            open(partial, "wb") as f,
        ):
            copy(getattr(response, "read1", response.read), f, pace)
    except TimeoutError:
        print(f"error: cannot download {url}: no data for {window} s", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"error: cannot download {url}: {exc}", file=sys.stderr)
        return 1
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    os.rename(partial, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
