"""pytest fixtures publishing a small fixed index, on disk and over loopback HTTP.

Import them into a conftest (``from support.fixtures import *``; pytest puts ``tests/`` on
sys.path). The index holds:

- ``demo`` 1.0 (sdist), 1.1 (sdist, a pure ``py3-none-any`` wheel and a wheel tagged with
  this interpreter's most specific tag, so tag preference can be tested on any machine);
- ``other`` 0.1 (a pure wheel only).
"""

from __future__ import annotations

from collections.abc import Iterator
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
