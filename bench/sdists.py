"""Per-package cost of building sdists: pybuild against ``pip wheel``, in the same run.

``python bench/sdists.py [--count 10] [--runs 3]`` takes up to `count` recipes of the default
set that build from an sdist, and measures, with sources and build tools already at hand:

- pybuild: ``realise`` of those packages into a fresh store whose build tools and sources are
  already there (so only the package builds are timed: unpack, PEP 517 build, install,
  bytecode, imports check), one build at a time;
- pip: ``pip wheel --no-deps --no-build-isolation --no-index`` of the same sdist files, one
  after another, in a virtual environment that holds the same build backends (installed from
  the store's wheels of them, so the versions are identical).

It prints the median of `runs` for each, per package, and the ratio pybuild / pip. pybuild
does more per package than ``pip wheel`` (it installs, compiles bytecode and imports the
result), so the ratio is an upper bound on its overhead.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _sdist_packages(pkgs, count: int) -> list:
    """Recipes of the set that build from a source archive, dependencies before dependents."""
    found = []
    for name in pkgs.packages():
        try:
            pkg = pkgs[name]
        except Exception:  # a recipe that cannot be evaluated here is not benchmarked
            continue
        src = getattr(pkg, "attrs", {}).get("src")
        if pkg.attrs.get("format") == "pyproject" and str(getattr(src, "name", "")).endswith(
            (".tar.gz", ".zip")
        ):
            found.append(pkg)
    return found[:count]


def _time_pybuild(packages, home: Path) -> float:
    from pybuild.realiser import BuildOptions, realise
    from pybuild.store import Store

    store = Store(home)
    null = open(os.devnull, "w")  # noqa: SIM115 - lives for the call
    tools = {d.drv for p in packages for d in _build_inputs(p)}
    realise(sorted(tools, key=lambda d: d.drv_name), store, BuildOptions(log=null))
    start = time.perf_counter()
    realise([p.drv for p in packages], store, BuildOptions(log=null))
    return time.perf_counter() - start


def _build_inputs(pkg) -> list:
    """What a package needs besides itself: build system, sources, dependencies' closures."""
    from pybuild.python.package import closure_of

    deps = [d for d in pkg.runtime_closure if d is not pkg]
    return [*closure_of(pkg.attrs["build_system"]), *deps]


def _pip_env(packages, store, work: Path) -> Path:
    """A venv holding the packages' build backends, installed from the store's copies."""
    from pybuild.python.package import closure_of

    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = next((venv / "lib").glob("python*/site-packages"))
    backends = closure_of([b for p in packages for b in p.attrs["build_system"]])
    lines = [f"{b}/{b.python.site_packages}" for b in backends]
    (site / "pybuild-bench-backends.pth").write_text("\n".join(lines) + "\n")
    pip_site = Path(__import__("pip").__file__).parent.parent
    (site / "pybuild-bench-pip.pth").write_text(f"{pip_site}\n")
    return venv / "bin" / "python"


def _time_pip(python: Path, sdists: list[str], work: Path) -> float:
    out = work / "wheels"
    shutil.rmtree(out, ignore_errors=True)
    start = time.perf_counter()
    for sdist in sdists:
        subprocess.run(
            [
                str(python),
                "-m",
                "pip",
                "wheel",
                "--no-deps",
                "--no-build-isolation",
                "--no-index",
                "-q",
                "-w",
                str(out),
                sdist,
            ],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"},
        )
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    from pybuild.pkgset import package_set
    from pybuild.realiser import BuildOptions, realise
    from pybuild.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        os.environ["PYBUILD_HOME"] = str(work / "warm")
        pkgs = package_set()
        packages = _sdist_packages(pkgs, args.count)
        if not packages:
            sys.exit("no sdist recipes in the default set")
        warm = Store(work / "warm")
        srcs = [p.attrs["src"] for p in packages]
        backends = [b.drv for p in packages for b in p.attrs["build_system"]]
        realise([*srcs, *backends], warm, BuildOptions(log=open(os.devnull, "w")))  # noqa: SIM115
        sdists = [str(s) for s in srcs]
        python = _pip_env(packages, warm, work)
        ours, theirs = [], []
        for run in range(args.runs):
            home = work / f"run{run}"
            shutil.copytree(work / "warm", home, symlinks=True)
            os.environ["PYBUILD_HOME"] = str(home)
            ours.append(_time_pybuild(packages, home))
            theirs.append(_time_pip(python, sdists, work))
    n = len(packages)
    a, b = statistics.median(ours) / n * 1000, statistics.median(theirs) / n * 1000
    names = ", ".join(p.pname for p in packages)
    print(f"{n} sdists: {names}; median of {args.runs} runs, per package")
    print(f"{'workload':<58}{'per package':>12}")
    print(f"{'pybuild realise (unpack, build, install, bytecode, check)':<58}{a:>9.0f} ms")
    print(f"{'pip wheel --no-deps --no-build-isolation':<58}{b:>9.0f} ms")
    print(f"{'ratio pybuild / pip':<58}{a / b:>11.2f}x")


if __name__ == "__main__":
    main()
