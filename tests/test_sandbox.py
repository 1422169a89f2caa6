"""The build sandbox: only declared inputs are visible, and no network unless it is a download.

These tests need bubblewrap that works here (CI installs it from Debian's packages); where it
cannot run they are skipped, and the test of the `sandbox = true` setting proves the refusal.
"""

from __future__ import annotations

import io
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from pybuild import sandbox
from pybuild.buildusers import FIRST_UID, POOL_SIZE
from pybuild.errors import SettingsError
from pybuild.sandbox import Sandbox, _probe, sandbox_for

SANDBOX, PROBLEM = _probe()
needs_bwrap = pytest.mark.skipif(SANDBOX is None, reason=f"no working bubblewrap: {PROBLEM}")


@pytest.fixture
def box(tmp_path: Path) -> Iterator[dict[str, Any]]:
    """A fake store with a declared and an undeclared input, a build directory, its cell."""
    store = tmp_path / "store"
    declared, secret = store / "aaaa-declared", store / "bbbb-secret"
    for folder, text in ((declared, "visible\n"), (secret, "secret\n")):
        folder.mkdir(parents=True)
        (folder / "data").write_text(text)
    work = tmp_path / "var" / "tmp" / "build-1"
    (work / "build").mkdir(parents=True)
    assert SANDBOX is not None
    with SANDBOX.enter(tmp_path / "var") as cell:
        yield {"declared": declared, "secret": secret, "work": work, "cell": cell}


def run_in(
    box: dict[str, Any], code: str, network: bool = False, program: Sequence[str] = ()
) -> subprocess.CompletedProcess[str]:
    """Run Python `code` (or `program`) as a build in the box's cell."""
    argv = box["cell"].wrap(
        program or [sys.executable, "-S", "-c", code],
        build_dir=box["work"] / "build",
        work=box["work"],
        inputs=[box["declared"]],
        network=network,
        env={},
    )
    return subprocess.run(argv, capture_output=True, text=True, timeout=60, env={})


@needs_bwrap
def test_declared_inputs_are_readable_and_undeclared_ones_absent(box: dict[str, Any]) -> None:
    code = (
        f"print(open({str(box['declared'] / 'data')!r}).read().strip());"
        f"import os; print(os.path.exists({str(box['secret'])!r}))"
    )
    result = run_in(box, code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["visible", "False"]


@needs_bwrap
def test_inputs_are_read_only_and_the_build_directory_writable(box: dict[str, Any]) -> None:
    target = box["declared"] / "data"
    out = box["work"] / "out"
    code = (
        f"open({str(out)!r}, 'w').write('made');"
        f"\ntry:\n open({str(target)!r}, 'w')\nexcept OSError as e:\n print('refused', e.errno)"
    )
    result = run_in(box, code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("refused")
    assert out.read_text() == "made"
    assert target.read_text() == "visible\n"


@needs_bwrap
def test_no_network_unless_it_is_a_download(box: dict[str, Any]) -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        code = (
            "import socket\ntry:\n"
            f" socket.create_connection(('127.0.0.1', {port}), timeout=5); print('connected')\n"
            "except OSError as e:\n print('no network', e.errno)"
        )
        assert run_in(box, code).stdout.startswith("no network")
        assert run_in(box, code, network=True).stdout.strip() == "connected"


@needs_bwrap
def test_private_tmp(box: dict[str, Any], tmp_path: Path) -> None:
    marker = Path("/tmp") / f"pybuild-sandbox-test-{tmp_path.name}"
    marker.write_text("host")
    try:
        result = run_in(box, f"import os; print(os.path.exists({str(marker)!r}))")
        assert result.stdout.strip() == "False"
    finally:
        marker.unlink()


@needs_bwrap
def test_a_builder_can_use_shared_memory(box: dict[str, Any]) -> None:
    """multiprocessing's locks live in /dev/shm, which a build user must be able to write."""
    result = run_in(box, "import multiprocessing; multiprocessing.Lock(); print('locked')")
    assert result.stdout.strip() == "locked", result.stderr


def status(result: subprocess.CompletedProcess[str]) -> dict[str, str]:
    """A program's ``name: value`` lines."""
    assert result.returncode == 0, result.stderr
    return dict(line.split(":", 1) for line in result.stdout.splitlines() if ":" in line)


@needs_bwrap
@pytest.mark.parametrize("network", [False, True], ids=["build", "download"])
def test_a_builder_has_no_capabilities_and_as_root_is_a_build_user(
    box: dict[str, Any], network: bool
) -> None:
    """Root's bubblewrap kept every capability: a builder could remount and write anything."""
    script = "grep ^Cap /proc/self/status; echo uid: $(id -u); echo gid: $(id -g)"
    found = status(run_in(box, "", network, ["/bin/sh", "-c", script]))
    for cap in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"):
        assert int(found[cap], 16) == 0, (cap, found[cap])
    if os.geteuid() == 0:
        user = box["cell"].user
        assert FIRST_UID <= user.uid < FIRST_UID + POOL_SIZE
        assert (int(found["uid"]), int(found["gid"])) == (user.uid, user.gid)
        assert os.stat(box["work"] / "build").st_uid == user.uid


@needs_bwrap
@pytest.mark.parametrize("network", [False, True], ids=["build", "download"])
@pytest.mark.parametrize("target", ["/etc", "/usr", "input", "/"])
def test_a_builder_cannot_remount_or_write_outside_its_folders(
    box: dict[str, Any], target: str, network: bool
) -> None:
    folder = Path(box["declared"] if target == "input" else target)
    planted = folder / f"pwned-{box['work'].parent.parent.parent.name}"
    script = (
        f"mount -o remount,rw,bind {folder} && echo remounted: {folder}\n"
        f"echo pwned > {planted} && echo written: {planted}\n"
        f"chmod 777 {folder} && echo changed: {folder}\n"
        "true"
    )
    try:
        found = status(run_in(box, "", network, ["/bin/sh", "-c", script]))
        assert found == {}
        assert not planted.exists()
    finally:
        planted.unlink(missing_ok=True)  # (only an unsafe sandbox lets it be made)


@needs_bwrap
def test_a_builder_cannot_chown(box: dict[str, Any]) -> None:
    script = "touch mine && chown 0:0 mine && echo chowned: yes; stat -c 'owner: %u' mine"
    found = status(run_in(box, "", program=["/bin/sh", "-c", script]))
    assert "chowned" not in found
    assert int(found["owner"]) == box["cell"].user.uid


@needs_bwrap
@pytest.mark.parametrize("network", [False, True], ids=["build", "download"])
def test_the_sandbox_has_its_own_etc(box: dict[str, Any], network: bool) -> None:
    """The host's /etc was there: a build read /etc/shadow and stored it."""
    code = (
        "import os, pwd, socket; me = pwd.getpwuid(os.getuid());"
        "print('shadow:', os.path.exists('/etc/shadow'));"
        "print('passwd:', open('/etc/passwd').read().count(chr(10)));"
        "print('user:', me.pw_name, me.pw_dir);"
        "print('localhost:', socket.gethostbyname('localhost'));"
        "print('resolver:', os.path.exists('/etc/resolv.conf'))"
    )
    found = status(run_in(box, code, network))
    assert found["shadow"].strip() == "False"
    assert int(found["passwd"]) <= 3  # root, nobody, the build user: no host account
    assert found["user"].split() == ["pybuild", "/homeless-shelter"]
    assert found["localhost"].strip() == "127.0.0.1"
    assert found["resolver"].strip() == str(network and os.path.exists("/etc/resolv.conf"))


@needs_bwrap
@pytest.mark.skipif(os.geteuid() != 0, reason="switches to another user")
def test_as_another_user_a_builder_has_no_capabilities_either() -> None:
    """Not as root: bubblewrap's own user namespace, whose capabilities it drops."""
    assert SANDBOX is not None
    top = Path(tempfile.mkdtemp(prefix="pybuild-nobody-"))  # root's own tmp_path is 0700
    try:
        work = top / "var" / "tmp" / "build-1"
        (work / "build").mkdir(parents=True)
        with Sandbox(SANDBOX.bwrap).enter(top / "var") as cell:
            script = "grep ^Cap /proc/self/status; echo uid: $(id -u)"
            argv = cell.wrap(
                ["/bin/sh", "-c", script],
                build_dir=work / "build",
                work=work,
                inputs=[],
                network=False,
                env={},
            )
            for path in [top, *top.rglob("*")]:
                os.lchown(path, 65534, 65534)
            nobody = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"]
            result = subprocess.run(
                [*nobody, *argv], capture_output=True, text=True, timeout=60, env={}
            )
        found = status(result)
        assert int(found["uid"]) == 65534
        assert all(int(found[cap], 16) == 0 for cap in ("CapPrm", "CapEff", "CapBnd"))
    finally:
        shutil.rmtree(top)


@pytest.mark.skipif(os.geteuid() != 0, reason="pybuild does not run as root")
@pytest.mark.usefixtures("without_setpriv")
def test_as_root_there_is_no_sandbox_without_setpriv(monkeypatch: pytest.MonkeyPatch) -> None:
    _probe.cache_clear()
    monkeypatch.setattr(sandbox, "_warned", set())
    told: list[str] = []
    try:
        assert _probe()[0] is None
        with pytest.raises(SettingsError, match="setpriv") as err:
            sandbox_for("true", told.append)
        assert "util-linux" in err.value.hint
        assert sandbox_for("relaxed", told.append) is None
        assert "building without a sandbox" in told[0]
    finally:
        _probe.cache_clear()


@pytest.mark.skipif(SANDBOX is None, reason=f"no sandbox here: {PROBLEM}")
def test_the_probe_runs_without_true_on_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A PATH that has bwrap but not `true` (a trimmed one, for a service) is no reason to
    build unsandboxed, with a hint about user namespaces that do work."""
    (tmp_path / "bwrap").symlink_to(SANDBOX.bwrap)
    monkeypatch.setenv("PATH", str(tmp_path))
    _probe.cache_clear()
    try:
        assert _probe()[0] is not None, _probe()[1]
    finally:
        _probe.cache_clear()


@pytest.mark.parametrize(
    ("problem", "way_out"),
    [
        ("", "turn the sandbox back on (it can run here: sandbox = relaxed, the default)"),
        ("bwrap is not installed", "(bwrap is not installed): install bubblewrap and, to"),
        ("bwrap failed: bwrap: No permissions to create new namespace", "allow unprivileged"),
    ],
)
def test_a_build_user_that_cannot_reach_a_folder_is_told_how_the_sandbox_helps(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, problem: str, way_out: str
) -> None:
    """Outside the sandbox by ``sandbox = false`` where it can run, the way out is to turn it
    back on, not to install the bubblewrap that is there; where it cannot run, to install it.
    Letting other users in and ``build_users = false`` stay ways out in both."""
    from pybuild.buildusers import _check_reachable
    from pybuild.errors import CannotRunBuilder

    monkeypatch.setattr(sandbox, "sandbox_problem", lambda: problem)
    private = tmp_path / "priv"
    (private / "home").mkdir(parents=True)
    private.chmod(0o700)
    with pytest.raises(CannotRunBuilder, match="other users may not enter") as caught:
        _check_reachable("greeting", "/bin/sh", str(private / "home"))
    hint = caught.value.hint
    assert way_out in hint and "chmod o+x" in hint and "build_users = false" in hint
    assert (problem == "bwrap is not installed") == ("apt-get install bubblewrap" in hint)


def test_a_bwrap_that_is_there_but_fails_is_not_said_to_be_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Installed, it fails where user namespaces are off: installing it is no way out,
    allowing them is."""
    fake = tmp_path / "bin" / "bwrap"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\necho 'bwrap: No permissions to create new namespace' >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}:{os.environ['PATH']}")
    monkeypatch.setattr(sandbox, "_warned", set())
    _probe.cache_clear()
    told: list[str] = []
    try:
        with pytest.raises(SettingsError) as err:
            sandbox_for("true", told.append)
        assert "bwrap failed: bwrap: No permissions to create new namespace" in str(err.value)
        assert err.value.hint.startswith("let bwrap make its namespaces here")
        assert "install" not in err.value.hint
        assert sandbox_for("relaxed", told.append) is None
        assert told[0].endswith("or build on a machine that allows them")
    finally:
        _probe.cache_clear()


def test_building_without_a_sandbox_is_said_once_through_the_builds_log(
    monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    """The warning went to the process's stderr: a library caller whose BuildOptions(log=)
    takes the build's messages could not catch it."""
    from pybuild.derivations import derivation
    from pybuild.realiser import BuildOptions, realise

    monkeypatch.setattr(sandbox, "_probe", lambda: (None, "bwrap is not installed"))
    monkeypatch.setattr(sandbox, "_warned", set())
    log = io.StringIO()
    options = BuildOptions(sandbox="relaxed", build_users=False, log=log)
    for word in ("one", "two"):
        script = f'echo {word} > "$out"'
        realise([derivation(name=word, builder="/bin/sh", args=["-c", script])], options=options)
    assert log.getvalue().count("warning: building without a sandbox (bwrap is not installed)") == 1
    assert 'BuildOptions(sandbox="false") in Python' in log.getvalue()
    assert capfd.readouterr().err == ""


def test_settings() -> None:
    told: list[str] = []
    assert sandbox_for("false", told.append) is None
    with pytest.raises(SettingsError, match="sandbox must be one of"):
        sandbox_for("maybe", told.append)
    if SANDBOX is None:
        with pytest.raises(SettingsError, match="sandbox cannot run here"):
            sandbox_for("true", told.append)
        assert sandbox_for("relaxed", told.append) is None
    else:
        assert isinstance(sandbox_for("true", told.append), Sandbox)
        assert isinstance(sandbox_for("relaxed", told.append), Sandbox)


@needs_bwrap
def test_the_interpreters_own_site_packages_are_empty(box: dict[str, Any]) -> None:
    import sysconfig

    # The installation's own, which the cell mounts: a venv's are outside it, so not there.
    site = sysconfig.get_paths(vars={"base": sys.base_prefix})["purelib"]
    if not os.listdir(site) or site.startswith(("/usr/", "/opt/")):
        pytest.skip("this interpreter's site-packages is empty or a system folder")
    result = run_in(box, f"import os; print(len(os.listdir({site!r})))")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "0"
