"""A second floor for workload 2: the new environment's own work, by the standard library alone.

:mod:`bench.given` removes the packages' evaluation and keeps the rest of pybuild; this
removes pybuild too. What is left is what any program that makes the environment as a new,
hash-named, registered store path must do, and nothing else: start the interpreter, write the
environment's derivation, lay out its tree (the same folders, links and scripts as pybuild's
environment, read from it by :func:`write`), hash the tree as a NAR hash reads it (every entry
visited, every file read), move it into place and register both paths in a SQLite database
(WAL, ``synchronous = NORMAL``, as pybuild's registry). No argparse, no recipe, no lock. If
this takes longer than a target allows, no Python program meets that target.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

from .installed import python_argv

__all__ = ["PROGRAM", "argv", "store_of", "write"]

PROGRAM = """\
import hashlib, json, os, sqlite3, stat, sys
spec_file, store, name = sys.argv[1:]
with open(spec_file) as f:
    spec = json.load(f)
db = sqlite3.connect(os.path.join(store, "db.sqlite"))
db.execute("PRAGMA journal_mode = WAL")
db.execute("PRAGMA synchronous = NORMAL")
db.execute("CREATE TABLE IF NOT EXISTS paths (path TEXT PRIMARY KEY, nar TEXT)")
text = json.dumps({"name": name, "tree": spec}, sort_keys=True).encode()
drv = os.path.join(store, hashlib.sha256(text).hexdigest()[:32] + "-" + name + ".drv")
with open(drv + ".tmp", "wb") as f:
    f.write(text)
os.rename(drv + ".tmp", drv)
tmp = os.path.join(store, "tmp-" + name)
os.mkdir(tmp)
for kind, rel, data in spec:
    path = os.path.join(tmp, rel)
    if kind == "d":
        os.mkdir(path)
    elif kind == "l":
        os.symlink(data, path)
    else:
        with open(path, "w") as f:
            f.write(data)
        os.chmod(path, 0o755 if kind == "x" else 0o644)
nar = hashlib.sha256()
def visit(path):
    mode = os.lstat(path).st_mode
    if stat.S_ISLNK(mode):
        nar.update(b"symlink" + os.readlink(path).encode())
    elif stat.S_ISDIR(mode):
        nar.update(b"directory")
        for entry in sorted(os.listdir(path)):
            nar.update(entry.encode())
            visit(os.path.join(path, entry))
    else:
        with open(path, "rb") as f:
            nar.update(f.read())
visit(tmp)
out = os.path.join(store, nar.hexdigest()[:32] + "-" + name)
os.rename(tmp, out)
with db:
    db.executemany("INSERT INTO paths VALUES (?, ?)", [(drv, ""), (out, nar.hexdigest())])
"""


def write(work: Path, env: Path) -> Path:
    """Describe the tree of the environment `env` (a store path) for :data:`PROGRAM`, in a
    file under `work`, with an empty store beside it; the file's path. Nothing here is timed."""
    entries: list[tuple[str, str, str]] = []
    for root, dirs, files in os.walk(env):
        for name in sorted(dirs) + sorted(files):
            path = os.path.join(root, name)
            rel = os.path.relpath(path, env)
            mode = os.lstat(path).st_mode
            if stat.S_ISLNK(mode):
                entries.append(("l", rel, os.readlink(path)))
            elif stat.S_ISDIR(mode):
                entries.append(("d", rel, ""))
            else:
                kind = "x" if mode & stat.S_IXUSR else "f"
                entries.append((kind, rel, Path(path).read_text()))
    spec = work / "envfloor.json"
    spec.write_text(json.dumps(entries))
    store_of(spec).mkdir(exist_ok=True)
    return spec


def store_of(spec: Path) -> Path:
    """The floor's own store, beside the description `spec` that :func:`write` made."""
    return spec.parent / "envfloor-store"


def argv(spec: Path, name: str) -> list[str]:
    """The floor's command line, making the environment `name` (new in every run)."""
    return python_argv("-c", PROGRAM, str(spec), str(store_of(spec)), name)
