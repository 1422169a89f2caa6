"""Building straight from the real package index, importing and locking, as a user would.

Every step runs ``python -m pybuild`` in a subprocess against the pybuild home this run's
network tests share for the running interpreter (:func:`support.setbuild.shared_root`: the
packages the default set has, requests and its stack among them, are built once there, for
this module's tests and for test_network_checks' ``build --all`` alike), with pip's own
configuration naming the index. Other tools are the real ones: pip (a recent one, in a
throwaway virtual environment, for ``pip lock`` and ``pip check``) and uv.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest

from pybuild.pkgset import DEFAULT_RECIPES
from support.setbuild import home_environ, shared_root

pytestmark = pytest.mark.network

# A typical small web service; pure-Python packages and compiled ones that ship wheels.
REQUIREMENTS = """\
# A small web service: HTTP API, database, background retries, tooling.
flask>=3.0
gunicorn
requests
python-dotenv
itsdangerous
marshmallow
pyjwt
python-slugify
tabulate
humanize
structlog
tenacity
sqlalchemy
alembic
blinker
"""
IMPORTS = [
    *("flask", "gunicorn", "requests", "dotenv", "itsdangerous", "marshmallow", "jwt"),
    *("slugify", "tabulate", "humanize", "structlog", "tenacity", "sqlalchemy", "alembic"),
    "blinker",
]
VERSIONS = (
    "import json, importlib.metadata as m;"
    " print(json.dumps({d.metadata['Name'].lower().replace('_', '-'): d.version"
    " for d in m.distributions()}))"
)


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder of the shared pybuild home (and of its settings' folder)."""
    return shared_root(tmp_path_factory)


def pybuild(home: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYBUILD_")}
    env.update(home_environ(home), PYBUILD_JOBS="2")
    result = subprocess.run(
        [sys.executable, "-m", "pybuild", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def venv(path: Path, *packages: str) -> Path:
    """A virtual environment with `packages` installed by pip (through pip's configuration)."""
    subprocess.run([sys.executable, "-m", "venv", str(path)], check=True)
    if packages:
        subprocess.run(
            [str(path / "bin" / "python"), "-m", "pip", "install", "-q", *packages],
            check=True,
            capture_output=True,
        )
    return path


def versions_in(python: Path) -> dict[str, str]:
    out = subprocess.run(
        [str(python), "-c", VERSIONS], cwd=python.parent, env={}, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    return dict(json.loads(out.stdout))


@pytest.fixture(scope="module")
def tools(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A virtual environment with a recent pip (``pip lock`` is pip 25.1's) and uv."""
    yield venv(tmp_path_factory.mktemp("tools") / "venv", "pip>=25.1", "uv")


def test_shell_with_a_package_straight_from_the_index(home: Path, tmp_path: Path) -> None:
    recipes = tmp_path / "recipes"  # the default set, without its recipe for rich
    recipes.mkdir()
    for file in DEFAULT_RECIPES.glob("*.py"):
        if file.name != "rich.py":
            (recipes / file.name).symlink_to(file)
    run = "python -c 'import os, rich; print(os.path.realpath(rich.__file__))'"
    args = (
        "shell",
        "--no-default-recipes",
        "--recipes",
        str(recipes),
        "-p",
        "pypi:rich",
        "--run",
        run,
    )
    result = pybuild(home, *args, cwd=tmp_path)
    assert "-rich-" in result.stdout and "/store/" in result.stdout
    again = pybuild(home, *args, cwd=tmp_path)  # cached: nothing resolved or built again
    assert again.stdout == result.stdout and "building" not in again.stderr


def test_import_requirements_builds_an_environment_that_pip_checks(
    home: Path, tmp_path: Path
) -> None:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text(REQUIREMENTS)
    assert len(REQUIREMENTS.splitlines()) == 16  # a comment and 15 requirements
    out = tmp_path / "recipes"
    pybuild(home, "import", str(requirements), "-o", str(out), cwd=tmp_path)
    assert (out / "generated-recipes" / "structlog.py").is_file() and (out / "overlay.py").is_file()
    run = f"cd / && python -c 'import {', '.join(IMPORTS)}; print(42)'"
    assert pybuild(home, "shell", "--run", run, cwd=out).stdout.strip() == "42"
    env = Path(pybuild(home, "build", "-f", "shell.py", "env", cwd=out).stdout.split()[-1])
    # pip check, run by the environment's own Python with only pip's package added to its path
    pip_only = tmp_path / "pip-only"
    pip_only.mkdir()
    import pip

    (pip_only / "pip").symlink_to(Path(pip.__file__).parent)
    check = (
        f"import sys, runpy; sys.path.insert(0, {str(pip_only)!r}); sys.argv = ['pip', 'check'];"
        " runpy.run_module('pip', run_name='__main__', alter_sys=True)"
    )
    result = subprocess.run(
        [str(env / "bin" / "python"), "-c", check],
        cwd=pip_only,
        env={},  # nothing of the caller's (PYTHONPATH) gets in
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No broken requirements found." in result.stdout
    installed = versions_in(env / "bin" / "python")
    assert {"flask", "sqlalchemy", "structlog", "werkzeug", "mako"} <= set(installed)


def test_import_of_a_pip_lock_builds_the_exact_versions(
    home: Path, tmp_path: Path, tools: Path
) -> None:
    requirements = tmp_path / "requirements.txt"
    # Older than the set's recipes, so the lock, not the set, must decide.
    requirements.write_text("requests==2.31.0\nrich==13.7.1\nclick==8.1.7\n")
    lock = tmp_path / "pylock.toml"
    subprocess.run(
        [str(tools / "bin" / "pip"), "lock", "-q", "-r", str(requirements), "-o", str(lock)],
        check=True,
        capture_output=True,
    )
    locked = {p["name"]: p["version"] for p in tomllib.loads(lock.read_text())["packages"]}
    assert locked["requests"] == "2.31.0" and locked["rich"] == "13.7.1"
    out = tmp_path / "recipes"
    pybuild(home, "import", str(lock), "-o", str(out), cwd=tmp_path)
    env = Path(pybuild(home, "build", "-f", "shell.py", "env", cwd=out).stdout.split()[-1])
    installed = versions_in(env / "bin" / "python")
    assert {name: installed.get(name) for name in locked} == locked


def test_a_pybuild_lock_installs_the_same_versions_with_uv(
    home: Path, tmp_path: Path, tools: Path
) -> None:
    attrs = ["pypi:rich==14.0.0", "requests", "flask"]
    lock = tmp_path / "pylock.toml"
    pybuild(home, "lock", *attrs, "-o", str(lock), cwd=tmp_path)
    locked = {p["name"]: p["version"] for p in tomllib.loads(lock.read_text())["packages"]}
    assert locked["rich"] == "14.0.0" and "markdown-it-py" in locked and "werkzeug" in locked
    target = venv(tmp_path / "target")
    subprocess.run(
        [
            str(tools / "bin" / "uv"),
            "pip",
            "install",
            "-q",
            "--python",
            str(target / "bin" / "python"),
            "-r",
            str(lock),
        ],
        check=True,
        capture_output=True,
    )
    installed = versions_in(target / "bin" / "python")
    assert {name: installed.get(name) for name in locked} == locked
    # ... which are the versions of pybuild's own environment of the same packages
    env_out = pybuild(home, "build", "-f", str(_env_file(tmp_path, attrs)), "env", cwd=tmp_path)
    env = Path(env_out.stdout.split()[-1])
    ours = versions_in(env / "bin" / "python")
    assert {name: ours.get(name) for name in locked} == locked


def _env_file(tmp_path: Path, attrs: list[str]) -> Path:
    """A ``-f`` file whose ``env`` is the environment of `attrs` (as ``pybuild lock`` sees it)."""
    file = tmp_path / "env_of_attrs.py"
    file.write_text(
        "from pybuild.commands.common import select_attr\n"
        "from pybuild.pkgset import package_set\n\n"
        "pkgs = package_set()\n"
        f"chosen = [select_attr(pkgs, a) for a in {attrs!r}]\n"
        "env = pkgs.python.with_packages(lambda ps: chosen)\n"
    )
    return file


def _uv_picks(tools: Path, tmp_path: Path, requirement: str) -> dict[str, str]:
    """``uv pip compile`` of one requirement for this interpreter: name -> version."""
    (tmp_path / "req.in").write_text(requirement + "\n")
    uv = subprocess.run(
        [str(tools / "bin" / "uv"), "pip", "compile", "-q", "--python", sys.executable, "req.in"],
        cwd=tmp_path,
        check=True,
        capture_output=True,
        text=True,
    )
    return dict(
        line.split("==") for line in uv.stdout.splitlines() if "==" in line and line[0] not in " #"
    )


@pytest.mark.parametrize("project", ["packaging", "certifi", "rpds-py"])
def test_a_project_the_set_has_is_requested_at_the_version_uv_picks(
    home: Path, tmp_path: Path, tools: Path, project: str
) -> None:
    """pypi:NAME is the newest release that fits, even while the set's recipe lags behind."""
    lock = tmp_path / "pylock.toml"
    pybuild(home, "lock", f"pypi:{project}", "-o", str(lock), cwd=tmp_path)
    locked = {p["name"]: p["version"] for p in tomllib.loads(lock.read_text())["packages"]}
    assert locked[project] == _uv_picks(tools, tmp_path, project)[project]


def test_boto3_resolves_to_the_versions_uv_picks(home: Path, tmp_path: Path, tools: Path) -> None:
    """botocore needs python-dateutil<3 while the set has 4.0.0: the set's recipe is passed
    over (and said so) rather than botocore walked back to a release from 2012."""
    lock = tmp_path / "pylock.toml"
    result = pybuild(home, "lock", "pypi:boto3", "-o", str(lock), cwd=tmp_path)
    assert "python_dateutil (python-dateutil 4.0.0)" in result.stderr
    assert "passed over: botocore" in result.stderr
    locked = {p["name"]: p["version"] for p in tomllib.loads(lock.read_text())["packages"]}
    picked = _uv_picks(tools, tmp_path, "boto3")
    assert {n: locked.get(n) for n in ("boto3", "botocore", "python-dateutil")} == {
        n: picked[n] for n in ("boto3", "botocore", "python-dateutil")
    }


def test_a_conflict_met_again_and_again_resolves_as_pip_resolves_it(
    home: Path, tmp_path: Path, tools: Path
) -> None:
    """protobuf<4 with google-api-core[grpc]: every newer google-api-core and grpcio-status
    needs protobuf>=4, and the resolver gave up after 500 conflicts where pip (which promotes
    a project met in conflict after conflict) answers after a few dozen. The same three
    versions as pip's: grpcio-status's pre-release too, as ``<2.0dev`` allows pre-releases."""
    lock = tmp_path / "pylock.toml"
    requests = ["protobuf<4", "google-api-core[grpc]"]
    pybuild(home, "lock", *(f"pypi:{r}" for r in requests), "-o", str(lock), cwd=tmp_path)
    locked = {p["name"]: p["version"] for p in tomllib.loads(lock.read_text())["packages"]}
    report = tmp_path / "report.json"
    pip = [str(tools / "bin" / "pip"), "install", "-q", "--dry-run", "--ignore-installed"]
    subprocess.run(
        [*pip, "--report", str(report), *requests],
        check=True,
        capture_output=True,
    )
    picked = {
        p["metadata"]["name"].lower(): p["metadata"]["version"]
        for p in json.loads(report.read_text())["install"]
    }
    names = ("google-api-core", "grpcio-status", "protobuf")
    assert {n: locked.get(n) for n in names} == {n: picked[n] for n in names}
