"""The command line's sub-commands, one module per group.

Each module defines ``register(commands)`` and calls ``commands.add(name, handler, help)``
for each of its commands; a handler takes the parsed arguments and returns the exit status.
Handlers import what they need when they run, so ``pybuild --help`` stays fast.
"""

MODULES = (
    "build",
    "shell",
    "search",
    "store",
    "fetch",
    "pins",
    "config",
    "cache",
    "profile",
    "gc",
    "query",
    "imports",
    "serve",
)

COMMANDS = {
    **dict.fromkeys(("build", "eval"), "build"),
    **dict.fromkeys(("shell", "run"), "shell"),
    "search": "search",
    **dict.fromkeys(("show-derivation", "path-info", "log", "add", "hash", "verify"), "store"),
    "prefetch": "fetch",
    "update-pins": "pins",
    "config": "config",
    **dict.fromkeys(("copy", "key", "sign"), "cache"),
    **dict.fromkeys(("install", "remove", "upgrade", "list", "list-generations"), "profile"),
    **dict.fromkeys(("rollback", "switch-generation", "delete-generations", "profile"), "profile"),
    **dict.fromkeys(("gc", "delete", "why-depends", "optimise", "du"), "gc"),
    "query": "query",
    **dict.fromkeys(("import", "lock"), "imports"),
    "serve": "serve",
}
"""Which module registers each command: a command line loads only its command's module."""
