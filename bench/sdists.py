"""Cold builds of pure-Python sdists: pybuild ``-j1`` and ``-j2`` against ``pip wheel``.

``python bench/sdists.py [--count 20] [--runs 3] [--json]`` takes `count` recipes of the
default set that build from an sdist holding no compiled sources (C, C++, Cython, Rust,
Fortran), none of them an input of another (so each one is built in the timed part), with
their test suites off (pip runs none; the imports check stays), and measures, with sources,
build tools and dependencies already at hand:

- pybuild: ``python -m pybuild build -jN -f sdists.py ATTR…`` of those packages (the file
  names each recipe of the set, ``do_check=False`` where it runs a test suite), in a copy of
  a store that holds their sources, build tools and dependencies, so only the packages
  themselves are built (unpack, PEP 517 build, install, bytecode, imports check); with
  ``-j1`` and with ``-j2``;
- pip: ``pip wheel --no-deps --no-build-isolation --no-index`` of the same sdist files, one
  after another, in a virtual environment that holds the same build backends (the store's
  copies of them, so the versions are identical).

Targets: ``-j1`` ≤ 0.75× pip, ``-j2`` ≤ 0.4× pip. Both build in the temporary folder
(``TMPDIR``; pybuild's default ``build_dir``). Where ``/dev/shm`` is a tmpfs, ``-j1`` and pip
also run with ``TMPDIR`` there, as on systems whose ``/tmp`` is a tmpfs (no target: what a
build costs without a disk's cost of creating files). Each run times the commands in turn, so a
noisy neighbour hits all of them alike; the figures are medians of `runs`. pybuild does more per
package than ``pip wheel`` (it also installs, compiles bytecode and imports the result), so
its ratio is an upper bound on its overhead.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import bench_environ, evaluated  # noqa: E402 - once the repository is on the path
from bench.installed import pybuild_argv  # noqa: E402

COMPILED_SUFFIXES = (".c", ".cc", ".cpp", ".cxx", ".pyx", ".rs", ".f", ".f90")
TARGETS = {1: 0.75, 2: 0.4}  # pybuild -jN / pip, at most


def has_compiled_sources(archive: Path) -> bool:
    """Whether a source archive holds code for a compiler (a pure-Python sdist holds none)."""
    if zipfile.is_zipfile(archive):
        with zipfile.ZipFile(archive) as zf:
            names = zf.namelist()
    else:
        with tarfile.open(archive) as tf:
            names = tf.getnames()
    return any(name.lower().endswith(COMPILED_SUFFIXES) for name in names)


def _inputs(pkg: Any) -> list[Any]:
    """What a package needs besides itself: its build system's closure and its dependencies'."""
    from pybuild.python.package import closure_of

    return [*closure_of(pkg.attrs["build_system"]), *pkg.runtime_closure]


def choose_sdists(pkgs: Any, count: int, store: Any) -> dict[str, Any]:
    """`count` pure-Python sdist recipes independent of each other, by attribute, in name order.

    Independent: none is an input (build tool or dependency, transitively) of another, so
    building the inputs first leaves all of them to the timed build. A recipe whose check
    phase runs its test suite is taken with the suite off (``do_check=False``; its imports
    check stays): ``pip wheel`` runs no tests, and a suite would dwarf the build.
    """
    from pybuild.realiser import BuildOptions, realise

    quiet = BuildOptions(log=open(os.devnull, "w"))  # noqa: SIM115 - lives for the call
    chosen: dict[str, Any] = {}
    chosen_drvs: set[str] = set()  # the set's own derivations of the chosen packages
    needed: set[str] = set()  # every input of the chosen packages
    for name, pkg in evaluated(pkgs).items():
        src = pkg.attrs["src"]
        if pkg.attrs["format"] != "pyproject" or not str(src).endswith((".tar.gz", ".zip")):
            continue
        inputs = {d.drv.drv_name for d in _inputs(pkg)}
        if pkg.drv.drv_name in needed or inputs & chosen_drvs:
            continue
        realise([src], store, quiet)
        if has_compiled_sources(Path(str(src))):
            continue
        chosen_drvs.add(pkg.drv.drv_name)
        if pkg.attrs["do_check"] and pkg.attrs["check_inputs"]:
            pkg = pkg.override_python_attrs(do_check=False)
        chosen[name] = pkg
        needed |= inputs
        if len(chosen) == count:
            break
    return chosen


SDISTS_FILE = '''\
"""The packages bench/sdists.py builds: recipes of the default set, test suites off."""

from pybuild.pkgset import package_set

pkgs = package_set()
{definitions}
'''


def write_sdists_file(path: Path, chosen: dict[str, Any]) -> None:
    """The file ``pybuild build -f`` takes the chosen packages from, each under its attribute
    (with ``do_check=False`` where the set's recipe runs a test suite)."""
    lines = []
    for name, pkg in chosen.items():
        value = f"pkgs[{name!r}]"
        if not pkg.attrs["do_check"]:
            value += ".override_python_attrs(do_check=False)"
        lines.append(f"{name} = {value}")
    path.write_text(SDISTS_FILE.format(definitions="\n".join(lines)))


def _pip_env(packages: list[Any], work: Path) -> Path:
    """A venv holding the packages' build backends, installed from the store's copies."""
    from pybuild.python.package import closure_of

    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = next((venv / "lib").glob("python*/site-packages"))
    backends = closure_of([b for p in packages for b in p.attrs["build_system"]])
    lines = [f"{b}/{b.python.site_packages}" for b in backends]
    (site / "pybuild-bench-backends.pth").write_text("\n".join(lines) + "\n")
    pip_site = Path(__import__("pip").__path__[0]).parent
    (site / "pybuild-bench-pip.pth").write_text(f"{pip_site}\n")
    return venv / "bin" / "python"


TMPFS = Path("/dev/shm")


def _environ(home: Path | None = None, tmp: Path | None = None) -> dict[str, str]:
    """The commands' environment, as the bench gives every timed command (bench_environ), with
    the store's home and the temporary folder when given."""
    extra = {"PYBUILD_HOME": str(home)} if home is not None else {}
    if tmp is not None:
        extra["TMPDIR"] = str(tmp)
    return bench_environ(**extra)


def _time_pybuild(
    attrs: list[str], file: Path, warm: Path, home: Path, jobs: int, tmp: Path | None = None
) -> float:
    """Seconds of ``pybuild build -jN -f FILE ATTR…`` in a fresh copy of the warm home."""
    from pybuild.store import remove_tree

    if home.exists():
        remove_tree(home)
    shutil.copytree(warm, home, symlinks=True)
    argv = pybuild_argv("build", f"-j{jobs}", "-f", str(file), *attrs)
    start = time.perf_counter()
    env = _environ(home, tmp)
    done = subprocess.run(argv, env=env, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"pybuild build -j{jobs} failed:\n{done.stderr[-3000:]}")
    built = done.stderr.count("building ")
    if built != len(attrs):
        sys.exit(f"pybuild build -j{jobs} built {built} derivations, expected {len(attrs)}")
    remove_tree(home)
    return seconds


def _time_pip(python: Path, sdists: list[str], work: Path, tmp: Path | None = None) -> float:
    out = work / "wheels"
    shutil.rmtree(out, ignore_errors=True)
    start = time.perf_counter()
    for sdist in sdists:
        argv = [str(python), "-m", "pip", "wheel", "--no-deps", "--no-build-isolation"]
        argv += ["--no-index", "-q", "-w", str(out), sdist]
        subprocess.run(
            argv,
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=_environ(tmp=tmp),
        )
    return time.perf_counter() - start


def _tmpfs() -> str | None:
    """``/dev/shm`` when it is a writable tmpfs (Linux), else None."""
    if not TMPFS.is_dir() or not os.access(TMPFS, os.W_OK):
        return None
    with open("/proc/mounts") as mounts:
        found = any(line.split()[1:3] == [str(TMPFS), "tmpfs"] for line in mounts)
    return str(TMPFS) if found else None


def measure(count: int, runs: int) -> dict[str, Any]:
    """Medians (seconds, all packages together) of pybuild -j1, -j2 and pip wheel."""
    from pybuild.pkgset import package_set
    from pybuild.realiser import BuildOptions, realise
    from pybuild.store import Store, remove_tree

    with tempfile.TemporaryDirectory(prefix="pybuild-bench-sdists-") as tmp:
        work = Path(tmp)
        warm_home = work / "warm"
        os.environ["PYBUILD_HOME"] = str(warm_home)
        warm = Store(warm_home)
        pkgs = package_set()
        chosen = choose_sdists(pkgs, count, warm)
        if len(chosen) < count:
            sys.exit(f"only {len(chosen)} independent pure-Python sdist recipes, {count} asked")
        attrs, packages = list(chosen), list(chosen.values())
        file = work / "sdists.py"
        write_sdists_file(file, chosen)
        inputs = {d for p in packages for d in p.drv.input_drvs}  # sources, tools, deps
        options = BuildOptions(jobs=2, log=open(os.devnull, "w"))  # noqa: SIM115
        ordered = sorted(inputs, key=lambda d: d.drv_name)
        realise(ordered, warm, options)
        if any(warm.is_valid(Path(str(p)).name) for p in packages):
            sys.exit("a benchmarked package was built with the inputs; it would not be timed")
        sdists = [str(p.attrs["src"]) for p in packages]
        python = _pip_env(packages, work)
        times: dict[str, list[float]] = {"pybuild_j1": [], "pybuild_j2": [], "pip": []}
        tmpfs = _tmpfs()
        in_memory = Path(tempfile.mkdtemp(prefix="pybuild-bench-", dir=tmpfs)) if tmpfs else None
        for _ in range(runs):
            for jobs in (1, 2):
                seconds = _time_pybuild(attrs, file, warm_home, work / "run", jobs)
                times[f"pybuild_j{jobs}"].append(seconds)
            times["pip"].append(_time_pip(python, sdists, work))
            if in_memory is not None:
                seconds = _time_pybuild(attrs, file, warm_home, work / "run", 1, in_memory)
                times.setdefault("pybuild_j1_tmpfs", []).append(seconds)
                pip = _time_pip(python, sdists, work, in_memory)
                times.setdefault("pip_tmpfs", []).append(pip)
        if in_memory is not None:
            shutil.rmtree(in_memory)
        remove_tree(warm_home)
    result: dict[str, Any] = {k: statistics.median(v) for k, v in times.items()}
    result.update(count=len(attrs), packages=[p.pname for p in packages], runs=runs)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="print the medians as JSON")
    args = parser.parse_args()
    result = measure(args.count, args.runs)
    if args.json:
        print(json.dumps(result, indent=2))
        return
    n, pip = result["count"], result["pip"]
    print(f"{n} sdists: {', '.join(result['packages'])}; median of {args.runs} runs")
    print(f"{'workload':<52}{'total':>9}{'per pkg':>10}{'ratio':>8}  target")
    for jobs, limit in TARGETS.items():
        ours = result[f"pybuild_j{jobs}"]
        name = f"pybuild build -j{jobs} -f sdists.py ATTR…"
        print(
            f"{name:<52}{ours:>8.1f}s{ours / n * 1000:>7.0f} ms{ours / pip:>7.2f}x  ≤ {limit}× pip"
        )
    name = "pip wheel --no-deps --no-build-isolation (one by one)"
    print(f"{name:<52}{pip:>8.1f}s{pip / n * 1000:>7.0f} ms")
    if "pip_tmpfs" in result:
        ours, pip = result["pybuild_j1_tmpfs"], result["pip_tmpfs"]
        name = "pybuild build -j1, TMPDIR on a tmpfs"
        print(f"{name:<52}{ours:>8.1f}s{ours / n * 1000:>7.0f} ms{ours / pip:>7.2f}x")
        name = "pip wheel, TMPDIR on a tmpfs"
        print(f"{name:<52}{pip:>8.1f}s{pip / n * 1000:>7.0f} ms")


if __name__ == "__main__":
    main()
