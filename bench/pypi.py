"""``python -m bench.pypi``: do the most downloaded PyPI projects build and import via pypi:NAME?

No hand-written set keeps up with the index, so ``pypi:NAME`` has to work on what people
actually install. For each project of :data:`TOP_PROJECTS`, one at a time, this runs::

    pybuild shell -p pypi:NAME --run "python -I bench/pypi_probe.py"

which resolves the project against the index and the default set, builds what it needs, and
imports every top-level module that every distribution of the environment provides (see
bench/pypi_probe.py for how modules are found and which are left out). It records the wall
time, the version pybuild chose and whether from an sdist or a wheel (``pkgs.from_pypi``,
asked again once the plan is cached), and compares the version with what ``uv pip compile``
picks for the same interpreter (uv comes from bench/peers.py). When a module fails to
import, the same release is installed by uv into a venv of its own and probed alike: a
failure uv's install shares (a module that needs an extra's or an undeclared project) is the
project's own, and the page says so apart from pybuild's misses. All projects share one
``PYBUILD_HOME`` under ``--work``, so build tools are built once: the first projects' times
include them. Results go to ``WORK/results.json`` after each project, so an interrupted run
resumes where it stopped, and to the page docs/pypi-coverage.md.

Options: ``--only a,b`` (these projects), ``--limit N`` (the first N of the list),
``--work DIR`` (default ``$TMPDIR/pybuild-pypi-coverage``), ``--timeout S`` per project (600),
``--python`` (an interpreter for pybuild and uv), ``-j`` (pybuild's jobs), ``--retry`` (run
again the recorded projects that did not build and import), ``--page PATH``, ``--page-only``
(write the page from what is recorded, e.g. while another run goes on).
"""

from __future__ import annotations

import argparse
import datetime
import html
import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from packaging.utils import canonicalize_name

from pybuild.python.locate import locate_python

from . import ROOT, bench_environ, human_seconds
from .peers import Peers, install_peers, uv_index_args
from .pypi_probe import MARKER, NOT_MODULES

# The 100 most downloaded projects on PyPI (downloads over 30 days, as the "top PyPI
# packages" list publishes them), written down from that list as it stood in 2025: the list's
# site is not reachable from the machines this runs on, so the order is approximate and a name
# or two near the bottom may have been 101st or lower.
TOP_PROJECTS_SOURCE = "the 'top PyPI packages' 30-day download list, as it stood in 2025"
TOP_PROJECTS = (
    "boto3",
    "urllib3",
    "botocore",
    "packaging",
    "setuptools",
    "certifi",
    "typing-extensions",
    "requests",
    "idna",
    "charset-normalizer",
    "aiobotocore",
    "python-dateutil",
    "s3transfer",
    "grpcio-status",
    "six",
    "numpy",
    "pyyaml",
    "s3fs",
    "fsspec",
    "pip",
    "cryptography",
    "pydantic",
    "google-api-core",
    "cffi",
    "pycparser",
    "protobuf",
    "attrs",
    "pandas",
    "pydantic-core",
    "jmespath",
    "importlib-metadata",
    "zipp",
    "rsa",
    "click",
    "markupsafe",
    "pyasn1",
    "wheel",
    "platformdirs",
    "annotated-types",
    "jinja2",
    "googleapis-common-protos",
    "filelock",
    "pytz",
    "cachetools",
    "google-auth",
    "colorama",
    "pyjwt",
    "pluggy",
    "tomli",
    "wrapt",
    "jsonschema",
    "pyasn1-modules",
    "virtualenv",
    "h11",
    "anyio",
    "pytest",
    "sniffio",
    "httpx",
    "httpcore",
    "iniconfig",
    "multidict",
    "yarl",
    "aiohttp",
    "frozenlist",
    "propcache",
    "aiosignal",
    "typing-inspection",
    "tzdata",
    "pyarrow",
    "psutil",
    "requests-oauthlib",
    "oauthlib",
    "grpcio",
    "sqlalchemy",
    "pygments",
    "rich",
    "greenlet",
    "tomlkit",
    "docutils",
    "exceptiongroup",
    "pyparsing",
    "markdown-it-py",
    "mdurl",
    "rpds-py",
    "referencing",
    "jsonschema-specifications",
    "soupsieve",
    "beautifulsoup4",
    "werkzeug",
    "distlib",
    "tqdm",
    "scipy",
    "python-dotenv",
    "openpyxl",
    "et-xmlfile",
    "pillow",
    "aiohappyeyeballs",
    "async-timeout",
    "litellm",
    "lxml",
)

# Projects not tried, and why: a GPU toolkit, or several GB of downloads per build.
SKIPPED = {
    "torch": "several GB of CUDA wheels (nvidia-*) on Linux",
    "tensorflow": "several GB of downloads, and a GPU toolkit for its GPU build",
    "jax": "its GPU builds need the CUDA toolkit",
}
SKIPPED_PREFIXES = {"nvidia-": "a piece of NVIDIA's GPU toolkit (CUDA)"}

PROBE = ROOT / "bench" / "pypi_probe.py"
PAGE = ROOT / "docs" / "pypi-coverage.md"
WORK = Path(tempfile.gettempdir()) / "pybuild-pypi-coverage"

# What `result` says of a project; only OK counts as built and imported. AS_UV: imports fail
# that fail as well in uv's install of the same release (the project's own miss, not ours).
OK, IMPORT_FAILED, FAILED, TIMEOUT, SKIP = "ok", "import failed", "failed", "timeout", "skipped"
AS_UV = "import failed, as in uv's install"


@dataclass
class Outcome:
    """One project's record in results.json (and its row on the page)."""

    project: str
    result: str
    version: str | None = None  # the version pybuild put in the environment
    uv_version: str | None = None  # the version `uv pip compile` picks
    kind: str = ""  # "sdist" or "wheel", and "(set)" when the default set's recipe was used
    seconds: float | None = None
    error: str = ""  # the first line of the error, for a miss
    modules: int = 0  # top-level modules imported, over the whole environment
    differs: dict[str, list[str]] = field(default_factory=dict)  # dist: [ours, uv's]
    log_tail: str = ""  # the end of pybuild's output, for a miss

    @property
    def at_uv_version(self) -> bool:
        return self.result == OK and self.version is not None and self.version == self.uv_version


def skip_reason(project: str) -> str | None:
    """Why `project` is not tried (None: it is)."""
    name = str(canonicalize_name(project))
    if name in SKIPPED:
        return SKIPPED[name]
    return next((why for p, why in SKIPPED_PREFIXES.items() if name.startswith(p)), None)


def first_error_line(output: str) -> str:
    """The first ``error:`` line of pybuild's output, without the prefix (else its last line)."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    for line in lines:
        if line.startswith("error:"):
            return line.removeprefix("error:").strip()
    return lines[-1] if lines else ""


def last_step(output: str) -> str:
    """pybuild's last progress line (``[3/17] building python3.11-x-1.0 (….drv)``), shortened."""
    steps = [line.strip() for line in output.splitlines() if line.startswith("[")]
    return steps[-1].split(" (", 1)[0] if steps else ""


def parse_probe(stdout: str) -> list[dict[str, Any]] | None:
    """The probe's report from the shell's standard output (None: the probe never ran)."""
    for line in stdout.splitlines():
        if line.startswith(MARKER):
            found: list[dict[str, Any]] = json.loads(line.removeprefix(MARKER))
            return found
    return None


def parse_compile(text: str) -> dict[str, str]:
    """``{name: version}`` from ``uv pip compile`` output (``name==version`` lines)."""
    pins = {}
    for line in text.splitlines():
        line = line.split("#", 1)[0].split(";", 1)[0].strip()
        if "==" in line:
            name, version = line.split("==", 1)
            pins[str(canonicalize_name(name.split("[")[0]))] = version.strip()
    return pins


def judge(project: str, dists: Sequence[Mapping[str, Any]], uv_pins: Mapping[str, str]) -> Outcome:
    """A built environment's outcome: its project's version, the import errors, uv's versions."""
    key = str(canonicalize_name(project))
    by_name = {str(canonicalize_name(d["name"])): d for d in dists}
    errors = [f"import {m}: {e}" for d in dists for m, e in sorted(d["errors"].items())]
    differs = {
        n: [d["version"], uv_pins[n]]
        for n, d in sorted(by_name.items())
        if n in uv_pins and uv_pins[n] != d["version"]
    }
    root = by_name.get(key)
    if root is None:
        errors.insert(0, f"{project} is not among the environment's distributions")
    return Outcome(
        project=project,
        result=IMPORT_FAILED if errors else OK,
        version=root["version"] if root else None,
        uv_version=uv_pins.get(key),
        error=errors[0] if errors else "",
        modules=sum(len(d["modules"]) - len(d["errors"]) for d in dists),
        differs=differs,
    )


def failed_modules(dists: Sequence[Mapping[str, Any]]) -> set[str]:
    """The top-level modules an environment's probe could not import."""
    return {m for d in dists for m in d["errors"]}


def fails_as_uv(ours: Sequence[Mapping[str, Any]], uv: Sequence[Mapping[str, Any]]) -> bool:
    """Whether every module that failed in pybuild's environment fails in uv's as well."""
    failed = failed_modules(ours)
    return bool(failed) and failed <= failed_modules(uv)


# Asked of pybuild once its plan is cached: the chosen release, and what it is built from.
_DESCRIBE = """
import json, sys
from pybuild import package_set
from pybuild.generate import attr_name
name, python = sys.argv[1], sys.argv[2] or None
pkgs = package_set(python)
pkg = pkgs.from_pypi(name)
try:
    in_set = pkgs[attr_name(name)].drv.path() == pkg.drv.path()
except Exception:
    in_set = False
kind = "wheel" if pkg.attrs["format"] == "wheel" else "sdist"
print(json.dumps({"version": pkg.version, "kind": kind + (" (set)" if in_set else "")}))
"""


@dataclass
class Runner:
    """What every project's run shares: the work folder, uv, the interpreter, the limits."""

    work: Path
    peers: Peers
    python: str | None
    timeout: float
    jobs: int

    def environ(self) -> dict[str, str]:
        env = bench_environ(PYBUILD_HOME=str(self.work / "home"), PYBUILD_JOBS=str(self.jobs))
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        return env

    def uv_pins(self, project: str) -> dict[str, str]:
        """What uv picks for `project` alone, for the same interpreter ({} when it cannot)."""
        python = self.python or sys.executable
        argv: list[str | os.PathLike[str]] = [self.peers.uv, "pip", "compile", "-", "--python"]
        argv += [python, "--no-header"]
        argv += ["--no-annotate", "--quiet", *uv_index_args()]
        done = subprocess.run(
            [os.fspath(a) for a in argv],
            input=project + "\n",
            env=self.peers.environ(),
            capture_output=True,
            text=True,
            timeout=self.timeout,
        )
        return parse_compile(done.stdout) if done.returncode == 0 else {}

    def uv_probe(self, project: str, version: str) -> list[dict[str, Any]] | None:
        """The probe's report in a venv where uv installed `project` at `version` (None:
        uv could not install it, or the probe did not run)."""
        venv = self.work / "uv-envs" / str(canonicalize_name(project))
        env = self.peers.environ()
        uv = os.fspath(self.peers.uv)
        try:
            made = [uv, "venv", "--quiet", "--clear", "--python", self.python or sys.executable]
            subprocess.run([*made, str(venv)], env=env, check=True, capture_output=True)
            python = str(venv / "bin" / "python")
            install = [uv, "pip", "install", "--quiet", "--python", python, *uv_index_args()]
            subprocess.run(
                [*install, f"{project}=={version}"],
                env=env,
                check=True,
                capture_output=True,
                timeout=self.timeout,
            )
            done = subprocess.run(
                [python, "-I", str(PROBE)], capture_output=True, text=True, timeout=self.timeout
            )
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
            return None
        return parse_probe(done.stdout) if done.returncode == 0 else None

    def shell(self, project: str) -> tuple[int | None, str, str, float]:
        """``pybuild shell -p pypi:NAME --run probe``: exit code (None: timed out), output, time."""
        argv = [sys.executable, "-m", "pybuild", "shell", "-p", f"pypi:{project}"]
        if self.python:
            argv += ["--python", self.python]
        argv += ["--run", f"python -I {PROBE}"]
        start = time.monotonic()
        with subprocess.Popen(
            argv,
            env=self.environ(),
            cwd=self.work,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,  # so that a timeout ends its builds too
        ) as process:
            try:
                out, err = process.communicate(timeout=self.timeout)
                code: int | None = process.returncode
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                out, err = process.communicate()
                code = None
        return code, out, err, time.monotonic() - start

    def describe(self, project: str) -> dict[str, str]:
        """pybuild's chosen version and file kind for `project` ({} when it cannot say)."""
        argv = [sys.executable, "-c", _DESCRIBE, project, self.python or ""]
        try:
            done = subprocess.run(
                argv, env=self.environ(), capture_output=True, text=True, timeout=300
            )
        except subprocess.TimeoutExpired:
            return {}
        if done.returncode != 0:
            return {}
        described: dict[str, str] = json.loads(done.stdout.strip().splitlines()[-1])
        return described

    def try_project(self, project: str) -> Outcome:
        """One project: built, imported, described, compared with uv."""
        if (why := skip_reason(project)) is not None:
            return Outcome(project, SKIP, error=why)
        pins = self.uv_pins(project)
        code, out, err, seconds = self.shell(project)
        dists = parse_probe(out) if code == 0 else None
        if dists is not None:
            outcome = judge(project, dists, pins)
            if outcome.result == IMPORT_FAILED and outcome.version is not None:
                theirs = self.uv_probe(project, outcome.version)
                if theirs is not None and fails_as_uv(dists, theirs):
                    outcome.result = AS_UV
        elif code is None:
            step = last_step(err)
            where = f"at: {step}" if step else "still resolving (no build started)"
            error = f"no result after {self.timeout:.0f} s, {where}"
            outcome = Outcome(project, TIMEOUT, error=error)
        else:
            outcome = Outcome(project, FAILED, error=first_error_line(err))
        outcome.seconds = seconds
        outcome.uv_version = pins.get(str(canonicalize_name(project)))
        # Once builds started, the plan is cached and asking again is cheap; a resolution
        # that failed would only fail again, as slowly.
        if code is not None and (outcome.result != FAILED or last_step(err)):
            described = self.describe(project)
            outcome.kind = described.get("kind", "")
            outcome.version = outcome.version or described.get("version")
        if outcome.result != OK:
            outcome.log_tail = "\n".join(err.splitlines()[-40:])
        return outcome


def load_results(path: Path) -> dict[str, Outcome]:
    """The outcomes recorded so far, by project."""
    if not path.exists():
        return {}
    return {name: Outcome(**data) for name, data in json.loads(path.read_text()).items()}


def save_results(path: Path, results: Mapping[str, Outcome]) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({n: asdict(o) for n, o in results.items()}, indent=1) + "\n")
    tmp.replace(path)


def cell(text: str) -> str:
    """`text` safe in a Markdown table cell: no HTML, no emphasis, no column break."""
    text = html.escape(text, quote=False)
    for char in "\\`*_[]|":
        text = text.replace(char, "\\" + char)
    return text


def _version_cell(o: Outcome) -> str:
    if o.uv_version is None or o.version == o.uv_version:
        return o.version or ""
    return f"{o.version or '?'} (uv: {o.uv_version})"


def _result_cell(o: Outcome) -> str:
    if o.result == OK:
        text = f"ok, {o.modules} module{'s' if o.modules != 1 else ''} imported"
        root = str(canonicalize_name(o.project))  # its own version is in the version column
        differs = {n: v for n, v in o.differs.items() if n != root}
        if differs:
            shown = ", ".join(f"{n} {a} (uv: {b})" for n, (a, b) in differs.items())
            text += f"; differs from uv: {shown}"
        return cell(text)
    if o.result == AS_UV:
        return f"{o.result}: {cell(o.error)}"
    return f"**{o.result}**: {cell(o.error)}"


def render_page(
    results: Sequence[Outcome],
    total: int,
    about: Mapping[str, str],
    command: str,
    named: bool = False,
) -> str:
    """docs/pypi-coverage.md: the summary, one row per project, and how it was made (`named`:
    the projects are the command's ``--only``, not the top of the list)."""
    ok = sum(o.result == OK for o in results)
    at_uv = sum(o.at_uv_version for o in results)
    as_uv = sum(o.result == AS_UV for o in results)
    tried = sum(o.result != SKIP for o in results)
    chosen = [
        f"The projects: the first {total} of {TOP_PROJECTS_SOURCE},",
        "written down from memory (that list's site is not reachable from the machine that",
        "runs this), so the order is approximate.",
    ]
    if named:
        chosen = [f"The projects: the {total} the command names."]
    lines = [
        "# PyPI coverage",
        "",
        "Can `pybuild shell -p pypi:NAME` build the projects people install most, at the",
        "version uv would pick, and import everything they install? `python -m bench.pypi`",
        "tries each one in turn and writes this page; `bench/pypi.py` says how.",
        "",
        f"**Built and imported {ok} of {total}, {at_uv} of them at uv's version**"
        + (f" ({tried} tried so far)." if len(results) < total else "."),
        *(
            [
                f"{as_uv} more built, and import all that uv's install of the same release"
                " imports (the rest fails there too: the project's own)."
            ]
            if as_uv
            else []
        ),
        "",
        *chosen,
        f"Run on {about['date']}, {about['machine']}, with {about['python']} and uv",
        f"{about['uv']}, sharing one `PYBUILD_HOME`: the first projects' times include",
        "building the build tools the later ones reuse. The command:",
        "",
        "```",
        command,
        "```",
        "",
        "Each environment imports every top-level module its distributions provide, except",
        "names starting with `_` and the test, documentation and benchmark folders some",
        f"projects ship at the top level ({', '.join(f'`{n}`' for n in sorted(NOT_MODULES))}).",
        '"version" is the one pybuild chose, and uv\'s when it differs; "differs from uv"',
        "names the dependencies at another version than uv picks. A module that does not",
        "import is tried again in a venv where uv installed the same release: *as in uv's",
        "install* means it fails there too (it needs an extra's or an undeclared project).",
        "",
        "| project | version | sdist/wheel | time | result |",
        "| --- | --- | --- | ---: | --- |",
    ]
    for o in results:
        row = (cell(o.project), cell(_version_cell(o)), o.kind, human_seconds(o.seconds))
        lines.append(f"| {' | '.join(row)} | {_result_cell(o)} |")
    return "\n".join(lines) + "\n"


def _about(peers: Peers, python: str | None, env: Mapping[str, str]) -> dict[str, str]:
    interpreter = python or sys.executable
    version = subprocess.run(
        [interpreter, "--version"], capture_output=True, text=True, env=dict(env)
    ).stdout.strip()
    uv = subprocess.run(
        [peers.uv, "--version"], capture_output=True, text=True, env=peers.environ()
    ).stdout.split()
    return {
        "date": datetime.date.today().isoformat(),
        "machine": f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores",
        "python": version or interpreter,
        "uv": uv[1] if len(uv) > 1 else "?",
    }


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.pypi", description=__doc__)
    parser.add_argument("--only", help="comma-separated projects to try (default: the list)")
    parser.add_argument("--limit", type=int, default=100, help="the first N of the list")
    parser.add_argument("--work", type=Path, default=WORK, help=f"default: {WORK}")
    parser.add_argument("--timeout", type=float, default=600, help="seconds per project")
    parser.add_argument("--python", help="the interpreter (version or path) for pybuild and uv")
    parser.add_argument("-j", "--jobs", type=int, default=2, help="pybuild's parallel builds")
    parser.add_argument("--retry", action="store_true", help="run recorded misses again")
    parser.add_argument("--page", type=Path, default=PAGE, help="where to write the page")
    parser.add_argument(
        "--page-only", action="store_true", help="write the page from results.json, try nothing"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    args = _arguments(argv)
    projects = args.only.split(",") if args.only else list(TOP_PROJECTS[: args.limit])
    work: Path = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    # A version (3.12) found as pybuild finds it: uv and the page's header need the path.
    python = locate_python(args.python) if args.python else None
    runner = Runner(work, install_peers(work / "peers"), python, args.timeout, args.jobs)
    store = work / "results.json"
    results = load_results(store)
    about = _about(runner.peers, python, runner.environ())
    given = argv if argv is not None else sys.argv[1:]
    shown = " ".join(["python -m bench.pypi", *(a for a in given if a != "--page-only")])
    for i, project in enumerate(projects, 1):
        done = results.get(project)
        if args.page_only or (done is not None and not (args.retry and done.result != OK)):
            continue
        print(f"bench.pypi: [{i}/{len(projects)}] {project}", file=sys.stderr, flush=True)
        results[project] = outcome = runner.try_project(project)
        save_results(store, results)
        print(
            f"bench.pypi: {project} {outcome.version} ({outcome.kind}, uv"
            f" {outcome.uv_version}): {outcome.result} in {human_seconds(outcome.seconds)}"
            f" {outcome.error}".rstrip(),
            file=sys.stderr,
            flush=True,
        )
        rows = [results[p] for p in projects if p in results]
        args.page.write_text(render_page(rows, len(projects), about, shown, bool(args.only)))
    rows = [results[p] for p in projects if p in results]
    args.page.write_text(render_page(rows, len(projects), about, shown, bool(args.only)))


if __name__ == "__main__":
    main()
