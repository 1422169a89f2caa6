"""A builder's clients do not trust one another: a path one client imported is an input of
another client's build only if it is that client's own copy (the same NAR hash)."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest
from test_remote import NAME, _nar_of, _serve, _stream, fake_ssh, pybuild

from pybuild.buildoptions import BuildOptions
from pybuild.store import Store


def _plant(store: Store, name: str, nar: bytes, nar_hash: str) -> None:
    """What a rogue client of the builder does: import `name` with its own content."""
    plant = {"op": "import", "path": name, "nar_hash": nar_hash, "nar_size": len(nar)}
    assert _serve(store, _stream({**plant, "references": []}, nar)) == [
        {"reply": "imported", "path": name}
    ]


def test_a_path_a_client_imported_is_valid_only_for_a_client_with_the_same_copy(
    store: Store, tmp_path: Path
) -> None:
    planted, planted_hash = _nar_of(tmp_path, "planted\n")
    _, honest_hash = _nar_of(tmp_path, "honest\n")
    _plant(store, NAME, planted, planted_hash)
    queries = [
        {"op": "query-valid", "paths": [NAME], "nar_hashes": [honest_hash]},
        {"op": "query-valid", "paths": [NAME], "nar_hashes": [planted_hash]},
        {"op": "query-valid", "paths": [NAME]},  # an older client: no hashes to compare
    ]
    replies = _serve(store, _stream(*queries))
    assert [r["paths"] for r in replies] == [[], [NAME], []]


def test_a_path_built_here_is_valid_whatever_the_client_s_copy(
    store: Store, tmp_path: Path
) -> None:
    from pybuild.derivations import derivation
    from pybuild.realiser import realise

    drv = derivation(name="made", builder="/bin/sh", args=["-c", 'echo made > "$out"'])
    realise([drv], store, BuildOptions(log=io.StringIO()))
    _, other_hash = _nar_of(tmp_path, "other\n")
    query = {"op": "query-valid", "paths": [drv.out], "nar_hashes": [other_hash]}
    assert _serve(store, _stream(query)) == [{"reply": "valid", "paths": [drv.out]}]


def test_an_import_over_another_client_s_different_copy_is_refused(
    store: Store, tmp_path: Path
) -> None:
    planted, planted_hash = _nar_of(tmp_path, "planted\n")
    honest, honest_hash = _nar_of(tmp_path, "honest\n")
    _plant(store, NAME, planted, planted_hash)
    again = {"op": "import", "path": NAME, "nar_hash": planted_hash, "nar_size": len(planted)}
    mine = {"op": "import", "path": NAME, "nar_hash": honest_hash, "nar_size": len(honest)}
    replies = _serve(
        store, _stream({**mine, "references": []}, honest, {**again, "references": []}, planted)
    )
    assert replies[0]["reply"] == "error"
    assert "imported by a client, that differs from this one" in str(replies[0]["error"])
    assert replies[1] == {"reply": "imported", "path": NAME}  # the same copy: nothing to do
    assert store.info(NAME).nar_hash == planted_hash


DRVS = """\
from pybuild import derivation

dep = derivation(name="dep", builder="/bin/sh", args=["-c", 'echo honest > "$out"'])
top = derivation(name="top", builder="/bin/sh", args=["-c", f'cat {dep} > "$out"'])
"""


def test_a_build_never_uses_an_input_another_client_planted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pybuild_home: Path
) -> None:
    """A rogue client planted its own copy of an input the workstation has: the workstation
    does not take the builder's copy for its own; the machine is dropped and told why, and
    the build done here with the workstation's input."""
    fake_ssh(tmp_path, monkeypatch, f"{sys.executable} -m pybuild")
    drvs = tmp_path / "drvs.py"
    drvs.write_text(DRVS)
    dep = pybuild("build", "-f", drvs, "dep")
    assert dep.returncode == 0, dep.stderr
    dep_name = Path(dep.stdout.strip()).name
    remote = Store(tmp_path / "remote")
    try:
        _plant(remote, dep_name, *_nar_of(tmp_path, "planted\n"))
    finally:
        remote.registry.close()
    result = pybuild("build", "-f", drvs, "top", "--builders", f"ssh://x?home={remote.home}")
    assert result.returncode == 0, result.stderr
    assert Path(result.stdout.strip()).read_text() == "honest\n"
    assert (
        f"warning: remote builder ssh://x?home={remote.home}: it refused: its store holds"
        f" another copy of {dep_name}, imported by a client, that differs from this one"
    ) in result.stderr
