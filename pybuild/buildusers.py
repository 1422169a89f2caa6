"""Build users: when pybuild runs as root, each build runs as a uid of its own, in the
sandbox or not.

A builder started by root would keep every capability: outside the sandbox it could write
``/etc``, the store and its registry and read ``/etc/shadow`` and signing keys; in it (without
a user namespace, which as root maps nothing but uid 0) it could remount its read-only views
writable. So, as Nix does (``build-users-group`` applies with ``sandbox = false`` too),
builders run as build users: like Nix's ``auto-allocate-uids``, a uid from a fixed range far
above any account's, one per build running at once, so that two builds never share a uid. A
uid is held by an ``flock`` on ``<uid>`` in the machine's pool (:func:`user_pool`) from before
the build until its outputs belong to the store's owner again; the kernel drops the lock when
its holder dies, even by SIGKILL. Its group is the number of the same value. The builder is
switched to it by util-linux's ``setpriv``, with no capabilities and no way back.

Outside the sandbox (:class:`Outside`) the build user sees the host as any other user does:
it needs every folder on the way to its program, the store and its build folders to be
searchable by others, which is checked before it starts, and its files must go back to the
store's owner before the uid is let go (:func:`give_back`, for what ``keep_failed`` keeps).
A process a build leaves behind (started in a session of its own, out of the builder's
process group, by a pybuild then killed by SIGKILL) would run on as that uid into the next
build that gets it, in the sandbox or not, whose output folder on the host is the uid's: as
Nix kills a build user's processes, every process of the uid is killed before each build and
after it, while the uid is held (:func:`build_user`), and waited for until none is left. One
that outlives its kill (stuck in the kernel) fails the build that ran as the uid, and keeps
the uid from the builds after it for as long as it lives. The ``build_users`` setting turns
them off outside the sandbox (Nix's ``build-users-group = ""``): the builder then runs as
root.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import stat
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path

from . import watchdog
from .errors import CannotRunBuilder, SettingsError, StoreError
from .records import record
from .store.walk import fd_walk, walk

__all__ = [
    "FIRST_UID",
    "POOL_SIZE",
    "BuildUser",
    "Outside",
    "as_user",
    "build_user",
    "find_setpriv",
    "give_back",
    "outside_the_sandbox",
    "take_back",
    "user_pool",
]

FIRST_UID = 872415232  # Nix's start-id for auto-allocated uids: no account has one this high
POOL_SIZE = 1024  # builds at once on the machine
_MACHINE_POOL = "/run/pybuild/userpool"  # a tmpfs: the locks need not outlive a boot
_SYSTEM_BIN = "/usr/bin:/bin"  # setpriv from the system, which the sandbox shows too
# A lock file's text (its mark): no process ran as the uid since they were all killed; some
# outlived their kill (stuck in the kernel). None: some may run (a build holds the uid, or
# its pybuild was killed while it did), so they are killed before the uid is another's.
_CLEAN = b"no process left"
_STUCK = b"processes outlived their kill"
# Seconds a killed process of a build user may take to die: freeing a big build's memory
# takes a few; one that lives on is stuck in the kernel, and its build fails.
_DYING_TIME = 30.0
# Seconds what an earlier build left as a uid may take to die before the uid is passed over
# for the next one: a build does not wait on processes that are not its own.
_PASSING_TIME = 1.0


@record(frozen=True)
class BuildUser:
    """The uid and gid a builder runs as."""

    uid: int
    gid: int


def user_pool(var: Path) -> Path:
    """The folder of the lock files that hold the build users: one for the whole machine
    (``/run/pybuild/userpool``), so that the builds of two stores (two homes)
    never share a uid, nor does one kill the other's processes; the store's ``var/userpool``
    where it cannot be made."""
    try:
        os.makedirs(_MACHINE_POOL, mode=0o700, exist_ok=True)
    except OSError:
        return var / "userpool"
    return Path(_MACHINE_POOL)


@contextlib.contextmanager
def build_user(
    pool: Path, setpriv: str | None = None, *, watched: bool = False
) -> Iterator[BuildUser]:
    """Hold the first free uid of `pool` (:func:`user_pool`) while the caller builds with it.

    Given `setpriv`, as every build does, every process of the uid is killed while it is
    held, before the build and after it (:func:`_no_process_left`), as Nix kills a build
    user's processes: one left by an earlier build (its pybuild killed by SIGKILL, a daemon
    out of its process group and environment) would run on as the uid into the next build
    that gets it, sandboxed or not, and write into its output folder, which is the uid's.
    A uid whose processes do not die is passed over (:func:`_free`). `watched` (a build
    outside the sandbox, where bubblewrap does not end them) has the watchdog kill them too,
    holding the uid, if this process dies before the build ends.

    Example::

        >>> with build_user(store.var / "userpool") as user:
        ...     user.uid
        872415232
    """
    with _held(pool, setpriv, watched) as (user, _):
        yield user


@contextlib.contextmanager
def _held(pool: Path, setpriv: str | None, watched: bool) -> Iterator[tuple[BuildUser, int]]:
    """:func:`build_user`'s uid, and the descriptor of its lock file, whose mark a build
    outside the sandbox sets once it has killed the uid's processes (:class:`Outside`)."""
    pool.mkdir(parents=True, exist_ok=True)
    stuck: list[int] = []
    for uid in range(FIRST_UID, FIRST_UID + POOL_SIZE):
        fd = os.open(pool / str(uid), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        user = BuildUser(uid, uid)
        try:
            if setpriv is None:
                yield user, fd
            elif _free(fd, setpriv, user):
                with _no_process_left(fd, setpriv, user, watched):
                    yield user, fd
            else:
                stuck.append(uid)
                continue
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)  # the watchdog may still hold a copy of `fd`
            os.close(fd)
        return
    raise _all_busy(pool, stuck)


def _free(fd: int, setpriv: str, user: BuildUser) -> bool:
    """Whether no process of `user`, whose lock file `fd` is held, is alive, so that a build
    may have the uid: they are killed first, unless the build that held it last killed them
    on its way out, as its lock file then says (one kill a build in the usual case).

    One that does not die within :data:`_PASSING_TIME` (stuck in the kernel, state D, in a
    call that waits on a hung device or mount; a killed process dies when the call returns)
    makes the uid be passed over, marked as such, for as long as any of them is alive: every
    build that got it would wait for them and fail, though none of them is its own. Marked,
    it is passed over at the cost of a look at ``/proc`` (:func:`_alive`), with no kill."""
    mark = _mark_of(fd)
    if mark == _CLEAN:
        return True
    if mark == _STUCK and _alive(user.uid):
        return False
    alive = _kill_and_wait(setpriv, user, _PASSING_TIME)
    if alive:
        _mark(fd, _STUCK)
    return not alive


def _all_busy(pool: Path, stuck: list[int]) -> StoreError:
    """The error for a pool none of whose uids is free: all held by builds, or the `stuck`
    ones with processes that outlived their kill."""
    if not stuck:
        error = StoreError(f"all {POOL_SIZE} build users of {pool} are busy")
        error.hint = (
            "wait for the other builds of this machine to finish, or lower the jobs setting"
        )
        return error
    uids = ",".join(map(str, stuck))
    error = StoreError(
        f"all {POOL_SIZE} build users of {pool} are busy or have processes that outlived"
        f" their kill (SIGKILL): build users {uids.replace(',', ', ')}"
    )
    error.hint = _stuck_hint(f"-u {uids}")
    return error


@contextlib.contextmanager
def _no_process_left(fd: int, setpriv: str, user: BuildUser, watched: bool) -> Iterator[None]:
    """Kill every process of `user`, whose lock file `fd` is held, after the caller's build
    (:func:`_end_processes`), unless the build did itself (:meth:`Outside.end`), as the
    lock file then says. The mark is wiped before the build starts, so a build killed
    before its end leaves none. The watchdog, when `watched`, holds a copy of the lock until
    it is told the processes are killed, so that, if this process dies first, it kills them
    before the uid is let go."""
    _mark(fd, b"")
    if watched:
        watchdog.watch_user(user.uid, fd)
    try:
        yield
    finally:
        try:
            if not _mark_of(fd):  # processes of the uid may have run since they were killed
                _end_processes(fd, setpriv, user)
        finally:  # even if one outlived its kill: the uid is let go, so its watch ends
            if watched:
                watchdog.forget_user(user.uid)


def _mark_of(fd: int) -> bytes:
    """The mark of the lock file `fd` (:data:`_CLEAN`, :data:`_STUCK` or none)."""
    return os.pread(fd, 64, 0)


def _mark(fd: int, mark: bytes) -> None:
    """Set the mark of the lock file `fd`. Cut short by a crash, it is none: the processes
    are killed again, as they must be when nothing is known of them."""
    os.ftruncate(fd, 0)
    os.pwrite(fd, mark, 0)


def find_setpriv() -> str | None:
    """util-linux's ``setpriv`` in the system's folders, or None."""
    return shutil.which("setpriv", path=_SYSTEM_BIN)


def as_user(setpriv: str, user: BuildUser) -> list[str]:
    """The command prefix that drops to `user` with no capabilities and no way back."""
    return [
        setpriv,
        f"--reuid={user.uid}",
        f"--regid={user.gid}",
        "--clear-groups",
        "--inh-caps=-all",
        "--bounding-set=-all",
        "--no-new-privs",  # no setuid program gives privileges back
        "--",
    ]


def with_environment(env: Mapping[str, str], argv: Sequence[str]) -> list[str]:
    """`argv` run with exactly `env`, which ``env -i`` sets once the privileged helpers
    before it (bwrap, setpriv) have dropped to the build user: started with the
    derivation's environment, they ran as root with what it says (``LD_PRELOAD``, its code
    as root on the host; ``LD_DEBUG_OUTPUT``, a file written as root anywhere)."""
    program = shutil.which("env", path=_SYSTEM_BIN)
    if program is None:
        raise StoreError("env (coreutils) is not in /usr/bin or /bin: a build cannot be started")
    if "=" in argv[0]:  # env would take it for a variable: the shell runs it instead
        argv = ["/bin/sh", "-c", 'exec "$0" "$@"', *argv]
    return [program, "-i", "--", *(f"{k}={v}" for k, v in env.items()), *argv]


def give_back(paths: Iterable[Path]) -> None:
    """Make everything under `paths` the store owner's again (a failed build's folders kept
    for inspection): a later build as the same uid must not change them.

    A file or link with other names (hard links) is first replaced by a copy of its own
    (:func:`~pybuild.store.core.unshare`): the builder may have linked it from anywhere it
    could write, and its other names keep their owner. A fifo or socket so linked is left as
    it is (nothing to copy).
    """
    from .store.core import unshare

    owner = (os.geteuid(), os.getegid())
    for top in paths:
        for dirpath, dirnames, filenames in walk(top):
            for path in [dirpath, *(os.path.join(dirpath, n) for n in dirnames + filenames)]:
                with contextlib.suppress(FileNotFoundError):
                    st = os.lstat(path)
                    if st.st_nlink > 1 and not stat.S_ISDIR(st.st_mode):
                        if not (stat.S_ISREG(st.st_mode) or stat.S_ISLNK(st.st_mode)):
                            continue
                        unshare(path)
                        st = os.lstat(path)
                    if (st.st_uid, st.st_gid) != owner:
                        os.lchown(path, *owner)


def take_back(work: Path, uid: int) -> str:
    """Make the outputs folder `work` of a build user `uid`, whose processes are gone, the
    store owner's and closed to every other user, before anything of it is read.

    The builder owns its outputs and may have opened them to all (``chmod 777 "$out"``): a
    process of another user (a local account, another build's user, one holding a folder
    open) could then swap an output for a link to a host file while pybuild, as root, reads
    the outputs and changes their modes by path, so that its chmod follows the link (a race
    that made a host binary setuid root). `work` itself, which pybuild made in its home, is
    closed first (no path into it is then left to anyone else); every folder under it is
    then taken over through a file descriptor (never by a path a link could stand in), made
    the owner's and not writable by others, so a folder held open is no way in either. An
    entry that is not `uid`'s (nor the owner's: a link to a store file) was made by another
    user, through such a way in, before it was closed: what it is is returned (else ""), for
    the build to be refused, as Nix refuses an output of another owner."""
    owner = (os.geteuid(), os.getegid())
    os.chown(work, *owner, follow_symlinks=False)
    os.chmod(work, 0o700)
    foreign = ""
    top = os.open(work, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC)
    try:
        while True:  # until a walk finds every folder taken: none could change under it then
            took, foreign = _take_folders(top, uid, owner, foreign)
            if not took:
                return foreign
    finally:
        os.close(top)


def _take_folders(top: int, uid: int, owner: tuple[int, int], foreign: str) -> tuple[bool, str]:
    """One walk of :func:`take_back` through the folder open as `top` (at any depth: a
    folder at a time, through descriptors): whether it took a folder, and the first entry
    of another user found so far."""
    took = False
    for dirfd, dirnames, filenames in fd_walk(top):
        st = os.fstat(dirfd)
        if (st.st_uid, st.st_gid) != owner or st.st_mode & 0o022:
            # A folder swapped for a link between listing and this (a walk does not
            # follow it) is left out of this walk, and found by the next.
            os.fchown(dirfd, *owner)
            os.fchmod(dirfd, stat.S_IMODE(st.st_mode) & ~0o022)
            took = True
        for name in [*dirnames, *filenames]:
            entry = os.stat(name, dir_fd=dirfd, follow_symlinks=False)
            if stat.S_ISDIR(entry.st_mode):
                continue  # taken as it is walked
            if entry.st_uid != uid and (entry.st_uid, entry.st_gid) != owner:
                foreign = foreign or (
                    f"{name}, in its outputs, was made by another user (uid {entry.st_uid})"
                )
            elif entry.st_nlink == 1 and entry.st_uid != owner[0]:
                # One with other names, elsewhere, is copied (unshare) before it changes.
                os.chown(name, *owner, dir_fd=dirfd, follow_symlinks=False)
    return took, foreign


class Outside:
    """A build outside the sandbox, run as a build user: how its builder is started."""

    def __init__(self, setpriv: str, user: BuildUser, lock: int) -> None:
        self.setpriv, self.user, self.lock = setpriv, user, lock

    def wrap(
        self,
        name: str,
        argv: Sequence[str],
        *,
        build_dir: Path,
        work: Path,
        store: Path,
        env: Mapping[str, str],
    ) -> list[str]:
        """The command that runs `argv` as the build user with `env` (to be started with an
        empty environment: :func:`with_environment`), `work` (where the outputs go) and
        `build_dir` given to it; a :class:`CannotRunBuilder` saying what to do if it could not
        reach its program or folders, rather than a bare "Permission denied" in the log."""
        for path in (argv[0], store, work.parent, build_dir.parent):
            _check_reachable(name, argv[0], os.fspath(path))
        for writable in (work, build_dir):
            os.chown(writable, self.user.uid, self.user.gid)
        _mark(self.lock, b"")  # processes of the uid run from now on: they are to be killed
        return [*as_user(self.setpriv, self.user), *with_environment(env, argv)]

    def end(self) -> None:
        """Kill every process of the build user, once its builder has ended and before
        anything of its outputs is read: a daemon it left (out of its process group, with
        another build's tag) would otherwise run on, as the uid that owns the outputs folder,
        while pybuild, as root, changes the outputs' modes and moves them into the store, and
        could swap a file of them for a link to a file of the host's (a race that made a
        host binary setuid root). In the sandbox, its PID namespace ends them all.

        The uid's lock file is marked so: no process runs as it after this, so it is not
        killed again when it is let go (each kill costs ``setpriv`` and ``sh``)."""
        _end_processes(self.lock, self.setpriv, self.user)


def _check_reachable(name: str, program: str, path: str) -> None:
    """Refuse a build whose build user could not get to `path` and run or enter it: every
    folder on the way, and `path`, must have the x bit for other users."""
    real = Path(os.path.realpath(path))
    for folder in [*reversed(real.parents), real]:
        if not os.stat(folder).st_mode & stat.S_IXOTH:
            why = f"its build user cannot reach {path}: other users may not enter {folder}"
            error = CannotRunBuilder(name, program, why)
            error.hint = (
                "as root, a build outside the sandbox runs as a build user, which sees this"
                f" machine as any other user does; {_the_sandbox_back()}, or let other users in"
                f" (chmod o+x {folder}), or set build_users = false to run such builds as root"
                " (they can then change anything here)"
            )
            raise error


def _the_sandbox_back() -> str:
    """How to build in the sandbox instead. A build is outside it because it cannot run here
    (then bubblewrap is wanted) or because ``sandbox = false`` turned it off, where it can:
    then installing what is installed is no way out, turning it on again is."""
    from .sandbox import remedy, sandbox_problem  # it imports this module

    problem = sandbox_problem()
    if not problem:
        return "turn the sandbox back on (it can run here: sandbox = relaxed, the default)"
    return f"use the sandbox, which cannot run here ({problem}): {remedy(problem)}"


@contextlib.contextmanager
def outside_the_sandbox(var: Path, enabled: bool) -> Iterator[Outside | None]:
    """The build user of a build outside the sandbox, held while the caller builds and stores
    the outputs; None when pybuild is not root or `enabled` (``build_users``) is false."""
    if os.geteuid() != 0 or not enabled:
        yield None
        return
    setpriv = find_setpriv()
    if setpriv is None:
        error = SettingsError(
            "pybuild runs as root and setpriv is not in /usr/bin or /bin: a build outside"
            " the sandbox would run as root"
        )
        error.hint = (
            "install util-linux's setpriv (Debian: apt-get install util-linux) to run builds"
            " as build users, or set build_users = false to run them as root (they can then"
            " change anything on this machine)"
        )
        raise error
    with _held(user_pool(var), setpriv, watched=True) as (user, lock):
        yield Outside(setpriv, user, lock)


def _end_processes(fd: int, setpriv: str, user: BuildUser) -> None:
    """Kill every process of `user`, whose lock file `fd` is held, at the end of its build
    (:func:`_kill_leftovers`), and mark the lock file: none left, or some that outlived
    their kill, which keeps the uid from later builds while they live (:func:`_free`)."""
    try:
        _kill_leftovers(setpriv, user)
    except StoreError:
        _mark(fd, _STUCK)
        raise
    _mark(fd, _CLEAN)


def _kill_leftovers(setpriv: str, user: BuildUser) -> None:
    """Kill every process of `user`'s uid, as Nix does after a build, and return once none
    is alive (:func:`_kill_and_wait`). One alive after :data:`_DYING_TIME` is a
    :class:`StoreError` naming it, not a build that goes on beside it."""
    if alive := _kill_and_wait(setpriv, user, _DYING_TIME):
        raise _outlived(user.uid, alive)


def _kill_and_wait(setpriv: str, user: BuildUser, within: float) -> list[int]:
    """Kill every process of `user`'s uid and wait until none is alive, or `within` seconds
    have passed: those then still alive. ``kill -KILL -1`` run as the uid reaches its
    processes alone, and itself, in one system call that no fork escapes. Its pool lock is
    held, so no build of this machine runs as it now.

    A process dies a moment after the kill returns, not at once: until then it could still
    change the outputs folder the uid owns while pybuild, as root, stores them. So the uid's
    processes are listed (:func:`_alive`) until none is left, and killed again meanwhile
    (one the uid got since)."""
    deadline = time.monotonic() + within
    pause = 0.001
    _kill_all(setpriv, user)
    while alive := _alive(user.uid):
        if time.monotonic() >= deadline:
            return alive
        time.sleep(pause)
        pause = min(2 * pause, 0.1)
        _kill_all(setpriv, user)
    return []


def _kill_all(setpriv: str, user: BuildUser) -> None:
    """Send SIGKILL to every process of `user`'s uid (but the sender), as the uid."""
    import subprocess  # only a build as root pays for it

    argv = [*as_user(setpriv, user), "/bin/sh", "-c", "kill -KILL -1"]
    subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, check=False)


def _alive(uid: int) -> list[int]:
    """The processes of `uid` that are not dead yet; a dead one this process is the parent
    of is reaped on the way, so that it is listed no more.

    A build's process whose parent died was handed to pybuild, the child subreaper of
    :mod:`pybuild.processes` while builds run: killed after the last sweep of orphans, its
    zombie would stay pybuild's, with the uid, as long as pybuild runs. pybuild waits on no
    process of the uid by now (the builder was reaped first), so none's exit status is
    taken from a waiter. Dead ones of other parents are theirs to reap. A process is found
    by its ``/proc`` folder's owner, its effective uid (a build user's is its real one too):
    a stat costs a fifth of reading its status, for each process of the machine."""
    me, alive = os.getpid(), []
    with os.scandir("/proc") as entries:
        for entry in entries:
            try:
                if not entry.name.isdigit() or entry.stat().st_uid != uid:
                    continue
                with open(f"/proc/{entry.name}/status", "rb") as f:
                    status = {k: v.split() for k, _, v in (x.partition(b":") for x in f)}
            except OSError:
                continue  # it was reaped meanwhile
            # A leader whose threads run on is a zombie too: it is dead with the last.
            if status[b"State"][0] not in (b"Z", b"X") or int(status[b"Threads"][0]) > 1:
                alive.append(int(entry.name))
            elif int(status[b"PPid"][0]) == me:
                with contextlib.suppress(ChildProcessError):  # another thread reaped it
                    os.waitpid(int(entry.name), os.WNOHANG)
    return alive


def _stuck_hint(processes: str) -> str:
    """What to do about processes that outlived their kill, and how to see them (`processes`,
    ps's selection of them: ``-u UIDS`` or ``-p PIDS``)."""
    return (
        "a killed process dies once the kernel call it is in returns: one stuck in a call"
        " that waits on a hung device or network mount (state D) lives on until it does;"
        f" see what they wait on with ps -o pid,stat,wchan:32,args {processes} and free it"
        " (unmount a hung mount with umount -f), then build again"
    )


def _outlived(uid: int, alive: list[int]) -> StoreError:
    """The error for processes of build user `uid` that outlived their kill."""
    pids = ", ".join(map(str, alive))
    error = StoreError(
        f"processes of build user {uid} still run {_DYING_TIME:g} s after they were killed"
        f" (SIGKILL): {pids}"
    )
    error.hint = _stuck_hint(f"-p {pids.replace(' ', '')}")
    return error
