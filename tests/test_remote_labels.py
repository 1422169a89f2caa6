"""The name of a machine in progress lines: its host, or more where hosts repeat."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from test_remote import HELLO, fake_ssh, pybuild

from pybuild.remote.farm import Farm
from pybuild.remote.machines import parse_machines


def test_machines_on_one_host_are_told_apart_by_what_differs() -> None:
    machines = parse_machines(
        "ssh://b1@127.0.0.1; ssh://b2@127.0.0.1; ssh://b2@127.0.0.1:2222; ssh://build1;"
        " ssh://b3@[::1]:22; ssh://b3@[::1]:23; ssh://x?home=/a; ssh://x?home=/b"
    )
    assert list(Farm(machines, local_jobs=1).labels.values()) == [
        "b1@127.0.0.1",
        "b2@127.0.0.1",
        "b2@127.0.0.1:2222",
        "build1",
        "b3@[::1]:22",
        "b3@[::1]:23",
        "ssh://x?home=/a",
        "ssh://x?home=/b",
    ]


def test_progress_lines_name_each_of_two_machines_on_one_host(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pybuild_home: Path
) -> None:
    hello = fake_ssh(tmp_path, monkeypatch, f"{sys.executable} -m pybuild")
    hello.write_text(
        HELLO + "other = derivation(name='other', builder='/bin/sh', args=['-c', 'echo > $out'])\n"
    )
    builders = "; ".join(f"ssh://{user}@127.0.0.1?home={tmp_path / user}" for user in ("b1", "b2"))
    result = pybuild("build", "-f", hello, "hello", "other", "-j", "0", "--builders", builders)
    assert result.returncode == 0, result.stderr
    on = re.findall(r"building on (\S+)", result.stderr)
    assert len(on) == 2 and set(on) <= {"b1@127.0.0.1", "b2@127.0.0.1"}, result.stderr
