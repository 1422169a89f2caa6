"""What ``du`` says of files on disk: the measure a collection's or an optimisation's figures
must agree with, taken by the tool users check them with."""

from __future__ import annotations

import os
import subprocess


def du(*paths: str | os.PathLike[str]) -> int:
    """The bytes of the blocks `paths` take together, each inode once (``du -s -B1 -c``)."""
    out = subprocess.run(
        ["du", "-s", "-B1", "-c", *map(str, paths)], capture_output=True, text=True, check=True
    ).stdout
    return int(out.splitlines()[-1].split()[0])
