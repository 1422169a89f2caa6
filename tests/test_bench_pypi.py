"""The pure parts of the PyPI coverage job (bench/pypi.py, bench/pypi_probe.py): no index."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench.pypi import (
    AS_UV,
    FAILED,
    IMPORT_FAILED,
    OK,
    TOP_PROJECTS,
    Outcome,
    cell,
    fails_as_uv,
    first_error_line,
    judge,
    last_step,
    load_results,
    parse_compile,
    parse_probe,
    render_page,
    save_results,
    skip_reason,
)
from bench.pypi_probe import MARKER, modules_from_record, probe, wanted

ABOUT = {"date": "2026-11-30", "machine": "Linux x86_64, 2 cores", "python": "3.11", "uv": "0.9"}


def test_the_list_holds_100_distinct_projects() -> None:
    assert len(TOP_PROJECTS) == 100
    assert len(set(TOP_PROJECTS)) == 100


def test_gpu_projects_are_skipped_with_a_reason() -> None:
    assert "CUDA" in (skip_reason("nvidia-cublas-cu12") or "")
    assert skip_reason("Torch") is not None
    assert skip_reason("requests") is None


def test_record_paths_give_modules_packages_and_namespaces() -> None:
    paths = [
        "six.py",
        "_cffi_backend.cpython-311-x86_64-linux-gnu.so",
        "google/protobuf/__init__.py",
        "yaml/__init__.py",
        "PyYAML-6.0.dist-info/RECORD",
        "foo-1.0.data/scripts/x.py",
        "../../bin/pygmentize",
        "distutils-precedence.pth",
        "README.md",
    ]
    assert modules_from_record(paths) == ["_cffi_backend", "google", "six", "yaml"]


def test_private_and_test_modules_are_not_imported() -> None:
    assert [n for n in ("_yaml", "tests", "docs", "yaml") if wanted(n)] == ["yaml"]


def _dist(site: Path, name: str, files: dict[str, str], top_level: str | None = None) -> None:
    info = site / f"{name}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    (info / "RECORD").write_text("".join(f"{f},,\n" for f in files))
    if top_level is not None:
        (info / "top_level.txt").write_text(top_level)
    for path, text in files.items():
        (site / path).parent.mkdir(parents=True, exist_ok=True)
        (site / path).write_text(text)


def test_the_probe_imports_every_module_and_reports_errors(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    _dist(site, "probe-good", {"probe_good/__init__.py": "", "tests/__init__.py": "1/0"})
    _dist(site, "probe-bad", {"probe_bad.py": "raise ImportError('no libfoo')"}, "probe_bad\n")
    monkeypatch.syspath_prepend(str(site))
    found = probe([str(site)])
    assert found == [
        {
            "name": "probe-bad",
            "version": "1.0",
            "modules": ["probe_bad"],
            "errors": {"probe_bad": "ImportError: no libfoo"},
        },
        {"name": "probe-good", "version": "1.0", "modules": ["probe_good"], "errors": {}},
    ]


def test_probe_output_is_found_among_other_lines() -> None:
    report = [{"name": "six", "version": "1.17.0", "modules": ["six"], "errors": {}}]
    out = f"hello\n{MARKER}{json.dumps(report)}\n"
    assert parse_probe(out) == report
    assert parse_probe("hello\n") is None


def test_uv_compile_output_is_read_by_canonical_name() -> None:
    text = "Boto3==1.40.1\n    # via -r -\nbotocore==1.40.1 ; python_version >= '3.9'\n"
    assert parse_compile(text) == {"boto3": "1.40.1", "botocore": "1.40.1"}


def test_the_first_error_line_is_the_message() -> None:
    err = "[1/3] building x\nerror: the resolver gave up\n  hint: pin it\n"
    assert first_error_line(err) == "the resolver gave up"
    assert first_error_line("Traceback\nKeyError: 'b'\n") == "KeyError: 'b'"


def test_a_timeout_says_where_pybuild_was() -> None:
    err = "[1/3] fetching x.tar.gz (a.drv)\n[2/3] building python3.11-x-1.0 (b.drv)\nwarning\n"
    assert last_step(err) == "[2/3] building python3.11-x-1.0"
    assert last_step("resolving\n") == ""


def _dists(botocore: str, errors: dict[str, str] | None = None) -> list[dict[str, object]]:
    return [
        {"name": "boto3", "version": "1.40.1", "modules": ["boto3"], "errors": errors or {}},
        {"name": "botocore", "version": botocore, "modules": ["botocore"], "errors": {}},
    ]


def test_an_environment_at_uvs_versions_is_ok() -> None:
    outcome = judge("boto3", _dists("1.40.1"), {"boto3": "1.40.1", "botocore": "1.40.1"})
    assert (outcome.result, outcome.version, outcome.modules) == (OK, "1.40.1", 2)
    assert outcome.at_uv_version and outcome.differs == {}


def test_a_dependency_behind_uv_is_named() -> None:
    outcome = judge("boto3", _dists("0.76.0"), {"boto3": "1.40.1", "botocore": "1.40.1"})
    assert outcome.differs == {"botocore": ["0.76.0", "1.40.1"]}


def test_an_import_error_is_a_miss_with_its_message() -> None:
    dists = _dists("1.40.1", {"boto3": "ImportError: no s3transfer"})
    outcome = judge("boto3", dists, {"boto3": "1.40.1"})
    assert outcome.result == IMPORT_FAILED
    assert outcome.error == "import boto3: ImportError: no s3transfer"
    assert not outcome.at_uv_version


def test_a_failure_is_the_projects_own_only_when_uvs_install_shares_all_of_it() -> None:
    ours = _dists("1.40.1", {"boto3": "ModuleNotFoundError: No module named 'x'"})
    theirs = _dists("1.40.1", {"boto3": "ModuleNotFoundError: No module named 'x'"})
    assert fails_as_uv(ours, theirs)
    assert not fails_as_uv(ours, _dists("1.40.1"))  # uv's imports: ours is a miss
    both = _dists("1.40.1", {"boto3": "e", "botocore": "e"})
    assert not fails_as_uv(both, theirs)  # botocore imports in uv's
    assert not fails_as_uv(_dists("1.40.1"), _dists("1.40.1"))  # nothing failed at all


def test_a_project_missing_from_its_environment_is_a_miss() -> None:
    outcome = judge("s3fs", _dists("1.40.1"), {})
    assert outcome.result == IMPORT_FAILED and "s3fs" in outcome.error


def test_results_survive_a_round_trip(tmp_path: Path) -> None:
    results = {"six": Outcome("six", OK, "1.17.0", "1.17.0", "sdist", 1.5, modules=1)}
    save_results(tmp_path / "results.json", results)
    assert load_results(tmp_path / "results.json") == results
    assert load_results(tmp_path / "absent.json") == {}


def test_cells_cannot_break_the_table() -> None:
    assert cell("a|b <x> *c*") == "a\\|b &lt;x&gt; \\*c\\*"


def test_the_page_counts_and_explains_misses() -> None:
    rows = [
        Outcome("six", OK, "1.17.0", "1.17.0", "sdist (set)", 1.5, modules=1),
        Outcome(
            "idna", OK, "3.9", "3.10", "wheel", 2.0, modules=1, differs={"idna": ["3.9", "3.10"]}
        ),
        Outcome("boto3", FAILED, None, "1.40.1", "", 72.0, error="the resolver gave up"),
        Outcome("soupsieve", AS_UV, "4.1.3", "4.1.3", "sdist", 1.0, error="import bs4"),
        Outcome("blackd", IMPORT_FAILED, "1.0", "1.0", "sdist", 1.0, error="import aiohttp"),
    ]
    page = render_page(rows, 100, ABOUT, "python -m bench.pypi --limit 3")
    assert "**Built and imported 2 of 100, 1 of them at uv's version** (5 tried so far)" in page
    assert "1 more built, and import all that uv's install of the same release imports" in page
    assert "| import failed, as in uv's install: import bs4 |" in page
    assert "| **import failed**: import aiohttp |" in page
    assert "| idna | 3.9 (uv: 3.10) | wheel | 2.00 s | ok, 1 module imported |" in page
    assert "| boto3 | ? (uv: 1.40.1) |  | 72.0 s | **failed**: the resolver gave up |" in page
    assert "The projects: the first 100 of the 'top PyPI packages'" in page
    named = render_page(rows, 4, ABOUT, "python -m bench.pypi --only six,idna,boto3,x", True)
    assert "The projects: the 4 the command names." in named and "first 4" not in named
