"""``verify`` of a registry it may not write (a read-only mount of a home, a home of another
user) says so, as any command would: it is not damage, so it is neither counted as a damaged
path nor sent to ``--recover-registry``."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from pybuild.derivations import derivation
from pybuild.errors import RegistryError
from pybuild.realiser import BuildOptions, realise
from pybuild.store import Store
from pybuild.store import registry as registry_module
from pybuild.store.registry import RegistryUnwritable
from pybuild.store.temproots import release_temp_roots


def cannot_open(store: Store) -> RegistryError:
    exc = sqlite3.OperationalError("unable to open database file")
    exc.sqlite_errorcode = sqlite3.SQLITE_CANTOPEN  # type: ignore[attr-defined]
    exc.sqlite_errorname = "SQLITE_CANTOPEN"  # type: ignore[attr-defined]
    return registry_module.registry_error(store.registry.path, exc)


def test_a_registry_that_cannot_be_opened_is_unwritable_not_damaged(store: Store) -> None:
    error = cannot_open(store)
    assert isinstance(error, RegistryUnwritable)
    assert "you may write" in error.hint


def test_verify_raises_an_unwritable_registry(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    error = cannot_open(store)

    def fails() -> None:
        raise error

    monkeypatch.setattr(store.registry, "check_whole", fails)
    with pytest.raises(RegistryUnwritable):
        list(store.verify())


@pytest.mark.skipif(
    os.geteuid() != 0 or shutil.which("mount") is None, reason="a bind mount needs root"
)
def test_verify_of_a_read_only_home(tmp_path: Path) -> None:
    home, mounted = tmp_path / "home", tmp_path / "ro"
    store = Store(home)
    drv = derivation(name="base", builder="/bin/sh", args=["-c", 'echo hi > "$out"'], store=store)
    with open(os.devnull, "w") as log:
        realise([drv], store, BuildOptions(log=log))
    release_temp_roots(store)
    store.registry.close()
    mounted.mkdir()
    bind = subprocess.run(["mount", "--bind", "-o", "ro", home, mounted], capture_output=True)
    if bind.returncode != 0:
        pytest.skip(f"cannot bind-mount: {bind.stderr!r}")
    try:
        env = {**os.environ, "PYBUILD_HOME": str(mounted)}
        argv = [sys.executable, "-m", "pybuild", "verify"]
        done = subprocess.run(argv, capture_output=True, text=True, env=env)
    finally:
        subprocess.run(["umount", mounted], check=True)
    assert done.returncode == 1
    assert "damaged" not in done.stderr
    assert "--recover-registry" not in done.stderr
    assert "you may write" in done.stderr
    assert "Traceback" not in done.stderr
