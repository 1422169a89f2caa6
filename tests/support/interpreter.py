"""An interpreter that need not exist: for tests that evaluate sets and never build."""

from pybuild.python.interpreter import Interpreter

FAKE_PYTHON = Interpreter(
    "/usr/bin/python3-test",
    "3.11.7",
    "cpython",
    ("cp311-cp311-linux_x86_64",),
    "sha256-" + "B" * 43 + "=",
)


def changed(python: Interpreter, **facts: object) -> Interpreter:
    """`python` with some facts changed: another build of it, or another version."""
    return Interpreter(**{**python._facts, **facts})
