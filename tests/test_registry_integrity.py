"""The registry is never silently lost, and every SQLite failure is one clear error.

A registry missing, empty or unreadable while the store holds paths used to be re-created
empty: `verify` then found nothing wrong and `gc` deleted nearly the whole store. Now it stops
every command (verify reports it as damage) until `pybuild verify --recover-registry` rebuilds
it from the store; a new home still gets its registry without a word.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest

from pybuild.derivations import Derivation, derivation
from pybuild.errors import RegistryDamaged, RegistryError, RegistryFull, RegistryLost
from pybuild.realiser import BuildOptions, realise
from pybuild.store import Store
from pybuild.store.gc import collect_garbage
from pybuild.store.paths import make_name
from pybuild.store.recovery import recover_registry
from pybuild.store.registry import PathInfo, Registry, registry_error
from pybuild.store.roots import add_result_link
from pybuild.store.temproots import release_temp_roots

RECOVER = "pybuild verify --recover-registry"


def build(store: Store, name: str, script: str, **env: object) -> Derivation:
    drv = derivation(name=name, builder="/bin/sh", args=["-c", script], env=env)
    realise([drv], store, BuildOptions(log=io.StringIO()))
    return drv


def cli(*args: object) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        [sys.executable, "-m", "pybuild", *map(str, args)], capture_output=True, text=True
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result


def populate(store: Store, tmp_path: Path) -> dict[str, Derivation]:
    """A rooted chain top -> middle -> leaf, and a path nothing needs."""
    leaf = build(store, "leaf", 'mkdir "$out" && echo leaf > "$out/data"')
    middle = build(store, "middle", 'mkdir "$out" && echo "$leaf" > "$out/ref"', leaf=leaf)
    top = build(store, "top", 'mkdir "$out" && echo "$middle" > "$out/ref"', middle=middle)
    alone = build(store, "alone", 'echo alone > "$out"')
    add_result_link(store, tmp_path / "result", top.path(store=store))
    release_temp_roots(store)  # as if built by a process that has ended
    return {"top": top, "middle": middle, "leaf": leaf, "alone": alone}


def journals(db: Path) -> list[Path]:
    return [db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")]


def lose_registry(store: Store, how: str) -> None:
    """Make the registry missing, empty (0 bytes) or garbage, as a disk failure would."""
    store.registry.close()
    db = store.registry.path
    for file in journals(db):
        file.unlink(missing_ok=True)
    if how == "empty":
        db.write_bytes(b"")
    elif how == "garbage":
        db.write_bytes(bytes(range(256)) * 32)


def registered(store: Store) -> dict[str, PathInfo]:
    return {name: store.info(name) for name in store.registry.paths()}


def same_content(new: PathInfo, old: PathInfo) -> bool:
    return (new.nar_hash, new.nar_size, new.deriver) == (old.nar_hash, old.nar_size, old.deriver)


# -- a lost registry stops everything but verify and recovery -------------------------------


@pytest.mark.parametrize("how", ["missing", "empty", "garbage"])
def test_a_lost_registry_stops_every_command_that_deletes(
    store: Store, tmp_path: Path, how: str
) -> None:
    drvs = populate(store, tmp_path)
    before = sorted(os.listdir(store.dir))
    lose_registry(store, how)
    db = store.registry.path

    for command in (
        ["gc"],
        ["gc", "--dry-run"],
        ["delete", store.path(drvs["alone"].out)],
        ["optimise"],
        ["path-info", store.path(drvs["top"].out)],
    ):
        result = cli(*command)
        assert result.returncode == 1, (command, result.stdout, result.stderr)
        assert result.stderr.startswith(f"error: the store's registry {db} "), result.stderr
        assert "hint: " in result.stderr and (
            RECOVER in result.stderr or "restore" in result.stderr
        )
    assert sorted(os.listdir(store.dir)) == before  # nothing was deleted

    result = cli("verify")
    assert result.returncode == 1
    assert result.stdout.startswith(f"registry: {db}: "), result.stdout
    assert RECOVER in result.stdout
    assert "1 damaged" in result.stderr
    # The loss stays visible: nothing wrote a fresh, empty registry in its place.
    if how == "missing":
        assert not db.exists()
    elif how == "empty":
        assert db.stat().st_size == 0


def test_a_lost_registry_is_not_blamed_on_the_recipe_that_was_evaluating(
    store: Store, tmp_path: Path
) -> None:
    """The recipe's line (``at FILE:LINE``) sends a user to their code; a registry lost while
    a recipe adds its source is the store's state, and the error names only the store."""
    populate(store, tmp_path)
    lose_registry(store, "missing")
    source = tmp_path / "source.txt"
    source.write_text("x\n")
    recipe = tmp_path / "recipe.py"
    recipe.write_text(
        "from pybuild import derivation\n"
        f"thing = derivation(name='thing', builder='/bin/sh', srcs=[{str(source)!r}],\n"
        "                   args=['-c', 'echo > $out'])\n"
    )
    result = cli("build", "-f", recipe, "thing")
    assert result.returncode == 1
    assert result.stderr.startswith(f"error: the store's registry {store.registry.path} ")
    assert "  at " not in result.stderr and str(recipe) not in result.stderr


def test_a_lost_registry_is_an_error_of_the_library_too(store: Store, tmp_path: Path) -> None:
    drvs = populate(store, tmp_path)
    lose_registry(store, "empty")
    with pytest.raises(RegistryLost, match=r"is empty \(0 bytes\), but .* holds 8 store path"):
        store.is_valid(drvs["top"].out)
    with pytest.raises(RegistryLost) as caught:
        collect_garbage(store, scan_processes=False)
    assert RECOVER in caught.value.hint
    [problem] = list(store.verify())
    assert (problem.path, problem.kind, problem.is_damage) == (
        str(store.registry.path),
        "registry",
        True,
    )


def test_a_new_home_gets_its_registry_silently(store: Store) -> None:
    (store.dir / ".links").mkdir(parents=True)  # no store path yet: the home is new
    name = store.add_text("first", "one")
    assert store.is_valid(name) and store.registry.path.stat().st_size > 0
    assert cli("verify").returncode == 0


# -- recovery --------------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["missing", "empty", "garbage"])
def test_recover_registry_rebuilds_it_from_the_store(
    store: Store, tmp_path: Path, how: str
) -> None:
    drvs = populate(store, tmp_path)
    before = registered(store)
    lose_registry(store, how)

    result = cli("verify", "--recover-registry")
    assert result.returncode == 0, result.stderr
    assert f"registered {len(before)} store path(s)" in result.stderr
    for name in before:
        assert f"registering {store.path(name)}\n" in result.stdout
    aside = [p.name for p in store.var.iterdir() if p.name.startswith("db.sqlite.damaged-")]
    assert len(aside) == (0 if how == "missing" else 1)
    assert not [p for p in store.var.iterdir() if "recovering" in p.name]

    after = registered(store)
    assert after.keys() == before.keys()
    for name, old in before.items():
        new = after[name]
        assert (new.nar_hash, new.nar_size, new.deriver) == (
            old.nar_hash,
            old.nar_size,
            old.deriver,
        )
        # A .drv's text names more store paths than it was registered with (its inputs'
        # outputs in the environment): references may only grow, so gc keeps more, never less.
        assert set(old.references) <= set(new.references)
        if not name.endswith(".drv"):
            assert new.references == old.references
    assert cli("verify", "--check-contents").returncode == 0

    gc = collect_garbage(store, scan_processes=False)
    assert sorted(gc.deleted) == sorted([drvs["alone"].out, drvs["alone"].drv_name])
    for key in ("top", "middle", "leaf"):
        assert store.is_valid(drvs[key].out) and store.path(drvs[key].out).exists()


def test_a_recovery_cut_short_by_a_full_disk_leaves_no_half_registry(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    populate(store, tmp_path)
    lose_registry(store, "garbage")
    before = sorted(os.listdir(store.var))
    register = Registry.register

    def disk_full_halfway(self: Registry, infos: Iterable[PathInfo]) -> None:
        register(self, list(infos)[:1])  # the new file and its journals are there
        raise registry_error(self.path, sqlite_failure("SQLITE_FULL"))

    monkeypatch.setattr(Registry, "register", disk_full_halfway)
    with pytest.raises(RegistryFull, match=r"db\.sqlite\.recovering-[0-9]+ cannot be used"):
        recover_registry(Store(store.home))
    assert sorted(os.listdir(store.var)) == before  # the damaged one is where it was
    monkeypatch.undo()
    assert recover_registry(Store(store.home)).moved_aside is not None


def test_gc_removes_what_a_killed_recovery_left(store: Store) -> None:
    store.add_text("t", "text")
    left = [f"db.sqlite.recovering-{os.getpid() + 1}{end}" for end in ("", "-wal", "-shm")]
    for name in [*left, "db.sqlite.recovering-1.init-lock"]:
        (store.var / name).write_bytes(b"half")
    collect_garbage(store, scan_processes=False, dry_run=True)
    assert all((store.var / name).exists() for name in left)  # a dry run removes nothing
    collect_garbage(store, scan_processes=False)
    assert not [p for p in store.var.iterdir() if "recovering" in p.name]
    assert store.registry.path.exists()


def test_recover_registry_adds_what_a_backup_lacks(store: Store, tmp_path: Path) -> None:
    first = build(store, "first", 'echo first > "$out"')
    backup = tmp_path / "backup.sqlite"
    store.registry.conn.execute("VACUUM INTO ?", (str(backup),))
    second = build(store, "second", 'echo "$first" > "$out"', first=first)
    wanted = registered(store)
    store.registry.close()
    for file in journals(store.registry.path):
        file.unlink(missing_ok=True)
    os.replace(backup, store.registry.path)  # restored from a backup older than `second`
    assert not store.is_valid(second.out)

    result = recover_registry(store)
    assert sorted(result.registered) == sorted([second.out, second.drv_name])
    assert result.moved_aside is None
    for name, old in wanted.items():
        new = store.info(name)
        assert (new.nar_hash, new.nar_size, new.deriver) == (
            old.nar_hash,
            old.nar_size,
            old.deriver,
        )
        assert set(old.references) <= set(new.references)
    assert store.registry.path.with_name("db.sqlite-wal").exists()  # the same, live registry


# -- gc and unregistered roots --------------------------------------------------------------


def unregistered_roots(store: Store) -> tuple[str, str, str, str]:
    """A gc root leading to an unregistered path (`rooted`) whose bytes name another
    (`needed`) and a registered one (`used`); a third unregistered path no one needs
    (`leftover`)."""
    used = build(store, "used", 'echo used > "$out"')  # registered; only `rooted` needs it
    needed = make_name("output:out", "12" * 32, "needed")  # unregistered, `rooted` needs it
    rooted = make_name("output:out", "34" * 32, "rooted")  # unregistered, a gc root's target
    leftover = make_name("output:out", "56" * 32, "leftover")  # unregistered, no one needs it
    (store.dir / needed).write_text("needed\n")
    (store.dir / rooted).mkdir()
    (store.dir / rooted / "refs").write_text(f"{store.path(needed)}\n{store.path(used.out)}\n")
    (store.dir / leftover).write_text("half-written\n")
    store.gcroots_dir.mkdir(parents=True)
    (store.gcroots_dir / "kept").symlink_to(store.path(rooted))
    release_temp_roots(store)  # as if built by a process that has ended
    return rooted, needed, used.out, leftover


def test_gc_keeps_an_unregistered_path_a_root_leads_to_and_what_it_refers_to(
    store: Store,
) -> None:
    dead = build(store, "dead", 'echo dead > "$out"')
    rooted, needed, used, leftover = unregistered_roots(store)

    result = collect_garbage(store, scan_processes=False)
    for name in (rooted, needed, used):
        assert (store.dir / name).exists(), name
    assert store.is_valid(used)
    assert result.leftovers == [leftover] and not (store.dir / leftover).exists()
    assert dead.out in result.deleted and not store.is_valid(dead.out)


def test_verify_tells_an_unregistered_path_gc_keeps_from_a_left_over(store: Store) -> None:
    """verify called every unregistered path a left-over that "the next gc removes", a rooted
    one too, which gc keeps: it is told apart, with the root that keeps it, and is harmless
    (exit status 0); ``--repair`` leaves it, and the next gc removes the left-over alone."""
    rooted, needed, _, leftover = unregistered_roots(store)
    root = store.gcroots_dir / "kept"

    found = {p.path: p for p in store.verify()}
    assert sorted(found) == sorted([rooted, needed, leftover])
    assert found[leftover].kind == "unregistered"
    assert found[rooted].kind == found[needed].kind == "unregistered-rooted"
    assert found[rooted].detail.startswith(f"unregistered, but held by the gc root {root}, so")
    assert f"named by {rooted}, which is held by the gc root {root}" in found[needed].detail
    assert RECOVER in found[rooted].detail
    assert not any(p.is_damage for p in found.values())

    no_caches = ["--option", "link_cache", "", "--option", "substituters", ""]
    repaired = subprocess.run(
        [sys.executable, "-m", "pybuild", "verify", "--repair", "--json", *no_caches],
        capture_output=True,
        text=True,
    )
    assert repaired.returncode == 0, repaired.stderr
    kinds = {p["path"]: p["kind"] for p in json.loads(repaired.stdout)}
    assert kinds == {
        str(store.path(rooted)): "unregistered-rooted",
        str(store.path(needed)): "unregistered-rooted",
        str(store.path(leftover)): "unregistered",
    }
    assert all((store.dir / name).exists() for name in (rooted, needed, leftover))
    assert collect_garbage(store, scan_processes=False).leftovers == [leftover]


# -- SQLite failures -------------------------------------------------------------------------


def test_a_registry_damaged_where_reads_do_not_see_it_stops_gc(store: Store) -> None:
    names = [store.add_text(f"t{i}", f"text {i}") for i in range(200)]
    store.registry.close()
    db = store.registry.path
    for file in journals(db)[1:]:
        assert not file.exists()  # all in the one file once the last connection closed
    data = bytearray(db.read_bytes())
    data[-4096:] = b"\xff" * 4096  # the last page (an index): plain reads pass over it
    db.write_bytes(bytes(data))
    assert sorted(store.registry.paths()) == sorted(names)

    with pytest.raises(RegistryDamaged, match="database disk image is malformed") as caught:
        collect_garbage(store, scan_processes=False)
    assert str(db) in str(caught.value) and RECOVER in caught.value.hint
    assert all(store.path(n).exists() for n in names)
    result = cli("gc")
    assert result.returncode == 1 and "malformed" in result.stderr and "hint:" in result.stderr
    assert all(store.path(n).exists() for n in names)


def test_a_garbage_registry_is_one_error_naming_the_file(store: Store) -> None:
    name = store.add_text("t", "text")
    lose_registry(store, "garbage")
    with pytest.raises(RegistryDamaged) as caught:
        store.is_valid(name)
    error = caught.value
    assert isinstance(error, RegistryError) and not isinstance(error, RegistryLost)
    assert str(error).startswith(
        f"the store's registry {store.registry.path} cannot be used: file is not a database"
    )
    assert str(store.registry.path) in error.hint and RECOVER in error.hint
    assert isinstance(error.__cause__, sqlite3.DatabaseError)


def test_a_registry_that_cannot_be_opened_stops_gc_and_is_not_replaced(
    store: Store, tmp_path: Path
) -> None:
    drvs = populate(store, tmp_path)
    before = sorted(os.listdir(store.dir))
    lose_registry(store, "missing")
    store.registry.path.mkdir()  # as unreadable as a file can be to root

    result = cli("gc")
    assert result.returncode == 1
    assert "cannot be used: unable to open database file (SQLITE_CANTOPEN)" in result.stderr
    assert f"hint: check that {store.var} exists" in result.stderr
    result = cli("verify")  # not counted as a damaged path: said as gc says it
    assert result.returncode == 1 and result.stdout == ""
    assert "(SQLITE_CANTOPEN)" in result.stderr and "damaged" not in result.stderr
    # Not damage that a rebuild mends: recovery leaves the file to be fixed (permissions).
    result = cli("verify", "--recover-registry")
    assert result.returncode == 1 and "unable to open database file" in result.stderr
    assert store.registry.path.is_dir()
    assert sorted(os.listdir(store.dir)) == before
    store.registry.path.rmdir()
    assert cli("verify", "--recover-registry").returncode == 0
    assert store.is_valid(drvs["top"].out)


def test_a_full_registry_is_one_error_that_says_to_free_space(store: Store) -> None:
    store.add_text("first", "one")
    pages = store.registry.conn.execute("PRAGMA page_count").fetchone()[0]
    store.registry.conn.execute(f"PRAGMA max_page_count = {pages}")  # SQLite's disk is full
    with pytest.raises(RegistryError) as caught:
        for i in range(1000):
            store.add_text(f"t{i}", str(i))
    error = caught.value
    # Not "cannot rollback": SQLite had rolled back already, and the clean-up stays quiet.
    assert "database or disk is full (SQLITE_FULL)" in str(error)
    assert error.hint.startswith(f"free space on the filesystem that holds {store.var}")
    assert not isinstance(error, RegistryDamaged)


def sqlite_failure(name: str) -> sqlite3.OperationalError:
    """The error SQLite raises for result code `name` (an extended one: SQLITE_IOERR_…)."""
    error = sqlite3.OperationalError("disk I/O error")
    error.sqlite_errorcode, error.sqlite_errorname = getattr(sqlite3, name), name
    return error


def test_a_shm_file_that_cannot_grow_is_a_full_disk_not_damage(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    populate(store, tmp_path)
    db = store.registry.path
    before = sorted(os.listdir(store.var))

    def no_room_for_the_shm() -> None:
        raise registry_error(db, sqlite_failure("SQLITE_IOERR_SHMSIZE"))

    monkeypatch.setattr(store.registry, "check_whole", no_room_for_the_shm)
    with pytest.raises(RegistryFull) as caught:
        list(store.verify(check_contents=True))  # not one damaged path: no check could run
    error = caught.value
    assert "disk I/O error (SQLITE_IOERR_SHMSIZE: no room to grow db.sqlite-shm)" in str(error)
    assert error.hint.startswith(f"free space on the filesystem that holds {store.var}")
    assert RECOVER not in error.hint and not isinstance(error, RegistryDamaged)
    # A registry that is whole is not replaced by a recovery either.
    with pytest.raises(RegistryFull):
        recover_registry(store)
    assert sorted(os.listdir(store.var)) == before


@pytest.mark.parametrize("free", [0, 1 << 30])
def test_a_write_error_on_a_full_filesystem_says_to_free_space(
    store: Store, monkeypatch: pytest.MonkeyPatch, free: int
) -> None:
    store.registry.open()
    db = store.registry.path
    fs = os.statvfs(store.var)
    values = list(fs)
    values[3] = values[4] = free // fs.f_frsize  # f_bfree, f_bavail
    monkeypatch.setattr(os, "statvfs", lambda _: os.statvfs_result(values))
    error = registry_error(db, sqlite_failure("SQLITE_IOERR_WRITE"))
    if free:  # a disk with room that fails a write is a failing disk
        assert isinstance(error, RegistryDamaged) and "check the disk" in error.hint
    else:
        assert isinstance(error, RegistryFull) and "free space" in error.hint
        assert "(SQLITE_IOERR_WRITE: the filesystem that holds it is full)" in str(error)


@contextlib.contextmanager
def tiny_filesystem(where: Path, size: str) -> Iterator[Path]:
    where.mkdir()
    try:
        mounted = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)], capture_output=True
        )
    except OSError as exc:  # no mount program
        pytest.skip(f"cannot mount a tmpfs here: {exc}")
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=True)


def test_a_disk_filled_to_the_last_byte_gives_a_registry_error(tmp_path: Path) -> None:
    with tiny_filesystem(tmp_path / "small", "1m") as small:
        store = Store(small / "home")
        try:
            names = [store.add_text(f"t{i}", str(i)) for i in range(3)]
            with contextlib.suppress(OSError), open(small / "filler", "wb", buffering=0) as f:
                while True:
                    f.write(b"\0" * 4096)
            infos = [
                PathInfo(make_name("text", "0" * 64, f"t{i}"), "sha256-x", 1) for i in range(2000)
            ]
            with pytest.raises(RegistryError, match="database or disk is full") as caught:
                for info in infos:
                    store.registry.register([info])
            assert "free space" in caught.value.hint
            (small / "filler").unlink()
            assert all(store.is_valid(n) for n in names)  # nothing was lost on the way
        finally:
            store.registry.close()
