"""Recipes generated from the package index: ``from_pypi``, ``pybuild import``, the resolver.

What nixpkgs' hand-written recipes cost in effort, this makes on demand and keeps readable:
a request (``pkgs.from_pypi("rich")``, ``-p pypi:rich``, a requirements/pyproject/lock file)
is resolved by resolvelib against the index and the package set (:mod:`.resolver`), each
missing package gets a pinned recipe whose file, hash, dependencies and build system come
from the index (:mod:`.releases`, :mod:`.buildsystem`, :mod:`.render`), and the whole plan
is cached (:mod:`.plan`) so the same request needs no network round-trip again.

Modules: :mod:`.pypi` (``from_pypi``), :mod:`.folder` (``pybuild import``'s folders and
``folder_overlay``), :mod:`.plan`, :mod:`.resolver`, :mod:`.explain`, :mod:`.files`,
:mod:`.buildenv`, :mod:`.releases`, :mod:`.metadata`, :mod:`.projecttable`,
:mod:`.buildsystem`, :mod:`.markers`, :mod:`.names`, :mod:`.render`, :mod:`.errors`.
"""

from __future__ import annotations

from .errors import (
    GenerateError,
    MetadataError,
    MissingBuildBackend,
    NoFittingFile,
    NotOnIndex,
    ResolutionFailed,
)
from .folder import ImportResult, folder_environment, folder_overlay, import_file
from .names import attr_name
from .pypi import from_pypi, parse_pypi_spec

__all__ = [
    "GenerateError",
    "ImportResult",
    "MetadataError",
    "MissingBuildBackend",
    "NoFittingFile",
    "NotOnIndex",
    "ResolutionFailed",
    "attr_name",
    "folder_environment",
    "folder_overlay",
    "from_pypi",
    "import_file",
    "parse_pypi_spec",
]
