"""``python -m bench``: pybuild against uv, pip and venv, every workload in one table.

Run it from the repository's root. It installs the peers (uv, virtualenv) from the package
index into a throwaway venv with pip, and pybuild itself, from this working tree, into another
(as a user has it: bench/installed.py), builds what it measures into a throwaway
``PYBUILD_HOME`` in a temporary folder (never yours), and prints one table: each workload,
the commands compared, their medians, pybuild's ratio to each peer, the target and whether it
was met. The workloads (docs/benchmarks.md says what each one does and how to read it):

1. no-op build and shell of a 50-package environment (bench/envs.py)
2. warm assembly of a new environment of the 50      (bench/envs.py)
3. import cost of the 50 top-level modules           (bench/envs.py)
4. cold builds of 20 pure-Python sdists              (bench/sdists.py)
5. evaluation of 1000 generated recipes              (bench/evaluation.py)
6. disk use of 5 environments sharing numpy, scipy   (bench/disk.py)
7. against Nix 2.8: a 200-node /bin/sh DAG            (bench/nix.py)
8. an empty store from a binary cache, against uv    (bench/cache.py)

Workload 8 measures the ``requests`` and ``scipy`` (numpy + scipy) stacks unless
``--cache-stacks`` names others (``none``: skipped). bench/disk.py measures
sizes, not times, so it runs beside the untimed set-up (the first build of the environment),
and every timed workload waits for it. Options: ``--only 1,3`` runs some workloads;
``--runs`` and ``--slow-runs`` set the number of runs of the cheap and of the expensive
commands; ``--work DIR`` works in DIR and keeps it, so that a second run skips the first
run's builds and downloads; ``--virtualenv`` adds virtualenv + pip to workload 2.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from . import ROOT, Line, Row, bench_environ, format_table, ratio, run
from .installed import install_pybuild
from .peers import install_peers
from .sdists import TARGETS

WORKLOADS = (1, 2, 3, 4, 5, 6, 7, 8)
SCRIPTS = ROOT / "bench"


def _say(text: str) -> None:
    print(f"bench: {text}", file=sys.stderr, flush=True)


def _script(name: str, *args: str) -> str | None:
    """The standard output of ``bench/NAME.py ARGS``, or None when the script is not there."""
    path = SCRIPTS / f"{name}.py"
    if not path.is_file():
        return None
    _say(f"running bench/{name}.py {' '.join(args)}".rstrip())
    return run([sys.executable, path, *args], bench_environ())


class _Background:
    """A script that measures no time (bench/disk.py: sizes) runs beside the untimed set-up."""

    def __init__(self, name: str, work: Path) -> None:
        self.name, self.path = name, SCRIPTS / f"{name}.py"
        self.out, self.err = work / f"{name}.out", work / f"{name}.err"
        self.process: subprocess.Popen[bytes] | None = None
        if self.path.is_file():
            _say(f"running bench/{name}.py beside the set-up (it measures sizes, not times)")
            with self.out.open("wb") as out, self.err.open("wb") as err:
                argv = [sys.executable, str(self.path)]
                self.process = subprocess.Popen(argv, env=bench_environ(), stdout=out, stderr=err)

    def result(self) -> str | None:
        """Its standard output once it has finished (None: no such script)."""
        if self.process is None:
            return None
        if self.process.wait() != 0:
            sys.exit(f"bench: bench/{self.name}.py failed:\n{self.err.read_text()[-3000:]}")
        return self.out.read_text()


def sdist_builds(runs: int) -> Row:
    """Workload 4, from bench/sdists.py's JSON."""
    out = _script("sdists", "--count", "20", "--runs", str(runs), "--json")
    if out is None:
        return Row("4. cold builds", [Line("bench/sdists.py is missing: not measured")])
    r = json.loads(out)
    n, pip = r["count"], r["pip"]
    lines = [
        Line(
            f"pybuild build -j{jobs} -f sdists.py ATTR…  ({n} pure-Python sdists, tools in store)",
            r[f"pybuild_j{jobs}"],
            ratio(r[f"pybuild_j{jobs}"], pip, "pip"),
            f"≤ {limit}× pip",
            r[f"pybuild_j{jobs}"] / pip <= limit,
        )
        for jobs, limit in TARGETS.items()
    ]
    lines.append(Line("pip wheel --no-deps --no-build-isolation SDIST  (one after another)", pip))
    if "pip_tmpfs" in r:  # both with TMPDIR on a tmpfs, as /tmp is on many systems
        ours, pip = r["pybuild_j1_tmpfs"], r["pip_tmpfs"]
        tmpfs = "the same -j1, TMPDIR on a tmpfs (pybuild's build_dir)"
        lines.append(Line(tmpfs, ours, ratio(ours, pip, "pip")))
        lines.append(Line("pip wheel, the same, TMPDIR on a tmpfs", pip))
    return Row(f"4. cold builds, {n} sdists", lines)


_EVAL_LINE = re.compile(r"^(?P<name>\S.*?)\s{2,}(?P<ms>\d+(?:\.\d+)?) ms(?:\s+(?P<target>.+))?$")
_LIMIT = re.compile(r"≤\s*(?P<n>\d+(?:\.\d+)?)\s*(?P<unit>ms|s)\b")


def evaluation(runs: int) -> Row:
    """Workload 5, from bench/evaluation.py's table (its lines: name, median ms, target)."""
    out = _script("evaluation", "--runs", str(runs))
    if out is None:
        return Row("5. evaluation", [Line("bench/evaluation.py is missing: not measured")])
    found = [m for m in map(_EVAL_LINE.match, out.splitlines()) if m]
    bare = next((float(m["ms"]) / 1000 for m in found if m["name"] == "python -c pass"), None)
    lines = []
    for m in found:
        seconds = float(m["ms"]) / 1000
        line = Line(m["name"], seconds)
        limit = _LIMIT.search(m["target"] or "")
        if limit:
            allowed = float(limit["n"]) / (1000 if limit["unit"] == "ms" else 1)
            line.ratio = f"{seconds / allowed:.2f}× target"
            if not m["name"].endswith("(a floor)"):  # a floor is not pybuild: no verdict
                line.target, line.met = limit[0], seconds <= allowed
        elif bare and m["name"] != "python -c pass":
            line.ratio = ratio(seconds, bare, "bare python")
        lines.append(line)
    if not lines:
        sys.exit(f"bench: bench/evaluation.py printed no figures:\n{out}")
    return Row("5. evaluation, 1000 recipes", lines)


_DISK_LINE = re.compile(r"^(?P<label>\S.*?)\s{2,}(?P<one>[\d.]+) MiB\s+(?P<five>[\d.]+) MiB")
_DISK_STORE = re.compile(r"^pybuild whole store.*?\s(?P<mib>[\d.]+) MiB")


def disk(out: str | None) -> tuple[Row, str]:
    """Workload 6, from bench/disk.py's table (MiB of 1 and of 5 environments); and its text."""
    if out is None:
        return Row("6. disk, 5 envs", [Line("bench/disk.py is missing: not measured")]), ""
    five = {m["label"]: float(m["five"]) for m in map(_DISK_LINE.match, out.splitlines()) if m}
    store = next(filter(None, map(_DISK_STORE.match, out.splitlines())), None)
    ours = five.get("pybuild, after optimise")
    pip, uv = five.get("pip venvs"), five.get("uv venvs + cache")
    if ours is None or pip is None or uv is None:
        return Row("6. disk, 5 envs", [Line("see bench/disk.py's output below")]), out
    lines = [
        Line(
            "pybuild: the store paths of the 5 closures (after optimise)",
            value=f"{ours} MiB",
            ratio=f"{ratio(ours, pip, 'pip')}, {ratio(ours, uv, 'uv')}",
        ),
    ]
    if store:
        whole = f"{store['mib']} MiB"
        lines.append(Line("pybuild: the whole store, with build inputs", value=whole))
    lines += [
        Line("pip: 5 venvs", value=f"{pip} MiB"),
        Line("uv: 5 venvs and its cache (hard links counted once)", value=f"{uv} MiB"),
    ]
    return Row("6. disk, 5 envs", lines), out


def against_nix(work: Path, runs: int, slow_runs: int) -> Row:
    """Workload 7 (bench/nix.py), when Nix is there or can be installed."""
    from . import nix

    found = nix.nix_peer()
    if found is None:
        return Row("7. vs Nix 2.8", [Line("nix-build is missing (apt-get install nix-bin)")])
    _say("7. building the DAG with both tools (untimed)")
    return nix.workload(nix.prepare(work, found), runs, slow_runs)


CACHE_TARGET = 2.0  # an empty store from the binary cache / uv from its warm cache, at most
CACHE_TARGET_STACK = "scipy"  # the stack the target is set for (numpy + scipy)


def binary_cache(stacks: list[str], runs: int) -> tuple[Row, str]:
    """Workload 8, from bench/cache.py's JSON: an empty store filled from a binary cache
    against uv from its warm cache, per stack; and bench/cache.py's own table."""
    from .cache import STACK_NAMES, render

    out = _script("cache", "--stacks", *stacks, "--runs", str(runs), "--json")
    if out is None:
        return Row("8. binary cache", [Line("bench/cache.py is missing: not measured")]), ""
    results = [(stack, r) for stack, r in json.loads(out)]
    lines = []
    for stack, r in results:
        what = STACK_NAMES[stack]
        target = stack == CACHE_TARGET_STACK
        lines += [
            Line(
                f"empty store <- file:// cache (zstd), {what}  ({r['paths']} paths)",
                r["cache"],
                ratio(r["cache"], r["uv"], "uv"),
                f"≤ {CACHE_TARGET}× uv" if target else "",
                r["cache"] / r["uv"] <= CACHE_TARGET if target else None,
            ),
            Line("the same, uncompressed archives", r["plain"], ratio(r["plain"], r["uv"], "uv")),
            Line(
                "the same, hard-linked from a warm link_cache  (as uv links from its cache)",
                r["linked"],
                ratio(r["linked"], r["uv"], "uv"),
                f"≤ {CACHE_TARGET}× uv" if target else "",
                r["linked"] / r["uv"] <= CACHE_TARGET if target else None,
            ),
            Line("uv pip install --offline PINS  (new venv, warm cache)", r["uv"]),
            Line(
                "cp -a of the same store paths  (the bytes written, nothing checked: the floor)",
                r["copy"],
                ratio(r["copy"], r["uv"], "uv"),
            ),
        ]
    return Row("8. binary cache", lines), render(results)


def machine() -> str:
    """One line about where the figures come from."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{platform.system()} {platform.release()}, {cpu}, {os.cpu_count()} cores;"
        f" Python {platform.python_version()}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only",
        default=",".join(map(str, WORKLOADS)),
        help="workloads to run, e.g. 1,2,3 (default: all)",
    )
    parser.add_argument("--runs", type=int, default=5, help="runs of the cheap commands")
    parser.add_argument("--slow-runs", type=int, default=3, help="runs of the expensive ones")
    parser.add_argument(
        "--virtualenv",
        action="store_true",
        help="in workload 2, also time virtualenv + pip install (a minute or two more)",
    )
    parser.add_argument(
        "--cache-stacks",
        default="requests,scipy",
        help="stacks for workload 8 (bench/cache.py); 'none' skips it",
    )
    parser.add_argument("--work", type=Path, help="work in DIR and keep it (default: a temp dir)")
    args = parser.parse_args()
    only = {int(w) for w in args.only.split(",") if w.strip()}
    started = time.monotonic()
    if args.work:
        args.work.mkdir(parents=True, exist_ok=True)
        work = args.work.absolute()
    else:
        work = Path(tempfile.mkdtemp(prefix="pybuild-bench-"))
    # The bench's own store; the scripts (4-6) make their own, also in temporary folders.
    os.environ["PYBUILD_HOME"] = str(work / "home")
    try:
        rows, texts = _measure(args, only, work)
    finally:
        if not args.work:
            from pybuild.store import remove_tree

            remove_tree(work)  # store paths are read-only: plain rmtree fails on them
    print(f"pybuild benchmarks, {datetime.date.today()}; {machine()}")
    print(
        f"peers: {texts.pop('peers')}; medians of {args.runs} runs ({3 * args.runs} for"
        f" imports, {args.slow_runs} for the expensive commands: pip, sdist builds)"
    )
    print("pybuild: this tree, installed with pip into a venv of its own (bench/installed.py)")
    print()
    print(format_table(rows))
    for name, text in texts.items():
        print(f"\n{name}:\n{text.rstrip()}")
    print(f"\n(the whole bench took {(time.monotonic() - started) / 60:.1f} min)")


def _measure(args: argparse.Namespace, only: set[int], work: Path) -> tuple[list[Row], dict]:
    from . import envs

    disk_job = _Background("disk", work) if 6 in only else None
    _say(f"installing the peers into {work / 'peers'}")
    peers = install_peers(work / "peers")
    texts: dict[str, str] = {"peers": ", ".join(f"{k} {v}" for k, v in peers.versions().items())}
    _say(f"installing pybuild from this tree into {work / 'pybuild-venv'}, as users install it")
    install_pybuild(work / "pybuild-venv")
    rows: list[Row] = []
    if only & {1, 2, 3}:
        ws = envs.prepare(work / "envs", peers, with_wheels=2 in only)
    disk_out = disk_job.result() if disk_job else None  # before anything is timed
    if only & {1, 2, 3}:
        if 1 in only:
            _say("1. no-op")
            rows.append(envs.noop(ws, args.runs))
        if 2 in only:
            _say("2. warm assembly")
            rows.append(
                envs.warm_assembly(ws, args.runs, args.slow_runs, with_virtualenv=args.virtualenv)
            )
        if 3 in only:
            _say("3. import cost")
            # ±5% is the question: three times the runs of the other cheap commands
            rows.append(envs.import_cost(ws, 3 * args.runs))
    if 4 in only:
        rows.append(sdist_builds(args.slow_runs))
    if 5 in only:
        rows.append(evaluation(args.runs))
    if 6 in only:
        row, text = disk(disk_out)
        rows.append(row)
        if text:
            texts["bench/disk.py"] = text
    if 7 in only:
        _say("7. against Nix 2.8")
        rows.append(against_nix(work / "nix", args.runs, args.slow_runs))
    if 8 in only and args.cache_stacks != "none":
        _say("8. binary cache")
        row, text = binary_cache(args.cache_stacks.split(","), args.slow_runs)
        rows.append(row)
        if text:
            texts["bench/cache.py"] = text
    return rows, texts


if __name__ == "__main__":
    main()
