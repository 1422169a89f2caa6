"""An interactive ``pybuild shell`` against the user's start-up files, on the local build index
(no network): a pyenv, conda or nvm init there puts its own folders first on ``PATH`` again,
and the environment must still win, as nix-shell's rcfile makes it win over ``~/.bashrc``.

Each shell is fed its commands on standard input (as ``echo … | pybuild shell`` feeds it);
the shells not installed here are skipped.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from pybuild.pkgset import DEFAULT_RECIPES
from pybuild.shell import shell_environ
from support.fixtures import BuildIndex, write_fixture_recipes

# A start-up file that does what pyenv's init does (its folder first on PATH, where a `python`
# waits), sets a PYTHONPATH and its own prompt, and defines an alias that must survive.
POSIX_RC = """\
export PATH="$HOME/fake bin:$PATH" PYTHONPATH=/elsewhere
PS1='mine> '
alias hello='echo hello from rc'
"""
FISH_RC = """\
set -gx PATH "$HOME/fake bin" $PATH
set -gx PYTHONPATH /elsewhere
function fish_prompt; echo -n 'mine> '; end
alias hello 'echo hello from rc'
"""
POSIX_PROMPT = 'echo "$PS1"'

# shell: (its start-up file, relative to HOME; the file's text; a command printing the prompt;
# how the prompt pybuild gives it begins)
SHELLS = {
    "bash": (".bashrc", POSIX_RC, POSIX_PROMPT, r"(pybuild) \w\$ "),
    "zsh": (".zshrc", POSIX_RC, POSIX_PROMPT, "(pybuild) %~%# "),
    "dash": ("shrc", POSIX_RC, POSIX_PROMPT, r"(pybuild) $PWD\$ "),  # named by ENV
    "fish": (".config/fish/config.fish", FISH_RC, "fish_prompt; echo", "(pybuild) "),
}


@pytest.fixture
def greet_env(use_index: BuildIndex, tmp_path: Path) -> tuple[list[str], str]:
    """The options naming the fixture set, and the store path of its environment of greet."""
    recipes = write_fixture_recipes(tmp_path / "recipes", use_index, ("shout", "greet"))
    sets = ["--recipes", str(DEFAULT_RECIPES), "--recipes", str(recipes)]
    built = pybuild("shell", *sets, "-p", "greet", "--run", 'echo "$VIRTUAL_ENV"')
    assert built.returncode == 0, built.stderr
    return sets, built.stdout.strip()


def pybuild(
    *args: str, stdin: str = "", env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    argv = [sys.executable, "-m", "pybuild", *args]
    return subprocess.run(argv, input=stdin, env=env, cwd=cwd, capture_output=True, text=True)


def full(**more: str) -> dict[str, str]:
    """The test's environment, and `more`, for the full command line every time: a record of
    the evaluation would let the fast path answer."""
    return {**os.environ, "PYBUILD_EVAL_CACHE": "false", **more}


# `pybuild shell … --run CMD` or `pybuild run …` answered by the fast path (pybuild/fastpath.py)
# alone, its status 99 when the fast path left it to the full command line: the full command
# first builds and evaluates it twice (as test_fastpath does; a shell's with `--run true`),
# trusting the fixture's young recipes.
FAST_PATH = """\
import sys
from pybuild import evalcache, fastpath
from pybuild.cli import main

evalcache._SETTLED_NS = 0
argv = sys.argv[1:]
record = [*argv[: argv.index("--run")], "--run", "true"] if "--run" in argv else argv
assert main(record) == 0 and main(record) == 0
status = fastpath.answer(argv)
sys.exit(99 if status is None else status)
"""


def fast_path(*args: str) -> list[str]:
    """The command line that runs `args` on the fast path (:data:`FAST_PATH`)."""
    return [sys.executable, "-c", FAST_PATH, *args]


@pytest.mark.parametrize("name", SHELLS)
def test_the_environment_wins_over_the_users_start_up_files(
    name: str, greet_env: tuple[list[str], str], tmp_path: Path
) -> None:
    """Without ``--pure`` the user's start-up file runs first (its alias is there, its folder
    stays on PATH) and the environment is applied after it: its python first, no PYTHONPATH,
    pybuild's prompt. With ``--pure`` the user's file is not read at all (as nix-shell
    ``--pure`` leaves out ``~/.bashrc``). The start-up files pybuild writes, in a folder whose
    name needs quoting, are gone when the shell ends."""
    shell = shutil.which(name)
    if shell is None:
        pytest.skip(f"{name} is not installed")
    rc_name, rc_text, show_prompt, prompt = SHELLS[name]
    sets, env = greet_env
    home = tmp_path / "home of 'me'"
    fake = home / "fake bin"
    fake.mkdir(parents=True)
    (fake / "python").write_text("#!/bin/sh\necho fake python\n")
    (fake / "python").chmod(0o755)
    config = Path(os.environ["XDG_CONFIG_HOME"])  # fish finds its config there
    rc = (config / "fish" / "config.fish") if name == "fish" else home / rc_name
    rc.parent.mkdir(parents=True, exist_ok=True)
    rc.write_text(rc_text)
    temp = tmp_path / "temp of 'me'"
    temp.mkdir()
    kept = {k: v for k, v in os.environ.items() if k not in ("ENV", "ZDOTDIR", "BASH_ENV")}
    environ = {**kept, "HOME": str(home), "SHELL": shell, "TMPDIR": str(temp)}
    environ["XDG_DATA_HOME"] = str(home / ".local" / "share")  # fish's history
    environ["ENV"] = "$HOME/shrc"  # dash's start-up file: its parameters expanded, as dash does
    commands = f'command -v python\necho "[$PYTHONPATH]"\n{show_prompt}\necho "$PATH"\nhello\n'

    def lines(*flags: str) -> list[str]:
        argv = ["shell", *flags, *sets, "-p", "greet"]
        result = pybuild(*argv, stdin=commands, env=environ, cwd=tmp_path)
        assert "Traceback" not in result.stderr, result.stderr
        return result.stdout.splitlines()

    python, pythonpath, shown, path, *hello = lines()
    assert (python, pythonpath) == (f"{env}/bin/python", "[]") and shown.startswith(prompt)
    assert path.startswith(f"{env}/bin:{fake}:") and path.count(f"{env}/bin") == 1
    assert hello == ["hello from rc"]
    python, pythonpath, shown, path, *hello = lines("--pure")
    assert (python, pythonpath) == (f"{env}/bin/python", "[]") and shown.startswith(prompt)
    assert (path, hello) == (f"{env}/bin:/usr/local/bin:/usr/bin:/bin", [])
    assert list(temp.iterdir()) == []


def test_a_shell_that_is_no_program_is_named(greet_env: tuple[list[str], str]) -> None:
    """$SHELL naming nothing (a shell removed, a typo) is the user's to fix: said, not a crash."""
    sets, _ = greet_env
    missing = "/nonexistent/bash"
    done = pybuild("shell", *sets, "-p", "greet", env={**os.environ, "SHELL": missing})
    assert done.returncode == 1
    assert done.stderr.startswith(f"error: $SHELL is {missing}, which is no program here")
    assert "a bug in pybuild" not in done.stderr


def test_a_command_a_signal_ends_exits_with_128_and_its_number(
    greet_env: tuple[list[str], str],
) -> None:
    """As sh and ``uv run`` report it: 143 for SIGTERM, 141 for SIGPIPE (a reader gone), 137
    for SIGKILL; of a --run command, of ``run``'s program, of an interactive shell, and on the
    fast path (``waitstatus_to_exitcode`` says -N, which ``sys.exit`` made 256 - N)."""
    sets, _ = greet_env
    shell = ["shell", *sets, "-p", "greet"]
    for command, status in (("kill -TERM $$", 143), ("kill -PIPE $$", 141)):
        assert pybuild(*shell, "--run", command, env=full()).returncode == status
    code = "import os, signal; os.kill(os.getpid(), signal.SIGTERM)"
    program = pybuild("run", *sets, "--bin", "python", "greet", "-c", code, env=full())
    assert program.returncode == 143
    interactive = pybuild(*shell, stdin="kill -KILL $$\n", env=full(SHELL="/bin/sh"))
    assert interactive.returncode == 137
    fast = subprocess.run(fast_path(*shell, "--run", "kill -TERM $$"), capture_output=True)
    assert fast.returncode == 143, fast.stderr


# A command that says which signal reached it, with a status of its own, once it has written
# its pid (to the file after it) and is waiting.
TRAPPED = (
    "trap 'echo TERM > {said}; kill $s; exit 7' TERM;"
    " trap 'echo HUP > {said}; kill $s; exit 8' HUP;"
    " sleep 60 & s=$!; echo $$ > {pid}; wait $s"
)
# `run`'s program that does the same for SIGTERM, in Python.
TRAPPED_PROGRAM = (
    "import os, pathlib, signal, sys, time;"
    " signal.signal(signal.SIGTERM, lambda *_: sys.exit(5));"
    " pathlib.Path({pid!r}).write_text(str(os.getpid())); time.sleep(60)"
)


def running(pid: int) -> bool:
    """Whether process `pid` is there and not a zombie (ended, not yet reaped)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def signalled(
    argv: list[str],
    number: int,
    pid: Path,
    env: dict[str, str],
    meanwhile: Callable[[], None] = lambda: None,
) -> int:
    """The status `argv` (pybuild) exits with when sent signal `number` once its command has
    written its `pid` (and `meanwhile` is done); that command must have ended with it (it is
    killed if left running, and the test fails)."""
    pid.unlink(missing_ok=True)
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while not pid.exists() or not pid.read_text().strip():
            assert proc.poll() is None, proc.communicate()
            assert time.monotonic() < deadline, "the command did not start"
            time.sleep(0.05)
        meanwhile()
        proc.send_signal(number)
        status = proc.wait(timeout=30)
    finally:
        proc.kill()
    command = int(pid.read_text())
    if not running(command):
        return status
    os.kill(command, signal.SIGKILL)
    raise AssertionError(f"the command ({command}) was left running; pybuild exited {status}")


def test_sigterm_and_sighup_reach_the_command_and_pybuild_exits_as_it_did(
    greet_env: tuple[list[str], str], tmp_path: Path
) -> None:
    """SIGTERM (``docker stop``, a CI job's time-out, a service's stop) and SIGHUP (a terminal
    closed) sent to pybuild are passed on to the command, as ``uv run`` passes them (nix-shell
    and ``nix run`` exec it): pybuild waits for it and exits with its status, on the full
    command line and on the fast path, of a --run command and of ``run``'s program. Its
    environment stays held as a root meanwhile: a collection keeps it."""
    sets, env = greet_env
    pid, said = tmp_path / "pid", tmp_path / "said"
    shell = ["shell", *sets, "-p", "greet", "--run", TRAPPED.format(said=said, pid=pid)]
    full_shell = [sys.executable, "-m", "pybuild", *shell]

    def collect() -> None:
        assert pybuild("gc").returncode == 0 and Path(env).is_dir()

    assert signalled(full_shell, signal.SIGTERM, pid, full(), collect) == 7
    assert said.read_text() == "TERM\n"
    assert signalled(full_shell, signal.SIGHUP, pid, full()) == 8
    assert said.read_text() == "HUP\n"
    assert signalled(fast_path(*shell), signal.SIGTERM, pid, dict(os.environ)) == 7
    code = TRAPPED_PROGRAM.format(pid=str(pid))
    program = [sys.executable, "-m", "pybuild", "run", *sets, "--bin", "python", "greet"]
    assert signalled([*program, "-c", code], signal.SIGTERM, pid, full()) == 5


def test_sigterm_reaches_the_command_sh_runs_not_sh_alone(
    greet_env: tuple[list[str], str], tmp_path: Path
) -> None:
    """dash does not exec even a single command (``sh -c 'python t.py'``): a SIGTERM sent to sh
    alone ended it, and the command went on running, orphaned, its handler never called (a
    ``docker stop`` or a CI time-out left pytest running). It reaches the command, as a
    terminal's Ctrl-C reaches the whole group, and pybuild waits for it (it exits with sh's
    status); and ``sleep 60; echo DONE`` leaves no ``sleep``."""
    sets, _ = greet_env
    pid, said = tmp_path / "pid", tmp_path / "said"
    script = tmp_path / "t.py"
    script.write_text(
        "import os, pathlib, signal, sys, time\n"
        "def stop(*_):\n"
        "    time.sleep(1)  # cleaning up, which pybuild waits for\n"
        f"    pathlib.Path({str(said)!r}).write_text('TERM')\n"
        "    sys.exit(6)\n"
        "signal.signal(signal.SIGTERM, stop)\n"
        f"pathlib.Path({str(pid)!r}).write_text(str(os.getpid()))\n"
        "time.sleep(60)\n"
    )
    shell = [sys.executable, "-m", "pybuild", "shell", *sets, "-p", "greet", "--run"]
    assert signalled([*shell, f"python {script}"], signal.SIGTERM, pid, full()) == 143
    assert said.read_text() == "TERM"
    # sh writes its own pid, then runs sleep: its child, found before pybuild is signalled
    sleeping, found = f"echo $$ > {pid}; sleep 60; echo DONE", []

    def find_sleep() -> None:
        sh = pid.read_text().strip()
        children = Path(f"/proc/{sh}/task/{sh}/children")
        deadline = time.monotonic() + 30
        while not (listed := children.read_text().split()):
            assert time.monotonic() < deadline, "sh started no sleep"
            time.sleep(0.05)
        found.append(int(listed[0]))

    assert signalled([*shell, sleeping], signal.SIGTERM, pid, full(), find_sleep) == 143
    (sleep,) = found
    deadline = time.monotonic() + 10  # a signal takes a moment
    while running(sleep) and time.monotonic() < deadline:
        time.sleep(0.05)
    if running(sleep):
        os.kill(sleep, signal.SIGKILL)
        raise AssertionError("the sleep sh ran was left running, orphaned")


def test_pure_keeps_what_nix_shell_pure_keeps_and_pybuilds_own_settings(
    greet_env: tuple[list[str], str],
) -> None:
    """``--pure`` keeps the variables nix-shell ``--pure`` keeps (its ``keepVars``: the
    proxies, ``SHLVL``, ``PAGER``, the Wayland and runtime folders…), and pybuild's own, so a
    pybuild run in the shell has the settings, the store and the downloads of the one that
    started it; nothing else of the session."""
    kept = {
        "https_proxy": "http://p:3128",
        "HTTPS_PROXY": "http://p:3128",
        "http_proxy": "http://p:3128",
        "ftp_proxy": "http://p:3128",
        "all_proxy": "socks5://p:1080",
        "no_proxy": "localhost",
        "NO_PROXY": "localhost",
        "SHLVL": "3",
        "PAGER": "less",
        "XDG_RUNTIME_DIR": "/run/user/1000",
        "WAYLAND_DISPLAY": "wayland-0",
        "PYBUILD_CONFIG": "/etc/pybuild.toml",
        "PYBUILD_JOBS": "4",
        "XDG_CACHE_HOME": "/cache",
        "SSL_CERT_FILE": "/etc/ssl/ca.pem",
        "SSL_CERT_DIR": "/etc/ssl/certs",
        # requests', curl's and pip's, as a pybuild, pip or requests run there needs them
        "REQUESTS_CA_BUNDLE": "/etc/ssl/ca.pem",
        "CURL_CA_BUNDLE": "/etc/ssl/ca.pem",
        "PIP_CERT": "/etc/ssl/ca.pem",
        "HOME": "/home/me",
        # the index pybuild downloads from, as pip's configuration names it
        "PIP_INDEX_URL": "http://127.0.0.1:1/simple",
        "PIP_EXTRA_INDEX_URL": "http://127.0.0.1:2/simple",
        "PIP_CONFIG_FILE": "/etc/pip.conf",
        "PIP_NO_INDEX": "1",  # or none is read: a pybuild run there reads it as here
    }
    base = {**kept, "PYTHONPATH": "/elsewhere", "MY_SECRET": "x", "PATH": "/opt/bin"}
    environ = shell_environ("/env", True, base)
    assert {k: environ[k] for k in kept if k in environ} == kept
    assert "PYTHONPATH" not in environ and "MY_SECRET" not in environ
    sets, _ = greet_env
    run = "echo $https_proxy $PYBUILD_CONFIG"
    more = {"https_proxy": "http://p:3128", "PYBUILD_CONFIG": os.devnull}
    shown = pybuild("shell", "--pure", *sets, "-p", "greet", "--run", run, env=full(**more))
    assert shown.stdout == f"http://p:3128 {os.devnull}\n", shown.stderr


def test_a_package_without_programs_is_told_how_to_run_python_with_it(
    greet_env: tuple[list[str], str],
) -> None:
    """The hint gave ``pybuild run --bin python ATTR -c CODE``, not the package's name."""
    sets, _ = greet_env
    for argv in (["shout"], ["shout", "--bin", "x"]):
        told = pybuild("run", *sets, *argv, env=full())
        assert told.returncode == 1
        assert "error: shout has no programs" in told.stderr
        assert "hint: run python with it: pybuild run --bin python shout -c CODE" in told.stderr
        assert "ATTR" not in told.stderr


def test_python_is_the_sets_interpreter_alone_for_shell_and_run(
    greet_env: tuple[list[str], str],
) -> None:
    """``shell -p python`` is an environment of no packages, as ``nix-shell -p python3`` is
    the interpreter, and ``run python ARG…`` runs it, as ``uvx python`` does; with packages,
    ``-p python greet`` is greet's environment. Another value that is no package is named by
    its attribute."""
    sets, env = greet_env
    alone = "python -c 'import sys; print(sys.prefix == sys.base_prefix)'; python -c 'import greet'"
    bare = pybuild("shell", *sets, "-p", "python", "--run", alone, env=full())
    assert (bare.returncode, bare.stdout) == (1, "False\n"), bare.stderr
    assert "No module named 'greet'" in bare.stderr
    mixed = pybuild("shell", *sets, "-p", "python", "greet", "--run", 'echo "$VIRTUAL_ENV"')
    assert mixed.stdout == f"{env}\n", mixed.stderr
    ran = pybuild("run", *sets, "python", "-c", "import sys; print(sys.argv[1:])", "-x")
    assert ran.stdout == "['-x']\n", ran.stderr
    with_greet = pybuild("run", *sets, "--with", "greet", "python", "-c", "import greet")
    assert with_greet.returncode == 0, with_greet.stderr
    fast = subprocess.run(fast_path("run", *sets, "python", "-c", "print(2)"), capture_output=True)
    assert (fast.returncode, fast.stdout) == (0, b"2\n" * 3), fast.stderr  # twice, then fast
    said = "error: greet.version is a str, not a Python package"
    for argv in (["shell", "-p", "greet.version", "--run", "true"], ["run", "greet.version"]):
        wrong = pybuild(argv[0], *sets, *argv[1:], env=full())
        assert wrong.stderr.startswith(said), wrong.stderr
