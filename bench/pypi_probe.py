"""Run inside an environment: import every top-level module its distributions provide.

``python -I bench/pypi_probe.py`` is what bench/pypi.py runs in ``pybuild shell -p pypi:NAME``.
It lists the environment's distributions (importlib.metadata), takes each one's top-level
modules (its ``top_level.txt``, or the first part of the paths in its ``RECORD`` when it has
none: setuptools writes the file, most other back-ends do not), imports each in turn, and
prints one JSON line after :data:`MARKER`: every distribution's name, version, modules and
the first line of each import's error. It needs nothing but the standard library, because it
runs in the environment under test, and ``-I`` keeps the caller's ``PYTHONPATH`` and the
script's own folder (the bench's modules) off ``sys.path``.

Not imported: names starting with ``_`` (private by convention: ``_cffi_backend`` is loaded by
cffi itself, ``_distutils_hack`` by setuptools' ``.pth`` file), and :data:`NOT_MODULES`:
folders some projects ship beside their package that are not meant to be imported alone.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import json
import sys
from collections.abc import Iterable

MARKER = "pypi-coverage-probe:"

# Test suites, benchmarks, docs and examples shipped at the top level of a wheel: importing
# them runs or needs what only the project's own CI has.
NOT_MODULES = frozenset(
    {"benchmark", "benchmarks", "conftest", "docs", "examples", "test", "testing", "tests"}
)

_SUFFIXES = (".py", ".pyc", ".so", ".pyd", ".abi3.so")


def modules_from_record(paths: Iterable[str]) -> list[str]:
    """The top-level module names a distribution's RECORD paths install.

    A file at the top (``six.py``, ``_cffi_backend.cpython-311-x86_64-linux-gnu.so``) is a
    module; a folder holding Python files (``google/protobuf/__init__.py``) is a package,
    a namespace one included. Metadata (``*.dist-info``), data (``*.data``), scripts
    (``../../bin``) and ``.pth`` files are not modules.

    Example::

        >>> modules_from_record(["six.py", "six-1.17.0.dist-info/RECORD", "../../bin/x"])
        ['six']
    """
    names: set[str] = set()
    for path in paths:
        parts = path.replace("\\", "/").split("/")
        head = parts[0]
        if not path.endswith(_SUFFIXES) or head.endswith((".dist-info", ".data")):
            continue
        name = head.split(".", 1)[0] if len(parts) == 1 else head
        if name.isidentifier():
            names.add(name)
    return sorted(names)


def wanted(name: str) -> bool:
    """Whether the probe imports top-level module `name` (private and test names: no)."""
    return not name.startswith("_") and name not in NOT_MODULES


def top_level(dist: importlib.metadata.Distribution) -> list[str]:
    """The top-level modules `dist` provides that the probe imports."""
    text = dist.read_text("top_level.txt")
    if text is not None:
        names = sorted({line.strip().replace("/", ".").split(".")[0] for line in text.split()})
    else:
        names = modules_from_record(str(f) for f in dist.files or ())
    return [n for n in names if n and wanted(n)]


def _import(name: str) -> str | None:
    """None when `name` imports; else the first line of its error."""
    try:
        importlib.import_module(name)
    except BaseException as exc:  # a module may even call sys.exit()
        first = (str(exc).strip().splitlines() or [""])[0]
        return f"{type(exc).__name__}: {first}".rstrip(": ")
    return None


def probe(paths: list[str] | None = None) -> list[dict[str, object]]:
    """Every distribution on `paths` (default: ``sys.path``), its modules, the import errors."""
    seen: set[str] = set()
    found: list[dict[str, object]] = []
    dists = importlib.metadata.distributions(path=paths if paths is not None else sys.path)
    for dist in sorted(dists, key=lambda d: d.metadata["Name"]):
        name = dist.metadata["Name"]
        if name in seen:  # one path per project: the first, as Python's import does
            continue
        seen.add(name)
        modules = top_level(dist)
        errors = {m: e for m in modules if (e := _import(m)) is not None}
        found.append({"name": name, "version": dist.version, "modules": modules, "errors": errors})
    return found


if __name__ == "__main__":
    sys.stdout.write(MARKER + json.dumps(probe()) + "\n")
