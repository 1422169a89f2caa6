"""``pybuild shell``: a command or an interactive shell inside an environment; ``pybuild run``:
a package's program there.

The environment's ``bin`` goes first on ``PATH`` and ``VIRTUAL_ENV`` names it, as activating
a venv would. ``PYTHONPATH`` and ``PYTHONHOME`` never get in, so what Python sees is exactly
the environment. ``--pure`` also drops everything else the user's session had, except what
nix-shell ``--pure`` keeps (a terminal's variables, the proxies) and what a pybuild run in the
shell needs to work as the one outside (``_PURE_KEEP``). An interactive shell's start-up
files run before the environment is applied again, so they cannot take its place
(:func:`_interactive`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

from .writtenjson import top_level_string

TYPE_CHECKING = False  # typing is an import the no-op shell does without
if TYPE_CHECKING:
    import signal as _signal
    from typing import Any
else:
    import _signal  # loaded with the interpreter; signal's module would import enum for it

__all__ = ["main_program", "run_in_environment", "run_program", "shell_environ"]

# The CA certificates a TLS-inspecting proxy or a private index needs: OpenSSL's (Python's
# ssl), requests', curl's and pip's. (sandbox._CA_VARIABLES, the files a build's sandbox binds,
# are two of them; importing it would cost the fast path subprocess and the build users.)
_CA_VARIABLES = (
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "REQUESTS_CA_BUNDLE",
    "CURL_CA_BUNDLE",
    "PIP_CERT",
)
# What --pure keeps: what nix-shell --pure keeps (its keepVars, but PATH, made anew, and its
# own NIX_ ones; the proxies as its networkProxyVariables), what a terminal's session needs,
# and what a pybuild run in the shell needs to find the same store, settings and downloads:
# XDG_* folders, the CA certificates behind a proxy, the index pip's configuration names (as
# pybuild reads it: pybuild.index.config), every PYBUILD_ variable (_PURE_PREFIX).
_PURE_KEEP = frozenset(
    {
        "HOME",
        "USER",
        "LOGNAME",
        "SHELL",
        "SHLVL",
        "TERM",
        "COLORTERM",
        "NO_COLOR",
        "PAGER",
        "LANG",
        "LC_ALL",
        "LC_CTYPE",
        "TZ",
        "DISPLAY",
        "WAYLAND_DISPLAY",
        "WAYLAND_SOCKET",
        "XDG_RUNTIME_DIR",
        "XDG_DATA_HOME",
        "XDG_CONFIG_HOME",
        "XDG_CACHE_HOME",
        "TMPDIR",
        *_CA_VARIABLES,
        "http_proxy",
        "https_proxy",
        "ftp_proxy",
        "all_proxy",
        "no_proxy",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "FTP_PROXY",
        "ALL_PROXY",
        "NO_PROXY",
        "PIP_CONFIG_FILE",
        "PIP_INDEX_URL",
        "PIP_EXTRA_INDEX_URL",
        "PIP_NO_INDEX",
    }
)
_PURE_PREFIX = "PYBUILD_"  # PYBUILD_HOME, PYBUILD_CONFIG, and a setting's PYBUILD_<NAME>
_SOURCED = ("activate", "activate.fish")  # a venv's scripts in bin that a shell sources
NEVER = ("PYTHONPATH", "PYTHONHOME", "PYTHONUSERBASE", "VIRTUAL_ENV", "CONDA_PREFIX")
_SYSTEM_PATH = "/usr/local/bin:/usr/bin:/bin"


def shell_environ(env_dir: str, pure: bool, base: Mapping[str, str]) -> dict[str, str]:
    """The variables a shell in `env_dir` gets, from the caller's `base`."""
    if pure:
        environ = {k: v for k, v in base.items() if k in _PURE_KEEP or k.startswith(_PURE_PREFIX)}
        rest = _SYSTEM_PATH
    else:
        environ = {k: v for k, v in base.items() if k not in NEVER}
        rest = base.get("PATH", _SYSTEM_PATH)
    environ["PATH"] = f"{env_dir}/bin{os.pathsep}{rest}"
    environ["VIRTUAL_ENV"] = env_dir
    environ["IN_PYBUILD_SHELL"] = "pure" if pure else "impure"  # as IN_NIX_SHELL
    return environ


def run_in_environment(env_dir: str, pure: bool, command: str | None) -> int:
    """Run `command` with ``/bin/sh -c`` in `env_dir`; with none, the user's shell,
    interactively (:func:`_interactive`)."""
    environ = shell_environ(env_dir, pure, os.environ)
    if command is None:
        return _interactive(env_dir, pure, environ)
    return _wait_for(["/bin/sh", "-c", command], environ)


def _interactive(env_dir: str, pure: bool, environ: dict[str, str]) -> int:
    """The user's ``$SHELL``, interactive, in `env_dir`, as nix-shell starts bash.

    An interactive shell reads its start-up files (``~/.bashrc``…) after it has the
    environment, and a pyenv, conda or nvm init there puts its own folders first on ``PATH``
    again: its ``python`` would win. So bash, zsh, sh (dash) and fish start on a start-up file
    (or command) of pybuild's (:mod:`pybuild.shellrc`) that runs the user's own first, where
    the shell has a hook for it, and then applies the environment over what they did; the
    prompt too. With `pure` the
    user's own are left out, as nix-shell ``--pure`` leaves out ``~/.bashrc``: they are the
    session ``--pure`` starts without. Another shell starts as it always did (no hook is known
    for it): its start-up files have the last word. The files live in a temporary folder that
    their shell removes once it has read them, as nix-shell's rcfile does (pybuild may be
    killed with its terminal before the shell ends), and pybuild too when the shell ends."""
    import shutil

    from . import shellrc

    shell = os.environ.get("SHELL") or "/bin/sh"
    if shutil.which(shell) is None:  # a path, or a name on PATH
        from .errors import UsageError

        raise UsageError(
            f"$SHELL is {shell}, which is no program here: set SHELL to your shell's path,"
            " or give a command with --run"
        )
    kind = os.path.basename(shell)
    if kind == "fish":  # --init-command runs after the configuration, --no-config skips it
        setup = shellrc.fish_setup(env_dir, environ)
        argv = [shell, "-i", *(["--no-config"] if pure else []), "--init-command", setup]
        return _wait_for(argv, environ)
    if kind not in ("bash", "zsh", "sh", "dash"):
        environ["PS1"] = shellrc.PROMPT
        return _wait_for([shell, "-i"], environ)
    import tempfile

    folder = tempfile.mkdtemp(prefix="pybuild-shell-")
    try:
        if kind == "bash":
            argv = [shell, "--rcfile", shellrc.bash_rcfile(folder, env_dir, pure, environ), "-i"]
        elif kind == "zsh":
            argv = [shell, "-i"]
            shellrc.zsh_startup_files(folder, env_dir, pure, environ)
        else:
            argv = [shell, "-i"]
            shellrc.sh_env_file(folder, env_dir, environ)
        return _wait_for(argv, environ)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def run_program(
    outputs: Sequence[str], program: str | None, args: list[str], attr: str = "ATTR"
) -> int:
    """``pybuild run``: `program` (any of the environment's), else the package's main
    program (:func:`main_program`), with `args`, in the environment as a shell's command
    runs. `outputs` are the environment's and the package's, or the environment's alone when
    the package is the set's interpreter (``run python``), whose program is python. A ``--``
    first separates `args` from pybuild's, as ``nix run`` takes it, and is left out. `attr`,
    the package as the command line named it (quoted for a shell), is the one the hints'
    commands give."""
    env_dir, *package_dir = outputs
    args = args[1:] if args[:1] == ["--"] else args
    name = program
    if name is None:
        name = main_program(package_dir[0], args, env_dir, attr) if package_dir else "python"
    path = os.path.join(env_dir, "bin", name)
    if os.sep in name or name in _SOURCED or not os.access(path, os.X_OK):
        from .errors import UsageError

        have = ", ".join(_programs(env_dir)) or "none"
        raise UsageError(f"the environment has no program {name!r} (it has: {have})")
    return _wait_for([path, *args], shell_environ(env_dir, False, os.environ))


def main_program(
    package_dir: str, args: Sequence[str] = (), env_dir: str | None = None, attr: str = "ATTR"
) -> str:
    """The program a package runs, as ``nix run`` picks one: the one named as the package
    (``-``, ``_`` and ``.`` alike, as in project names), else its only one. The error says
    which programs its environment (`env_dir`) has when the package has none of its own (a
    project whose command comes with a dependency), and its hint shows where ``--bin`` goes
    in a command running `attr` (the package as the command line named it), saying so when
    the program's `args` begin with one of pybuild's options: after the package they are
    the program's, as ``uvx`` takes them, unless a ``--`` ends them."""
    from .errors import UsageError

    pname = _project_name(package_dir)
    programs = _programs(package_dir)
    named = [p for p in programs if _normal(p) == _normal(pname)]
    if len(named) == 1 or len(programs) == 1:
        return (named or programs)[0]
    if programs:
        others, said = [], f"several programs, none named as it: {', '.join(programs)}"
    else:
        others = [p for p in _programs(env_dir) if not p.startswith("python")] if env_dir else []
        said = f"no programs of its own; its dependencies have: {', '.join(others)}"
    error = UsageError(f"{pname} has {said if programs or others else 'no programs'}")
    name_one = f"name one before the package: pybuild run --bin NAME {attr} [ARG…]"
    with_python = f"run python with it: pybuild run --bin python {attr} -c CODE"
    # a library whose dependencies bring programs is most often wanted in python
    error.hint = (
        name_one if programs else f"{name_one}; or {with_python}" if others else with_python
    )
    if args[:1] in (["--bin"], ["--with"]):
        error.hint += (
            f" ({args[0]} after the package is the program's argument, not pybuild's, unless"
            f" a -- ends pybuild's options: pybuild run {attr} --bin NAME -- ARG…)"
        )
    raise error


def _project_name(package_dir: str) -> str:
    """The package's ``pname``, from its ``pybuild-package.json``: read straight from the text
    the builder writes (``json.dumps(…, indent=1, sort_keys=True)``, non-ASCII escaped), else
    parsed as JSON (:mod:`pybuild.writtenjson`)."""
    with open(os.path.join(package_dir, "pybuild-package.json"), encoding="utf-8") as f:
        text = f.read()
    pname = top_level_string(text.split("\n"), "pname", indent=1)
    if pname is not None:
        return pname
    import json

    return str(json.loads(text)["pname"])


def _programs(folder: str) -> list[str]:
    """The programs in `folder`'s ``bin`` (not a venv's ``activate``, which is sourced)."""
    try:
        names = os.listdir(os.path.join(folder, "bin"))
    except FileNotFoundError:
        return []
    return sorted(n for n in names if n not in _SOURCED and not n.startswith("."))


def _normal(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def _wait_for(argv: list[str], environ: dict[str, str]) -> int:
    """Start `argv` and wait for it as ``system(3)`` does: Ctrl-C and Ctrl-\\ are ignored here
    while it runs, so they are the command's to handle (an interactive shell survives them) and
    the exit status is always the command's own (:func:`_exit_status`). SIGTERM and SIGHUP,
    most often sent to pybuild alone (``kill``, ``docker stop``, a CI job's time-out), are
    passed on to it and to the processes below it in its process group, as a terminal's Ctrl-C
    reaches them all (:func:`pybuild.processes.in_group_below`): ``sh -c`` (dash) does not exec
    even a single command, and a signal sent to sh alone ended it and left the command running,
    orphaned. pybuild goes on waiting, for these too (:func:`_wait_for_below`), and exits with
    its child's status (143 for a sh the signal ended): the command is never left running
    without it, nor its environment without the root this process holds (nix-shell and
    ``nix run`` exec the command, which gets them itself). They are blocked while it is
    spawned, so that one sent meanwhile waits for its pid. A signal ignored when pybuild
    started (``nohup``) stays ignored, by the command too.

    Spawned without :mod:`subprocess`, whose imports (``locale`` with ``re``, ``threading``,
    ``selectors``) cost as much as the interpreter's start, on the no-op this module serves
    (``pybuild/fastpath.py``); the dispositions Python changed (SIGPIPE and SIGXFSZ ignored)
    are put back for the command, as subprocess does."""
    child = 0
    below: dict[int, int] = {}  # a pidfd of each process below it that a signal was passed to

    def forward(number: int, frame: object) -> None:
        if child:  # not yet waited for: its pid is still its own
            _hold_below(child, below)  # before sh is signalled, and its children leave it
            try:  # noqa: SIM105 (contextlib: an import the no-op shell does without)
                os.kill(child, number)
            except ProcessLookupError:  # it ended, and was waited for, as the signal came
                pass
        for pidfd in below.values():
            try:  # noqa: SIM105
                _signal.pidfd_send_signal(pidfd, number)
            except ProcessLookupError:  # it ended
                pass

    held = (_signal.SIGINT, _signal.SIGQUIT)
    passed = [
        n for n in (_signal.SIGTERM, _signal.SIGHUP) if _signal.getsignal(n) != _signal.SIG_IGN
    ]
    previous = _set_handlers(
        {**dict.fromkeys(held, _signal.SIG_IGN), **dict.fromkeys(passed, forward)}
    )
    try:
        restore = [n for n in held if previous.get(n) != _signal.SIG_IGN]
        restore += [_signal.SIGPIPE, _signal.SIGXFSZ]
        mask = _signal.pthread_sigmask(_signal.SIG_BLOCK, passed)
        try:
            child = os.posix_spawnp(argv[0], argv, environ, setsigdef=restore, setsigmask=mask)
        finally:
            _signal.pthread_sigmask(_signal.SIG_SETMASK, mask)
        status = os.waitpid(child, 0)[1]
        child = 0
        _wait_for_below(below)
        return _exit_status(status)
    finally:
        for pidfd in below.values():
            os.close(pidfd)
        _set_handlers(previous)


def _hold_below(pid: int, held: dict[int, int]) -> None:
    """Add to `held` a pidfd of each process below `pid` in its process group
    (:func:`pybuild.processes.in_group_below`) that it has not: one that ends, even once
    another process has its pid, is not mistaken for it. (Without pidfds, Linux < 5.3, or
    ``/proc``, none is held: the signal reaches `pid` alone.)"""
    from .processes import in_group_below

    try:
        pids = in_group_below(pid)
    except ProcessLookupError:  # it ended as the signal came
        return
    for below in pids:
        if below not in held:
            try:  # noqa: SIM105
                held[below] = os.pidfd_open(below)
            except OSError:  # it ended meanwhile
                pass


def _wait_for_below(held: dict[int, int]) -> None:
    """Wait until the processes `held` have ended: a command sh ran goes on with its own
    handler (cleaning up) once sh has been killed, and pybuild waits for it as for sh."""
    if not held:
        return
    import select

    poller = select.poll()  # a pidfd is readable once its process has ended
    for pidfd in held.values():
        poller.register(pidfd, select.POLLIN)
    waiting = len(held)
    while waiting:
        for pidfd, _ in poller.poll():
            poller.unregister(pidfd)
            waiting -= 1


def _set_handlers(handlers: dict[int, Any]) -> dict[int, Any]:
    """Set these signals' `handlers`; the ones they replace, to put back. Only the main
    thread may: elsewhere the signals are left as they are, and none is replaced."""
    replaced = {}
    try:
        for number, handler in handlers.items():
            previous = _signal.signal(number, handler)
            replaced[number] = _signal.SIG_DFL if previous is None else previous  # set in C
    except ValueError:  # not the main thread: nothing was set
        pass
    return replaced


def _exit_status(wait_status: int) -> int:
    """The status pybuild exits with for a command that ended with `wait_status`: its own, or
    128 + N when signal N killed it, as sh, bash and ``uv run`` report it (141 for a reader
    gone, 130 for Ctrl-C, 143 for SIGTERM). :func:`os.waitstatus_to_exitcode` says -N there,
    which ``sys.exit`` would turn into 256 - N."""
    code = os.waitstatus_to_exitcode(wait_status)
    return 128 - code if code < 0 else code
