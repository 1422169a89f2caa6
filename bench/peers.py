"""The tools pybuild is measured against: uv and virtualenv, and pip's venvs.

uv and virtualenv come from the package index, installed with pip into a throwaway virtual
environment of the bench's work folder, so that the bench needs nothing but Python and pip
and never touches the user's own tools. uv is told about the index pip is configured for
(``index_urls()``), every index counting alike as pip reads them, and keeps its cache in the
work folder.

Example::

    >>> peers = install_peers(work / "peers")                      # doctest: +SKIP
    >>> run([peers.uv, "--version"])                               # doctest: +SKIP
    'uv 0.13.9 (…)\\n'
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from . import bench_environ, run

__all__ = ["PEERS", "Peers", "install_peers", "pip_venv", "uv_index_args"]

PEERS = ("uv", "virtualenv")


@dataclass(frozen=True)
class Peers:
    """Where the peers are, and the uv cache they share."""

    venv: Path
    uv_cache: Path

    @property
    def uv(self) -> Path:
        return self.venv / "bin" / "uv"

    @property
    def virtualenv(self) -> Path:
        return self.venv / "bin" / "virtualenv"

    def environ(self) -> dict[str, str]:
        """The bench's environment, with the peers' caches in the work folder (never the
        user's): uv's cache, and virtualenv's app data (where it keeps the wheels it seeds)."""
        return bench_environ(
            UV_CACHE_DIR=str(self.uv_cache),
            UV_PYTHON_DOWNLOADS="never",
            VIRTUALENV_OVERRIDE_APP_DATA=str(self.venv.parent / "virtualenv-data"),
        )

    def versions(self) -> dict[str, str]:
        """``{"uv": "0.13.9", "virtualenv": "21.1.0", "pip": "24.0"}``, as each reports it."""
        env = self.environ()
        pip = run([sys.executable, "-m", "pip", "--version"], env).split()[1]
        uv = run([self.uv, "--version"], env).split()[1]
        virtualenv = run([self.virtualenv, "--version"], env).split()[1]
        return {"uv": uv, "virtualenv": virtualenv, "pip": pip}


def install_peers(folder: Path) -> Peers:
    """A venv at `folder` holding uv and virtualenv, installed from the index with pip."""
    if not (folder / "bin" / "uv").exists():
        run([sys.executable, "-m", "venv", folder])
        run([folder / "bin" / "python", "-m", "pip", "install", "-q", *PEERS])
    return Peers(folder, folder.parent / "uv-cache")


def uv_index_args() -> list[str]:
    """uv's arguments for the indexes pip is configured for, all of them counting alike."""
    from pybuild.index import index_urls

    main, *extra = index_urls()
    args = ["--index-url", main]
    for url in extra:
        args += ["--extra-index-url", url]
    # uv takes a package from the first index that has it; pip considers them all.
    return [*args, "--index-strategy", "unsafe-best-match"]


def pip_venv(folder: Path, with_pip: bool = True) -> Path:
    """A plain ``python -m venv`` (with pip unless told otherwise); its Python."""
    argv: list[str | Path] = [sys.executable, "-m", "venv", folder]
    if not with_pip:
        argv.insert(3, "--without-pip")
    run(argv)
    return folder / "bin" / "python"
