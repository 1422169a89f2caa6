"""No-op build time of the example: `python bench/noop.py [--runs N]`.

Builds ``examples/hello.py hello`` once in a fresh ``PYBUILD_HOME``, then times the same
command when there is nothing to do, against the bare start-up of the same interpreter, and
prints medians. Run it with a warm bytecode cache (the first run writes one).
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

from bench.installed import pybuild_argv, python_argv  # noqa: E402 - once the repository is on the path


def _median_ms(argv: list[str], env: dict[str, str], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "PYBUILD_HOME": home}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        build = pybuild_argv("build", "-f", "examples/hello.py", "hello")
        subprocess.run(build, env=env, cwd=ROOT, check=True, capture_output=True)
        noop = _median_ms(build, env, args.runs)
        bare = _median_ms(python_argv("-c", "pass"), env, args.runs)
    print(f"{'workload':<34}{'median':>10}")
    print(f"{'python -c pass':<34}{bare:>8.1f} ms")
    print(f"{'pybuild build (no-op, hello)':<34}{noop:>8.1f} ms")
    print(f"{'pybuild overhead over start-up':<34}{noop - bare:>8.1f} ms")


if __name__ == "__main__":
    main()
