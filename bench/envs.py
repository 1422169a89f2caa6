"""Workloads 1–3: an environment of 50 packages of the default set, against uv, pip and venv.

The environment: a closure of exactly 50 packages of the default set, derived from the set
(:func:`choose_packages`): numpy, scipy, pandas and matplotlib, then the other projects' own
attributes in name order, each with its closure, while the total stays within 50; the set's
build and test tools and the versioned attributes (``numpy_1``) are not asked for, and each
project is there once. The peers install the same 50 at the same versions, pinned in a
requirements file (``name==version``, one a line), from the index pip is configured for.

1. No-op: ``pybuild build -f env.py env`` when the environment is already in the store, vs
   ``uv pip install -r reqs.txt`` into a venv where all 50 are installed; and
   ``pybuild shell -p ATTR… --run true`` vs that uv no-op followed by ``sh -c true``; and
   ``pybuild run pygments -V`` (a package's program: pygmentize) vs ``uvx`` running the same
   release's from its warm cache, with the program alone for scale.
2. Warm assembly: a new environment of the 50 from a store that holds every package (each
   run gives the environment another ``name=``, so that only the environment itself is built),
   vs ``uv venv`` + ``uv pip install`` from a warm uv cache (``--offline``: everything is in
   its cache, so no run waits on the network), vs ``python -m venv`` + ``pip install
   --no-index --find-links`` from a folder of the 50 wheels. A floor for pybuild's line: the
   same command with each package's evaluation given (:mod:`bench.given`), what a cache of
   every package's evaluation would leave at best; and under it, the environment's own work
   done by the standard library alone (:mod:`bench.envfloor`), the floor of any Python
   program.
3. Import cost: ``python -c "import <the 50 top-level modules>"`` in the pybuild environment
   (its site-packages the merged tree of the packages', made of links) vs the same packages
   in the flat venv of workload 1 (bytecode written by a first, untimed run).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pybuild.generate.names import attr_name

from . import (
    Command,
    Line,
    Row,
    bench_environ,
    envfloor,
    evaluated,
    given,
    measure,
    ratio,
    run,
    settle,
)
from .installed import installed_package, pybuild_argv, python_argv
from .peers import Peers, pip_venv, uv_index_args

__all__ = [
    "ANCHORS",
    "IMPORT_TARGET",
    "Workspace",
    "choose_packages",
    "import_cost",
    "noop",
    "prepare",
    "tools",
    "top_level_module",
    "warm_assembly",
]

SIZE = 50
ANCHORS = ("numpy", "scipy", "pandas", "matplotlib")  # the stacks the environment must hold
NOOP_TARGET = 1.0  # pybuild's no-op build / uv's no-op install, at most
SHELL_TARGET = 1.5  # pybuild's no-op shell --run true / uv's no-op install + true, at most
ASSEMBLY_TARGET = 0.25  # a new environment from a warm store / uv from its warm cache, at most
RUN = ("pygments", "pygmentize", "-V")  # pybuild run's package, its program and the arguments
IMPORT_TARGET = 1.01  # pybuild env / flat venv, at most
ENV_FILE = '''\
"""The benchmark's environment: {count} packages of the default set (written by bench/envs.py).

``BENCH_ENV_NAME`` names it, so that a run can ask for a new environment of the same
packages; unset, it has the default name.
"""

import os

from pybuild.pkgset import package_set

ATTRS = {attrs!r}

pkgs = package_set()
env = pkgs.python.with_packages(
    lambda ps: [ps[attr] for attr in ATTRS], name=os.environ.get("BENCH_ENV_NAME")
)
'''


def choose_packages(pkgs: Any, size: int = SIZE, anchors: Sequence[str] = ANCHORS) -> list[str]:
    """The attributes of the environment: a closure of exactly `size` packages of the set.

    Derived from the set, so that a new recipe changes the choice instead of breaking it:
    the candidates are the projects' own attributes (``numpy``, not ``numpy_1``) that evaluate
    on this interpreter, less the set's tools (:func:`tools`); the `anchors` come first,
    then the other candidates in name order, each with its whole closure, while the total
    stays within `size`. A candidate whose closure holds another release of a project
    already there (or any attribute but the project's own) is passed over: one numpy, one
    contourpy. The result is checked against the environment's own closure, and a set that
    cannot give exactly `size` is reported, not benchmarked with another size.
    """
    every = evaluated(pkgs)
    own = {name: pkg for name, pkg in every.items() if name == attr_name(pkg.pname)}
    roots = sorted(set(own) - tools(every.values()))
    chosen: dict[str, Any] = {}
    for name in [*anchors, *roots]:
        if name not in own:
            continue
        closure = [own[name], *own[name].runtime_closure]
        by_attr = {attr_name(p.pname): p for p in closure}
        if any(a not in own or str(own[a]) != str(p) for a, p in by_attr.items()):
            continue  # another release of a project, or a package that is no attribute
        new = {a: p for a, p in by_attr.items() if a not in chosen}
        if len(chosen) + len(new) <= size:
            chosen.update(new)
    attrs = sorted(chosen)
    closure = pkgs.python.with_packages(lambda ps: [ps[a] for a in attrs]).closure
    missing = [a for a in anchors if a not in chosen]
    if len(attrs) != size or len(closure) != size or missing:
        sys.exit(
            f"bench: the environment has {len(attrs)} packages and a closure of {len(closure)},"
            f" not {size} (anchors left out: {missing or 'none'}): the default set no longer"
            " gives such an environment; see choose_packages in bench/envs.py"
        )
    return attrs


def tools(packages: Any) -> set[str]:
    """What the set builds and tests with, by attribute: the closures of every package's
    build system, native build inputs and check inputs, and the builder's own toolchain.
    These are not asked for by name (they come in only as another package's dependency)."""
    from pybuild.python.package import TOOLCHAIN, closure_of

    keys = ("build_system", "native_build_inputs", "check_inputs")
    used = [dep for pkg in packages for key in keys for dep in pkg.attrs[key]]
    return {attr_name(p.pname) for p in closure_of(used)} | {attr_name(n) for n in TOOLCHAIN}


def top_level_module(site: Path, pname: str) -> str:
    """The module a user imports for a package: the top-level name that matches the
    distribution's, else the only (or first) public one it installs (``bs4``, ``PIL``)."""
    names = []
    for entry in site.iterdir():
        if entry.name.endswith(".py"):
            names.append(entry.name[:-3])
        elif (entry / "__init__.py").is_file():
            names.append(entry.name)
    public = sorted(n for n in names if not n.startswith("_") and n.isidentifier())
    if not public:
        sys.exit(f"bench: {pname} installs no importable top-level module in {site}")
    wanted = pname.lower().replace("-", "_")
    return next((n for n in public if n.lower() == wanted), public[0])


@dataclass
class Workspace:
    """What workloads 1–3 share, made once by :func:`prepare`."""

    work: Path
    peers: Peers
    env_file: Path
    attrs: list[str]  # the environment's packages, by attribute
    reqs: Path
    wheels: Path
    env: Path  # the environment's store path
    packages: list[Path]  # the store paths of its closure
    site_packages: str  # lib/pythonX.Y/site-packages
    modules: list[str]  # one top-level module of each package
    flat: Path  # the venv uv installed the 50 into
    given_file: Path  # env.py with each package's evaluation given (bench/given.py)

    def pybuild(self, *flags: str, file: Path | None = None) -> list[str]:
        """``pybuild build -f env.py env``: the environment, by the user's command line."""
        return pybuild_argv("build", *flags, "-f", str(file or self.env_file), "env")

    def pybuild_shell(self, command: str) -> list[str]:
        """``pybuild shell -p ATTR… --run COMMAND``: the same packages, named one by one."""
        named = [arg for attr in self.attrs for arg in ("-p", attr)]
        return pybuild_argv("shell", *named, "--run", command)

    def pybuild_run(self) -> list[str]:
        """``pybuild run pygments -V``: the package's program (pygmentize), as uvx runs one."""
        attr, _, *args = RUN
        return pybuild_argv("run", attr, *args)

    def uvx(self, version: str, *flags: str) -> list[str]:
        """``uvx --from pygments==VERSION pygmentize -V``, the same release's program."""
        attr, program, *args = RUN
        argv = [str(self.peers.uv), "tool", "run", *flags, *uv_index_args()]
        return [*argv, "--from", f"{attr}=={version}", program, *args]

    def uv_install(self, venv: Path, *flags: str) -> list[str]:
        python = str(venv / "bin" / "python")
        argv = [str(self.peers.uv), "pip", "install", "-q", *flags, "--python", python]
        return [*argv, *uv_index_args(), "-r", str(self.reqs)]

    @property
    def import_code(self) -> str:
        return "import " + ", ".join(self.modules)


def _say(text: str) -> None:
    print(f"bench: {text}", file=sys.stderr, flush=True)


def prepare(work: Path, peers: Peers, with_wheels: bool = True) -> Workspace:
    """Build the environment into the bench's store, fill uv's cache and the flat venv, and
    (`with_wheels`) download the 50 wheels for pip. Nothing here is timed."""
    from pybuild.pkgset import package_set

    work.mkdir(parents=True, exist_ok=True)
    pkgs = package_set()
    attrs = choose_packages(pkgs)
    packages = [pkgs[a] for a in attrs]
    env_file = work / "env.py"
    text = ENV_FILE.format(count=len(attrs), attrs=attrs)
    if not env_file.is_file() or env_file.read_text() != text:  # a new file: a new evaluation
        env_file.write_text(text)
    reqs = work / "reqs.txt"
    reqs.write_text("".join(f"{p.pname}=={p.version}\n" for p in packages))

    _say(f"building the environment of {len(attrs)} packages (a few minutes the first time)")
    log = work / "build.log"
    argv = pybuild_argv("build", "-j2", "-f", str(env_file), "env")
    with log.open("w") as err:
        done = subprocess.run(argv, env=bench_environ(), stdout=subprocess.PIPE, stderr=err)
    if done.returncode != 0:
        sys.exit(f"bench: building the environment failed; see {log}:\n{log.read_text()[-3000:]}")
    env = Path(done.stdout.decode().split()[-1])
    site_rel = packages[0].python.site_packages
    paths = [Path(str(p)) for p in packages]
    pairs = zip(paths, packages, strict=True)
    modules = [top_level_module(path / site_rel, p.pname) for path, p in pairs]

    _say("installing the same packages with uv (fills its cache)")
    ws = Workspace(
        work,
        peers,
        env_file,
        attrs,
        reqs,
        work / "wheels",
        env,
        paths,
        site_rel,
        modules,
        work / "flat",
        given.write(work, pkgs.python.with_packages(lambda ps: [ps[a] for a in attrs])),
    )
    probe = bench_environ(BENCH_ENV_NAME=f"bench-given-{time.time_ns():x}")
    given.check(ws.pybuild("--dry-run"), ws.pybuild("--dry-run", file=ws.given_file), probe)
    uv_env = peers.environ()
    shutil.rmtree(ws.flat, ignore_errors=True)
    run([peers.uv, "venv", "-q", "--python", sys.executable, ws.flat], uv_env)
    run(ws.uv_install(ws.flat), uv_env)
    _check_same_packages(ws, uv_env)
    if with_wheels and not ws.wheels.is_dir():
        _say("downloading the wheels for pip")
        pip: list[str | os.PathLike[str]] = [sys.executable, "-m", "pip", "wheel", "-q"]
        pip += ["--no-deps", "-w", ws.wheels]
        run([*pip, "-r", reqs], bench_environ())
    return ws


def _check_same_packages(ws: Workspace, uv_env: dict[str, str]) -> None:
    """uv resolves the requirements itself: it must land on exactly the same 50."""
    from packaging.utils import canonicalize_name

    def pins(text: str) -> set[str]:
        lines = (line.strip() for line in text.splitlines())
        return {
            str(canonicalize_name(line.split("==")[0])) + "==" + line.split("==")[1]
            for line in lines
            if "==" in line
        }

    flat_python = str(ws.flat / "bin" / "python")
    installed = pins(run([ws.peers.uv, "pip", "freeze", "--python", flat_python], uv_env))
    wanted = pins(ws.reqs.read_text())
    if installed != wanted:
        sys.exit(f"bench: uv installed {sorted(installed ^ wanted)} differently from the store")


def noop(ws: Workspace, runs: int) -> Row:
    """Workload 1: nothing to do, for pybuild and for uv; the interpreter's bare start-up
    (``python -c pass``, site included) for scale, since pybuild cannot go below it.

    pybuild answers a repeated command from its evaluation cache; the same command with the
    cache off shows what evaluating the 50 packages' recipes costs. ``pybuild shell -p …
    --run true`` is the same no-op followed by a command in the environment; its peer is uv's
    no-op install followed by ``/bin/sh -c true`` with the venv first on ``PATH``. ``pybuild
    run pygments -V`` runs a package's program as ``uvx`` does (uv's tool environment from its
    warm cache, ``--offline``); the program alone, in pybuild's environment, is the floor of both.
    """
    from pybuild.pkgset import package_set

    env, uv_env = bench_environ(), ws.peers.environ()
    evaluating = [*ws.pybuild(), "--option", "eval_cache", "false"]
    shell = ws.pybuild_shell("true")
    version = package_set()[RUN[0]].version
    runner, uvx = ws.pybuild_run(), ws.uvx(version, "--offline")
    in_venv = bench_environ(PATH=f"{ws.flat / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}")
    settle(ws.env_file, installed_package())  # or the records of the no-ops are not kept
    run(ws.uvx(version), uv_env)  # uv's cache filled from the index (untimed)
    for _ in range(2):  # the environments of -p and of run, and the evaluation records (untimed)
        run(shell, env)
        run(runner, env)
        run(ws.pybuild(), env)
    # Steady state: the registry is trusted unchanged (no SQLite) once its files have settled,
    # which the build of the shell's environment just now has not (pybuild/store/validity.py).
    settle(*Path(os.environ["PYBUILD_HOME"], "var").glob("db.sqlite*"))
    run(shell, env)
    run(runner, env)
    run(ws.pybuild(), env)
    program = [_program_in(runner, env), *RUN[2:]]

    def uv_then_true(_: int) -> None:
        run(ws.uv_install(ws.flat, "--offline"), uv_env)
        run(["/bin/sh", "-c", "true"], in_venv)

    def touched(_: int) -> None:
        os.utime(ws.env_file)  # the same bytes, a new time: as a checkout there and back
        run(ws.pybuild(), env)

    pybuild, uv, ours_shell, uv_shell, bare, uncached, after_touch, ours_run, uv_run, alone = (
        measure(
            [
                Command("pybuild", lambda _: run(ws.pybuild(), env)),
                Command("uv", lambda _: run(ws.uv_install(ws.flat, "--offline"), uv_env)),
                Command("shell", lambda _: run(shell, env)),
                Command("uv + true", uv_then_true),
                Command("bare", lambda _: run(python_argv("-c", "pass"), env)),
                Command("uncached", lambda _: run(evaluating, env)),
                Command("touched", touched),
                Command("run", lambda _: run(runner, env)),
                Command("uvx", lambda _: run(uvx, uv_env)),
                Command("program", lambda _: run(program, env)),
            ],
            runs,
            warm_up=True,
        )
    )
    n = len(ws.packages)
    return Row(
        f"1. no-op, {n} pkgs",
        [
            Line(
                "pybuild build -f env.py env  (all in the store)",
                pybuild,
                ratio(pybuild, uv, "uv"),
                f"≤ {NOOP_TARGET}× uv",
                pybuild / uv <= NOOP_TARGET,
            ),
            Line(
                "the same, evaluating (--option eval_cache false)",
                uncached,
                ratio(uncached, uv, "uv"),
            ),
            Line(
                "the same, env.py touched first (its bytes decide, not its time)",
                after_touch,
                ratio(after_touch, uv, "uv"),
            ),
            Line("uv pip install -r reqs.txt  (all installed)", uv),
            Line(
                f"pybuild shell -p ATTR …({n})… --run true  (all in the store)",
                ours_shell,
                ratio(ours_shell, uv_shell, "uv + true"),
                f"≤ {SHELL_TARGET}× uv + true",
                ours_shell / uv_shell <= SHELL_TARGET,
            ),
            Line("uv pip install -r reqs.txt && sh -c true  (venv on PATH)", uv_shell),
            Line(
                f"pybuild run {RUN[0]} {' '.join(RUN[2:])}  (its program, {RUN[1]})",
                ours_run,
                ratio(ours_run, uv_run, "uvx"),
            ),
            Line(f"uvx --from {RUN[0]} {' '.join(RUN[1:])}  (warm cache, --offline)", uv_run),
            Line(f"{RUN[1]} {' '.join(RUN[2:])}  (the program alone, for scale)", alone),
            Line("python -c pass  (the interpreter's start-up, for scale)", bare),
        ],
    )


def _program_in(runner: list[str], env: dict[str, str]) -> str:
    """The program ``pybuild run`` runs, in its environment: asked of pybuild with ``--bin
    python``, whose ``sys.prefix`` is the environment (a venv's)."""
    attr = runner.index(RUN[0])
    ask = [*runner[:attr], "--bin", "python", RUN[0], "-c", "import sys; print(sys.prefix)"]
    found = subprocess.run(ask, env=env, check=True, capture_output=True, text=True).stdout
    return str(Path(found.strip()) / "bin" / RUN[1])


def warm_assembly(
    ws: Workspace, runs: int, slow_runs: int, with_pip: bool = True, with_virtualenv: bool = False
) -> Row:
    """Workload 2: a new environment of packages that are all at hand.

    `with_pip`: also ``python -m venv`` + ``pip install`` from the wheels (`slow_runs` runs);
    `with_virtualenv`: also ``virtualenv`` + the same ``pip install``.
    """
    uv_env = ws.peers.environ()
    venv = ws.work / "assembly"
    session = f"{time.time_ns():x}"  # names new in every run of the bench (--work keeps a store)
    spec = envfloor.write(ws.work, ws.env)

    def new_env(file: Path, kind: str) -> Callable[[int], None]:
        def build(i: int) -> None:
            name = f"bench-{kind}-{session}-{i}"
            env = bench_environ(BENCH_ENV_NAME=name)
            done = subprocess.run(ws.pybuild(file=file), env=env, capture_output=True, text=True)
            if done.returncode != 0 or f"building {name}" not in done.stderr:
                sys.exit(f"bench: the new environment {name} was not built:\n{done.stderr}")

        return build

    def stdlib(i: int) -> None:
        run(envfloor.argv(spec, f"bench-floor-{session}-{i}"), bench_environ())

    def uv(_: int) -> None:
        run([ws.peers.uv, "venv", "-q", "--python", sys.executable, venv], uv_env)
        run(ws.uv_install(venv, "--offline"), uv_env)

    def pip_install(python: Path) -> None:
        install: list[str | os.PathLike[str]] = [python, "-m", "pip", "install", "-q"]
        install += ["--no-index", "--find-links", ws.wheels]
        run([*install, "-r", ws.reqs], bench_environ())

    def pip(_: int) -> None:
        pip_install(pip_venv(venv))

    def virtualenv(_: int) -> None:
        run([ws.peers.virtualenv, "-q", "--python", sys.executable, venv], uv_env)
        pip_install(venv / "bin" / "python")

    def clear(_: int) -> None:
        shutil.rmtree(venv, ignore_errors=True)

    commands = [
        Command("pybuild", new_env(ws.env_file, "env")),
        Command("given", new_env(ws.given_file, "given")),
        Command("stdlib", stdlib),
        Command("uv", uv, clear),
    ]
    labels = {
        "pip": "python -m venv V && V/bin/pip install --no-index -f wheels/ -r reqs.txt",
        "virtualenv": "virtualenv V && V/bin/pip install --no-index -f wheels/ -r reqs.txt",
    }
    if with_pip:
        commands.append(Command("pip", pip, clear, runs=slow_runs))
    if with_virtualenv:
        commands.append(Command("virtualenv", virtualenv, clear, runs=slow_runs))
    medians = dict(zip((c.label for c in commands), measure(commands, runs), strict=True))
    shutil.rmtree(venv, ignore_errors=True)
    ours, floor, uv_median = medians.pop("pybuild"), medians.pop("given"), medians.pop("uv")
    alone = medians.pop("stdlib")
    shutil.rmtree(envfloor.store_of(spec), ignore_errors=True)
    ratios = [ratio(ours, uv_median, "uv"), *(ratio(ours, m, name) for name, m in medians.items())]
    lines = [
        Line(
            "pybuild build -f env.py env  (new name=, all pkgs in the store)",
            ours,
            ", ".join(ratios),
            f"≤ {ASSEMBLY_TARGET}× uv",
            ours / uv_median <= ASSEMBLY_TARGET,
        ),
        Line(
            "the same, each package's evaluation given (a floor: bench/given.py)",
            floor,
            ratio(floor, uv_median, "uv"),
        ),
        Line(
            "python -c: the environment's own work, standard library alone (bench/envfloor.py)",
            alone,
            ratio(alone, uv_median, "uv"),
        ),
        Line("uv venv V && uv pip install -r reqs.txt  (warm cache)", uv_median),
        *(Line(labels[name], m) for name, m in medians.items()),
    ]
    return Row("2. new env, 50 pkgs", lines)


def import_cost(ws: Workspace, runs: int) -> Row:
    """Workload 3: importing the 50 modules, in the pybuild environment and in a flat venv
    (the two commands' runs interleaved)."""
    env = bench_environ()
    code = ws.import_code

    def command(label: str, python: Path) -> Command:
        return Command(label, lambda _: run([python, "-c", code], env))

    commands = [
        command("pybuild", ws.env / "bin" / "python"),
        command("flat venv", ws.flat / "bin" / "python"),
    ]
    ours, venv = measure(commands, runs, warm_up=True)
    label = "pybuild env (a merged tree of links): python -c 'import <50 modules>'"
    target = f"≤ {IMPORT_TARGET}× venv"
    lines = [Line(label, ours, ratio(ours, venv, "venv"), target, ours / venv <= IMPORT_TARGET)]
    lines.append(Line("flat venv (uv): the same", venv))
    return Row("3. import 50 modules", lines)
