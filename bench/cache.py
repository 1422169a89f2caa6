"""Populating an empty store from a binary cache, against building and against uv.

``python bench/cache.py [--stacks requests scipy]`` measures, for each stack, in the same run:

- cache: ``realise`` of the stack's environment into an empty ``PYBUILD_HOME`` whose
  ``substituters`` is a ``file://`` cache holding the closure (signed, checked), and checks
  that no builder ran; once with zstd archives (the default), once with uncompressed ones
  (``copy --to --compression none``, for a folder that CI compresses itself), and once with
  zstd archives and a warm ``link_cache`` (filled by a first substitution before the runs), so
  that each path's files are hard-linked from it, as uv links its cache's files;
- build: ``realise`` of the same environment into a home that already holds its sources (the
  downloads, copied in beforehand) but nothing built, so no network time is counted;
- uv: ``uv pip install`` of the same pinned versions into a new, empty virtual environment
  from a warm uv cache (uv is installed with pip into a scratch venv; a first install into
  another venv warms its cache); only the install is timed;
- copy: ``cp -a`` of the closure's store paths into a new folder, for scale: the bytes a
  copying store must write, with nothing read from an archive, checked or registered.

Stacks: ``requests`` (requests and its dependencies, built from sdists) and ``scipy`` (numpy
and scipy, from wheels). Before the measurements, the environment is built once in a scratch
home and its closure copied to the cache; that upload is timed too, for information. The
table gives times in seconds and the ratios build / cache and uv / cache.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

STACKS: dict[str, Callable[[Any], list[Any]]] = {
    "requests": lambda ps: [ps.requests],
    "scipy": lambda ps: [ps.numpy, ps.scipy],
}
STACK_NAMES = {"requests": "requests and its dependencies", "scipy": "numpy + scipy"}


def _in_home(home: Path) -> Any:
    """The default package set evaluated with `home` as PYBUILD_HOME (sources go there)."""
    from pybuild.pkgset import package_set

    os.environ["PYBUILD_HOME"] = str(home)
    return package_set()


def _env(home: Path, stack: str) -> Any:
    """The stack's environment, evaluated (index look-ups done) so that only realising is timed."""
    env = _in_home(home).python.with_packages(STACKS[stack])
    env.drv  # noqa: B018 - forces the evaluation
    return env


def _options(**changes: Any) -> Any:
    from pybuild.realiser import BuildOptions

    return BuildOptions(log=io.StringIO(), **changes)


def _fetches(drv: Any) -> list[Any]:
    """The fixed-output derivations (downloads) that `drv` needs, at any depth."""
    seen: dict[str, Any] = {}
    todo = [drv]
    while todo:
        d = todo.pop()
        if d.drv_name in seen:
            continue
        seen[d.drv_name] = d
        todo.extend(d.input_drvs)
    return [d for d in seen.values() if d.is_fixed_output]


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def _measure(stack: str, work: Path, uv: Path, runs: int) -> dict[str, Any]:
    """Every figure of one stack; the populations from the caches and uv's installs are
    medians of `runs`, each run timing one of each in turn (a fresh home, a fresh venv)."""
    from pybuild.cache import SecretKey, copy_from, copy_to, open_cache
    from pybuild.cache.substitute import Substituters
    from pybuild.realiser import realise
    from pybuild.store import Store

    cache_dir = work / "cache"
    key = SecretKey.generate("bench-1")
    trusted = (str(key.public_key()),)

    # 1. build once (sources from the index) and fill the cache with the closure and sources
    home_a = work / "home-a"
    env = _env(home_a, stack)
    store_a = Store(home_a)
    realise([env.drv], store_a, _options(jobs=2))
    sources = [d.out for d in _fetches(env.drv)]
    closure = store_a.closure([env.drv.out])
    upload, _ = _timed(
        lambda: copy_to(open_cache(f"file://{cache_dir}"), store_a, [env.drv.out, *sources], [key])
    )

    plain_dir = work / "cache-none"
    copy_to(open_cache(f"file://{plain_dir}"), store_a, [env.drv.out], [key], compression="none")

    # 2. populate an empty store from the cache (zstd archives, then uncompressed ones, then
    # zstd with a warm link cache: its files hard-linked, as uv links from its own cache)
    def populate(home: Path, cache: Path, links: str = "", warm: bool = False) -> float:
        env = _env(home, stack)
        opts = _options(
            substituters=(f"file://{cache}",), trusted_public_keys=trusted, link_cache=links
        )
        seconds, fates = _timed(lambda: realise([env.drv], Store(home), opts))
        log = opts.log.getvalue()
        if "building" in log or {r.status for r in fates.values()} != {"substituted"}:
            raise SystemExit(f"substitution built something:\n{log}")
        if warm and "hard-linked" not in log:
            raise SystemExit(f"the warm link cache was not used:\n{log}")
        return seconds

    links = str(work / "links")
    populate(work / "home-b-warm", cache_dir, links)  # fills the link cache

    pins = sorted(f"{p.pname}=={p.version}" for p in env.closure)
    uv_install = _uv_installer(uv, pins, work)
    copy = _copier([store_a.path(p) for p in closure], work)
    times: dict[str, list[float]] = {"cache": [], "plain": [], "linked": [], "uv": [], "copy": []}
    for i in range(runs):
        times["cache"].append(populate(work / f"home-b-{i}", cache_dir))
        times["plain"].append(populate(work / f"home-b-none-{i}", plain_dir))
        times["linked"].append(populate(work / f"home-b-linked-{i}", cache_dir, links, warm=True))
        times["uv"].append(uv_install(f"venv-timed-{i}"))
        times["copy"].append(copy(f"copy-{i}"))
    medians = {name: statistics.median(seconds) for name, seconds in times.items()}

    # 3. build into a home that holds the sources already
    home_c = work / "home-c"
    env = _env(home_c, stack)
    store_c = Store(home_c)
    copy_from(Substituters([f"file://{cache_dir}"], trusted, say=lambda _: None), store_c, sources)
    build, _ = _timed(lambda: realise([env.drv], store_c, _options(jobs=2)))

    nar_size = sum(store_a.info(p).nar_size for p in closure)
    cache = open_cache(f"file://{cache_dir}")
    infos = [cache.narinfo(p) for p in closure]
    assert None not in infos, "the cache lacks a path just copied to it"
    archives = sum(info.file_size for info in infos if info is not None)
    return {
        "paths": len(closure),
        "nar": nar_size,
        "archives": archives,
        "upload": upload,
        "build": build,
        "pins": pins,
        **medians,
    }


def _copier(paths: list[Path], work: Path) -> Callable[[str], float]:
    """A timer of ``cp -a`` of the closure's store paths into a new folder of a name: writing
    the same files with no archive to read, no hash to check and nothing to register, the
    least any store that copies (as Nix's substitution does) can take."""

    def copy(name: str) -> float:
        folder = work / name
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        argv = ["cp", "-a", *map(str, paths), str(folder)]
        seconds, _ = _timed(lambda: subprocess.run(argv, check=True))
        return seconds

    return copy


def _uv(work: Path) -> Path:
    """uv, installed with pip into a scratch virtual environment."""
    venv = work / "uv-tool"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "uv"],
        check=True,
        env={**os.environ, "PIP_DISABLE_PIP_VERSION_CHECK": "1"},
    )
    return venv / "bin" / "uv"


def _uv_installer(uv: Path, pins: list[str], work: Path) -> Callable[[str], float]:
    """A timer of ``uv pip install --offline PINS`` into a new venv of a name, once a first
    install (from the index) has warmed uv's cache: uv from its warm cache, as the store
    is populated from a warm binary cache, neither asking the network."""
    from pybuild.index import index_urls

    main, *extra = index_urls()
    env = {**os.environ, "UV_CACHE_DIR": str(work / "uv-cache"), "UV_NO_PROGRESS": "1"}
    index_args = ["--index-url", main, *(a for url in extra for a in ("--extra-index-url", url))]
    index_args += ["--index-strategy", "unsafe-best-match"]  # as pip: every index counts

    def install(name: str, *flags: str) -> float:
        venv = work / name
        subprocess.run(
            [str(uv), "venv", "-q", "--python", sys.executable, str(venv)], check=True, env=env
        )
        argv = [str(uv), "pip", "install", "-q", *flags, "--python", str(venv / "bin" / "python")]
        seconds, _ = _timed(
            lambda: subprocess.run([*argv, *index_args, *pins], check=True, env=env)
        )
        return seconds

    install("venv-warm-up")  # fills the uv cache
    return lambda name: install(name, "--offline")


def render(rows: list[tuple[str, dict[str, Any]]]) -> str:
    """The results as a table: one line a stack, times in seconds, ratios to the zstd cache."""
    lines = [
        f"{'stack':<10}{'paths':>6}{'NAR MiB':>9}{'zst MiB':>8}{'upload s':>10}"
        f"{'cache zst s':>12}{'cache none s':>14}{'linked s':>10}{'build s':>9}{'uv s':>7}"
        f"{'build/cache':>13}{'uv/cache':>10}"
    ]
    for stack, r in rows:
        lines.append(
            f"{stack:<10}{r['paths']:>6}{r['nar'] / 2**20:>9.1f}{r['archives'] / 2**20:>8.1f}"
            f"{r['upload']:>10.2f}{r['cache']:>12.2f}{r['plain']:>14.2f}{r['linked']:>10.2f}"
            f"{r['build']:>9.2f}"
            f"{r['uv']:>7.2f}{r['build'] / r['cache']:>13.1f}{r['uv'] / r['cache']:>10.2f}"
        )
    lines.append(
        "ratios against the zstd cache; 'upload' is the zstd copy --to of the closure and sources"
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stacks", nargs="+", choices=sorted(STACKS), default=list(STACKS))
    parser.add_argument("--runs", type=int, default=3, help="runs of the populations and uv")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args()
    rows: list[tuple[str, dict[str, Any]]] = []
    with tempfile.TemporaryDirectory(prefix="pybuild-bench-cache-") as tmp:
        work = Path(tmp)
        print("installing uv into a scratch venv…", file=sys.stderr)
        uv = _uv(work)
        for stack in args.stacks:
            print(f"{stack}: building, uploading, substituting, building again…", file=sys.stderr)
            rows.append((stack, _measure(stack, work / stack, uv, args.runs)))
    print(json.dumps(rows, indent=2) if args.json else render(rows))


if __name__ == "__main__":
    main()
