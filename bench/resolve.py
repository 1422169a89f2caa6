"""Resolution time of ``pypi:NAME`` against uv: ``python -m bench.resolve [--runs N] [NAME]``.

Three states of pybuild's caches, each in a fresh process, with the set already evaluated
(only the resolution is timed, from the request to the plan):

- cold: an empty ``PYBUILD_HOME``: every project page and metadata file comes from the index;
- warm: the release facts (metadata, build systems) cached, the plan resolved again (pages
  are fetched again: the index moves on);
- cached: the plan itself cached, as a repeated ``pybuild shell -p pypi:NAME`` finds it.

uv's figures are ``uv pip compile`` of the same requirement with ``--no-cache`` (cold) and
with its cache (warm), when uv is on ``PATH``. Needs the package index.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from . import ROOT, Command, Line, Row, bench_environ, format_table, measure, ratio

_RESOLVE = """
import sys, time
from packaging.requirements import Requirement
from pybuild import package_set
from pybuild.generate.plan import Request, get_plan
from pybuild.importers.requirements import RequirementLine
pkgs = package_set()
pkgs.interpreter.identity
request = Request((RequirementLine(Requirement(sys.argv[1]), path="bench"),))
start = time.perf_counter()
get_plan(pkgs, request, refresh=sys.argv[2] == "refresh")
print(time.perf_counter() - start)
"""


def _pybuild(home: Path, name: str, refresh: bool) -> float:
    env = bench_environ(PYBUILD_HOME=str(home), PYTHONPATH=str(ROOT))
    argv = [sys.executable, "-c", _RESOLVE, name, "refresh" if refresh else "cached"]
    done = subprocess.run(argv, env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    return float(done.stdout.split()[-1])


def _uv(cache: Path | None, name: str, work: Path) -> None:
    uv = shutil.which("uv")
    assert uv is not None
    (work / "req.in").write_text(name + "\n")
    flags = ["--no-cache"] if cache is None else ["--cache-dir", str(cache)]
    argv = [uv, "pip", "compile", "-q", *flags, "--python", sys.executable, "req.in"]
    subprocess.run(argv, env=bench_environ(), cwd=work, check=True, capture_output=True)


def resolve_row(name: str, runs: int) -> Row:
    """The workload's row: pybuild cold, warm and cached, and uv cold and warm."""
    with tempfile.TemporaryDirectory(prefix="bench-resolve-") as tmp:
        root = Path(tmp)
        samples: dict[str, list[float]] = {"cold": [], "warm": [], "cached": []}
        for i in range(runs):  # in-process timings: each state needs the one before it
            home = root / f"home-{i}"
            samples["cold"].append(_pybuild(home, name, refresh=True))
            samples["warm"].append(_pybuild(home, name, refresh=True))
            samples["cached"].append(_pybuild(home, name, refresh=False))
        medians = {k: sorted(v)[len(v) // 2] for k, v in samples.items()}
        lines = [
            Line(f"pybuild: resolve pypi:{name}, {state}", medians[state])
            for state in ("cold", "warm", "cached")
        ]
        if shutil.which("uv"):
            cache = root / "uv-cache"
            cold, warm = measure(
                [
                    Command("uv cold", lambda _: _uv(None, name, root)),
                    Command("uv warm", lambda _: _uv(cache, name, root)),
                ],
                runs,
                warm_up=True,
            )
            lines[0].ratio = ratio(medians["cold"], cold, "uv")
            lines[1].ratio = ratio(medians["warm"], warm, "uv")
            lines += [Line(f"uv pip compile {name} --no-cache", cold)]
            lines += [Line(f"uv pip compile {name} (warm cache)", warm)]
    return Row(f"resolve pypi:{name}", lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("name", nargs="?", default="boto3")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    os.environ.pop("PYBUILD_HOME", None)
    row = resolve_row(args.name, args.runs)
    if args.json:
        print(json.dumps([{"command": li.command, "seconds": li.seconds} for li in row.lines]))
    else:
        print(format_table([row]))


if __name__ == "__main__":
    main()
