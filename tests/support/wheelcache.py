"""Fill ``<repo>/.cache/wheels`` with the real release files the hermetic build tests publish.

The build tests serve a local PEP 691 index; the recipes they evaluate (setuptools, wheel,
flit-core, pytest and its runtime closure, and the builder's own toolchain) pin their files by
hash, so that index must hold the very same bytes. This script evaluates the default package
set for those attributes, collects every fixed-output fetch they need (their ``src``, the
sources of their build systems and runtime closures, and ``toolchain()`` for every
interpreter), realises the fetches in a throwaway pybuild home through the configured index
(pip's configuration), so the realiser checks every hash, and copies each file to
``.cache/wheels/<file name>``.

A file already cached with the right hash is not fetched again. The package set is first
evaluated against an index made of the cache alone, so a run that finds everything needs no
network at all; only when something is missing or stale is the real index asked.

Run it once before the tests (``.ci/run`` does)::

    python3 tests/support/wheelcache.py          # or, from tests/: python -m support.wheelcache
"""

from __future__ import annotations

import fcntl
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
CACHE = REPO / ".cache" / "wheels"
# The attributes of the default package set that the hermetic tests use (six: the tutorial).
ATTRS = ("setuptools", "wheel", "flit_core", "pytest", "six")

__all__ = ["ATTRS", "CACHE", "fill_cache", "main"]


@contextmanager
def _environ(**values: str) -> Iterator[None]:
    """Set environment variables for a block, restoring the old values after it."""
    old = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in old.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _fetches(attrs: tuple[str, ...]) -> tuple[dict[str, Any], list[str], list[str]]:
    """Evaluate `attrs` of the default set: (fetches by store name, attrs found, attrs missing).

    A package's fetches are its own ``src`` and those of its runtime closure and of its build
    system's closure (transitively), so every input of a build from the index is covered.
    """
    from pybuild.derivations import Derivation
    from pybuild.lazy import force
    from pybuild.pkgset import package_set
    from pybuild.python.package import PythonPackage, toolchain_wheels
    from support.interpreter import changed

    pkgs = package_set()
    found, missing = [], []
    fetches: dict[str, Derivation] = {}
    # Builds for Python 3.10 add tomli to the toolchain (no tomllib there).
    python_3_10 = changed(pkgs.interpreter, version="3.10.0")
    for drv in toolchain_wheels(pkgs.interpreter) + toolchain_wheels(python_3_10):
        fetches[drv.output_paths["out"]] = drv
    todo: list[PythonPackage] = []
    for attr in attrs:
        if attr not in pkgs:
            missing.append(attr)
            continue
        found.append(attr)
        todo.append(force(pkgs[attr]))
    seen: set[int] = set()
    while todo:
        pkg = todo.pop()
        if id(pkg) in seen:
            continue
        seen.add(id(pkg))
        src = force(pkg.attrs["src"])
        if isinstance(src, Derivation) and src.is_fixed_output:
            fetches[src.output_paths["out"]] = src
        for group in ("dependencies", "build_system"):
            todo.extend(force(p) for p in pkg.attrs[group])
    return fetches, found, missing


def _file_name(store_name: str) -> str:
    """``<hash>-<file name>`` -> ``<file name>``."""
    return store_name.split("-", 1)[1]


def _cached(drv: Any) -> bool:
    from pybuild.hashing import hash_file

    path = CACHE / _file_name(drv.output_paths["out"])
    return path.is_file() and hash_file(path).sri == drv.output_hash


def _local_index(scratch: Path) -> str | None:
    """The cached files published as a ``file://`` index, or None when there are none."""
    if str(REPO / "tests") not in sys.path:
        sys.path.insert(0, str(REPO / "tests"))
    from support.index import write_index

    files = sorted(p for p in CACHE.glob("*") if p.is_file() and not p.name.startswith("."))
    if not files:
        return None
    return write_index(scratch / "index", files)


def fill_cache(attrs: tuple[str, ...] = ATTRS, log: Any = print) -> list[str]:
    """Make sure every file `attrs` need is in the cache; returns the attributes not defined."""
    CACHE.mkdir(parents=True, exist_ok=True)
    # One filler at a time (pytest-xdist workers share the cache): the others then find it full.
    with open(CACHE / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        return _fill(attrs, log)


def _fill(attrs: tuple[str, ...], log: Any) -> list[str]:
    from pybuild.errors import PybuildError
    from pybuild.realiser import BuildOptions, realise
    from pybuild.store import Store

    with tempfile.TemporaryDirectory(prefix="pybuild-wheelcache-") as scratch_dir:
        scratch = Path(scratch_dir)
        # 1. Against the cache alone: no network when everything is there.
        url = _local_index(scratch)
        if url is not None:
            offline = {
                "PIP_INDEX_URL": url,
                "PIP_EXTRA_INDEX_URL": "",
                "PIP_CONFIG_FILE": os.devnull,
            }
            with _environ(PYBUILD_HOME=str(scratch / "home-offline"), **offline):
                try:
                    fetches, found, missing = _fetches(attrs)
                except PybuildError as exc:
                    log(f"wheelcache: the cache is incomplete ({str(exc).splitlines()[0]})")
                else:
                    if all(_cached(d) for d in fetches.values()):
                        for name in sorted(map(_file_name, fetches)):
                            log(f"wheelcache: present  {name}")
                        _report(found, missing, log)
                        return missing
        # 2. Through the configured index: evaluate, fetch what is missing, copy it over.
        with _environ(PYBUILD_HOME=str(scratch / "home")):
            fetches, found, missing = _fetches(attrs)
            wanted = [d for d in fetches.values() if not _cached(d)]
            for drv in fetches.values():
                if drv not in wanted:
                    log(f"wheelcache: present  {_file_name(drv.output_paths['out'])}")
            if wanted:
                store = Store.default()
                realise(wanted, store, BuildOptions(jobs=4, log=sys.stdout))
                for drv in wanted:
                    name = drv.output_paths["out"]
                    target = CACHE / _file_name(name)
                    tmp = target.with_name(f".{target.name}.part")
                    shutil.copyfile(store.path(name), tmp)
                    os.replace(tmp, target)
                    log(f"wheelcache: fetched  {target.name}")
    _report(found, missing, log)
    return missing


def _report(found: list[str], missing: list[str], log: Any) -> None:
    log(f"wheelcache: {CACHE} holds the files of {', '.join(found) or 'nothing'} and the toolchain")
    if missing:
        log(
            f"wheelcache: no recipe yet for {', '.join(missing)}: the tests that need "
            "them will skip"
        )


def main() -> int:
    start = time.monotonic()
    fill_cache()
    print(f"wheelcache: done in {time.monotonic() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
