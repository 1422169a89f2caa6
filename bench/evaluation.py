"""Evaluation cost: a generated set of 1000 recipes, and ``import pybuild``.

``python bench/evaluation.py [--recipes 1000] [--runs 5]`` writes a recipe folder of
`recipes` packages (each depending on up to three earlier ones, sources pinned by hash as
``fetch_url`` downloads, so nothing is asked of an index), then measures in fresh processes:

- instantiate one leaf: load the set and make the derivation of one package: ``gen_0``, which
  has no dependencies, and the last one, whose closure is the largest (about a fifth of the
  set, since each recipe depends on up to three earlier ones);
- instantiate all: make every derivation of the set (hashes, .drv texts; nothing is built);
- the deepest with the standard library alone, a floor (``FLOOR``): the same recipe modules
  loaded from their cached bytecode and called, and the same derivations made, byte for byte
  (checked: the same ``.drv`` name), by a script that does nothing else;
- ``import pybuild`` and ``pybuild --help``, against the interpreter's bare start-up.

Targets: one leaf ≤ 50 ms, all ≤ 1 s. Medians of `runs`.

``--instructions`` counts instead the instructions the deepest recipe's probe, its floor and
the bare interpreter execute (valgrind's callgrind, ``PYTHONHASHSEED=0``): on an idle machine
the same counts to a few thousand in every run, where the times of a shared machine vary by a
third from one minute to the next, so a change to evaluation too small for the times to show
is measured by them (and each count is a process's whole work, as the times are).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
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

# What a set's fixed parts are for the floor, asked of pybuild before anything is timed: the
# interpreter's facts, the downloader's script in the store, the toolchain's and setuptools'
# derivations, and one recipe's builder attributes as the template of all.
FIXED = textwrap.dedent("""\
    import json, sys
    from pybuild.derivations import STORE_TOKEN
    from pybuild.pkgset import DEFAULT_RECIPES, package_set
    from pybuild.python.package import toolchain
    from pybuild.store import Store
    pkgs = package_set(recipes=[DEFAULT_RECIPES, sys.argv[1]])
    py, store = pkgs.interpreter, Store.default()
    drvs = {"toolchain": toolchain(py), "setuptools": pkgs.setuptools.drv}
    gen, download = pkgs.gen_0.drv, pkgs.gen_0.attrs["src"]
    print(json.dumps({
        "prefix": str(store.dir) + "/", "token": STORE_TOKEN + "/", "python": py.executable,
        "identity": py.identity, "xy": py.version_xy, "fetcher": download.builder,
        "fetch": str(store.dir / download.input_srcs[0]),
        "attrs": json.loads(dict(gen.env)["PYBUILD_ATTRS"]),
        "drvs": {k: [d.out, d.hash_modulo, d.drv_name] for k, d in drvs.items()},
        "deepest": pkgs[sys.argv[2]].drv.drv_name,
    }))
""")

# The floor: the deepest recipe's closure evaluated by the standard library alone. Each recipe
# module is run from its cached bytecode and called with its inputs by name; each download
# and package gets the derivation pybuild gives it (canonical JSON, inputs by hash for the
# output path, by .drv name for the .drv's; Nix's base-32). No laziness, no overrides, no
# checks of names or arguments, no string context (the inputs are known), no store.
FLOOR = textwrap.dedent("""\
    import sys, time
    start = time.perf_counter()
    import binascii, hashlib, json, marshal, os
    folder, target, fixed = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    names = {n[:-3] for n in os.listdir(folder) if n.endswith(".py")}  # the set's, as pybuild's
    ALPHABET = "0123456789abcdfghijklmnpqrsvwxyz"
    PAIRS = [high + low for high in ALPHABET for low in ALPHABET]
    encode = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode
    encode_attrs = json.JSONEncoder(sort_keys=True).encode
    PREFIX, TOKEN = fixed["prefix"], fixed["token"]

    def sha(text):
        return hashlib.sha256(text.encode()).hexdigest()

    def store_name(kind, digest, name):
        fingerprint = hashlib.sha256(f"{kind}:sha256:{digest}:{name}".encode()).digest()[:20]
        number = int.from_bytes(fingerprint, "little")
        pairs = [PAIRS[(number >> bit) & 0x3FF] for bit in range(0, 160, 10)]
        return "".join(reversed(pairs)) + "-" + name

    def derivation(name, builder, args, env, inputs, srcs, sri=None):
        doc = {"args": args, "builder": builder, "env": env, "inputDrvs": [],
               "inputSrcs": srcs, "name": name, "outputHash": sri,
               "outputHashMode": "flat", "outputs": {"out": ""}, "version": 1}
        if sri is None:
            doc["inputDrvs"] = sorted(i[1] for i in inputs)
            modulo = sha(encode(doc))
            out = store_name("output:out", modulo, name)
        else:
            digest = binascii.a2b_base64(sri[7:]).hex()
            out = store_name("output:out", sha(f"fixed:out:sha256:{digest}:"), name)
            modulo = sha(f"fixed:out:flat:{digest}:{out}")
        doc["inputDrvs"], doc["outputs"] = sorted(i[2] for i in inputs), {"out": out}
        return out, modulo, store_name("text", sha(encode(doc)), name + ".drv")

    def fetch_url(url, hash):
        sri = "sha256-" + binascii.b2a_base64(bytes.fromhex(hash), newline=False).decode()
        script = fixed["fetch"].replace(PREFIX, TOKEN)
        return derivation(url.rsplit("/", 1)[1], fixed["fetcher"], ["-S", script, url], {},
                          [], [fixed["fetch"][len(PREFIX):]], sri)

    def build_python_package(**attrs):
        return attrs

    TOOLCHAIN = fixed["drvs"]["toolchain"]
    given = {"build_python_package": build_python_package, "fetch_url": fetch_url,
             "setuptools": fixed["drvs"]["setuptools"]}
    names.update(given)
    done = {}

    def evaluate(name):
        if name in done:
            return done[name]
        file = f"{folder}/{name}.py"
        os.stat(file)  # as the import system checks the source against its bytecode
        cached = f"{folder}/__pycache__/{name}.{sys.implementation.cache_tag}.pyc"
        with open(cached, "rb") as f:
            code = marshal.loads(f.read()[16:])
        module = {"__name__": name, "__file__": file}
        exec(code, module)
        fn = module["recipe"]
        params = fn.__code__.co_varnames[:fn.__code__.co_argcount]
        attrs = fn(**{p: given[p] if p in given else evaluate(p) for p in params if p in names})
        src, deps, tools = attrs["src"], attrs["dependencies"], attrs["build_system"]
        path = lambda d: PREFIX + d[0]
        builder_attrs = {**fixed["attrs"], "pname": attrs["pname"], "version": attrs["version"],
                         "src": path(src), "dependencies": [path(d) for d in deps],
                         "build_system": [path(d) for d in tools]}
        env = {"PYBUILD_ATTRS": encode_attrs(builder_attrs).replace(PREFIX, TOKEN),
               "PYBUILD_PYTHON": fixed["identity"], "PYTHONPATH": TOKEN + TOOLCHAIN[0]}
        args = ["-S", TOKEN + TOOLCHAIN[0] + "/pybuild-builder/__main__.py"]
        done[name] = derivation(f"python{fixed['xy']}-{attrs['pname']}-{attrs['version']}",
                                fixed["python"], args, env, [src, *deps, *tools, TOOLCHAIN], [])
        return done[name]

    drv_name = evaluate(target)[2]
    print(drv_name, time.perf_counter() - start)
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


def run_floor(folder: Path, leaf: str, env: dict[str, str]) -> tuple[str, str, float]:
    """The floor's fixed parts (``FIXED``, as JSON) asked of pybuild, then the floor run once
    with them: its .drv name of `leaf`, and its seconds."""
    argv = python_argv("-c", FIXED, str(folder), leaf)
    fixed = subprocess.run(argv, env=env, check=True, capture_output=True, text=True).stdout
    floor = python_argv("-c", FLOOR, str(folder), leaf, fixed)
    made = subprocess.run(floor, env=env, check=True, capture_output=True, text=True).stdout
    drv_name, seconds = made.split()
    return fixed, drv_name, float(seconds)


def _fixed(folder: Path, leaf: str, env: dict[str, str]) -> str:
    """The floor's fixed parts, checked first: the floor makes the same .drv as pybuild, or it
    would not be the floor of pybuild's work."""
    fixed, drv_name, _ = run_floor(folder, leaf, env)
    if drv_name != json.loads(fixed)["deepest"]:
        sys.exit(f"bench: the floor made {drv_name}, pybuild {json.loads(fixed)['deepest']}")
    return fixed


def median_seconds(argv: list[str], env: dict[str, str], runs: int, internal: bool) -> float:
    """Median wall time of `argv`, or of the time the probe itself reports (`internal`)."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        out = subprocess.run(argv, env=env, check=True, capture_output=True, text=True).stdout
        times.append(float(out.split()[-1]) if internal else time.perf_counter() - start)
    return statistics.median(times)


def instructions(argv: list[str], env: dict[str, str]) -> int:
    """The instructions `argv` executes, counted by valgrind's callgrind (hash seed fixed)."""
    counted = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *argv]
    done = subprocess.run(
        counted, env={**env, "PYTHONHASHSEED": "0"}, check=True, capture_output=True, text=True
    )
    found = re.search(r"Collected : (\d+)", done.stderr)
    if found is None:
        sys.exit(f"bench: valgrind counted nothing:\n{done.stderr[-2000:]}")
    return int(found[1])


def print_instructions(
    folder: Path, probe: list[str], floor: list[str], leaf: str, env: dict[str, str]
) -> None:
    """``--instructions``: the deepest recipe's probe and its floor, and the bare start."""
    if shutil.which("valgrind") is None:
        sys.exit("bench: --instructions needs valgrind (apt-get install valgrind)")
    bare = instructions(python_argv("-c", "pass"), env)
    deepest = instructions([*probe, leaf], env)
    least = instructions(floor, env)
    print(f"{'process':<48}{'instructions':>14}  beyond the bare start")
    for name, count in [
        ("python -c pass", bare),
        (f"instantiate the deepest ({_closure(folder, leaf)} deps)", deepest),
        ("the deepest, standard library alone (a floor)", least),
    ]:
        print(f"{name:<48}{count / 1e6:>12.1f} M  {(count - bare) / 1e6:.1f} M")
    print(f"the deepest beyond its floor: {(deepest - bare) / (least - bare):.2f}×")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipes", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--instructions", action="store_true", help="count, do not time")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "recipes"
        write_set(folder, args.recipes)
        env = {**os.environ, "PYBUILD_HOME": str(Path(tmp) / "home")}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        probe = python_argv("-c", PROBE, str(folder))
        subprocess.run([*probe, "all"], env=env, check=True, capture_output=True)  # warm caches
        leaf = f"gen_{args.recipes - 1}"
        floor = python_argv("-c", FLOOR, str(folder), leaf, _fixed(folder, leaf, env))
        if args.instructions:
            print_instructions(folder, probe, floor, leaf, env)
            return
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
                "the deepest, standard library alone (a floor)",
                median_seconds(floor, env, args.runs, True),
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
