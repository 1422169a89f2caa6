"""A path named by its content (a source added from a file, a .drv's text) is what its name
says, whoever sent it: a builder checks the name of such a path a client imports against the
content that came, refuses one that is not, and keeps one that is as its own (its content is
its name), so no client can plant a build's input under the name of the real one."""

from __future__ import annotations

from pathlib import Path

import pytest
from test_remote import _nar_of, _serve, _stream, pybuild

from pybuild.derivations import Derivation, derivation
from pybuild.store import Store

BUILDER = 'mkdir "$out" && echo "honest output" > "$out/result.txt"\n'
EVIL = 'mkdir "$out" && echo "EVIL output chosen by a serve client" > "$out/result.txt"\n'
RECIPE = """\
from pathlib import Path
from pybuild import derivation

hello = derivation(name="imphello", builder="/bin/sh", args=[Path(__file__).parent / "b.sh"])
"""


def _source_name(path: Path) -> str:
    """The store name `Store.add_path` gives `path`, computed without adding it."""
    from pybuild.store.core import _source_hash
    from pybuild.store.paths import make_name

    return make_name("source", _source_hash(str(path), None).hex, path.name)


def _offer(
    store: Store,
    tmp_path: Path,
    name: str,
    content: str,
    *,
    ca: str | None = None,
    references: tuple[str, ...] = (),
) -> dict[str, object]:
    """What a client does: import a file holding `content` as `name`; serve's reply. A `ca`
    of ``source:`` alone is completed with the NAR hash of what is sent."""
    folder = tmp_path / "offered"
    folder.mkdir(exist_ok=True)
    nar, nar_hash = _nar_of(folder, content)
    header: dict[str, object] = {
        "op": "import",
        "path": name,
        "nar_hash": nar_hash,
        "nar_size": len(nar),
        "references": list(references),
    }
    if ca is not None:
        header["ca"] = f"source:{nar_hash}" if ca == "source:" else ca
    [reply] = _serve(store, _stream(header, nar))
    return reply


@pytest.fixture
def recipe(tmp_path: Path) -> Path:
    (tmp_path / "b.sh").write_text(BUILDER)
    (tmp_path / "hello.py").write_text(RECIPE)
    return tmp_path / "hello.py"


def test_a_builder_script_planted_under_its_name_is_refused(
    store: Store, tmp_path: Path, recipe: Path
) -> None:
    name = _source_name(tmp_path / "b.sh")
    reply = _offer(store, tmp_path, name, EVIL, ca="source:")
    assert reply["reply"] == "error"
    assert f"{name} is not the name of its content" in str(reply["error"])
    assert not store.is_valid(name)
    built = pybuild("build", "-f", recipe, "hello", "-o", tmp_path / "res")
    assert built.returncode == 0, built.stderr
    assert (tmp_path / "res" / "result.txt").read_text() == "honest output\n"


def test_a_source_claimed_with_another_hash_is_refused(
    store: Store, tmp_path: Path, recipe: Path
) -> None:
    from pybuild.hashing import hash_bytes

    name = _source_name(tmp_path / "b.sh")
    other = hash_bytes(b"something else").sri
    reply = _offer(store, tmp_path, name, BUILDER, ca=f"source:{other}")
    assert reply["reply"] == "error", reply
    assert not store.is_valid(name)


@pytest.mark.parametrize("ca", [None, "source:"])
def test_an_honest_source_is_kept_as_this_stores_own(
    store: Store, tmp_path: Path, recipe: Path, ca: str | None
) -> None:
    name = _source_name(tmp_path / "b.sh")
    assert _offer(store, tmp_path, name, BUILDER, ca=ca) == {"reply": "imported", "path": name}
    assert store.client_imported([name]) == []  # its content is its name
    assert store.info(name).ca == f"source:{store.info(name).nar_hash}"  # as add_path says


def test_a_source_claiming_references_is_refused(
    store: Store, tmp_path: Path, recipe: Path
) -> None:
    """A source's name says its content alone: one that claims to refer to another path is
    not what adding that content makes."""
    other = store.add_text("note", "kept")
    name = _source_name(tmp_path / "b.sh")
    reply = _offer(store, tmp_path, name, BUILDER, ca="source:", references=(other,))
    assert reply["reply"] == "error", reply
    assert not store.is_valid(name)


def _drv(tmp_path: Path) -> Derivation:
    """The derivation of the recipe, its builder script written (and added)."""

    (tmp_path / "b.sh").write_text(BUILDER)
    return derivation(name="imphello", builder="/bin/sh", args=[tmp_path / "b.sh"])


def test_a_derivation_planted_under_its_name_is_refused(store: Store, tmp_path: Path) -> None:
    drv = _drv(tmp_path)
    (source,) = drv.input_srcs
    forged = drv.text.replace("imphello", "imphellp")
    reply = _offer(store, tmp_path, drv.drv_name, forged, references=(source,))
    assert reply["reply"] == "error", reply
    assert f"{drv.drv_name} is not the name of its content" in str(reply["error"])
    assert not store.is_valid(drv.drv_name)


def test_a_derivation_with_other_references_is_refused(store: Store, tmp_path: Path) -> None:
    """A .drv's references are its inputs, as instantiating it registers them: one that
    lacks them would let a collection take its inputs, one with others keep what it does
    not use."""
    drv = _drv(tmp_path)
    other = store.add_text("note", "kept")
    for references in [(), (*drv.input_srcs, other)]:
        reply = _offer(store, tmp_path, drv.drv_name, drv.text, references=references)
        assert reply["reply"] == "error", (references, reply)
        assert "references" in str(reply["error"])
        assert not store.is_valid(drv.drv_name)


def test_an_honest_derivation_is_kept_as_this_stores_own(store: Store, tmp_path: Path) -> None:
    drv = _drv(tmp_path)
    name = drv.drv_name
    reply = _offer(store, tmp_path, name, drv.text, references=tuple(drv.input_srcs))
    assert reply == {"reply": "imported", "path": name}
    assert store.client_imported([name]) == []
    assert sorted(store.info(name).references) == sorted(drv.input_srcs)


def test_an_output_is_still_marked_as_a_clients(store: Store, tmp_path: Path) -> None:
    """A path whose name is not its content's (an output: named by its derivation) is kept
    apart as before."""
    drv = _drv(tmp_path)
    assert _offer(store, tmp_path, drv.out, "anything\n")["reply"] == "imported"
    assert store.client_imported([drv.out]) == [drv.out]


def test_a_source_planted_without_a_claim_is_not_used(
    store: Store, tmp_path: Path, recipe: Path
) -> None:
    """An import that says nothing of its name is kept as a client's (serve cannot tell it
    from an output); one that bears the name adding a local file gives is not that file, so
    the build refuses it, naming it, rather than run it."""
    name = _source_name(tmp_path / "b.sh")
    assert _offer(store, tmp_path, name, EVIL)["reply"] == "imported"
    built = pybuild("build", "-f", recipe, "hello", "-o", tmp_path / "res")
    assert built.returncode == 1, built.stderr
    assert f"{store.path(name)} was imported by a client of pybuild serve" in built.stderr
    assert f"pybuild delete {store.path(name)}" in built.stderr
    assert not (tmp_path / "res").exists()


def test_a_text_planted_without_a_claim_is_not_used(store: Store, tmp_path: Path) -> None:
    import hashlib

    from pybuild.errors import StoreError
    from pybuild.store.paths import make_name

    name = make_name("text", hashlib.sha256(b"kept").hexdigest(), "note")
    assert _offer(store, tmp_path, name, "planted")["reply"] == "imported"
    with pytest.raises(StoreError, match="was imported by a client of pybuild serve"):
        store.add_text("note", "kept")
    with pytest.raises(StoreError, match="was imported by a client of pybuild serve"):
        store.add_texts([("note", "kept", [])])
    assert store.client_imported([name]) == [name]


def test_an_honest_import_is_taken_as_the_added_content(store: Store, tmp_path: Path) -> None:
    """A copy a client imported under a content's name (before serve checked such names)
    that is that content becomes this store's own when the content is added here."""
    (tmp_path / "b.sh").write_text(BUILDER)
    source = store.add_path(tmp_path / "b.sh")
    note = store.add_text("note", "kept")
    drv = store.add_texts([("other", "also kept", [])])[0]
    store.imported_dir.mkdir(parents=True)
    for name in (source, note, drv):
        (store.imported_dir / name).touch()
    assert store.add_path(tmp_path / "b.sh") == source
    assert store.add_text("note", "kept") == note
    assert store.add_texts([("other", "also kept", [])]) == [drv]
    assert store.client_imported([source, note, drv]) == []
