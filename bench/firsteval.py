"""A fresh home's first evaluation of the default set: ``python bench/firsteval.py [--runs N]``.

Each run makes a new ``PYBUILD_HOME``, where no file URL is remembered yet
(``var/cache/fetch-pypi.json``): every ``fetch_pypi`` of the commands' closures (the whole
set's, for ``--all``) asks the configured package index for its project's page
(pybuild/fetchahead.py fetches them ahead, together). It times each command there (cold),
then again in the same home, where every URL is remembered and no index is asked (warm), and
prints the medians. The cold figures are the network's as much as pybuild's: compare trees
measured one after the other on one machine (each run from its own tree: ``python -m`` puts
the working folder first on the path). It needs the package index.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.installed import pybuild_argv  # noqa: E402 - once the repository is on the path
from pybuild.store import remove_tree  # noqa: E402

COMMANDS = (
    ("search", "numpy"),
    ("build", "--dry-run", "matplotlib"),
    ("build", "--dry-run", "--all"),
)


def _seconds(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, env=env, cwd=ROOT, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print(f"{'command':<40}{'cold':>9}{'warm':>9}")
    for command in COMMANDS:
        argv = pybuild_argv(*command)
        cold, warm = [], []
        for _ in range(args.runs):
            home = tempfile.mkdtemp(prefix="pybuild-firsteval-")
            try:
                env = {**os.environ, "PYBUILD_HOME": home}
                env.pop("PYTHONDONTWRITEBYTECODE", None)
                cold.append(_seconds(argv, env))
                warm.append(_seconds(argv, env))
            finally:
                remove_tree(home)  # store paths are read-only
        shown = "pybuild " + " ".join(command)
        print(f"{shown:<40}{statistics.median(cold):>7.2f} s{statistics.median(warm):>7.2f} s")


if __name__ == "__main__":
    main()
