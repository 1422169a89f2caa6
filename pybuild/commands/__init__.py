"""The command line's sub-commands, one module per group.

Each module defines ``register(commands)`` and calls ``commands.add(name, handler, help)``
for each of its commands; a handler takes the parsed arguments and returns the exit status.
Handlers import what they need when they run, so ``pybuild --help`` stays fast.
"""

MODULES = ("build", "shell", "store", "fetch", "config", "cache", "profile", "gc", "imports")
