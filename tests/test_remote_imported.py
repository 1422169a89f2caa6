"""A builder's own commands do not trust what its clients imported either: a local build of an
output a client imported builds it again and compares, as a build request does, and no
signature vouches for a path that is there only because a client sent it."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from test_remote import _nar_of, _serve, _stream, pybuild

from pybuild.buildoptions import BuildOptions
from pybuild.errors import BuildError
from pybuild.store import Store

TARGET = """\
from pybuild import derivation

target = derivation(name="target", builder="/bin/sh", args=["-c", 'echo built > "$out"'])
"""


def _plant(store: Store, tmp_path: Path, content: str) -> str:
    """What a client of the builder does: import the output of ``target`` with `content`;
    its name."""
    from pybuild.derivations import derivation

    drv = derivation(name="target", builder="/bin/sh", args=["-c", 'echo built > "$out"'])
    nar, nar_hash = _nar_of(tmp_path, content)
    plant = {"op": "import", "path": drv.out, "nar_hash": nar_hash, "nar_size": len(nar)}
    assert _serve(store, _stream({**plant, "references": []}, nar)) == [
        {"reply": "imported", "path": drv.out}
    ]
    return drv.out


def test_a_local_build_of_a_planted_output_fails_as_a_build_request_does(
    store: Store, tmp_path: Path
) -> None:
    (tmp_path / "x.py").write_text(TARGET)
    name = _plant(store, tmp_path, "planted\n")
    built = pybuild("build", "-f", tmp_path / "x.py", "target", "-o", tmp_path / "result")
    assert built.returncode == 1, built.stderr
    assert "imported from a client, not built here" in built.stderr
    assert "already valid" not in built.stderr
    assert (store.imported_dir / name).exists()  # still not this store's own


def test_a_local_build_of_an_honest_import_keeps_it_as_its_own(
    store: Store, tmp_path: Path
) -> None:
    from pybuild.derivations import derivation
    from pybuild.realiser import realise
    from pybuild.results import Status

    name = _plant(store, tmp_path, "built\n")
    drv = derivation(name="target", builder="/bin/sh", args=["-c", 'echo built > "$out"'])
    log = io.StringIO()
    assert realise([drv], store, BuildOptions(log=log))[drv].status is Status.BUILT
    assert "checking target" in log.getvalue()
    assert not (store.imported_dir / name).exists()
    assert realise([drv], store, BuildOptions(log=io.StringIO()))[drv].status is Status.VALID


def test_a_planted_output_fails_the_realise_api_too(store: Store, tmp_path: Path) -> None:
    from pybuild.derivations import derivation
    from pybuild.realiser import realise
    from pybuild.results import Status

    _plant(store, tmp_path, "planted\n")
    drv = derivation(name="target", builder="/bin/sh", args=["-c", 'echo built > "$out"'])
    with pytest.raises(BuildError, match="imported from a client"):
        realise([drv], store, BuildOptions(log=io.StringIO()))
    kept_going = realise([drv], store, BuildOptions(log=io.StringIO(), keep_going=True))
    assert kept_going[drv].status is Status.FAILED


def test_a_path_only_a_client_imported_is_not_signed(store: Store, tmp_path: Path) -> None:
    from pybuild.cache import SecretKey

    name = _plant(store, tmp_path, "planted\n")
    key = tmp_path / "key"
    key.write_text(str(SecretKey.generate("builder-1")))
    cache = tmp_path / "cache"
    copied = pybuild("copy", "--to", f"file://{cache}", "--key", key, store.path(name))
    assert copied.returncode == 1, copied.stderr
    assert f"{store.path(name)} was imported by a client" in copied.stderr
    assert not cache.exists() or not list(cache.glob("*.narinfo"))
    signed = pybuild("sign", "--key", key, store.path(name))
    assert signed.returncode == 1, signed.stderr
    assert f"{store.path(name)} was imported by a client" in signed.stderr
    assert list(store.registry.signatures(name)) == []
    unsigned = pybuild("copy", "--to", f"file://{cache}", store.path(name))  # vouches for nothing
    assert unsigned.returncode == 0, unsigned.stderr


def test_a_checked_import_is_signed(store: Store, tmp_path: Path) -> None:
    from pybuild.cache import SecretKey

    (tmp_path / "x.py").write_text(TARGET)
    name = _plant(store, tmp_path, "built\n")
    assert (
        pybuild("build", "-f", tmp_path / "x.py", "target", "-o", tmp_path / "result").returncode
        == 0
    )
    key = tmp_path / "key"
    key.write_text(str(SecretKey.generate("builder-1")))
    signed = pybuild("sign", "--key", key, store.path(name))
    assert signed.returncode == 0, signed.stderr


def test_a_closure_with_a_path_only_a_client_imported_is_not_signed(
    store: Store, tmp_path: Path
) -> None:
    """A path built here from a client's import (as a build request's input is) is signed
    with its closure, or not at all: nothing is uploaded."""
    from pybuild.cache import SecretKey, copy_to, open_cache
    from pybuild.cache.errors import CacheError
    from pybuild.derivations import derivation
    from pybuild.realiser import realise

    name = _plant(store, tmp_path, "planted\n")
    user = derivation(
        name="user", builder="/bin/sh", args=["-c", f'echo {store.path(name)} > "$out"']
    )
    realise([user], store, BuildOptions(log=io.StringIO()))
    assert name in store.info(user.out).references
    cache = open_cache(f"file://{tmp_path / 'cache'}")
    with pytest.raises(CacheError, match=f"{name} was imported by a client"):
        copy_to(cache, store, [user.out], keys=[SecretKey.generate("builder-1")])
    assert not list((tmp_path / "cache").glob("*.narinfo"))


def test_the_refusal_of_an_imported_source_says_what_to_do_with_it(
    store: Store, tmp_path: Path
) -> None:
    """A path no derivation made (a source a client sent under a file's name) cannot be
    built here: the refusal says to add the file again here or remove the path."""
    from pybuild.cache import SecretKey
    from pybuild.store.core import _source_hash
    from pybuild.store.paths import make_name

    (tmp_path / "b.sh").write_text("echo real\n")
    name = make_name("source", _source_hash(str(tmp_path / "b.sh"), None).hex, "b.sh")
    nar, nar_hash = _nar_of(tmp_path, "echo planted\n")
    plant = {"op": "import", "path": name, "nar_hash": nar_hash, "nar_size": len(nar)}
    assert _serve(store, _stream({**plant, "references": []}, nar))[0]["reply"] == "imported"
    key = tmp_path / "key"
    key.write_text(str(SecretKey.generate("builder-1")))
    signed = pybuild("sign", "--key", key, store.path(name))
    assert signed.returncode == 1, signed.stderr
    assert "build its derivation" not in signed.stderr
    assert "no derivation made it" in signed.stderr
    assert "pybuild add" in signed.stderr
    assert f"pybuild delete {store.path(name)}" in signed.stderr


def test_the_refusal_of_an_imported_output_says_to_build_its_derivation(
    store: Store, tmp_path: Path
) -> None:
    from pybuild.cache import SecretKey
    from pybuild.derivations import derivation

    drv = derivation(name="target", builder="/bin/sh", args=["-c", 'echo built > "$out"'])
    nar, nar_hash = _nar_of(tmp_path, "planted\n")
    plant = {"op": "import", "path": drv.out, "nar_hash": nar_hash, "nar_size": len(nar)}
    sent = {**plant, "references": [], "deriver": drv.drv_name}
    assert _serve(store, _stream(sent, nar))[0]["reply"] == "imported"
    key = tmp_path / "key"
    key.write_text(str(SecretKey.generate("builder-1")))
    signed = pybuild("sign", "--key", key, store.path(drv.out))
    assert signed.returncode == 1, signed.stderr
    assert "build its derivation here" in signed.stderr
    assert "no derivation made it" not in signed.stderr
