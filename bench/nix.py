"""Workload 7: pybuild against Nix 2.8 at Nix's own game, the same 200-node ``/bin/sh`` DAG.

The DAG is written twice, once for each tool (``dag.py``, ``dag.nix``): node ``i`` runs
``/bin/sh -c "echo i $deps > $out"``, where ``deps`` holds the outputs of nodes ``i-1``,
``i/2`` and ``i/3``; the target is node 199, whose closure is the whole DAG. Nix is Debian's
``nix-bin`` (installed with apt-get when missing and the bench runs as root), with its store,
state and configuration in the bench's work folder (``NIX_STORE_DIR`` and friends): no
substituters, no build users, no sandbox, as pybuild builds here. The lines:

- ``--version``/``--help``: the start of each command line;
- instantiate: evaluate the file into its derivations (``nix-instantiate``, which also checks
  that each ``.drv`` is in its store, against ``pybuild build --dry-run``, which evaluates
  without the evaluation cache, hashes every derivation and plans; pybuild writes the ``.drv``
  files, in one transaction, when it builds); and, for the floor of any evaluator written in
  Python, ``python -c`` making the same 200 derivations with the standard library alone
  (``FLOOR_PY``);
- cold build: the whole DAG into an empty store (a new one each run), two builds at a time;
  and the same with each tool's sandbox on, as each builds by default on Linux (pybuild's
  ``sandbox = true``, Nix's ``sandbox = true`` with the system's folders as its
  ``sandbox-paths``, since ``/bin/sh`` comes from there), when bubblewrap can run here; that
  line has no target of its own, and says what isolating 200 small builds costs each tool;
- no-op: the same build again, when every output is valid;
- rollback: a profile of two generations, switched back (``nix-env --rollback`` against
  ``pybuild rollback``; each run first switches forward again, untimed).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from pybuild.sandbox import sandbox_problem, system_folders

from . import Command, Line, Row, bench_environ, measure, ratio, run, settle
from .installed import installed_package, pybuild_argv, python_argv

__all__ = ["DAG_NIX", "DAG_PY", "NixWorkspace", "nix_peer", "prepare", "workload"]

SIZE = 200
DAG_PY = f'''\
"""The bench's DAG (bench/nix.py): {SIZE} nodes, node i depends on nodes i-1, i/2 and i/3."""

from pybuild import derivation

nodes = []
for i in range({SIZE}):
    deps = " ".join(str(nodes[j]) for j in (i - 1, i // 2, i // 3)) if i else ""
    script = f"echo {{i}} $deps > $out"
    nodes.append(
        derivation(name=f"node-{{i}}", builder="/bin/sh", args=["-c", script], env={{"deps": deps}})
    )
dag = nodes[-1]
previous = nodes[-2]
'''
DAG_NIX = f"""\
# The bench's DAG (bench/nix.py): {SIZE} nodes, node i depends on nodes i-1, i/2 and i/3.
let
  node = i: parents: derivation {{
    name = "node-${{toString i}}";
    system = builtins.currentSystem;
    builder = "/bin/sh";
    args = [ "-c" "echo ${{toString i}} $deps > $out" ];
    deps = parents;
  }};
  parents = i: if i == 0 then [ ] else [ (i - 1) (i / 2) (i / 3) ];
  nodes = builtins.genList (i: node i (map (j: builtins.elemAt nodes j) (parents i))) {SIZE};
in
{{ dag = builtins.elemAt nodes {SIZE - 1}; previous = builtins.elemAt nodes {SIZE - 2}; }}
"""

# The floor of any Python evaluator of the DAG: the interpreter's start, and the 200 nodes made
# with the standard library only, as pybuild and Nix make a derivation (its canonical text
# with the outputs blank, hashed; each output's path from that hash; the text again with the
# paths, hashed for the .drv's name); no recipe file, no argparse, no store, nothing written.
FLOOR_PY = f"""\
import base64, hashlib, json
T = bytes.maketrans(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", b"0123456789abcdfghijklmnpqrsvwxyz")
def name(data, label):
    digest = hashlib.sha256(data.encode()).digest()[:20]
    return base64.b32encode(digest).translate(T).decode() + "-" + label
outs = []
for i in range({SIZE}):
    deps = " ".join(outs[j] for j in (i - 1, i // 2, i // 3)) if i else ""
    env = {{"builder": "/bin/sh", "deps": deps, "name": f"node-{{i}}", "out": ""}}
    drv = {{"args": ["-c", f"echo {{i}} $deps > $out"], "builder": "/bin/sh", "env": env}}
    modulo = hashlib.sha256(json.dumps(drv, sort_keys=True).encode()).hexdigest()
    env["out"] = "/store/" + name(f"output:out:sha256:{{modulo}}:/store:node-{{i}}", f"node-{{i}}")
    name(json.dumps(drv, sort_keys=True), f"node-{{i}}.drv")
    outs.append(env["out"])
"""


def nix_peer() -> Path | None:
    """The folder of ``nix-build`` and friends: installed from Debian when missing (as root);
    None when there is no way to have it."""
    found = shutil.which("nix-build")
    if found is None and os.geteuid() == 0 and shutil.which("apt-get"):
        print("bench: installing Debian's nix-bin (Nix 2.8) with apt-get", file=sys.stderr)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        done = subprocess.run(
            ["apt-get", "install", "-y", "-q", "nix-bin"], env=env, capture_output=True
        )
        found = shutil.which("nix-build") if done.returncode == 0 else None
    return Path(found).parent if found else None


@dataclass
class NixWorkspace:
    """Where the two tools keep what workload 7 builds."""

    work: Path
    bin: Path  # nix-build's folder

    def nix_environ(self, store: str = "nix", sandbox: bool = False) -> dict[str, str]:
        """Nix with its store, state and settings in the work folder (`store` names one), in
        its sandbox if `sandbox`."""
        root = self.work / store
        isolation = "sandbox = false"
        if sandbox:  # the system's folders that pybuild's sandbox shows: /bin/sh is there
            isolation = f"sandbox = true\nsandbox-paths = {' '.join(system_folders())}"
        return bench_environ(
            NIX_STORE_DIR=str(root / "store"),
            NIX_STATE_DIR=str(root / "var"),
            NIX_LOG_DIR=str(root / "var" / "log"),
            NIX_CONF_DIR=str(self.work / "etc"),
            NIX_CONFIG=f"substituters =\nbuild-users-group =\n{isolation}\nmax-jobs = 2",
        )

    def pybuild_environ(self, home: str = "pybuild", sandbox: bool = False) -> dict[str, str]:
        """pybuild as Nix is configured beside it: no build users as root, and the sandbox
        only when asked for (then required: a build that could not be isolated fails)."""
        return bench_environ(
            PYBUILD_HOME=str(self.work / home),
            PYBUILD_SANDBOX="true" if sandbox else "false",
            PYBUILD_BUILD_USERS="false",
        )

    def nix(self, tool: str, *args: str) -> list[str]:
        return [str(self.bin / tool), *args]

    @staticmethod
    def pybuild(*args: str) -> list[str]:
        return pybuild_argv(*args)


def _quiet(argv: list[str], env: dict[str, str], cwd: Path) -> None:
    """Run a timed command, its output thrown away (a failure stops the bench)."""
    done = subprocess.run(argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    if done.returncode != 0:
        sys.exit(f"bench: `{' '.join(argv)}` failed:\n{done.stderr.decode()[-2000:]}")


def prepare(work: Path, nix_bin: Path) -> NixWorkspace:
    """Write the two DAG files, build both into their stores and make two generations of a
    profile in each (nothing here is timed)."""
    ws = NixWorkspace(work, nix_bin)
    (work / "etc").mkdir(parents=True, exist_ok=True)
    for name, text in (("dag.py", DAG_PY), ("dag.nix", DAG_NIX)):
        if not (work / name).is_file() or (work / name).read_text() != text:
            (work / name).write_text(text)
    nix, ours = ws.nix_environ(), ws.pybuild_environ()
    # Two new generations in each profile, even in a work folder kept from an earlier run
    # (whose recipes may have changed since: a kept profile would refuse the install).
    for old in [
        *work.glob("nix-profile*"),
        *(work / "pybuild" / "var" / "profiles").glob("bench*"),
    ]:
        old.unlink()
    for attr in ("previous", "dag"):
        out = run(ws.nix("nix-build", "--no-out-link", "-A", attr, "dag.nix"), nix, work).split()
        run(ws.nix("nix-env", "-p", str(work / "nix-profile"), "--set", out[-1]), nix, work)
    run(ws.pybuild("build", "-q", "-j2", "-f", "dag.py", "dag"), ours, work)
    install = ws.pybuild("install", "--profile", "bench", "six")
    run(install, ours, work)
    run(ws.pybuild("remove", "--profile", "bench", "six"), ours, work)
    settle(work / "dag.py", installed_package())
    for _ in range(2):  # the second run keeps the evaluation record (the first wrote caches)
        run(ws.pybuild("build", "-f", "dag.py", "dag"), ours, work)
    return ws


def workload(ws: NixWorkspace, runs: int, slow_runs: int) -> Row:
    """Every line of workload 7, each pair measured interleaved."""
    nix, ours, cwd = ws.nix_environ(), ws.pybuild_environ(), ws.work
    lines: list[Line] = []

    def pair(
        label_ours: str,
        argv_ours: list[str],
        label_nix: str,
        argv_nix: list[str],
        target: float,
        n: int = runs,
    ) -> None:
        mine, theirs = measure(
            [
                Command("pybuild", lambda _: _quiet(argv_ours, ours, cwd)),
                Command("nix", lambda _: _quiet(argv_nix, nix, cwd)),
            ],
            n,
            warm_up=True,
        )
        versus(label_ours, mine, theirs, target)
        lines.append(Line(label_nix, theirs))

    def versus(label: str, mine: float, theirs: float, target: float) -> None:
        """pybuild's line: its median, its ratio to Nix's, and whether that meets `target`."""
        met = mine / theirs <= target
        lines.append(Line(label, mine, ratio(mine, theirs, "Nix"), f"≤ {target}× Nix", met))

    floor = python_argv("-c", "pass")
    pybuild_version, nix_version, bare = measure(
        [
            Command("pybuild", lambda _: _quiet(ws.pybuild("--version"), ours, cwd)),
            Command("nix", lambda _: _quiet(ws.nix("nix-env", "--version"), nix, cwd)),
            Command("python", lambda _: _quiet(floor, ours, cwd)),
        ],
        runs,
        warm_up=True,
    )
    versus("pybuild --version", pybuild_version, nix_version, 1.0)
    lines.append(Line("nix-env --version", nix_version))
    lines.append(
        Line(
            "python -c pass  (the interpreter's start: pybuild's floor)",
            bare,
            ratio(bare, nix_version, "Nix"),
        )
    )
    pair(
        "pybuild --help",
        ws.pybuild("--help"),
        "nix-env --version",
        ws.nix("nix-env", "--version"),
        1.0,
    )
    dry_run = ws.pybuild("build", "--dry-run", "-f", "dag.py", "dag")
    instantiate = ws.nix("nix-instantiate", "-A", "dag", "dag.nix")
    hashed = python_argv("-c", FLOOR_PY)
    mine, theirs, alone = measure(
        [
            Command("pybuild", lambda _: _quiet(dry_run, ours, cwd)),
            Command("nix", lambda _: _quiet(instantiate, nix, cwd)),
            Command("floor", lambda _: _quiet(hashed, ours, cwd)),
        ],
        runs,
        warm_up=True,
    )
    versus(f"pybuild build --dry-run -f dag.py dag  (instantiate {SIZE} nodes)", mine, theirs, 0.8)
    lines.append(Line("nix-instantiate -A dag dag.nix", theirs))
    lines.append(
        Line(
            f"python -c: the {SIZE} derivations hashed, standard library alone (a floor)",
            alone,
            ratio(alone, theirs, "Nix"),
        )
    )
    pair(
        "pybuild build -f dag.py dag  (no-op, all valid)",
        ws.pybuild("build", "-f", "dag.py", "dag"),
        "nix-build --no-out-link -A dag dag.nix  (no-op)",
        ws.nix("nix-build", "--no-out-link", "-A", "dag", "dag.nix"),
        1.0,
    )
    lines += _cold(ws, slow_runs)
    problem = sandbox_problem()  # whether pybuild's builds can be isolated here
    if problem:
        print(f"bench: no sandboxed cold build ({problem})", file=sys.stderr)
    else:
        lines += _cold(ws, slow_runs, sandbox=True)
    lines += _rollback(ws, runs)
    return Row(f"7. vs Nix 2.8, {SIZE}-node DAG", lines)


def _cold(ws: NixWorkspace, runs: int, sandbox: bool = False) -> list[Line]:
    """The whole DAG into a new, empty store each run, two builds at a time; in each tool's
    sandbox if `sandbox` (a line without a target)."""
    home, store = (
        ("sandboxed-pybuild", "sandboxed-nix") if sandbox else ("cold-pybuild", "cold-nix")
    )

    def fresh(folder: str) -> None:
        path = ws.work / folder
        if path.exists():
            subprocess.run(["chmod", "-R", "u+w", str(path)], check=True)
            shutil.rmtree(path)

    def ours(i: int) -> None:
        env = ws.pybuild_environ(home, sandbox)
        _quiet(ws.pybuild("build", "-q", "-j2", "-f", "dag.py", "dag"), env, ws.work)

    def nix(i: int) -> None:
        env = ws.nix_environ(store, sandbox)
        _quiet(ws.nix("nix-build", "--no-out-link", "-A", "dag", "dag.nix"), env, ws.work)

    mine, theirs = measure(
        [
            Command("pybuild", ours, lambda _: fresh(home)),
            Command("nix", nix, lambda _: fresh(store)),
        ],
        runs,
    )
    if sandbox:
        return [
            Line(
                f"the same, each in its sandbox  ({SIZE} builds, empty store)",
                mine,
                ratio(mine, theirs, "Nix"),
            ),
            Line("nix-build -j2 -A dag dag.nix  (cold, sandbox = true)", theirs),
        ]
    line = Line(
        f"pybuild build -j2 -f dag.py dag  (cold: {SIZE} builds, empty store)",
        mine,
        ratio(mine, theirs, "Nix"),
        "≤ 1.0× Nix",
        mine / theirs <= 1.0,
    )
    return [line, Line("nix-build -j2 -A dag dag.nix  (cold)", theirs)]


def _rollback(ws: NixWorkspace, runs: int) -> list[Line]:
    """Back to a profile's previous generation; forward again (untimed) before each run."""
    nix, ours, cwd = ws.nix_environ(), ws.pybuild_environ(), ws.work
    profile = str(ws.work / "nix-profile")
    mine, theirs = measure(
        [
            Command(
                "pybuild",
                lambda _: _quiet(ws.pybuild("rollback", "--profile", "bench"), ours, cwd),
                lambda _: _quiet(
                    ws.pybuild("switch-generation", "--profile", "bench", "2"), ours, cwd
                ),
            ),
            Command(
                "nix",
                lambda _: _quiet(ws.nix("nix-env", "-p", profile, "--rollback"), nix, cwd),
                lambda _: _quiet(
                    ws.nix("nix-env", "-p", profile, "--switch-generation", "2"), nix, cwd
                ),
            ),
        ],
        runs,
        warm_up=True,
    )
    line = Line(
        "pybuild rollback --profile bench",
        mine,
        ratio(mine, theirs, "Nix"),
        "≤ 1.0× Nix",
        mine / theirs <= 1.0,
    )
    return [line, Line("nix-env -p PROFILE --rollback", theirs)]
