"""Recipes generated from a package index (``from_pypi``, ``pypi:``, ``pybuild import``,
``pybuild lock``), on a local index built here; no network.

The index holds tiny projects made for each path through the generator, next to the real
build-tool wheels of the hermetic build index:

- ``alpha`` 1.0 and 2.0 (wheels; 2.0's metadata is also served as a PEP 658 file), 3.0 (for
  Python < 3 only), 4.0b1 (a pre-release). 2.0 needs ``beta>=1.0``, ``gamma`` only on Python 2
  (``gamma`` is on no index: a wrong marker decision fails), and ``delta`` for its ``fancy`` extra;
- ``beta`` 0.5 and 1.0 (wheels without a metadata file), needing ``pluggy``, which the set has;
- ``delta`` (sdist, flit-core, a PEP 643 ``PKG-INFO``), ``epsilon`` (sdist, setuptools, an old
  ``PKG-INFO`` and dynamic requirements: its backend must prepare the metadata), ``iota``
  (sdist and a pure wheel), ``kappa`` (sdist and a compiled wheel);
- troublemakers: ``zeta`` (builds with maturin, which the set lacks), ``eta`` (needs
  setuptools<10), ``omega`` (needs ``alpha>=2,<4``, not its pre-release, and ``beta<1``),
  ``theta`` (needs ``packaging>=99`` while the set has 26.3);
- ``mu`` 0.9 and 1.0 (1.0's metadata asks for Python < 3), and ``flit-core`` 9.0 (sdist and
  wheel: its sdist would build with itself);
- ``shout`` 1.0 and 2.0 and ``greet`` from the build index; the set has recipes for shout 1.0
  and greet;
- the set's recipes passed over: ``pluggy`` 0.9 (a wheel; the set has 1.7.0), ``rho`` (needs
  ``pluggy<1``), ``pi`` (needs ``alpha<2``, holding a requested alpha back);
- build tools from the index: ``nu`` (sdist; builds with ``nu-plugin``, a wheel only the index
  has, and ``pluggy<1``), ``xi`` (sdist building with ``no-such-plugin``, which no index has,
  and a pure wheel), ``upsilon`` (an sdist with only a ``setup.py``, and a pure wheel);
- test suites: ``sigma`` (sdist, needs pytest at run time, as a pytest plugin does; its test
  fails) and ``lam`` (sdist with a ``test`` extra naming pytest; its test fails too);
- a recipe the interpreter cannot have: ``tau`` 1.0 and 2.0 (2.0 for Python >= 3.99 only), ``chi``
  (needs ``tau``) and ``psi`` (needs ``chi``);
- ``omicron``: an sdist whose build compiles Rust (setuptools-rust), and a pure wheel;
- ``phi``: 1.0, an sdist with an old ``PKG-INFO`` and dynamic requirements whose setuptools
  warns (a license classifier), and 2.0, only a wheel for CPython 2.7;
- ``vcond``: an sdist with an old ``PKG-INFO`` whose ``setup.py`` requires ``on-pyXY``, after
  the Python running it;
- ``winonly``: 0.1, a wheel for CPython 2.7 on Windows, and 1.0, wheels for this interpreter's
  Python on Windows (as pywin32): no release installs here, whatever the Python;
- ``nudyn``: an sdist with an old ``PKG-INFO`` whose in-tree backend asks the program
  ``nu-tool`` for its requirements; ``nu-tool``, a wheel with that program, only the index has;
- ``chroma``: a pure wheel needing ``beta``, and ``winonly`` on Windows only (as pytest needs
  colorama);
- ``brook``: a pure wheel needing ``beta``, and for its ``brotli`` extra ``iota`` on CPython and
  ``mu`` elsewhere (as urllib3's brotli extra), and ``gamma`` before Python 3.11
  (``python_full_version``, as uv writes);
- ``rusty``: 1.0, a wheel for this interpreter; 2.0, a wheel for CPython 3.99 on this platform
  and an sdist whose ``setup.py`` fails (a Rust toolchain it lacks, as orjson's on 3.13);
- ``parser``: 2.0, an sdist with an old ``PKG-INFO`` and a static ``[project]`` table, whose
  in-tree backend fails offline (as dbt-core-experimental-parser's downloads a wheel);
  ``dynparser`` 1.0, the same with its dependencies dynamic, needed by ``parsing`` 1.0 (a
  wheel; ``parsing`` 0.9 needs nothing).
- build tools that fail here: ``scripty-tool`` (a wheel whose console script's module imports
  a module no dependency provides, as Cython 0.29's ``cythonize`` needs distutils on 3.12),
  which ``packy`` builds with, and ``brittle-tool`` (a wheel that fails to import), which
  ``brittle`` builds with, needed by ``brittleuser`` 1.0 (0.9 needs nothing); both sdists
  have an old ``PKG-INFO`` and dynamic requirements;
- ``lantern``: 1.0, and 2.0 whose ``glow`` extra needs ``keeper>=1`` (as httpx[cli] needs
  ``rich<15``).
- ``wheelless-tool``: 1.0, an sdist and a wheel for CPython 3.99 on this platform (as thinc
  8.0.17 on 3.11), which ``needy`` (its backend prepares its metadata), ``needier`` (a
  final ``PKG-INFO``) and ``needful`` (with a pure wheel too) build with; ``needyuser`` 1.0
  needs ``needy`` (0.9 needs nothing).
- ``kit``: 2.0, whose ``all`` extra asks for ``kit[a]``, which needs ``keeper>=9`` (no index
  has it), and 1.0, an sdist whose backend fails (dask[complete] asks for dask[array,…]).
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from pathlib import Path

import pytest

from pybuild.cli import main
from pybuild.errors import UsageError
from pybuild.generate import MissingBuildBackend, NotOnIndex, ResolutionFailed
from pybuild.generate.releases import Releases
from pybuild.importers import ImportFileError
from pybuild.importers.pylock import parse_pylock
from pybuild.index import Index
from pybuild.lazy import force
from pybuild.pkgset import DEFAULT_RECIPES, package_set
from pybuild.realiser import BuildOptions, realise
from pybuild.store import Store
from support.fixtures import (
    WHEEL_CACHE,
    BuildIndex,
    index_environ,
    sha256_of,
    write_fixture_recipes,
)
from support.index import make_sdist, make_wheel, write_index

FLIT = '[build-system]\nrequires = ["flit_core>=3.4"]\nbuild-backend = "flit_core.buildapi"\n'
PLUGINS = (
    '[build-system]\nrequires = ["flit_core>=3.4", "nu-plugin", "pluggy<1"]\n'
    'build-backend = "flit_core.buildapi"\n'
)
NO_PLUGIN = (
    '[build-system]\nrequires = ["flit_core>=3.4", "no-such-plugin"]\n'
    'build-backend = "flit_core.buildapi"\n'
)
RUST = (
    '[build-system]\nrequires = ["setuptools>=61", "setuptools-rust>=1.5"]\n'
    'build-backend = "setuptools.build_meta"\n'
)
NO_CARGO = "raise SystemExit('Cargo, the Rust package manager, is not installed')\n"
SETUP_PY = "from setuptools import setup\nsetup(name='upsilon', packages=['upsilon'])\n"
FAILING_TEST = "def test_fails():\n    assert False\n"
SETUPTOOLS = (
    '[build-system]\nrequires = ["setuptools>=61"]\nbuild-backend = "setuptools.build_meta"\n'
)
NU_TOOL_BACKEND = """\
import os, subprocess


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    needs = subprocess.run(["nu-tool"], capture_output=True, text=True, check=True).stdout
    folder = os.path.join(metadata_directory, "nudyn-1.0.dist-info")
    os.mkdir(folder)
    with open(os.path.join(folder, "METADATA"), "w") as f:
        f.write("Metadata-Version: 2.1\\nName: nudyn\\nVersion: 1.0\\nRequires-Dist: " + needs)
    return "nudyn-1.0.dist-info"
"""
NU_TOOL = (
    '[build-system]\nrequires = ["nu-tool"]\nbuild-backend = "backend"\nbackend-path = ["."]\n'
)
OFFLINE_BACKEND = """\
def get_requires_for_build_wheel(config_settings=None):
    raise RuntimeError("failed to download the parser's wheel: Connection refused")


prepare_metadata_for_build_wheel = build_wheel = get_requires_for_build_wheel
"""
STATIC_PARSER = """\
[build-system]
requires = []
build-backend = "backend"
backend-path = ["."]

[project]
name = "Parser"
version = "2.0"
description = "Parses,\\n  statically."
requires-python = ">=3.8"

[project.optional-dependencies]
Fancy = ["beta>=1.0; python_version >= '3'", "delta"]
"""
BY_PYTHON = (  # requirements decided in setup.py, by the Python that runs it
    "import sys\nfrom setuptools import setup\n"
    "setup(name='vcond', version='1.0', packages=['vcond'],"
    " install_requires=['on-py%d%d' % sys.version_info[:2]])\n"
)


def _metadata(name: str, version: str, requires=(), extras=(), summary="", python=None) -> str:
    lines = ["Metadata-Version: 2.2", f"Name: {name}", f"Version: {version}"]
    if summary:
        lines.append(f"Summary: {summary}")
    if python:
        lines.append(f"Requires-Python: {python}")
    lines += [f"Provides-Extra: {e}" for e in extras]
    lines += [f"Requires-Dist: {r}" for r in requires]
    return "\n".join(lines) + "\n"


def wheel(tmp: Path, name: str, version: str, code: str, metadata: str, tag="py3-none-any") -> Path:
    """make_wheel, with `metadata` as its METADATA (and RECORD to match)."""
    module = name.replace("-", "_")
    path = make_wheel(tmp, name, version, {f"{module}/__init__.py": code}, tag=tag)
    with zipfile.ZipFile(path) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    dist_info = next(n.split("/")[0] for n in members if n.endswith(".dist-info/METADATA"))
    members[f"{dist_info}/METADATA"] = metadata.encode()
    record = ""
    for member, data in sorted(members.items()):
        if not member.endswith("/RECORD"):
            digest = hashlib.sha256(data).digest()
            import base64

            b64 = base64.urlsafe_b64encode(digest).rstrip(b"=").decode()
            record += f"{member},sha256={b64},{len(data)}\n"
    members[f"{dist_info}/RECORD"] = (record + f"{dist_info}/RECORD,,\n").encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for member in sorted(members, key=lambda m: (m.endswith("/RECORD"), m)):
            info = zipfile.ZipInfo(member, date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            zf.writestr(info, members[member])
    return path


def sdist(tmp: Path, name: str, version: str, files: dict[str, str], pkg_info=None) -> Path:
    """make_sdist, with `pkg_info` as its PKG-INFO when given (else make_sdist's old 2.1 one)."""
    path = make_sdist(tmp, name, version, files)
    if pkg_info is None:
        return path
    with tarfile.open(path) as tar:
        members = [(m, tar.extractfile(m).read()) for m in tar.getmembers()]  # type: ignore[union-attr]
    buffer = io.BytesIO()
    with (
        gzip.GzipFile(filename="", mode="wb", fileobj=buffer, mtime=0) as gz,
        tarfile.open(fileobj=gz, mode="w", format=tarfile.PAX_FORMAT) as tar,
    ):
        for info, data in members:
            if info.name.endswith("/PKG-INFO"):
                data = pkg_info.encode()
                info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    path.write_bytes(buffer.getvalue())
    return path


def _project(
    name: str, version: str, deps=(), backend=FLIT, extras=None, dynamic=False
) -> dict[str, str]:
    """A project's files; `dynamic` (setuptools) has its requirements in files of their own,
    listed as dynamic, so that only its backend can tell them (its PKG-INFO being old)."""
    module = name.replace("-", "_")
    text = backend + f'\n[project]\nname = "{name}"\nversion = "{version}"\n'
    text += f'description = "{name} for tests"\n'
    files = {f"{module}/__init__.py": f'"""{name}."""\nVERSION = "{version}"\n'}
    if dynamic:
        text += 'dynamic = ["dependencies", "optional-dependencies"]\n'
        text += '\n[tool.setuptools.dynamic]\ndependencies = {file = ["requires.txt"]}\n'
        text += "".join(
            f'optional-dependencies.{k} = {{file = ["{k}.txt"]}}\n' for k in extras or {}
        )
        files["requires.txt"] = "".join(f"{d}\n" for d in deps)
        files.update({f"{k}.txt": "".join(f"{d}\n" for d in v) for k, v in (extras or {}).items()})
    else:
        text += f"dependencies = {json.dumps(list(deps))}\n"
        if extras:
            text += "\n[project.optional-dependencies]\n"
            text += "".join(f"{k} = {json.dumps(v)}\n" for k, v in extras.items())
    if backend == SETUPTOOLS:
        text += f'\n[tool.setuptools]\npackages = ["{module}"]\n'
    return {"pyproject.toml": text, **files}


@pytest.fixture(scope="module")
def dists(build_index: BuildIndex, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Every file of the test index (the index itself is written per test: some edit it)."""
    tmp = tmp_path_factory.mktemp("pypi-dists")
    alpha2 = _metadata(
        "alpha",
        "2.0",
        ["beta>=1.0", 'gamma; python_version < "3"', 'delta; extra == "fancy"'],
        ["fancy"],
        summary="The first letter.",
    )
    made = [
        wheel(tmp, "alpha", "1.0", "VERSION = '1.0'\n", _metadata("alpha", "1.0", ["beta"])),
        wheel(tmp, "alpha", "2.0", "import beta\nVERSION = '2.0'\n", alpha2),
        wheel(tmp, "alpha", "3.0", "", _metadata("alpha", "3.0", python="<3")),
        wheel(tmp, "alpha", "4.0b1", "", _metadata("alpha", "4.0b1")),
        wheel(tmp, "beta", "0.5", "", _metadata("beta", "0.5")),
        wheel(tmp, "beta", "1.0", "import pluggy\n", _metadata("beta", "1.0", ["pluggy>=1"])),
        sdist(
            tmp,
            "delta",
            "1.0",
            _project("delta", "1.0", ["beta"]),
            pkg_info=_metadata("delta", "1.0", ["beta"], summary="From PKG-INFO."),
        ),
        sdist(
            tmp,
            "epsilon",
            "1.0",
            _project("epsilon", "1.0", ["beta"], SETUPTOOLS, {"fancy": ["delta"]}, dynamic=True),
        ),
        sdist(tmp, "iota", "1.0", _project("iota", "1.0")),
        wheel(tmp, "iota", "1.0", "", _metadata("iota", "1.0")),
        sdist(tmp, "kappa", "1.0", _project("kappa", "1.0")),
        wheel(
            tmp, "kappa", "1.0", "VERSION = 'wheel'\n", _metadata("kappa", "1.0"), tag=_best_tag()
        ),
        sdist(
            tmp,
            "zeta",
            "1.0",
            _project(
                "zeta",
                "1.0",
                backend='[build-system]\nrequires = ["maturin>=1"]\nbuild-backend = "maturin"\n',
            ),
            pkg_info=_metadata("zeta", "1.0"),
        ),
        sdist(
            tmp,
            "eta",
            "1.0",
            _project(
                "eta",
                "1.0",
                backend='[build-system]\nrequires = ["setuptools<10"]\n'
                'build-backend = "setuptools.build_meta"\n',
            ),
            pkg_info=_metadata("eta", "1.0"),
        ),
        wheel(tmp, "omega", "1.0", "", _metadata("omega", "1.0", ["alpha>=2,<4", "beta<1"])),
        wheel(tmp, "theta", "1.0", "", _metadata("theta", "1.0", ["packaging>=99"])),
        wheel(tmp, "mu", "0.9", "", _metadata("mu", "0.9")),
        wheel(tmp, "mu", "1.0", "", _metadata("mu", "1.0", python="<3")),
        sdist(tmp, "flit-core", "9.0", _project("flit-core", "9.0")),
        wheel(tmp, "flit-core", "9.0", "", _metadata("flit-core", "9.0")),
        wheel(tmp, "pluggy", "0.9", "VERSION = '0.9'\n", _metadata("pluggy", "0.9")),
        wheel(tmp, "rho", "1.0", "import pluggy\n", _metadata("rho", "1.0", ["pluggy<1"])),
        wheel(tmp, "pi", "1.0", "", _metadata("pi", "1.0", ["alpha<2"])),
        sdist(tmp, "nu", "1.0", _project("nu", "1.0", backend=PLUGINS), _metadata("nu", "1.0")),
        wheel(tmp, "nu-plugin", "1.0", "", _metadata("nu-plugin", "1.0")),
        sdist(tmp, "xi", "1.0", _project("xi", "1.0", backend=NO_PLUGIN), _metadata("xi", "1.0")),
        wheel(tmp, "xi", "1.0", "VERSION = 'wheel'\n", _metadata("xi", "1.0")),
        sdist(tmp, "upsilon", "1.0", {"setup.py": SETUP_PY, "upsilon/__init__.py": ""}),
        wheel(tmp, "upsilon", "1.0", "", _metadata("upsilon", "1.0")),
        sdist(
            tmp,
            "sigma",
            "1.0",
            {**_project("sigma", "1.0", ["pytest"]), "tests/test_sigma.py": FAILING_TEST},
            _metadata("sigma", "1.0", ["pytest"]),
        ),
        sdist(
            tmp,
            "lam",
            "1.0",
            {
                **_project("lam", "1.0", extras={"test": ["pytest"]}),
                "tests/test_lam.py": FAILING_TEST,
            },
            _metadata("lam", "1.0", ['pytest; extra == "test"'], ["test"]),
        ),
    ]
    made += [
        wheel(tmp, "tau", "1.0", "VERSION = '1.0'\n", _metadata("tau", "1.0")),
        wheel(tmp, "tau", "2.0", "VERSION = '2.0'\n", _metadata("tau", "2.0", python=">=3.99")),
        wheel(tmp, "chi", "1.0", "import tau\n", _metadata("chi", "1.0", ["tau"])),
        wheel(tmp, "psi", "1.0", "import chi\n", _metadata("psi", "1.0", ["chi"])),
        sdist(tmp, "omicron", "1.0", _project("omicron", "1.0", backend=RUST)),
        wheel(tmp, "omicron", "1.0", "VERSION = 'wheel'\n", _metadata("omicron", "1.0")),
        sdist(
            tmp, "phi", "1.0", _noisy(_project("phi", "1.0", ["beta"], SETUPTOOLS, dynamic=True))
        ),
        wheel(tmp, "phi", "2.0", "", _metadata("phi", "2.0"), tag="cp27-cp27mu-manylinux1_x86_64"),
        *(
            wheel(tmp, "winonly", version, "", _metadata("winonly", version), tag=tag)
            for version, tag in [
                ("0.1", "cp27-cp27m-win32"),
                ("1.0", _best_tag().rsplit("-", 1)[0] + "-win32"),
                ("1.0", _best_tag().rsplit("-", 1)[0] + "-win_amd64"),
            ]
        ),
        sdist(tmp, "nudyn", "1.0", {"pyproject.toml": NU_TOOL, "backend.py": NU_TOOL_BACKEND}),
        make_wheel(
            tmp,
            "nu-tool",
            "1.0",
            {
                "nu_tool/__init__.py": "def main():\n    print('beta')\n",
                "nu_tool-1.0.dist-info/entry_points.txt": "[console_scripts]\n"
                "nu-tool = nu_tool:main\n",
            },
        ),
        wheel(
            tmp,
            "chroma",
            "1.0",
            "",
            _metadata("chroma", "1.0", ["beta", 'winonly; sys_platform == "win32"']),
        ),
        wheel(tmp, "brook", "1.0", "", _metadata("brook", "1.0", BROOK, ["brotli"])),
        wheel(tmp, "warden", "1.0", "", _metadata("warden", "1.0", ["keeper==0.5"])),
        wheel(tmp, "warden", "2.0", "", _metadata("warden", "2.0", ["keeper>=1", "beta>=1.0"])),
        wheel(tmp, "keeper", "0.5", "", _metadata("keeper", "0.5")),
        wheel(tmp, "keeper", "1.0", "", _metadata("keeper", "1.0")),
        wheel(tmp, "rusty", "1.0", "", _metadata("rusty", "1.0"), tag=_best_tag()),
        wheel(tmp, "rusty", "2.0", "", _metadata("rusty", "2.0"), tag=_other_cpython_tag()),
        sdist(tmp, "rusty", "2.0", {"pyproject.toml": SETUPTOOLS, "setup.py": NO_CARGO}),
        sdist(
            tmp, "parser", "2.0", {"pyproject.toml": STATIC_PARSER, "backend.py": OFFLINE_BACKEND}
        ),
        sdist(
            tmp,
            "dynparser",
            "1.0",
            {
                "pyproject.toml": STATIC_PARSER.replace('"Parser"', '"dynparser"')
                .replace('"2.0"', '"1.0"')
                .replace("requires-python", 'dynamic = ["dependencies"]\nrequires-python'),
                "backend.py": OFFLINE_BACKEND,
            },
        ),
        wheel(tmp, "parsing", "0.9", "", _metadata("parsing", "0.9")),
        wheel(tmp, "parsing", "1.0", "", _metadata("parsing", "1.0", ["dynparser>=1"])),
        sdist(
            tmp,
            "vcond",
            "1.0",
            {"pyproject.toml": SETUPTOOLS, "setup.py": BY_PYTHON, "vcond/__init__.py": ""},
        ),
        make_wheel(
            tmp,
            "scripty-tool",
            "1.0",
            {
                "scripty_tool/__init__.py": "",
                "scripty_tool/cli/__init__.py": "import distutils_gone\n",  # as Cython.Build's
                "scripty_tool/cli/run.py": "def main():\n    pass\n",
                "scripty_tool-1.0.dist-info/entry_points.txt": "[console_scripts]\n"
                "scripty = scripty_tool.cli.run:main\n",
            },
        ),
        sdist(tmp, "packy", "1.0", _built_with("packy", "scripty-tool")),
        wheel(
            tmp,
            "brittle-tool",
            "1.0",
            "raise RuntimeError('broken tool')\n",
            _metadata("brittle-tool", "1.0"),
        ),
        sdist(tmp, "brittle", "1.0", _built_with("brittle", "brittle-tool")),
        wheel(tmp, "brittleuser", "0.9", "", _metadata("brittleuser", "0.9")),
        wheel(tmp, "lantern", "1.0", "", _metadata("lantern", "1.0")),
        wheel(tmp, "lantern", "2.0", "", _metadata("lantern", "2.0", LANTERN_GLOW, ["glow"])),
        wheel(tmp, "brittleuser", "1.0", "", _metadata("brittleuser", "1.0", ["brittle"])),
        wheel(tmp, "wheelless-tool", "1.0", "", _metadata("wheelless-tool", "1.0"), tag=_OTHER),
        sdist(tmp, "wheelless-tool", "1.0", _project("wheelless-tool", "1.0")),
        sdist(tmp, "needy", "1.0", _built_with("needy", "wheelless-tool")),
        sdist(
            tmp,
            "needier",
            "1.0",
            _built_with("needier", "wheelless-tool"),
            pkg_info=_metadata("needier", "1.0", ["beta"]),
        ),
        sdist(tmp, "needful", "1.0", _built_with("needful", "wheelless-tool")),
        wheel(tmp, "needful", "1.0", "VERSION = 'wheel'\n", _metadata("needful", "1.0")),
        wheel(tmp, "needyuser", "0.9", "", _metadata("needyuser", "0.9")),
        wheel(tmp, "needyuser", "1.0", "", _metadata("needyuser", "1.0", ["needy"])),
        wheel(tmp, "kit", "2.0", "", _metadata("kit", "2.0", KIT_EXTRAS, ["all", "a"])),
        sdist(tmp, "kit", "1.0", {"pyproject.toml": OFFLINE, "backend.py": OFFLINE_BACKEND}),
    ]
    shout = [build_index.root / "files" / f"shout-{v}.tar.gz" for v in ("1.0", "2.0")]
    shout.append(build_index.root / "files" / "greet-1.0.tar.gz")
    tools = sorted(p for p in WHEEL_CACHE.glob("*.whl"))
    return [*made, *shout, *tools]


LANTERN_GLOW = ['keeper>=1; extra == "glow"']
KIT_EXTRAS = ['kit[a]; extra == "all"', 'keeper>=9; extra == "a"']
OFFLINE = '[build-system]\nrequires = []\nbuild-backend = "backend"\nbackend-path = ["."]\n'
BROOK = [
    "beta",
    'iota; platform_python_implementation == "CPython" and extra == "brotli"',
    'mu; platform_python_implementation != "CPython" and extra == "brotli"',
    'gamma; python_full_version < "3.11"',
]


def _built_with(name: str, tool: str) -> dict[str, str]:
    """A setuptools project (an old ``PKG-INFO``, dynamic requirements: its backend must
    prepare the metadata) that also builds with `tool`, which only the index has."""
    files = _project(name, "1.0", ["beta"], SETUPTOOLS, dynamic=True)
    text = files["pyproject.toml"].replace('"setuptools>=61"', f'"setuptools>=61", "{tool}"')
    return {**files, "pyproject.toml": text}


def _noisy(files: dict[str, str]) -> dict[str, str]:
    """A setuptools project whose backend warns while preparing its metadata, as old sdists'
    do (License classifiers are deprecated)."""
    text = files["pyproject.toml"].replace(
        "description =", 'classifiers = ["License :: OSI Approved :: MIT License"]\ndescription ='
    )
    return {**files, "pyproject.toml": text}


def _other_cpython_tag() -> str:
    """A CPython wheel's tag for this platform, of a Python no interpreter here is (3.99)."""
    return "cp399-cp399-" + _best_tag().rsplit("-", 1)[1]


def _best_tag() -> str:
    from packaging.tags import sys_tags

    return str(next(iter(sys_tags())))


_OTHER = _other_cpython_tag()


@pytest.fixture
def index(dists: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The test index as a folder (with alpha 2.0's PEP 658 file), and pip pointed at it."""
    root = tmp_path / "index"
    url = write_index(root, dists)
    page = root / "alpha" / "index.json"
    data = json.loads(page.read_text())
    for entry in data["files"]:
        if entry["filename"] == "alpha-2.0-py3-none-any.whl":
            with zipfile.ZipFile(root / "files" / entry["filename"]) as zf:
                text = zf.read("alpha-2.0.dist-info/METADATA")
            (root / "files" / (entry["filename"] + ".metadata")).write_bytes(text)
            entry["core-metadata"] = {"sha256": hashlib.sha256(text).hexdigest()}
        if entry["filename"].startswith("alpha-3.0"):
            entry["requires-python"] = "<3"
    page.write_text(json.dumps(data))
    page = root / "tau" / "index.json"
    data = json.loads(page.read_text())
    for entry in data["files"]:
        if entry["filename"].startswith("tau-2.0"):
            entry["requires-python"] = ">=3.99"
    page.write_text(json.dumps(data))
    for name, value in index_environ(url).items():
        monkeypatch.setenv(name, value)
    return root


@pytest.fixture
def pkgs(index: Path, build_index: BuildIndex, tmp_path: Path):
    """The default set plus recipes for shout 1.0 and greet (which needs shout), over the test
    index."""
    folder = write_fixture_recipes(tmp_path / "recipes", build_index, ["shout", "greet"])
    return package_set(recipes=[DEFAULT_RECIPES, folder])


def build_env(pkgs, packages) -> Path:
    env = pkgs.python.with_packages(lambda ps: packages)
    with open(os.devnull, "w") as quiet:
        realise([env.drv], Store.default(), BuildOptions(log=quiet))
    return Path(str(env))


def run_python(env: Path, code: str) -> str:
    result = subprocess.run(
        [str(env / "bin" / "python"), "-c", code], env={}, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def cli(*args: str, cwd: Path | None = None, ok: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "pybuild", *args], cwd=cwd, text=True, capture_output=True
    )
    assert "Traceback" not in result.stderr, result.stderr
    if ok:
        assert result.returncode == 0, result.stderr
    return result


# -- metadata from each source --------------------------------------------------------------


def test_metadata_comes_from_each_source_in_turn(pkgs, index: Path) -> None:
    from packaging.version import Version

    with Releases(Index(), pkgs) as releases:
        alpha = releases.metadata("alpha", Version("2.0"))
        beta = releases.metadata("beta", Version("1.0"))
        delta = releases.metadata("delta", Version("1.0"))
        epsilon = releases.metadata("epsilon", Version("1.0"))
    assert alpha.source == "the index's metadata file, PEP 658"
    assert beta.source == "the wheel's METADATA"
    assert delta.source == "the sdist's PKG-INFO"
    assert delta.summary == "From PKG-INFO."
    assert epsilon.source == "the build backend's prepare_metadata_for_build_wheel"
    assert epsilon.requires_dist[0] == "beta"
    assert 'delta; extra == "fancy"' in epsilon.requires_dist
    assert alpha.extras == ("fancy",) and beta.requires_dist == ("pluggy>=1",)


def test_a_backends_output_while_preparing_metadata_is_kept_off_the_terminal(
    pkgs, index: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    """pyproject-hooks re-raises the backend's warnings in pybuild's process: setuptools'
    notices for each old sdist a resolution tries once filled the terminal."""
    import warnings

    from packaging.version import Version

    with warnings.catch_warnings(record=True) as caught, Releases(Index(), pkgs) as releases:
        warnings.simplefilter("always")
        meta = releases.metadata("phi", Version("1.0"))
    assert meta.source == "the build backend's prepare_metadata_for_build_wheel"
    assert [str(w.message) for w in caught if "License" in str(w.message)] == []
    out, err = capfd.readouterr()
    assert "License classifiers" not in out + err and "egg_info" not in out + err
    from pybuild.generate.buildsystem import show_backend_output

    show_backend_output(True)  # -v
    try:
        with Releases(Index(), pkgs) as releases:
            releases.metadata("epsilon", Version("1.0"))
    finally:
        show_backend_output(False)
    assert "running egg_info" in capfd.readouterr().err


def test_a_release_built_for_want_of_a_wheel_for_this_python_hints_at_one_that_has_one(
    pkgs, index: Path
) -> None:
    """orjson 3.9.10 on 3.13 has wheels for other Pythons only, so its Rust sdist is built,
    and the backend's error was all one saw; the hint names a release with a wheel for this
    interpreter and an interpreter its wheels are for, either installed without building."""
    from packaging.version import Version

    from pybuild.generate.errors import MetadataError

    with Releases(Index(), pkgs) as releases, pytest.raises(MetadataError) as info:
        releases.metadata("rusty", Version("2.0"))
    assert "setuptools.build_meta failed to prepare the metadata" in str(info.value)
    assert "Cargo, the Rust package manager, is not installed" in str(info.value)
    assert info.value.hint == (
        f"rusty 2.0 has no wheel for this interpreter ({_best_tag()}), so it is built from its"
        " sdist: choose a release with a wheel for it (pypi:rusty==1.0) or an interpreter its"
        " wheels are for (--python 3.99)"
    )


def test_an_sdists_static_project_table_is_its_metadata_without_its_backend(
    pkgs, index: Path
) -> None:
    """dbt-core-experimental-parser 2.0.8: an old ``PKG-INFO``, so its backend was asked for
    the metadata, and it downloads a wheel, which the offline hook cannot; uv reads the
    ``[project]`` table instead, whose requirements no backend may change (PEP 621): no
    ``dependencies`` and none dynamic is none."""
    from packaging.version import Version

    with Releases(Index(), pkgs) as releases:
        meta = releases.metadata("parser", Version("2.0"))
    assert meta.source == "the sdist's pyproject.toml [project] table"
    assert (meta.name, meta.version, meta.requires_python) == ("parser", "2.0", ">=3.8")
    assert meta.requires_dist == (
        'beta>=1.0; python_version >= "3" and extra == "fancy"',
        'delta; extra == "fancy"',
    )
    assert meta.extras == ("fancy",) and meta.summary == "Parses, statically."
    parser = pkgs.from_pypi("parser", extras=["fancy"])
    assert sorted(force(d).pname for d in parser.attrs["dependencies"]) == ["beta", "delta"]


def test_a_backend_failing_to_prepare_metadata_names_who_requires_the_release(
    pkgs, index: Path
) -> None:
    """dbt-core 1.12.6 needs dbt-core-experimental-parser, whose backend failed offline, and
    the error named the parser alone: not who asked for it, nor what else to take."""
    from pybuild.generate.errors import MetadataError

    with pytest.raises(MetadataError) as info:
        pkgs.from_pypi("parsing")
    assert "dynparser 1.0: backend failed to prepare the metadata" in str(info.value)
    assert "Connection refused" in str(info.value)
    assert str(info.value).splitlines()[-2] == "dynparser 1.0 is required by parsing 1.0"
    assert info.value.hint == (
        "take an older parsing, which may not need it (pypi:parsing<1.0); or give dynparser a"
        " recipe of your own in an overlay (--overlay FILE)"
    )


def test_a_pep658_file_with_the_wrong_hash_is_refused(pkgs, index: Path) -> None:
    from packaging.version import Version

    from pybuild.errors import HashMismatch

    (index / "files" / "alpha-2.0-py3-none-any.whl.metadata").write_text(
        _metadata("alpha", "2.0", ["evil"])
    )
    with Releases(Index(), pkgs) as releases, pytest.raises(HashMismatch):
        releases.metadata("alpha", Version("2.0"))


def test_release_facts_are_cached(pkgs, index: Path) -> None:
    from packaging.version import Version

    with Releases(Index(), pkgs) as releases:
        first = releases.metadata("beta", Version("1.0"))
    (index / "files" / "beta-1.0-py3-none-any.whl").unlink()  # a second download would fail
    with Releases(Index(), pkgs) as releases:
        assert releases.metadata("beta", Version("1.0")) == first


def test_a_backends_answer_is_kept_for_the_interpreter_it_was_prepared_with(
    pkgs, index: Path
) -> None:
    """A ``setup.py`` may decide its requirements by the Python running it (``tomli`` below
    3.11): the backend's answer for one interpreter was once served to every other, and the
    first to ask decided the dependencies of all."""
    from packaging.version import Version

    other = package_set(_another_python(pkgs.interpreter.version_xy), pkgs.recipe_dirs)
    for each in (pkgs, other, pkgs):
        with Releases(Index(), each) as releases:
            meta = releases.metadata("vcond", Version("1.0"))
        assert meta.requires_dist == (f"on-py{each.interpreter.version_xy.replace('.', '')}",)


def test_a_backend_the_sets_tools_cannot_run_prepares_metadata_with_the_indexs(
    pkgs, index: Path
) -> None:
    """numpy 1.26.4 on 3.13: its old PKG-INFO sends the resolver to its backend, whose
    ``Cython<3.1`` the set's Cython 3 does not meet. The build would take its tools from the
    index, but the metadata was asked of the set's tools alone, and the request failed with
    a hint to write a recipe by hand; the tools' programs (``cython``, which meson runs) must
    be on ``PATH`` for it too."""
    from packaging.version import Version

    with Releases(Index(), pkgs) as releases:
        meta = releases.metadata("nudyn", Version("1.0"))
    assert meta.source == "the build backend's prepare_metadata_for_build_wheel"
    assert meta.requires_dist == ("beta",)
    nudyn = pkgs.from_pypi("nudyn")
    assert [force(d).pname for d in nudyn.attrs["dependencies"]] == ["beta"]
    assert [t.pname for t in nudyn.attrs["build_system"]] == ["nu-tool"]


def _another_python(than: str) -> str:
    """A Python version other than `than` that this machine has, else the test is skipped."""
    from pybuild.python.locate import locate_python

    for version in ("3.12", "3.13", "3.10", "3.11"):
        if version != than:
            try:
                return locate_python(version)
            except UsageError:
                continue
    pytest.skip(f"no CPython besides {than} on this machine")


# -- from_pypi: resolution, markers, extras, the set's recipes --------------------------------


def test_from_pypi_builds_a_package_and_its_dependencies(pkgs) -> None:
    alpha = pkgs.from_pypi("alpha")
    assert (alpha.pname, alpha.version) == ("alpha", "2.0")  # not 3.0 (Python<3), not 4.0b1
    beta = force(alpha.attrs["dependencies"][0])
    assert (beta.pname, beta.version) == ("beta", "1.0")  # no gamma: its marker is false
    assert force(beta.attrs["dependencies"][0]).drv == pkgs.pluggy.drv  # the set's own
    env = build_env(pkgs, [alpha])
    assert run_python(env, "import alpha, beta, pluggy; print(alpha.VERSION)") == "2.0"


def test_from_pypi_pins_a_version_and_adds_extras(pkgs) -> None:
    assert pkgs.from_pypi("alpha", "1.0").version == "1.0"
    fancy = pkgs.from_pypi("alpha", "2.0", extras=["fancy"])
    deps = {force(d).pname: force(d) for d in fancy.attrs["dependencies"]}
    assert set(deps) == {"beta", "delta"}
    assert deps["delta"].attrs["build_system"][0].pname == "flit-core"  # from its sdist
    env = build_env(pkgs, [fancy])
    assert run_python(env, "import alpha, delta; print(delta.VERSION)") == "1.0"


def test_an_extra_the_project_does_not_provide_is_warned_of_once(
    pkgs, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """As pip and uv warn: the request resolves (the extra adds nothing), but not silently."""
    from pybuild.generate import import_file

    alpha = pkgs.from_pypi("alpha", "2.0", extras=["fanzy"])
    assert [force(d).pname for d in alpha.attrs["dependencies"]] == ["beta"]
    warning = "alpha 2.0 does not provide the extra 'fanzy'; did you mean 'fancy'?"
    assert capsys.readouterr().err.count(f"pybuild: warning: {warning}\n") == 1
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("iota[nosuch]\niota[nosuch,other]>=1\nalpha[fancy]\n")
    import_file(pkgs, requirements, tmp_path / "out")
    err = capsys.readouterr().err
    assert err.count("pybuild: warning: iota 1.0 does not provide the extra 'nosuch'\n") == 1
    assert "iota 1.0 does not provide the extra 'other'" in err and "'fancy'" not in err


def test_a_version_specifier_gives_the_newest_release_within_it(
    pkgs, capsys: pytest.CaptureFixture[str]
) -> None:
    assert pkgs.from_pypi("alpha", "<2").version == "1.0"
    assert pkgs.from_pypi("alpha", ">=1,<3").version == "2.0"  # 3.0 needs Python < 3
    assert pkgs.from_pypi("alpha", "==1.*").version == "1.0"
    assert pkgs.from_pypi("shout", "<2") is force(pkgs.shout)  # the set's recipe is 1.0
    assert pkgs.from_pypi("shout", "~=2.0").version == "2.0"
    # asked for, not held back: no note that alpha 1.0 is not the newest release
    assert "newest release" not in capsys.readouterr().err
    with pytest.raises(UsageError, match="'<<2' is not a valid version specifier"):
        pkgs.from_pypi("alpha", "<<2")
    with pytest.raises(UsageError, match="'two' is not a valid version"):
        pkgs.from_pypi("alpha", "two")


def test_the_set_wins_unless_the_version_differs(pkgs) -> None:
    assert pkgs.from_pypi("pluggy") is force(pkgs.pluggy)
    assert pkgs.from_pypi("Shout", "1.0") is force(pkgs.shout)
    shout2 = pkgs.from_pypi("shout", "2.0")
    assert shout2.version == "2.0" and shout2.drv != pkgs.shout.drv


def test_a_requested_project_is_its_newest_release_unless_the_set_needs_its_recipe(
    pkgs, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:

    shout = pkgs.from_pypi("shout")  # the set's recipe is shout 1.0: uv would take 2.0
    assert shout.version == "2.0" and shout.drv != pkgs.shout.drv
    why = (
        "the set's recipe shout (shout 1.0) is passed over: it is older, and a requested"
        " project is its newest release that fits"
    )
    assert why in " ".join(capsys.readouterr().err.split())
    assert pkgs.from_pypi("pluggy") is force(pkgs.pluggy)  # the index's is older


def test_why_depends_takes_a_pypi_package_as_built_alone(pkgs) -> None:
    """``why-depends pypi:greet pypi:shout`` resolved the two together, as one environment's
    packages: greet then came from the index (the set's takes shout 1.0, the request's newest
    is 2.0), not the greet ``build pypi:greet`` had made, and the answer was that it was not
    built. Each is now what its own build makes, and another version of B in A's closure is
    named."""
    recipes = [arg for folder in pkgs.recipe_dirs[1:] for arg in ("--recipes", str(folder))]
    greet, shout = (
        cli("build", *recipes, f"pypi:{name}").stdout.strip() for name in ("greet", "shout")
    )
    asked = cli("why-depends", *recipes, "pypi:greet", "pypi:shout")
    assert asked.stdout == ""
    told = asked.stderr.splitlines()
    assert f"{greet} does not depend on {shout}" in told
    shout_1 = str(Store.default().path(force(pkgs.shout).drv.out))
    assert told[-1] == f"  it depends on {shout_1} (another version)"
    chain = cli("why-depends", *recipes, "pypi:greet", "shout").stdout.splitlines()
    assert chain[0].split()[0] == greet and chain[-1].split()[-1] == shout_1


def test_a_set_recipe_holding_a_requested_project_back_gives_way_when_it_can(
    pkgs, index: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """greet's recipe takes the set's shout 1.0: `shout greet` was shout 1.0 where uv gives
    2.0 (the set's pandas held a requested numpy back so); now greet comes from the index, and
    only when the index has no other greet is shout held back, by the set's recipe, named so."""
    from pybuild.generate import import_file

    requirements = tmp_path / "requirements.txt"
    requirements.write_text("shout\ngreet\n")
    import_file(pkgs, requirements, tmp_path / "out")
    told = " ".join(capsys.readouterr().err.split())
    assert (
        "the set's recipe greet (greet 1.0) is passed over: it takes shout 1.0, where the"
        " request needs 2.0" in told
    ), told
    assert (tmp_path / "out" / "generated-recipes" / "shout_2_0.py").exists()
    shutil.rmtree(index / "greet")  # no greet but the set's: shout 1.0 it must be
    import_file(pkgs, requirements, tmp_path / "again", refresh=True)
    held = (
        "shout 1.0 is not its newest release (2.0): held back by shout==1.0, required by the"
        " set's recipe greet (greet 1.0)"
    )
    assert held in " ".join(capsys.readouterr().err.split())
    assert not list((tmp_path / "again" / "generated-recipes").glob("shout*"))


def test_requires_python_in_metadata_makes_the_resolver_backtrack(pkgs) -> None:
    assert pkgs.from_pypi("mu").version == "0.9"  # mu 1.0's metadata wants Python < 3
    with pytest.raises(ResolutionFailed) as info:
        pkgs.from_pypi("mu", "1.0")
    assert "Requires-Python <3 is required by mu 1.0" in str(info.value)
    assert "the set's interpreter is Python 3." in str(info.value)


def test_a_pinned_version_the_index_never_had_is_named(pkgs) -> None:
    """beta==0.7: the index has beta 0.5 and 1.0; the error says it has no 0.7 at all, not
    only what it has, among which the reader would look for it."""
    with pytest.raises(ResolutionFailed) as info:
        pkgs.from_pypi("beta", "0.7")
    text = " ".join(str(info.value).split())
    assert "and the index has beta 0.5, 1.0 but no beta 0.7 at all" in text, text


def test_a_release_requires_python_leaves_out_is_named_with_what_it_needs(
    pkgs, index: Path
) -> None:
    """The index lists tau 2.0 for Python >= 3.99: not "the index has tau 1.0" alone, as if
    it lacked 2.0 (pip and uv name Requires-Python too), and the hint names --python."""
    here = pkgs.interpreter.version
    with pytest.raises(ResolutionFailed) as info:
        pkgs.from_pypi("tau", "2.0")
    text = " ".join(str(info.value).split())
    assert "tau==2.0 is required by pypi:tau==2.0 and the index has tau 1.0" in text
    assert (
        f"but Requires-Python leaves out tau 2.0 (>=3.99) for the set's interpreter, Python {here}"
    ) in text
    assert info.value.hint.startswith(
        "tau 2.0 needs Python >=3.99: pass --python X.Y for an interpreter that meets it; or"
    )
    # alpha 2.0 listed for the next Python only: the hint names it
    major, minor = pkgs.interpreter.version_info[:2]
    page = index / "alpha" / "index.json"
    data = json.loads(page.read_text())
    for entry in data["files"]:
        if entry["filename"].startswith("alpha-2.0"):
            entry["requires-python"] = f">={major}.{minor + 1}"
    page.write_text(json.dumps(data))
    failed = cli("build", "pypi:alpha>=2,<4", ok=False)
    left = f"Requires-Python leaves out alpha 2.0 (>={major}.{minor + 1}), 3.0 (<3) for the set's"
    assert left in failed.stderr
    # 3.0 is newer, but no Python 3 has it
    hint = f"hint: alpha 2.0 needs Python >={major}.{minor + 1}: pass --python {major}.{minor + 1}"
    assert hint in failed.stderr


def test_the_python_hinted_is_the_nearest_a_release_of_the_request_allows(
    pkgs, index: Path
) -> None:
    """alpha>=2,<4 where alpha 3.0 needs the Python after next and 2.0 the next: the hint names
    the next (with 2.0), not what the newest release needs (sphinx>=8.2 on 3.10 was told
    sphinx 9.2.0's --python 3.13, where 8.2 and 9.0 need only 3.11)."""
    major, minor = pkgs.interpreter.version_info[:2]
    page = index / "alpha" / "index.json"
    data = json.loads(page.read_text())
    for entry in data["files"]:
        for version, ahead in (("2.0", 1), ("3.0", 2)):
            if entry["filename"].startswith(f"alpha-{version}"):
                entry["requires-python"] = f">={major}.{minor + ahead}"
    page.write_text(json.dumps(data))
    failed = cli("build", "pypi:alpha>=2,<4", ok=False)
    hint = f"hint: alpha 2.0 needs Python >={major}.{minor + 1}: pass --python {major}.{minor + 1}"
    assert hint in failed.stderr, failed.stderr


def test_a_build_tool_of_its_own_build_comes_from_its_wheel(pkgs) -> None:
    flit = pkgs.from_pypi("flit-core", "9.0")  # its sdist would need flit_core: itself
    assert flit.version == "9.0" and flit.attrs["format"] == "wheel"


def test_files_sdist_for_pure_projects_wheel_for_compiled_ones(pkgs) -> None:
    iota = pkgs.from_pypi("iota")
    kappa = pkgs.from_pypi("kappa")
    assert iota.attrs["format"] == "pyproject" and kappa.attrs["format"] == "wheel"
    epsilon = pkgs.from_pypi("epsilon")
    assert [force(p).pname for p in epsilon.attrs["build_system"]] == ["setuptools"]
    env = build_env(pkgs, [iota, kappa, epsilon])
    assert run_python(env, "import kappa, epsilon, iota; print(kappa.VERSION)") == "wheel"


def test_generated_recipes_are_readable_and_formatted(pkgs, pybuild_home: Path) -> None:
    pkgs.from_pypi("alpha", "2.0", extras=["fancy"])
    pkgs.from_pypi("kappa")
    recipes = sorted((pybuild_home / "var" / "cache" / "pypi").glob("*/recipes/*.py"))
    texts = {p.name.split("-")[0]: p.read_text() for p in recipes}
    assert set(texts) >= {"alpha", "beta", "delta", "kappa"}
    alpha = texts["alpha"]
    assert alpha.startswith('"""alpha 2.0: The first letter.')
    assert "def recipe(build_python_package, fetch_pypi, beta, delta):" in alpha
    assert 'optional_dependencies={"fancy": [delta]}' in alpha and 'version = "2.0"' in alpha
    assert "build_system=[flit_core]" in texts["delta"]
    assert "hash pins kappa-1.0-" in " ".join(texts["kappa"].split())
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--check", "--line-length", "100", *recipes],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_long_lists_of_inputs_are_laid_out_as_ruff_lays_them_out() -> None:
    """A list or dict literal that does not fit on its line has one item a line, where a call's
    arguments are hugged on one line of their own: apache-airflow-providers-common-sql's four
    dependencies were hugged, and fastapi's extra of fourteen stayed one line of 200
    characters, so that 5 of the 107 recipes of ``pybuild import`` of apache-airflow did not
    pass ruff's check, which the generated folder is to pass as hand-written recipes do."""
    from pybuild.generate.files import Pin
    from pybuild.generate.render import recipe_text, shell_text

    four = [f"apache_airflow_providers_common_compat_{i}" for i in range(2)] + ["sqlparse"]
    many = [f"optional_input_number_{i}" for i in range(14)]
    pin = Pin(
        attr="big", pname="big", version="1.0", origin="index", dependencies=[*four, "toolz"],
        optional={"standard-no-fastapi-cloud-cli": many, "x": ["toolz"]}, kind="wheel",
        filename="big-1.0-py3-none-any.whl", url="https://example.invalid/big.whl",
        hash="sha256-" + "A" * 43 + "=", remove_deps=["apache-airflow"],
    )  # fmt: skip
    texts = {
        "recipe.py": recipe_text(pin, "CPython 3.12 on Linux"),
        "shell.py": shell_text("r.txt", many, ["/recipes"], "CPython 3.12", "3.12"),
    }
    for name, text in texts.items():
        formatted = subprocess.run(
            [sys.executable, "-m", "ruff", "format", "--line-length", "100", "-"],
            input=text, capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        assert text == formatted, name
    assert '"x": [toolz],' in texts["recipe.py"]  # an item that fits stays on its line


def test_a_repeated_request_needs_no_index(pkgs, index: Path) -> None:
    first = pkgs.from_pypi("alpha", "2.0").drv  # evaluated once: the toolchain's files are known
    shutil.rmtree(index)
    again = package_set(recipes=pkgs.recipe_dirs).from_pypi("alpha", "2.0")
    assert again.drv == first


def test_a_cached_plan_says_its_notes_again(
    pkgs, index: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The second, cached, resolution said nothing of the recipe it passed over: an old or
    unexpected choice must be told every time, not only on the first run."""
    pkgs.from_pypi("shout")
    first = capsys.readouterr().err
    assert "shout 2.0 comes from the index" in first
    shutil.rmtree(index)  # the plan comes from the cache
    pkgs.from_pypi("shout")
    assert capsys.readouterr().err == first


def test_a_cached_plan_is_dropped_when_the_set_changes(pkgs, index: Path, tmp_path: Path) -> None:
    alpha = pkgs.from_pypi("alpha", "2.0")
    assert force(alpha.attrs["dependencies"][0]).attrs["format"] == "wheel"
    folder = tmp_path / "more"
    folder.mkdir()
    digest = sha256_of(index, "beta-1.0-py3-none-any.whl")
    (folder / "beta.py").write_text(
        "def recipe(build_python_package, fetch_pypi, pluggy):\n"
        "    return build_python_package(pname='beta', version='1.0', src=fetch_pypi('beta',"
        f" '1.0', kind='wheel', hash='{digest}'), format='wheel', dependencies=[pluggy])\n"
    )
    changed = package_set(recipes=[*pkgs.recipe_dirs, folder])
    beta = force(changed.from_pypi("alpha", "2.0").attrs["dependencies"][0])
    assert beta is force(changed.beta)


# -- errors -----------------------------------------------------------------------------------


def test_a_name_the_index_lacks_suggests_close_ones(pkgs) -> None:
    with pytest.raises(NotOnIndex) as info:
        pkgs.from_pypi("alpah")
    assert info.value.suggestions == ["alpha"]
    assert "did you mean 'alpha'?" in str(info.value)


def test_a_missing_version_lists_those_there_are(pkgs) -> None:
    with pytest.raises(ResolutionFailed) as info:
        pkgs.from_pypi("alpha", "9")
    text = str(info.value)
    assert "alpha==9 is required by pypi:alpha==9" in text
    assert "the index has alpha 1.0, 2.0" in text


def test_a_release_with_no_file_for_this_interpreter_is_named_so(
    pkgs, monkeypatch: pytest.MonkeyPatch
) -> None:
    """phi 2.0 exists, with a wheel for CPython 2.7 only: not "no version satisfies", as if
    it did not exist; and a cut list of releases says how many it leaves out."""
    from pybuild.generate import resolver

    with pytest.raises(ResolutionFailed) as info:
        pkgs.from_pypi("phi", "2.0")
    text = str(info.value)
    assert "but phi 2.0 has no wheel for this interpreter (cp3" in text
    assert "and no sdist; its wheels are for cp27" in text
    assert "phi 2.0 cannot be installed on this interpreter" in info.value.hint
    assert "--python 2.7" in info.value.hint
    monkeypatch.setattr(resolver, "_SHOWN", 1)
    with pytest.raises(ResolutionFailed) as info:
        pkgs.from_pypi("alpha", "9")
    assert "the index has alpha 4.0b1 and 2 older" in str(info.value)


def test_a_release_with_wheels_only_for_other_platforms_is_named_so(
    pkgs, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pywin32 on Linux: its wheels are for this Python but Windows, so the error names the
    platforms, and no --python, which cannot help; nor does an old release for an old Python
    (pywin32 222, cp37) make one. A long list of such releases is cut."""
    from pybuild.generate import explain

    platform = pkgs.interpreter.tags[0].rsplit("-", 1)[1]
    for version in ("1.0", None):
        with pytest.raises(ResolutionFailed) as info:
            pkgs.from_pypi("winonly", version)
        text = str(info.value)
        assert (
            f"but winonly 1.0 has no wheel for this platform ({platform}) and no sdist;"
            " its wheels are for win32, win_amd64"
        ) in text
        assert "--python" not in info.value.hint
        assert "the index has no usable version of winonly" in text  # not "has winonly no …"
    assert "but winonly 0.1 has no wheel for this platform" in text
    assert "its wheels are for win32" in text and "cp27" not in text
    assert info.value.hint.startswith(
        f"no release of winonly can be installed on this platform ({platform})"
    )
    monkeypatch.setattr(explain, "_LEFT_OUT_SHOWN", 1)
    with pytest.raises(ResolutionFailed) as info:
        pkgs.from_pypi("winonly")
    assert "but winonly 0.1" not in str(info.value)
    assert "and 1 older release of winonly with no file for this interpreter" in str(info.value)


def test_a_conflict_is_explained_by_the_resolver(pkgs) -> None:
    with pytest.raises(ResolutionFailed) as info:
        pkgs.from_pypi("omega")
    text = str(info.value)
    assert "beta<1 is required by omega 1.0" in text
    assert "beta>=1.0 is required by alpha 2.0" in text
    with pytest.raises(ResolutionFailed) as info:
        pkgs.from_pypi("theta")
    assert "packaging>=99 is required by theta 1.0" in str(info.value)
    assert "the package set provides packaging 26.3 (recipe packaging)" in str(info.value)
    # No recipe of the set asks for packaging: the index's releases were candidates too, so
    # --all would change nothing.
    assert info.value.hint == "relax or change the version requirements named above"


def test_a_conflict_with_a_set_recipes_pin_hints_at_all(pkgs, index: Path, tmp_path: Path) -> None:
    """greet's recipe is pinned to the set's shout 1.0: with no other greet on the index, a
    project needing greet and shout>=2 clashes with that pin, which --all (or an overlay)
    would lift."""
    made = wheel(tmp_path, "hail", "1.0", "", _metadata("hail", "1.0", ["greet", "shout>=2"]))
    write_index(index, [made])
    force(pkgs.greet)  # its file found while the index has it
    shutil.rmtree(index / "greet")
    with pytest.raises(ResolutionFailed) as info:
        pkgs.from_pypi("hail")
    assert "shout==1.0 is required by the set's recipe greet (greet 1.0)" in str(info.value)
    assert "--all" in info.value.hint


def test_backtracking_is_bounded_and_names_the_conflict_it_met(
    pkgs, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pybuild.generate import import_file, resolver

    monkeypatch.setattr(resolver, "_MAX_CONFLICTS", 1)
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("omega\nalpha\n")
    with pytest.raises(ResolutionFailed) as info:
        import_file(pkgs, requirements, tmp_path / "out")
    text = str(info.value)
    assert text.startswith("the resolver gave up after 1 conflicts; the last conflict: no")
    assert "beta<1 is required by omega 1.0" in text and "NAME==VERSION" in info.value.hint


def test_a_project_unpinned_in_conflict_after_conflict_is_pinned_first() -> None:
    """protobuf<4 with google-api-core[grpc]: each google-api-core release, pinned before
    protobuf, conflicted with protobuf<4 in turn (the resolver gave up after 500 conflicts,
    where pip 26 promotes protobuf and needs 32). A project that takes part, unpinned, in five
    conflicts is chosen before any other from then on; one pinned then does not count."""
    from types import SimpleNamespace

    from packaging.specifiers import SpecifierSet
    from packaging.version import Version

    from pybuild.generate.resolver import Candidate, Req, _Provider

    pkgs = SimpleNamespace(interpreter=SimpleNamespace(version="3.11.7"))
    provider = _Provider(None, pkgs, None, (), requests=[Req("proto", text="proto<4")])  # type: ignore[arg-type]
    core = Candidate("core", Version("2.0"))
    cause = SimpleNamespace(requirement=Req("proto", specifier=SpecifierSet(">=6")), parent=core)
    info = {
        "proto": [SimpleNamespace(requirement=Req("proto", specifier=SpecifierSet("<4")))],
        "core": [SimpleNamespace(requirement=Req("core", specifier=SpecifierSet("==2.0")))],
        "other": [],
    }

    def next_ones(causes: list[SimpleNamespace], pinned: dict[str, Candidate]) -> list[str]:
        return list(
            provider.narrow_requirement_selection(
                ["proto", "core", "other"], pinned, {}, info, causes
            )  # type: ignore[arg-type]
        )

    def order() -> list[str]:
        key = lambda name: provider.get_preference(name, {}, {}, info, [])  # type: ignore[arg-type]  # noqa: E731
        return sorted(info, key=key)

    assert order() == ["core", "proto", "other"]  # an exact pin first, as pip's
    for _ in range(4):
        assert next_ones([cause], {"core": core}) == ["proto", "core"]  # the conflict's own
    assert next_ones([], {}) == ["proto", "core", "other"] and order()[0] == "core"
    assert next_ones([cause], {"core": core}) == ["proto", "core"]  # the fifth: promoted
    assert next_ones([], {}) == ["proto"] and order() == ["proto", "core", "other"]
    for _ in range(5):  # core was pinned in each: it is not promoted
        next_ones([cause], {"core": core})
    assert next_ones([], {}) == ["proto"]


def test_one_requirement_asked_by_many_releases_is_a_line_with_a_count() -> None:
    """Backtracking through every release of black, each asking click>=8, is one line naming
    the first few and counting the rest, not a line for each release."""
    from types import SimpleNamespace

    from pybuild.generate.explain import _WHO_SHOWN, _required_by

    def asked(text: str, by: str) -> SimpleNamespace:
        return SimpleNamespace(requirement=SimpleNamespace(text=text, parent=by), parent=None)

    releases = [f"black {v}.0" for v in range(30, 20, -1)]
    infos = [asked("click>=8", who) for who in releases] + [asked("click<8", "the request")]
    assert _required_by(infos) == [
        f"click>=8 is required by {', '.join(releases[:_WHO_SHOWN])} and"
        f" {len(releases) - _WHO_SHOWN} more",
        "click<8 is required by the request",
    ]
    # one more than shown is named rather than counted ("and 1 more")
    assert _required_by(infos[: _WHO_SHOWN + 1])[0].endswith(releases[_WHO_SHOWN])


def test_a_missing_build_backend_is_named_with_how_to_add_it(pkgs) -> None:
    with pytest.raises(MissingBuildBackend) as info:
        pkgs.from_pypi("zeta")
    assert "zeta 1.0's sdist builds with 'maturin>=1'" in str(info.value)
    assert "no recipe for it" in str(info.value) and "pybuild import" in info.value.hint
    with pytest.raises(MissingBuildBackend) as info:
        pkgs.from_pypi("eta")
    assert "gives setuptools 84.2.1, which does not satisfy it" in str(info.value)


def test_pypi_attributes_on_the_command_line(pkgs, index: Path) -> None:
    out = cli("build", "pypi:alpha==2.0").stdout.strip()
    assert out.endswith("-python3.11-alpha-2.0") or out.endswith("alpha-2.0")
    run = "python -c 'import alpha, delta; print(alpha.VERSION)'"
    shell = cli("shell", "-j", "2", "-p", "pypi:alpha[fancy]==2.0", "--run", run)  # builds: -j
    assert shell.stdout.strip() == "2.0"
    bad = cli("build", "pypi:alpah", ok=False)
    assert bad.returncode == 1 and "did you mean 'alpha'?" in bad.stderr
    older = cli("build", "pypi:alpha<2").stdout.strip()  # as pip install "alpha<2"
    assert older.endswith("alpha-1.0")
    bad = cli("build", "pypi:alpha>=2; python_version>'3'", ok=False)
    assert "is not a project with an optional version specifier" in bad.stderr
    empty = cli("build", "pypi:", ok=False).stderr  # packaging's reason, on the error's line
    assert empty.endswith(": expected package name at the start of dependency specifier\n")
    assert 'a marker (; python_version > "3") is not taken here' in bad.stderr


@pytest.mark.parametrize("spec", ["alpha==", "alpha>>1", "alpha[fancy]=2"])
def test_a_pypi_attribute_with_no_version_specifier_after_its_name_says_so(spec: str) -> None:
    """Not packaging's "expected semicolon (after name with no version specifier)", which
    sends one looking for a marker: what follows the name is no specifier."""
    from pybuild.generate import parse_pypi_spec

    with pytest.raises(UsageError) as info:
        parse_pypi_spec(spec)
    name = spec.partition("=")[0].partition(">")[0]
    assert str(info.value).endswith(
        f"what follows {name!r} is no version specifier (==1.0, <5, >=1,<2, ~=1.4)"
    )
    assert "semicolon" not in str(info.value)


def test_pypi_attributes_of_one_command_line_are_resolved_together(pkgs, index: Path) -> None:
    """As ``uv pip install alpha "beta<1"``: alpha's newest (2.0) needs beta>=1.0, so the
    two requests together give alpha 1.0 beside beta 0.5, where each resolved alone picks
    its own beta and the environment would hold two."""
    code = "import alpha, importlib.metadata as m; print(alpha.VERSION, m.version('beta'))"
    run = f'python -c "{code}"'
    shell = cli("shell", "-p", "pypi:alpha", "-p", "pypi:beta<1", "--run", run)
    assert shell.stdout.strip() == "1.0 0.5"
    built = cli("build", "pypi:alpha", "pypi:beta<1").stdout.split()
    assert [p.rsplit("-", 1)[-1] for p in built] == ["1.0", "0.5"]
    assert cli("build", "pypi:alpha").stdout.strip().endswith("alpha-2.0")  # alone: newest
    # The same request in another order shares the cached plan, and keeps its own order.
    swapped = cli("build", "pypi:beta<1", "pypi:alpha").stdout.split()
    assert [p.rsplit("-", 1)[-1] for p in swapped] == ["0.5", "1.0"]


# -- the set's recipes preferred, not mandatory; build tools from the index --------------------


def _recipe_text(home: Path, attr: str) -> str:
    (found,) = (home / "var" / "cache" / "pypi").glob(f"*/recipes/{attr}-*.py")
    return " ".join(found.read_text().split())


def test_a_set_recipe_that_does_not_fit_is_passed_over_for_the_index(
    pkgs, pybuild_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rho = pkgs.from_pypi("rho")  # needs pluggy<1; the set has pluggy 1.7.0
    pluggy = force(rho.attrs["dependencies"][0])
    assert (pluggy.pname, pluggy.version) == ("pluggy", "0.9")
    assert force(pkgs.pluggy).version == "1.7.0"  # the set's stays, beside it in the store
    why = "the set's recipe pluggy (pluggy 1.7.0) is passed over: rho 1.0 requires pluggy<1"
    assert why in capsys.readouterr().err
    assert why in _recipe_text(pybuild_home, "pluggy_0_9")
    env = build_env(pkgs, [rho])
    assert run_python(env, "import pluggy; print(pluggy.VERSION)") == "0.9"


UNSUPPORTED_RECIPE = """
def recipe(build_python_package, fetch_pypi{params}):
    return build_python_package(
        pname="{name}", version="{version}", format="wheel", dependencies=[{params_list}],
        src=fetch_pypi("{name}", "{version}", kind="wheel", hash="{sri}"),
    )
"""


def test_a_set_recipe_unsupported_here_gives_way_to_a_release_that_fits(
    pkgs, index: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """As the set's soupsieve (Python >= 3.11) on 3.10: a request that needs it, or needs a
    recipe of the set that takes it (beautifulsoup4), gets the index's newest release that
    fits, as uv would; the recipes passed over say why."""
    from pybuild.errors import UnsupportedInterpreter

    folder = tmp_path / "unsupported"
    folder.mkdir()
    for name, version, needs in (("tau", "2.0", ""), ("chi", "1.0", "tau")):
        data = (index / "files" / f"{name}-{version}-py3-none-any.whl").read_bytes()
        sri = "sha256-" + base64.b64encode(hashlib.sha256(data).digest()).decode()
        text = UNSUPPORTED_RECIPE.format(
            name=name, version=version, sri=sri, params=needs and f", {needs}", params_list=needs
        )
        (folder / f"{name}.py").write_text(text)
    more = package_set(recipes=[*pkgs.recipe_dirs, folder])
    with pytest.raises(UnsupportedInterpreter, match=r"tau 2\.0 does not support"):
        force(more.tau)
    psi = more.from_pypi("psi")
    chi = force(psi.attrs["dependencies"][0])
    tau = force(chi.attrs["dependencies"][0])
    assert [(p.pname, p.version) for p in (chi, tau)] == [("chi", "1.0"), ("tau", "1.0")]
    told = " ".join(capsys.readouterr().err.split())
    assert "tau 1.0 comes from the index: the set's recipe tau is passed over: tau 2.0" in told
    assert "chi 1.0 comes from the index: the set's recipe chi is passed over: tau 2.0" in told
    assert "hint:" not in told  # the build elsewhere it suggests is not this one's way
    env = build_env(more, [psi])
    assert run_python(env, "import chi, tau; print(tau.VERSION)") == "1.0"


def test_an_sdist_that_compiles_rust_gives_way_to_the_wheel(
    pkgs, capsys: pytest.CaptureFixture[str]
) -> None:
    """selenium's sdist builds selenium-manager with setuptools-rust, and its wheel is tagged
    pure (it bundles the binaries): no Rust compiler is among the set's tools, so the wheel is
    taken, as pip and uv take it, saying why."""
    omicron = pkgs.from_pypi("omicron")
    assert omicron.attrs["format"] == "wheel"
    told = " ".join(capsys.readouterr().err.split())
    assert "omicron 1.0 comes from its wheel omicron-1.0-py3-none-any.whl, as its sdist" in told
    assert "(setuptools-rust in its build requirements)" in told
    env = build_env(pkgs, [omicron])
    assert run_python(env, "import omicron; print(omicron.VERSION)") == "wheel"


def test_a_requested_project_held_back_says_by_what(
    pkgs, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from pybuild.generate import import_file

    requirements = tmp_path / "requirements.txt"
    requirements.write_text("alpha\npi\n")
    import_file(pkgs, requirements, tmp_path / "out")
    why = "alpha 1.0 is not its newest release (2.0): held back by alpha<2, required by pi 1.0"
    assert why in capsys.readouterr().err
    text = (tmp_path / "out" / "generated-recipes" / "alpha.py").read_text()
    assert why in " ".join(text.split())


def _told_importing(
    pkgs, tmp_path: Path, capsys: pytest.CaptureFixture[str], requirements: str
) -> str:
    """What importing a requirements file of `requirements` says on stderr, on one line."""
    from pybuild.generate import import_file

    file = tmp_path / "requirements.txt"
    file.write_text(requirements)
    import_file(pkgs, file, tmp_path / "out")
    return " ".join(capsys.readouterr().err.split())


def test_a_requested_project_held_back_by_its_newest_releases_needs_names_the_clash(
    pkgs, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """alpha 2.0 needs beta>=1.0, which the request's beta<1 excludes: the note names both
    (as botocore's python-dateutil<3 against a requested python-dateutil>=3), not a bare
    "cannot be combined with the rest of the request"."""
    told = _told_importing(pkgs, tmp_path, capsys, "alpha\nbeta<1\n")
    why = (
        "alpha 1.0 is not its newest release (2.0): alpha 2.0 requires beta>=1.0, where"
        " beta<1 is required by"
    )
    assert why in told, told


def test_a_held_back_note_names_no_clash_of_the_older_releases_own_making(
    pkgs, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """warden 2.0 needs keeper>=1 and beta>=1.0; the request's beta<1 is the clash. keeper is
    0.5 only because warden 1.0, the release taken instead, pins it: that is no reason (as
    botocore 0.76.0's jmespath==0.5.0 was not why botocore 1.44.8 was held back)."""
    told = _told_importing(pkgs, tmp_path, capsys, "warden\nbeta<1\n")
    why = "warden 1.0 is not its newest release (2.0): warden 2.0 requires beta>=1.0, where"
    assert why in told and "keeper" not in told, told


def test_a_project_held_back_by_what_its_extra_needs_names_that_clash(
    pkgs, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """pypi:rich==15.0.0 'pypi:httpx[cli]' gives httpx 0.19.0, as uv does, as httpx[cli]
    0.29.0 needs rich<15; the note said httpx was held back by httpx==0.19.0, required by
    httpx[cli] 0.19.0: its own extra's pin on it, a consequence, not the cause."""
    told = _told_importing(pkgs, tmp_path, capsys, "lantern[glow]\nkeeper==0.5\n")
    why = (
        "lantern 1.0 is not its newest release (2.0): lantern[glow] 2.0 requires keeper>=1,"
        " where keeper==0.5 is required by"
    )
    assert why in told and "held back by lantern==1.0" not in told, told


def test_hatchling_build_hooks_add_their_dependencies_to_the_build_requirements() -> None:
    from pybuild.generate.buildsystem import read_build_system

    pyproject = (
        '[build-system]\nrequires = ["hatchling>=1.5"]\nbuild-backend = "hatchling.build"\n'
        '[tool.hatch.build.hooks.jupyter-builder]\ndependencies = ["hatch-jupyter-builder>=0.8"]\n'
        '[tool.hatch.build.hooks.off]\nenable-by-default = false\ndependencies = ["never"]\n'
        '[tool.hatch.build.targets.wheel.hooks.vcs]\ndependencies = ["hatch-vcs"]\n'
    )
    system = read_build_system(pyproject, "x")
    assert system.requires == ("hatchling>=1.5", "hatch-jupyter-builder>=0.8", "hatch-vcs")
    other = pyproject.replace('"hatchling.build"', '"flit_core.buildapi"')
    assert read_build_system(other, "x").requires == ("hatchling>=1.5",)  # hatchling's rule only


def test_build_tools_the_set_lacks_or_pins_otherwise_come_from_the_index(pkgs) -> None:
    nu = pkgs.from_pypi("nu")
    assert nu.attrs["format"] == "pyproject"
    tools = {force(p).pname: force(p) for p in nu.attrs["build_system"]}
    assert tools["flit-core"] is force(pkgs.flit_core)
    assert tools["nu-plugin"].attrs["format"] == "wheel"
    assert (tools["pluggy"].version, tools["pluggy"].attrs["format"]) == ("0.9", "wheel")
    env = build_env(pkgs, [nu])
    assert run_python(env, "import nu; print(nu.VERSION)") == "1.0"


def test_the_wheel_is_taken_only_when_the_sdist_cannot_build(
    pkgs, pybuild_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    xi = pkgs.from_pypi("xi")  # builds with no-such-plugin, which no index has
    assert xi.attrs["format"] == "wheel"
    text = _recipe_text(pybuild_home, "xi")
    assert "xi 1.0 comes from its wheel xi-1.0-py3-none-any.whl, as its sdist cannot be" in text
    assert "'no-such-plugin'" in text
    note = next(line for line in text.splitlines() if "comes from its wheel" in line)
    assert "did you mean" not in note and "hint" not in note  # no typo of the user's to check
    monkeypatch.setenv("PYBUILD_PREFER", "sdist")
    with pytest.raises(MissingBuildBackend) as info:
        package_set(recipes=pkgs.recipe_dirs).from_pypi("xi")
    assert "no project named 'no-such-plugin'" in str(info.value)
    assert "prefer = sdist" in info.value.hint


def test_the_no_checks_overlay_reaches_the_sets_recipes_and_generated_ones(pkgs) -> None:
    """overlays/no_checks.py: one builtin replaced, every recipe's check phase off."""
    from pybuild.bundled import example_overlays
    from pybuild.pkgset import load_overlay

    unchecked = pkgs.extend(load_overlay(example_overlays() / "no_checks.py"))
    for name in ("shout", "greet"):
        assert force(pkgs[name]).attrs["do_check"] is True
        assert force(unchecked[name]).attrs["do_check"] is False
        assert force(unchecked[name]).drv != force(pkgs[name]).drv  # side by side
    lam = {"extras": ["test"]}  # its test extra names what its tests need: they run
    assert pkgs.from_pypi("lam", **lam).attrs["do_check"] is True
    assert unchecked.from_pypi("lam", **lam).attrs["do_check"] is False


def test_a_test_suite_runs_only_when_its_requirements_are_known(pkgs, pybuild_home: Path) -> None:
    sigma = pkgs.from_pypi("sigma")  # pytest is there, but not what its tests need
    assert sigma.attrs["do_check"] is False
    assert "Its test suite is not run" in _recipe_text(pybuild_home, "sigma")
    build_env(pkgs, [sigma])
    lam = pkgs.from_pypi("lam", extras=["test"])  # its test extra names what they need
    assert [force(p).pname for p in lam.attrs["check_inputs"]] == ["pytest"]
    with open(os.devnull, "w") as quiet:
        results = realise([lam.drv], Store.default(), BuildOptions(log=quiet, keep_going=True))
    assert not results[lam.drv].ok and "test suite failed" in str(results[lam.drv].error)


def test_a_failed_build_from_an_sdist_hints_at_the_wheel_pip_and_uv_would_install(pkgs) -> None:
    """rst2html5's sdist builds without its module, and its scripts check fails: a pypi: user
    has no recipe to fix, and was told of no way out; the error's hint names the wheel and
    the setting that takes it. An sdist-only project has no such hint."""
    iota = pkgs.from_pypi("iota")  # an sdist and a pure wheel: built from the sdist
    broken = iota.override_python_attrs(imports_check=["iota.no_such_module"])
    with open(os.devnull, "w") as quiet:
        results = realise([broken.drv], Store.default(), BuildOptions(log=quiet, keep_going=True))
    error = results[broken.drv].error
    assert error is not None and "phase imports check failed" in str(error)
    assert error.hint == (
        "iota 1.0 was built from its sdist; its wheel, iota-1.0-py3-none-any.whl, is what pip"
        " and uv install: the setting prefer = wheel (PYBUILD_PREFER=wheel) takes it"
    )
    assert "failure_hint" not in pkgs.from_pypi("delta").drv.meta  # it has no wheel


def test_a_console_script_that_cannot_start_fails_no_build_pip_and_uv_would_install(
    pkgs,
) -> None:
    """msgpack 1.0.5 on 3.12 builds with Cython<3, whose wheel's cythonize needs distutils
    (setuptools supplies it in a build): its scripts check failed the build tool, while
    reading msgpack's metadata, where pip and uv install it and build msgpack. A generated
    recipe has no remove_scripts to write: from a wheel or an sdist alone, what pip and uv
    install, its scripts are not checked; built from an sdist that has a wheel, they are,
    as a failure then hints at that wheel (rst2html5's sdist leaves its module out)."""
    packy = pkgs.from_pypi("packy")  # its build tool's metadata comes from the backend
    tool = pkgs.from_pypi("scripty-tool")
    build_env(pkgs, [packy, tool])
    assert "scripts check" in tool.attrs["skip_phases"]
    assert "scripts check" in packy.attrs["skip_phases"]  # an sdist alone: no way around
    assert "scripts check" not in pkgs.from_pypi("iota").attrs["skip_phases"]


def test_a_build_tool_that_fails_to_build_names_who_needs_it(pkgs) -> None:
    """msgpack 1.0.5's build tool, Cython 0.29.37, failed to build, and the error named the
    tool alone: not msgpack, nor who required it, nor what else to take."""
    from pybuild.generate.errors import MetadataError

    with pytest.raises(MetadataError) as info:
        pkgs.from_pypi("brittleuser")
    text = str(info.value)
    assert text.startswith(
        "brittle 1.0: a build tool of its sdist, needed to prepare its metadata, failed to"
        " build: build of python"
    )
    assert "brittle-tool-1.0 failed" in text
    assert "broken tool" in text  # the end of the tool's log
    assert text.splitlines()[-2] == "brittle 1.0 is required by brittleuser 1.0"
    assert "take an older brittleuser, which may not need it (pypi:brittleuser<1.0)" in (
        info.value.hint
    )


@pytest.mark.parametrize("name", ["needy", "needier"])
def test_a_build_tool_without_a_wheel_here_names_who_needs_it_and_what_to_do(
    pkgs, name: str
) -> None:
    """spacy-nightly 3.0.0rc5 builds with thinc 8.0.17, whose wheels stop at cp310: on 3.11
    this said "thinc 8.0.17: no file fits this interpreter", its list of files cut before the
    sdist it has, naming neither spacy-nightly nor what to do. Whether the build is run to
    prepare the metadata (needy) or to build the recipe (needier), the error names the
    build, says why the tool's sdist is no use, and hints the Python its wheels are for."""
    from pybuild.generate.errors import MetadataError

    with pytest.raises(MetadataError) as info:  # needy's: its metadata cannot be had
        pkgs.from_pypi(name)
    first, files = str(info.value).splitlines()[:2]
    assert first == (
        f"{name} 1.0's sdist builds with wheelless-tool 1.0 (a build requirement), which has"
        f" no wheel for this interpreter ({_best_tag()}): a build tool is installed from its"
        " wheel, never built from its sdist, so that no build needs another build first"
    )
    assert files == "  wheelless-tool 1.0: its wheels are for cp399; it has an sdist (2 files)"
    assert info.value.hint.startswith(
        "pass --python 3.99, an interpreter wheelless-tool 1.0's wheels are for; or add a"
        " recipe for wheelless-tool 1.0 to a recipe folder, which the build then takes (for"
        " example: put 'wheelless-tool==1.0' in a requirements file"
    ), info.value.hint


def test_a_build_tool_without_a_wheel_here_names_the_releases_that_require_the_build(
    pkgs,
) -> None:
    """needy 1.0's metadata is prepared by its sdist's build, whose tool has no wheel here:
    its metadata cannot be had, but the error (not a MetadataError) went past the resolver,
    which names the releases that require such a release and their older ones, so neither
    needyuser 1.0 nor needyuser 0.9 (which needs no needy) was named. uv takes no older
    release for a build it cannot make either (nor pybuild: the tool would be built by uv,
    and needy 1.0 taken), and names what included it, as the error now does."""
    from pybuild.generate.errors import DependencyMetadataError, ToolWithoutWheel

    with pytest.raises(DependencyMetadataError) as info:
        pkgs.from_pypi("needyuser")
    assert isinstance(info.value.cause, ToolWithoutWheel)
    lines = str(info.value).splitlines()
    assert lines[0].startswith("needy 1.0's sdist builds with wheelless-tool 1.0")
    assert lines[-2] == "needy 1.0 is required by needyuser 1.0"
    assert info.value.hint.startswith("pass --python 3.99, an interpreter wheelless-tool")
    assert info.value.hint.endswith(  # one list of alternatives, the tool's and the resolver's
        " then pass `--overlay DIR/overlay.py`); or take an older needyuser, which may not need"
        " it (pypi:needyuser<1.0); or give needy a recipe of your own in an overlay (--overlay"
        " FILE)"
    )


def test_a_build_tool_without_a_wheel_here_takes_the_projects_wheel(
    pkgs, pybuild_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """needful 1.0 has a pure wheel, so its sdist is built, with a tool that has no wheel
    here: that failed the request, where a build backend the index lacks (xi's) takes the
    project's wheel, as pip and uv install it; now so does this, and prefer = sdist
    refuses it, naming the wheel that setting leaves out."""
    from pybuild.generate.errors import ToolWithoutWheel

    needful = pkgs.from_pypi("needful")
    assert needful.attrs["format"] == "wheel"
    text = _recipe_text(pybuild_home, "needful")
    assert (
        "needful 1.0 comes from its wheel needful-1.0-py3-none-any.whl, as its sdist cannot"
        " be built here: needful 1.0's sdist builds with wheelless-tool 1.0 (a build"
        " requirement), which has no wheel for this interpreter"
    ) in text
    monkeypatch.setenv("PYBUILD_PREFER", "sdist")
    with pytest.raises(ToolWithoutWheel) as info:
        package_set(recipes=pkgs.recipe_dirs).from_pypi("needful")
    assert str(info.value).startswith("needful 1.0's sdist builds with wheelless-tool 1.0")
    assert info.value.hint.endswith(
        "or allow needful 1.0's wheel, needful-1.0-py3-none-any.whl, with the setting"
        " prefer = any (it is prefer = sdist)"
    )


def test_a_release_reached_through_its_own_extras_names_what_asked_for_them(pkgs) -> None:
    """dask[complete] asks for dask[array,…] of its own release: a release of dask reached
    so, whose metadata could not be had, was required by nothing the error named, as the
    project's own extras are not among the releases it names. kit[all] 2.0 asks for kit[a]
    2.0, which needs a keeper no index has, so kit 1.0 is tried, whose backend fails: the
    error names what asked for kit[all]."""
    from pybuild.generate.errors import DependencyMetadataError

    with pytest.raises(DependencyMetadataError) as info:
        pkgs.from_pypi("kit", extras=["all"])
    assert "kit 1.0: backend failed to prepare the metadata" in str(info.value)
    assert str(info.value).splitlines()[-2] == "kit 1.0 is required by pypi:kit[all]"


def test_an_sdist_with_only_a_setup_py_comes_from_its_wheel(
    pkgs, pybuild_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    upsilon = pkgs.from_pypi("upsilon")  # what its setup.py needs is known once it runs
    assert upsilon.attrs["format"] == "wheel"
    assert "as its sdist declares no build backend" in _recipe_text(pybuild_home, "upsilon")
    monkeypatch.setenv("PYBUILD_PREFER", "sdist")
    again = package_set(recipes=pkgs.recipe_dirs).from_pypi("upsilon")
    assert again.attrs["format"] == "pyproject"


def test_quiet_prints_no_note_of_the_plan(
    index: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``-q`` prints only results, warnings and errors: the note that a package comes from
    its wheel was printed on every command that resolved it, in the output of ``shell -q
    --run`` too, and said it was built when nothing was."""
    uncached = ("--dry-run", "--option", "eval_cache", "false")
    told = " ".join(cli("build", *uncached, "pypi:upsilon").stderr.split())
    assert (
        "pybuild: upsilon 1.0 comes from its wheel upsilon-1.0-py3-none-any.whl, as its sdist"
        " declares no build backend" in told
    )
    assert "built from its wheel" not in told
    assert "comes from its wheel" not in cli("build", "-q", *uncached, "pypi:upsilon").stderr
    file = tmp_path / "default.py"  # a file's resolution, evaluated by pybuild, too
    file.write_text('from pybuild import package_set\nup = package_set().from_pypi("upsilon")\n')
    assert "comes from its wheel" in cli("build", *uncached, "-f", str(file), "up").stderr
    quiet = cli("build", "-q", *uncached, "-f", str(file), "up").stderr
    assert "comes from its wheel" not in quiet
    # -q holds for its own command alone, in a process that runs several
    for args, told in ((["-q"], False), ([], True)):
        assert main(["build", *args, *uncached, "pypi:upsilon"]) == 0
        assert ("comes from its wheel" in capsys.readouterr().err) is told


def test_prefer_wheel_takes_the_wheel_of_a_project_whose_sdist_builds(
    pkgs, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An sdist that builds but builds wrong (rst2html5's leaves its module out with today's
    poetry-core) had no way out for a pypi: user, who has no recipe to fix: prefer = wheel
    takes its wheel, as pip and uv install it; an sdist-only project is still built."""
    assert pkgs.from_pypi("iota").attrs["format"] == "pyproject"  # an sdist and a pure wheel
    monkeypatch.setenv("PYBUILD_PREFER", "wheel")
    wheeled = package_set(recipes=pkgs.recipe_dirs)
    assert wheeled.from_pypi("iota").attrs["format"] == "wheel"
    told = capsys.readouterr().err  # as the recipe's docstring says
    assert "iota 1.0 comes from its wheel iota-1.0-py3-none-any.whl, as prefer = wheel asks" in told
    assert wheeled.from_pypi("delta").attrs["format"] == "pyproject"  # it has no wheel


def test_prefer_given_with_option_holds_for_the_command_and_its_cached_answer(
    index: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``--option prefer wheel`` is read where the plan is made, deep in the evaluation, and
    is part of the evaluation cache's key: a build of the sdist's recipe must not answer it."""
    from pybuild import evalcache

    monkeypatch.setattr(evalcache, "_SETTLED_NS", 0)  # the index's files count as old
    assert main(["eval", "--option", "prefer", "wheel", "--json", "pypi:iota"]) == 0
    assert json.loads(capsys.readouterr().out)["format"] == "wheel"
    built = []
    for option in ([], [], ["--option", "prefer", "wheel"]):
        assert main(["build", *option, "pypi:iota"]) == 0
        built.append(capsys.readouterr().out)
    assert built[0] == built[1] != built[2]


def test_many_requirements_on_one_project_are_merged_at_once(
    pkgs, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from packaging.specifiers import SpecifierSet

    from pybuild.generate import import_file

    merges = []
    merge = SpecifierSet.__and__
    monkeypatch.setattr(SpecifierSet, "__and__", lambda a, b: merges.append(1) or merge(a, b))
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("".join(f"alpha>=0.{i}\n" for i in range(60)))
    import_file(pkgs, requirements, tmp_path / "out")
    assert len(merges) < 60  # pairwise merging made 1,770


# -- pybuild import and pybuild lock ------------------------------------------------------------


def test_import_requirements_writes_recipes_an_overlay_and_a_shell(
    pkgs, index: Path, tmp_path: Path
) -> None:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text(
        "# a web project, in small (a --hash would ask one of every line: see below)\n"
        "alpha[fancy]==2.0\n"
        "iota  # pure: built from its sdist\n"
        "pluggy\n"
        'gamma; python_version < "3"\n'
    )
    out = tmp_path / "generated"
    result = cli(
        "import",
        str(requirements),
        "-o",
        str(out),
        "--recipes",
        str(DEFAULT_RECIPES),
        "--recipes",
        str(pkgs.recipe_dirs[1]),
    )
    assert (
        "wrote 4 recipes" in result.stdout and "left to the set's recipes: pluggy" in result.stdout
    )
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.py"))
    assert written == [
        *(f"generated-recipes/{n}.py" for n in ("alpha", "beta", "delta", "iota")),
        "overlay.py",
        "shell.py",
    ]
    built = cli("build", "--overlay", str(out / "overlay.py"), "alpha", "iota").stdout.split()
    assert len(built) == 2
    # In the folder itself: no recipe module there may shadow the package it makes.
    run = "python -c 'import alpha, beta, delta, iota, pluggy; print(delta.VERSION)'"
    assert cli("shell", "--run", run, cwd=out).stdout.strip() == "1.0"
    everything = cli("import", str(requirements), "-o", str(out), "--all", "--json")
    report = json.loads(everything.stdout)
    assert "pluggy" in report["written"] and (out / "generated-recipes" / "pluggy.py").is_file()
    again = cli("import", str(requirements), "-o", str(out))
    assert "removed recipes no longer needed: pluggy" in again.stdout
    # A folder imported before generated-recipes/ existed: its old modules are moved away.
    (out / "alpha.py").write_text((out / "generated-recipes" / "alpha.py").read_text())
    moved = cli("import", str(requirements), "-o", str(out))
    assert not (out / "alpha.py").exists() and "removed" not in moved.stdout


def test_an_imported_shell_is_for_the_interpreter_it_was_imported_for(
    pkgs, index: Path, tmp_path: Path
) -> None:
    """Its packages were decided with that interpreter's markers (iota is left out on any
    other Python here): shell.py says so, keeps the import's --python, and refuses a set for
    another Python instead of silently lacking packages; the hint is to import again."""
    xy = pkgs.interpreter.version_xy
    requirements = tmp_path / "requirements.txt"
    requirements.write_text(f'alpha==1.0\niota; python_version == "{xy}"\n')
    out = tmp_path / "out"
    recipes = ["--recipes", str(DEFAULT_RECIPES), "--recipes", str(pkgs.recipe_dirs[1])]
    cli("import", str(requirements), "-o", str(out), *recipes)
    shell = out / "shell.py"
    text = shell.read_text()
    assert f"Its packages were decided for CPython {pkgs.interpreter.version} on" in text
    assert f"must have Python {xy}: for another interpreter, run the import again" in (
        " ".join(text.split())
    )
    assert 'packages = ["alpha", "iota"]' in text and "package_set(python=" not in text
    assert cli("shell", "--dry-run", cwd=out).returncode == 0
    refused = cli("--python", sys.executable, "shell", "--dry-run", cwd=out, ok=False)
    assert "run the import again with --python X.Y instead" in refused.stderr
    assert "write in it" not in refused.stderr
    # Other recipes: the import's overlay and the user's, given with the packages named.
    refused = cli("shell", "--dry-run", *recipes[2:], "--overlay", "o.py", cwd=out, ok=False)
    told = f"(pybuild shell --overlay overlay.py --overlay o.py {' '.join(recipes[2:])} -p ATTR)"
    assert told in refused.stderr and "write in it" not in refused.stderr
    # shell.py edited for another Python (as the hint used to suggest): refused, not shortened
    shell.write_text(text.replace(f'python="{xy}")', 'python="3.0")'))
    refused = cli("shell", "--dry-run", cwd=out, ok=False)
    assert (
        "the packages of this imported folder were decided for Python 3.0, and its set's"
        f" interpreter is Python {pkgs.interpreter.version}"
    ) in refused.stderr
    assert f"pybuild --python {xy} import FILE -o DIR" in refused.stderr
    # imported with --python: shell.py makes its set with that interpreter
    relative = os.path.relpath(sys.executable, tmp_path)
    cli("--python", relative, "import", str(requirements), "-o", str(out), *recipes, cwd=tmp_path)
    assert f"package_set(\n    python={json.dumps(sys.executable)}," in shell.read_text()
    assert cli("shell", "--dry-run", cwd=out).returncode == 0


def _sri(hex_digest: str) -> str:
    import base64

    return base64.b64encode(bytes.fromhex(hex_digest)).decode()


def test_import_and_lock_say_counts_and_name_rules_plainly(pkgs, tmp_path: Path) -> None:
    """ "wrote 1 recipes" was bad grammar; pylock.3.13.toml was refused without saying that
    PEP 751's NAME has no dots."""
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("mu\n")
    result = cli("import", str(requirements), "-o", str(tmp_path / "out"))
    assert "wrote 1 recipe to" in result.stdout
    result = cli("lock", "pypi:mu", "-o", str(tmp_path / "pylock.3.13.toml"), ok=False)
    assert "NAME has no dots" in result.stderr


def test_import_keeps_hashes_and_refuses_files_that_do_not_match(
    pkgs, index: Path, tmp_path: Path
) -> None:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text(f"iota==1.0 --hash=sha256:{'0' * 64}\n")
    result = cli("import", str(requirements), "-o", str(tmp_path / "out"), ok=False)
    assert "iota 1.0: no file fits the hashes it is locked or required with" in result.stderr
    assert not (tmp_path / "out").exists()  # nothing half-written
    wheel_hash = sha256_of(index, "iota-1.0-py3-none-any.whl")
    requirements.write_text(f"iota==1.0 --hash=sha256:{wheel_hash}\n")
    cli("import", str(requirements), "-o", str(tmp_path / "out"))
    iota = tmp_path / "out" / "generated-recipes" / "iota.py"
    assert 'kind="wheel"' in iota.read_text()  # the hashed file
    assert f"sha256-{_sri(wheel_hash)}" in iota.read_text()
    # one --hash turns pip's hash-checking mode on: every other line must be pinned and hashed
    requirements.write_text(f"iota==1.0 --hash=sha256:{wheel_hash}\nalpha\n")
    refused = cli("import", str(requirements), "-o", str(tmp_path / "o2"), ok=False)
    assert f"{requirements}:2: alpha is not pinned with ==, which --require-hashes (turned on" in (
        refused.stderr
    )


def test_import_reports_malformed_files_with_their_line(pkgs, tmp_path: Path) -> None:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("alpha\n\nbeta >= = 1\n")
    result = cli("import", str(requirements), "-o", str(tmp_path / "out"), ok=False)
    assert f"{requirements}:3: invalid requirement 'beta >= = 1'" in result.stderr
    lock = tmp_path / "pylock.toml"
    lock.write_text('lock-version = "1.0"\ncreated-by = "x"\n\n[[packages]]\nversion = "1"\n')
    result = cli("import", str(lock), ok=False)
    assert f"{lock}:4: a package has no name" in result.stderr


def test_import_names_the_line_of_a_project_the_index_lacks(
    pkgs, index: Path, tmp_path: Path
) -> None:
    """A misspelt name is the file's fault, said at its line (a -r file's too); a dependency's
    requirement on a missing project has no line of the file to name."""
    (tmp_path / "more.txt").write_text("alpha\nalpah>=1\n")
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("iota\n-r more.txt\n")
    result = cli("import", str(requirements), "-o", str(tmp_path / "out"), ok=False)
    assert (
        f"error: {tmp_path / 'more.txt'}:2: no project named 'alpah' on the package index"
        in result.stderr
    )
    assert "did you mean 'alpha'?" in result.stderr and result.stderr.count("hint:") == 1


def test_lock_writes_a_pylock_that_imports_back_to_the_same_versions(
    pkgs, index: Path, tmp_path: Path
) -> None:
    lock = tmp_path / "pylock.toml"
    recipes = ["--recipes", str(DEFAULT_RECIPES), "--recipes", str(pkgs.recipe_dirs[1])]
    cli("lock", "pypi:alpha[fancy]==2.0", "shout", "-o", str(lock), *recipes)
    data = tomllib.loads(lock.read_text())
    assert data["lock-version"] == "1.0" and data["created-by"] == "pybuild"
    assert "environments" not in data  # wheels for any platform, and sdists
    versions = {p["name"]: p["version"] for p in data["packages"]}
    assert versions == {
        "alpha": "2.0",
        "beta": "1.0",
        "delta": "1.0",
        "pluggy": "1.7.0",
        "shout": "1.0",
    }
    delta = next(p for p in data["packages"] if p["name"] == "delta")
    assert delta["sdist"]["hashes"]["sha256"] == sha256_of(index, "delta-1.0.tar.gz")
    assert delta["dependencies"] == [{"name": "beta"}]
    out = tmp_path / "from-lock"
    result = json.loads(cli("import", str(lock), "-o", str(out), "--json", *recipes).stdout)
    assert sorted(result["written"]) == ["alpha", "beta", "delta"]  # shout, pluggy: the set's
    assert {k: v["version"] for k, v in result["packages"].items()} == {
        k.replace("-", "_"): v for k, v in versions.items()
    }
    assert cli("lock", "shout", "-o", str(tmp_path / "locked.toml"), ok=False).returncode == 1


def test_a_lock_whose_requirements_cannot_be_read_says_why_line_by_line(
    pkgs, index: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As when the index cannot be reached: here pip's no-index, once shout was evaluated."""
    recipes = ["--recipes", str(DEFAULT_RECIPES), "--recipes", str(pkgs.recipe_dirs[1])]
    cli("eval", "shout", *recipes)
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    said = cli("lock", "shout", "-o", str(tmp_path / "pylock.toml"), *recipes).stderr
    assert said.startswith(
        "pybuild: the lock holds on this platform only, as the requirements of these are"
        " unknown:\n  shout 1.0: cannot fetch file://"
    ), said
    assert "hint" not in said  # the reason alone, not the error's advice mid-sentence


def test_lock_and_eval_read_attributes_of_a_file(pkgs, index: Path, tmp_path: Path) -> None:
    """``lock -f shell.py env`` locks the environment ``pybuild shell`` enters there, and
    ``eval -f FILE ATTR`` shows a package of a file, as ``build -f`` builds one."""
    dirs = ", ".join(repr(str(d)) for d in [DEFAULT_RECIPES, pkgs.recipe_dirs[1]])
    shell = tmp_path / "shell.py"
    shell.write_text(
        "from pybuild import package_set\n"
        f"pkgs = package_set(recipes=[{dirs}])\n"
        "env = pkgs.python.with_packages(lambda ps: [ps.greet, ps.from_pypi('alpha', '2.0')])\n"
        "shout = pkgs.shout\n"
        "number = 1\n"
    )
    lock = tmp_path / "pylock.toml"
    cli("lock", "-f", str(shell), "env", "-o", str(lock))
    versions = {p["name"]: p["version"] for p in tomllib.loads(lock.read_text())["packages"]}
    assert versions == {
        "alpha": "2.0",
        "beta": "1.0",
        "greet": "1.0",
        "pluggy": "1.7.0",
        "shout": "1.0",
    }
    shown = json.loads(cli("eval", "-f", str(shell), "shout", "--json").stdout)
    assert (shown["pname"], shown["version"]) == ("shout", "1.0")
    not_one = cli("lock", "-f", str(shell), "number", "-o", str(lock), ok=False)
    assert "number is neither a Python package nor an environment" in not_one.stderr
    # A recipe that patches its release is not locked to the file pip or uv would take as is
    # (it was, silently).
    with shell.open("a") as f:
        f.write("patched = shout.override_python_attrs(post_patch='echo x >> README')\n")
    patched = cli("lock", "-f", str(shell), "patched", "-o", str(lock), ok=False)
    assert "cannot lock shout 1.0: its recipe changes the release's files (post_patch)" in (
        patched.stderr
    )
    ignored = cli("eval", "-f", str(shell), "shout", "--python", "3.12", ok=False)
    assert "would not apply" in ignored.stderr


def test_a_projects_own_folder_is_locked_as_a_source_tree_and_left_out_on_import(
    pkgs, index: Path, tmp_path: Path
) -> None:
    """A package built from a local folder is locked to it (PEP 751 ``directory``, by its path
    from the lock file, with no version), as ``uv export`` locks a project; ``import`` of such
    a lock leaves the folder's package to the user's own recipe and imports what it needs."""
    dirs = ", ".join(repr(str(d)) for d in [DEFAULT_RECIPES, pkgs.recipe_dirs[1]])
    (tmp_path / "mine").mkdir()
    shell = tmp_path / "shell.py"
    shell.write_text(
        "from pathlib import Path\n"
        "from pybuild import package_set\n"
        f"pkgs = package_set(recipes=[{dirs}])\n"
        "mine = pkgs.python.pkgs.build_python_package(pname='mine', version='0.1',"
        " src=Path(__file__).parent / 'mine', dependencies=[pkgs.from_pypi('alpha', '2.0')])\n"
        "env = pkgs.python.with_packages(lambda ps: [mine])\n"
    )
    lock = tmp_path / "locks" / "pylock.toml"
    lock.parent.mkdir()
    cli("lock", "-f", str(shell), "env", "-o", str(lock))
    packages = {p["name"]: p for p in tomllib.loads(lock.read_text())["packages"]}
    assert packages["mine"] == {
        "name": "mine",
        "dependencies": [{"name": "alpha"}],
        "directory": {"path": "../mine"},
    }
    assert packages["alpha"]["version"] == "2.0" and packages["alpha"]["wheels"]
    recipes = ["--recipes", str(DEFAULT_RECIPES), "--recipes", str(pkgs.recipe_dirs[1])]
    out = tmp_path / "from-lock"
    result = cli("import", str(lock), "-o", str(out), *recipes)
    assert "left out mine: it is locked to the folder ../mine" in result.stdout
    imported = json.loads(cli("import", str(lock), "-o", str(out), "--json", *recipes).stdout)
    assert imported["source_trees"] == {"mine": "../mine"}
    assert sorted(imported["packages"]) == ["alpha", "beta", "pluggy"]


def test_a_lock_decided_by_a_platform_marker_holds_on_this_platform_only(
    pkgs, index: Path, tmp_path: Path
) -> None:
    """chroma needs winonly on Windows: its wheels are pure, but the lock, which leaves
    winonly out, must not claim to hold on Windows, or an installer there would install it
    without winonly. Markers on python_version are requires-python's (alpha's gamma)."""
    from packaging.markers import Marker, default_environment

    lock = tmp_path / "pylock.toml"
    recipes = ["--recipes", str(DEFAULT_RECIPES), "--recipes", str(pkgs.recipe_dirs[1])]
    cli("lock", "pypi:chroma", "-o", str(lock), *recipes)
    data = tomllib.loads(lock.read_text())
    assert sorted(p["name"] for p in data["packages"]) == ["beta", "chroma", "pluggy"]
    assert data["environments"] == [f"sys_platform == '{sys.platform}'"]
    windows = {**default_environment(), "sys_platform": "win32"}
    assert not Marker(data["environments"][0]).evaluate(windows)
    cli("lock", "pypi:alpha==2.0", "-o", str(lock), *recipes)
    assert "environments" not in tomllib.loads(lock.read_text())


def test_a_lock_is_decided_by_the_markers_of_the_extras_in_play_only(
    pkgs, index: Path, tmp_path: Path
) -> None:
    """brook's brotli extra needs iota on CPython and mu elsewhere (as urllib3's): a lock of
    brook without that extra holds on PyPy too, one with it on this implementation only. Its
    ``python_full_version < "3.11"`` has one answer for every 3.11.x, which requires-python
    (``==X.Y.*``) already fixes."""
    import platform

    lock = tmp_path / "pylock.toml"
    recipes = ["--recipes", str(DEFAULT_RECIPES), "--recipes", str(pkgs.recipe_dirs[1])]
    cli("lock", "pypi:brook", "-o", str(lock), *recipes)
    data = tomllib.loads(lock.read_text())
    assert sorted(p["name"] for p in data["packages"]) == ["beta", "brook", "pluggy"]
    assert "environments" not in data
    cli("lock", "pypi:brook[brotli]", "-o", str(lock), *recipes)
    data = tomllib.loads(lock.read_text())
    assert "iota" in [p["name"] for p in data["packages"]]
    implementation = platform.python_implementation()
    assert data["environments"] == [f"platform_python_implementation == '{implementation}'"]


def test_a_lock_of_an_imported_folder_is_not_narrowed_to_a_patch_release(
    pkgs, index: Path, tmp_path: Path
) -> None:
    """A file's ``python_full_version < "3.11"`` (as uv exports tomli's) has one answer for
    every patch release of a Python X.Y: the lock of the imported folder holds on all of them,
    not on this interpreter's alone."""
    requirements = tmp_path / "requirements.txt"
    requirements.write_text('beta\ngamma; python_full_version < "3.11"\n')
    recipes = ["--recipes", str(DEFAULT_RECIPES), "--recipes", str(pkgs.recipe_dirs[1])]
    out = tmp_path / "out"
    cli("import", str(requirements), "-o", str(out), *recipes)
    lock = out / "pylock.toml"
    cli("lock", "-f", str(out / "shell.py"), "env", "-o", str(lock))
    assert "environments" not in tomllib.loads(lock.read_text())


def test_a_lock_of_an_imported_folder_keeps_the_files_own_platform_markers(
    pkgs, index: Path, tmp_path: Path
) -> None:
    """requirements.txt asks for winonly on Windows alone: import leaves it out here, and the
    lock of the folder's env must not claim to hold on Windows, though no locked release's
    metadata has a platform marker."""
    requirements = tmp_path / "requirements.txt"
    requirements.write_text('beta\nwinonly; sys_platform == "win32"\n')
    recipes = ["--recipes", str(DEFAULT_RECIPES), "--recipes", str(pkgs.recipe_dirs[1])]
    out = tmp_path / "out"
    cli("import", str(requirements), "-o", str(out), *recipes)
    assert 'decided=["sys_platform"]' in (out / "shell.py").read_text()
    lock = out / "pylock.toml"
    cli("lock", "-f", str(out / "shell.py"), "env", "-o", str(lock))
    data = tomllib.loads(lock.read_text())
    assert "winonly" not in [p["name"] for p in data["packages"]]
    assert data["environments"] == [f"sys_platform == '{sys.platform}'"]


def test_a_lock_of_a_platform_wheel_holds_for_this_environment_only(
    pkgs, index: Path, tmp_path: Path
) -> None:
    """kappa's wheel is for this interpreter and machine: the lock says so (PEP 751's
    environments), so an installer elsewhere refuses it plainly; import reads it back."""
    import platform

    from packaging.markers import Marker, default_environment

    lock = tmp_path / "pylock.toml"
    recipes = ["--recipes", str(DEFAULT_RECIPES), "--recipes", str(pkgs.recipe_dirs[1])]
    cli("lock", "pypi:kappa", "-o", str(lock), *recipes)
    data = tomllib.loads(lock.read_text())
    (kappa,) = data["packages"]
    assert kappa["wheels"][0]["name"].endswith(f"-{_best_tag()}.whl")
    here = (
        f"implementation_name == '{sys.implementation.name}'"
        f" and python_version == '{sys.version_info.major}.{sys.version_info.minor}'"
        f" and sys_platform == '{sys.platform}' and platform_machine == '{platform.machine()}'"
    )
    assert data["environments"] == [here]
    assert Marker(here).evaluate()
    assert not Marker(here).evaluate({**default_environment(), "sys_platform": "darwin"})
    out = tmp_path / "from-lock"
    result = json.loads(cli("import", str(lock), "-o", str(out), "--json", *recipes).stdout)
    assert result["written"] == ["kappa"] and result["packages"]["kappa"]["version"] == "1.0"
    assert parse_pylock(lock).environments == [here]
    # the same lock made on a Mac: import refuses it, as PEP 751 asks of an installer
    elsewhere = tmp_path / "pylock.mac.toml"
    elsewhere.write_text(lock.read_text().replace(f"'{sys.platform}'", "'darwin'"))
    refused = cli("import", str(elsewhere), "-o", str(tmp_path / "mac"), *recipes, ok=False)
    assert f"{elsewhere}: the lock holds only where " in refused.stderr
    assert "sys_platform == 'darwin'" in refused.stderr and "the set's interpreter is" in (
        refused.stderr
    )
    assert not (tmp_path / "mac").exists()


def test_a_lock_pinning_another_version_than_the_set_wins(
    pkgs, index: Path, tmp_path: Path
) -> None:
    lock = tmp_path / "pylock.toml"
    digest = sha256_of(index, "shout-2.0.tar.gz")
    lock.write_text(
        'lock-version = "1.0"\ncreated-by = "uv"\n\n[[packages]]\nname = "shout"\n'
        f'version = "2.0"\nsdist = {{ name = "shout-2.0.tar.gz",'
        f' hashes = {{ sha256 = "{digest}" }} }}\n'
        '\n[[packages]]\nname = "gamma"\nversion = "1.0"\nmarker = "python_version < \'3\'"\n'
        f'sdist = {{ name = "gamma-1.0.tar.gz", hashes = {{ sha256 = "{"0" * 64}" }} }}\n'
    )
    out = tmp_path / "out"
    recipes = ["--recipes", str(DEFAULT_RECIPES), "--recipes", str(pkgs.recipe_dirs[1])]
    cli("import", str(lock), "-o", str(out), *recipes)
    assert sorted(p.name for p in out.rglob("*.py")) == ["overlay.py", "shell.py", "shout.py"]
    run = "python -c 'import shout; print(shout.VERSION)'"
    assert cli("shell", "--run", run, cwd=out).stdout.strip() == "2.0"
    assert parse_pylock(lock).packages[0].sha256() == {digest}


def test_a_lock_for_another_python_is_refused(pkgs, index: Path, tmp_path: Path) -> None:
    """PEP 751's lock-level requires-python, as uv reads it: `pybuild lock` writes
    ``==X.Y.*``, and a lock for another Python is refused, naming both."""
    major, minor = pkgs.interpreter.version_info[:2]
    digest = sha256_of(index, "shout-2.0.tar.gz")
    lock = tmp_path / "pylock.toml"
    lock.write_text(
        f'lock-version = "1.0"\ncreated-by = "pybuild"\nrequires-python = "=={major}.{minor + 1}.*"'
        '\n\n[[packages]]\nname = "shout"\nversion = "2.0"\n'
        f'sdist = {{ name = "shout-2.0.tar.gz", hashes = {{ sha256 = "{digest}" }} }}\n'
    )
    recipes = ["--recipes", str(DEFAULT_RECIPES), "--recipes", str(pkgs.recipe_dirs[1])]
    refused = cli("import", str(lock), "-o", str(tmp_path / "out"), *recipes, ok=False)
    assert (
        f"{lock}: the lock holds only for Python =={major}.{minor + 1}.* (its requires-python);"
        f" the set's interpreter is {sys.implementation.name} {pkgs.interpreter.version}"
    ) in refused.stderr
    assert f"pybuild --python {major}.{minor + 1} import pylock.toml" in refused.stderr
    assert not (tmp_path / "out").exists()
    lock.write_text(lock.read_text().replace(f"{minor + 1}.*", f"{minor}.*"))
    cli("import", str(lock), "-o", str(tmp_path / "out"), *recipes)
    assert (tmp_path / "out" / "generated-recipes" / "shout.py").is_file()


def test_import_pyproject_dependencies_and_extras(pkgs, tmp_path: Path) -> None:
    project = tmp_path / "app"
    project.mkdir()
    (project / "pyproject.toml").write_text(
        '[project]\nname = "app"\nversion = "0"\ndependencies = ["alpha<2"]\n'
        '[project.optional-dependencies]\nextra-one = ["iota"]\n'
    )
    out = tmp_path / "out"
    cli("import", str(project / "pyproject.toml"), "-o", str(out), "--extra", "extra_one")
    assert sorted(p.stem for p in out.rglob("*.py")) == [
        "alpha",
        "beta",
        "iota",
        "overlay",
        "shell",
    ]
    assert 'version = "1.0"' in (out / "generated-recipes" / "alpha.py").read_text()
    with pytest.raises(ImportFileError):
        from pybuild.importers import read_file

        read_file(project / "pyproject.toml", extras=["nope"])


def test_import_pyproject_honours_uv_constraints_and_warns_of_its_other_settings(
    pkgs, tmp_path: Path
) -> None:
    """[tool.uv] constraint-dependencies hold alpha back as a -c line would (uv reads them so);
    override-dependencies and sources, which the import does not honour, are warned of with
    their lines, where they were silently ignored."""
    project = tmp_path / "pyproject.toml"
    project.write_text(
        '[project]\nname = "app"\nversion = "0"\ndependencies = ["alpha"]\n'
        '[tool.uv]\nconstraint-dependencies = ["alpha<2"]\n'
        'override-dependencies = ["beta==0.5"]\nsources = {}\n'
    )
    out = tmp_path / "out"
    result = cli("import", str(project), "-o", str(out))
    assert 'version = "1.0"' in (out / "generated-recipes" / "alpha.py").read_text()
    warned = " ".join(result.stderr.split())
    assert (
        f"{project}:7: [tool.uv] override-dependencies is uv's own setting, which the import"
        " does not honour"
    ) in warned
    assert f"{project}:8: [tool.uv] sources is uv's own setting" in warned


def test_an_index_named_in_the_requirements_file_is_used_and_pinned(
    pkgs, index: Path, tmp_path: Path
) -> None:
    private = tmp_path / "private"  # an index of its own, holding only beta
    url = write_index(private, [index / "files" / "beta-1.0-py3-none-any.whl"])
    requirements = tmp_path / "requirements.txt"
    requirements.write_text(f"--index-url {url}\nbeta==1.0\n")
    out = tmp_path / "out"
    recipes = ["--recipes", str(DEFAULT_RECIPES), "--recipes", str(pkgs.recipe_dirs[1])]
    cli("import", str(requirements), "-o", str(out), *recipes)
    text = (out / "generated-recipes" / "beta.py").read_text()
    assert f'url="{url}/files/beta-1.0-py3-none-any.whl"' in text  # not on pip's index
    shutil.rmtree(index / "beta")
    assert cli("build", "--overlay", str(out / "overlay.py"), "beta", *recipes).returncode == 0


def test_an_import_that_replaces_a_set_package_checks_its_dependents(pkgs, tmp_path: Path) -> None:
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("greet\nshout==2.0\n")
    out = tmp_path / "out"
    recipes = ["--recipes", str(DEFAULT_RECIPES), "--recipes", str(pkgs.recipe_dirs[1])]
    report = json.loads(cli("import", str(requirements), "-o", str(out), "--json", *recipes).stdout)
    assert report["packages"]["shout"] == {"version": "2.0", "origin": "index", "kind": "sdist"}
    assert report["packages"]["greet"]["origin"] == "set"  # its metadata allows any shout
    run = "cd / && python -c 'import shout; print(shout.VERSION)' && greet"
    assert cli("shell", "--run", run, cwd=out).stdout.split() == ["2.0", "HELLO", "FROM", "GREET!"]


def test_a_pyprojects_reference_to_itself_is_its_own_extras_not_the_index(
    pkgs, tmp_path: Path
) -> None:
    """``all = ["kappa[cli]"]`` in kappa's own pyproject.toml means kappa's cli extra, as pip
    and uv read it; the index's kappa, a stranger's project of the same name, is never
    looked up (it was, with a warning that it had no such extra, and cli's iota missing)."""
    project = tmp_path / "kappa"
    project.mkdir()
    (project / "pyproject.toml").write_text(
        '[project]\nname = "kappa"\nversion = "0.1.0"\ndependencies = ["mu"]\n'
        '[project.optional-dependencies]\ncli = ["iota"]\nall = ["kappa[cli]", "kappa[all]"]\n'
    )
    out = tmp_path / "out"
    result = cli("import", str(project / "pyproject.toml"), "-o", str(out), "--extra", "all")
    assert "does not provide the extra" not in result.stderr
    report = json.loads(
        cli(
            "import", str(project / "pyproject.toml"), "-o", str(out), "--extra", "all", "--json"
        ).stdout
    )
    assert sorted(report["packages"]) == ["iota", "mu"]
    assert 'packages = ["mu", "iota"]' in (out / "shell.py").read_text()


def test_a_project_for_another_python_is_refused(pkgs, tmp_path: Path) -> None:
    """A pyproject.toml's requires-python was ignored; pip install . and uv sync refuse an
    interpreter it excludes, and so does import, as it does for a lock's."""
    major, minor = pkgs.interpreter.version_info[:2]
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(
        f'[project]\nname = "app"\nversion = "0"\nrequires-python = ">={major}.{minor + 1}"\n'
        'dependencies = ["iota"]\n'
    )
    out = tmp_path / "out"
    refused = cli("import", str(pyproject), "-o", str(out), ok=False)
    assert (
        f"{pyproject}:4: the project needs Python >={major}.{minor + 1} (its requires-python);"
        f" the set's interpreter is {sys.implementation.name} {pkgs.interpreter.version}"
    ) in refused.stderr
    hint = f"hint: import it for an interpreter it allows (pybuild --python {major}.{minor + 1}"
    assert hint in refused.stderr
    assert not out.exists()
    pyproject.write_text(pyproject.read_text().replace(f"{minor + 1}", f"{minor}"))
    cli("import", str(pyproject), "-o", str(out))
    assert (out / "generated-recipes" / "iota.py").is_file()


def test_installer_options_are_warned_of_and_require_hashes_covers_dependencies(
    pkgs, index: Path, tmp_path: Path
) -> None:
    """--pre and the like were ignored silently: each is a warning with its line. With
    --require-hashes, as with pip, a package the requirements pull in from the index needs a
    hash in the file too (the set's pluggy pins its own); the hint gives the lines to add."""
    alpha = sha256_of(index, "alpha-2.0-py3-none-any.whl")
    beta = sha256_of(index, "beta-1.0-py3-none-any.whl")
    requirements = tmp_path / "requirements.txt"
    requirements.write_text(f"--require-hashes\n--pre\nalpha==2.0 --hash=sha256:{alpha}\n")
    out = tmp_path / "out"
    recipes = ["--recipes", str(DEFAULT_RECIPES), "--recipes", str(pkgs.recipe_dirs[1])]
    refused = cli("import", str(requirements), "-o", str(out), *recipes, ok=False)
    assert f"warning: {requirements}:2: --pre is a pip installer option pybuild ignores" in (
        refused.stderr
    )
    assert (
        f"{requirements}: --require-hashes ({requirements}:1) asks a --hash of every package"
        " from the index, as in pip, and the file gives none for what its requirements need:"
        " beta 1.0"
    ) in " ".join(refused.stderr.split())
    assert f"beta==1.0 --hash=sha256:{beta}" in refused.stderr
    assert not out.exists()
    with requirements.open("a") as file:
        file.write(f"beta==1.0 --hash=sha256:{beta}\n")
    done = cli("import", str(requirements), "-o", str(out), *recipes)
    assert "--pre is a pip installer option" in done.stderr
    assert "wrote 2 recipes" in done.stdout
    requirements.write_text("--require-hashes\nalpha==2.0\n")
    refused = cli("import", str(requirements), "-o", str(out), *recipes, ok=False)
    assert f"{requirements}:2: alpha==2.0 has no --hash" in refused.stderr


def test_import_never_overwrites_a_file_it_did_not_write(pkgs, tmp_path: Path) -> None:
    """``-o .`` in a project silently replaced its hand-written shell.py and overlay.py; the
    import now refuses, naming the file, and replaces only files it wrote itself."""
    project = tmp_path / "project"
    project.mkdir()
    requirements = project / "requirements.txt"
    requirements.write_text("iota\n")
    mine = "from pybuild import package_set\n\npkgs = package_set()\n"
    (project / "shell.py").write_text(mine)
    refused = cli("import", str(requirements), "-o", str(project), ok=False)
    assert (
        f"{project / 'shell.py'} is not a file pybuild import wrote (it lacks the line"
        " 'Generated by pybuild from the package index'): the import would overwrite it"
    ) in refused.stderr
    assert (
        f"hint: import into a folder of its own (-o DIR), or move {project / 'shell.py'} away"
    ) in refused.stderr
    assert (project / "shell.py").read_text() == mine
    assert sorted(p.name for p in project.iterdir()) == ["requirements.txt", "shell.py"]
    # a file of the user's where a recipe goes: refused once the recipes are known
    out = tmp_path / "out"
    (out / "generated-recipes").mkdir(parents=True)
    (out / "generated-recipes" / "iota.py").write_text("# my own\n")
    refused = cli("import", str(requirements), "-o", str(out), ok=False)
    assert f"{out / 'generated-recipes' / 'iota.py'} is not a file pybuild import wrote" in (
        refused.stderr
    )
    assert not (out / "shell.py").exists()
    (out / "generated-recipes" / "iota.py").unlink()
    cli("import", str(requirements), "-o", str(out))
    cli("import", str(requirements), "-o", str(out))  # its own files: replaced
    assert (out / "generated-recipes" / "iota.py").read_text() != "# my own\n"


def test_a_lock_of_a_newer_minor_version_is_imported_with_a_warning(
    pkgs, index: Path, tmp_path: Path
) -> None:
    digest = sha256_of(index, "shout-2.0.tar.gz")
    lock = tmp_path / "pylock.toml"
    lock.write_text(
        'lock-version = "1.5"\ncreated-by = "future"\n\n[[packages]]\nname = "shout"\n'
        f'version = "2.0"\nsdist = {{ name = "shout-2.0.tar.gz",'
        f' hashes = {{ sha256 = "{digest}" }} }}\n'
    )
    result = cli("import", str(lock), "-o", str(tmp_path / "out"))
    assert (
        f"pybuild: warning: {lock}:1: lock-version '1.5' is newer than the 1.0 pybuild knows"
    ) in result.stderr
    assert (tmp_path / "out" / "generated-recipes" / "shout.py").is_file()


@pytest.mark.parametrize(
    ("entry", "words"),
    [
        ('archive = { url = "https://files.example/a.tar.gz"', "an archive"),
        ('vcs = { type = "git", url = "https://git.example/a.git", commit-id = "0"', "a VCS"),
    ],
)
def test_a_package_locked_to_no_release_is_refused_in_plain_words(
    pkgs, tmp_path: Path, entry: str, words: str
) -> None:
    """ "locked to a archive" was bad grammar, and "a vcs" no word of a user's."""
    lock = tmp_path / "pylock.toml"
    lock.write_text(
        'lock-version = "1.0"\ncreated-by = "x"\n\n[[packages]]\nname = "alpha"\n'
        f'version = "2.0"\n{entry}, hashes = {{ sha256 = "{"0" * 64}" }} }}\n'
    )
    result = cli("import", str(lock), "-o", str(tmp_path / "out"), ok=False)
    assert f"{lock}:4: alpha is locked to {words}" in result.stderr


def test_a_locked_package_with_no_file_is_refused_at_its_line(pkgs, tmp_path: Path) -> None:
    """An entry with neither wheels, sdist, archive, directory nor vcs was taken as a pin and
    its sdist fetched from the index unverified; pip and uv refuse it."""
    lock = tmp_path / "pylock.toml"
    lock.write_text(
        'lock-version = "1.0"\ncreated-by = "hand"\n[[packages]]\nname = "iota"\nversion = "1.0"\n'
    )
    result = cli("import", str(lock), "-o", str(tmp_path / "out"), ok=False)
    assert f"{lock}:3: iota: the entry locks no file: it must include one of" in result.stderr
    assert not (tmp_path / "out").exists()


def test_a_locks_extras_and_groups_are_selected_as_pip_and_uv_select_them(
    pkgs, index: Path, tmp_path: Path
) -> None:
    """Markers on PEP 751's extras and dependency_groups crashed the import (KeyError), and
    --extra/--group were refused for a lock: now nothing is selected but the default-groups,
    and --extra/--group select what the lock offers (a group named replaces the defaults)."""
    iota, kappa = sha256_of(index, "iota-1.0.tar.gz"), sha256_of(index, "kappa-1.0.tar.gz")
    lock = tmp_path / "pylock.toml"
    lock.write_text(
        'lock-version = "1.0"\ncreated-by = "hand"\nextras = ["fmt"]\n'
        'dependency-groups = ["dev", "docs"]\ndefault-groups = ["docs"]\n'
        '\n[[packages]]\nname = "iota"\nversion = "1.0"\nmarker = "\'fmt\' in extras"\n'
        f'sdist = {{ name = "iota-1.0.tar.gz", hashes = {{ sha256 = "{iota}" }} }}\n'
        '\n[[packages]]\nname = "kappa"\nversion = "1.0"\n'
        "marker = \"'docs' in dependency_groups\"\n"
        f'sdist = {{ name = "kappa-1.0.tar.gz", hashes = {{ sha256 = "{kappa}" }} }}\n'
    )
    recipes = ["--recipes", str(DEFAULT_RECIPES), "--recipes", str(pkgs.recipe_dirs[1])]

    def imported(*options: str) -> list[str]:
        out = tmp_path / "out"
        report = cli("import", str(lock), "-o", str(out), "--json", *options, *recipes).stdout
        return sorted(json.loads(report)["packages"])

    assert imported() == ["kappa"]
    assert imported("--extra", "fmt") == ["iota", "kappa"]
    assert imported("--extra", "fmt", "--group", "dev") == ["iota"]
    refused = cli("import", str(lock), "--group", "devv", *recipes, ok=False)
    assert f"{lock}:4: the lock has no dependency group 'devv'; did you mean 'dev'?" in (
        refused.stderr
    )


def test_a_lock_imported_and_locked_again_is_the_same_lock(
    pkgs, index: Path, tmp_path: Path
) -> None:
    """alpha[fancy] is locked depending on delta, its extra's: the recipe imported from the
    lock left delta out of alpha's dependencies (an extra not asked), so a lock of the
    imported folder lost that edge."""
    lock = tmp_path / "pylock.toml"
    recipes = ["--recipes", str(DEFAULT_RECIPES), "--recipes", str(pkgs.recipe_dirs[1])]
    cli("lock", "pypi:alpha[fancy]==2.0", "-o", str(lock), *recipes)
    out = tmp_path / "imported"
    cli("import", str(lock), "-o", str(out), *recipes)
    again = tmp_path / "pylock.again.toml"
    cli("lock", "-f", str(out / "shell.py"), "env", "-o", str(again))
    assert again.read_text() == lock.read_text()
