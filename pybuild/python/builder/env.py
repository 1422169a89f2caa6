"""The layout of environments, built by pybuild itself as the builder ``builtin:python-env``.

An environment is laid out like a virtual environment, so Python itself finds it: a
``pyvenv.cfg`` beside ``bin/python`` makes ``sys.prefix`` the environment, and one ``.pth``
file in its site-packages adds every package of the closure, each by a path relative to the
environment's real location, so ``sys.executable`` subprocesses see the same packages and the
store can be moved.
Nothing is copied: scripts are small trampolines, ``.pth`` files of packages are linked.
Two packages that install the same file are an error unless collisions are ignored.
It runs in pybuild's own process (:mod:`pybuild.builtin`), as Nix builds ``buildEnv`` with
its ``builtin:buildenv``: the work is a few small files, less than an interpreter's start.
It uses only the standard library.
"""

import os
import platform
import py_compile
import subprocess
import sys
from pathlib import Path

_ACTIVATE = """\
# Source this file from bash or zsh: `. bin/activate`; `deactivate` undoes it.
# The environment is found relative to this file, so it still works after a move.
deactivate () {
    if [ -n "${_PYBUILD_OLD_PATH+x}" ]; then PATH="$_PYBUILD_OLD_PATH"; export PATH; fi
    if [ -n "${_PYBUILD_OLD_PS1+x}" ]; then PS1="$_PYBUILD_OLD_PS1"; export PS1; fi
    unset VIRTUAL_ENV _PYBUILD_OLD_PATH _PYBUILD_OLD_PS1
    hash -r 2>/dev/null
    [ "$1" = nondestructive ] || unset -f deactivate
}
deactivate nondestructive
if [ -n "${BASH_SOURCE:-}" ]; then _pybuild_here="${BASH_SOURCE[0]}"; else _pybuild_here="$0"; fi
VIRTUAL_ENV=$(cd -- "$(dirname -- "$_pybuild_here")/.." && pwd -P)
export VIRTUAL_ENV
unset _pybuild_here
_PYBUILD_OLD_PATH="$PATH"
PATH="$VIRTUAL_ENV/bin:$PATH"
export PATH
_PYBUILD_OLD_PS1="${PS1:-}"
PS1="(pybuild) ${PS1:-}"
export PS1
hash -r 2>/dev/null
"""

_TRAMPOLINE = """\
#!/bin/sh
# {name} of {package}, run by this environment's python so that it sees the environment.
here=$(dirname -- "$(readlink -f -- "$0")")
exec "$here/python" "$here/{target}" "$@"
"""


class Collision(Exception):
    """Two packages provide the same file."""


def build(spec: dict, out: Path, interpreter: str) -> int:
    """Lay out the environment `spec` describes at `out`; the number of its packages.

    `interpreter` is the identity line of the set's interpreter (``cpython-3.11.7 …``).
    """
    site_rel = spec["site_packages"]
    packages = [Path(p) for p in spec["closure"]]
    if not spec["ignore_collisions"]:
        check_collisions(packages, site_rel)
    site = out / site_rel
    site.mkdir(parents=True)
    (out / "bin").mkdir()
    write_venv_files(out, spec)
    write_pth(site, packages, site_rel)
    compile_module(site / "_pybuild_env.py", spec["python"], interpreter)
    link_scripts(out, [Path(p) for p in spec["roots"]])
    return len(packages)


def write_venv_files(out: Path, spec: dict) -> None:
    python = spec["python"]
    (out / "pyvenv.cfg").write_text(
        f"home = {os.path.dirname(python)}\n"
        "include-system-site-packages = false\n"
        f"version = {spec['version']}\n"
        f"executable = {python}\n"
        "pybuild = true\n"
    )
    xy = ".".join(spec["version"].split(".")[:2])
    for name in ("python", "python3", f"python{xy}"):
        os.symlink(python, out / "bin" / name)
    (out / "bin" / "activate").write_text(_ACTIVATE)


_ENV_MODULE = """\
\"\"\"Made by pybuild: puts this environment's packages on sys.path.

The paths are relative to this file's real location, so the environment works through a
symbolic link (a result link, a profile) and after the store is moved.
\"\"\"
import os
import sys

_here = os.path.dirname(os.path.realpath(__file__))
for _rel in {lines!r}:
    _path = os.path.normpath(os.path.join(_here, _rel))
    if _path not in sys.path:
        sys.path.append(_path)
"""


def write_pth(site: Path, packages: list, site_rel: str) -> None:
    """A module that adds each package, relative to its own real location; then their .pth.

    A plain .pth line is joined to the site folder as Python sees it, which is wrong when the
    environment is reached through a symbolic link; the module resolves its real path first.
    """
    up = os.path.join(*[".."] * (len(Path(site_rel).parts) + 1))
    lines = [os.path.join(up, p.name, site_rel) for p in packages]
    (site / "_pybuild_env.py").write_text(_ENV_MODULE.format(lines=lines))
    (site / "00-pybuild-env.pth").write_text("import _pybuild_env\n")
    for package in packages:
        for pth in sorted((package / site_rel).glob("*.pth")):
            link = site / pth.name
            if not link.exists():
                os.symlink(os.path.join(up, package.name, site_rel, pth.name), link)


def compile_module(module: Path, python: str, interpreter: str) -> None:
    """Write the module's bytecode as the set's interpreter reads it, wherever it is built.

    Without it, every start of the environment's interpreter would compile the module and,
    as root, write the bytecode into the store. Bytecode is only readable by interpreters of
    its magic number, which changes only with the version: when the set's interpreter is of
    our implementation and exact version, this process writes what it would (the same bytes,
    as the hash-based .pyc holds no time, and the test compares them); otherwise the set's
    interpreter compiles it.
    """
    if interpreter.split()[0] == f"{sys.implementation.name}-{platform.python_version()}":
        path = str(module)
        # A fresh string, not pathlib's name: pathlib interns the parts of paths, and marshal
        # writes an interned name with another type code than the set's interpreter would.
        py_compile.compile(
            path,
            dfile=os.path.basename(path),
            doraise=True,
            invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
        )
        return
    subprocess.run(
        [python, "-I", "-S", "-c", _COMPILE, str(module)], env={}, check=True, capture_output=True
    )


_COMPILE = (
    "import py_compile, sys; py_compile.compile(sys.argv[1], dfile='_pybuild_env.py',"
    " doraise=True, invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)"
)


def link_scripts(out: Path, roots: list) -> None:
    """Console scripts of the packages asked for (not of their dependencies), as in a venv.

    The first package listed wins a name: a trampoline is only created where there is none
    (one call, where a check for it cost two more: an environment has dozens).
    """
    for package in roots:
        try:
            names = sorted(os.listdir(package / "bin"))
        except (FileNotFoundError, NotADirectoryError):
            continue
        for name in names:
            target = os.path.join("..", "..", package.name, "bin", name)
            text = _TRAMPOLINE.format(name=name, package=package.name, target=target)
            try:
                fd = os.open(out / "bin" / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o755)
            except FileExistsError:
                continue
            os.fchmod(fd, 0o755)  # whatever the umask, as everywhere it is built
            with open(fd, "w") as script:
                script.write(text)


def check_collisions(packages: list, site_rel: str) -> None:
    """Refuse two packages that install the same file, naming every clash.

    Only folders that more than one package has are read, as Nix's ``buildEnv`` merges trees:
    two packages can only clash on a name both have, and most share little more than
    ``site-packages`` itself, so the check reads a few folders instead of every file.
    """
    clashes: list = []
    for area in (site_rel, "bin"):
        _merge(area, [p for p in packages if (p / area).is_dir()], clashes)
    if clashes:
        shown = "\n  ".join(clashes[:20])
        more = f"\n  … and {len(clashes) - 20} more" if len(clashes) > 20 else ""
        raise Collision(
            f"collisions between packages:\n  {shown}{more}\n"
            "  (use ignore_collisions=True to let the first package win)"
        )


def _merge(rel: str, packages: list, clashes: list) -> None:
    """Compare the folder ``rel`` of the packages that have it; descend where they overlap."""
    if len(packages) < 2:
        return
    owners: dict = {}
    for package in packages:
        with os.scandir(package / rel) as entries:
            for entry in entries:
                if entry.name == "__pycache__" or entry.name.endswith(".pth"):
                    continue
                owners.setdefault(entry.name, []).append(
                    (package, entry.is_dir(follow_symlinks=False))
                )
    for name in sorted(owners):
        sharing = owners[name]
        if len(sharing) < 2:
            continue
        if all(is_dir for _, is_dir in sharing):
            _merge(os.path.join(rel, name), [package for package, _ in sharing], clashes)
            continue
        first = sharing[0][0]
        clashes.extend(
            f"{os.path.join(rel, name)} is in both {first.name} and {package.name}"
            for package, _ in sharing[1:]
        )
