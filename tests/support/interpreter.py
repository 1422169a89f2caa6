"""An interpreter that need not exist: for tests that evaluate sets and never build."""

from pybuild.python.interpreter import Interpreter

FAKE_PYTHON = Interpreter(
    "/usr/bin/python3-test",
    "3.11.7",
    "cpython",
    ("cp311-cp311-linux_x86_64",),
    "sha256-" + "B" * 43 + "=",
)
