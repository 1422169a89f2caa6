"""The package index that tests not marked ``network`` are given: a guard, not an index.

Such a test must reach no index but one it publishes itself (``use_index``, ``local_index``,
``http_index``…). One that evaluated the default set in its new home asked the real index for
every file the set's recipes pin (the home's file record, ``var/cache/fetch-pypi.json``, starts
empty), so the suite failed offline and was slow online, and nothing said so. For each such
test, pip's configuration (so ``fetch_pypi``, and every ``python -m pybuild`` the test runs,
which inherits the environment) names only this guard on 127.0.0.1: it answers every request
with an error and keeps it, and the test then fails naming what it asked, even where the code
that asked swallows the error (``pybuild search`` lists a package it cannot evaluate).

The guard replaces the configuration the run was started with (the machine's pip.conf files
and ``PIP_*`` variables), not an index a fixture of a wider scope has given pip already (a
module's shared world, set up before this): that fixture's tests use its index, and a wider
fixture that evaluates the default set without one is out of the guard's sight.
"""

from __future__ import annotations

import http.server
import os
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest

from .fixtures import index_environ
from .serving import serve

__all__ = ["IndexGuard", "hermetic_index", "index_guard"]

# In the guard's URL, so the error a test's output shows says why there is no index.
_PATH = "no-package-index-for-tests-not-marked-network"


def _pip_configuration() -> dict[str, str | None]:
    """The variables through which the tests give pip an index, as they are now."""
    return {name: os.environ.get(name) for name in index_environ("")}


@dataclass
class IndexGuard:
    """The guard's index URL; the paths asked of it, in order, by any test of the worker (its
    server's threads append to the list, which needs no lock); and pip's configuration as the
    run was started with it."""

    url: str
    started_with: dict[str, str | None]
    asked: list[str] = field(default_factory=list)


@pytest.fixture(scope="session")
def index_guard() -> Iterator[IndexGuard]:
    """The guard, served for the whole run (each pytest-xdist worker its own)."""
    guard = IndexGuard("", _pip_configuration())

    class Refuse(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            guard.asked.append(self.path)
            self.send_error(503, "a test not marked network has no package index")

        do_HEAD = do_GET

        def log_message(self, format: str, *args: object) -> None:
            """Silence the per-request lines http.server writes to stderr."""

    with serve(Refuse) as url:
        guard.url = f"{url}/{_PATH}/"
        yield guard


@pytest.fixture(autouse=True)
def hermetic_index(
    request: pytest.FixtureRequest, index_guard: IndexGuard, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """pip's configuration, for a test not marked ``network``: the guard alone (no pip.conf
    file either, whose index may be any host); a test that publishes an index sets it over
    this one. The test fails if anything asked the guard while it ran."""
    own = _pip_configuration() != index_guard.started_with  # a wider fixture's index
    if request.node.get_closest_marker("network") or own:
        yield
        return
    for name, value in index_environ(index_guard.url).items():
        monkeypatch.setenv(name, value)
    before = len(index_guard.asked)
    yield
    asked = index_guard.asked[before:]
    if asked:
        shown = ", ".join(path.removeprefix(f"/{_PATH}") for path in asked[:5])
        more = f" and {len(asked) - 5} more" if len(asked) > 5 else ""
        pytest.fail(
            f"this test is not marked network, but asked the package index {len(asked)} times"
            f" ({shown}{more}): give it an index of its own (use_index publishes the fixture"
            " projects and the files the set's build tools pin), or mark it network if it needs"
            " what the real index holds",
            pytrace=False,
        )
