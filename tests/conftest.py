"""Every test gets its own pybuild home and config, so no test sees another's store (but the
network tests that build the default set, which share one home per interpreter for the whole
run: support/setbuild.py), and, unless marked network, no package index but one it publishes
(support/hermetic.py)."""

from __future__ import annotations

import os
import shutil
import signal
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from pybuild.store import Store

# The local indexes (fixture projects, real build-tool wheels) as fixtures for every test file,
# and the guard on 127.0.0.1 that pip's configuration names for a test not marked network.
pytest_plugins = ["support.fixtures", "support.hermetic", "pytester"]

# Ctrl-C's tests (a build interrupted, in this process or a pybuild it starts) need SIGINT to
# arrive. A suite started as a background job of a non-interactive shell (`cmd &` in a
# script) inherits it ignored, and Python then sets no handler of its own: realise waited for
# its builders forever. Each process of the suite takes it as an interactive one would.
if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)


@pytest.fixture(autouse=True)
def pybuild_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "pybuild-home"
    monkeypatch.setenv("PYBUILD_HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # the link cache's default
    for name in ("PYBUILD_JOBS", "PYBUILD_KEEP_FAILED", "PYBUILD_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    # Many tests watch builders through files outside the store, which the sandbox hides;
    # the sandbox's own tests (test_sandbox, test_realiser_sandbox) ask for it explicitly.
    monkeypatch.setenv("PYBUILD_SANDBOX", "false")
    # As root, those builds would run as build users, who cannot enter the test's folders
    # (pytest makes them 0700) nor an interpreter under /root; test_buildusers asks for them.
    monkeypatch.setenv("PYBUILD_BUILD_USERS", "false")
    return home


@pytest.fixture
def store(pybuild_home: Path) -> Iterator[Store]:
    """The test's own store (its registry connection closed afterwards)."""
    store = Store(pybuild_home)
    yield store
    store.registry.close()


@pytest.fixture
def without_setpriv(monkeypatch: pytest.MonkeyPatch) -> None:
    """A machine without util-linux's ``setpriv``, through which root's builders drop to a
    build user: ``shutil.which`` finds every other program as before."""
    which = shutil.which
    monkeypatch.setattr(
        shutil,
        "which",
        lambda name, path=None: None if name == "setpriv" else which(name, path=path),
    )


# The files of the network tests that take minutes, longest first (measured on CI's 2 cores):
# the default set's `build --all` (numpy from its sdist), the scientific stack on 3.12 and 3.13,
# the overlay examples from the installed wheel, the set's check phases on 3.13 and 3.10, and
# the index's imports and locks. The builds of a home that several files share
# (support.setbuild.shared_root) are then under way, or done, when the files that read them
# start, so those take seconds.
LONGEST = (
    "test_network_checks.py",
    "test_network_interpreters.py",
    # pytest-xdist gives a worker with 2 tests left its next file at once, so this one waits
    # behind the 2 of the file above: a short one (its packages are built by then).
    "test_network_builds.py",
    "test_packaging.py",
    "test_network_checks_interpreters.py",
    "test_network_pypi.py",
)


@pytest.hookimpl(tryfirst=True)
def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """``-n auto``: a worker more than the cores this process may use. A third of the suite
    waits on processes it starts (builds, shells, servers), the index and timeouts, and a
    worker waiting leaves its core to the others: on CI's 2 cores, 3 workers ran the suite in
    1,146 s where 2 took 1,291 s (the same tree, one after the other), the cores 91% busy.
    pytest-xdist's own ``PYTEST_XDIST_AUTO_NUM_WORKERS`` still says how many."""
    if os.environ.get("PYTEST_XDIST_AUTO_NUM_WORKERS"):
        return None
    if hasattr(os, "sched_getaffinity"):  # Linux: the cores this process may use
        return len(os.sched_getaffinity(0)) + 1
    return (os.cpu_count() or 1) + 1


def pytest_configure(config: pytest.Config) -> None:
    """pytest-xdist hands files to its workers in collection order: not sorted by how many
    tests each has (its default), which would start the files of a few long tests last."""
    if hasattr(config.option, "loadscopereorder"):
        config.option.loadscopereorder = False


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The files with network tests first, the longest of them (:data:`LONGEST`) in front:
    they build the default set with its test suites, numpy from its sdist, and pytest-xdist
    (``-n auto --dist loadfile``) hands files to its workers in this order, so they start at
    once instead of ending the run, and the short files even out the workers at the end.
    Then, as pytest-xdist would order them, the files with the most tests first; a file's
    tests stay together, its network tests first."""
    network = {item.path for item in items if item.get_closest_marker("network")}
    count = Counter(item.path for item in items)

    def rank(item: pytest.Item) -> tuple[bool, int, int, str, bool]:
        path = item.path
        first = LONGEST.index(path.name) if path.name in LONGEST else len(LONGEST)
        hermetic = item.get_closest_marker("network") is None
        return path not in network, first, -count[path], str(path), hermetic

    items.sort(key=rank)
