"""Every test gets its own pybuild home and config, so no test sees another's store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pybuild.store import Store

# The local indexes (fixture projects, real build-tool wheels) as fixtures for every test file.
pytest_plugins = ["support.fixtures"]


@pytest.fixture(autouse=True)
def pybuild_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "pybuild-home"
    monkeypatch.setenv("PYBUILD_HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    for name in ("PYBUILD_JOBS", "PYBUILD_KEEP_FAILED", "PYBUILD_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    # Many tests watch builders through files outside the store, which the sandbox hides;
    # the sandbox's own tests (test_sandbox, test_realiser_sandbox) ask for it explicitly.
    monkeypatch.setenv("PYBUILD_SANDBOX", "false")
    return home


@pytest.fixture
def store(pybuild_home: Path) -> Iterator[Store]:
    """The test's own store (its registry connection closed afterwards)."""
    store = Store(pybuild_home)
    yield store
    store.registry.close()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The network tests' files first: they are the longest (the default set built with its
    test suites, numpy from its sdist), and pytest-xdist (``-n auto --dist loadfile``) hands
    files to its workers in this order, so they start at once instead of ending the run."""
    items.sort(key=lambda item: item.get_closest_marker("network") is None)
