"""The guard that pip's configuration names for a test not marked ``network``
(support/hermetic.py), tried on tests of its own in a pytest run of their own."""

from __future__ import annotations

import pytest

# The machine's configuration, as the inner run is started with it: the guard replaces it for
# a test not marked network, and leaves it to one that is.
MACHINE = {"PIP_INDEX_URL": "file:///the-machines-index/", "PIP_EXTRA_INDEX_URL": "file:///x/"}

TESTS = """
import os

import pytest

from pybuild.index import Index, PackageIndexError


def test_a_test_that_asks_the_index_and_swallows_its_error():
    try:
        Index().files("six")
    except PackageIndexError:
        pass


def test_a_test_that_asks_nothing_sees_the_guard_alone():
    assert "/no-package-index-for-tests-not-marked-network/" in os.environ["PIP_INDEX_URL"]
    assert (os.environ["PIP_EXTRA_INDEX_URL"], os.environ["PIP_CONFIG_FILE"]) == ("", os.devnull)


@pytest.mark.network
def test_a_network_test_sees_the_machines_index():
    assert os.environ["PIP_INDEX_URL"] == "file:///the-machines-index/"


@pytest.fixture(scope="module")
def own_index():
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PIP_INDEX_URL", "file:///a-fixtures-index/")
        yield


def test_an_index_a_wider_fixture_gave_is_kept(own_index):
    assert os.environ["PIP_INDEX_URL"] == "file:///a-fixtures-index/"
"""


def test_a_test_not_marked_network_that_asks_the_index_fails_saying_what_it_asked(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in MACHINE.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("PIP_CONFIG_FILE", raising=False)
    pytester.makeconftest('pytest_plugins = ["support.hermetic"]\n')
    pytester.makeini("[pytest]\nmarkers =\n    network: uses the real package index\n")
    pytester.makepyfile(test_inner=TESTS)
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "-p", "no:benchmark")
    result.assert_outcomes(passed=4, errors=1)
    result.stdout.fnmatch_lines(
        [
            "*ERROR at teardown of test_a_test_that_asks_the_index_and_swallows_its_error*",
            "this test is not marked network, but asked the package index 1 times (/six/):*",
        ]
    )
