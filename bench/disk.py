"""Disk use of 5 environments that share numpy and scipy: pybuild vs pip vs uv.

``python bench/disk.py [--keep DIR]``. Each environment holds numpy, scipy and one small
package of its own (six, idna, certifi, mdurl, pyparsing), at the versions of the default
recipes. For each tool it prints the bytes of one environment, of all five, and the ratio:

- pybuild: the store paths the environments' closures need, after ``pybuild optimise``
  (and before it), and the whole store (``du``), which also holds the build-time inputs
  (the downloaded wheels and sdists, setuptools, .drv files) that ``pybuild gc`` may free;
- pip: five venvs (``--without-pip``), packages installed by ``pip --python``;
- uv (installed with pip into a temporary venv): five ``uv venv``s filled by ``uv pip
  install`` with a cache in the same folder, so it hard-links from its cache as it does by
  default; shown without and with the cache.

Bytes are those of regular files, each inode once (``du`` counts hard links once too). It
downloads the wheels from the configured index (pip's configuration) and takes a few minutes.
"""

from __future__ import annotations

import argparse
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXTRAS = ("six", "idna", "certifi", "mdurl", "pyparsing")


def disk_bytes(paths: Iterable[Path]) -> int:
    """Bytes of the regular files under `paths`, each inode counted once."""
    seen: set[tuple[int, int]] = set()
    total = 0
    for top in paths:
        for dirpath, _, filenames in os.walk(top):
            for name in filenames:
                st = os.lstat(os.path.join(dirpath, name))
                if stat.S_ISREG(st.st_mode) and (st.st_dev, st.st_ino) not in seen:
                    seen.add((st.st_dev, st.st_ino))
                    total += st.st_size
        if os.path.isfile(top) and not os.path.islink(top):
            st = os.lstat(top)
            if (st.st_dev, st.st_ino) not in seen:
                seen.add((st.st_dev, st.st_ino))
                total += st.st_size
    return total


def versions() -> dict[str, str]:
    """numpy, scipy and the extras at the versions of the default recipes."""
    from pybuild.pkgset import package_set

    pkgs = package_set()
    return {name: pkgs[name].version for name in ("numpy", "scipy", *EXTRAS)}


def pybuild_envs(home: Path) -> dict[str, int]:
    os.environ["PYBUILD_HOME"] = str(home)
    from pybuild.pkgset import package_set
    from pybuild.realiser import BuildOptions, realise
    from pybuild.store import Store
    from pybuild.store.optimise import optimise_store

    store = Store(home)
    pkgs = package_set()
    envs = [
        pkgs.python.with_packages(lambda ps, extra=extra: [ps.numpy, ps.scipy, ps[extra]])
        for extra in EXTRAS
    ]
    with open(os.devnull, "w") as quiet:
        realise([e.drv for e in envs], store, BuildOptions(jobs=2, log=quiet))

    def closure(count: int) -> list[Path]:
        return [store.path(n) for n in store.closure([e.drv.out for e in envs[:count]])]

    before = {"one": disk_bytes(closure(1)), "five": disk_bytes(closure(5))}
    saved = optimise_store(store).bytes_saved
    return {
        "one": disk_bytes(closure(1)),
        "five": disk_bytes(closure(5)),
        "one_before": before["one"],
        "five_before": before["five"],
        "store": disk_bytes([store.dir]),
        "saved": saved,
    }


def pip_envs(work: Path, pins: dict[str, str]) -> list[Path]:
    venvs = []
    for extra in EXTRAS:
        venv = work / f"pip-{extra}"
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", venv], check=True)
        specs = [f"{n}=={pins[n]}" for n in ("numpy", "scipy", extra)]
        python = venv / "bin" / "python"
        pip: list[str | os.PathLike[str]] = [sys.executable, "-m", "pip", "--python", python]
        pip.append("--disable-pip-version-check")
        subprocess.run([*pip, "install", "-q", "--no-deps", *specs], check=True)
        venvs.append(venv)
    return venvs


def uv_envs(work: Path, pins: dict[str, str]) -> tuple[list[Path], Path]:
    from pybuild.index import index_urls

    tools = work / "uv-tool"
    subprocess.run([sys.executable, "-m", "venv", tools], check=True)
    subprocess.run([tools / "bin" / "python", "-m", "pip", "install", "-q", "uv"], check=True)
    uv = tools / "bin" / "uv"
    cache = work / "uv-cache"
    main, *extra_urls = index_urls()
    index = ["--index-url", main, *[a for u in extra_urls for a in ("--extra-index-url", u)]]
    index += ["--index-strategy", "unsafe-best-match"]  # all indexes alike, as pip reads them
    env = {**os.environ, "UV_CACHE_DIR": str(cache)}
    venvs = []
    for extra in EXTRAS:
        venv = work / f"uv-{extra}"
        subprocess.run([uv, "venv", "-q", "--python", sys.executable, venv], check=True, env=env)
        specs = [f"{n}=={pins[n]}" for n in ("numpy", "scipy", extra)]
        python = venv / "bin" / "python"
        install: list[str | os.PathLike[str]] = [uv, "pip", "install", "-q", "--python", python]
        install += ["--no-deps", *index, *specs]
        subprocess.run(install, check=True, env=env)
        venvs.append(venv)
    return venvs, cache


def mib(n: int) -> str:
    return f"{n / (1 << 20):8.1f} MiB"


def row(label: str, one: int, five: int, note: str = "") -> None:
    print(f"{label:<30} {mib(one)} {mib(five)}   {five / one:5.2f}x  {note}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--keep", type=Path, help="work in DIR and keep it (default: a temp dir)")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="pybuild-disk-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        pins = versions()
        print("environments: numpy", pins["numpy"], "+ scipy", pins["scipy"], "+ one of", end="")
        print(" " + ", ".join(f"{e} {pins[e]}" for e in EXTRAS))
        started = time.monotonic()
        pb = pybuild_envs(work / "pybuild-home")
        pip = pip_envs(work, pins)
        uv, cache = uv_envs(work, pins)
        print(f"(built and installed in {time.monotonic() - started:.0f} s)\n")
        print(f"{'':<30} {'1 env':>12} {'5 envs':>12}   ratio")
        row("pybuild, after optimise", pb["one"], pb["five"], "store paths of the closures")
        row("pybuild, before optimise", pb["one_before"], pb["five_before"])
        print(
            f"{'pybuild whole store (du)':<30} {'':>12} {mib(pb['store'])}"
            f"   (with build inputs; optimise saved {mib(pb['saved']).strip()})"
        )
        row("pip venvs", disk_bytes(pip[:1]), disk_bytes(pip))
        row("uv venvs", disk_bytes(uv[:1]), disk_bytes(uv), "hard links into its cache")
        row("uv venvs + cache", disk_bytes([*uv[:1], cache]), disk_bytes([*uv, cache]))
    finally:
        if args.keep is None:
            for path in work.rglob("*"):
                if path.is_dir() and not path.is_symlink():
                    path.chmod(0o755)
            shutil.rmtree(work)


if __name__ == "__main__":
    main()
