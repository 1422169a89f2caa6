"""pytest fixtures publishing a small fixed index, on disk and over loopback HTTP.

Import them into a conftest (``from support.fixtures import *``; pytest puts ``tests/`` on
sys.path). The index holds:

- ``demo`` 1.0 (sdist), 1.1 (sdist, a pure ``py3-none-any`` wheel and a wheel tagged with
  this interpreter's most specific tag, so tag preference can be tested on any machine);
- ``other`` 0.1 (a pure wheel only).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from packaging.tags import Tag, sys_tags

from .index import make_sdist, make_wheel, serve_index, write_index

__all__ = ["LocalIndex", "http_index", "local_index"]

_DEMO_PYPROJECT = """\
[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[project]
name = "demo"
version = "{version}"
"""


@dataclass(frozen=True)
class LocalIndex:
    """Where the fixture index lives; `dists` maps each published file name to its source."""

    root: Path
    file_url: str
    dists: dict[str, Path]
    best_tag: Tag


@pytest.fixture(scope="session")
def local_index(tmp_path_factory: pytest.TempPathFactory) -> LocalIndex:
    """The fixture index as a folder, with its ``file://`` URL."""
    build = tmp_path_factory.mktemp("dists")
    best_tag = next(iter(sys_tags()))
    dists = [
        make_sdist(
            build,
            "demo",
            version,
            {
                "pyproject.toml": _DEMO_PYPROJECT.format(version=version),
                "demo.py": f"VERSION = {version!r}\n",
            },
        )
        for version in ("1.0", "1.1")
    ]
    dists += [
        make_wheel(build, "demo", "1.1", {"demo.py": "VERSION = '1.1'\n"}),
        make_wheel(build, "demo", "1.1", {"demo.py": "VERSION = '1.1'\n"}, tag=str(best_tag)),
        make_wheel(build, "other", "0.1", {"other.py": "NAME = 'other'\n"}),
    ]
    root = tmp_path_factory.mktemp("index")
    url = write_index(root, dists)
    return LocalIndex(root, url, {d.name: d for d in dists}, best_tag)


@pytest.fixture(scope="session")
def http_index(local_index: LocalIndex) -> Iterator[str]:
    """The same index served over HTTP on 127.0.0.1; its base URL."""
    with serve_index(local_index.root) as url:
        yield url


# -- an index for real builds: the fixture projects and the real build tools ------------------
#
# The projects under tests/fixtures/projects/ are published as sdists, next to the real wheels
# of the build tools that ``tests/support/wheelcache.py`` keeps in ``.cache/wheels`` (the very
# files the default recipes pin by hash), so recipes evaluate and build with no network.

PROJECTS = Path(__file__).resolve().parent.parent / "fixtures" / "projects"
WHEEL_CACHE = Path(__file__).resolve().parents[2] / ".cache" / "wheels"
__all__ += [
    "FIXTURE_RECIPES",
    "BuildIndex",
    "build_index",
    "build_index_http",
    "index_environ",
    "project_files",
    "use_index",
    "write_fixture_recipes",
]

# (folder under PROJECTS, version): each is published as an sdist. A version other than the
# folder's own "1.0" is made by replacing the quoted "1.0" in its files.
BUILD_SDISTS = (
    ("greet", "1.0"),
    ("shout", "1.0"),
    ("shout", "2.0"),
    ("cext", "1.0"),
    ("failing", "1.0"),
    ("counted", "1.0"),
    ("needs_hatch", "1.0"),
    ("online", "1.0"),
    ("picky", "1.0"),
    ("sealed", "1.0"),
    ("homebound", "1.0"),
    ("megaphone", "1.0"),
    ("tooled", "1.0"),
    ("needs_tool", "1.0"),
    ("unasked", "1.0"),
)


@dataclass(frozen=True)
class BuildIndex:
    """The build index: its folder, its ``file://`` URL and the files it publishes."""

    root: Path
    file_url: str
    files: tuple[str, ...]

    def hash_of(self, filename: str) -> str:
        """The SRI sha256 of a published file, as a recipe pins it."""
        from pybuild.hashing import hash_file

        return hash_file(self.root / "files" / filename).sri


def project_files(folder: str, version: str = "1.0") -> dict[str, str]:
    """The text files of a fixture project (relative path -> text), at `version`."""
    base = PROJECTS / folder
    files = {}
    for path in sorted(base.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            text = path.read_text()
            if version != "1.0":
                text = text.replace('"1.0"', f'"{version}"')
            files[path.relative_to(base).as_posix()] = text
    return files


def index_environ(url: str) -> dict[str, str]:
    """pip's configuration naming `url` as the only index: nothing reaches a real index."""
    import os

    return {"PIP_INDEX_URL": url, "PIP_EXTRA_INDEX_URL": "", "PIP_CONFIG_FILE": os.devnull}


def published(root: Path, dists: Iterable[Path], monkeypatch: pytest.MonkeyPatch) -> Path:
    """`dists` written as an index at `root`, and pip pointed at it alone; `root`."""
    for name, value in index_environ(write_index(root, dists)).items():
        monkeypatch.setenv(name, value)
    return root


def sha256_of(index: Path, filename: str) -> str:
    """The hex sha256 of the file `filename` of the index folder `index`."""
    import hashlib

    return hashlib.sha256((index / "files" / filename).read_bytes()).hexdigest()


@pytest.fixture(scope="session")
def build_index(tmp_path_factory: pytest.TempPathFactory) -> BuildIndex:
    """The fixture projects' sdists and the cached real wheels, as a PEP 691 index.

    The wheels are fetched once into ``.cache/wheels`` (through the configured index, hashes
    checked) when missing; after that this needs no network.
    """
    from support.wheelcache import fill_cache

    fill_cache(log=lambda *_: None)
    wheels = sorted(p for p in WHEEL_CACHE.glob("*") if p.is_file() and p.name[0] != ".")
    build = tmp_path_factory.mktemp("build-dists")
    dists = [
        make_sdist(build, folder.replace("_", "-"), version, project_files(folder, version))
        for folder, version in BUILD_SDISTS
    ]
    root = tmp_path_factory.mktemp("build-index")
    url = write_index(root, [*dists, *wheels])
    return BuildIndex(root, url, tuple(sorted(p.name for p in [*dists, *wheels])))


@pytest.fixture(scope="session")
def build_index_http(build_index: BuildIndex) -> Iterator[str]:
    """The build index served over HTTP on 127.0.0.1; its base URL."""
    with serve_index(build_index.root) as url:
        yield url


@pytest.fixture
def use_index(build_index: BuildIndex, monkeypatch: pytest.MonkeyPatch) -> BuildIndex:
    """Point pip's configuration (so ``fetch_pypi``) at the build index, and only at it."""
    for name, value in index_environ(build_index.file_url).items():
        monkeypatch.setenv(name, value)
    return build_index


# attribute: (pname, version, build backend, dependencies) of the fixture projects' recipes.
FIXTURE_RECIPES = {
    "shout": ("shout", "1.0", "flit_core", ()),
    "shout_2": ("shout", "2.0", "flit_core", ()),
    "greet": ("greet", "1.0", "setuptools", ("shout",)),
    "cext": ("cext", "1.0", "setuptools", ()),
    "failing": ("failing", "1.0", "setuptools", ()),
    "counted": ("counted", "1.0", "setuptools", ()),
    "needs_hatch": ("needs-hatch", "1.0", "setuptools", ()),
    "online": ("online", "1.0", "setuptools", ()),
    "picky": ("picky", "1.0", "setuptools", ("shout",)),
    "sealed": ("sealed", "1.0", "setuptools", ("shout",)),
    "homebound": ("homebound", "1.0", "setuptools", ()),
    "megaphone": ("megaphone", "1.0", "flit_core", ()),
    "tooled": ("tooled", "1.0", "setuptools", ()),
    "needs_tool": ("needs-tool", "1.0", "flit_core", ()),
    "unasked": ("unasked", "1.0", "flit_core", ()),
}

_RECIPE = """\
def recipe(build_python_package, fetch_pypi, {params}):
    return build_python_package(
        pname="{pname}",
        version="{version}",
        src=fetch_pypi("{pname}", "{version}", hash="{hash}"),
        build_system=[{backend}],
        dependencies=[{deps}],
    )
"""


def write_fixture_recipes(folder: Path, index: BuildIndex, names: Iterable[str] = ()) -> Path:
    """Recipe modules for the fixture projects (all, or `names`), pinned to `index`'s files."""
    folder.mkdir(parents=True, exist_ok=True)
    for attr in names or FIXTURE_RECIPES:
        pname, version, backend, deps = FIXTURE_RECIPES[attr]
        sdist = f"{pname.replace('-', '_')}-{version}.tar.gz"
        text = _RECIPE.format(
            params=", ".join([backend, *deps]),
            pname=pname,
            version=version,
            hash=index.hash_of(sdist),
            backend=backend,
            deps=", ".join(deps),
        )
        (folder / f"{attr}.py").write_text(text)
    return folder
