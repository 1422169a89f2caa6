"""Realising derivations in-process: builder environment, failures, hashes, timeouts, jobs."""

from __future__ import annotations

import io
import json
import os
import stat
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
from test_cache import Filled, filled, options, said  # noqa: F401 - filled: a fixture

from pybuild import realiser
from pybuild.derivations import Derivation, derivation
from pybuild.errors import BuildError, HashMismatch, PathNotValid, UsageError
from pybuild.hashing import hash_bytes, hash_path
from pybuild.pkgset import package_set
from pybuild.realiser import SOURCE_DATE_EPOCH, BuildOptions, realise
from pybuild.results import BuildResult, Status, statuses
from pybuild.store import Store
from pybuild.store.gc import KEPT_PREFIX

SH = "/bin/sh"


def sh(name: str, script: str, **kw: object) -> Derivation:
    return derivation(name=name, builder=SH, args=["-c", script], **kw)  # type: ignore[arg-type]


def build(
    store: Store, *targets: Derivation, **options: object
) -> tuple[dict[Derivation, Status], str]:
    """Realise `targets`; returns each derivation's status and the progress log."""
    log = io.StringIO()
    results = realise(list(targets), store, BuildOptions(log=log, **options))  # type: ignore[arg-type]
    return statuses(results), log.getvalue()


def out_path(store: Store, drv: Derivation, output: str = "out") -> Path:
    return Path(drv.path(output, store))


def store_entries(store: Store) -> list[str]:
    return sorted(os.listdir(store.dir)) if store.dir.is_dir() else []


@pytest.fixture(autouse=True)
def temporary_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The temporary folder builds run in by default (``TMPDIR``): the test's own."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def assert_nothing_left(store: Store, drv: Derivation) -> None:
    """No output of `drv` is valid or present, no build directory remains, no damage."""
    for name in drv.output_paths.values():
        assert not store.is_valid(name)
        assert name not in store_entries(store)
    assert not store.tmp_dir.exists() or list(store.tmp_dir.iterdir()) == []
    assert [p for p in store.home.iterdir() if p.name.startswith(".")] == []  # outputs folder
    assert list(Path(tempfile.gettempdir()).glob("pybuild-build-*")) == []
    assert list(store.verify(check_contents=True)) == []


def process_gone(pid: int, wait: float = 5.0) -> bool:
    """Whether `pid` is dead (absent or a zombie), polling for up to `wait` seconds."""
    deadline = time.monotonic() + wait
    while True:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            return True
        if state in ("Z", "X"):
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)


# -- building ---------------------------------------------------------------------------------


def test_build_registers_the_output(store: Store) -> None:
    drv = sh("thing", 'mkdir "$out" && echo made > "$out/file"')
    fates, log = build(store, drv)
    assert fates == {drv: "built"}
    assert f"building thing ({drv.drv_name})" in log
    assert (out_path(store, drv) / "file").read_text() == "made\n"
    info = store.info(drv.out)
    assert info.deriver == drv.drv_name
    assert info.nar_hash == hash_path(out_path(store, drv))[0].sri
    assert store.is_valid(drv.drv_name)
    assert (store.log_dir / f"{drv.drv_name}.log").exists()
    assert list(store.tmp_dir.iterdir()) == []
    assert list(store.verify(check_contents=True)) == []


def test_a_valid_output_is_not_built_again(store: Store, tmp_path: Path) -> None:
    counter = tmp_path / "counter"
    drv = sh("once", f'echo run >> {counter}; echo x > "$out"')
    build(store, drv)
    fates, log = build(store, drv)
    assert fates == {drv: "valid"}
    assert "building" not in log
    assert counter.read_text() == "run\n"


def test_dependencies_are_built_first(store: Store) -> None:
    base = sh("base", 'mkdir "$out" && echo payload > "$out/data"')
    user = sh("user", f'cat {base}/data > "$out"')
    fates, log = build(store, user)
    assert fates == {base: "built", user: "built"}
    assert log.index("building base") < log.index("building user")
    assert out_path(store, user).read_text() == "payload\n"


def test_a_package_is_realised_as_its_derivation(store: Store, use_index: object) -> None:
    """What ``pybuild build`` builds, realise builds: a set's package, as its ``.drv``, which
    keys its result."""
    six = package_set().six
    results = realise([six], store, BuildOptions(log=io.StringIO()))
    assert results[six.drv].status == "built"
    assert (out_path(store, six.drv) / six.python.site_packages / "six.py").is_file()
    assert realise([six], store)[six.drv].status == "valid"


def test_a_target_evaluated_for_another_store_is_refused_before_any_write(
    store: Store, use_index: object, tmp_path: Path
) -> None:
    """A set's package and a bare derivation evaluated for the default store (their local
    files added to it) are refused by another store, which gets no file at all, rather than
    failing there on a source it lacks after writing .drv files."""
    script = tmp_path / "b.sh"
    script.write_text('echo hi > "$out"\n')
    six = package_set().six
    bare = derivation(name="withsrc", builder=SH, args=[script])
    other = Store(tmp_path / "other")
    for target, name in ((six, six.drv.name), (bare, "withsrc")):
        with pytest.raises(UsageError, match=f"{name} was evaluated for the store") as e:
            realise([target], other, BuildOptions(log=io.StringIO()))
        assert f"{store.dir}, not for {other.dir}: its source " in str(e.value)
        assert f"PYBUILD_HOME={other.home}" in e.value.hint
        assert not other.home.exists()
    assert build(store, bare)[0] == {bare: "built"}  # for the store it was evaluated for


def test_what_is_no_derivation_or_package_is_refused(store: Store) -> None:
    with pytest.raises(UsageError, match=r"derivations and packages, not a str \('six'\)") as e:
        realise(["six"], store)  # type: ignore[list-item]
    assert "package_set().six" in e.value.hint


def test_store_paths_are_real_paths_for_the_builder(store: Store) -> None:
    dep = sh("dep", 'echo x > "$out"')
    user = sh("user", f'echo "{dep}" > "$out"')
    build(store, user)
    assert out_path(store, user).read_text() == f"{store.path(dep.out)}\n"


def test_references_are_the_inputs_an_output_mentions(store: Store) -> None:
    base = sh("base", 'mkdir "$out" && echo payload > "$out/data"')
    mentions = sh("mentions", f'echo "{base}/data" > "$out"')
    copies = sh("copies", f'cat "{base}/data" > "$out"')
    build(store, mentions, copies)
    assert store.info(mentions.out).references == (base.out,)
    assert store.info(copies.out).references == ()
    assert store.closure([mentions.out]) == sorted([mentions.out, base.out])
    assert store.closure([copies.out]) == [copies.out]


def test_references_through_a_symlink(store: Store) -> None:
    base = sh("base", 'mkdir "$out" && echo payload > "$out/data"')
    linker = sh("linker", f'mkdir "$out" && ln -s "{base}/data" "$out/data"')
    build(store, linker)
    assert store.info(linker.out).references == (base.out,)
    assert (out_path(store, linker) / "data").read_text() == "payload\n"


def test_multiple_outputs(store: Store) -> None:
    drv = sh(
        "pkg",
        'mkdir "$out" "$dev" && echo lib > "$out/lib" && echo "$out/lib" > "$dev/pointer"',
        outputs=("out", "dev"),
    )
    assert build(store, drv)[0] == {drv: "built"}
    assert (out_path(store, drv) / "lib").read_text() == "lib\n"
    assert store.info(drv.output_paths["dev"]).references == (drv.out,)
    assert store.info(drv.out).deriver == drv.drv_name


@pytest.mark.parametrize(
    "script", ['mkdir "$out" && ln "$outside" "$out/x"', 'ln "$outside" "$out"']
)
def test_a_file_hard_linked_into_the_output_is_copied(
    store: Store, tmp_path: Path, script: str
) -> None:
    """Canonicalising the output must not change the mode and time of a file outside it."""
    outside = tmp_path / "outside"
    outside.write_text("secret\n")
    outside.chmod(0o640)
    os.utime(outside, (1_000_000_000, 1_000_000_000))
    drv = sh("linker", script, env={"outside": str(outside)})
    assert build(store, drv)[0] == {drv: "built"}
    st = outside.stat()
    assert (stat.S_IMODE(st.st_mode), st.st_mtime, st.st_nlink) == (0o640, 1_000_000_000, 1)
    copy = out_path(store, drv) / "x" if "mkdir" in script else out_path(store, drv)
    assert copy.read_text() == "secret\n"
    assert stat.S_IMODE(copy.stat().st_mode) == 0o444
    assert list(store.verify(check_contents=True)) == []


def test_input_bin_directories_are_on_path(store: Store) -> None:
    tool = sh(
        "tool",
        'mkdir -p "$out/bin" && printf "#!/bin/sh\\necho from-tool\\n" > "$out/bin/greet"'
        ' && chmod +x "$out/bin/greet"',
    )
    user = derivation(name="user", builder=SH, args=["-c", 'greet > "$out"'], env={"t": tool})
    build(store, user)
    assert out_path(store, user).read_text() == "from-tool\n"


def test_the_builder_environment_is_cleared(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEAKY_TEST_VARIABLE", "secret")
    monkeypatch.setenv("http_proxy", "http://proxy.example:3128")
    drv = derivation(
        name="env",
        builder=SH,
        args=["-c", 'env > "$out"'],
        env={"GIVEN": "by the derivation"},
    )
    build(store, drv)
    env = dict(
        line.split("=", 1) for line in out_path(store, drv).read_text().splitlines() if "=" in line
    )
    assert "LEAKY_TEST_VARIABLE" not in env
    assert env["GIVEN"] == "by the derivation"
    assert Path(env["out"]).name == drv.out
    assert env["HOME"] == "/homeless-shelter"
    tmpdir = Path(env["TMPDIR"])
    assert tmpdir.parent == Path(tempfile.gettempdir())  # the build's own, in TMPDIR
    assert env["PWD"] == env["TMPDIR"]
    assert env["SOURCE_DATE_EPOCH"] == SOURCE_DATE_EPOCH == "315532800"
    for proxy in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY"):
        assert env[proxy] == "http://127.0.0.1:9"
    assert env["PATH"].endswith("/usr/local/bin:/usr/bin:/bin")
    assert not tmpdir.exists()  # the build directory is removed after the build


def test_a_build_that_is_no_download_trusts_no_certificate(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """OpenSSL's default folder of certificates is the build's own, which holds none, in the
    sandbox and out of it: a package that hands it to its TLS library when imported (pygit2)
    imports, and the host's certificates are never what a build trusts."""
    monkeypatch.setenv("SSL_CERT_DIR", "/etc/ssl/certs")  # the host's: not passed on
    code = (
        "import json, os, ssl; d = ssl.get_default_verify_paths().capath;"
        " open(os.environ['out'], 'w').write(json.dumps([d, os.listdir(d), os.environ['TMPDIR']]))"
    )
    drv = derivation(name="tls", builder=sys.executable, args=["-I", "-c", code])
    build(store, drv)
    folder, inside, tmpdir = json.loads(out_path(store, drv).read_text())
    assert inside == [] and folder == tmpdir


def test_a_fixed_output_build_may_use_the_users_proxy(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    proxy = "http://proxy.example:3128"
    monkeypatch.setenv("http_proxy", proxy)
    monkeypatch.setenv("LEAKY_TEST_VARIABLE", "secret")
    drv = derivation(
        name="download",
        builder=SH,
        args=["-c", 'printf %s "$http_proxy$LEAKY_TEST_VARIABLE" > "$out"'],
        output_hash=hash_bytes(proxy.encode()).sri,
    )
    assert build(store, drv)[0] == {drv: "built"}
    assert out_path(store, drv).read_text() == proxy


def test_fixed_output_with_the_right_hash(store: Store, tmp_path: Path) -> None:
    flat = derivation(
        name="flat",
        builder=SH,
        args=["-c", 'echo content > "$out"'],
        output_hash=hash_bytes(b"content\n").hex,
    )
    tree = tmp_path / "expected"
    tree.mkdir()
    (tree / "f").write_text("content\n")
    recursive = derivation(
        name="tree",
        builder=SH,
        args=["-c", 'mkdir "$out" && echo content > "$out/f"'],
        output_hash=hash_path(tree)[0].base32,
        output_hash_mode="recursive",
    )
    assert build(store, flat, recursive)[0] == {flat: "built", recursive: "built"}
    assert store.is_valid(flat.out)
    assert store.is_valid(recursive.out)


def test_fixed_output_with_the_wrong_hash(store: Store) -> None:
    expected = hash_bytes(b"right\n").sri
    drv = derivation(
        name="download",
        builder=SH,
        args=["-c", 'echo wrong > "$out"'],
        output_hash=expected,
    )
    with pytest.raises(HashMismatch) as info:
        build(store, drv)
    actual = hash_bytes(b"wrong\n").sri
    assert (info.value.expected, info.value.actual) == (expected, actual)
    assert expected in str(info.value)
    assert actual in str(info.value)
    assert_nothing_left(store, drv)


def test_flat_fixed_output_must_be_a_file(store: Store) -> None:
    drv = derivation(
        name="dir",
        builder=SH,
        args=["-c", 'mkdir "$out"'],
        output_hash=hash_bytes(b"").sri,
    )
    with pytest.raises(BuildError, match="single regular file"):
        build(store, drv)
    assert_nothing_left(store, drv)


# -- failures ---------------------------------------------------------------------------------

FLAKY = """
if [ -e "$out" ] || [ -n "$(ls -A .)" ]; then echo "did not start clean"; exit 3; fi
mkdir "$out"
echo partial > "$out/partial"
echo junk > leftover
i=0
while [ $i -lt 40 ]; do echo "noise line $i"; i=$((i + 1)); done
echo "the reason it failed"
[ -e "$flag" ] || exit 1
echo done > "$out/done"
"""


def test_a_failed_build_leaves_nothing_and_the_next_starts_clean(
    store: Store, tmp_path: Path
) -> None:
    flag = tmp_path / "fixed"
    drv = sh("flaky", FLAKY, env={"flag": str(flag)})
    with pytest.raises(BuildError) as info:
        build(store, drv)
    error = info.value
    assert error.name == "flaky"
    assert "exited with status 1" in error.reason
    assert error.tail.splitlines()[-1] == "the reason it failed"
    assert len(error.tail.splitlines()) == 25
    assert "noise line 39" in str(error)
    assert "noise line 0\n" not in str(error)
    assert f"full log: {error.log_path}" in str(error)
    assert "noise line 0\n" in Path(error.log_path).read_text()
    assert_nothing_left(store, drv)

    flag.touch()
    assert build(store, drv)[0] == {drv: "built"}
    assert sorted(os.listdir(out_path(store, drv))) == ["done", "partial"]
    assert "did not start clean" not in (store.log_dir / f"{drv.drv_name}.log").read_text()


def test_log_lines_sets_the_tail_length(store: Store, tmp_path: Path) -> None:
    drv = sh("flaky", FLAKY, env={"flag": str(tmp_path / "never")})
    with pytest.raises(BuildError) as info:
        build(store, drv, log_lines=3)
    assert info.value.tail.splitlines() == [
        "noise line 38",
        "noise line 39",
        "the reason it failed",
    ]


def test_keep_failed_keeps_the_build_directory(store: Store, tmp_path: Path) -> None:
    drv = sh("flaky", FLAKY, env={"flag": str(tmp_path / "never")})
    with pytest.raises(BuildError):
        build(store, drv, keep_failed=True)
    [work] = list(store.tmp_dir.iterdir())
    [build_dir] = list((tmp_path / "tmp").iterdir())
    assert build_dir.name.startswith("pybuild-build-flaky-")
    # Marked as kept, without the record through which gc would remove the build folder.
    assert work.name.startswith(KEPT_PREFIX + "flaky-")
    assert (build_dir / "leftover").read_text() == "junk\n"
    assert (work / drv.out / "partial").exists()
    assert not store.is_valid(drv.out)


def test_builds_run_in_the_build_dir_setting_and_leave_nothing_there(
    store: Store, tmp_path: Path
) -> None:
    """Each build gets a new folder of `build_dir` (Nix's ``build-dir``), its working folder
    and TMPDIR, removed afterwards whether it succeeded or failed."""
    builds = tmp_path / "on-a-tmpfs"
    seen = tmp_path / "seen"
    drv = sh("where", f'pwd > {seen}; echo "$TMPDIR" >> {seen}; echo x > "$out"')
    assert build(store, drv, build_dir=str(builds))[0] == {drv: "built"}
    cwd, tmpdir = seen.read_text().split()
    assert Path(cwd).parent == builds and cwd == tmpdir
    assert Path(cwd).name.startswith("pybuild-build-where-")
    assert list(builds.iterdir()) == []
    failing = sh("flaky", FLAKY, env={"flag": str(tmp_path / "never")})
    with pytest.raises(BuildError):
        build(store, failing, build_dir=str(builds))
    assert list(builds.iterdir()) == []
    assert_nothing_left(store, failing)


def test_a_builder_that_makes_no_output(store: Store) -> None:
    drv = sh("lazy", "echo forgot")
    with pytest.raises(BuildError, match=r"did not create its output 'out' \(\$out\)"):
        build(store, drv)
    assert_nothing_left(store, drv)


def test_a_builder_that_makes_only_some_outputs(store: Store) -> None:
    drv = sh("half", 'mkdir "$out"', outputs=("out", "dev"))
    with pytest.raises(BuildError, match="did not create its output 'dev'"):
        build(store, drv)
    assert_nothing_left(store, drv)


def test_a_builder_that_cannot_run(store: Store) -> None:
    drv = derivation(name="nobuilder", builder="/nonexistent/builder")
    with pytest.raises(BuildError, match="cannot run builder /nonexistent/builder"):
        build(store, drv)
    assert_nothing_left(store, drv)


def test_a_build_stopped_before_its_builder_wrote_leaves_no_log(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An empty log read as a build that ran and said nothing (pybuild log printed nothing
    and exited 0): a build interrupted as it started, or whose program cannot be run, leaves
    none; a builder that wrote something before it failed leaves its log."""
    from pybuild import processes

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    drv = sh("stopped", 'echo x > "$out"')
    with monkeypatch.context() as patched:
        patched.setattr(processes, "start", interrupted)
        with pytest.raises(KeyboardInterrupt):
            build(store, drv)
    assert not (store.log_dir / f"{drv.drv_name}.log").exists()
    script = tmp_path / "builder"
    script.write_text("#!/nonexistent/interpreter\n")
    script.chmod(0o755)
    unrunnable = derivation(name="unrunnable", builder=str(script))
    with pytest.raises(BuildError, match="cannot run builder"):
        build(store, unrunnable)
    assert not (store.log_dir / f"{unrunnable.drv_name}.log").exists()
    said = sh("said", "echo why; exit 3")
    with pytest.raises(BuildError):
        build(store, said)
    assert (store.log_dir / f"{said.drv_name}.log").read_text() == "why\n"


def test_a_killed_builder_is_reported(store: Store) -> None:
    drv = sh("suicide", "kill -9 $$")
    with pytest.raises(BuildError, match="SIGKILL"):
        build(store, drv)


def test_build_timeout_kills_the_whole_builder(store: Store, tmp_path: Path) -> None:
    pids = tmp_path / "pids"
    drv = sh("slow", f'sleep 30 & echo $! > {pids}; echo $$ >> {pids}; wait; echo x > "$out"')
    started = time.monotonic()
    with pytest.raises(BuildError, match="timed out after 1 s") as info:
        build(store, drv, build_timeout=1)
    assert time.monotonic() - started < 20
    assert info.value.log_path
    for pid in pids.read_text().split():
        assert process_gone(int(pid)), pid
    assert_nothing_left(store, drv)


def test_a_missing_input_is_reported(store: Store, tmp_path: Path) -> None:
    src = tmp_path / "f"
    src.write_text("x")
    drv = derivation(name="uses", builder=SH, args=["-c", 'cat "$srcs" > "$out"'], srcs=[src])
    store.registry.conn.execute("DELETE FROM valid_paths WHERE path = ?", (drv.input_srcs[0],))
    with pytest.raises(PathNotValid):
        build(store, drv)


# -- scheduling -------------------------------------------------------------------------------

MEET = """
touch "$markers/$me.started"
i=0
while [ ! -e "$markers/$other.started" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
if [ -e "$markers/$other.started" ]; then echo overlap > "$out"; else echo alone > "$out"; fi
"""


def meeting_pair(markers: Path) -> tuple[Derivation, Derivation]:
    markers.mkdir()
    return (
        sh("left", MEET, env={"markers": str(markers), "me": "left", "other": "right"}),
        sh("right", MEET, env={"markers": str(markers), "me": "right", "other": "left"}),
    )


def test_two_jobs_run_independent_builds_at_once(store: Store, tmp_path: Path) -> None:
    left, right = meeting_pair(tmp_path / "markers")
    assert build(store, left, right, jobs=2)[0] == {left: "built", right: "built"}
    assert out_path(store, left).read_text() == "overlap\n"
    assert out_path(store, right).read_text() == "overlap\n"


def test_one_job_runs_builds_one_after_another(store: Store, tmp_path: Path) -> None:
    markers = tmp_path / "markers"
    markers.mkdir()
    first = sh("first", f'ls {markers} > "$out"; touch {markers}/first')
    second = sh("second", f'ls {markers} > "$out"; touch {markers}/second')
    build(store, first, second, jobs=1)
    seen = sorted(out_path(store, d).read_text() for d in (first, second))
    assert seen in (["", "first\n"], ["", "second\n"])


def test_a_dependent_waits_for_its_input_even_with_many_jobs(store: Store) -> None:
    base = sh("base", 'sleep 0.3; echo base > "$out"')
    user = sh("user", f'cat {base} > "$out"')
    assert build(store, user, jobs=4)[0] == {base: "built", user: "built"}
    assert out_path(store, user).read_text() == "base\n"


CORES = 'echo "$PYBUILD_BUILD_CORES" > "$out"'


@pytest.fixture
def four_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    """This process may run on four cores, whatever the machine has."""
    monkeypatch.setattr("pybuild.python.builder.bytecode.usable_cores", lambda: 4)


def cores_given(store: Store, *drvs: Derivation) -> list[str]:
    return [out_path(store, d).read_text().strip() for d in drvs]


# Each build ends only once the next has started (the third, at once), so that the third
# starts while the second still runs, however loaded the machine: builds are not sandboxed here.
RELAY = (
    'echo $$ >> {log}; n=$(grep -nx "$$" {log} | cut -d: -f1); i=0;'
    ' while [ "$n" -lt 3 ] && [ "$i" -lt 1500 ] && [ "$(wc -l < {log})" -le "$n" ];'
    " do sleep 0.02; i=$((i + 1)); done; " + CORES
)


@pytest.mark.usefixtures("four_cores")
def test_builds_at_once_share_the_cores(store: Store, tmp_path: Path) -> None:
    drvs = [sh(f"part{i}", RELAY.format(log=tmp_path / "started")) for i in range(3)]
    build(store, *drvs, jobs=2)
    # Two run at once, the third queued behind them: each gets half, as none runs alone
    # (they are counted before the first starts).
    assert cores_given(store, *drvs) == ["2", "2", "2"]


@pytest.mark.usefixtures("four_cores")
def test_a_build_alone_gets_every_core(store: Store) -> None:
    base = sh("base", CORES)
    user = sh("user", f"cat {base} > /dev/null; {CORES}")
    alone = sh("alone", CORES)
    build(store, user, jobs=2)  # base, then user: never two at once
    build(store, alone, jobs=1)
    assert cores_given(store, base, user, alone) == ["4", "4", "4"]


@pytest.mark.usefixtures("four_cores")
def test_the_cores_setting_is_what_each_build_gets(store: Store) -> None:
    drvs = [sh(f"part{i}", CORES) for i in range(2)]
    build(store, *drvs, jobs=2, cores=3)
    assert cores_given(store, *drvs) == ["3", "3"]


def test_keep_going_builds_what_it_can(store: Store) -> None:
    good = sh("good", 'echo fine > "$out"')
    bad = sh("bad", "echo broken; exit 2")
    after_bad = sh("after-bad", f'cat {bad} > "$out"')
    options = BuildOptions(log=io.StringIO(), keep_going=True, jobs=2)
    results = realise([after_bad, good], store, options)
    assert results[good] == BuildResult(Status.BUILT)
    failed, blocked = results[bad], results[after_bad]
    assert failed.status is Status.FAILED and not failed.ok
    assert "build of bad failed" in str(failed.error)
    assert "exited with status 2" in str(failed.error)
    assert failed.log_path and Path(failed.log_path).read_text() == "broken\n"
    # The dependent says which input stopped it, with that input's own error and log.
    assert blocked.status is Status.DEPENDENCY_FAILED
    assert (blocked.failed_input, blocked.error, blocked.log_path) == (
        bad.drv_name,
        failed.error,
        failed.log_path,
    )
    assert blocked.describe().startswith(f"not built: its input {bad.drv_name} failed:")
    assert store.is_valid(good.out)
    assert not store.is_valid(bad.out)
    assert not store.is_valid(after_bad.out)


def test_without_keep_going_the_first_failure_is_raised(store: Store) -> None:
    bad = sh("bad", "exit 2")
    after_bad = sh("after-bad", f'cat {bad} > "$out"')
    with pytest.raises(BuildError, match="build of bad failed"):
        build(store, after_bad)
    assert not store.is_valid(after_bad.out)
    assert not (store.log_dir / f"{after_bad.drv_name}.log").exists()  # never started


def test_the_python_builders_diagnosis_is_the_reason_a_build_failed(store: Store) -> None:
    """A package whose version was overridden failed with "builder exited with status 1"
    first, its builder's own sentence (what is wrong and what to do) only at the end of a tail
    a backend's warnings filled. The diagnosis that ends a log is now the reason."""
    said = "the source builds six 1.17.0, but the recipe says version 1.16.0: give it its source"
    noise = "for i in $(seq 30); do echo 'SetuptoolsDeprecationWarning: …'; done"
    diagnosed = sh("diagnosed", f"{noise}; echo 'pybuild: phase install failed: {said}'; exit 1")
    with pytest.raises(BuildError) as caught:
        build(store, diagnosed)
    assert caught.value.reason == f"{said} (phase install; builder exited with status 1)"
    assert str(caught.value).startswith(f"build of diagnosed failed: {said} (phase install;")
    pointing = "pybuild: phase build failed: its output, above, says why"
    above = sh("above", f"echo 'RuntimeError: no'; echo '{pointing}'; exit 1")
    with pytest.raises(BuildError) as told:
        build(store, above)  # a diagnosis that points at the output, which is below the line
    assert told.value.reason == "builder exited with status 1"
    after = sh("after", "echo 'pybuild: phase install failed: x'; echo 'Traceback …'; exit 1")
    with pytest.raises(BuildError) as other:
        build(store, after)  # a diagnosis the log goes on after is not the last word
    assert other.value.reason == "builder exited with status 1"


def test_a_failure_whose_cause_is_outside_the_recipe_says_what_to_do(store: Store) -> None:
    """An input deleted from the store folder by hand, still registered, made the build fail
    with the builder's "No such file" alone; a full disk with the builder's traceback."""
    lib = sh("lib", 'mkdir "$out" && echo 1 > "$out/v"')
    app = sh("app", f'cat {lib}/v > "$out"')
    build(store, lib)
    path = out_path(store, lib)
    for entry in (path, path / "v"):
        entry.chmod(0o755)
    (path / "v").unlink()
    path.rmdir()
    with pytest.raises(BuildError) as gone:
        build(store, app)
    assert gone.value.hint == (
        f"{path} is registered but missing from the store folder:"
        " `pybuild verify --repair` makes it again"
    )
    full = sh("full", "echo 'OSError: [Errno 28] No space left on device' >&2; exit 1")
    with pytest.raises(BuildError) as no_room:
        build(store, full)
    assert no_room.value.hint.startswith("the disk the build wrote to is full: free space")


def test_without_keep_going_no_build_starts_after_a_failure(store: Store) -> None:
    """Nix without --keep-going: builds queued behind a failure never start (they were all
    handed to the pool at once, and ran one after another after it)."""
    bad, *queued = [sh(f"q{i}", "true") for i in range(4)]
    plan = realiser.Plan([bad, *queued], {d: [] for d in (bad, *queued)}, set())
    started = []

    def build(drv: Derivation, cores: int | None) -> BuildResult:
        started.append(drv.name)
        if drv is bad:
            raise BuildError(drv.name, "it fails")
        return BuildResult(Status.BUILT)

    options = BuildOptions(log=io.StringIO(), jobs=1)
    with pytest.raises(BuildError, match="build of q0 failed"):
        realiser._run_plan(plan, build, options, workers=1)
    assert started == ["q0"]


def test_without_keep_going_a_failure_stops_the_builds_running(store: Store) -> None:
    """As Nix does without --keep-going, the other builds running are stopped, not waited for."""
    slow = sh("slow", 'sleep 30; mkdir "$out"')
    bad = sh("bad", "sleep 0.5; exit 2")
    plan = realiser.Plan([slow, bad], {slow: [], bad: []}, set())
    options = BuildOptions(log=io.StringIO(), jobs=2)
    start = time.monotonic()
    with pytest.raises(BuildError, match="build of bad failed"):
        realiser._run_plan(plan, lambda d, c: realiser._build(d, store, options, c), options, 2)
    assert time.monotonic() - start < 15
    assert_nothing_left(store, slow)


def test_a_single_build_runs_in_the_callers_thread_and_fails_as_a_pool_would(
    store: Store,
) -> None:
    """One derivation to build is built here, without the thread pool (a new environment, a
    package whose inputs are valid); its result and errors are the pool's."""
    threads = []
    note = sh("note", 'echo "$$" > "$out"')
    bad = sh("lone-bad", "echo broken; exit 2")
    original = realiser._build

    def watched(drv: Derivation, *args: object) -> Status:
        threads.append(threading.current_thread())
        return original(drv, *args)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(realiser, "_build", watched)
        log = io.StringIO()
        assert realise([note], store, BuildOptions(log=log, jobs=2)) == {
            note: BuildResult(Status.BUILT)
        }
        assert f"built {note.name} in" in log.getvalue()
        with pytest.raises(BuildError, match="build of lone-bad failed"):
            realise([bad], store, BuildOptions(log=io.StringIO()))
        kept = realise([bad], store, BuildOptions(log=io.StringIO(), keep_going=True))
    assert threads == [threading.current_thread()] * 3
    assert kept[bad].status is Status.FAILED and "exited with status 2" in str(kept[bad].error)
    assert store.is_valid(note.out) and not store.is_valid(bad.out)


def test_the_inputs_of_a_valid_output_are_not_needed(store: Store, tmp_path: Path) -> None:
    flag = tmp_path / "flag"
    dep = sh("dep", f'[ -e {flag} ] && echo dep > "$out"')
    user = sh("user", f'cat {dep} > "$out"')
    flag.touch()
    build(store, user)
    flag.unlink()  # dep could not be built again
    store.registry.conn.execute("DELETE FROM valid_paths WHERE path = ?", (dep.out,))
    assert not store.is_valid(dep.out)
    fates, log = build(store, user)
    assert fates == {user: "valid"}
    assert "building" not in log


def test_a_plan_asks_the_registry_once_for_the_whole_graph(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = sh("base", 'echo 0 > "$out"')
    built = sh("built", f'cat {base} > "$out"')
    build(store, built)  # valid: its input need not be built again
    mids = [sh(f"mid{i}", f'cat {built} > "$out"') for i in range(10)]
    top = sh("top", "cat " + " ".join(map(str, mids)) + ' > "$out"')
    asked: list[list[str]] = []
    among = store.registry.valid_among
    monkeypatch.setattr(store.registry, "valid_among", lambda p: asked.append(p) or among(p))
    monkeypatch.setattr(store.registry, "is_valid", lambda p: pytest.fail(f"asked of {p}"))
    work = realiser.planned_work([top], store)
    assert set(work.builds[:-1]) == set(mids) and work.builds[-1] == top
    assert [sorted(names) for names in asked] == [sorted(d.out for d in [top, *mids, built, base])]


def test_a_copy_built_after_all_is_a_step_of_its_own_and_the_counter_only_goes_up(
    filled: Filled,  # noqa: F811 - test_cache.py's fixture, imported above
    store: Store,
) -> None:
    """app's copy fails at lib (its archive cut short): lib and tool are built, then app. The
    counter's total grows by them and by app's build, a step after its copy, so every line
    has the next number and the same total; app reused its copy's number, ``[1/3]`` last."""
    archive = filled.archive(filled.chain.lib)
    archive.write_bytes(archive.read_bytes()[:10])
    opts = options(filled.url, keys=(filled.public,))
    fates = statuses(realise([filled.chain.app], store, opts))
    assert fates[filled.chain.app] == "built", said(opts)
    counters = [line.partition(" ")[0] for line in said(opts).splitlines() if line[:1] == "["]
    assert counters == ["[1/1]", "[2/4]", "[3/4]", "[4/4]"], said(opts)
    assert said(opts).splitlines()[-2].startswith("[4/4] building app"), said(opts)
