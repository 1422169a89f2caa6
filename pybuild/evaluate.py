"""Evaluating user files: a Python module whose attributes are derivations (``-f FILE.py``).

Files are loaded by path, not by import name, so a user's own folder of recipes works without
being a package on ``sys.path``; errors inside the file surface as our own error with the
file's name, and a missing attribute suggests the names that exist.
"""

from __future__ import annotations

import contextlib
import errno
import importlib.util
import marshal
import os
import stat
import sys
from collections.abc import Iterator, Mapping
from importlib.machinery import ModuleSpec, SourceFileLoader
from pathlib import Path
from types import CodeType, ModuleType

from .errors import MissingAttribute, PybuildError, UsageError

__all__ = [
    "EvalError",
    "EvalSyntaxError",
    "RaisedAttributeError",
    "attribute_path",
    "importable_beside",
    "kind_of",
    "load_module",
    "select",
    "user_code",
]


# How a current cached bytecode file of this interpreter starts: its magic number, then flags
# 0 (checked by the source's time and size, the import system's default).
_PYC_MAGIC = importlib.util.MAGIC_NUMBER + bytes(4)


class EvalError(PybuildError):
    """A user's file raised while it was being evaluated."""


class RaisedAttributeError(EvalError):
    """An AttributeError that evaluating attribute `attr` of a set raised (a recipe's
    ``version.strip_spaces()``), carried as an error that is none: Python takes an
    AttributeError out of ``__getattr__``, ``hasattr`` or ``getattr(x, name, default)`` for
    the attribute being absent, so the set's attribute was reported missing. Its cause is the
    AttributeError itself, which the command line reports, at the recipe's line."""

    def __init__(self, attr: str, error: AttributeError) -> None:
        self.attr = attr
        super().__init__(f"while evaluating {attr}: {type(error).__name__}: {error}")


class EvalSyntaxError(EvalError):
    """A user's file (a recipe, an overlay, a ``-f`` file) that is no valid Python, carrying
    the SyntaxError, whose place is the file's own: the command line shows it at that line,
    under a caret at its column, as it shows the line where a recipe's code raised (a file
    that does not compile has no frame to point at)."""

    def __init__(self, error: SyntaxError) -> None:
        self.error = error
        super().__init__(f"{error.filename}:{error.lineno}: {type(error).__name__}: {error.msg}")


@contextlib.contextmanager
def user_code(what: str) -> Iterator[None]:
    """Run a user's code (`what`: "a recipe", "an overlay") inside pybuild's process.

    What it prints goes to standard error, as Nix's ``builtins.trace`` does: standard output
    holds the command's results alone (``p=$(pybuild build ...)``). Its ``sys.exit()`` would
    end pybuild silently with the recipe's status, so it is an error, told at the line that
    called it (the cause's traceback holds it)."""
    try:
        with contextlib.redirect_stdout(sys.stderr):
            yield
    except SystemExit as exc:
        given = "" if exc.code is None else repr(exc.code)
        raise EvalError(
            f"{what} called sys.exit({given}), which would end pybuild: raise an exception"
            " to stop with an error"
        ) from exc


def load_module(path: str | Path, name: str | None = None) -> ModuleType:
    """Execute a Python file as a fresh module and return it (its bytecode cached as an
    import's is). Paths stay strings: a set loads hundreds of recipe files this way."""
    file = os.fspath(path) if os.path.isabs(path) else str(Path(path).absolute())
    module_name = name or f"pybuild_file_{abs(hash(file)):x}"
    spec = _spec(module_name, file)
    if spec is None or spec.loader is None:
        raise _not_a_python_file(path, file)
    module = _new_module(spec)
    sys.modules[module_name] = module
    try:
        with user_code(f"{path}"):
            _run(spec, module, path)
    except PybuildError:
        raise
    except Exception as exc:
        if not os.path.isfile(file):  # asked only now: a set loads hundreds of files that exist
            raise _not_a_python_file(path, file) from None
        if isinstance(exc, SyntaxError) and exc.filename == file:
            # Its traceback is the import system's compiling the file: nothing of the user's.
            raise EvalSyntaxError(exc) from exc.with_traceback(None)
        from .diagnostics import close_names  # only an error pays for its imports

        said = f"{type(exc).__name__}: {exc}{close_names(exc)}"
        raise EvalError(f"while evaluating {path}: {said}") from exc
    return module


@contextlib.contextmanager
def importable_beside(path: str | Path) -> Iterator[None]:
    """The folder of the file `path` first on ``sys.path`` while it is loaded, as Python puts
    a script's own folder there: an overlay file's ``from helper import X`` finds the
    helper.py beside it, from any working folder. Taken off again after, so that no later
    import finds a module of that folder instead of another of its name."""
    folder = os.path.dirname(os.path.abspath(path))
    sys.path.insert(0, folder)
    try:
        yield
    finally:
        with contextlib.suppress(ValueError):  # the file's code took it off itself
            sys.path.remove(folder)


def _not_a_python_file(path: str | Path, file: str) -> UsageError:
    """What `path` is, which cannot be run as a Python file: nothing (or what keeps it from
    being looked at), a folder (told as one, with where a folder of recipes is given, for the
    one who meant a recipe folder with ``-f``), a file that is no regular one (``/dev/null``,
    a pipe: ``-f /dev/null`` was told "no such file"), or a regular file whose name does
    not say it is Python's, which the import system has no loader for."""
    try:
        mode = os.stat(file).st_mode
    except OSError as exc:
        missing = exc.errno in (errno.ENOENT, errno.ENOTDIR)  # ENOTDIR: a file above it
        if missing and os.path.islink(file):  # the link is there: what it names is not
            return UsageError(f"{path} is a link to {os.readlink(file)}, which does not exist")
        why = "no such file" if missing else os.strerror(exc.errno or errno.EIO).lower()
        return UsageError(f"{path}: {why}")
    if stat.S_ISDIR(mode):
        error = UsageError(f"{path} is a folder, not a Python file")
        error.hint = "give a Python file; a recipe folder is given with --recipes DIR, not -f"
        return error
    if stat.S_ISREG(mode):
        return UsageError(f"{path} is not a Python file: its name does not end in .py")
    error = UsageError(f"{path} is {kind_of(mode)}, not a Python file")
    error.hint = "give a regular file of Python code, named NAME.py (it is read whole, then run)"
    return error


def kind_of(mode: int) -> str:
    """What a file that is neither a regular file nor a folder is, by its `mode`: a path
    given as a Python file (``-f``, ``--overlay``) or as a recipe folder (``--recipes``) is
    told as what it is, a pipe or a device, not as "no such file" or "not a folder"."""
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISFIFO(mode):
        return "a pipe"
    return "a socket" if stat.S_ISSOCK(mode) else "no regular file"


def _spec(name: str, file: str) -> ModuleSpec | None:
    """The spec of a file, a plain source file's made directly: ``spec_from_file_location``
    asks the loader whether it is a package, splitting the path in Python, which costs a
    tenth of running a small recipe."""
    if not file.endswith(".py") or os.path.basename(file) == "__init__.py":
        return importlib.util.spec_from_file_location(name, file)
    spec = ModuleSpec(name, SourceFileLoader(name, file), origin=file)
    spec.has_location = True
    return spec


def _new_module(spec: ModuleSpec) -> ModuleType:
    """The empty module for `spec`. A source file's is made here, with the attributes its
    code sees: ``module_from_spec`` and ``exec_module`` cost as much as running a recipe."""
    if not isinstance(spec.loader, SourceFileLoader):
        return importlib.util.module_from_spec(spec)
    module = ModuleType(spec.name)
    module.__spec__, module.__loader__, module.__file__ = spec, spec.loader, spec.origin
    return module


def _run(spec: ModuleSpec, module: ModuleType, path: str | Path) -> None:
    """Run the module's code: a source file's from its cached bytecode, as an import would.
    A source that is no regular file is refused before it is read: a pipe's read waits
    for a writer for ever."""
    loader = spec.loader
    code = None
    if isinstance(loader, SourceFileLoader) and spec.origin:
        source = os.stat(spec.origin)  # none: told as what it is, after (load_module)
        if not stat.S_ISREG(source.st_mode):
            raise _not_a_python_file(path, spec.origin)
        code = _cached_code(spec.origin, source) or loader.get_code(spec.name)
    if code is not None:
        exec(code, module.__dict__)
    elif loader is not None:
        loader.exec_module(module)


def _cached_code(file: str, source: os.stat_result) -> CodeType | None:
    """The file's code from its cached bytecode if that is current, as the import system
    decides (this interpreter's magic number, the `source`'s time and size), read without the
    import system's machinery, which cost the deepest recipe of a thousand 3 ms of its 50.
    None (no cache, another interpreter's, a stale or damaged one, or one compiled where the
    file was before it moved) leaves the file to the import system, which compiles it and
    writes the cache."""
    try:
        with open(_cache_path(file), "rb", buffering=0) as cached:
            data = cached.readall()
    except (OSError, ValueError, NotImplementedError):  # no cache, or no cache for this Python
        return None
    checked = (int(source.st_mtime) & 0xFFFFFFFF) | (source.st_size & 0xFFFFFFFF) << 32
    if data[:16] != _PYC_MAGIC + checked.to_bytes(8, "little"):
        return None
    try:
        code = marshal.loads(memoryview(data)[16:])
    except (ValueError, EOFError, TypeError):
        return None
    return code if isinstance(code, CodeType) and code.co_filename == file else None


def _cache_path(file: str) -> str:
    """Where the import system caches `file`'s bytecode, as ``cache_from_source`` says; the
    usual case (no ``-O``, no ``PYTHONPYCACHEPREFIX``) spelt here, without its dozen calls
    for each of a set's hundreds of recipe files."""
    tag = sys.implementation.cache_tag
    if tag is None or sys.flags.optimize or sys.pycache_prefix is not None:
        return importlib.util.cache_from_source(file)  # raises NotImplementedError with no tag
    head, sep, tail = file.rpartition(os.sep)
    base, dot, rest = tail.rpartition(".")
    return f"{head}{sep}__pycache__{os.sep}{base or rest}{dot}{tag}.pyc"


def select(root: object, dotted: str, where: str) -> object:
    """Follow ``a.b.c`` from `root` (`where` names it), naming close matches when a step is
    missing: ``six.foo`` is "six of the package set has no attribute 'foo'". A mapping's step
    is one of its string keys, a dict being Python's attribute set (``nested.a.b`` of a file,
    ``six.meta.license``), as ``nix eval`` selects in an attrset; any other value's is an
    attribute."""
    steps = attribute_path(dotted)
    value = root
    for done, step in enumerate(steps):
        try:
            value = _step(value, step)
        except MissingAttribute:
            raise
        except AttributeError:
            path = ".".join(steps[:done])
            known = _names(value)
            error = MissingAttribute(step, f"{path} of {where}" if path else where, known)
            if isinstance(value, Mapping | ModuleType):  # a set's thousand names go untold
                names = _defined(value, known, error.suggestions)
                error.hint = f"it has: {names}" if path else f"{where} defines: {names}"
            raise error from None
    return value


def attribute_path(dotted: str) -> list[str]:
    """The names of ``a.b.c``; an error for a path that is none (``six..version``), which a
    command line checks before it evaluates anything, to tell a word it cannot read."""
    steps = dotted.split(".")
    if not all(steps):
        raise UsageError(f"{dotted!r} is no attribute path: names joined by single dots")
    return steps


def _step(value: object, name: str) -> object:
    """Attribute `name` of `value`: a mapping's key (its methods are none of its attributes,
    as ``keys`` is none of an attrset's), any other value's attribute."""
    if not isinstance(value, Mapping):
        return getattr(value, name)
    if name not in value:
        raise AttributeError(name)
    return value[name]


def _defined(value: object, known: list[str], close: list[str]) -> str:
    """What a file or a dict defines, for a missing name: the close ones first, then the
    rest in order (a file's own: not the modules, functions and classes it imports)."""
    if isinstance(value, ModuleType):
        known = [name for name in known if _its_own(value, getattr(value, name))]
    names = [*close, *(name for name in known if name not in close)]
    more = f" and {len(names) - _SHOWN} more" if names[_SHOWN:] else ""
    return ", ".join(names[:_SHOWN]) + more if names else "no name"


_SHOWN = 12  # names a hint lists


def _its_own(module: ModuleType, value: object) -> bool:
    """Whether `value` is a name `module` made, not one it imported."""
    if isinstance(value, ModuleType):
        return False
    if isinstance(value, type) or (callable(value) and hasattr(value, "__qualname__")):
        return getattr(value, "__module__", None) == module.__name__
    return True


def _names(value: object) -> list[str]:
    """The attributes `value` has, that a missing one is compared with: a mapping's string
    keys, any other value's public attributes."""
    if isinstance(value, Mapping):
        return [key for key in value if isinstance(key, str)]
    return [name for name in dir(value) if not name.startswith("_")]
