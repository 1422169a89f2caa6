"""Real builds of the default recipes from the configured index: the requests stack and numpy.

Everything is built once, into the pybuild home this run's network tests share for the
running interpreter (:func:`support.setbuild.shared_root`; the per-test homes of
``conftest.py`` stay empty), and each test looks at the results in that store: the sdists
built with their pinned hashes, the outputs' runtime references, and Python processes run
from a clean environment with exactly a package's closure as site dirs. test_network_checks'
``build --all`` builds the same derivations there: whichever comes first builds them.
"""

from __future__ import annotations

import io
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from pybuild.pkgset import PackageSet, package_set
from pybuild.python.package import PythonPackage
from pybuild.realiser import BuildOptions, realise
from pybuild.store import Store
from support.setbuild import shared_root

pytestmark = pytest.mark.network

FROM_SDIST = ("six", "idna", "certifi", "urllib3", "charset_normalizer", "requests")


@dataclass
class Built:
    """The package set and the store that every recipe of it was built into."""

    pkgs: PackageSet
    store: Store

    def out(self, pkg: PythonPackage) -> Path:
        return Path(pkg.drv.path("out", self.store))

    def site_dirs(self, pkg: PythonPackage) -> list[str]:
        """The site-packages of `pkg` and of every package of its runtime closure."""
        site = self.pkgs.python.site_packages
        return [str(self.out(p) / site) for p in [pkg, *pkg.runtime_closure]]

    def run_python(self, site_dirs: list[str], code: str) -> subprocess.CompletedProcess[str]:
        """`code` in the set's Python with exactly `site_dirs` added, in an empty environment."""
        script = f"import site; [site.addsitedir(p) for p in {site_dirs!r}]; {code}"
        return subprocess.run(
            [self.pkgs.python.executable, "-S", "-c", script],
            env={},
            capture_output=True,
            text=True,
            timeout=120,
        )


SUBJECTS = (*FROM_SDIST, "numpy")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    """The requests stack, numpy and the build tools they need, built (or found valid) in the
    shared home (the whole set is `pybuild build --all`'s job and test_network_set's)."""
    root = shared_root(tmp_path_factory)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PYBUILD_HOME", str(root / "home"))
        mp.setenv("XDG_CONFIG_HOME", str(root / "config"))
        for name in ("PYBUILD_JOBS", "PYBUILD_KEEP_FAILED", "PYBUILD_CONFIG"):
            mp.delenv(name, raising=False)
        store = Store.default()
        pkgs = package_set()
        # Evaluate every recipe (and so every fetch) and make every derivation while this
        # home is the default one: the builder source and the fetch cache live in it.
        targets = [pkgs[name].drv for name in SUBJECTS]
        realise(targets, store, BuildOptions(jobs=4, log=io.StringIO()))
        try:
            yield Built(pkgs, store)
        finally:
            store.registry.close()


def test_every_subject_builds(built: Built) -> None:
    for name in SUBJECTS:
        pkg = built.pkgs[name]
        assert built.store.is_valid(pkg.drv.output_paths["out"]), name
        assert (built.out(pkg) / built.pkgs.python.site_packages).is_dir(), name


@pytest.mark.parametrize("name", FROM_SDIST)
def test_built_from_pinned_sdist(built: Built, name: str) -> None:
    pkg = built.pkgs[name]
    src = pkg.attrs["src"]
    assert pkg.attrs["format"] == "pyproject"
    assert src.name.endswith(".tar.gz"), src.name
    assert src.is_fixed_output
    assert built.store.is_valid(src.output_paths["out"])
    assert built.store.is_valid(pkg.drv.output_paths["out"])
    info = built.out(pkg) / "pybuild-package.json"
    assert f'"version": "{pkg.version}"' in info.read_text()


def test_numpy_from_its_wheel(built: Built) -> None:
    numpy = built.pkgs.numpy
    assert numpy.attrs["format"] == "wheel"
    assert numpy.attrs["src"].name.endswith(".whl")
    assert numpy.version.startswith("2.")
    assert built.store.is_valid(numpy.drv.output_paths["out"])


def test_requests_imports_from_exactly_its_closure(built: Built) -> None:
    requests = built.pkgs.requests
    closure = {p.pname for p in requests.runtime_closure}
    assert {"urllib3", "idna", "certifi", "charset-normalizer"} <= closure
    sites = built.site_dirs(requests)
    result = built.run_python(sites, "import requests; print(requests.__version__)")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == requests.version


def test_requests_closure_is_isolated(built: Built) -> None:
    """numpy is built in the same store, but is not in requests' closure: it cannot import."""
    assert built.store.is_valid(built.pkgs.numpy.drv.output_paths["out"])
    sites = built.site_dirs(built.pkgs.requests)
    result = built.run_python(sites, "import numpy")
    assert result.returncode != 0
    assert "No module named 'numpy'" in result.stderr


def test_normalizer_script_runs_from_a_clean_environment(built: Built) -> None:
    script = built.out(built.pkgs.charset_normalizer) / "bin" / "normalizer"
    result = subprocess.run(
        [str(script), "--help"], env={}, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "usage: normalizer" in result.stdout


def test_charset_normalizer_is_pure_python(built: Built) -> None:
    out = built.out(built.pkgs.charset_normalizer)
    assert not list(out.rglob("*.so"))


def test_numpy_imports(built: Built) -> None:
    numpy = built.pkgs.numpy
    code = "import numpy; print(numpy.__version__); print(int(numpy.arange(5).sum()))"
    result = built.run_python(built.site_dirs(numpy), code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [numpy.version, "10"]


def test_requests_references_its_dependencies(built: Built) -> None:
    pkgs = built.pkgs
    name = pkgs.requests.drv.output_paths["out"]
    references = set(built.store.info(name).references)
    for dep in (pkgs.urllib3, pkgs.idna, pkgs.certifi, pkgs.charset_normalizer):
        assert dep.drv.output_paths["out"] in references, dep.pname
    assert pkgs.numpy.drv.output_paths["out"] not in references
