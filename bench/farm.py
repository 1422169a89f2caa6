"""Remote builders: 20 sdists built here, on one remote home, and on two; the protocol's cost.

``python bench/farm.py [--count 20] [--json]`` (as root, with OpenSSH's server installed)
takes `count` recipes of the default set that build from an sdist, none an input of another
(so each is built in the timed part), realises their inputs (sources, build tools,
dependencies) in a warm home, then builds the packages, each time from a fresh copy of that
home:

- here: one after another in this process, as ``pybuild build -j1`` would;
- one builder, empty: one after another on a remote home that starts empty, reached through
  a real ``sshd`` on 127.0.0.1 (tests/support/sshd.py), nothing built here; every build
  also copies there the part of its input closure the home lacks;
- one builder, warm: the same on a remote home that already holds the inputs (a copy of the
  warm home: a farm's usual state, its builders having built the tools before);
- two builders, warm: two such homes, one build each at a time.

The protocol's overhead per derivation is the time a remote build took in all, less the time
the build took there (what the server measures): connecting, copying inputs, asking, copying
the output back, checking and registering it. Target: under 10% of the build itself, on warm
builders. All builds run without the sandbox, here and there, so both sides do the same work.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from bench import evaluated  # noqa: E402 - once the repository is on the path

TARGET = 0.10  # overhead / build time there, per derivation


def _quiet(**changes: Any) -> Any:
    from pybuild.buildoptions import BuildOptions

    return BuildOptions(log=io.StringIO(), **changes)


def _fresh(warm: Path, home: Path) -> Any:
    """A copy of the warm home at `home`, made the current one; its store."""
    from pybuild.store import Store, remove_tree

    if home.exists():
        remove_tree(home)
    shutil.copytree(warm, home, symlinks=True)
    os.environ["PYBUILD_HOME"] = str(home)
    return Store(home)


def _build_here(drvs: list[Any], store: Any) -> float:
    from pybuild.realiser import realise

    start = time.perf_counter()
    for drv in drvs:
        realise([drv], store, _quiet())
    return time.perf_counter() - start


def _build_remote(drvs: list[Any], store: Any, builders: str, workers: int) -> tuple[float, Any]:
    """Seconds to build `drvs` on the machines of `builders` only; the farm (its timings)."""
    from pybuild.remote.farm import Farm
    from pybuild.remote.machines import parse_machines
    from pybuild.settings import load_settings

    settings = load_settings()
    farm = Farm(
        parse_machines(builders),
        0,
        settings.ssh_options,
        settings.remote_pybuild,
        settings.connect_timeout,
    )

    def here() -> None:
        sys.exit("a build fell back to this machine: a remote builder failed")

    def one(drv: Any) -> None:
        with store.lock(drv.output_paths.values()):
            farm.build(drv, store, _quiet(), here)

    start = time.perf_counter()
    try:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            list(pool.map(one, drvs))
    finally:
        farm.close()
    return time.perf_counter() - start, farm


def choose(pkgs: Any, count: int) -> dict[str, Any]:
    """`count` packages by attribute, in name order, of sdist recipes none of which is
    another's input; a test suite in the check phase is turned off (it would dwarf the rest)."""
    from pybuild.python.package import closure_of

    chosen: dict[str, Any] = {}
    needed: set[str] = set()  # every input of the chosen packages
    for name, pkg in evaluated(pkgs).items():
        if not str(pkg.attrs["src"]).endswith((".tar.gz", ".zip")):
            continue
        if pkg.attrs["do_check"] and pkg.attrs["check_inputs"]:
            pkg = pkg.override_python_attrs(do_check=False)
        closure = [*closure_of(pkg.attrs["build_system"]), *pkg.runtime_closure]
        inputs = {d.drv.drv_name for d in closure}
        if pkg.drv.drv_name in needed or inputs & {p.drv.drv_name for p in chosen.values()}:
            continue
        chosen[name] = pkg
        needed |= inputs
        if len(chosen) == count:
            break
    return chosen


def measure(count: int) -> dict[str, Any]:
    from pybuild.pkgset import package_set
    from pybuild.realiser import realise
    from pybuild.store import Store
    from support.sshd import client_environ, running_sshd  # type: ignore[import-not-found]

    os.environ["PYBUILD_SANDBOX"] = "false"
    os.environ["PYBUILD_BUILD_USERS"] = "false"  # as root, the same work as a user's build
    with tempfile.TemporaryDirectory(prefix="pybuild-bench-farm-") as tmp:
        work = Path(tmp)
        warm_home = work / "warm"
        os.environ["PYBUILD_HOME"] = str(warm_home)
        warm = Store(warm_home)
        pkgs = package_set()
        chosen = choose(pkgs, count)
        if len(chosen) < count:
            sys.exit(f"only {len(chosen)} sdist recipes independent of each other, {count} asked")
        drvs = [p.drv for p in chosen.values()]
        inputs = {d for drv in drvs for d in drv.input_drvs}
        ordered = sorted(inputs, key=lambda d: d.drv_name)
        realise(ordered, warm, _quiet(jobs=2))
        with running_sshd(work / "sshd") as sshd:
            os.environ.update(client_environ(sshd))
            here = _build_here(drvs, _fresh(warm_home, work / "here"))
            cold, cold_farm = _build_remote(
                drvs, _fresh(warm_home, work / "cold"), sshd.uri(work / "remote-cold"), 1
            )
            # Builders that already hold the build tools and dependencies (a farm's usual
            # state): copies of the warm home, lacking only the packages themselves.
            remotes = [work / f"remote-{n}" for n in ("w", "w1", "w2")]
            for remote in remotes:
                shutil.copytree(warm_home, remote, symlinks=True)
            warm_s, warm_farm = _build_remote(
                drvs, _fresh(warm_home, work / "warm1"), sshd.uri(remotes[0]), 1
            )
            two_builders = f"{sshd.uri(remotes[1])}; {sshd.uri(remotes[2])}"
            two, _ = _build_remote(drvs, _fresh(warm_home, work / "two"), two_builders, 2)
    result: dict[str, Any] = {
        "count": len(drvs),
        "packages": list(chosen),
        "here_s": here,
        "one_builder_cold_s": cold,
        "one_builder_s": warm_s,
        "two_builders_s": two,
    }
    for name, farm in (("cold", cold_farm), ("warm", warm_farm)):
        shares = [(total - there) / there for there, total in farm.timings]
        result[f"{name}_overhead_ms_median"] = (
            statistics.median(t - b for b, t in farm.timings) * 1000
        )
        result[f"{name}_overhead_share_median"] = statistics.median(shares)
        result[f"{name}_overhead_share_max"] = max(shares)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    if os.geteuid() != 0 or not shutil.which("sshd", path=f"{os.environ['PATH']}:/usr/sbin"):
        sys.exit("bench/farm.py starts sshd for root: run it as root with openssh-server")
    result = measure(args.count)
    if args.json:
        print(json.dumps(result, indent=2))
        return
    n = result["count"]
    print(f"{n} sdists: {', '.join(result['packages'])}")
    for name, key in (
        ("here, one after another", "here_s"),
        ("one remote builder, empty home", "one_builder_cold_s"),
        ("one remote builder, holding the inputs", "one_builder_s"),
        ("two remote builders, holding the inputs", "two_builders_s"),
    ):
        print(f"{name:<42}{result[key]:>8.1f} s{result[key] / n * 1000:>8.0f} ms/drv")
    for name, what in (("warm", "builder holding the inputs"), ("cold", "empty builder")):
        share, worst = result[f"{name}_overhead_share_median"], result[f"{name}_overhead_share_max"]
        verdict = "met" if share < TARGET else "MISSED"
        print(
            f"protocol overhead per derivation, {what}: median"
            f" {result[f'{name}_overhead_ms_median']:.0f} ms, {share:.1%} of the build there"
            f" (worst {worst:.1%}); target < {TARGET:.0%}: {verdict}"
        )


if __name__ == "__main__":
    main()
