"""The layout of environments, built by pybuild itself as the builder ``builtin:python-env``.

An environment is laid out like a virtual environment, so Python itself finds it: a
``pyvenv.cfg`` beside ``bin/python`` makes ``sys.prefix`` the environment, and its
site-packages is the merged tree of every package's (as Nix's ``buildEnv`` merges): a relative
symbolic link to each entry only one package has, a folder of the environment's own for a
folder several have (a namespace package, the ``__pycache__`` of top-level modules), filled
the same way. So Python looks for a module in one folder, as in a flat venv, not once per
package; ``sys.executable`` subprocesses see the same packages; and, the links being relative,
the store can be moved.
Nothing is copied: console scripts are written from their entry points, as a venv's
installer writes them, other Python scripts are small trampolines, the rest are links. Two
packages that install the same file (a module, a program or data) are an error unless
collisions are ignored (then the first one wins).
It runs in pybuild's own process (:mod:`pybuild.builtin`), as Nix builds ``buildEnv`` with
its ``builtin:buildenv``: the work is a few small files, less than an interpreter's start.
It uses only the standard library, and paths as strings: an environment of 50 packages makes
a few hundred of them, and as ``pathlib.Path`` values they were 6% of a new environment's
instructions, command line and evaluation included.
As it runs as pybuild does (as root, unsandboxed), it follows no symbolic link a package has
on the way down to a folder it lists or a file it reads (:func:`_is_folder`, :func:`_read`):
a build, sandboxed, can make a link to a folder or a file it could not read itself, which
would have the environment list it, or copy from it, into a store path all can read. A link
where a package's folder would be is no folder; the links the package's folders have are
linked, as they are.
"""

import contextlib
import os
import stat

_ACTIVATE = """\
# Source this file from bash, zsh or sh: `. bin/activate` (fish: `source bin/activate.fish`);
# `deactivate` undoes it. The environment is found relative to this file, so that it still
# works after a move: bash and zsh name the file; sh (dash) does not, but has it open.
deactivate () {
    if [ -n "${_PYBUILD_OLD_PATH+x}" ]; then PATH="$_PYBUILD_OLD_PATH"; export PATH; fi
    if [ -n "${_PYBUILD_OLD_PS1+x}" ]; then PS1="$_PYBUILD_OLD_PS1"; export PS1; fi
    unset VIRTUAL_ENV _PYBUILD_OLD_PATH _PYBUILD_OLD_PS1
    hash -r 2>/dev/null
    [ "$1" = nondestructive ] || unset -f deactivate
}
deactivate nondestructive
if [ -n "${BASH_SOURCE:-}" ]; then _pybuild_here="${BASH_SOURCE[0]}"; else _pybuild_here="$0"; fi
case "$_pybuild_here" in */activate) ;; *)
    for _pybuild_fd in /proc/$$/fd/*; do
        case "$(readlink "$_pybuild_fd" 2>/dev/null)" in
        */bin/activate) _pybuild_here=$(readlink "$_pybuild_fd") ;;
        esac
    done
    unset _pybuild_fd ;;
esac
case "$_pybuild_here" in */activate) ;; *)
    echo "bin/activate: this shell does not say which file it reads: source it from bash," \
        "zsh or sh on Linux (fish: bin/activate.fish)" >&2
    unset _pybuild_here
    return 1 ;;
esac
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

# fish's own, found from the file fish says it reads (`status filename`), as venv's is.
_ACTIVATE_FISH = """\
# Source this file from fish: `source bin/activate.fish`; `deactivate` undoes it.
function deactivate --description "leave the pybuild environment"
    if set -q _PYBUILD_OLD_PATH
        set -gx PATH $_PYBUILD_OLD_PATH
        set -e _PYBUILD_OLD_PATH
    end
    if functions -q _pybuild_old_fish_prompt
        functions -e fish_prompt
        functions -c _pybuild_old_fish_prompt fish_prompt
        functions -e _pybuild_old_fish_prompt
    end
    set -e VIRTUAL_ENV
    if test "$argv[1]" != nondestructive
        functions -e deactivate
    end
end
deactivate nondestructive
set -gx VIRTUAL_ENV (builtin realpath (dirname (status filename))/..)
set -gx _PYBUILD_OLD_PATH $PATH
set -gx PATH $VIRTUAL_ENV/bin $PATH
if functions -q fish_prompt
    functions -c fish_prompt _pybuild_old_fish_prompt
    function fish_prompt
        printf "(pybuild) "
        _pybuild_old_fish_prompt
    end
end
"""

# The folder of a program's real file (the store may move), by sh alone but for readlink,
# which is looked for in the system's folders too, in the command substitution's subshell (the
# program's own PATH is untouched): a program run with PATH the environment's bin alone, as
# a venv's can be run, still finds it. No dirname: ${p%/*} is sh's own.
_HERE = 'p=$(PATH="$PATH:/usr/bin:/bin"; readlink -f -- "$0"); printf %s "${p%/*}"'

_TRAMPOLINE = """\
#!/bin/sh
# {name} of {package}, run by this environment's python so that it sees the environment.
here=$({here})
exec "$here/python" "$here/{target}" "$@"
"""

# A console script of the environment's own, written from the entry point as a venv's
# installer writes it, and run by the environment's python: the line that sh runs is a
# string to Python.
_CONSOLE_SCRIPT = """\
#!/bin/sh
'''exec' "$({here})/python" "$0" "$@"
' '''
# {name} of {package}: {value}, run by this environment's python.
import sys
from {module} import {head}

if __name__ == "__main__":
    sys.exit({attr}())
"""

# Run by site at the interpreter's start (a .pth's import line, one to compile; its name sorts
# before any package's), for two things. Root ignores the store's read-only modes, so python -O
# (or PYTHONOPTIMIZE) as root would write optimised bytecode (*.opt-1.pyc, which builds do not
# make) into the packages' store paths, which would no longer match their registered hashes.
_READ_ONLY = (
    "sys.flags.optimize and getattr(os, 'geteuid', lambda: -1)() == 0"
    " and setattr(sys, 'dont_write_bytecode', True)"
)
# And Python finds a venv from the path it was run by, unresolved: through a profile's link
# (or a result link), sys.prefix and sys.path named the link, read again at each import, so
# a process imported from whatever generation was current then, half the old one's and half
# the new one's. Where the prefix is a link, the environment is pinned, once, to the store
# path it names at the start (as a Nix wrapper's store path is fixed at exec, and as the
# console scripts run `readlink -f "$0"`): sys.prefix, sys.exec_prefix, sys.executable (so
# that a child runs the same), sys._base_executable (3.10 has it from the path run, and venv
# names its folder as the home of a venv made from it), site's PREFIXES
# (site.getsitepackages) and the entries of sys.path under the link become the store path's.
# Site runs a .pth's line at each of its two readings of a venv's .pth files, and compiles it
# each time, so the line is short: the code that pins is a string, compiled only where there
# is a link (with globals of its own, which its functions see on every Python), and the
# second reading, under the pinned prefix, finds no link and drops the site-packages it has
# just added again. The packages' .pth files are read after it in the same loop over the
# site-packages named through the link, so a folder one names (an editable install's) would
# be added through the link, and imported from the new generation: site reads each with its
# addpackage (a name it looks up at each file), which now gets the pinned site-packages, so
# the folder is added pinned, and added once (it is known at the second reading), as where
# the store path is run directly. And the pinned store path is held open, never closed (not
# inherited): once the link names another, nothing else of the process names the store path
# it runs from, and a collection keeps what a process has open (store/roots.py).
_PIN = """\
link = sys.prefix
root = os.path.realpath(link)
def pinned(entry):
    return root + entry[len(link):] if entry == link or entry.startswith(link + "/") else entry
sys.prefix, sys.exec_prefix = root, pinned(sys.exec_prefix)
sys.executable = pinned(sys.executable)
sys._base_executable = pinned(sys._base_executable)
sys.path[:] = map(pinned, sys.path)
site = sys.modules["site"]
site.PREFIXES = [*map(pinned, site.PREFIXES)]
add = site.addpackage
site.addpackage = lambda sitedir, *rest: add(pinned(sitedir), *rest)
try:
    os.open(root, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
except OSError:
    pass
"""
_STORE_PTH = "00-pybuild-store.pth"
_STORE_LINE = (
    f"import os, sys; {_READ_ONLY};"
    f" os.path.islink(sys.prefix) and exec({_PIN!r}, {{'os': os, 'sys': sys}});"
    " sys.path[-1] in sys.path[:-1] and sys.path.pop()\n"
)

# A line of the console scripts a package's build writes (builder/scripts.py), which add the
# package's closure to sys.path: in an environment, which has it already, that puts every
# package there twice, so the environment writes its own.
_ADDS_CLOSURE = b"# Made by pybuild: adds this package's runtime closure"


class Collision(Exception):
    """Two packages provide the same file (`between`), or a package a program named as one of
    the environment's own (`hides_own`), which would hide it. `packages`: the store names of
    the packages that have a file of a clash, for a caller to say which to remove."""

    def __init__(self, text: str, between: bool, hides_own: bool, packages: frozenset) -> None:
        super().__init__(text)
        self.between, self.hides_own, self.packages = between, hides_own, packages


def build(spec: dict, out: "os.PathLike[str] | str") -> int:
    """Lay out the environment `spec` describes at `out`; the number of its packages."""
    site_rel = spec["site_packages"]
    packages = list(spec["closure"])
    areas = merged_areas(packages, site_rel)
    refuse_collisions(spec, areas)
    out = os.fspath(out)
    os.makedirs(os.path.join(out, site_rel))
    os.mkdir(os.path.join(out, "bin"))
    write_venv_files(out, spec)
    for rel, (having, skip) in areas.items():
        if rel != "bin":  # programs are written by link_scripts
            os.makedirs(os.path.join(out, rel), exist_ok=True)
            link_tree(out, rel, having, skip)
    link_scripts(out, spec["programs"], site_rel)
    _write_program(os.path.join(out, site_rel, _STORE_PTH), _STORE_LINE, 0o644)
    return len(packages)


def write_venv_files(out: str, spec: dict) -> None:
    """A venv's files: ``pyvenv.cfg``, the interpreter's names and the activate scripts, none
    naming where the environment is, so that its content is the same in every store."""
    python = spec["python"]
    _write(
        os.path.join(out, "pyvenv.cfg"),
        f"home = {os.path.dirname(python)}\n"
        "include-system-site-packages = false\n"
        f"version = {spec['version']}\n"
        f"executable = {python}\n"
        "pybuild = true\n",
    )
    for name in _python_names(spec["version"]):
        os.symlink(python, os.path.join(out, "bin", name))
    _write(os.path.join(out, "bin", "activate"), _ACTIVATE)
    _write(os.path.join(out, "bin", "activate.fish"), _ACTIVATE_FISH)


def _python_names(version: str) -> tuple:
    """The names of the environment's interpreter in ``bin``, as a venv has them."""
    return ("python", "python3", f"python{'.'.join(version.split('.')[:2])}")


def _write(path: str, text: str) -> None:
    with open(path, "w", encoding="utf-8") as file:
        file.write(text)


def link_tree(out: str, rel: str, packages: list, skip: str = "") -> None:
    """Fill the environment's folder `rel` with the packages' folders `rel`, merged: a link to
    each entry that only one of them has (for a file several have, the first one's), and a
    folder of its own, filled the same way, for an entry that is a folder in each. The entry
    `skip` of `rel` is left out (merged on its own)."""
    depth = len(os.path.normpath(rel).split(os.sep))
    up = os.path.join(*[".."] * (depth + 1))  # from out/rel to the store
    for name, sharing in _owners(rel, packages, skip).items():
        if len(sharing) > 1 and all(is_dir for _, is_dir in sharing):
            os.mkdir(os.path.join(out, rel, name))
            link_tree(out, os.path.join(rel, name), [package for package, _ in sharing])
        else:
            target = os.path.join(up, os.path.basename(sharing[0][0]), rel, name)
            os.symlink(target, os.path.join(out, rel, name))


def merged_areas(packages: list, site_rel: str) -> dict:
    """Every folder the environment merges from its packages, read once for the collision
    check and the layout: each folder (relative to a prefix) with the packages that have it
    and the entry of it merged on its own. They are site-packages; ``bin`` (whose programs
    :func:`link_scripts` writes); a wheel's data beside them, merged as site-packages is,
    where programs look for it under ``sys.prefix`` as in a venv (``share/jupyter`` with
    JupyterLab's assets and the kernel specs, ``etc/jupyter`` with the server extensions it
    turns on; a file at the top of a prefix is not linked); and ``lib`` beside the
    interpreter's folder (``lib/pkgconfig``, a shared library), as Nix's ``buildEnv`` merges
    ``lib``."""
    top = _owners("", [package for package in packages if _is_folder(package)])

    def having(name: str) -> list:
        return [package for package, is_dir in top.get(name, ()) if is_dir]

    lib, _, below = site_rel.partition("/")
    site = [p for p in having(lib) if _is_folder(p, site_rel)]
    areas = {site_rel: (site, ""), "bin": (having("bin"), "")}
    for name in sorted(top):
        if name not in _OWN and having(name):
            areas[name] = (having(name), "")
    areas[lib] = (having(lib), below.partition("/")[0])
    return areas


# A package's entries that are not merged as data: its modules and programs (each merged
# their own way) and its record of what it depends on.
_OWN = ("bin", "lib", "pybuild-package.json")


def link_scripts(out: str, packages: list, site_rel: str) -> None:
    """Programs of `packages`: of the closure, those asked for first, as a venv has every
    installed package's (and Nix's ``python.withPackages`` every package's of the closure),
    or only of those asked for, as a profile has them.

    A console script that a package's build wrote is written again from its entry point and
    run by the environment's python, as a venv's installer writes it: it sees the environment
    alone (the package's own adds the package's closure, so that it runs alone from the
    store). Another Python script gets a trampoline that runs it with the environment's
    python, so that it sees the environment; any other program (a compiled one, as ruff's
    wheel ships, a shell script, or a symbolic link, never read through) is a relative link,
    run as it is. The first package listed wins a name: a program is only made where there
    is none (one call, where a check for it cost two more: an environment has dozens), so the
    environment's own (its python, ``activate``) stay: a package's program of one of their
    names is a collision (:func:`refuse_collisions`), and is left out only where collisions
    are ignored.
    """
    for package in packages:
        if not _is_folder(package, "bin"):
            continue
        names = sorted(os.listdir(os.path.join(package, "bin")))
        entries = None  # the package's entry points, read for its first console script
        for name in names:
            head = _read(os.path.join(package, "bin", name), 512)  # its #! line and the next
            if not is_python_script(head):
                target = os.path.join("..", "..", os.path.basename(package), "bin", name)
                with contextlib.suppress(FileExistsError):
                    os.symlink(target, os.path.join(out, "bin", name))
                continue
            value = None
            if _ADDS_CLOSURE in head:
                if entries is None:
                    entries = entry_points(package, site_rel)
                value = entries.get(name)
            _write_program(os.path.join(out, "bin", name), _script(package, name, value))


def _script(package: str, name: str, value: "str | None") -> str:
    """The environment's Python program `name` of `package`: a console script of its own, of
    the entry point `value` (``module:attr``), or else a trampoline to the package's."""
    base = os.path.basename(package)
    if value is None:
        target = os.path.join("..", "..", base, "bin", name)
        return _TRAMPOLINE.format(name=name, package=base, target=target, here=_HERE)
    module, _, attr = value.partition(":")
    return _CONSOLE_SCRIPT.format(
        name=name,
        package=base,
        value=value,
        module=module,
        head=attr.split(".")[0],
        attr=attr,
        here=_HERE,
    )


def _write_program(path: str, text: str, mode: int = 0o755) -> None:
    """A file (executable, by default) at `path`, unless a package's is there: a program of
    a package listed before, or anything a package has of its name, never followed."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    except FileExistsError:
        return
    os.fchmod(fd, mode)  # whatever the umask, as everywhere it is built
    with open(fd, "w") as script:
        script.write(text)


def entry_points(package: str, site_rel: str) -> dict:
    """The console and GUI scripts of the distributions in the folder `site_rel` of `package`,
    each name with its ``module:attr`` (extras, which only an installer reads, left out)."""
    import configparser  # only an environment with console scripts needs it

    scripts: dict = {}
    if not _is_folder(package, site_rel):
        return scripts
    site = os.path.join(package, site_rel)
    with os.scandir(site) as entries:
        dist_infos = sorted(
            entry.name
            for entry in entries
            if entry.name.endswith(".dist-info") and entry.is_dir(follow_symlinks=False)
        )
    for dist_info in dist_infos:
        path = os.path.join(site, dist_info, "entry_points.txt")
        parser = configparser.ConfigParser(delimiters=("=",), interpolation=None)
        parser.optionxform = str  # type: ignore[assignment,method-assign]  # names keep case
        parser.read_string(_read(path).decode("utf-8"), source=path)
        for group in ("console_scripts", "gui_scripts"):
            if parser.has_section(group):
                for name, value in parser.items(group):
                    scripts.setdefault(name, value.split("[")[0].replace(" ", ""))
    return scripts


def _read(path: str, size: int = -1) -> bytes:
    """The first `size` bytes (all of them by default) of the file at `path`, or none where it
    is no file (a program that is not one is linked, as anything else that is not Python): a
    symbolic link is not followed, and a pipe is not waited on."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:  # none, or a link (ELOOP)
        return b""
    if not stat.S_ISREG(os.fstat(fd).st_mode):  # a folder, a pipe
        os.close(fd)
        return b""
    with open(fd, "rb") as file:
        return file.read(size)


def _is_folder(package: str, rel: str = "") -> bool:
    """Whether the package's `rel` (the package itself by default) is a folder, and so is each
    folder on the way down to it from the package: none is a symbolic link, which the builder
    would follow to a folder outside the package."""
    parts = rel.split("/") if rel else []
    for depth in range(len(parts) + 1):
        try:
            mode = os.lstat(os.path.join(package, *parts[:depth])).st_mode
        except OSError:
            return False
        if not stat.S_ISDIR(mode):
            return False
    return True


def is_python_script(head: bytes) -> bool:
    """Whether a program that starts with `head` is Python: its ``#!`` line names python or
    pypy (as installers write console scripts, and rewrite a wheel's ``#!python`` scripts), or
    it is the ``/bin/sh`` line with Python's ``'''exec'`` after it that they write for an
    interpreter path too long for ``#!``."""
    first, _, rest = head.partition(b"\n")
    if not first.startswith(b"#!"):
        return False
    named = b"python" in first or b"pypy" in first  # python3.12, pypy3
    return named or (first.rstrip() == b"#!/bin/sh" and rest.startswith(b"'''exec'"))


def refuse_collisions(spec: dict, areas: "dict | None" = None) -> None:
    """Refuse the environment `spec` describes if two of its packages install the same file,
    unless it ignores collisions: at its build, and before it or after it failed, once its
    packages are built (a profile checks so, to say what a profile's user can do)."""
    if not spec["ignore_collisions"]:
        own = (*_python_names(spec["version"]), "activate", "activate.fish")
        packages, site_rel = list(spec["closure"]), spec["site_packages"]
        listed = spec.get("listed", ())  # an environment of an older pybuild has none
        check_collisions(packages, site_rel, spec["programs"], own, areas, listed)


def check_collisions(
    packages: list,
    site_rel: str,
    programs: "list | tuple | None" = None,
    own: tuple = (),
    areas: "dict | None" = None,
    listed: "list | tuple" = (),
) -> None:
    """Refuse two packages that install the same file, naming every clash: in site-packages,
    the data (``share``, ``etc``, …), ``lib`` (:func:`merged_areas`) and ``bin`` of
    `programs` (the packages whose programs the environment has: a dependency left out of a
    profile's clashes with nothing), where a program of a package `listed` wins its name
    over the dependencies' (as :func:`link_scripts` lays them out: rst2html5's
    ``rst2html5``, not docutils'), and only two listed ones, or two dependencies, clash;
    and a program of `programs` named as one of the environment's `own`, which would hide
    it.

    Only folders that more than one package has are read, as Nix's ``buildEnv`` merges trees:
    two packages can only clash on a name both have, and most share little more than
    ``site-packages`` itself, so the check reads a few folders instead of every file.
    """
    clashes: list = []
    merged = merged_areas(packages, site_rel) if areas is None else areas
    programs = packages if programs is None else programs  # by default, every one's
    linked = set(programs)
    for rel, (having, skip) in merged.items():
        if rel == "bin":
            _program_clashes([p for p in having if p in linked], set(listed), clashes)
        else:
            _clashes(rel, having, skip, clashes)
    hidden = _own_clashes(programs, own)
    if clashes or hidden:
        every = [f"{file} is in both {a} and {b}" for file, a, b in clashes] + hidden
        shown = "\n  ".join(every[:20])
        more = f"\n  … and {len(every) - 20} more" if len(every) > 20 else ""
        what = "between packages" if clashes else "with the environment's own programs"
        holders = frozenset(name for _, *pair in clashes for name in pair)
        text = f"collisions {what}:\n  {shown}{more}"
        raise Collision(text, bool(clashes), bool(hidden), holders)


def _program_clashes(packages: list, listed: set, clashes: list) -> None:
    """The programs two of `packages` both have, but where one of them is `listed` and the
    others are not: the listed one's is the environment's, the dependencies' are not."""
    for name, sharing in sorted(_owners("bin", packages).items()):
        having = [package for package, _ in sharing]
        first = [package for package in having if package in listed] or having
        clashes.extend(
            (f"bin/{name}", os.path.basename(first[0]), os.path.basename(other))
            for other in first[1:]
        )


def _clashes(rel: str, packages: list, skip: str, clashes: list) -> None:
    """Compare the folder ``rel`` of the packages that have it, but its entry `skip`; descend
    where they overlap (bytecode and ``.pth`` files are no clash: the first package's are
    used)."""
    if len(packages) < 2:
        return
    for name, sharing in sorted(_owners(rel, packages, skip).items()):
        if len(sharing) < 2 or name == "__pycache__" or name.endswith(".pth"):
            continue
        if all(is_dir for _, is_dir in sharing):
            _clashes(os.path.join(rel, name), [package for package, _ in sharing], "", clashes)
            continue
        first = os.path.basename(sharing[0][0])
        clashes.extend(
            (os.path.join(rel, name), first, os.path.basename(package))
            for package, _ in sharing[1:]
        )


def _own_clashes(programs: "list | tuple", own: tuple) -> list:
    """The programs of `programs` named as the environment's `own` ones."""
    return [
        f"bin/{name} is the environment's own, and is in {os.path.basename(package)}"
        for package in programs
        if _is_folder(package, "bin")
        for name in own
        if os.path.lexists(os.path.join(package, "bin", name))
    ]


def _owners(rel: str, packages: list, skip: str = "") -> dict:
    """Each name in the folders ``rel`` of `packages` (but `skip`): the packages that have it,
    in order, each with whether it is a folder there (a link to a folder is not one: it is
    linked)."""
    owners: dict = {}
    for package in packages:
        with os.scandir(os.path.join(package, rel)) as entries:
            for entry in entries:
                if entry.name == skip:
                    continue
                owners.setdefault(entry.name, []).append(
                    (package, entry.is_dir(follow_symlinks=False))
                )
    return owners
