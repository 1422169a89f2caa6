"""Build users: builds running at once never share a uid, and as root no builder runs as
root, in the sandbox or not."""

from __future__ import annotations

import http.server
import os
import shutil
import stat
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from pybuild import buildusers
from pybuild.buildusers import FIRST_UID, POOL_SIZE, build_user, outside_the_sandbox, user_pool
from pybuild.derivations import Derivation, derivation
from pybuild.errors import BuildError, PybuildError, StoreError
from pybuild.hashing import hash_bytes
from pybuild.realiser import BuildOptions, realise
from pybuild.store import Store, remove_tree


def test_builds_at_once_get_different_users_and_a_finished_one_frees_its_own(
    tmp_path: Path,
) -> None:
    with build_user(tmp_path) as first, build_user(tmp_path) as second:
        assert (first.uid, second.uid) == (FIRST_UID, FIRST_UID + 1)
        assert first.gid == first.uid
    with build_user(tmp_path) as again:
        assert again.uid == FIRST_UID


def test_a_full_pool_is_an_error_that_says_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(buildusers, "POOL_SIZE", 1)
    busy = pytest.raises(StoreError, match=r"build users of .* are busy")
    with build_user(tmp_path), busy as err, build_user(tmp_path):
        pass
    assert "jobs" in err.value.hint


# As root, a build outside the sandbox runs as a build user too. Its store must be one every
# user can pass through: the test's own tmp_path lies under pytest's folder of mode 0700.
as_root = pytest.mark.skipif(os.geteuid() != 0, reason="build users are root's")
UNSANDBOXED = BuildOptions(sandbox="false", log=open(os.devnull, "w"))  # noqa: SIM115


@pytest.fixture
def open_store(monkeypatch: pytest.MonkeyPatch) -> Iterator[Store]:
    """A store in a folder of /tmp that a build user may enter, builds run as build users."""
    top = Path(tempfile.mkdtemp(prefix="pybuild-users-"))
    top.chmod(0o755)
    monkeypatch.setenv("PYBUILD_HOME", str(top / "home"))
    monkeypatch.delenv("PYBUILD_BUILD_USERS", raising=False)
    store = Store(top / "home")
    try:
        yield store
    finally:
        store.registry.close()
        remove_tree(top)


def sh(store: Store, script: str, **attrs: Any) -> Derivation:
    return derivation(name="who", builder="/bin/sh", args=["-c", script], store=store, **attrs)


@as_root
def test_as_root_a_build_outside_the_sandbox_runs_as_a_build_user(open_store: Store) -> None:
    """It ran as root: it could write the store and the registry, and read /etc/shadow."""
    store = open_store
    script = (
        'mkdir "$out"; id -u > "$out/id"; grep ^CapEff /proc/self/status >> "$out/id";'
        f' for f in {store.dir} {store.var}/db.sqlite /etc; do test -w "$f" && echo "$f";'
        ' done >> "$out/id"; test -r /etc/shadow && echo /etc/shadow >> "$out/id"; :'
    )
    drv = sh(store, script)
    realise([drv], store, UNSANDBOXED)
    out = Path(drv.path(store=store))
    uid, caps, *writable = (out / "id").read_text().splitlines()
    assert FIRST_UID <= int(uid) < FIRST_UID + POOL_SIZE
    assert int(caps.split()[1], 16) == 0
    assert writable == []
    for path in [out, *out.iterdir()]:
        st = os.lstat(path)
        assert (st.st_uid, st.st_gid) == (os.geteuid(), os.getegid()), path
    lock = os.stat(user_pool(store.var) / uid).st_ino  # given back when the build was stored
    with open("/proc/locks") as locks:
        assert not [line for line in locks if line.split()[5].endswith(f":{lock}")]


@as_root
def test_as_root_a_derivations_environment_reaches_the_builder_alone_not_setpriv(
    open_store: Store,
) -> None:
    """setpriv was started with the derivation's environment, as root, before it dropped to
    the build user: the loader wrote LD_DEBUG_OUTPUT's file as root (and LD_PRELOAD ran its
    code so). The builder still gets every variable."""
    victim = open_store.home.parent / "victim"
    victim.mkdir(mode=0o700)  # no build user may write here; root may
    env = {"LD_DEBUG": "libs", "LD_DEBUG_OUTPUT": str(victim / "written"), "odd": "a=b c"}
    drv = sh(open_store, 'mkdir "$out"; echo "$LD_DEBUG $odd" > "$out/seen"', env=env)
    realise([drv], open_store, UNSANDBOXED)
    assert [(p.name, p.stat().st_uid) for p in victim.iterdir()] == []
    assert (Path(drv.path(store=open_store)) / "seen").read_text() == "libs a=b c\n"


@as_root
def test_as_root_the_builds_of_two_stores_never_share_a_build_user(open_store: Store) -> None:
    """The pool is the machine's: a build user of one store's build is busy for another's."""
    other = open_store.home.parent / "other-home"
    with (
        outside_the_sandbox(open_store.var, enabled=True) as first,
        outside_the_sandbox(other / "var", enabled=True) as second,
    ):
        assert first is not None and second is not None
        assert first.user.uid != second.user.uid


@pytest.fixture
def own_uids(open_store: Store, monkeypatch: pytest.MonkeyPatch) -> int:
    """A pool and uids of the test's own, the first of which it returns: the machine's builds,
    of other tests running at once, are not to be killed."""
    first = FIRST_UID + POOL_SIZE // 2
    monkeypatch.setattr(buildusers, "FIRST_UID", first)
    monkeypatch.setattr(buildusers, "_MACHINE_POOL", str(open_store.home.parent / "pool"))
    return first


def left_running(uid: int) -> subprocess.Popen[bytes]:
    """A process of `uid` that no build of this test started: one an earlier build left."""
    setpriv = buildusers.find_setpriv()
    assert setpriv is not None
    argv = [*buildusers.as_user(setpriv, buildusers.BuildUser(uid, uid)), "sleep", "300"]
    process = subprocess.Popen(argv, start_new_session=True)
    status = Path(f"/proc/{process.pid}/status")
    while f"\t{uid}\t" not in status.read_text().partition("Uid:")[2].partition("\n")[0]:
        time.sleep(0.01)  # setpriv has not switched yet
    return process


def sandbox_runs() -> bool:
    from pybuild.sandbox import sandbox_problem

    return not sandbox_problem()


# A test run outside the sandbox and, where it can run, in it.
in_and_out_of_the_sandbox = pytest.mark.parametrize(
    "options",
    [
        UNSANDBOXED,
        pytest.param(
            replace(UNSANDBOXED, sandbox="true"),
            marks=pytest.mark.skipif(not sandbox_runs(), reason="the sandbox cannot run here"),
            id="sandboxed",
        ),
    ],
    ids=lambda options: f"sandbox={options.sandbox}",
)


@as_root
@in_and_out_of_the_sandbox
def test_as_root_what_a_build_user_left_running_dies_before_its_next_build(
    open_store: Store, own_uids: int, options: BuildOptions
) -> None:
    """A process of a build user's that outlived its build (its pybuild killed by SIGKILL, a
    daemon out of the watchdog's reach) would go on into the next build as that uid, and
    write into its output folder, sandboxed or not: it is killed first, as Nix kills a build
    user's processes."""
    left = left_running(own_uids)
    try:
        realise([sh(open_store, 'mkdir "$out"')], open_store, options)  # the pool's first uid
        assert processes_of(own_uids) == []  # dead, and reaped: it was this process's child
    finally:
        left.kill()
        left.wait()


def processes_of(uid: int, *, dead: bool = False) -> list[int]:
    """The pids of the live processes whose real uid is `uid`; with `dead`, of the dead ones
    not yet reaped (zombies) whose parent is this process too."""
    found = []
    for entry in os.listdir("/proc"):
        try:
            status = Path(f"/proc/{entry}/status").read_text()
        except (OSError, ValueError):
            continue  # not a process, or one that ended
        zombie = status.partition("State:")[2].split()[:1] == ["Z"]  # not reaped yet
        ours = status.partition("PPid:")[2].split()[:1] == [str(os.getpid())]
        if status.partition("Uid:")[2].split()[:1] == [str(uid)] and (
            not zombie or (dead and ours)
        ):
            found.append(int(entry))
    return found


@as_root
def test_as_root_no_process_of_a_build_user_runs_while_its_outputs_are_stored(
    open_store: Store, own_uids: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A daemon the builder left out of its process group and tag ran on as the build user,
    which owns the outputs folder, until the build's end: while pybuild, as root, changed the
    outputs' modes and moved them, it could swap an output for a link to a host file (a race
    that made a host binary setuid root). Every process of the uid now dies first."""
    from pybuild import buildstep, processes

    seen: list[list[int]] = []
    rewrite = buildstep._rewrite_outputs

    def watched(*args: Any) -> None:
        seen.append(processes_of(own_uids))
        rewrite(*args)

    monkeypatch.setattr(buildstep, "_rewrite_outputs", watched)
    # Another build running here, whose tag the daemon takes: the reaper spares its processes.
    other = "PYBUILD_BUILD_TOP=/tmp/pybuild-build-other-0"
    monkeypatch.setitem(processes._REAPER.running, 2**22 + 1, other)
    script = f'mkdir "$out"; setsid env -i {other} sleep 300 </dev/null >/dev/null 2>&1 & sleep 0.2'
    realise([sh(open_store, script)], open_store, UNSANDBOXED)
    assert seen == [[]]


@as_root
def test_as_root_a_build_users_process_handed_to_pybuild_is_reaped_once_killed(
    open_store: Store, own_uids: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A daemon of the builder's, spared by the sweep of orphans (it took a running build's
    tag), was handed to pybuild (the child subreaper) when the builder exited; killed as the
    build user after that sweep, it stayed a zombie of pybuild's, listed with the uid, for as
    long as pybuild ran. It is now reaped with the kill, which returns once no process of the
    uid is left."""
    from pybuild import processes

    other = "PYBUILD_BUILD_TOP=/tmp/pybuild-build-other-0"
    monkeypatch.setitem(processes._REAPER.running, 2**22 + 1, other)
    script = f'mkdir "$out"; setsid env -i {other} sleep 300 </dev/null >/dev/null 2>&1 & sleep 0.2'
    realise([sh(open_store, script)], open_store, UNSANDBOXED)
    assert processes_of(own_uids, dead=True) == []


@as_root
def test_as_root_a_process_the_build_user_gets_after_the_kill_is_killed_too(
    open_store: Store, own_uids: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The kill is sent until no process of the uid is left, not once."""
    setpriv = buildusers.find_setpriv()
    assert setpriv is not None
    user = buildusers.BuildUser(own_uids, own_uids)
    kill, born = buildusers._kill_all, []

    def then_one_more(setpriv: str, user: buildusers.BuildUser) -> None:
        kill(setpriv, user)
        if not born:
            born.append(left_running(user.uid))

    monkeypatch.setattr(buildusers, "_kill_all", then_one_more)
    try:
        buildusers._kill_leftovers(setpriv, user)
        assert processes_of(own_uids, dead=True) == []
    finally:
        born[0].kill()
        born[0].wait()


@as_root
def test_as_root_a_build_users_process_that_outlives_its_kill_is_an_error_naming_it(
    open_store: Store, own_uids: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One stuck in the kernel (a hung mount) is named, not waited for without end, nor let
    run beside the build."""
    setpriv = buildusers.find_setpriv()
    assert setpriv is not None
    monkeypatch.setattr(buildusers, "_kill_all", lambda setpriv, user: None)  # it won't die
    monkeypatch.setattr(buildusers, "_DYING_TIME", 0.05)
    left = left_running(own_uids)
    try:
        with pytest.raises(StoreError, match=rf"build user {own_uids} still run .*: {left.pid}\n"):
            buildusers._kill_leftovers(setpriv, buildusers.BuildUser(own_uids, own_uids))
    finally:
        left.kill()
        left.wait()


@as_root
@in_and_out_of_the_sandbox
def test_as_root_outputs_opened_to_all_are_closed_and_another_users_entry_refused(
    open_store: Store, own_uids: int, options: BuildOptions, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A builder opened its outputs to all (chmod 777 "$out"): another user swapped a file of
    them for a link to a host binary while pybuild, as root, changed the outputs' modes by
    path, so root's chmod followed the link and made the binary setuid root. The outputs are
    now closed to others before they are read, and an entry another user made is refused."""
    host = open_store.home.parent / "host-binary"
    host.write_text("#!/bin/sh\n")
    host.chmod(0o755)
    taken = buildusers.take_back
    seen: list[tuple[int, int]] = []

    def meanwhile(work: Path, uid: int) -> str:
        out = next(p for p in work.iterdir())
        seen.append((stat.S_IMODE(out.stat().st_mode), stat.S_IMODE(work.stat().st_mode)))
        (out / "x").unlink()
        (out / "x").symlink_to(host)  # what another user's process, let in, swapped in
        os.lchown(out / "x", 65534, 65534)
        return taken(work, uid)

    monkeypatch.setattr(buildusers, "take_back", meanwhile)
    script = 'mkdir "$out"; printf x > "$out/x"; chmod 4377 "$out/x"; chmod 777 "$out" "${out%/*}"'
    with pytest.raises(
        BuildError, match=r"x, in its outputs, was made by another user \(uid 65534\)"
    ):
        realise([sh(open_store, script)], open_store, options)
    assert seen == [(0o777, 0o777)]  # as the builder left them: open to all
    assert stat.S_IMODE(host.stat().st_mode) == 0o755 and host.stat().st_uid == 0


@as_root
def test_as_root_another_users_file_with_a_second_name_is_refused_too(
    open_store: Store, own_uids: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file with other names was passed over (to be copied later), whoever made it: a
    second name let another user's file into the store."""
    taken = buildusers.take_back

    def meanwhile(work: Path, uid: int) -> str:
        out = next(p for p in work.iterdir())
        (out / "planted").write_text("nobody wrote this\n")
        os.chown(out / "planted", 65534, 65534)
        os.link(out / "planted", out / "planted2")
        return taken(work, uid)

    monkeypatch.setattr(buildusers, "take_back", meanwhile)
    script = 'mkdir "$out"; chmod 777 "$out"'
    with pytest.raises(BuildError, match=r"planted2?, in its outputs, was made by another user"):
        realise([sh(open_store, script)], open_store, UNSANDBOXED)


@as_root
def test_as_root_the_outputs_are_the_owners_and_closed_to_others_when_they_are_read(
    open_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pybuild import buildstep

    seen: list[set[tuple[int, int]]] = []
    rewrite = buildstep._rewrite_outputs

    def watched(drv: Any, store: Store, work: Path, built: Any) -> None:
        found = [work, *work.rglob("*")]
        seen.append(
            {(os.lstat(p).st_uid, os.lstat(p).st_mode & 0o022) for p in found if p.is_dir()}
        )
        rewrite(drv, store, work, built)

    monkeypatch.setattr(buildstep, "_rewrite_outputs", watched)
    script = 'mkdir -p "$out/a/b"; chmod -R 777 "$out" "${out%/*}"; touch "$out/a/b/f"'
    realise([sh(open_store, script)], open_store, UNSANDBOXED)
    assert seen == [{(0, 0)}]


@as_root
def test_as_root_a_build_users_processes_die_when_it_is_let_go_and_it_is_killed_once_a_build(
    open_store: Store, own_uids: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What runs as the uid dies when the build lets it go, as in Nix; the next build of the
    uid, which that left with no process, does not kill them again (a kill costs a process)."""
    setpriv = buildusers.find_setpriv()
    assert setpriv is not None
    kills: list[int] = []
    kill = buildusers._kill_and_wait

    def counted(setpriv: str, user: buildusers.BuildUser, within: float) -> list[int]:
        kills.append(user.uid)
        return kill(setpriv, user, within)

    monkeypatch.setattr(buildusers, "_kill_and_wait", counted)
    pool = user_pool(open_store.var)
    with build_user(pool, setpriv) as user:
        left = left_running(user.uid)
    try:
        assert processes_of(user.uid) == []  # dead at once, not a moment later
    finally:
        left.kill()
        left.wait()
    assert len(kills) == 2  # before and after: the pool's lock file was new
    with build_user(pool, setpriv) as again:
        assert again == user
    assert len(kills) == 3


@as_root
def test_as_root_a_build_outside_the_sandbox_kills_its_users_processes_once(
    open_store: Store, own_uids: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """They were killed when its builder ended, before its outputs were read, and again when
    its uid was let go, though none could have run since: two kills a build (setpriv and sh
    each), a third of a tiny build's time. The first build of a new pool kills them before
    too: nothing is known of what runs as its uid."""
    kills: list[int] = []
    kill = buildusers._kill_all

    def counted(setpriv: str, user: buildusers.BuildUser) -> None:
        kills.append(user.uid)
        kill(setpriv, user)

    monkeypatch.setattr(buildusers, "_kill_all", counted)
    realise([sh(open_store, 'mkdir "$out"; echo 1 > "$out/x"')], open_store, UNSANDBOXED)
    assert kills == [own_uids, own_uids]
    kills.clear()
    realise([sh(open_store, 'mkdir "$out"; echo 2 > "$out/x"')], open_store, UNSANDBOXED)
    assert kills == [own_uids]
    mark = (user_pool(open_store.var) / str(own_uids)).read_bytes()
    assert mark == buildusers._CLEAN  # let go with no process: the next build spares the kill


def stuck(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Make the processes of build users outlive their kill, as one stuck in the kernel
    (state D) does, and wait for them no longer than a moment: the uids the kill was sent to."""
    kills: list[int] = []
    monkeypatch.setattr(buildusers, "_kill_all", lambda setpriv, user: kills.append(user.uid))
    monkeypatch.setattr(buildusers, "_DYING_TIME", 0.05)
    monkeypatch.setattr(buildusers, "_PASSING_TIME", 0.05)
    return kills


@as_root
def test_as_root_a_build_user_whose_processes_outlive_their_kill_is_not_given_to_later_builds(
    open_store: Store, own_uids: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A process stuck in the kernel outlived the kill at the end of its build, which failed
    (as it still does). Every later build was given the same uid, the first of the pool, and
    failed too, after 30 s, for as long as the process was stuck. The uid is now passed over,
    without a kill or a wait, until its processes are gone."""
    setpriv = buildusers.find_setpriv()
    assert setpriv is not None
    kills = stuck(monkeypatch)
    pool = user_pool(open_store.var)
    held: list[subprocess.Popen[bytes]] = []
    try:
        with (
            pytest.raises(StoreError, match=rf"build user {own_uids} still run .*: \d+\n"),
            build_user(pool, setpriv) as user,
        ):
            held.append(left_running(user.uid))
        assert user.uid == own_uids
        kills.clear()
        with build_user(pool, setpriv) as other:
            assert other.uid == own_uids + 1
        assert own_uids not in kills  # passed over at the cost of a look at /proc
    finally:
        for process in held:
            process.kill()
            process.wait()
    assert processes_of(own_uids, dead=True) == []
    with build_user(pool, setpriv) as again:  # its processes are gone: it is free again
        assert again.uid == own_uids


@as_root
def test_as_root_a_build_whose_daemon_outlives_its_kill_fails_and_the_next_builds_as_another(
    open_store: Store, own_uids: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same through realise, outside the sandbox: the build that left the daemon fails,
    naming it, once (it was waited for twice, at the builder's end and when the uid was let
    go); the next build is not given its uid."""
    from pybuild import processes

    stuck(monkeypatch)
    waits: list[float] = []
    kill = buildusers._kill_and_wait

    def waited(setpriv: str, user: buildusers.BuildUser, within: float) -> list[int]:
        waits.append(within)
        return kill(setpriv, user, within)

    monkeypatch.setattr(buildusers, "_kill_and_wait", waited)
    other = "PYBUILD_BUILD_TOP=/tmp/pybuild-build-other-0"  # the reaper spares it
    monkeypatch.setitem(processes._REAPER.running, 2**22 + 1, other)
    script = f'mkdir "$out"; setsid env -i {other} sleep 300 </dev/null >/dev/null 2>&1 & sleep 0.2'
    try:
        with pytest.raises(PybuildError, match=rf"build user {own_uids} still run .*: \d+"):
            realise([sh(open_store, script)], open_store, UNSANDBOXED)
        # Killed before (the pool is new), and at the builder's end, which the build waited on.
        assert waits == [buildusers._PASSING_TIME, buildusers._DYING_TIME]
        drv = sh(open_store, 'mkdir "$out"; id -u > "$out/id"')
        realise([drv], open_store, UNSANDBOXED)
        built = Path(drv.path(store=open_store)) / "id"
        assert built.read_text() == f"{own_uids + 1}\n"
    finally:
        for pid in processes_of(own_uids):
            os.kill(pid, 9)


@as_root
def test_as_root_what_a_killed_pybuild_left_that_outlives_its_kill_makes_its_uid_passed_over(
    open_store: Store, own_uids: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A build's pybuild was killed, and a process its builder left as the uid is stuck in
    the kernel: the next build was given the uid, waited 30 s and failed, though the process
    is not its own. It now builds as another uid."""
    setpriv = buildusers.find_setpriv()
    assert setpriv is not None
    kills = stuck(monkeypatch)
    left = left_running(own_uids)  # the pool is new: nothing is known of the uid
    try:
        with build_user(user_pool(open_store.var), setpriv) as user:
            assert user.uid == own_uids + 1
        assert kills[0] == own_uids  # killed first: the build waits on it no longer
    finally:
        left.kill()
        left.wait()


@as_root
def test_as_root_a_pool_of_build_users_whose_processes_outlive_their_kill_says_so(
    open_store: Store, own_uids: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With no uid free, the error says which outlived their kill and how to see why."""
    setpriv = buildusers.find_setpriv()
    assert setpriv is not None
    stuck(monkeypatch)
    monkeypatch.setattr(buildusers, "POOL_SIZE", 1)
    left = left_running(own_uids)
    outlived = rf"outlived their kill \(SIGKILL\): build users {own_uids}\n"
    try:
        with (
            pytest.raises(StoreError, match=outlived) as err,
            build_user(user_pool(open_store.var), setpriv),
        ):
            pass
    finally:
        left.kill()
        left.wait()
    assert f"ps -o pid,stat,wchan:32,args -u {own_uids} " in (err.value.hint or "")


@as_root
def test_as_root_a_failed_builds_kept_folders_are_given_back_to_the_stores_owner(
    open_store: Store,
) -> None:
    store = open_store
    drv = sh(store, 'mkdir "$out"; touch "$out/part" made-here; id -u; exit 3')
    builds = store.home.parent / "builds"
    options = replace(UNSANDBOXED, keep_failed=True, build_dir=str(builds))
    with pytest.raises(BuildError, match="status 3"):
        realise([drv], store, options)
    assert int((store.log_dir / f"{drv.drv_name}.log").read_text()) >= FIRST_UID
    kept = [*store.tmp_dir.rglob("*"), *builds.rglob("*")]
    assert {p.name for p in kept} >= {"part", "made-here"}
    assert {(os.lstat(p).st_uid, os.lstat(p).st_gid) for p in kept} == {(0, 0)}


@as_root
def test_as_root_files_hard_linked_into_kept_folders_are_copied_not_given_back(
    open_store: Store,
) -> None:
    """A builder links files it may write from elsewhere into its output and build folder,
    then fails: the kept folders hold copies of them, the store owner's, and the files
    outside stay another user's."""
    store = open_store
    host = store.home.parent / "host"
    host.mkdir()
    for name in ("in-out", "in-build"):
        (host / name).write_text(f"{name}\n")
        os.chown(host / name, 65534, 65534)
        (host / name).chmod(0o666)
    drv = sh(store, f'mkdir "$out"; ln {host}/in-out "$out/x"; ln {host}/in-build ./y; exit 3')
    builds = store.home.parent / "builds"
    options = replace(UNSANDBOXED, keep_failed=True, build_dir=str(builds))
    with pytest.raises(BuildError, match="status 3"):
        realise([drv], store, options)
    for name in ("in-out", "in-build"):
        st = os.lstat(host / name)
        assert (st.st_uid, st.st_gid, st.st_mode & 0o7777, st.st_nlink) == (65534, 65534, 0o666, 1)
        assert (host / name).read_text() == f"{name}\n"
    kept = {p.name: p for p in [*store.tmp_dir.rglob("*"), *builds.rglob("*")]}
    assert kept["x"].read_text() == "in-out\n" and kept["y"].read_text() == "in-build\n"
    assert {(os.lstat(p).st_uid, os.lstat(p).st_gid) for p in kept.values()} == {(0, 0)}


@as_root
@pytest.mark.skipif(not os.access("/usr/bin/python3", os.X_OK), reason="no /usr/bin/python3")
def test_as_root_a_download_outside_the_sandbox_works_as_a_build_user(
    open_store: Store,
) -> None:
    """A build user keeps the network and the host's certificates outside the sandbox."""
    store = open_store
    content = b"downloaded\n"

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    code = (
        "import os, ssl, sys, urllib.request; ssl.create_default_context();"
        "open(os.environ['out'], 'wb').write(urllib.request.urlopen(sys.argv[1]).read());"
        "print(os.getuid())"
    )
    url = f"http://127.0.0.1:{server.server_address[1]}/file"
    drv = derivation(
        name="download",
        builder="/usr/bin/python3",
        args=["-S", "-c", code, url],
        output_hash=hash_bytes(content).sri,
        store=store,
    )
    try:
        realise([drv], store, UNSANDBOXED)
    finally:
        server.shutdown()
    assert Path(drv.path(store=store)).read_bytes() == content
    assert int((store.log_dir / f"{drv.drv_name}.log").read_text()) >= FIRST_UID


@as_root
@pytest.mark.usefixtures("without_setpriv")
def test_as_root_without_setpriv_a_build_outside_the_sandbox_is_refused(
    open_store: Store,
) -> None:
    drv = sh(open_store, 'mkdir "$out"')
    with pytest.raises(PybuildError, match="setpriv") as err:
        realise([drv], open_store, UNSANDBOXED)
    assert "util-linux" in (err.value.hint or "")
    assert not open_store.is_valid(drv.drv_name.removesuffix(".drv"))


@as_root
def test_as_root_a_builder_a_build_user_cannot_reach_is_refused_and_says_why(
    open_store: Store,
) -> None:
    """A builder under a folder only root may enter (a pyenv under /root) would fail with an
    obscure "Permission denied": the error names the folder and what to do."""
    hidden = open_store.home.parent / "private"
    (hidden / "bin").mkdir(parents=True)
    hidden.chmod(0o700)
    shutil.copy("/bin/true", hidden / "bin" / "true")
    drv = derivation(name="hidden", builder=str(hidden / "bin" / "true"), store=open_store)
    with pytest.raises(BuildError, match=f"cannot reach .*{hidden}") as err:
        realise([drv], open_store, UNSANDBOXED)
    assert "build_users" in (err.value.hint or "")
