"""Interpreter identity: which Python a package set builds for, as an input of every build.

A Python build depends on the exact interpreter: its version, implementation, ABI and
platform tags, and the bytes of its executable. All of that goes into each derivation's
environment, so a different or rebuilt interpreter gives different store paths, and a set
bound to one interpreter never silently swaps it. Querying another interpreter costs a
process start and hashing its executable costs a read, so both are cached in
``var/cache/interpreters`` and keyed by the executable's size, time and inode.

Example::

    >>> py = Interpreter.current()
    >>> py.version_info[:2] == sys.version_info[:2]
    True
    >>> py312 = Interpreter(py.executable, "3.12.4", py.implementation, py.tags, py.executable_hash)
    >>> py312.site_packages
    'lib/python3.12/site-packages'
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from pathlib import Path

from ..atomic import write_atomic
from ..errors import UsageError
from ..frozen import Frozen, cached
from ..hashing import hash_file

TYPE_CHECKING = False  # typing and dataclasses: imports no evaluation needs
if TYPE_CHECKING:
    from typing import Any

__all__ = ["OLDEST", "Interpreter", "facts_folder"]

OLDEST = (3, 10)  # the oldest Python the in-build builder, so a package set, runs under

# Run by the interpreter asked, whichever it is: the version is checked before anything else
# (our `packaging` is too new for an old Python to import), and the whole script must parse
# under Python 2 too, since a script is parsed before any of it runs: no f-string, no
# keyword-only argument, a print(...) of one value.
_QUERY = """
import sys
if sys.version_info[:2] < OLDEST:
    sys.stdout.write('{"too_old": "%d.%d.%d"}\\n' % tuple(sys.version_info[:3]))
    sys.exit(0)
import json, platform, sysconfig
from packaging import tags
print(json.dumps({
    "version": platform.python_version(),
    "implementation": sys.implementation.name,
    "tags": [str(t) for t in tags.sys_tags()],
    "include": sysconfig.get_path("include"),
}))
""".replace("OLDEST", repr(OLDEST))


class Interpreter(Frozen):
    """The facts about one Python interpreter that a build depends on; immutable.

    Equal when every fact is; hashed by :attr:`identity` alone, computed once. Evaluation
    keys caches on the interpreter a few times a package, and hashing the whole tuple of tags
    (hundreds of strings) each time cost more.
    """

    executable: str  # real path, symlinks resolved
    version: str  # "3.11.7"
    implementation: str  # "cpython"
    tags: tuple[str, ...]  # most specific first, as packaging.tags.sys_tags() gives them
    executable_hash: str  # SRI sha256 of the executable file

    def __init__(
        self,
        executable: str,
        version: str,
        implementation: str,
        tags: tuple[str, ...],
        executable_hash: str,
    ) -> None:
        self._freeze(
            executable=executable,
            version=version,
            implementation=implementation,
            tags=tags,
            executable_hash=executable_hash,
        )

    def __repr__(self) -> str:
        return f"<Interpreter {self.implementation} {self.version} at {self.executable}>"

    @property
    def version_info(self) -> tuple[int, int, int]:
        """The version as numbers, compared as ``sys.version_info`` is: a recipe writes
        ``[tomli] if python.version_info < (3, 11) else []`` (nixpkgs' ``pythonOlder``)."""
        numbers = [int(m[0]) if (m := re.match(r"\d+", p)) else 0 for p in self.version.split(".")]
        major, minor, micro = (*numbers, 0, 0)[:3]
        return major, minor, micro

    # Cached (in the instance's __dict__): evaluating a set asks for
    # these a dozen times a package.
    @cached
    def version_xy(self) -> str:
        major, minor = self.version.split(".")[:2]
        return f"{major}.{minor}"

    @cached
    def site_packages(self) -> str:
        """Where packages go inside an output, relative to it (a venv's layout)."""
        return f"lib/python{self.version_xy}/site-packages"

    @cached
    def platform_tag(self) -> str:
        """The most specific tag that names the platform's release (``manylinux_2_36_x86_64``,
        ``macosx_14_0_arm64``): packaging from 26.4 lists the bare ``linux_x86_64`` first,
        which names no C library, and would change with packaging's version alone."""
        return next((t for t in self.tags if not _BARE_LINUX.search(t)), self.tags[0])

    @cached
    def platform_system(self) -> str:
        """``Windows``, ``Darwin`` or ``Linux``, as the ``platform_system`` marker and
        ``platform.system()`` say, read from the platform's tags: a recipe writes
        ``[colorama] if python.platform_system == "Windows" else []`` (nixpkgs'
        ``lib.optionals stdenv.isWindows``)."""
        platform = self.platform_tag.rpartition("-")[2]  # cp312-cp312-win_amd64: its last part
        if platform.startswith("win"):
            return "Windows"
        return "Darwin" if platform.startswith("macosx") else "Linux"

    @cached
    def identity(self) -> str:
        """One line for a derivation's environment: changes whenever the interpreter does (its
        version, its binary, the platform it runs on), never with pybuild's libraries."""
        return f"{self.implementation}-{self.version} {self.executable_hash} {self.platform_tag}"

    def __eq__(self, other: object) -> bool:
        return self is other or (isinstance(other, Interpreter) and self._facts == other._facts)

    def __hash__(self) -> int:
        return hash(self.identity)

    @property
    def _facts(self) -> dict[str, Any]:
        """Every fact, by name: what equality compares and the cache file holds."""
        return {name: self.__dict__[name] for name in _FACTS}

    @classmethod
    def current(cls) -> Interpreter:
        """The interpreter running pybuild."""
        return cls.at(sys.executable)

    @classmethod
    def at(cls, executable: str | os.PathLike[str], cache_dir: Path | None = None) -> Interpreter:
        """Identify the interpreter at `executable`, from the cache when it has not changed."""
        real = os.path.realpath(executable)
        try:
            st = os.stat(real)
        except OSError:
            raise UsageError(f"{executable}: no such interpreter") from None
        cache = _cache_file(cache_dir, real, st)
        try:
            data = json.loads(cache.read_text())
            return cls(**{**data, "tags": tuple(data["tags"])})
        except (OSError, ValueError, TypeError, KeyError):
            pass
        facts = _query(real)
        found = cls(
            real,
            facts["version"],
            facts["implementation"],
            tuple(facts["tags"]),
            hash_file(real).sri,
        )
        write_atomic(cache, json.dumps(found._facts))
        return found


# A tag of the plain linux platform, which no index's wheel is for (linux_x86_64).
_BARE_LINUX = re.compile(r"-linux_[^-]+$")
# The parameters of __init__: a fact added there is compared and cached without more ado.
_FACTS = Interpreter.__init__.__code__.co_varnames[1 : Interpreter.__init__.__code__.co_argcount]


def facts_folder(home: Path) -> Path:
    """Where a home keeps what it learnt of interpreters (their facts, their markers), each
    file named by what decides it: a memo of exact answers, no input of an evaluation."""
    return home / "var" / "cache" / "interpreters"


def _cache_file(cache_dir: Path | None, real: str, st: os.stat_result) -> Path:
    from ..store import default_home

    base = cache_dir or facts_folder(default_home())
    from packaging import __version__ as packaging  # its tags are the facts' too

    key = f"{real}:{st.st_size}:{st.st_mtime_ns}:{st.st_ino}:{packaging}"
    return base / (hashlib.sha256(key.encode()).hexdigest()[:32] + ".json")


def _query(executable: str) -> dict[str, Any]:
    """Ask the interpreter itself; `packaging` comes from our own environment via PYTHONPATH.

    The probe goes on standard input, not after ``-c``: a program that is no Python
    (``--python /bin/ls``) says what it could not do with its arguments, and an argument
    holding the probe came back in its error, the whole script in one line."""
    import subprocess

    import packaging

    packaging_root = str(Path(packaging.__file__).parent.parent)
    env = {"PATH": os.environ.get("PATH", ""), "PYTHONPATH": packaging_root}
    try:
        out = subprocess.run(
            [executable, "-S", "-"],
            input=_QUERY,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        facts = dict(json.loads(out))
    except (OSError, subprocess.CalledProcessError, ValueError) as exc:
        raise UsageError(
            f"{executable} does not run as a Python interpreter: {_last_line(exc)}"
        ) from None
    if "too_old" in facts:
        raise _too_old(executable, facts["too_old"])
    return facts


def _last_line(exc: Exception) -> str:
    """What went wrong, in one line: the last of what the interpreter said on stderr (the
    exception of a traceback), else its exit status or the error itself; never the command
    (subprocess's message holds the whole probe script)."""
    said = (getattr(exc, "stderr", None) or "").strip().splitlines()
    if said:
        return said[-1]
    status = getattr(exc, "returncode", None)
    if status is not None:
        return f"it exited with status {status}, saying nothing on stderr"
    if isinstance(exc, ValueError):  # it ran, and printed something else than the facts
        return "it printed no answer of a Python interpreter"
    return str(exc)


def _too_old(executable: str, version: str) -> UsageError:
    oldest = ".".join(map(str, OLDEST))
    error = UsageError(
        f"Python {version} at {executable} is too old: pybuild's sets need CPython {oldest}"
        " or newer"
    )
    from .locate import choose_python  # only an error pays for its imports

    error.hint = f"use CPython {oldest} or newer: {choose_python(oldest)}, or an interpreter's path"
    return error
