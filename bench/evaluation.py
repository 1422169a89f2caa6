"""Evaluation cost: a generated set of 1000 recipes, and ``import pybuild``.

``python bench/evaluation.py [--recipes 1000] [--runs 5]`` writes a recipe folder of
`recipes` packages (each depending on up to three earlier ones, sources pinned by hash as
``fetch_url`` downloads, so nothing is asked of an index), then measures in fresh processes:

- instantiate one leaf: load the set and make the derivation of one package: ``gen_0``, which
  has no dependencies, and the last one, whose closure is the largest (about a fifth of the
  set, since each recipe depends on up to three earlier ones);
- instantiate all: make every derivation of the set (hashes, .drv texts; nothing is built);
- ``import pybuild`` and ``pybuild --help``, against the interpreter's bare start-up.

Targets: one leaf ≤ 50 ms, all ≤ 1 s. Medians of `runs`.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.installed import pybuild_argv, python_argv  # noqa: E402 - once the repository is on the path

RECIPE = """\
def recipe(build_python_package, fetch_url, setuptools{params}):
    return build_python_package(
        pname="gen-{i}", version="1.{i}",
        src=fetch_url("file:///nonexistent/gen-{i}-1.{i}.tar.gz", hash="{hash}"),
        build_system=[setuptools], dependencies=[{deps}],
    )
"""

PROBE = textwrap.dedent("""\
    import sys, time
    start = time.perf_counter()
    from pybuild.pkgset import DEFAULT_RECIPES, package_set
    pkgs = package_set(recipes=[DEFAULT_RECIPES, sys.argv[1]])
    names = [n for n in pkgs.packages() if n.startswith("gen_")]
    targets = names if sys.argv[2] == "all" else [sys.argv[2]]
    for name in targets:
        pkgs[name].drv.drv_name
    print(time.perf_counter() - start)
""")


def write_set(folder: Path, count: int) -> None:
    """`count` recipes; recipe i depends on up to three of the recipes before it."""
    rng = random.Random(42)
    folder.mkdir(parents=True)
    for i in range(count):
        deps = sorted({f"gen_{rng.randrange(i)}" for _ in range(min(i, 3))})
        params = "".join(f", {d}" for d in deps)
        digest = f"{i:064x}"
        (folder / f"gen_{i}.py").write_text(
            RECIPE.format(i=i, params=params, deps=", ".join(deps), hash=digest)
        )


def _closure(folder: Path, name: str) -> int:
    """How many recipes `name` needs, transitively (read from the generated files)."""
    seen: set[str] = set()
    todo = [name]
    while todo:
        text = (folder / f"{todo.pop()}.py").read_text()
        deps = text.split("dependencies=[", 1)[1].split("]", 1)[0]
        for dep in filter(None, (d.strip() for d in deps.split(","))):
            if dep not in seen:
                seen.add(dep)
                todo.append(dep)
    return len(seen)


def median_seconds(argv: list[str], env: dict[str, str], runs: int, internal: bool) -> float:
    """Median wall time of `argv`, or of the time the probe itself reports (`internal`)."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        out = subprocess.run(argv, env=env, check=True, capture_output=True, text=True).stdout
        times.append(float(out.split()[-1]) if internal else time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipes", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "recipes"
        write_set(folder, args.recipes)
        env = {**os.environ, "PYBUILD_HOME": str(Path(tmp) / "home")}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        probe = python_argv("-c", PROBE, str(folder))
        subprocess.run([*probe, "all"], env=env, check=True, capture_output=True)  # warm caches
        leaf = f"gen_{args.recipes - 1}"
        rows = [
            (
                "python -c pass",
                median_seconds(python_argv("-c", "pass"), env, args.runs, False),
                "",
            ),
            (
                "import pybuild",
                median_seconds(python_argv("-c", "import pybuild"), env, args.runs, False),
                "",
            ),
            (
                "pybuild --help",
                median_seconds(pybuild_argv("--help"), env, args.runs, False),
                "",
            ),
            (
                f"instantiate one leaf of {args.recipes} (no deps)",
                median_seconds([*probe, "gen_0"], env, args.runs, True),
                "≤ 50 ms",
            ),
            (
                f"instantiate the deepest ({_closure(folder, leaf)} deps)",
                median_seconds([*probe, leaf], env, args.runs, True),
                "≤ 50 ms",
            ),
            (
                f"instantiate all {args.recipes}",
                median_seconds([*probe, "all"], env, args.runs, True),
                "≤ 1 s",
            ),
        ]
    print(f"{'workload':<40}{'median':>12}  target")
    for name, seconds, target in rows:
        print(f"{name:<40}{seconds * 1000:>9.1f} ms  {target}")


if __name__ == "__main__":
    main()
