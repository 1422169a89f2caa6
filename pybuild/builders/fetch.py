"""In-build downloader of fixed-output fetches: ``python -S fetch.py URL``, writes ``$out``.

It runs inside a build with only the standard library. The realiser checks the result
against the declared hash, so this script only has to download faithfully: it follows a
bounded number of redirects, times out, and writes ``$out`` only once complete.
"""

import os
import shutil
import sys
import urllib.request

_TIMEOUT = 120


def main() -> int:
    url = sys.argv[1]
    out = os.environ["out"]  # noqa: SIM112 - Nix names outputs in lower case
    partial = out + ".part"
    print(f"downloading {url}", flush=True)
    try:
        with urllib.request.urlopen(url, timeout=_TIMEOUT) as response, open(partial, "wb") as f:
            shutil.copyfileobj(response, f, 1 << 20)
    except OSError as exc:
        print(f"error: cannot download {url}: {exc}", file=sys.stderr)
        return 1
    os.rename(partial, out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
