"""The header of a package's own Python scripts (pybuild/python/builder/scripts.py): where it
goes in a script, so that what must come first in a Python source still does."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

BUILDER = Path(__file__).parents[1] / "pybuild" / "python" / "builder"
CLOSURE = "import sys\nsys.path.insert(0, 'closure')\n"


@pytest.fixture
def scripts(monkeypatch: pytest.MonkeyPatch) -> ModuleType:
    """The builder's scripts module, loaded as the builder loads it."""
    monkeypatch.syspath_prepend(str(BUILDER))
    spec = importlib.util.spec_from_file_location("pybuild_builder_scripts", BUILDER / "scripts.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run(script: bytes, tmp_path: Path) -> str:
    path = tmp_path / "script"
    path.write_bytes(script)
    ran = subprocess.run([sys.executable, path], capture_output=True, check=True, cwd=tmp_path)
    return ran.stdout.decode("utf-8")


def test_the_closure_comes_after_the_docstring_and_future_imports(
    scripts: ModuleType, tmp_path: Path
) -> None:
    source = (
        b'#!python\n"""Its docstring,\nover two lines."""\n\n'
        b"from __future__ import annotations\nfrom __future__ import division\n"
        b"print(__doc__, sys.path[0])\n"
    )
    script = scripts.with_header(source, "/py/bin/python3", CLOSURE)
    lines = script.split(b"\n")
    assert lines[:2] == [b"#!/py/bin/python3 -S", scripts._MARK.rstrip("\n").encode()]
    assert script.endswith(
        b"from __future__ import division\n" + CLOSURE.encode() + lines[-2] + b"\n"
    )
    assert run(script, tmp_path) == "Its docstring,\nover two lines. closure\n"


def test_an_encoding_declaration_stays_on_the_second_line(
    scripts: ModuleType, tmp_path: Path
) -> None:
    source = "#!python\n# -*- coding: latin-1 -*-\nprint('d\xe9j\xe0', sys.path[0])".encode(
        "latin-1"
    )
    script = scripts.with_header(source, "/py/bin/python3", CLOSURE)
    assert script.split(b"\n")[1:3] == [
        b"# -*- coding: latin-1 -*-",
        scripts._MARK.rstrip("\n").encode(),
    ]
    assert run(script, tmp_path) == "d\xe9j\xe0 closure\n"


def test_a_script_of_another_encoding_gets_the_closure_after_its_docstring_too(
    scripts: ModuleType, tmp_path: Path
) -> None:
    """Its body is read in the encoding it declares: as UTF-8, a latin-1 docstring would not
    parse, and the closure would go before its ``from __future__`` import."""
    source = (
        '#!python\n# -*- coding: latin-1 -*-\n"""D\xe9j\xe0."""\n'
        "from __future__ import annotations\nprint(__doc__, sys.path[0])\n"
    ).encode("latin-1")
    script = scripts.with_header(source, "/py/bin/python3", CLOSURE)
    assert b"from __future__ import annotations\n" + CLOSURE.encode() in script
    assert run(script, tmp_path) == "D\xe9j\xe0. closure\n"


def test_a_script_without_a_final_newline_or_that_does_not_parse_keeps_its_lines(
    scripts: ModuleType,
) -> None:
    mark = scripts._MARK.encode()
    assert scripts.with_header(b'#!python\n"""Doc."""', "/py", CLOSURE) == (
        b"#!/py -S\n" + mark + b'"""Doc."""\n' + CLOSURE.encode()
    )
    assert scripts.with_header(b"#!python\nprint 'two'\n", "/py", CLOSURE) == (
        b"#!/py -S\n" + mark + CLOSURE.encode() + b"print 'two'\n"
    )
