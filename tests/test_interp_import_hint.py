"""What ``pybuild import`` prints to use its folder names the interpreter it imported for."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from pybuild.cli import main
from pybuild.errors import UsageError
from pybuild.python.locate import locate_python
from support.fixtures import BuildIndex

THIS = f"{sys.version_info.major}.{sys.version_info.minor}"


def _another_python() -> str | None:
    for version in ("3.10", "3.12", "3.13", "3.11"):
        if version == THIS:
            continue
        try:
            locate_python(version)
        except UsageError:
            continue
        return version
    return None


def test_the_hint_to_use_an_import_names_its_interpreter_when_not_the_default(
    use_index: BuildIndex, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``pybuild --python 3.10 import`` said ``pybuild shell --overlay .../overlay.py -p
    ATTR``, which made a set for the interpreter running pybuild: recipes decided for 3.10's
    markers, used with another Python without a word."""
    other = _another_python()
    if other is None:
        pytest.skip("no other CPython is installed")
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("shout==1.0\n")
    out = tmp_path / "out"
    assert main(["--python", other, "import", str(requirements), "-o", str(out)]) == 0
    overlay = out / "overlay.py"
    assert f"use them: pybuild --python {other} shell --overlay {overlay} -p ATTR" in (
        capsys.readouterr().out
    )
    assert main(["--python", THIS, "import", str(requirements), "-o", str(out)]) == 0
    assert f"use them: pybuild shell --overlay {overlay} -p ATTR" in capsys.readouterr().out
