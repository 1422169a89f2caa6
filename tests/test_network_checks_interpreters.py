"""The default set's check phases on other interpreters than the running one.

Building the whole set again would double tests/test_network_checks.py, so on CPython 3.13 a
subset is built, with tests: the suites whose test tools or own code differ per interpreter
(markupsafe's C speedups built from the sdist; pydantic on pydantic-core's wheel;
markdown-it-py's tests on pyyaml's wheel; attrs' on hypothesis; jinja2's async ones on trio;
pyflakes, which parses the interpreter's own grammar) and requests over urllib3, in the home
this run's network tests share for 3.13 (:func:`support.setbuild.shared_root`):
tests/test_network_interpreters.py builds requests and its stack there too, so whichever
comes first builds them. On 3.10 the check phases' tools that need backports there (pytest 8,
pytest-asyncio, trio, meson-python) are built, in a new home.
"""

from __future__ import annotations

from typing import Any

import pytest

from support.setbuild import build_report, need_python, shared_root

pytestmark = pytest.mark.network

# Wheels whose dependencies differ below Python 3.11 (exceptiongroup, tomli, a backport).
ON_310 = ("pytest_8", "pytest_asyncio", "trio", "meson_python")
# Built with their tests on CPython 3.13 (see the module's docstring for why these).
ON_313 = (
    "markupsafe",
    "pydantic",
    "markdown_it_py",
    "attrs",
    "jinja2",
    "pyflakes",
    "urllib3",
    "requests",
)


@pytest.fixture(scope="module")
def report_313(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """The report of building :data:`ON_313` for CPython 3.13, by attribute."""
    need_python("3.13")
    root = shared_root(tmp_path_factory, "3.13")
    return build_report(tmp_path_factory, "--python", "3.13", *ON_313, root=root)


def test_on_313_the_subset_builds_and_passes_its_tests(
    report_313: dict[str, dict[str, Any]],
) -> None:
    assert sorted(report_313) == sorted(ON_313)
    assert all("-python3.13-" in r["outputs"]["out"] for r in report_313.values())
    # Built now, or valid already: built in the shared home by the 3.13 stack's test (requests
    # and urllib3), with the same check phase, whose counts its log gives. Not failed, nor
    # skipped for a failed input.
    done = ("built", "valid")
    failed = {a: r.get("error") for a, r in report_313.items() if r["status"] not in done}
    assert failed == {}
    counts = {a: r["tests"] for a, r in report_313.items()}
    assert all(c and c["passed"] > 0 and c["failed"] == 0 for c in counts.values()), counts


def test_on_310_the_tools_that_need_backports_there_build(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    """Their runtime-dependency check refused them on 3.10 until the recipes added the
    backports (``python.version_info < (3, 11)``), failing flask's, jinja2's, blinker's and
    tqdm's check phases."""
    need_python("3.10")
    report = build_report(tmp_path_factory, "--python", "3.10", *ON_310)
    failed = {a: r.get("error") for a, r in report.items() if r["status"] != "built"}
    assert sorted(report) == sorted(ON_310) and failed == {}
