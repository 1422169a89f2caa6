"""The floor of the bench's workload 5 (bench/evaluation.py) makes the derivation pybuild makes.

The floor is the deepest recipe's closure evaluated by the standard library alone; it means
something only while it does pybuild's work, byte for byte. A change to how pybuild writes a
package's or a download's derivation fails here, not in the middle of a bench run. Network:
the generated recipes use the default set's setuptools, whose wheel's address is the index's.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from bench.evaluation import run_floor, write_set

pytestmark = pytest.mark.network


def test_the_floor_makes_the_same_drv_as_pybuild(tmp_path: Path) -> None:
    folder = tmp_path / "recipes"
    write_set(folder, 40)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    # pybuild's answer and the set's fixed parts (writing the bytecode), then the floor
    fixed, drv_name, seconds = run_floor(folder, "gen_39", env)
    assert drv_name == json.loads(fixed)["deepest"]
    assert drv_name.endswith(f"-python{sys.version_info[0]}.{sys.version_info[1]}-gen-39-1.39.drv")
    assert float(seconds) > 0
