"""Python programs that find their dependencies by themselves, relative to their own file.

nixpkgs wraps every program in ``bin`` with a ``PYTHONPATH`` that then leaks into every
subprocess. Here a program's header adds its package's runtime closure as site dirs, each
written relative to the program's real location, so it runs from a clean environment, leaks
nothing, and still works after the store is moved. ``-S`` keeps the interpreter's own
site-packages out. Console scripts are written with it; a Python script the wheel ships
(``#!python``, which an installer gives its interpreter, PEP 427) gets it too, as nixpkgs'
wrapPythonPrograms patches every Python program it finds.

Under ``-O`` Python looks for bytecode that no build compiled (``.opt-1.pyc``), and as root,
whom the store's read-only modes do not stop, it would write that into the package's path,
which would then no longer match its hash: the header turns the writing off there.
"""

import ast
import io
import os
import re
from pathlib import Path

from installer.destinations import SchemeDictionaryDestination
from installer.records import RecordEntry
from installer.scripts import Script
from installer.utils import Scheme

# An environment (env.py) knows a program that adds its closure by the second line.
_SHEBANG = "#!{python} -S\n"
_MARK = "# Made by pybuild: adds this package's runtime closure, found relative to this file.\n"

_CLOSURE = """\
import os
import site
import sys

if sys.flags.optimize and hasattr(os, "geteuid") and os.geteuid() == 0:
    sys.dont_write_bytecode = True  # no .opt-1.pyc into the store, whose modes root ignores
_here = os.path.dirname(os.path.realpath(__file__))
for _folder in {folders!r}:
    site.addsitedir(os.path.join(_here, _folder))
"""

_ENTRY_POINT = """\
from {module} import {head}

if __name__ == "__main__":
    sys.exit({attr}())
"""

# PEP 263: a source's encoding is declared on its first or second line.
_CODING = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*[-\w.]+")


class EscapingPath(Exception):
    """A file of the wheel would be written outside the folder it is installed into."""


class PybuildDestination(SchemeDictionaryDestination):
    """installer's destination, with our header instead of a fixed ``sys.path``, and a file
    out of its folder (``../x``) an error of its own, for the phase to name."""

    def __init__(self, scheme_dict, *, closure, site_packages, **kwargs) -> None:
        super().__init__(scheme_dict, **kwargs)
        self.closure = closure
        self.site_packages = site_packages

    def write_script(self, name: str, module: str, attr: str, section: str) -> RecordEntry:
        Script(name, module, attr, section)  # type: ignore[arg-type]  # validates the names
        text = _SHEBANG.format(python=self.interpreter) + _MARK + self._closure()
        text += _ENTRY_POINT.format(module=module, head=attr.split(".")[0], attr=attr)
        with io.BytesIO(text.encode()) as stream:
            entry = self.write_to_fs(Scheme("scripts"), name, stream, is_executable=True)
        (Path(self.scheme_dict["scripts"]) / name).chmod(0o755)
        return entry

    def write_file(self, scheme, path, stream, is_executable) -> RecordEntry:
        """A file of the wheel; a Python script of its scripts folder gets our header."""
        if scheme != "scripts" or stream.read(8) != b"#!python":
            stream.seek(0)
            return super().write_file(scheme, path, stream, is_executable)
        stream.seek(0)
        text = with_header(stream.read(), self.interpreter, self._closure())
        with io.BytesIO(text) as patched:
            return self.write_to_fs(scheme, os.fspath(path), patched, is_executable)

    def write_to_fs(self, scheme, path, stream, is_executable) -> RecordEntry:
        folder = os.path.abspath(self.scheme_dict[scheme])
        if os.path.commonpath([folder, os.path.abspath(os.path.join(folder, path))]) != folder:
            raise EscapingPath(path)
        return super().write_to_fs(scheme, path, stream, is_executable)

    def _closure(self) -> str:
        """The lines that add the closure, relative to where the output will live
        (store/<name>/bin), not to the build folder."""
        folders = [os.path.join("..", self.site_packages)]
        folders += [
            os.path.join("..", "..", Path(p).name, self.site_packages) for p in self.closure
        ]
        return _CLOSURE.format(folders=folders)


def with_header(script: bytes, python: str, closure: str) -> bytes:
    """The ``#!python`` script `script` run by `python`, with our mark after its ``#!`` line
    (and its encoding's, which must stay second) and the `closure` lines after its docstring
    and ``from __future__`` imports, which must come first; its bytes are otherwise kept."""
    lines = script.splitlines(keepends=True)[1:]
    head = [_SHEBANG.format(python=python).encode()]
    coding = lines.pop(0) if lines and _CODING.match(lines[0]) else b""
    head += [coding, _MARK.encode()]
    after = _first_statements(b"".join(lines), coding)
    if after and not lines[after - 1].endswith((b"\n", b"\r")):
        lines[after - 1] += b"\n"
    return b"".join([*head, *lines[:after], closure.encode(), *lines[after:]])


def _first_statements(body: bytes, coding: bytes = b"") -> int:
    """How many lines of `body` its docstring and ``from __future__`` imports take (none for
    a script this interpreter cannot parse, which fails as it would without the header).
    `body` is read in the encoding its `coding` line declares, parsed above it."""
    try:
        tree = ast.parse(coding + body)
    except (SyntaxError, ValueError):  # ValueError: a null byte, before Python 3.12
        return 0
    above = 1 if coding else 0
    end = 0
    for index, node in enumerate(tree.body):
        docstring = (
            index == 0
            and isinstance(node, ast.Expr)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
        )
        if not (docstring or (isinstance(node, ast.ImportFrom) and node.module == "__future__")):
            break
        end = (node.end_lineno or node.lineno) - above
    return end
