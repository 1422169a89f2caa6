"""A floor for workload 2: the new environment with its packages' evaluation given.

A new environment evaluates every package of its closure again (its recipe, its download, its
derivation); only a cache of each package's evaluation, kept from one command line to the
next, could skip that. How fast would the command be with such a cache, at best? This module
answers by measurement, not estimate: :func:`write` evaluates the environment once and keeps
what each package's evaluation gives (its derivation's name, hash and output paths) in
``given.marshal``, beside an ``env_given.py`` that makes the environment's derivation from
those identities alone, as ``with_packages`` makes it, for whatever ``BENCH_ENV_NAME`` says.
``pybuild build -f env_given.py env`` is then the command with evaluation free: it imports
only :mod:`pybuild.derivations` (no set, no recipes, no recipe modules), so it is a floor that
no real cache could go under.
"""

from __future__ import annotations

import marshal
import subprocess
from pathlib import Path
from typing import Any

__all__ = ["FILE", "check", "write"]

FILE = '''\
"""The benchmark's environment with its packages' evaluation given (written by bench/given.py).

Each package is the identity its evaluation gave, read from given.marshal; only the
environment's own derivation is made, as with_packages makes it.
"""

import json
import marshal
import os

from pybuild import derivations
from pybuild.derivations import Derivation, derivation

with open(os.path.join(os.path.dirname(__file__), "given.marshal"), "rb") as f:
    given = marshal.loads(f.read())
drvs = {}
for kept in given["drvs"]:
    drv = Derivation.__new__(Derivation)  # no fields to check: its evaluation checked them
    drv.__dict__.update(kept, outputs=tuple(kept["outputs"]), input_drvs=(), input_srcs=(),
                        builder="", args=(), env=(), output_hash=None, meta={})
    for basename in kept["output_paths"].values():  # what string context looks paths up in
        derivations._known[basename[:32]] = drv
    drvs[kept["drv_name"]] = drv
spec = dict(given["spec"], closure=[str(drvs[n]) for n in given["closure"]],
            programs=[str(drvs[n]) for n in given["programs"]],
            listed=[str(drvs[n]) for n in given["listed"]])
env = derivation(
    name=os.environ.get("BENCH_ENV_NAME") or given["name"],
    builder=given["builder"],
    env=dict(given["env"], PYBUILD_ENV=json.dumps(spec, sort_keys=True, ensure_ascii=False)),
    meta=given["meta"],
)
'''


def write(folder: Path, env: Any) -> Path:
    """Keep what evaluating `env` (an environment, evaluated here) gave, and the file that
    makes it again from that alone; the file's path. Nothing here is timed."""
    closure, drv = env.closure, env.drv
    fields = ("name", "outputs", "drv_name", "hash_modulo", "output_paths")
    environ = {k: v for k, v in drv.env if k != "PYBUILD_ENV"}
    python = env.python
    given = {
        "drvs": [{f: getattr(p.drv, f) for f in fields} for p in closure],
        "closure": [p.drv.drv_name for p in closure],
        "programs": [p.drv.drv_name for p in env.with_programs],
        "listed": [p.drv.drv_name for p in env.roots],
        "spec": {
            "python": python.executable,
            "version": python.version,
            "site_packages": python.site_packages,
            "ignore_collisions": env.ignore_collisions,
        },
        "name": f"python{python.version_xy}-env",
        "builder": drv.builder,
        "env": environ,
        "meta": dict(drv.meta),
    }
    (folder / "given.marshal").write_bytes(marshal.dumps(given))
    file = folder / "env_given.py"
    file.write_text(FILE)
    return file


def check(real: list[str], given: list[str], environ: dict[str, str]) -> None:
    """Stop the bench unless the dry runs `real` and `given` (of env.py and of the given file,
    for the same ``BENCH_ENV_NAME``) name the same derivation for the environment: a change to
    ``with_packages`` that the given file does not follow would make another."""
    wanted = f"-{environ['BENCH_ENV_NAME']}.drv"
    runs = [
        subprocess.run(argv, env=environ, capture_output=True, text=True) for argv in (real, given)
    ]
    texts = [done.stdout + done.stderr for done in runs]
    named = [[line for line in text.splitlines() if line.endswith(wanted)] for text in texts]
    if any(done.returncode for done in runs) or not named[0] or named[0] != named[1]:
        raise SystemExit(
            "bench: env_given.py does not make env.py's derivation (bench/given.py):\n"
            + "\n---\n".join(texts)
        )
