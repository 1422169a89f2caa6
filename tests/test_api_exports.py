"""What a script imports from the top-level ``pybuild``: the types its functions take and
return too, each loaded only when first used."""

from __future__ import annotations

import subprocess
import sys

import pytest

import pybuild


@pytest.mark.parametrize(
    ("name", "module"),
    [
        ("Environment", "pybuild.python.environment"),  # pkgs.python.with_packages(...)
        ("PythonForSet", "pybuild.python.environment"),  # pkgs.python
        ("BuildResult", "pybuild.results"),  # what realise() returns
        ("Status", "pybuild.results"),  # a BuildResult's status
    ],
)
def test_the_types_of_the_api_are_exported_from_the_top(name: str, module: str) -> None:
    assert name in pybuild.__all__
    assert getattr(pybuild, name) is getattr(sys.modules[module], name)
    assert name in dir(pybuild)


def test_importing_pybuild_loads_none_of_its_modules() -> None:
    code = "import sys, pybuild; print(sorted(m for m in sys.modules if m.startswith('pybuild')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['pybuild']"
