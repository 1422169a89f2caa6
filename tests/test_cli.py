"""The command line, run as users run it: `python -m pybuild ...` in a subprocess."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from pybuild.bundled import default_recipes
from pybuild.display import human_size
from pybuild.hashing import hash_bytes, hash_path
from pybuild.store import Store
from support.fixtures import BuildIndex

ROOT = Path(__file__).resolve().parent.parent
HELLO = ROOT / "examples" / "hello.py"
DEFAULT_RECIPES = default_recipes()


def run_cli(
    *args: object, cwd: Path | None = None, check: bool = True, home: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run pybuild; `check` asserts exit 0. No command may ever end in a traceback."""
    env = dict(os.environ)
    if home is not None:
        env["PYBUILD_HOME"] = str(home)
    result = subprocess.run(
        [sys.executable, "-m", "pybuild", *map(str, args)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Traceback" not in result.stderr, result.stderr
    if check:
        assert result.returncode == 0, f"exit {result.returncode}\n{result.stderr}"
    return result


def start_cli(*args: object, **env: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "pybuild", *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **env},
    )


def write_recipes(path: Path, body: str) -> Path:
    """A recipe file: `body` after `from pybuild import derivation`."""
    path.write_text("from pybuild import derivation\n\n" + textwrap.dedent(body))
    return path


def build_hello(cwd: Path, *extra: object, home: Path | None = None) -> Path:
    """Build examples/hello.py's `hello`; returns its output path."""
    result = run_cli("build", "-f", HELLO, "hello", *extra, cwd=cwd, home=home)
    return Path(result.stdout.strip())


def closure_paths(target: object, cwd: Path | None = None) -> dict[str, Path]:
    """The closure of `target`, keyed by store name without the hash."""
    rows = json.loads(run_cli("path-info", "-r", "--json", target, cwd=cwd).stdout)
    return {Path(row["path"]).name.split("-", 1)[1]: Path(row["path"]) for row in rows}


def wait_for(path: Path, proc: subprocess.Popen[str], limit: float = 20.0) -> None:
    deadline = time.monotonic() + limit
    while not path.exists():
        if proc.poll() is not None:
            pytest.fail(f"pybuild ended early ({proc.returncode}): {proc.communicate()}")
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"{path} did not appear within {limit} s")
        time.sleep(0.02)


def make_writable(path: Path) -> None:
    path.chmod(path.stat().st_mode | 0o200)


# -- scenario 1: build, rebuild, closure, verify ---------------------------------------------


def test_a_lost_output_of_an_unreproducible_build_is_told_how_to_rebuild(
    tmp_path: Path,
) -> None:
    """Its repair's rebuild differs from what was registered, so repair refuses; the hint's
    way out works: delete it, build again."""
    recipes = write_recipes(
        tmp_path / "random.py",
        """random = derivation(name="random", builder="/bin/sh",
            args=["-c", 'cat /proc/sys/kernel/random/uuid > "$out"'])""",
    )
    out = run_cli("build", "-f", recipes, "random").stdout.strip()
    os.unlink(out)
    repair = run_cli("verify", "--repair", check=False)
    assert repair.returncode == 1
    assert f"cannot repair {out}: the rebuild differs" in repair.stderr
    assert "hint: to take the rebuild's content instead (a new hash; its signatures go)," in (
        repair.stderr
    )
    assert f"`pybuild delete {out}`" in repair.stderr
    run_cli("delete", out)
    assert run_cli("build", "-f", recipes, "random").stdout.strip() == out
    assert len(Path(out).read_text()) == 37
    assert run_cli("verify", "--check-contents").returncode == 0


def test_a_repair_after_a_gc_makes_the_inputs_it_needs_again(tmp_path: Path) -> None:
    """A gc takes a kept output's build inputs (the sdist of a package): a repair builds or
    fetches them again before the rebuild, as ``nix-store --verify --repair`` does."""
    recipes = write_recipes(
        tmp_path / "pair.py",
        """
        source = derivation(name="source", builder="/bin/sh",
                            args=["-c", 'echo text > "$out"'])
        app = derivation(name="app", builder="/bin/sh",
                         args=["-c", 'tr a-z A-Z < "$1" > "$out"', "x", source])
        """,
    )
    out = Path(run_cli("build", "-f", recipes, "app", "-o", "result", cwd=tmp_path).stdout.strip())
    run_cli("gc")
    assert not any(p.name.endswith("-source") for p in out.parent.iterdir())
    make_writable(out)
    out.write_text("DAMAGED\n")
    repair = run_cli("verify", "--check-contents", "--repair")
    assert f"repaired: {out}" in repair.stdout
    assert out.read_text() == "TEXT\n"


def test_the_hello_examples_commands_do_what_it_says(tmp_path: Path) -> None:
    """examples/hello.py's docstring, run as written from the project's folder: its build
    makes the link its path-info reads, which lists both paths."""
    import ast
    import shlex

    doc = ast.get_docstring(ast.parse(HELLO.read_text())) or ""
    commands = [" ".join(c.split()) for c in re.findall(r"`(pybuild [^`]+)`", doc)]
    assert [c.split()[1] for c in commands] == ["build", "path-info"]
    (tmp_path / "examples").symlink_to(HELLO.parent)
    results = [run_cli(*shlex.split(c)[1:], cwd=tmp_path) for c in commands]
    names = {Path(line).name.split("-", 1)[1] for line in results[-1].stdout.splitlines()}
    assert names == {"hello", "greeting"}


def test_build_hello_and_use_the_result(tmp_path: Path) -> None:
    first = run_cli("build", "-f", HELLO, "hello", "-o", "result", cwd=tmp_path)
    out = Path(first.stdout.strip())
    assert first.stdout == f"{out}\n"
    assert out.name.endswith("-hello")
    assert "building greeting" in first.stderr
    assert "building hello" in first.stderr
    assert os.readlink(tmp_path / "result") == str(out)
    run = subprocess.run([tmp_path / "result" / "bin" / "hello"], capture_output=True, text=True)
    assert (run.returncode, run.stdout) == (0, "Hello, world!\n")

    again = run_cli("build", "-f", HELLO, "hello", "-o", "result", cwd=tmp_path)
    assert again.stdout == first.stdout
    assert "building" not in again.stderr

    info = run_cli("path-info", "-r", "--size", "--closure-size", "result", cwd=tmp_path)
    lines = info.stdout.splitlines()
    assert len(lines) == 2
    names = {Path(line.split("\t")[0]).name.split("-", 1)[1] for line in lines}
    assert names == {"hello", "greeting"}
    hello_line = next(line for line in lines if line.startswith(str(out)))
    assert len(hello_line.split("\t")) == 3  # path, size, closure size

    verify = run_cli("verify", "--check-contents", cwd=tmp_path)
    assert "0 damaged" in verify.stderr

    greeting = closure_paths("result", cwd=tmp_path)["greeting"]
    text = greeting / "greeting.txt"
    make_writable(text)
    text.write_text("Goodbye\n")
    damaged = run_cli("verify", "--check-contents", cwd=tmp_path, check=False)
    assert damaged.returncode == 1
    assert f"modified: {greeting}: expected" in damaged.stdout
    assert str(out) not in damaged.stdout
    assert "1 damaged" in damaged.stderr
    assert "hint: pybuild verify --check-contents --repair puts" in damaged.stderr  # as Nix's
    assert run_cli("verify", cwd=tmp_path).returncode == 0  # only a re-hash sees the change

    # named paths alone, as nix store verify PATH…: the closure with -r
    alone = run_cli("verify", "--check-contents", "result", cwd=tmp_path)
    assert (alone.stdout, alone.stderr) == ("", "checked 1 path(s): 0 damaged path(s)\n")
    closure = run_cli("verify", "--check-contents", "-r", "result", cwd=tmp_path, check=False)
    assert closure.returncode == 1
    assert closure.stdout.startswith(f"modified: {greeting}: expected")
    assert "checked 2 path(s): 1 damaged path(s)" in closure.stderr
    whole = run_cli("verify", "-r", cwd=tmp_path, check=False)
    assert "verify -r takes the paths whose closures to check" in whole.stderr


def test_result_link_of_several_targets(tmp_path: Path) -> None:
    result = run_cli("build", "-f", HELLO, "hello", "greeting", "-o", "out", cwd=tmp_path)
    hello, greeting = result.stdout.split()
    assert os.readlink(tmp_path / "out") == hello
    assert os.readlink(tmp_path / "out-2") == greeting


def test_result_link_does_not_replace_a_file(tmp_path: Path) -> None:
    (tmp_path / "result").write_text("precious")
    result = run_cli("build", "-f", HELLO, "hello", "-o", "result", cwd=tmp_path, check=False)
    assert result.returncode == 1
    assert "error: result: exists and is not a symbolic link" in result.stderr
    assert (tmp_path / "result").read_text() == "precious"


def test_result_link_makes_its_missing_folders(tmp_path: Path) -> None:
    """As `lock -o` makes its file's folders; a file in the way is said in one line, the
    folder named, and not as a bug of pybuild's."""
    result = run_cli("build", "-f", HELLO, "hello", "-o", "no/such/result", cwd=tmp_path)
    assert os.readlink(tmp_path / "no" / "such" / "result") == result.stdout.strip()
    (tmp_path / "a-file").write_text("")
    refused = run_cli(
        "build", "-f", HELLO, "hello", "-o", "a-file/sub/r", cwd=tmp_path, check=False
    )
    assert refused.returncode == 1
    assert refused.stderr.splitlines()[-1] == (
        f"error: cannot make the result link a-file/sub/r in {tmp_path}/a-file/sub: Not a directory"
    )


# -- scenario 2: the same hash in any home ----------------------------------------------------


def test_same_derivation_same_path_in_two_homes(tmp_path: Path) -> None:
    one = build_hello(tmp_path, home=tmp_path / "one")
    two = build_hello(tmp_path, home=tmp_path / "deeper" / "two")
    assert one.parent == tmp_path / "one" / "store"
    assert two.parent == tmp_path / "deeper" / "two" / "store"
    assert one.name == two.name
    assert hash_path(one) == hash_path(two)
    drvs = [
        json.loads(run_cli("build", "--json", "-f", HELLO, "hello", home=home).stdout)[0]
        for home in (tmp_path / "one", tmp_path / "deeper" / "two")
    ]
    assert Path(drvs[0]["drvPath"]).name == Path(drvs[1]["drvPath"]).name


# -- scenario 3: SIGKILL in the middle of a build ---------------------------------------------

SLOW = """
slow = derivation(
    name="slow",
    builder="/bin/sh",
    args=[
        "-c",
        'mkdir "$out" && echo partial > "$out/part"'
        ' && echo $$ > "$1.tmp" && mv "$1.tmp" "$1"'
        ' && {{ [ -e "$2" ] || sleep 30; }} && echo done > "$out/done"',
        "slow",
        {marker!r},
        {flag!r},
    ],
)
"""


def recipe_out(recipes: Path, attr: str) -> Path:
    """The output path of `attr` in a recipe file, in this test's home."""
    from pybuild.evaluate import load_module

    return Path(getattr(load_module(recipes), attr).path())


def test_sigkill_during_a_build_leaves_no_damage(tmp_path: Path) -> None:
    marker, flag = tmp_path / "builder.pid", tmp_path / "no-sleep"
    recipes = write_recipes(tmp_path / "slow.py", SLOW.format(marker=str(marker), flag=str(flag)))
    out = recipe_out(recipes, "slow")
    outside = tmp_path / "tmp"  # where the build runs: outside the store
    outside.mkdir()
    proc = start_cli("build", "-f", recipes, "slow", TMPDIR=str(outside))
    try:
        wait_for(marker, proc)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
    os.killpg(int(marker.read_text()), signal.SIGKILL)  # the builder has its own session

    assert not os.path.lexists(out)
    [left] = outside.iterdir()  # what a killed pybuild cannot remove
    home = out.parent.parent
    [outputs] = [p for p in home.iterdir() if p.name.startswith(".")]  # beside the store
    assert (outputs / out.name / "part").exists()
    collected = run_cli("gc")
    assert f"deleting {left}\n" in collected.stderr and collected.stdout == ""
    assert f"deleting {outputs}\n" in collected.stderr
    assert not left.exists() and not outputs.exists()
    assert sorted(os.listdir(home)) == ["store", "var"]
    missing = run_cli("path-info", out, check=False)
    assert missing.returncode == 1
    assert f"error: {out} is not a valid path in the store" in missing.stderr
    verify = run_cli("verify", "--check-contents", "--json")  # exit 0: no damage
    assert [p for p in json.loads(verify.stdout) if p["kind"] != "unregistered"] == []

    flag.touch()  # the same derivation, but now its builder does not wait
    rebuilt = run_cli("build", "-f", recipes, "slow")
    assert rebuilt.stdout == f"{out}\n"
    assert sorted(os.listdir(out)) == ["done", "part"]
    [info] = json.loads(run_cli("path-info", "--json", out).stdout)
    assert info["path"] == str(out)
    assert run_cli("verify", "--check-contents").returncode == 0


# -- scenario 3b: SIGTERM, SIGHUP or Ctrl-C in the middle of a build ---------------------------

# Builders (and their background jobs) sleep a duration no other process sleeps, by which the
# test finds them; `after` needs both, so with -j 2 it is queued behind them.
INTERRUPTED = """
sleeps = ["-c", "sleep {marker} & exec sleep {marker}"]
first = derivation(name="first", builder="/bin/sh", args=sleeps)
second = derivation(name="second", builder="/bin/sh", args=[*sleeps, "second"])
after = derivation(
    name="after", builder="/bin/sh", args=["-c", 'echo "$1" > "$out"', "after", first, second]
)
"""


def _bwrap() -> bool:
    from pybuild.sandbox import _probe

    return _probe()[0] is not None


def _interruptions() -> list[tuple[str, str, int]]:
    """(signal, sandbox, jobs): each signal alone; with -j 2, builds in worker threads."""
    cases = [("TERM", "false", 1), ("HUP", "false", 1), ("INT", "false", 1)]
    cases += [("TERM", "false", 2), ("INT", "false", 2)]
    return cases + ([("TERM", "true", 1), ("HUP", "true", 2)] if _bwrap() else [])


def test_ctrl_c_while_the_command_line_is_read_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Ctrl-C in a command's first tenth of a second, while its modules load and its
    command line is read, is told as later: one line and 130, not a traceback."""
    from pybuild import cli

    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cli, "_parser", interrupted)
    assert cli.main(["build", "six"]) == 130
    assert capsys.readouterr().err == "interrupted\n"


def test_ctrl_c_as_the_command_ends_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Ctrl-C that lands as the command ends, while its signal handlers are put back, is told
    as one that lands in its work: one line and 130, not a traceback and death by SIGINT."""
    import types

    from pybuild import cli

    def interrupted(*args: object) -> None:
        raise KeyboardInterrupt

    fake = types.SimpleNamespace(signal=interrupted, SIGINT=2)
    monkeypatch.setattr(cli, "_catch_termination", lambda: {15: 0})  # one handler to put back
    monkeypatch.setattr(cli, "_command", lambda argv: 0)
    monkeypatch.setattr(cli, "_signal", fake)
    assert cli.main(["build", "six"]) == 130
    assert capsys.readouterr().err == "interrupted\n"


@pytest.mark.parametrize(("name", "sandbox", "jobs"), _interruptions())
def test_sigterm_and_sighup_interrupt_a_build_as_ctrl_c_does(
    tmp_path: Path, name: str, sandbox: str, jobs: int
) -> None:
    """Every builder's group killed, every folder removed (var/tmp's, the sandbox's /etc, the
    build folders in TMPDIR), no queued build started, and the exit status a shell reports
    for that signal: at once, not when the builds would have ended."""
    from test_processes import dies, kill_marked, sleeping

    marker = f"1000.{time.time_ns() % 10**9:09d}"
    recipes = write_recipes(tmp_path / "slow.py", INTERRUPTED.format(marker=marker))
    outside = tmp_path / "tmp"
    outside.mkdir()
    target = "after" if jobs > 1 else "first"
    argv = ("build", "-f", recipes, target, "-j", jobs)
    proc = start_cli(*argv, TMPDIR=str(outside), PYBUILD_SANDBOX=sandbox)
    try:
        deadline = time.monotonic() + 30
        while len(sleeping(marker)) < 2 * jobs and proc.poll() is None:
            assert time.monotonic() < deadline, "the builders did not start"
            time.sleep(0.05)
        sleepers = sleeping(marker)
        number = getattr(signal, f"SIG{name}")
        start = time.monotonic()
        proc.send_signal(number)
        _, err = proc.communicate(timeout=30)
        assert time.monotonic() - start < 10
    finally:
        proc.kill()
        proc.communicate()
        kill_marked(marker)
    assert proc.returncode == 128 + number, err
    assert err.splitlines()[-1] == ("interrupted" if name == "INT" else f"interrupted by SIG{name}")
    assert "Traceback" not in err and "building after" not in err
    assert all(dies(pid) for pid in sleepers)
    store = Store(os.environ["PYBUILD_HOME"])
    assert not store.tmp_dir.exists() or os.listdir(store.tmp_dir) == []
    assert list(outside.iterdir()) == []


def test_a_closed_terminal_interrupts_a_build_which_cleans_up_and_exits_129(
    tmp_path: Path,
) -> None:
    """The terminal pybuild runs in goes away (its window closed, its ssh connection lost):
    SIGHUP, then every write to it fails; the clean-up and the exit status must not."""
    import pty

    from test_processes import dies, kill_marked, sleeping

    marker = f"1000.{time.time_ns() % 10**9:09d}"
    recipes = write_recipes(tmp_path / "slow.py", INTERRUPTED.format(marker=marker))
    outside = tmp_path / "tmp"
    outside.mkdir()
    terminal, tty = pty.openpty()
    argv = [sys.executable, "-m", "pybuild", "build", "-f", str(recipes), "first"]
    env = {**os.environ, "TMPDIR": str(outside)}
    # setsid -c: pybuild leads a session whose controlling terminal is the pty, as in a shell
    proc = subprocess.Popen(["setsid", "-c", *argv], stdin=tty, stdout=tty, stderr=tty, env=env)
    os.close(tty)
    try:
        deadline = time.monotonic() + 30
        while len(sleeping(marker)) < 2 and proc.poll() is None:
            assert time.monotonic() < deadline, "the builder did not start"
            with contextlib.suppress(OSError):
                os.read(terminal, 65536)  # the progress display, drained
            time.sleep(0.05)
        sleepers = sleeping(marker)
        os.close(terminal)  # hung up: the kernel sends SIGHUP to the session's leader
        assert proc.wait(timeout=30) == 128 + signal.SIGHUP
    finally:
        proc.kill()
        proc.wait()
        kill_marked(marker)
    assert all(dies(pid) for pid in sleepers)
    store = Store(os.environ["PYBUILD_HOME"])
    assert not store.tmp_dir.exists() or os.listdir(store.tmp_dir) == []
    assert list(outside.iterdir()) == []


BIG = """
big = derivation(
    name="big",
    builder="/bin/sh",
    args=["-c", 'mkdir "$out"; head -c 16000000 /dev/urandom > "$out/data"'],
)
"""


def test_an_interrupted_upload_leaves_no_partial_archive_and_a_killed_one_goes_with_gc(
    tmp_path: Path,
) -> None:
    """SIGTERM removes the archive being written; SIGKILL cannot, so its folder names the
    process, and the next gc removes it once that process is gone (not a day later)."""
    recipes = write_recipes(tmp_path / "big.py", BIG)
    result = tmp_path / "result"
    run_cli("build", "-f", recipes, "big", "-o", result)
    store = Store(os.environ["PYBUILD_HOME"])
    cache = tmp_path / "cache"

    def interrupted_upload(number: int) -> tuple[subprocess.Popen[str], list[str]]:
        proc = start_cli("copy", "--to", cache, "--compression", "xz", result)
        deadline = time.monotonic() + 30
        # Once the archive is being written: a signal between the folder's mkdir and the
        # upload's `try` (a few bytecodes) would leave the folder, for the next gc.
        while not list(store.tmp_dir.glob("upload-*/archive")):
            assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
            time.sleep(0.02)
        proc.send_signal(number)
        proc.communicate(timeout=120)
        return proc, sorted(os.listdir(store.tmp_dir))

    proc, left = interrupted_upload(signal.SIGTERM)
    assert proc.returncode == 143 and left == []
    assert sorted(p.name for p in cache.iterdir()) == ["pybuild-cache-info"]

    proc, left = interrupted_upload(signal.SIGKILL)
    assert [
        re.fullmatch(rf"upload-{proc.pid}-[0-9a-f]{{8}}", name) is not None for name in left
    ] == [True]
    collected = run_cli("gc")
    assert f"deleting {store.tmp_dir / left[0]}\n" in collected.stderr
    assert os.listdir(store.tmp_dir) == []
    assert store.is_valid(result.resolve().name)  # the path itself is a root's: kept


# -- scenario 4: two builds of one target at once ---------------------------------------------

COUNTED = """
counted = derivation(
    name="counted",
    builder="/bin/sh",
    args=["-c", 'echo run >> "$1" && sleep 1 && echo x > "$out"', "counted", {counter!r}],
)
"""


def test_concurrent_builds_of_one_target_build_it_once(tmp_path: Path) -> None:
    counter = tmp_path / "counter"
    recipes = write_recipes(tmp_path / "counted.py", COUNTED.format(counter=str(counter)))
    procs = [start_cli("build", "-f", recipes, "counted") for _ in range(2)]
    results = [(proc.wait(timeout=60), *proc.communicate()) for proc in procs]
    for code, _, stderr in results:
        assert code == 0, stderr
        assert "Traceback" not in stderr
    assert results[0][1] == results[1][1]
    assert results[0][1].strip().endswith("-counted")
    assert counter.read_text() == "run\n"
    assert sum("building counted" in stderr for _, _, stderr in results) == 1
    out = results[0][1].strip()  # the other says why it went quiet, as Nix's "waiting for lock"
    waited = f"waiting for counted: another process is making {out}\n"
    assert sum(waited in stderr for _, _, stderr in results) == 1
    assert run_cli("verify", "--check-contents").returncode == 0


# -- scenario 5: a failing builder ------------------------------------------------------------

FAILING = """
failing = derivation(
    name="failing",
    builder="/bin/sh",
    args=["-c", {script!r}, "failing", {flag!r}],
)
"""
FAILING_SCRIPT = """
if [ -e "$out" ] || [ -n "$(ls -A .)" ]; then echo "did not start clean"; exit 3; fi
mkdir "$out"
echo partial > "$out/partial"
echo junk > junk
echo "compiling the widget"
echo "the widget is broken" >&2
[ -e "$1" ] || exit 1
echo ok > "$out/ok"
"""


def test_a_failing_build(tmp_path: Path) -> None:
    flag = tmp_path / "fixed"
    recipes = write_recipes(
        tmp_path / "failing.py", FAILING.format(script=FAILING_SCRIPT, flag=str(flag))
    )
    out = recipe_out(recipes, "failing")
    failed = run_cli("build", "-f", recipes, "failing", "-o", "result", cwd=tmp_path, check=False)
    assert failed.returncode == 1
    assert failed.stdout == ""
    assert "error: build of failing failed: builder exited with status 1" in failed.stderr
    assert "compiling the widget" in failed.stderr
    assert "the widget is broken" in failed.stderr
    log = re.search(r"full log: (\S+)", failed.stderr)
    assert log is not None
    assert "the widget is broken" in Path(log.group(1)).read_text()
    assert not os.path.lexists(tmp_path / "result")
    assert not os.path.lexists(out)
    assert run_cli("path-info", out, check=False).returncode == 1
    verify = run_cli("verify", "--check-contents", "--json")  # exit 0: no damage
    assert [p for p in json.loads(verify.stdout) if p["kind"] != "unregistered"] == []

    flag.touch()
    fixed = run_cli("build", "-f", recipes, "failing", "-o", "result", cwd=tmp_path)
    assert fixed.stdout == f"{out}\n"
    assert sorted(os.listdir(out)) == ["ok", "partial"]
    assert os.readlink(tmp_path / "result") == str(out)


def test_log_lines_option_limits_the_tail(tmp_path: Path) -> None:
    recipes = write_recipes(
        tmp_path / "failing.py",
        FAILING.format(script=FAILING_SCRIPT, flag=str(tmp_path / "never")),
    )
    failed = run_cli("build", "-f", recipes, "failing", "--option", "log-lines", "1", check=False)
    assert failed.returncode == 1
    assert "the widget is broken" in failed.stderr
    assert "compiling the widget" not in failed.stderr


def test_keep_going(tmp_path: Path) -> None:
    recipes = write_recipes(
        tmp_path / "mixed.py",
        """
        good = derivation(name="good", builder="/bin/sh", args=["-c", 'echo ok > "$out"'])
        bad = derivation(name="bad", builder="/bin/sh", args=["-c", "echo nope; exit 4"])
        """,
    )
    result = run_cli(
        "build", "-k", "-f", recipes, "bad", "good", "-o", "r", cwd=tmp_path, check=False
    )
    assert result.returncode == 1
    [good] = result.stdout.split()
    assert good.endswith("-good")
    assert Path(good).read_text() == "ok\n"
    assert "exited with status 4" in result.stderr
    assert os.readlink(tmp_path / "r") == good
    assert result.stderr.splitlines()[-1] == "1 succeeded, 1 failed"  # as --all's tally
    as_json = run_cli("build", "-k", "--json", "-f", recipes, "bad", "good", check=False)
    assert as_json.returncode == 1
    assert [row["status"] for row in json.loads(as_json.stdout)] == ["failed", "valid"]
    told = as_json.stderr.splitlines()  # the terminal is told as without --json
    assert "error: bad: build of bad failed: builder exited with status 4" in told
    assert told[-1] == "1 succeeded, 1 failed"
    without = run_cli("build", "-f", recipes, "bad", "good", check=False)
    assert without.returncode == 1
    assert without.stderr.count("error:") == 1
    assert "succeeded" not in without.stderr  # stopped at the first failure: no tally


def test_build_json_reports_a_failure_that_stops_the_builds(tmp_path: Path) -> None:
    """Without -k the first failure stops the builds; --json still prints each target's
    record, as -k does, the error on stderr and exit 1 as without --json."""
    recipes = write_recipes(
        tmp_path / "stop.py",
        """
        good = derivation(name="good", builder="/bin/sh", args=["-c", 'echo ok > "$out"'])
        bad = derivation(name="bad", builder="/bin/sh", args=["-c", "echo nope; exit 4"])
        after = derivation(name="after", builder="/bin/sh", args=["-c", f'cat {bad} > "$out"'])
        later = derivation(name="later", builder="/bin/sh", args=["-c", 'echo 2 > "$out"'])
        """,
    )
    run_cli("build", "-f", recipes, "good")
    argv = ("build", "--json", "-j", "1", "-f", recipes, "good", "after", "bad", "later")
    stopped = run_cli(*argv, check=False)
    assert stopped.returncode == 1
    assert "error: build of bad failed: builder exited with status 4" in stopped.stderr
    good, after, bad, later = json.loads(stopped.stdout)
    assert (good["status"], bad["status"], later["status"]) == ("valid", "failed", "stopped")
    assert "exited with status 4" in bad["error"]
    assert after["status"] == "dependency failed"
    assert after["failedInput"].endswith("-bad.drv")
    checked = run_cli("build", "--check", "--json", "-f", recipes, "bad", check=False)
    assert checked.returncode == 1
    assert [r["status"] for r in json.loads(checked.stdout)] == ["failed"]


def test_check_refuses_a_dry_run(tmp_path: Path) -> None:
    """A dry run's plan names only what is missing, where --check rebuilds every target:
    refused, not ignored (it said "nothing to do" of a valid target)."""
    run_cli("build", "-f", HELLO, "greeting")
    for argv in (("-f", HELLO, "greeting"), ("--all",)):
        refused = run_cli("build", "--check", "--dry-run", *argv, check=False)
        assert refused.returncode == 1, refused.stderr
        assert "--check rebuilds every target, valid or not, and --dry-run" in refused.stderr


def test_keep_going_tells_a_failure_once_and_first(tmp_path: Path) -> None:
    """A target kept from being built by a failed input named too says so in a line, after
    the failure itself, whose log's end is printed once; named alone, it carries the error."""
    recipes = write_recipes(
        tmp_path / "chain.py",
        """
        bad = derivation(name="bad", builder="/bin/sh", args=["-c", "echo nope-nope; exit 4"])
        after = derivation(name="after", builder="/bin/sh", args=["-c", f'cat {bad} > "$out"'])
        """,
    )
    both = run_cli("build", "-k", "-f", recipes, "after", "bad", check=False)
    assert both.returncode == 1
    assert both.stderr.count("nope-nope") == 1  # the tail of its log, once
    errors = [line for line in both.stderr.splitlines() if line.startswith("error:")]
    assert errors[0].startswith("error: bad: ")
    assert errors[1].startswith("error: after: not built: its input ")
    assert errors[1].endswith("failed (its error is above)")
    assert both.stderr.splitlines()[-1] == "0 succeeded, 1 failed, 1 not built: an input failed"
    alone = run_cli("build", "-k", "-f", recipes, "after", check=False)
    assert "error: after: not built: its input " in alone.stderr
    assert "nope-nope" in alone.stderr.split("error: after:")[1]


def test_keep_failed_flag_keeps_a_failed_builds_directories(tmp_path: Path) -> None:
    recipes = write_recipes(
        tmp_path / "bad.py",
        """
        bad = derivation(name="bad", builder="/bin/sh", args=["-c", "echo j > junk; exit 4"])
        """,
    )
    builds = tmp_path / "builds"
    build_dir = ("--option", "build-dir", builds)
    without = run_cli("build", "-f", recipes, "bad", *build_dir, check=False)
    assert without.returncode == 1 and not list(builds.iterdir())
    for flag in ("-K", "--keep-failed"):
        kept = run_cli("build", flag, "-f", recipes, "bad", *build_dir, check=False)
        assert kept.returncode == 1
        assert "keeping the failed build's directories" in kept.stderr
    assert [(d / "junk").read_text() for d in builds.iterdir()] == ["j\n", "j\n"]
    for command in ("shell", "run", "install", "upgrade"):  # every command that builds
        assert "-K, --keep-failed" in run_cli(command, "--help").stdout


# -- scenario 6: corrupt and edited .drv files ------------------------------------------------


def hello_drv(tmp_path: Path) -> Path:
    report = run_cli("build", "--json", "-f", HELLO, "hello", "-o", "result", cwd=tmp_path)
    [entry] = json.loads(report.stdout)
    return Path(entry["drvPath"])


def test_show_derivation(tmp_path: Path) -> None:
    drv = hello_drv(tmp_path)
    store = drv.parent
    out = Path(os.readlink(tmp_path / "result"))
    for given in (drv, "result", out, out / "bin" / "hello"):
        shown = run_cli("show-derivation", given, cwd=tmp_path)
        doc = json.loads(shown.stdout)
        assert list(doc) == [str(drv)]
        body = doc[str(drv)]
        assert body["name"] == "hello"
        assert body["builder"] == "/bin/sh"
        assert body["args"][0].startswith(f"{store}/")
        assert body["env"]["greeting"].startswith(f"{store}/")
        assert body["outputs"] == {"out": {"path": str(out)}}  # full paths, as Nix's
        [(greeting_drv, used)] = body["inputDrvs"].items()
        assert greeting_drv.startswith(f"{store}/") and greeting_drv.endswith("-greeting.drv")
        assert used == {"outputs": ["out"]}
        [builder_src] = body["inputSrcs"]
        assert builder_src.startswith(f"{store}/") and builder_src.endswith("-hello-builder.sh")
        assert "outputHash" not in body and "outputHashMode" not in body  # not fixed-output
        assert "@pybuild-store@" not in shown.stdout


def test_show_derivation_of_a_fixed_output_keeps_its_hash(tmp_path: Path) -> None:
    sri = hash_bytes(b"hi\n").sri
    file = write_recipes(
        tmp_path / "fixed.py",
        f"""
        fixed = derivation(name="fixed", builder="/bin/sh", args=["-c", "echo hi > $out"],
                           output_hash="{sri}")
        """,
    )
    [body] = json.loads(run_cli("show-derivation", "-f", file, "fixed").stdout).values()
    assert body["outputHash"] == sri
    assert body["outputHashMode"] == "flat"
    assert body["outputs"]["out"]["path"].endswith("-fixed")


def test_show_derivation_of_a_corrupt_drv(tmp_path: Path) -> None:
    drv = hello_drv(tmp_path)
    make_writable(drv)
    drv.write_bytes(b"\x00garbage{{{")
    for given in (drv, "result"):
        shown = run_cli("show-derivation", given, cwd=tmp_path, check=False)
        assert shown.returncode == 1
        assert shown.stderr.startswith(f"error: {drv}: malformed derivation")
        assert shown.stdout == ""


def test_show_derivation_of_a_hand_edited_drv(tmp_path: Path) -> None:
    drv = hello_drv(tmp_path)
    doc = json.loads(drv.read_text())
    doc["env"]["greeting_name"] = "somebody-else"
    make_writable(drv)
    drv.write_text(json.dumps(doc, sort_keys=True, separators=(",", ":")))
    shown = run_cli("show-derivation", drv, check=False)
    assert shown.returncode == 1
    assert shown.stderr.startswith(f"error: {drv} was modified")
    assert shown.stdout == ""


def test_show_derivation_of_an_added_path(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("x")
    added = run_cli("add", tmp_path / "f").stdout.strip()
    shown = run_cli("show-derivation", added, check=False)
    assert shown.returncode == 1
    assert "was added to the store, not built: it has no derivation" in shown.stderr


def test_the_drv_path_eval_and_a_dry_run_print_is_in_the_store(
    tmp_path: Path, use_index: BuildIndex
) -> None:
    """Evaluating writes the .drv files, as nix-instantiate and Nix's --dry-run do: the
    ``drvPath`` that ``eval`` prints, and each .drv a dry run lists, can be shown at once."""
    dry = run_cli("build", "--dry-run", "-f", HELLO, "hello")
    listed = [Path(line.split()[1]) for line in dry.stderr.splitlines()[1:]]
    assert [drv.name.split("-", 1)[1] for drv in listed] == ["greeting.drv", "hello.drv"]
    for drv in listed:
        assert list(json.loads(run_cli("show-derivation", drv).stdout)) == [str(drv)]
    other = tmp_path / "other-home"
    info = json.loads(run_cli("eval", "-f", HELLO, "hello", "--json", home=other).stdout)
    assert info["built"] is False
    shown = run_cli("show-derivation", info["drvPath"], home=other)
    assert list(json.loads(shown.stdout)) == [info["drvPath"]]
    shell = run_cli("shell", "-p", "six", "--dry-run", home=tmp_path / "shell-home")
    listed = [Path(line.split()[1]) for line in shell.stderr.splitlines()[1:]]
    assert any(drv.name.endswith("-env.drv") for drv in listed)
    assert all(drv.is_file() for drv in listed)  # shell's, run's and install's too


def test_show_derivation_of_a_drv_not_in_the_store_says_how_to_make_it() -> None:
    store = Path(os.environ["PYBUILD_HOME"]) / "store"
    ghost = store / f"{'a' * 32}-ghost.drv"
    shown = run_cli("show-derivation", ghost, check=False)
    assert shown.returncode == 1 and shown.stdout == ""
    assert shown.stderr.startswith(f"error: {ghost} is not in the store")
    assert "hint: " in shown.stderr and "pybuild eval" in shown.stderr


def test_log_of_an_attribute_a_drv_an_output_and_a_result_link(tmp_path: Path) -> None:
    recipes = write_recipes(
        tmp_path / "chatty.py",
        """
        chatty = derivation(
            name="chatty", builder="/bin/sh",
            args=["-c", 'echo "to stdout"; echo "to stderr" >&2; echo ok > "$out"'],
        )
        """,
    )
    report = run_cli("build", "--json", "-f", recipes, "chatty", "-o", "result", cwd=tmp_path)
    [entry] = json.loads(report.stdout)
    drv, out = entry["drvPath"], entry["outputs"]["out"]
    for target in (["-f", recipes, "chatty"], [drv], [out], ["result"], ["./result"]):
        shown = run_cli("log", *target, cwd=tmp_path)
        assert shown.stdout.splitlines() == ["to stdout", "to stderr"], target


def test_log_of_a_failed_build_is_all_of_it(tmp_path: Path) -> None:
    recipes = write_recipes(
        tmp_path / "failing.py",
        FAILING.format(script=FAILING_SCRIPT, flag=str(tmp_path / "never")),
    )
    failed = run_cli("build", "-f", recipes, "failing", "--option", "log-lines", "1", check=False)
    assert "compiling the widget" not in failed.stderr  # only the last line in the error
    shown = run_cli("log", "-f", recipes, "failing")
    assert shown.stdout.splitlines() == ["compiling the widget", "the widget is broken"]


def test_log_says_why_there_is_none(tmp_path: Path) -> None:
    recipes = write_recipes(
        tmp_path / "never.py",
        """never = derivation(name="never", builder="/bin/sh", args=["-c", "exit 1"])""",
    )
    unbuilt = run_cli("log", "-f", recipes, "never", check=False)
    assert unbuilt.returncode == 1
    assert "error: no build log of " in unbuilt.stderr
    assert "-never.drv: it was not built on this machine" in unbuilt.stderr
    (tmp_path / "f").write_text("x")
    added = run_cli("add", tmp_path / "f").stdout.strip()
    shown = run_cli("log", added, check=False)
    assert shown.returncode == 1
    assert "was added to the store, not built: it has no build log" in shown.stderr
    drv = hello_drv(tmp_path)
    for extra in (["--python", "3.11"], ["--recipes", str(tmp_path)]):
        refused = run_cli("log", *extra, drv, check=False)
        assert refused.returncode == 1
        assert f"{drv} is a store path, which {extra[0]} would not change" in refused.stderr
    misspelt = run_cli("log", "-f", recipes, "nevr", check=False)
    assert "did you mean 'never'?" in misspelt.stderr


# -- scenario 7: paths that are not in the store ----------------------------------------------


def test_path_info_of_a_path_outside_the_store(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.write_text("x")
    result = run_cli("path-info", outside, check=False)
    assert result.returncode == 1
    store = Path(os.environ["PYBUILD_HOME"]) / "store"
    assert result.stderr == f"error: {outside}: not inside the store {store}\n"
    assert result.stdout == ""


def test_a_path_of_another_store_is_told_by_which_name_it_is_copied(tmp_path: Path) -> None:
    """``copy --from CACHE OTHER_HOME/store/NAME`` said only that it was not inside the
    store: a binary cache names paths by basename, so NAME (or this store's path) copies it."""
    out = build_hello(tmp_path)
    cache, home = tmp_path / "cache", tmp_path / "home"
    run_cli("copy", "--to", cache, out)
    told = run_cli("copy", "--from", cache, out, home=home, check=False)
    assert told.returncode == 1
    assert told.stderr == (
        f"error: {out}: not inside the store {home / 'store'}\n  hint: it is in another store:"
        f" give its basename, {out.name}, as binary caches name paths, or this store's path of"
        f" that name, {home / 'store' / out.name}\n"
    )
    for named in (out.name, home / "store" / out.name):
        run_cli("copy", "--option", "require_sigs", "false", "--from", cache, named, home=home)
        assert run_cli("path-info", named, home=home).stdout == f"{home / 'store' / out.name}\n"


def test_path_info_of_a_path_that_does_not_exist_says_so(tmp_path: Path) -> None:
    """As Nix: a missing file is missing; that it would not be in the store is beside it."""
    for named in ("./nonexistent", "nonexistent.drv"):
        result = run_cli("path-info", named, cwd=tmp_path, check=False)
        assert (result.returncode, result.stdout) == (1, "")
        assert result.stderr == f"error: {named}: no such file or directory\n"


def test_path_info_of_an_absent_store_path() -> None:
    ghost = Path(os.environ["PYBUILD_HOME"]) / "store" / ("0" * 32 + "-ghost")
    result = run_cli("path-info", ghost, check=False)
    assert result.returncode == 1
    assert result.stderr.startswith(f"error: {ghost} is not a valid path in the store")
    assert "hint:" in result.stderr


def test_path_info_of_a_malformed_name() -> None:
    bad = Path(os.environ["PYBUILD_HOME"]) / "store" / "not-a-store-path"
    result = run_cli("path-info", bad, check=False)
    assert result.returncode == 1
    assert "not a store path" in result.stderr


# -- scenario 7b: a reader that stops reading (| head) ----------------------------------------

STREAMS = ("stdout", "stderr")


def run_into_a_closed_pipe(*args: object, streams: str) -> tuple[int, str, str]:
    """Run pybuild with `streams` ("stdout", "stderr" or "both") going into a pipe whose
    reader has closed before pybuild writes anything, as ``| head`` closes after its lines;
    the exit status, and what pybuild wrote to the stream(s) left open."""
    reader, writer = os.pipe()
    os.close(reader)
    into = {name: writer if streams in (name, "both") else subprocess.PIPE for name in STREAMS}
    try:
        result = subprocess.run(
            [sys.executable, "-m", "pybuild", *map(str, args)],
            stdin=subprocess.DEVNULL, stdout=into["stdout"], stderr=into["stderr"],
            text=True, timeout=120,
        )  # fmt: skip
    finally:
        os.close(writer)
    return result.returncode, result.stdout or "", result.stderr or ""


@pytest.mark.parametrize("streams", ["stdout", "both"])
def test_output_into_a_closed_pipe_ends_quietly_with_141(
    streams: str, use_index: BuildIndex
) -> None:
    """``pybuild search | head -2``: no 'BrokenPipeError … a bug in pybuild?'. (A search the
    fixture index answers: the whole set's asked the index for every recipe's file.)"""
    status, _, stderr = run_into_a_closed_pipe("search", "six", streams=streams)
    assert (status, stderr) == (141, "")


def test_standard_output_tells_its_reader_gone_once_and_drops_the_rest() -> None:
    """What the guarded standard output still buffers when its reader has gone is written
    again when the stream is closed: under Python 3.13 that happened before the command
    ended quietly, and printed 'Exception ignored … BrokenPipeError' (the closed-pipe test
    above, run under 3.13). The second flush must not fail on any interpreter."""
    from pybuild.brokenpipe import _Told

    reader, writer = os.pipe()
    os.close(reader)
    try:
        stream = io.TextIOWrapper(io.BufferedWriter(_Told(writer, "w", closefd=False)))
        stream.write("results\n")
        with pytest.raises(BrokenPipeError):
            stream.flush()
        stream.write("more\n")
        stream.close()  # flushes what is buffered: dropped
    finally:
        os.close(writer)


def test_a_closed_stderr_does_not_stop_a_build(tmp_path: Path) -> None:
    """``pybuild build … 2>&1 | head -5``: the plan and progress lines that cannot be written
    are dropped and the build goes on: with standard output open it ends as usual; with its
    results unread too it ends with 141, its output made all the same (the next build of it
    is a no-op)."""
    status, stdout, _ = run_into_a_closed_pipe("build", "-f", HELLO, "hello", streams="stderr")
    assert status == 0 and stdout.strip().endswith("-hello")
    recipes = write_recipes(
        tmp_path / "other.py",
        """other = derivation(name="other", builder="/bin/sh", args=["-c", "echo 1 > $out"])""",
    )
    status, _, _ = run_into_a_closed_pipe("build", "-f", recipes, "other", streams="both")
    assert status == 141
    again = run_cli("build", "-f", recipes, "other")
    assert "building" not in again.stderr and again.stdout.strip().endswith("-other")


def run_with_stdout(into: str, *args: object) -> subprocess.CompletedProcess[str]:
    """Run pybuild with standard output closed (`into` "closed": ``>&-``) or going into the
    file `into` (``>/dev/full``)."""
    command = [sys.executable, "-m", "pybuild", *map(str, args)]
    if into == "closed":
        command = ["sh", "-c", 'exec "$@" >&-', "sh", *command]
    with open(os.devnull if into == "closed" else into, "w") as out:
        return subprocess.run(
            command, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.PIPE,
            text=True, timeout=120,
        )  # fmt: skip


@pytest.mark.parametrize("into", ["closed", "/dev/full"])
@pytest.mark.parametrize("command", [["--version"], ["--help"], ["build", "-f", HELLO, "hello"]])
def test_results_that_standard_output_cannot_take_are_its_error(
    into: str, command: list[str]
) -> None:
    """``pybuild build … >&-`` and ``>/dev/full``: the results are lost, so the command fails,
    told as standard output's error, never as the pybuild home's filesystem full, nor as a
    traceback (a closed one was None, and the first file opened took its descriptor). The
    build itself is done: its next run is a no-op."""
    result = run_with_stdout(into, *command)
    told = "error: cannot write the results to standard output"
    where = ": Bad file descriptor" if into == "closed" else " (/dev/full): No space left on device"
    assert (result.returncode, result.stderr.splitlines()[-2 if into == "closed" else -1]) == (
        1,
        told + where,
    )
    assert ("hint: standard output was closed" in result.stderr) == (into == "closed")
    if command[0] == "build":
        assert "building" not in run_cli(*command).stderr


# -- scenario 8: a moved store ----------------------------------------------------------------


def test_moved_store_keeps_working(tmp_path: Path) -> None:
    old, new = tmp_path / "old-home", tmp_path / "elsewhere" / "new-home"
    built = build_hello(tmp_path, home=old)
    new.parent.mkdir()
    subprocess.run(["mv", old, new], check=True)
    moved = new / "store" / built.name
    info = run_cli("path-info", "-r", "-S", moved, home=new)
    assert {
        Path(line.split("\t")[0]).name.split("-", 1)[1] for line in info.stdout.split("\n")[:-1]
    } == {
        "hello",
        "greeting",
    }
    assert str(old) not in info.stdout
    assert run_cli("verify", "--check-contents", home=new).returncode == 0
    run = subprocess.run([moved / "bin" / "hello"], capture_output=True, text=True)
    assert (run.returncode, run.stdout) == (0, "Hello, world!\n")
    again = run_cli("build", "-f", HELLO, "hello", home=new)
    assert again.stdout == f"{moved}\n"
    assert "building" not in again.stderr


# -- scenario 9: what a command imports -------------------------------------------------------

IMPORT_PROBE = """
import sys
from pybuild.cli import main
try:
    code = main(sys.argv[1:])
except SystemExit as exc:
    code = exc.code
print("MODULES", *sorted(sys.modules))
"""
HEAVY = ("requests", "urllib3", "http.client", "concurrent.futures")


def imported_by(*args: object) -> set[str]:
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_PROBE, *map(str, args)],
        capture_output=True,
        text=True,
        check=True,
    )
    line = next(x for x in result.stdout.splitlines() if x.startswith("MODULES "))
    return set(line.split()[1:])


def heavy(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if any(m == h or m.startswith(h + ".") for h in HEAVY))


def test_help_and_no_op_build_import_nothing_heavy(tmp_path: Path) -> None:
    assert heavy(imported_by("--help")) == []
    real_build = imported_by("build", "-f", HELLO, "hello")
    assert "concurrent.futures" in real_build  # the probe does see what a build imports
    assert heavy(imported_by("build", "-f", HELLO, "hello")) == []
    assert heavy(imported_by("path-info", "-r", build_hello(tmp_path))) == []


def test_one_build_loads_no_thread_pool_and_a_command_no_typing(tmp_path: Path) -> None:
    """A single build (a new environment) runs in the command's thread: the pool's modules,
    with logging, are 5 ms of a 150 ms command. typing is for the checker, and a dry run makes
    no build folder (tempfile). Run without site (``-S``), whose import hook for an editable
    install imports typing itself."""

    def loaded(*args: object) -> tuple[set[str], str]:
        argv = [sys.executable, "-S", "-c", IMPORT_PROBE, *map(str, args)]
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        run = subprocess.run(argv, capture_output=True, text=True, check=True, env=env)
        line = next(x for x in run.stdout.splitlines() if x.startswith("MODULES "))
        return set(line.split()[1:]), run.stdout

    lone = tmp_path / "lone.py"
    lone.write_text(
        "from pybuild import derivation\n"
        "lone = derivation(name='lone', builder='/bin/sh', args=['-c', 'echo > $out'])\n"
    )
    dry, _ = loaded("build", "--dry-run", "-f", lone, "lone")
    assert not {"concurrent.futures", "typing", "tempfile"} & dry
    modules, shown = loaded("build", "-f", HELLO, "greeting")
    assert not {"concurrent.futures", "typing"} & modules
    assert "greeting" in shown  # built: its path printed


def test_an_environments_build_counts_no_cores(tmp_path: Path) -> None:
    """An environment is built in pybuild's own process (a builtin): no builder runs, so the
    cores one may use are not counted, nor is the builder's module that counts them loaded
    (with compileall, which it imports for its own work)."""
    env = tmp_path / "env.py"
    env.write_text(
        "from pybuild import package_set\nenv = package_set().python.with_packages(lambda ps: [])\n"
    )
    modules = imported_by("build", "-f", env, "env")
    assert "pybuild.python.builder.env" in modules  # the probe does see the build
    assert not {"compileall", "pybuild.python.builder.bytecode"} & modules


def test_a_command_loads_only_its_own_module() -> None:
    loaded = {m for m in imported_by("build", "--help") if m.startswith("pybuild.commands.")}
    assert loaded == {"pybuild.commands.build", "pybuild.commands.common"}


def test_the_command_table_names_what_each_module_registers() -> None:
    import argparse
    import importlib

    from pybuild.cli import Commands
    from pybuild.commands import COMMANDS, MODULES

    registered = {}
    for module in MODULES:
        parser = argparse.ArgumentParser()
        commands = Commands(parser.add_subparsers(), argparse.ArgumentParser(add_help=False))
        importlib.import_module(f"pybuild.commands.{module}").register(commands)
        registered.update(dict.fromkeys(commands._sub.choices, module))
    assert registered == COMMANDS


# -- the other commands -----------------------------------------------------------------------


def test_help() -> None:
    result = run_cli("--help")
    for command in ("build", "show-derivation", "path-info", "add", "hash", "verify", "config"):
        assert command in result.stdout
    bare = run_cli(check=False)
    assert bare.returncode == 2
    assert "usage: pybuild" in bare.stdout


@pytest.mark.parametrize(
    ("argv", "told"),
    [
        (["eval"], "the following arguments are required: ATTR"),
        (["build"], "error: name what to build (ATTR…), or --all"),
        (["config"], "error: say what to do: pybuild config show"),
        (["shell"], "error: name packages with -p ATTR, or write a shell.py whose env is one"),
        (["update-pins"], "error: name the recipes to pin (ATTR or FILE…), or --all"),
        (["verify", "-r"], "error: verify -r takes the paths whose closures to check"),
    ],
)
def test_a_missing_argument_exits_2_whether_argparse_or_pybuild_finds_it(
    argv: list[str], told: str, tmp_path: Path
) -> None:
    """As the README says for scripts: 2 for a command line lacking an argument, also one
    that argparse cannot require (ATTR… or --all; -p or a shell.py), 1 for errors found in
    what was asked."""
    result = run_cli(*argv, cwd=tmp_path, check=False)  # no shell.py there
    assert result.returncode == 2, result.stderr
    assert told in result.stderr


@pytest.mark.parametrize("argv", [["build", "--help"], ["key", "generate", "--help"]])
def test_a_commands_help_is_wrapped_to_the_terminal_as_argparse_wraps_it(
    argv: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "60")
    narrow = run_cli(*argv).stdout.splitlines()
    monkeypatch.setenv("COLUMNS", "200")
    wide = run_cli(*argv).stdout.splitlines()
    assert max(map(len, narrow)) <= 58 < max(map(len, wide))  # argparse keeps 2 columns free
    assert " ".join(" ".join(narrow).split()) == " ".join(" ".join(wide).split())


def test_build_json(tmp_path: Path) -> None:
    first = json.loads(run_cli("build", "--json", "-f", HELLO, "hello", "greeting").stdout)
    assert [e["attr"] for e in first] == ["hello", "greeting"]
    assert [e["status"] for e in first] == ["built", "built"]
    assert first[0]["outputs"]["out"].endswith("-hello")
    assert first[0]["drvPath"].endswith("-hello.drv")
    assert Path(first[0]["drvPath"]).exists()
    again = json.loads(run_cli("build", "--json", "-f", HELLO, "hello").stdout)
    assert again[0]["status"] == "valid"
    assert again[0]["outputs"] == first[0]["outputs"]


def test_build_json_names_a_drv_path_in_the_store(tmp_path: Path) -> None:
    """Two derivations of one fixed output: the second's output is valid already (built by
    the first), and a collection takes its .drv, which nothing keeps; its report still names
    a .drv that is in the store, from its evaluation or from the evaluation record."""
    (tmp_path / "hi").write_text("hi\n")
    fixed = run_cli("hash", "--flat", tmp_path / "hi").stdout.strip()
    recipes = write_recipes(
        tmp_path / "same.py",
        f"""
        first = derivation(name="same", builder="/bin/sh", args=["-c", "echo hi > $out"],
                           output_hash={fixed!r})
        second = derivation(name="same", builder="/bin/sh",
                            args=["-c", "printf 'hi\\\\n' > $out"], output_hash={fixed!r})
        """,
    )
    run_cli("build", "-f", recipes, "first", "-o", tmp_path / "result")
    for collect in (False, True, False):
        if collect:
            run_cli("gc")
        [report] = json.loads(run_cli("build", "--json", "-f", recipes, "second").stdout)
        assert report["status"] == "valid" and Path(report["drvPath"]).exists()


@pytest.mark.parametrize("jobs", [("-j", "2"), ("--option", "jobs", "2")])
def test_build_with_two_jobs_overlaps(tmp_path: Path, jobs: tuple[str, ...]) -> None:
    markers = tmp_path / "markers"
    markers.mkdir()
    meet = (
        'touch "$1/$2"; i=0; while [ ! -e "$1/$3" ] && [ $i -lt 100 ];'
        " do sleep 0.05; i=$((i + 1)); done;"
        ' if [ -e "$1/$3" ]; then echo overlap > "$out"; else echo alone > "$out"; fi'
    )
    recipes = write_recipes(
        tmp_path / "pair.py",
        f"""
        left = derivation(name="left", builder="/bin/sh",
                          args=["-c", {meet!r}, "x", {str(markers)!r}, "left", "right"])
        right = derivation(name="right", builder="/bin/sh",
                           args=["-c", {meet!r}, "x", {str(markers)!r}, "right", "left"])
        """,
    )
    result = run_cli("build", "-f", recipes, "left", "right", *jobs)
    for path in result.stdout.split():
        assert Path(path).read_text() == "overlap\n"


def test_build_errors(tmp_path: Path) -> None:
    missing = run_cli("build", "-f", HELLO, "helo", check=False)
    assert missing.returncode == 1
    assert "has no attribute 'helo'" in missing.stderr
    assert "did you mean 'hello'" in missing.stderr
    deeper = run_cli("build", "-f", HELLO, "hello.nosuch", check=False)
    assert f"error: hello of {HELLO} has no attribute 'nosuch'" in deeper.stderr
    for dotted in ("hello.", ".hello", "hello..drv"):
        empty = run_cli("build", "-f", HELLO, dotted, check=False)
        assert f"error: {dotted!r} is no attribute path" in empty.stderr
    not_drv = run_cli("build", "-f", HELLO, "Path", check=False)
    assert not_drv.returncode == 1
    assert "not a derivation" in not_drv.stderr
    no_file = run_cli("build", "-f", tmp_path / "absent.py", "x", check=False)
    assert no_file.returncode == 1
    assert "no such file" in no_file.stderr
    broken = tmp_path / "broken.py"
    broken.write_text("raise ValueError('oops in recipe')\n")
    evaluated = run_cli("build", "-f", broken, "x", check=False)
    assert evaluated.returncode == 1
    assert "while evaluating" in evaluated.stderr
    assert "ValueError: oops in recipe" in evaluated.stderr
    for result in (missing, not_drv, no_file, evaluated):
        assert result.stderr.startswith("error: ")


@pytest.mark.parametrize("name", ["recipes", "recipes.py"])
@pytest.mark.parametrize("command", ["eval", "build"])
def test_a_folder_given_to_f_is_told_as_a_folder(command: str, name: str, tmp_path: Path) -> None:
    """It was told "no such file" of a folder that is there; a recipe folder has its option."""
    folder = tmp_path / name
    folder.mkdir()
    result = run_cli(command, "-f", folder, "x", check=False)
    assert result.returncode == 1
    assert result.stderr == (
        f"error: {folder} is a folder, not a Python file\n"
        "  hint: give a Python file; a recipe folder is given with --recipes DIR, not -f\n"
    )


def test_a_file_to_f_that_is_no_regular_file_is_told_as_what_it_is(tmp_path: Path) -> None:
    """``-f /dev/null`` was told "no such file", of a file that is there; a named pipe too,
    and one named NAME.py was read, waiting for a writer for ever. A regular file of another
    name is told why it is not read."""
    fifo, fifo_py, plain = tmp_path / "fifo", tmp_path / "fifo.py", tmp_path / "plain"
    os.mkfifo(fifo)
    os.mkfifo(fifo_py)
    plain.write_text("x = 1\n")
    hint = (
        "  hint: give a regular file of Python code, named NAME.py (it is read whole, then run)\n"
    )
    for path, kind in (
        ("/dev/null", "a character device"),
        (fifo, "a pipe"),
        (fifo_py, "a pipe"),
    ):
        result = run_cli("build", "-f", path, "x", check=False)
        assert result.returncode == 1
        assert result.stderr == f"error: {path} is {kind}, not a Python file\n{hint}"
    named = run_cli("eval", "-f", plain, "x", check=False)
    assert named.stderr == f"error: {plain} is not a Python file: its name does not end in .py\n"
    below = run_cli("eval", "-f", plain / "x.py", "x", check=False)
    assert below.stderr == f"error: {plain / 'x.py'}: no such file\n"
    loop = tmp_path / "loop.py"
    loop.symlink_to(loop)
    looping = run_cli("eval", "-f", loop, "x", check=False)
    assert looping.stderr == f"error: {loop}: too many levels of symbolic links\n"
    dangling = tmp_path / "dangling.py"
    dangling.symlink_to(tmp_path / "gone.py")
    told = run_cli("eval", "-f", dangling, "x", check=False)
    assert (
        told.stderr
        == f"error: {dangling} is a link to {tmp_path / 'gone.py'}, which does not exist\n"
    )


def test_eval_prints_a_plain_value_as_json_as_nix_eval_does(
    tmp_path: Path, use_index: BuildIndex
) -> None:
    """``eval six.version`` prints ``"1.17.0"``, as ``nix eval .#six.version`` does: any value
    made of strings, numbers, booleans, None, lists and dicts is printed as JSON; a package's
    description stays as it was, and another kind of value is still refused."""
    six = json.loads(run_cli("eval", "six", "--json").stdout)
    version = run_cli("eval", "six.version")
    assert version.stdout == f'"{six["version"]}"\n'
    assert json.loads(run_cli("eval", "six.version", "--json").stdout) == six["version"]
    file = tmp_path / "values.py"
    file.write_text("info = {'n': 3, 'ok': True, 'xs': [1.5, None, 'a']}\nother = object()\n")
    shown = json.loads(run_cli("eval", "-f", file, "info").stdout)
    assert shown == {"n": 3, "ok": True, "xs": [1.5, None, "a"]}
    refused = run_cli("eval", "-f", file, "other", check=False)
    assert refused.returncode == 1 and "other is an object, not a derivation" in refused.stderr


def test_eval_prints_data_an_overlay_puts_in_the_set_as_json(
    tmp_path: Path, use_index: BuildIndex
) -> None:
    """An overlay's ``{"v": prev.six.version}`` was refused (``v is a str, not a derivation
    or package``) where a file's string is printed: data in the set is printed as JSON, and
    as it is with ``--raw``; a recipe's own result must still be a package."""
    overlay = tmp_path / "o.py"
    overlay.write_text('def overlay(final, prev):\n    return {"v": prev.six.version}\n')
    version = json.loads(run_cli("eval", "six.version").stdout)
    for json_flag in ([], ["--json"]):
        shown = run_cli("eval", "--overlay", overlay, "v", *json_flag)
        assert json.loads(shown.stdout) == version
    assert run_cli("eval", "--raw", "--overlay", overlay, "v").stdout == version
    recipes = tmp_path / "recipes"
    recipes.mkdir()
    (recipes / "odd.py").write_text("def recipe():\n    return 'text'\n")
    refused = run_cli("eval", "--recipes", recipes, "odd", check=False)
    assert refused.returncode == 1 and "odd is a str, not a derivation" in refused.stderr
    assert "returned by the recipe at" in refused.stderr


def test_eval_refuses_what_json_cannot_say_and_its_hint_says_what_it_can(tmp_path: Path) -> None:
    """NaN was printed as NaN, which no JSON reader takes, and a dict keyed by a number was
    refused with a hint that listed dicts among what eval prints."""
    overlay = tmp_path / "o.py"
    overlay.write_text(
        "def overlay(final, prev):\n"
        "    return {'nan': float('nan'), 'inf': [float('-inf')], 'k': {1: 'a'}, 'ok': 1.5}\n"
    )
    assert json.loads(run_cli("eval", "--overlay", overlay, "ok").stdout) == 1.5
    for attr in ("nan", "inf", "k"):
        refused = run_cli("eval", "--overlay", overlay, attr, "--json", check=False)
        assert refused.returncode == 1 and refused.stdout == ""
        assert "finite numbers" in refused.stderr and "string-keyed dicts" in refused.stderr


NESTED = """\
from pybuild import derivation
greeting = derivation(name="greeting", builder="/bin/sh", args=["-c", "echo hi > $out"])
nested = {"a": {"b": greeting}, "ver": "1.0", 3: "not a name"}
"""


def test_an_attribute_path_goes_through_a_dict_by_its_keys(tmp_path: Path) -> None:
    """A dict is Python's attribute set: ``nested.a.b`` selects by its keys, as ``nix eval -f
    d.nix nested.a.b`` does in an attrset, where the path asked the dict for an attribute
    'a' and found its methods alone (``nested.keys`` was a builtin_function_or_method)."""
    file = tmp_path / "d.py"
    file.write_text(NESTED)
    assert json.loads(run_cli("eval", "-f", file, "nested.a.b", "--json").stdout)["name"] == (
        "greeting"
    )
    assert run_cli("eval", "-f", file, "nested.ver").stdout == '"1.0"\n'
    dry = run_cli("build", "--dry-run", "-f", file, "nested.a.b")
    assert "-greeting.drv" in dry.stderr
    method = run_cli("eval", "-f", file, "nested.keys", check=False)
    assert method.returncode == 1
    assert method.stderr == (
        f"error: nested of {file} has no attribute 'keys'\n  hint: it has: a, ver\n"
    )
    close = run_cli("eval", "-f", file, "nested.vr", check=False)
    assert close.stderr == (
        f"error: nested of {file} has no attribute 'vr'; did you mean 'ver'?\n"
        "  hint: it has: ver, a\n"
    )


def test_eval_names_the_packages_a_list_holds_as_a_description_names_inputs(
    tmp_path: Path, use_index: BuildIndex
) -> None:
    """``eval requests.dependencies`` was refused as a list, not a derivation or package, with
    build's hint of what is built, while an empty list printed ``[]``: a list (or dict) of
    packages is data too, each named as ``eval pytest`` names its dependencies (a bare
    derivation by its output path); a value eval cannot show has eval's hint. (pytest: the
    fixture index has its closure's files.)"""
    package = json.loads(run_cli("eval", "pytest", "--json").stdout)
    for json_flag in ([], ["--json"]):
        listed = json.loads(run_cli("eval", "pytest.dependencies", *json_flag).stdout)
        assert listed == package["dependencies"] and "pluggy" in listed
    # A recipe's attrs hold its inputs not yet evaluated: shown as evaluated, not refused as
    # "a dict, not a derivation or package" under a hint that says eval shows dicts.
    attrs = json.loads(run_cli("eval", "pytest.attrs").stdout)
    assert attrs["dependencies"] == package["dependencies"] and attrs["pname"] == "pytest"
    file = tmp_path / "d.py"
    file.write_text(NESTED + "drvs = (greeting, greeting)\n")
    greeting = json.loads(run_cli("eval", "-f", file, "greeting", "--json").stdout)
    out = greeting["outputs"]["out"]
    assert json.loads(run_cli("eval", "-f", file, "drvs").stdout) == [out, out]
    assert json.loads(run_cli("eval", "-f", file, "nested.a").stdout) == {"b": out}
    python = run_cli("eval", "python", check=False)
    assert python.returncode == 1
    assert python.stderr.startswith("error: python is a PythonForSet, not a derivation or package")
    assert "what is built" not in python.stderr
    assert "hint: eval shows a package or a derivation, or data" in python.stderr


def test_eval_raw_prints_a_string_as_it_is_as_nix_eval_raw_does(
    tmp_path: Path, use_index: BuildIndex
) -> None:
    """``v=$(pybuild eval six.version)`` held the JSON quotes: ``--raw`` writes a string with
    no quotes and no newline added, as ``nix eval --raw`` does, and refuses anything else."""
    version = json.loads(run_cli("eval", "six.version").stdout)
    assert run_cli("eval", "--raw", "six.version").stdout == version
    file = tmp_path / "d.py"
    file.write_text(NESTED + "lines = 'a\\nb\\n'\n")
    assert run_cli("eval", "-f", file, "--raw", "lines").stdout == "a\nb\n"
    for attr, noun in (("six.dependencies", "a list"), ("six", "a PythonPackage")):
        refused = run_cli("eval", "--raw", attr, check=False)
        assert refused.returncode == 1 and refused.stdout == ""
        assert refused.stderr.startswith(
            f"error: {attr} is {noun}, not a string: --raw prints a string as it is\n"
        )
    both = run_cli("eval", "--raw", "--json", "six.version", check=False)
    assert both.returncode == 2 and "not allowed with argument" in both.stderr


def test_a_mistyped_command_or_option_is_told_by_the_command_it_is_for() -> None:
    """A command's typo names the close command; a word no option of the command takes shows
    the command's usage, not pybuild's (as if the word were misplaced before the command)."""
    typo = run_cli("evl", "six", check=False)
    assert typo.returncode == 2 and "did you mean 'eval'?" in typo.stderr
    for argv, word in ((["eval", "--jsno", "six"], "--jsno"), (["hash", "one", "two"], "two")):
        extra = run_cli(*argv, check=False)
        assert extra.returncode == 2, extra.stderr
        assert extra.stderr.startswith(f"usage: pybuild {argv[0]} ")
        assert f"pybuild {argv[0]}: error: unrecognized arguments: {word}" in extra.stderr
    assert "unrecognized arguments: --jsno (did you mean '--json'?)" in extra_for(
        "eval", "--jsno", "six"
    )
    assert "--overlya (did you mean '--overlay'?)" in extra_for("build", "--overlya", "x.py", "six")
    assert "unrecognized arguments: six (packages are given with -p: -p six)" in extra_for(
        "shell", "six", "--run", "true"
    )


def test_a_commands_option_before_the_command_is_told_where_it_goes() -> None:
    """Only pybuild's own options (and --option) go before the command: one of build's there
    was refused as unknown with itself for the suggestion (-K), or its value taken for the
    command (-j 1); the error says to put it after the command, and how."""
    for before, fixed in (
        (["-K"], "pybuild build -K six"),
        (["-j", "1"], "pybuild build -j 1 six"),
        (["-q", "--color=never", "-j1", "-K"], "pybuild -q --color=never build -j1 -K six"),
    ):
        told = extra_for(*before, "build", "six")
        option = next(w for w in before if w.startswith(("-j", "-K")))
        assert told == (
            f"pybuild: error: {option} is an option of build: put it after the command: `{fixed}`\n"
        )
    assert extra_for("-j", "1", "eval", "six") == (
        "pybuild: error: -j is an option neither of pybuild nor of eval"
        " (`pybuild eval --help` lists eval's)\n"
    )


def extra_for(*argv: str) -> str:
    """The usage error of a command line with a word its command does not take."""
    result = run_cli(*argv, check=False)
    assert result.returncode == 2, result.stderr
    return result.stderr


def test_the_errors_of_a_command_line_name_only_what_it_lacks() -> None:
    """A program's arguments were listed as required, where run takes none; profile's one
    word was called by its Python name (action), where its usage says ACTION."""
    lacking = run_cli("run", check=False)
    assert lacking.returncode == 2
    assert lacking.stderr.endswith("error: the following arguments are required: ATTR\n")
    wrong = run_cli("profile", "bogus", check=False)
    assert "[ACTION]" in wrong.stderr and "argument ACTION: invalid choice" in wrong.stderr


def test_a_newcomers_mistakes_are_answered_with_what_to_write(
    tmp_path: Path, use_index: BuildIndex
) -> None:
    """pip's habit (``six==1.16.0``), a recipe of one's own asked of the default set, a file's
    set's package asked of the file, a recipe without ``return``, a source relative to the
    working folder: each error says what to write instead. (The set's six is evaluated for
    the hint of the first, to tell whether it is a release of the index: the local one.)"""
    pinned = run_cli("eval", "six==1.16.0", check=False)
    assert "'six==1.16.0' is a requirement, not an attribute" in pinned.stderr
    assert "hint: a release from the index is pypi:six==1.16.0" in pinned.stderr
    assert "did you mean 'pyyaml'?" in run_cli("eval", "PyYAML", check=False).stderr  # PEP 503
    unknown = run_cli("eval", "greeterzz", check=False)
    assert "the package set has no attribute 'greeterzz'" in unknown.stderr
    assert "--recipes DIR or --overlay FILE" in unknown.stderr
    shell = tmp_path / "shell.py"
    shell.write_text("from pybuild import package_set\npkgs = package_set()\n")
    of_file = run_cli("eval", "-f", shell, "six", check=False)
    assert f"{shell} has no attribute 'six'" in of_file.stderr
    assert "hint: did you mean pkgs.six?" in of_file.stderr
    recipes = tmp_path / "recipes"
    recipes.mkdir()
    (recipes / "mine.py").write_text(
        "def recipe(build_python_package, six):\n"
        "    build_python_package(pname='mine', version='1', src='mine', dependencies=[six])\n"
    )
    no_return = run_cli("eval", "--recipes", recipes, "mine", check=False)
    assert f"recipe() in {recipes / 'mine.py'}:1 returned None, not a package" in (no_return.stderr)
    (recipes / "mine.py").write_text(
        "def recipe(build_python_package, six):\n"
        "    return build_python_package(pname='mine', version='1', src='mine')\n"
    )
    relative = run_cli("eval", "--recipes", recipes, "mine", cwd=tmp_path, check=False)
    assert f"mine 1's src mine does not exist in the working folder {tmp_path}" in (relative.stderr)
    assert "Path(__file__).parent / 'mine'" in relative.stderr
    assert pinned.returncode == 2  # a word that is no attribute: the command line is unread
    for result in (unknown, of_file, no_return, relative):
        assert result.returncode == 1


def test_path_info_forms(tmp_path: Path) -> None:
    out = build_hello(tmp_path, "-o", "result")
    [row] = json.loads(run_cli("path-info", "--json", "-S", "result", cwd=tmp_path).stdout)
    assert row["path"] == str(out)
    assert row["narHash"] == hash_path(out)[0].sri
    assert row["narSize"] == hash_path(out)[1]
    assert row["deriver"].startswith(f"{out.parent}/") and row["deriver"].endswith("-hello.drv")
    [greeting] = row["references"]
    assert greeting.endswith("-greeting")
    assert row["closureSize"] == row["narSize"] + hash_path(greeting)[1]
    plain = run_cli("path-info", out / "bin" / "hello").stdout
    assert plain == f"{out}\n"  # the path alone, as nix path-info prints it


def test_path_info_prints_nix_s_columns_the_bare_path_unless_asked(
    tmp_path: Path, store: Store
) -> None:
    """As ``nix path-info``: the bare path, so that ``$(pybuild path-info -r X)`` is paths;
    -s adds the NAR size, -S the closure size (only), --sigs the signatures, in that order."""
    out = build_hello(tmp_path, "-o", "result")
    [greeting] = store.info(out.name).references
    greeting_path = out.parent / greeting
    bare = run_cli("path-info", "-r", "result", cwd=tmp_path).stdout
    assert sorted(bare.split()) == sorted([str(out), str(greeting_path)])
    own, closure = hash_path(out)[1], hash_path(out)[1] + hash_path(greeting_path)[1]
    assert run_cli("path-info", "-s", out).stdout == f"{out}\t{human_size(own)}\n"
    assert run_cli("path-info", "-S", out).stdout == f"{out}\t{human_size(closure)}\n"
    assert run_cli("path-info", "--sigs", out).stdout == f"{out}\t\n"  # none: an empty column
    every = run_cli("path-info", "--sigs", "-S", "--size", out).stdout
    assert every == f"{out}\t{human_size(own)}\t{human_size(closure)}\t\n"


def test_a_relative_link_or_a_home_through_a_link_still_names_a_store_path(
    tmp_path: Path,
) -> None:
    """A link is a path if it leads into the store, whatever its text says: a relative link,
    or a result link read through a PYBUILD_HOME that is itself a link."""
    out = build_hello(tmp_path, "-o", "result")
    (tmp_path / "mylink").symlink_to(Path("pybuild-home", "store", out.name))
    assert run_cli("path-info", "mylink", cwd=tmp_path).stdout == f"{out}\n"
    (tmp_path / "homelink").symlink_to(tmp_path / "pybuild-home")
    through = run_cli("path-info", "result", cwd=tmp_path, home=tmp_path / "homelink")
    assert through.stdout == f"{tmp_path / 'homelink' / 'store' / out.name}\n"


def test_a_store_paths_basename_names_it_and_is_never_cut_at_a_dot(tmp_path: Path) -> None:
    """``path-info <hash>-python3.11-env`` said the set had no attribute '<hash>-python3'."""
    out = build_hello(tmp_path)
    [row] = json.loads(run_cli("path-info", "--json", out.name, cwd=tmp_path).stdout)
    assert row["path"] == str(out)
    drv = Path(row["deriver"])
    assert run_cli("path-info", drv.name, cwd=tmp_path).stdout == f"{drv}\n"
    built = run_cli("build", out.name, cwd=tmp_path, check=False)
    assert built.stderr == (
        f"error: the package set has no attribute {out.name!r}\n  hint: it names the store"
        f" path {out}: give that path where a command takes paths\n"
    )
    absent = "0" * 32 + "-python3.11-env"
    missing = run_cli("path-info", absent, cwd=tmp_path, check=False)
    assert missing.returncode == 1
    assert missing.stderr == (
        f"error: the package set has no attribute {absent!r}\n  hint: it is shaped as a store"
        f" path's name, but the store {out.parent} has no such path\n"
    )


def test_path_info_json_gives_a_fixed_outputs_ca_as_nix_does(tmp_path: Path) -> None:
    """A download's ``ca`` is ``fixed:sha256:…`` (``fixed:r:sha256:…`` for a NAR hash), as
    Nix writes it, where it was null."""
    (tmp_path / "hi").write_text("hi\n")
    flat, nar = hash_bytes(b"hi\n"), hash_path(tmp_path / "hi")[0]
    file = write_recipes(
        tmp_path / "fixed.py",
        f"""
        flat = derivation(name="flat", builder="/bin/sh", args=["-c", "echo hi > $out"],
                          output_hash="{flat.sri}")
        nar = derivation(name="nar", builder="/bin/sh", args=["-c", "echo hi > $out"],
                         output_hash="{nar.sri}", output_hash_mode="recursive")
        """,
    )
    run_cli("build", "-f", file, "flat", "nar")
    rows = json.loads(run_cli("path-info", "--json", "-f", file, "flat", "nar").stdout)
    assert [row["ca"] for row in rows] == [
        f"fixed:sha256:{flat.base32}",
        f"fixed:r:sha256:{nar.base32}",
    ]


def test_path_info_and_show_derivation_take_an_attribute_as_log_does(tmp_path: Path) -> None:
    """``path-info -rS requests`` reads an attribute (of the set, or of -f FILE) as ``log``
    does: its outputs, which must be built; ``show-derivation`` its derivation, built or
    not. Paths are as before, and a set's options with paths alone are refused."""
    unbuilt = run_cli("path-info", "-f", HELLO, "hello", check=False)
    assert unbuilt.returncode == 1 and unbuilt.stdout == ""
    assert (
        unbuilt.stderr.startswith("error: hello: its output ")
        and "is not in the store" in unbuilt.stderr
    )
    assert "hint: build it first (pybuild build hello" in unbuilt.stderr
    shown = run_cli("show-derivation", "-f", HELLO, "hello").stdout  # evaluated, not built
    drv = hello_drv(tmp_path)
    assert shown == run_cli("show-derivation", drv).stdout
    assert list(json.loads(shown)) == [str(drv)]
    out = Path(os.readlink(tmp_path / "result"))
    for args in (["-f", HELLO, "hello"], ["result"]):
        rows = json.loads(run_cli("path-info", "-r", "--json", *args, cwd=tmp_path).stdout)
        assert sorted(Path(row["path"]).name.split("-", 1)[1] for row in rows) == [
            "greeting",
            "hello",
        ], args
        assert str(out) in [row["path"] for row in rows]
    missing = run_cli("path-info", "no_such_package_here", check=False)
    assert "not inside the store" not in missing.stderr
    assert "no_such_package_here" in missing.stderr and missing.returncode == 1
    refused = run_cli("path-info", "-f", HELLO, out, check=False)
    assert f"{out} is a store path, which -f FILE would not change" in refused.stderr


def test_why_depends_takes_attributes(tmp_path: Path) -> None:
    out = build_hello(tmp_path, "-o", "result")
    chain = run_cli("why-depends", "-f", HELLO, "hello", "greeting", cwd=tmp_path).stdout
    assert chain.splitlines()[0].startswith(f"{out}   (refers to the next in ")
    greeting = chain.splitlines()[1].strip().removeprefix("└── ")
    assert greeting.endswith("-greeting")
    paths = run_cli("why-depends", "result", greeting, cwd=tmp_path).stdout
    assert paths == chain


def test_every_argument_of_every_command_says_what_it_is() -> None:
    """``pybuild COMMAND --help`` explains each argument (an ACTION's choices, as ``key
    generate``, are explained each in its own parser)."""
    import argparse

    from pybuild.cli import _parser

    def unexplained(parser: argparse.ArgumentParser, name: str) -> list[str]:
        found = []
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for sub, subparser in action.choices.items():
                    found += unexplained(subparser, f"{name} {sub}")
            elif action.help is None:
                found.append(f"{name}: {action.dest}")
        return found

    [commands] = [a for a in _parser()._actions if isinstance(a, argparse._SubParsersAction)]
    assert [u for n, p in commands.choices.items() for u in unexplained(p, n)] == []


def test_add_and_hash(tmp_path: Path) -> None:
    file = tmp_path / "hello.txt"
    file.write_bytes(b"hello\n")
    added = run_cli("add", file).stdout.strip()
    assert added.endswith("-hello.txt")
    assert Path(added).read_bytes() == b"hello\n"
    assert run_cli("add", file).stdout.strip() == added
    assert run_cli("add", "--name", "other", file).stdout.strip().endswith("-other")
    assert run_cli("path-info", added).stdout.startswith(added)

    nar = "04zwf782yjwnh3q6hz5izfd6jyip8kgw6g6yj43fiqhbyhdd0dqw"
    assert run_cli("hash", file).stdout.strip() == hash_path(file)[0].sri
    assert run_cli("hash", "--base32", file).stdout.strip() == nar
    assert run_cli("hash", "--hex", file).stdout.strip() == hash_path(file)[0].hex
    flat = run_cli("hash", "--flat", "--base32", file).stdout.strip()
    assert flat == "00xyyr3fi8l6hb839bv3f7yb86yjv7xi1cgh1xnhipym4asvb4aq"
    assert run_cli("hash", "--flat", "--sri", file).stdout.strip() == hash_bytes(b"hello\n").sri
    assert run_cli("hash", tmp_path).returncode == 0
    assert run_cli("hash", "--hex", "--sri", file, check=False).returncode == 2


def test_hash_and_add_errors(tmp_path: Path) -> None:
    no_flat = run_cli("hash", "--flat", tmp_path, check=False)
    assert (no_flat.returncode, no_flat.stderr.startswith("error: ")) == (1, True)
    assert "--flat hashes a regular file" in no_flat.stderr
    absent = run_cli("hash", tmp_path / "absent", check=False)
    assert absent.returncode == 1
    assert "no such file or folder" in absent.stderr
    add_absent = run_cli("add", tmp_path / "absent", check=False)
    assert add_absent.returncode == 1
    assert "does not exist" in add_absent.stderr
    (tmp_path / "f").write_text("x")
    bad_name = run_cli("add", "--name", "bad name", tmp_path / "f", check=False)
    assert bad_name.returncode == 1
    assert "invalid store path name" in bad_name.stderr


def test_add_refuses_the_names_nix_refuses_rather_than_change_them(tmp_path: Path) -> None:
    """An empty --name, or a file name Nix would not take (a leading dot, a space), is refused
    with a hint to pass --name: the name was silently replaced or rewritten."""
    (tmp_path / "f").write_text("x")
    empty = run_cli("add", "--name", "", tmp_path / "f", check=False)
    assert empty.returncode == 1 and empty.stdout == ""
    assert "invalid store path name '': it is empty" in empty.stderr
    assert "hint: pass --name NAME" in empty.stderr
    for given in (".hidden", "my file"):
        (tmp_path / given).write_text("hi\n")
        refused = run_cli("add", given, cwd=tmp_path, check=False)
        assert refused.returncode == 1 and refused.stdout == "", given
        assert f"invalid store path name {given!r}" in refused.stderr
        assert "hint: pass --name NAME" in refused.stderr
    named = run_cli("add", "--name", "hidden", ".hidden", cwd=tmp_path).stdout
    assert named.strip().endswith("-hidden")


def test_verify_json_reports_missing_paths(tmp_path: Path) -> None:
    file = tmp_path / "f"
    file.write_text("x")
    added = Path(run_cli("add", file).stdout.strip())
    assert json.loads(run_cli("verify", "--json").stdout) == []
    added.unlink()
    result = run_cli("verify", "--json", check=False)
    assert result.returncode == 1
    assert json.loads(result.stdout) == [
        {"path": str(added), "kind": "missing", "detail": "registered but absent from the store"}
    ]


def test_verify_does_not_fail_on_leftovers() -> None:
    store = Path(os.environ["PYBUILD_HOME"]) / "store"
    run_cli("verify")  # a store has its registry before any path (else the registry is lost)
    (store / ("1" * 32 + "-half-built")).mkdir(parents=True)
    result = run_cli("verify")
    assert f"unregistered: {store}/{'1' * 32}-half-built" in result.stdout
    assert "0 damaged" in result.stderr


def config_values(*args: str) -> dict[str, tuple[object, str]]:
    shown = json.loads(run_cli(*args).stdout)
    return {name: (row["value"], row["source"]) for name, row in shown.items()}


def test_config_show() -> None:
    table = run_cli("config", "show").stdout
    assert table.splitlines()[0].split() == ["NAME", "VALUE", "SOURCE"]
    assert re.search(r"^jobs\s+1\s+default$", table, re.M)
    values = config_values("config", "show", "--json")
    assert values["jobs"] == (1, "default")
    assert values["keep_failed"] == (False, "default")


def test_option_after_the_command() -> None:
    values = config_values("config", "show", "--json", "--option", "jobs", "3")
    assert values["jobs"] == (3, "--option")
    values = config_values("config", "show", "--option", "keep-failed", "yes", "--json")
    assert values["keep_failed"] == (True, "--option")


def test_option_before_the_command() -> None:
    values = config_values("--option", "jobs", "3", "config", "show", "--json")
    assert values["jobs"] == (3, "--option")


def test_options_before_and_after_the_command_all_hold() -> None:
    """A CI line ``pybuild --option substituters X build --option trusted-public-keys K``:
    the pairs before the command were dropped, without a word, when others followed it."""
    values = config_values(
        "--option", "jobs", "3", "config", "show", "--option", "keep-failed", "yes", "--json"
    )
    assert values["jobs"] == (3, "--option")
    assert values["keep_failed"] == (True, "--option")
    values = config_values(
        "--option", "jobs", "3", "config", "show", "--option", "jobs", "4", "--json"
    )
    assert values["jobs"] == (4, "--option")  # the later pair wins, as in one list


@pytest.mark.parametrize("value", ["-x", "-o UserKnownHostsFile=/tmp/kh", "--", "--json"])
def test_an_option_s_value_is_taken_verbatim_whatever_it_looks_like(value: str) -> None:
    """As Nix takes ``--option name value``: build's own ``-o LINK`` must not catch ssh
    options, before the command or after it."""
    option = ("--option", "ssh_options", value)
    for line in (("config", "show", "--json", *option), (*option, "config", "show", "--json")):
        shown = config_values(*line)["ssh_options"]
        assert shown == (value.split(), "--option")
    run_cli("build", "-f", HELLO, "hello", "--dry-run", *option)
    run_cli(*option, "build", "-f", HELLO, "hello", "--dry-run")


def test_help_shows_the_option_and_an_incomplete_one_is_an_error() -> None:
    assert "--option NAME VALUE" in run_cli("build", "--help").stdout
    assert "--option NAME VALUE" in run_cli("--help").stdout
    short = run_cli("build", "-f", HELLO, "hello", "--option", "jobs", check=False)
    assert short.returncode == 2
    assert "--option" in short.stderr and "Traceback" not in short.stderr


def test_option_words_after_run_s_attr_reach_the_program_as_typed() -> None:
    from pybuild.cli import _parser, parse

    line = ["run", "black", "--option", "-x", "-", "--", "--option", "-y", "z"]
    args = parse(_parser(["shell"]), ["--option", "jobs", "-1", *line])
    assert args.option == [["jobs", "-1"]]
    assert args.args == line[2:]


def test_bad_options_are_errors(tmp_path: Path) -> None:
    unknown = run_cli("config", "show", "--option", "jbos", "3", check=False)
    assert unknown.returncode == 2  # a word of the command line that cannot be read
    assert unknown.stderr.startswith("error: unknown setting 'jbos'")
    assert "did you mean 'jobs'" in unknown.stderr
    bad_value = run_cli("build", "-f", HELLO, "hello", "--option", "jobs", "-1", check=False)
    assert bad_value.returncode == 2  # a word of the command line that cannot be read
    assert "must be at least 0" in bad_value.stderr
    no_action = run_cli("config", check=False)
    assert no_action.returncode == 2  # a missing argument, as argparse tells one
    assert "pybuild config show" in no_action.stderr


def test_commands_that_read_no_setting_still_refuse_a_misspelt_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """eval reads no setting: a misspelt --option or PYBUILD_* variable, or a bad value, was
    taken without a word (and an overlay "setting" looked applied); every command checks."""
    unknown = run_cli("eval", "-f", HELLO, "hello.name", "--option", "overlays", "x", check=False)
    assert unknown.returncode == 2
    assert unknown.stderr.startswith("error: unknown setting 'overlays' from --option")
    monkeypatch.setenv("PYBUILD_JOBZ", "3")
    misspelt = run_cli("eval", "-f", HELLO, "hello.name", check=False)
    assert misspelt.returncode == 1
    assert "did you mean PYBUILD_JOBS?" in misspelt.stderr.splitlines()[0]
    monkeypatch.delenv("PYBUILD_JOBZ")
    monkeypatch.setenv("PYBUILD_JOBS", "many")
    assert "expected an integer" in run_cli("eval", "-f", HELLO, "hello.name", check=False).stderr


def test_an_error_in_a_recipe_is_one_block_at_its_file_and_line(tmp_path: Path) -> None:
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "broken.py").write_text('def recipe():\n    return {"a": 1}["b"]\n')
    (folder / "badhash.py").write_text(
        'def recipe(fetch_pypi):\n    return fetch_pypi("six", "1.0", hash="sha256-xyz")\n'
    )
    result = run_cli("build", "--recipes", folder, "broken", cwd=tmp_path, check=False)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert lines[:3] == [
        "error: KeyError: 'b'",
        f"  at {Path('mine') / 'broken.py'}:2, in recipe",
        '    return {"a": 1}["b"]',
    ]
    assert len(lines) == 4 and "--show-trace" in lines[3]
    bad = run_cli("build", "--recipes", folder, "badhash", cwd=tmp_path, check=False)
    assert "invalid hash 'sha256-xyz'" in bad.stderr and "badhash.py:2" in bad.stderr
    traced = subprocess.run(
        [sys.executable, "-m", "pybuild", "--show-trace", "build", "--recipes", folder, "broken"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert traced.returncode == 1
    assert traced.stderr.startswith("Traceback") and "pybuild/pkgset.py" in traced.stderr


def test_a_negative_job_count_is_refused_as_a_word_that_cannot_be_read(tmp_path: Path) -> None:
    build_hello(tmp_path)  # even a build with nothing left to do checks its arguments
    result = run_cli("build", "-f", HELLO, "hello", "-j", "-3", cwd=tmp_path, check=False)
    assert result.returncode == 2  # as -j abc is refused
    assert "argument -j/--jobs: -3 is no number of builds: give 0 or more" in result.stderr


def test_a_job_count_of_zero_builds_nothing_here_so_needs_builders(tmp_path: Path) -> None:
    # As Nix's max-jobs = 0: every build on the remote builders (tests/test_remote.py).
    result = run_cli("build", "-f", HELLO, "hello", "-j", "0", cwd=tmp_path, check=False)
    assert result.returncode == 1
    assert result.stderr.startswith(
        "error: jobs is 0, which leaves every build to remote builders, but no builders are"
        " set: nothing could be built\n  hint: set builders (--builders)"
    )
    (tmp_path / "machines").write_text("# none yet\n")
    builders = f"@{tmp_path / 'machines'}"
    result = run_cli("build", "-f", HELLO, "hello", "-j", "0", "--builders", builders, check=False)
    assert f"the builders setting ({builders}) names no machine" in result.stderr
    built = build_hello(tmp_path)
    # Nothing left to build: nothing to refuse.
    again = run_cli("build", "-f", HELLO, "hello", "-j", "0", cwd=tmp_path)
    assert again.stdout.strip() == str(built)


def test_recipes_add_to_the_default_set_unless_told_not_to(
    tmp_path: Path, use_index: BuildIndex
) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "hello_mine.py").write_text(
        "from pybuild import derivation\n\n\ndef recipe():\n"
        "    return derivation(name='mine', builder='/bin/sh', args=['-c', 'echo > $out'])\n"
    )
    both = run_cli("eval", "--recipes", mine, "six", "--json", cwd=tmp_path)
    assert json.loads(both.stdout)["pname"] == "six"  # the default set is still there
    assert run_cli("eval", "--recipes", mine, "hello_mine", cwd=tmp_path).returncode == 0
    alone = run_cli("eval", "--no-default-recipes", "--recipes", mine, "six", check=False)
    assert alone.returncode == 1 and "has no attribute 'six'" in alone.stderr
    none = run_cli("eval", "--no-default-recipes", "six", check=False)
    assert none.returncode == 1 and "needs at least one --recipes" in none.stderr


def test_version_and_dry_run_and_quiet(tmp_path: Path) -> None:
    assert run_cli("--version").stdout.strip().startswith("pybuild ")
    dry = run_cli("build", "--dry-run", "-f", HELLO, "hello", cwd=tmp_path)
    assert "2 derivations will be built" in dry.stderr
    assert dry.stdout == "" and "building" not in dry.stderr
    store = Path(os.environ["PYBUILD_HOME"]) / "store"
    assert not store.exists() or not [p for p in os.listdir(store) if p.endswith("-hello")]
    lines = dry.stderr.splitlines()[1:]  # dependencies first, each .drv by its full path
    assert [line.split()[0] for line in lines] == ["build", "build"]
    assert lines[-1].startswith(f"  build {store}/") and lines[-1].endswith("-hello.drv")
    quiet = run_cli("build", "-q", "-f", HELLO, "hello", cwd=tmp_path)
    assert quiet.stderr == "" and quiet.stdout.strip().endswith("-hello")
    assert "nothing to do" in run_cli("build", "--dry-run", "-f", HELLO, "hello").stderr


def test_progress_lines_in_a_pipe(tmp_path: Path) -> None:
    file = write_recipes(
        tmp_path / "two.py",
        """
        one = derivation(name="one", builder="/bin/sh", args=["-c", "echo 1 > $out"])
        two = derivation(name="two", builder="/bin/sh", args=["-c", f"cat {one} > $out"])
        """,
    )
    built = run_cli("build", "-f", file, "two", cwd=tmp_path)
    lines = built.stderr.splitlines()
    assert lines[0] == "2 derivations will be built"
    assert lines[1].startswith("[1/2] building one (") and lines[2].startswith("built one in ")
    assert lines[3].startswith("[2/2] building two (") and lines[4].startswith("built two in ")


def test_search_lists_the_set_without_building(tmp_path: Path, use_index: BuildIndex) -> None:
    """Searched for words that match only packages whose files the fixture index has: each
    match is evaluated (for its version), and a recipe's module is read for its summary."""
    result = run_cli("search", "compatib", "--json", cwd=tmp_path)
    [row] = json.loads(result.stdout)
    assert row["attr"] == "six" and row["version"] and "compatibility" in row["summary"]
    assert row["built"] is False
    store = Path(os.environ["PYBUILD_HOME"]) / "store"
    made = [p for p in os.listdir(store) if "-six-" in p] if store.exists() else []
    assert [p for p in made if not p.endswith(".drv")] == []  # no output, no download
    text = run_cli("search", "of pytest", cwd=tmp_path).stdout  # in their summaries
    assert "iniconfig" in text and "pluggy" in text
    none = run_cli("search", "no-such-thing-here", check=False)
    assert (none.returncode, none.stdout) == (1, "")  # stdout is the packages alone
    assert none.stderr == "no package matches\n"
    none = run_cli("search", "no-such-thing-here", "--json", check=False)
    assert (none.returncode, json.loads(none.stdout), none.stderr) == (0, [], "")  # as nix's
    # Each word is a regular expression, as nix search's, against the name or the summary.
    exact = json.loads(run_cli("search", "^six$", "--json", cwd=tmp_path).stdout)
    assert [row["attr"] for row in exact] == ["six"]
    both = json.loads(run_cli("search", "^(six|pytest)$", "--json", cwd=tmp_path).stdout)
    assert [row["attr"] for row in both] == ["pytest", "six"]
    bad = run_cli("search", "(", check=False)
    assert bad.returncode == 2 and "'(' is not a regular expression" in bad.stderr


def completed(line: str, cwd: Path) -> set[str]:
    """What shell completion offers at the end of `line`, as bash asks argcomplete for it."""
    env = {
        **os.environ,
        "_ARGCOMPLETE": "1",
        "COMP_LINE": line,
        "COMP_POINT": str(len(line)),
        "_ARGCOMPLETE_IFS": "\n",
    }
    # argcomplete answers on file descriptor 8 (its debug output goes to 9).
    shell = f"{sys.executable} -m pybuild 8>&1 9>/dev/null"
    offered = subprocess.run(
        ["/bin/sh", "-c", shell], env=env, cwd=cwd, stdin=subprocess.DEVNULL,
        capture_output=True, text=True, timeout=60,
    ).stdout  # fmt: skip
    return set(offered.split())


def test_shell_completion_offers_attribute_names(tmp_path: Path) -> None:
    recipes = {p.stem for p in DEFAULT_RECIPES.glob("nu*.py")}
    assert completed("pybuild build nu", tmp_path) == recipes and {"numpy", "numpy_1"} <= recipes


def test_shell_completion_of_option_offers_the_settings_and_their_values(tmp_path: Path) -> None:
    """``--option`` offered the working folder's files, for a setting's name and its value."""
    from pybuild.settings import SETTINGS

    (tmp_path / "notes.txt").write_text("")
    assert completed("pybuild build --option ", tmp_path) == set(SETTINGS)
    assert completed("pybuild --option sub", tmp_path) == {"substituters"}
    assert completed("pybuild build six --option jobs 2 --option pre", tmp_path) == {"prefer"}
    assert completed("pybuild build --option sandbox ", tmp_path) == {"true", "false", "relaxed"}
    assert completed("pybuild eval six --option require_sigs f", tmp_path) == {"false"}
    assert completed("pybuild build --option jobs ", tmp_path) == set()  # a number: the user's


def test_a_command_holds_the_collector_back_while_it_runs(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its modules and values live to its end: Python's collector would walk them for
    nothing every 700 new objects. The threshold is the program's again afterwards."""
    import gc

    from pybuild import cli

    seen = []
    monkeypatch.setattr(cli, "_parser", lambda modules: seen.append(gc.get_threshold()[0]) or 1 / 0)
    before = gc.get_threshold()
    with pytest.raises(ZeroDivisionError):
        cli.main(["config", "show"])
    assert seen and seen[0] >= 100_000 > before[0] and gc.get_threshold() == before


def test_a_home_that_is_a_file_is_refused_before_any_command_uses_it(tmp_path: Path) -> None:
    """It was a NotADirectoryError from deep in the store, shown as a bug in pybuild."""
    notes = tmp_path / "notes.txt"
    notes.write_text("")
    result = run_cli("build", "six", home=notes, check=False)
    assert result.returncode == 1
    assert result.stderr.startswith(f"error: PYBUILD_HOME {notes} is a file, not a folder\n")
    below = run_cli("build", "six", home=notes / "home", check=False)
    assert f"PYBUILD_HOME {notes / 'home'} cannot be made: {notes} is a file" in below.stderr
    assert "bug" not in result.stderr + below.stderr


@pytest.mark.parametrize(("home", "hint"), [("~/x", "write $HOME/x"), ("rel/x", "$PWD/rel/x")])
def test_a_relative_home_is_refused_before_any_folder_is_made(
    tmp_path: Path, home: str, hint: str
) -> None:
    """``PYBUILD_HOME='~/x'`` (quoted, or from an env file) made a folder named ``~`` wherever
    the command ran, and a relative home a store of its own in each folder."""
    result = run_cli("du", home=Path(home), cwd=tmp_path, check=False)
    assert result.returncode == 1
    assert result.stderr.startswith(f"error: PYBUILD_HOME={home} is not an absolute path\n")
    assert hint in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_a_file_named_as_an_attribute_is_told_to_be_given_with_f(tmp_path: Path) -> None:
    """``pybuild build project.py``, nix-build's habit, suggested a recipe of the set."""
    (tmp_path / "project.py").write_text("")
    (tmp_path / "notes").write_text("")
    for name in ("project.py", "notes", "absent.py"):
        result = run_cli("build", name, cwd=tmp_path, check=False)
        assert result.returncode == 1
        assert f"hint: to use the attributes of a file, name it with -f: -f {name} ATTR" in (
            result.stderr
        )


def test_a_recipe_module_named_as_an_attribute_is_told_to_be_built_from_its_folder(
    tmp_path: Path,
) -> None:
    """``pybuild build recipes/six.py`` named 'recipes/six' (the path cut at its dot) and
    hinted at -f, which then said the recipe function was no package."""
    (tmp_path / "recipes").mkdir()
    (tmp_path / "recipes" / "six.py").write_text("def recipe(python):\n    return python\n")
    for name, folder in (("recipes/six.py", "recipes"), ("../recipes/six.py", "../recipes")):
        cwd = tmp_path / "recipes" if name.startswith("..") else tmp_path
        result = run_cli("build", name, cwd=cwd, check=False)
        assert result.returncode == 1
        assert f"error: the package set has no attribute {name!r}\n" in result.stderr
        assert f"build it with --recipes {folder} six" in result.stderr
        assert "-f" not in result.stderr


def test_run_options_after_attr_are_told_to_go_before_it(tmp_path: Path) -> None:
    """They are the program's: the hint said to use --overlay, which the user had done."""
    overlay = tmp_path / "overlay.py"
    overlay.write_text("def overlay(final, prev):\n    return {}\n")
    for option in (["--overlay", str(overlay)], [f"--overlay={overlay}"], ["-f", str(overlay)]):
        result = run_cli("run", "greeter", *option, "hello", check=False)
        assert result.returncode == 1
        name = option[0].split("=")[0]
        assert (
            f"hint: the words after greeter are the program's, {name} too: give run's options"
            f" before greeter (pybuild run {name} ... greeter ARG...), or end them with --"
        ) in result.stderr
    plain = run_cli("run", "greeter", "hello", check=False)
    assert "the program's" not in plain.stderr and "--overlay FILE" in plain.stderr


def test_help_tells_what_a_newcomer_meets() -> None:
    """build and shell take pypi:NAME as eval and run do; search's * was explained nowhere."""
    for command in ("build", "shell"):
        assert "pypi:NAME" in run_cli(command, "--help").stdout
    assert "a * before a row marks a package already built" in " ".join(
        run_cli("search", "--help").stdout.split()
    )


def test_prefetch_quiet_prints_only_its_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """-q, before the command or after it, leaves the download's progress out, as build's."""
    from support.fixtures import index_environ
    from support.index import make_sdist, write_index

    sdist = make_sdist(tmp_path, "tiny", "1.0", {"tiny.py": ""})
    for name, value in index_environ(write_index(tmp_path / "index", [sdist])).items():
        monkeypatch.setenv(name, value)
    for flags in (["-q", "prefetch"], ["prefetch", "-q"]):
        home = tmp_path / "home" / flags[0]  # a new store each time: the file is downloaded
        result = run_cli(*flags, "tiny==1.0", home=home)
        assert result.stderr == "" and result.stdout.startswith("hash: sha256-")
    shown = run_cli("prefetch", "tiny==1.0", home=tmp_path / "home" / "loud").stderr
    assert "fetched tiny-1.0.tar.gz" in shown


def test_search_says_why_a_listed_recipe_does_not_evaluate(tmp_path: Path) -> None:
    """A broken recipe was listed with a ? for its version and nothing said why."""
    recipes = tmp_path / "r5"
    recipes.mkdir()
    (recipes / "mypkg.py").write_text("def recipe(:\n")
    (recipes / "mypkg2.py").write_text('"""Mine."""\ndef recipe(nosuchinput):\n    pass\n')
    (recipes / "text.py").write_text("def recipe():\n    return 'words'\n")
    (recipes / "old.py").write_text(  # no fault of the recipe: a release not made for it
        "from pybuild.errors import UnsupportedInterpreter\n"
        "def recipe():\n"
        "    raise UnsupportedInterpreter('old', '1.0', 'Python 3.11', 'it requires Python <3')\n"
    )
    found = run_cli("search", "--recipes", "r5", "--no-default-recipes", cwd=tmp_path)
    assert [line.split()[:2] for line in found.stdout.splitlines()] == [
        ["mypkg", "?"],
        ["mypkg2", "?"],
        ["old", "?"],
        ["text", "?"],
    ]
    eval_it = "pybuild eval --recipes r5 --no-default-recipes"
    assert found.stderr.splitlines() == [
        "warning: mypkg does not evaluate: SyntaxError: invalid syntax (at r5/mypkg.py:1)"
        f" ({eval_it} mypkg shows it)",
        f"warning: mypkg2 does not evaluate: the package set (needed by recipe() in"
        f" {recipes / 'mypkg2.py'}:2) has no attribute 'nosuchinput' ({eval_it} mypkg2 shows it)",
        "warning: old is not for this interpreter: old 1.0 does not support Python 3.11:"
        f" it requires Python <3 ({eval_it} old shows it)",
        f"warning: text is a str, not a derivation or package ({eval_it} text shows it)",
    ]
    as_json = run_cli("search", "--recipes", "r5", "--no-default-recipes", "--json", cwd=tmp_path)
    assert json.loads(as_json.stdout)[3]["error"] == "is a str, not a derivation or package"
    assert "a ? in place of its version" in " ".join(run_cli("search", "--help").stdout.split())


def test_search_lists_the_others_when_a_recipe_raises_an_error_of_its_own(
    tmp_path: Path,
) -> None:
    """A recipe's own KeyError or ValueError ended the search, listing nothing (exit 1), where
    build --all -k makes it that attribute's row: here too it is a ? row and a warning."""
    recipes = tmp_path / "r6"
    recipes.mkdir()
    (recipes / "errkey.py").write_text('def recipe():\n    return {}["k"]\n')
    (recipes / "errvalue.py").write_text("def recipe():\n    raise ValueError('no')\n")
    (recipes / "text.py").write_text("def recipe():\n    return 'words'\n")
    found = run_cli("search", "--recipes", "r6", "--no-default-recipes", cwd=tmp_path)
    assert [line.split()[:2] for line in found.stdout.splitlines()] == [
        ["errkey", "?"],
        ["errvalue", "?"],
        ["text", "?"],
    ]
    warned = found.stderr.splitlines()
    assert warned[0].startswith("warning: errkey does not evaluate: KeyError: 'k'")
    assert "(at r6/errkey.py:2)" in warned[0]  # as build --all -k's row says it
    assert warned[1].startswith("warning: errvalue does not evaluate: ValueError: no")


def test_search_of_a_pypi_word_says_it_reads_the_sets_recipes(tmp_path: Path) -> None:
    """No recipe matches pypi:NAME, which eval takes: the answer says so, not 'no match'."""
    for word, name in (("pypi:rich", "rich"), ("pypi:httpx[http2]", "httpx")):
        result = run_cli("search", word, cwd=tmp_path, check=False)
        assert result.returncode == 1 and result.stdout == ""
        err = result.stderr
        assert f"not the index's projects: {word!r} names a project on the index" in err
        shown = "'pypi:httpx[http2]'" if "[" in word else word  # as a shell takes it
        assert f"hint: `pybuild eval {shown}` shows the package the index's release" in err
        assert f"`pybuild search {name}` lists the set's recipes that match {name}" in err


@pytest.mark.parametrize("how", ["script", "module"])
def test_ctrl_c_while_pybuild_itself_loads_is_one_line(tmp_path: Path, how: str) -> None:
    """Ctrl-C in the milliseconds the command's first modules load, before pybuild.cli can
    catch anything: one line and 130, as later, not a traceback (bin/pybuild, python -m)."""
    package = tmp_path / "pybuild"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "cli.py").write_text("raise KeyboardInterrupt\n")  # as if ^C came here
    shutil.copy(Path(__file__).parents[1] / "pybuild" / "__main__.py", package)
    script = Path(__file__).parents[1] / "bin" / "pybuild"
    command = [str(script)] if how == "script" else ["-m", "pybuild"]
    result = subprocess.run(
        [sys.executable, *command, "--version"],
        env={**os.environ, "PYTHONPATH": str(tmp_path)},
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert (result.returncode, result.stderr) == (130, "interrupted\n")


@pytest.mark.parametrize(
    "args",
    [
        ("du", "-n", "-1"),
        ("gc", "--max-freed", "5X", "--dry-run"),
        ("gc", "--delete-older-than", "30x", "--dry-run"),
        ("gc", "--max-freed", "", "--dry-run"),  # an unset variable's: not "no limit"
        ("gc", "--delete-older-than", "", "--dry-run"),
        ("copy", "--to", "", "/tmp"),  # not the current folder made a cache
        ("copy", "--from", "", "x"),
        ("delete-generations", "30x"),
    ],
)
def test_an_option_value_that_cannot_be_read_exits_2(tmp_path: Path, args: tuple[str, ...]) -> None:
    """A command line that cannot be read exits 2, as `-j -1` and `du -n abc` did: these
    values exited 1, the status of what was read and then failed."""
    result = run_cli(*args, cwd=tmp_path, check=False)
    assert result.returncode == 2 and result.stderr.startswith("error: "), result.stderr
