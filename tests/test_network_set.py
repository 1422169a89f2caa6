"""The default set as a whole, built for real: its size, and the scientific stack in shells.

What the environments need (numpy 2 and 1, scipy, fipy, matplotlib, pandas, six) is built
once, into the pybuild home this run's network tests share for the running interpreter
(:func:`support.setbuild.shared_root`: test_network_checks' ``build --all`` builds the same
derivations there, so whichever comes first builds them and the other finds them valid); each
test then runs ``pybuild shell`` in a subprocess against that home, as a user would, and looks
at what Python sees inside.
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from pybuild.bundled import example_overlays
from pybuild.pkgset import PackageSet, package_set
from pybuild.python.environment import VersionConflict
from pybuild.python.package import PythonPackage
from pybuild.realiser import BuildOptions, realise
from pybuild.store import Store
from support.setbuild import shared_root, unsupported_here

pytestmark = pytest.mark.network

REQUIRED = (
    "numpy",
    "numpy_1",
    "scipy",
    "attrs",
    "click",
    "jinja2",
    "markupsafe",
    "pyyaml",
    "toolz",
    "fipy",
    "typer",
    "typing_extensions",
    "matplotlib",
    "contourpy",
    "cycler",
    "fonttools",
    "kiwisolver",
    "pillow",
    "pyparsing",
    "python_dateutil",
    "packaging",
    "pandas",
    "pytz",
    "tzdata",
)
# Built by the fixture (numpy_1 where it exists); everything the shells below use.
BUILT = ("numpy", "numpy_1", "scipy", "fipy", "matplotlib", "pandas", "six")


@dataclass
class Built:
    """The package set, and the home its packages were built into."""

    pkgs: PackageSet
    store: Store
    home: Path
    config: Path

    def out(self, pkg: PythonPackage) -> Path:
        return Path(pkg.drv.path("out", self.store))

    def pybuild(
        self, *args: str, cwd: Path, extra_env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        """``python -m pybuild ARGS`` in a subprocess, with this module's home."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYBUILD_")}
        env.update(PYBUILD_HOME=str(self.home), XDG_CONFIG_HOME=str(self.config))
        env.update(extra_env or {})
        return subprocess.run(
            [sys.executable, "-m", "pybuild", *args],
            cwd=cwd,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )

    def shell(
        self, packages: list[str], command: str, cwd: Path
    ) -> subprocess.CompletedProcess[str]:
        """``pybuild shell --pure -p PACKAGE… --run COMMAND``."""
        args = ["shell", "--pure", *(a for p in packages for a in ("-p", p))]
        return self.pybuild(*args, "--run", command, cwd=cwd)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    """The packages of ``BUILT``, built (or found valid) in the shared home."""
    root = shared_root(tmp_path_factory)
    home, config = root / "home", root / "config"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PYBUILD_HOME", str(home))
        mp.setenv("XDG_CONFIG_HOME", str(config))
        for name in ("PYBUILD_JOBS", "PYBUILD_KEEP_FAILED", "PYBUILD_CONFIG"):
            mp.delenv(name, raising=False)
        store = Store.default()
        pkgs = package_set()
        # Make every derivation while this home is the default one (fetch cache, builder).
        built = [n for n in BUILT if n != "numpy_1" or unsupported_here(pkgs, "numpy_1") is None]
        targets = [pkgs[name].drv for name in built]
        fates = realise(targets, store, BuildOptions(jobs=2, log=io.StringIO()))
        failed = {d.drv_name: r.describe() for d, r in fates.items() if not r.ok}
        assert not failed, failed
        try:
            yield Built(pkgs, store, home, config)
        finally:
            store.registry.close()


@pytest.fixture(scope="module")
def numpy_1() -> None:
    """Skips a test of numpy_1 where the running interpreter has none, saying why."""
    reason = unsupported_here(package_set(), "numpy_1")
    if reason is not None:
        pytest.skip(reason)


def test_the_set_has_sixty_packages_and_the_required_ones() -> None:
    names = package_set().packages()
    assert len(names) >= 60, len(names)
    assert set(REQUIRED) <= set(names), sorted(set(REQUIRED) - set(names))


@pytest.mark.usefixtures("numpy_1")
def test_numpy_1_is_numpy_from_its_wheel() -> None:
    pkgs = package_set()
    assert pkgs.numpy_1.pname == pkgs.numpy.pname == "numpy"
    assert pkgs.numpy_1.version == "1.26.4"
    assert pkgs.numpy.version.startswith("2.")
    assert pkgs.numpy_1.attrs["format"] == "wheel"


def test_scipy_in_a_pure_shell(built: Built, tmp_path: Path) -> None:
    command = "python -c 'import scipy; print(scipy.__version__)'"
    result = built.shell(["numpy", "scipy"], command, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == built.pkgs.scipy.version


def test_scipy_overlay_pins_an_older_release(built: Built, tmp_path: Path) -> None:
    overlay = example_overlays() / "scipy_older.py"
    command = "python -c 'import scipy, numpy; print(scipy.__version__, numpy.__version__)'"
    result = built.pybuild(
        "shell",
        "--pure",
        "--overlay",
        str(overlay),
        "-p",
        "numpy",
        "-p",
        "scipy",
        "--run",
        command,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["1.15.3", built.pkgs.numpy.version]
    assert built.pkgs.scipy.version != "1.15.3"


def test_fipy_imports_the_sets_numpy(built: Built, tmp_path: Path) -> None:
    numpy = built.pkgs.numpy
    code = (
        "import fipy, numpy, os; print(fipy.__version__);"
        " print(numpy.__version__, os.path.realpath(numpy.__file__))"  # through the env's link
    )
    result = built.shell(["fipy"], f'python -c "{code}"', cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    fipy_version, numpy_line = result.stdout.strip().splitlines()[-2:]
    assert fipy_version == built.pkgs.fipy.version
    version, where = numpy_line.split()
    assert version == numpy.version
    assert where.startswith(str(built.out(numpy)) + "/")


@pytest.mark.usefixtures("numpy_1")
def test_numpy_and_numpy_1_conflict(built: Built, tmp_path: Path) -> None:
    result = built.pybuild("shell", "-p", "numpy", "-p", "numpy_1", "--run", "true", cwd=tmp_path)
    assert result.returncode == 1
    assert "numpy is in the environment twice" in result.stderr
    assert built.pkgs.numpy.version in result.stderr
    assert "1.26.4" in result.stderr
    assert "pulled in by environment -> numpy 1.26.4" in result.stderr
    assert f"pulled in by environment -> numpy {built.pkgs.numpy.version}" in result.stderr


@pytest.mark.usefixtures("numpy_1")
def test_conflict_names_who_pulled_each_version_in(built: Built) -> None:
    pkgs = built.pkgs
    env = pkgs.python.with_packages(lambda ps: [ps.fipy, ps.numpy_1])
    with pytest.raises(VersionConflict) as caught:
        _ = env.closure
    assert caught.value.name == "numpy"
    fipy, numpy, numpy_1 = (f"{p.pname} {p.version}" for p in (pkgs.fipy, pkgs.numpy, pkgs.numpy_1))
    assert caught.value.versions == {
        pkgs.numpy_1.version: ["environment", numpy_1],
        pkgs.numpy.version: ["environment", fipy, numpy],
    }
    assert f"environment -> {fipy} -> {numpy}" in str(caught.value)


@pytest.mark.parametrize("pure", [True, False], ids=["pure", "impure"])
def test_shell_hides_pythonpath(built: Built, tmp_path: Path, pure: bool) -> None:
    code = "import os, sys; print(os.environ.get('PYTHONPATH')); print(sys.path)"
    args = ["shell", *(["--pure"] if pure else []), "-p", "six", "--run", f'python -c "{code}"']
    result = built.pybuild(*args, cwd=tmp_path, extra_env={"PYTHONPATH": "/somewhere"})
    assert result.returncode == 0, result.stderr
    assert "/somewhere" not in result.stdout
    assert result.stdout.splitlines()[0] == "None"


def test_every_environment_has_the_same_interpreter(built: Built, tmp_path: Path) -> None:
    command = "python -c 'import sys; print(sys.version)'"
    versions = []
    for packages in (["six"], ["pandas"]):
        result = built.shell(packages, command, cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        versions.append(result.stdout.strip())
    assert versions[0] == versions[1]
    assert versions[0].startswith(built.pkgs.python.version + " ")


def test_matplotlib_renders_a_png(built: Built, tmp_path: Path) -> None:
    png = tmp_path / "plot.png"
    script = tmp_path / "plot.py"
    script.write_text(
        "import matplotlib\n"
        "import matplotlib.pyplot as plt\n"
        "fig, ax = plt.subplots(figsize=(2, 2), dpi=50)\n"
        "ax.plot([0, 1, 2], [0, 1, 4])\n"
        f"fig.savefig({str(png)!r})\n"
        "print(matplotlib.get_backend(), matplotlib.__version__)\n"
    )
    command = f"MPLBACKEND=Agg MPLCONFIGDIR={tmp_path / 'mpl'} python {script}"
    result = built.shell(["matplotlib"], command, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    backend, version = result.stdout.split()[-2:]
    assert (backend.lower(), version) == ("agg", built.pkgs.matplotlib.version)
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_pandas_makes_a_dataframe(built: Built, tmp_path: Path) -> None:
    code = (
        "import pandas as pd; "
        "df = pd.DataFrame({'x': [1, 2, 3], 'y': [0.5, 1.5, 2.5]}); "
        "print(df); print(int(df['x'].sum()), pd.__version__)"
    )
    result = built.shell(["pandas"], f'python -c "{code}"', cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[0].split() == ["x", "y"]
    assert lines[1].split() == ["0", "1", "0.5"]
    assert lines[-1].split() == ["6", built.pkgs.pandas.version]
