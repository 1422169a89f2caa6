"""The build sandbox: a builder sees only its declared inputs and, unless it is a download, no
network (Nix's sandbox on Linux, made with bubblewrap).

A builder runs with no capabilities: as root, pybuild runs it as a build user of its own
(:mod:`pybuild.buildusers`) through ``setpriv``, since root's bubblewrap keeps every
capability; as any other user, bubblewrap's user namespace drops them. So it can neither
remount nor chown, and it writes nothing but its build folder, ``$out`` and its private
``/tmp`` and ``/dev/shm``.

Inside, the file system holds the system's programs and libraries read-only (``/usr``,
``/bin``, ``/sbin``, ``/lib*``, ``/opt``), the interpreter's installation read-only but for
its site-packages (empty: what happens to be installed there must not change a build), every
store path of the build's input closure read-only at its usual place, and the build folder
(with where the outputs go) read-write; ``/tmp`` and ``/dev/shm`` are private, and ``/proc``
and ``/dev`` are the sandbox's own; the host name is ``localhost``. ``/etc`` is the sandbox's
own too: ``passwd`` and ``group`` naming the build user (``pybuild``, home
``/homeless-shelter``), root and nobody, ``hosts`` naming localhost, and only harmless files
of the host's (``alternatives``, through which ``cc`` is found, the loader's cache and
configuration, ``os-release``, ``protocols``, ``services``, ``mime.types``, the interpreters'
``python3*``). A read of an undeclared store path finds nothing, and a connection attempt
finds no network.

A fixed-output derivation (a download) keeps the network, as in Nix, and also sees the host's
resolver files (``resolv.conf``, ``nsswitch.conf``, ``gai.conf``, ``host.conf``), its
certificates (``/etc/ssl/certs``, ``/etc/ca-certificates``, ``/etc/pki/tls`` and
``/etc/pki/ca-trust``, and the files named by ``SSL_CERT_FILE`` and ``REQUESTS_CA_BUNDLE``),
and, read-only, the file or folder of each ``file://`` URL among its arguments; nothing else
of the host. Its result is checked by hash.

The ``sandbox`` setting: ``true`` (required: fail if the sandbox cannot run), ``false``, or
``relaxed`` (the default: sandbox when it can run, else build without it and warn once). It
cannot run without bubblewrap, nor, when pybuild runs as root, without ``setpriv``. Without
it, a builder started by root still runs as a build user (:mod:`pybuild.buildusers`).
"""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .buildusers import (
    FIRST_UID,
    BuildUser,
    as_user,
    build_user,
    find_setpriv,
    user_pool,
    with_environment,
)
from .errors import SettingsError
from .settings import SETTINGS

__all__ = ["Cell", "Sandbox", "sandbox_for", "sandbox_problem", "system_folders"]

_SYSTEM = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/opt")
_SYSTEM_PREFIXES = tuple(f"{s}/" for s in _SYSTEM)
# The host's files in /etc that every build may see: none holds a secret or an account.
_HOST_ETC = (
    "alternatives",
    "ld.so.cache",
    "ld.so.conf",
    "ld.so.conf.d",
    "os-release",
    "protocols",
    "services",
    "mime.types",
)
_HOST_ETC_PATTERNS = ("python3*",)  # Debian's interpreters link their sitecustomize there
# What a download needs besides: the resolver's files and the certificates (not /etc/ssl's
# private keys).
_DOWNLOAD_ETC = (
    "resolv.conf",
    "nsswitch.conf",
    "gai.conf",
    "host.conf",
    "ssl/certs",
    "ssl/cert.pem",
    "ssl/openssl.cnf",
    "ca-certificates",
    "ca-certificates.conf",
    "pki/tls",
    "pki/ca-trust",
)
_CA_VARIABLES = ("SSL_CERT_FILE", "REQUESTS_CA_BUNDLE")
_HOMELESS = "/homeless-shelter"
_MODES = SETTINGS["sandbox"].choices


class Sandbox:
    """How builds are isolated here: bubblewrap, and ``setpriv`` when pybuild runs as root.

    Without `setpriv`, bubblewrap makes a user namespace (what an unprivileged user gets);
    with it, there is none, and the builder is switched to a build user with no capabilities.
    """

    def __init__(self, bwrap: str, setpriv: str | None = None) -> None:
        self.bwrap = bwrap
        self.setpriv = setpriv

    @contextlib.contextmanager
    def enter(self, var: Path) -> Iterator[Cell]:
        """One build's sandbox, held while the caller builds and stores the outputs.

        As root the build user stays reserved until the caller leaves, so the outputs must
        belong to the store's owner again by then (:meth:`Store.commit` sees to it).
        """
        with self._user(var) as user:
            (var / "tmp").mkdir(parents=True, exist_ok=True)
            # Outside the work folder, so the builder cannot change its own /etc; its name
            # carries the pid, so gc removes it if pybuild dies.
            etc = Path(tempfile.mkdtemp(prefix=f"sandbox-etc-{os.getpid()}-", dir=var / "tmp"))
            try:
                _write_etc(etc, user)
                yield Cell(self, user, etc)
            finally:
                shutil.rmtree(etc)

    def _user(self, var: Path) -> contextlib.AbstractContextManager[BuildUser]:
        if self.setpriv is not None:  # what an earlier build left as the uid is killed
            return build_user(user_pool(var), self.setpriv)
        return contextlib.nullcontext(BuildUser(os.getuid(), os.getgid()))

    def _namespaces(self, network: bool) -> list[str]:
        if self.setpriv is None:
            return ["--unshare-all", *(["--share-net"] if network else [])]
        # Not --unshare-all: as root its user namespace would map only uid 0 (setpriv could
        # not switch to the build user), and bubblewrap would keep the capabilities anyway.
        unshare = ["--unshare-ipc", "--unshare-pid", "--unshare-uts", "--unshare-cgroup-try"]
        return [*unshare, *([] if network else ["--unshare-net"])]

    def _as(self, user: BuildUser) -> list[str]:
        """The command prefix that drops to `user` with no capabilities and no way back."""
        if self.setpriv is None:
            return []  # bubblewrap drops the capabilities it had in its user namespace
        return as_user(self.setpriv, user)


class Cell:
    """One build's sandbox: the user it runs as and its own ``/etc``."""

    def __init__(self, sandbox: Sandbox, user: BuildUser, etc: Path) -> None:
        self.sandbox, self.user, self.etc = sandbox, user, etc

    def wrap(
        self,
        argv: Sequence[str],
        *,
        build_dir: Path,
        work: Path,
        inputs: Iterable[Path],
        network: bool,
        env: Mapping[str, str],
    ) -> list[str]:
        """The command that runs `argv` in the sandbox with `env`, to be started with an empty
        environment (:func:`~pybuild.buildusers.with_environment`: bwrap and setpriv run as
        root, and must not run with what a derivation says), in `build_dir`.

        `work` (where the outputs go) and `build_dir` are given to the build user. A download
        (`network`) also sees its ``file://`` arguments and the certificates `env` names.
        """
        # The program by its real path: a venv's `python` is a link to an interpreter
        # elsewhere, and only the interpreter's installation is inside the sandbox.
        argv = [os.path.realpath(argv[0]), *argv[1:]]
        if self.sandbox.setpriv is not None:
            for writable in (work, build_dir):
                os.chown(writable, self.user.uid, self.user.gid)
        mounts = _Mounts()
        for folder in system_folders():
            mounts.system(folder)
        # The private /tmp first: inputs and the build folder may live below it.
        mounts.private()
        self._etc(mounts, network)
        host = [*_program_prefixes(argv[0]), *inputs]
        if network:
            host += [*_file_urls(argv[1:]), *_ca_files(env)]
        for path in sorted({str(p) for p in host}):
            mounts.read_only(path)
        for site in _site_packages(_program_prefixes(argv[0])):
            mounts.hidden(site)  # builds see their declared inputs, not what is installed
        mounts.writable(str(work))
        if not build_dir.is_relative_to(work):
            mounts.writable(str(build_dir))
        sandbox = self.sandbox
        return [
            sandbox.bwrap,
            "--die-with-parent",
            "--new-session",
            *sandbox._namespaces(network),
            "--hostname",
            "localhost",
            *mounts.args,
            "--chdir",
            str(build_dir),
            "--",
            *sandbox._as(self.user),
            *with_environment(env, argv),
        ]

    def _etc(self, mounts: _Mounts, network: bool) -> None:
        """The sandbox's own /etc: the files made for it, and the host's harmless ones."""
        for name in sorted(os.listdir(self.etc)):
            mounts.read_only(str(self.etc / name), f"/etc/{name}")
        names = [*_HOST_ETC, *(_DOWNLOAD_ETC if network else ())]
        for pattern in _HOST_ETC_PATTERNS:
            names += sorted(str(p.relative_to("/etc")) for p in Path("/etc").glob(pattern))
        for name in names:
            mounts.read_only(f"/etc/{name}")


def system_folders() -> list[str]:
    """The host's system folders that every build sees, read-only: those this machine has
    (the bench gives Nix's sandbox the same ones)."""
    return [folder for folder in _SYSTEM if os.path.isdir(folder)]


class _Mounts:
    """bubblewrap's mount arguments, each mount point's missing parents made traversable.

    bubblewrap would make them mode 0700, which a build user could not pass through.
    """

    def __init__(self) -> None:
        self.args: list[str] = []
        self._made = {"/"}

    def system(self, folder: str) -> None:
        self.args += ["--ro-bind", folder, folder]
        self._made.add(folder)

    def private(self) -> None:
        """The sandbox's own /dev, /proc, /tmp and /dev/shm (both writable by all, as usual)."""
        self.args += ["--dev", "/dev", "--proc", "/proc"]
        for shared in ("/tmp", "/dev/shm"):  # /dev/shm: multiprocessing's semaphores
            self.args += ["--perms", "1777", "--tmpfs", shared]
        self._made.update(("/dev", "/proc", "/tmp", "/dev/shm"))

    def read_only(self, source: str, target: str | None = None) -> None:
        """Show `source` at `target` (by default the same place), if it is there to show."""
        target = target or source
        if os.path.exists(source):  # a dangling link could not be mounted
            self._parents(target)
            self.args += ["--ro-bind", source, target]
            self._made.add(target)

    def hidden(self, folder: str) -> None:
        """An empty, read-only folder over `folder` (which must lie in a mounted tree)."""
        self.args += ["--tmpfs", folder, "--remount-ro", folder]

    def writable(self, folder: str) -> None:
        self._parents(folder)
        self.args += ["--bind", folder, folder]

    def _parents(self, target: str) -> None:
        for parent in map(str, reversed(Path(target).parents)):
            # Those in the system folders exist already, read-only.
            if parent not in self._made and not parent.startswith(_SYSTEM_PREFIXES):
                self.args += ["--dir", parent]
                self._made.add(parent)


def _write_etc(etc: Path, user: BuildUser) -> None:
    """passwd, group and hosts naming only the build user, root, nobody and localhost."""
    users = {0: "root:x:0:0:root:/root:/noshell", 65534: "nobody:x:65534:65534::/:/noshell"}
    users[user.uid] = f"pybuild:x:{user.uid}:{user.gid}:pybuild build user:{_HOMELESS}:/noshell"
    groups = {0: "root:x:0:", 65534: "nogroup:x:65534:", user.gid: f"pybuild:x:{user.gid}:"}
    files = {
        "passwd": users.values(),
        "group": groups.values(),
        "hosts": ["127.0.0.1 localhost", "::1 localhost"],
    }
    for name, lines in files.items():
        (etc / name).write_text("".join(f"{line}\n" for line in lines))
        (etc / name).chmod(0o444)


def _program_prefixes(program: str) -> list[str]:
    """The installation a builder outside the system folders needs (e.g. pyenv's Python)."""
    real = os.path.realpath(program)
    if real.startswith(_SYSTEM_PREFIXES):
        return []
    prefix = str(Path(real).parent.parent)  # <prefix>/bin/<program>
    return [prefix] if prefix != "/" else []


def _site_packages(prefixes: Iterable[str]) -> list[str]:
    """The site-packages folders of an interpreter installation outside the system folders."""
    return sorted(
        str(site)
        for prefix in prefixes
        for site in Path(prefix).glob("lib/python3*/site-packages")
        if site.is_dir()
    )


def _file_urls(args: Iterable[str]) -> list[str]:
    """The local files a download's ``file://`` URLs name."""
    return [unquote(urlsplit(a).path) for a in args if a.startswith("file://")]


def _ca_files(env: Mapping[str, str]) -> list[str]:
    return [env[v] for v in _CA_VARIABLES if env.get(v)]


def sandbox_for(mode: str, say: Callable[[str], None]) -> Sandbox | None:
    """The sandbox to use under the ``sandbox`` setting, or None to build without one (then
    said once a process, through `say`: a library caller's log, not the process's stderr).

    The setting's value was checked when it was read; `mode` is checked again because a library
    caller may give it directly (``BuildOptions(sandbox=...)``), bypassing the settings.
    """
    if mode not in _MODES:
        raise SettingsError(f"sandbox must be one of {', '.join(_MODES)}, not {mode!r}")
    if mode == "false":
        return None
    sandbox, problem = _probe()
    if sandbox is not None:
        return sandbox
    if mode == "true":
        error = SettingsError(f"sandbox = true, but the sandbox cannot run here: {problem}")
        error.hint = f"{remedy(problem)}, or set sandbox = relaxed"
        raise error
    _warn_once(problem, say)
    return None


def sandbox_problem() -> str:
    """Why the sandbox cannot run here, or "" when it can: what a remote builder tells its
    clients, so that one asking for a sandbox sends it no build it could not isolate."""
    return _probe()[1]


_TRUE = next((p for p in ("/usr/bin/true", "/bin/true") if os.access(p, os.X_OK)), "true")


@functools.lru_cache(maxsize=1)
def _probe() -> tuple[Sandbox | None, str]:
    """Whether a builder can be isolated here, as it would be; why not, if it cannot."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return None, "bwrap is not installed"
    setpriv = None
    if os.geteuid() == 0:
        # As root, bubblewrap alone would leave the builder every capability.
        setpriv = find_setpriv()
        if setpriv is None:
            return None, "pybuild runs as root and setpriv is not in /usr/bin or /bin"
    sandbox = Sandbox(bwrap, setpriv)
    command = [
        bwrap,
        *sandbox._namespaces(network=False),
        *("--ro-bind", "/", "/", "--dev", "/dev", "--"),
        *sandbox._as(BuildUser(FIRST_UID, FIRST_UID)),
        _TRUE,  # by its path: a PATH without it is no fault of the sandbox's
    ]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return None, f"bwrap did not run ({exc})"
    if result.returncode != 0:
        return None, f"bwrap failed: {result.stderr.strip() or result.returncode}"
    return sandbox, ""


_warned: set[str] = set()  # the problems said already, in this process


def _warn_once(problem: str, say: Callable[[str], None]) -> None:
    if problem in _warned:
        return
    _warned.add(problem)
    who = " (each as a build user of its own, unless build_users = false)"
    say(
        f"warning: building without a sandbox ({problem}): builders see the whole machine"
        f"{who if os.geteuid() == 0 else ''}; set sandbox = false (BuildOptions(sandbox="
        f'"false") in Python) to silence this, or {remedy(problem)}'
    )


def remedy(problem: str) -> str:
    """What makes the sandbox run where it cannot for `problem` (:func:`sandbox_problem`):
    installing what is missing, or, for a bwrap that is there but fails (user namespaces
    turned off, a container without the rights), allowing what it needs, which installing
    it again would not."""
    if problem.startswith(("bwrap failed", "bwrap did not run")):
        return (
            "let bwrap make its namespaces here: allow unprivileged user namespaces"
            " (sysctl user.max_user_namespaces, kernel.unprivileged_userns_clone, or the"
            " container's settings), or build on a machine that allows them"
        )
    return (
        "install bubblewrap and, to build as root, setpriv (Debian: apt-get install"
        " bubblewrap util-linux)"
    )
