"""How an error is shown to a user: one short block that points at *their* code.

Evaluating a command line runs the user's Python — recipes, overlays, ``-f`` files — through
pybuild's own machinery, so a raw traceback is thirty lines of our frames around the one line
that matters. Like Nix, the command line prints the error and the place in the user's file
where it arose, and only ``--show-trace`` prints the whole trace.

A frame is the user's when its file is not part of pybuild's library code nor of the
interpreter's installation (standard library, site-packages); the default recipes and the
example overlays shipped with pybuild count as user code, since people read and copy them.

Example::

    >>> from pybuild.evaluate import load_module
    >>> _ = Path("broken.py").write_text('def recipe():\\n    return {"a": 1}["b"]\\n')
    >>> try:
    ...     load_module("broken.py").recipe()
    ... except KeyError as exc:
    ...     print(describe(exc))
    error: KeyError: 'b'
      at broken.py:2, in recipe
        return {"a": 1}["b"]
      hint: run again with --show-trace for the full traceback
"""

from __future__ import annotations

import errno
import linecache
import os
import re
import traceback
from pathlib import Path
from types import TracebackType

from .errors import OutOfSpace, PybuildError, StoreError, UsageError
from .evaluate import EvalError, EvalSyntaxError, RaisedAttributeError
from .userfiles import is_user_file, shown_file

__all__ = ["close_names", "describe", "in_a_row", "user_frame"]

_HINT_TRACE = "run again with --show-trace for the full traceback"


def describe(exc: BaseException, show_trace: bool = False) -> str:
    """The text the command line prints for `exc` (without a trailing newline)."""
    if show_trace:
        return "".join(traceback.format_exception(exc)).rstrip()
    exc = _reported(exc)
    ours = isinstance(exc, PybuildError)
    text = str(exc) if ours else _one_line(exc)
    lines = [f"error: {text}"]
    place = _place(exc)
    if place is not None and (not ours or not _names_the_line(text, place)):
        file, line, function = place
        lines.append(f"  at {shown_file(file)}:{line}" + (f", in {function}" if function else ""))
        lines += _code_at(exc, file, line)
    lines += [f"  note: {note}" for note in getattr(exc, "__notes__", ())]
    raised_by_a_file = isinstance(exc, EvalError)  # ours, carrying what the file's code raised
    if not ours or raised_by_a_file:
        lines.append(
            f"  hint: {_HINT_TRACE}"
            if place or raised_by_a_file
            else f"  hint: a bug in pybuild? {_HINT_TRACE} and report it"
        )
    return "\n".join(lines)


def in_a_row(exc: BaseException) -> str:
    """`exc` as one row of a report of many attributes (``build --all``) gives it: the
    message, on its first line the place in the user's code it arose (as Hydra's evaluation
    errors do), since a row is read without the traceback ``describe`` would point into;
    the hint, if ours has one, on the lines after."""
    exc = _reported(exc)
    ours = isinstance(exc, PybuildError)
    text = str(exc) if ours else _one_line(exc)
    place = _place(exc)
    if place is None or (ours and _names_the_line(text, place)):
        return text
    first, newline, rest = text.partition("\n")
    return f"{first} (at {shown_file(place[0])}:{place[1]}){newline}{rest}"


def _reported(exc: BaseException) -> BaseException:
    """The error to tell for `exc`: an AttributeError a set's attribute raised, not the
    carrier that keeps it from being taken for the attribute missing; a user's file's
    SyntaxError, not the carrier that names the file; a write that found no room as
    :class:`OutOfSpace`; a file of the home's that cannot be used as a store error."""
    if isinstance(exc, (RaisedAttributeError, EvalSyntaxError)) and exc.__cause__ is not None:
        exc = exc.__cause__
    if isinstance(exc, OSError) and exc.errno in _NO_ROOM:
        return out_of_space(exc)
    if isinstance(exc, OSError):
        return unusable_home(exc) or unwritable_file(exc) or exc
    return exc


_NO_ROOM = (errno.ENOSPC, errno.EDQUOT)


def out_of_space(exc: OSError) -> OutOfSpace:
    """A write that found no room (:data:`_NO_ROOM`), told with the file it was writing, when
    the error names it, and where to free space; never at the line of the recipe that was
    evaluating, as if the recipe were wrong: evaluation writes to the home (the sources it
    adds to the store, the roots that keep them)."""
    detail = exc.strerror or os.strerror(exc.errno or errno.ENOSPC)
    quota = " (or have your quota raised)" if exc.errno == errno.EDQUOT else ""
    if exc.filename is None:  # a write to an open file: where it lies is not known here
        from .store.home import home_dir

        home = os.path.abspath(home_dir(os.environ))
        # TMPDIR as it is: tempfile.gettempdir() would probe it with a file, on a full disk
        tmp = os.environ.get("TMPDIR") or "/tmp"
        where = f"the pybuild home ({home}), or the one that holds TMPDIR ({tmp})"
        path = None
    else:
        path = asked_for(exc.filename)
        where = os.path.dirname(path)
    hint = f"free space{quota} on the filesystem that holds {where}, then run the command again"
    return OutOfSpace(path, detail, hint)


_DENIED = (errno.EROFS, errno.EACCES, errno.EPERM)
_IN_THE_WAY = (errno.EEXIST, errno.ENOTDIR, errno.EISDIR)


def unusable_home(exc: OSError) -> StoreError | None:
    """A file of the pybuild home's (its locks, roots, logs, working folders) that cannot be
    used, told as the store's error, with the file and what to do: a home on a read-only
    filesystem or of another user (:data:`_DENIED`), a file where pybuild keeps a folder, or
    a folder where it keeps a file (:data:`_IN_THE_WAY`), a home split over filesystems
    (EXDEV). Never at the line of the recipe
    that was evaluating, as if the recipe were wrong: evaluating writes to the home too.
    None for an error of another file, or one these causes do not explain."""
    if exc.filename is None:
        return None
    from .store.home import home_dir

    home = os.path.abspath(home_dir(os.environ))
    path = os.path.abspath(os.fsdecode(exc.filename))
    # a folder above a home not made yet, made for it
    making_the_home = home.startswith(path + os.sep) and not os.path.isdir(home)
    if not (path == home or path.startswith(home + os.sep) or making_the_home):
        return None
    if exc.errno in _DENIED:
        error = StoreError(f"cannot write {path}: {exc.strerror or os.strerror(exc.errno)}")
        error.hint = f"the pybuild home ({home}) must be writable" + (
            ", even to evaluate (it holds the locks, and the roots of what evaluation adds): "
            "remount it read-write, or set PYBUILD_HOME to a home on a writable filesystem"
            if exc.errno == errno.EROFS
            else " by the user running pybuild, even to evaluate (it holds the locks, and the"
            " roots of what evaluation adds): make it yours again (chown), or set PYBUILD_HOME"
            " to a home of your own"
        )
    elif (
        exc.errno == errno.ENOENT
        and (making_the_home or path == home)
        and os.path.isdir(os.path.dirname(path))
    ):  # a filesystem of no folders (/proc): the folder above is there, this one cannot be
        error = StoreError(f"cannot make the pybuild home {home}: cannot make {path} there")
        error.hint = "set PYBUILD_HOME to a folder on a filesystem where you can make folders"
    elif exc.errno in _IN_THE_WAY and (found := _in_the_way(path, home, exc.errno)) is not None:
        error = StoreError(found[0])
        error.hint = found[1]
    elif exc.errno == errno.EXDEV:
        error = _split_home(path, exc.filename2, home)
    else:
        return None
    error.of_the_recipe = False
    return error


def unwritable_file(exc: OSError) -> UsageError | None:
    """A file outside the home that pybuild's own code may not write or read (the lock file,
    the recipes or the key the user asked for, in a read-only folder), told with the file as
    the user named it and what to do, as a result link that cannot be made is: the user's to
    fix, not a bug of pybuild's. None for another error, or one the user's own code raised
    (a recipe's write), which keeps its line."""
    if exc.filename is None or exc.errno not in _DENIED or not _raised_by_pybuild(exc):
        return None
    path = asked_for(exc.filename)
    detail = exc.strerror or os.strerror(exc.errno or errno.EACCES)
    if exc.errno == errno.EROFS:
        error = UsageError(f"cannot write {path}: {detail}")
        error.hint = (
            "its filesystem is mounted read-only: have the command write elsewhere (its -o,"
            " where it has one, or another working folder)"
        )
    else:
        error = UsageError(f"cannot access {path}: {detail}")
        error.hint = (
            "use a path of yours (the command's -o, where it has one, or another working"
            " folder), or have its permissions changed"
        )
    error.of_the_recipe = False
    return error


_TEMPORARY = re.compile(r"\.(?P<name>.+)\.tmp-?(?P<pid>[0-9]+)")


def asked_for(filename: str | bytes | os.PathLike[str] | os.PathLike[bytes]) -> str:
    """The absolute path of the file an error names, as the user knows it: for the hidden
    temporary file that :func:`~pybuild.atomic.write_atomic` (or ``replace_symlink``) of
    this process writes first, the file it replaces (``pylock.toml``, not
    ``.pylock.toml.tmp4242``)."""
    path = os.path.abspath(os.fsdecode(filename))
    folder, name = os.path.split(path)
    temporary = _TEMPORARY.fullmatch(name)
    if temporary is not None and int(temporary["pid"]) == os.getpid():
        return os.path.join(folder, temporary["name"])
    return path


def _raised_by_pybuild(exc: BaseException) -> bool:
    """Whether the innermost frame of `exc`'s traceback outside the interpreter's own
    modules (the standard library's ``pathlib`` that made a folder) is pybuild's code, not
    the user's."""
    package = Path(__file__).resolve().parent
    for frame, _line in reversed(list(traceback.walk_tb(exc.__traceback__))):
        file = frame.f_code.co_filename
        if is_user_file(file):
            return False
        if Path(file).resolve().is_relative_to(package):
            return True
    return False


def _split_home(path: str, other: object, home: str) -> StoreError:
    """The error for a rename or hard link of the home's that crossed filesystems (EXDEV): a
    store (or its ``.links``) mounted or linked elsewhere to have more room, where pybuild
    renames what it makes in ``var/tmp`` into the store, and links the store's files."""
    to = f" to {os.path.abspath(os.fsdecode(other))}" if isinstance(other, str | bytes) else ""
    error = StoreError(f"cannot move {path}{to}: they are on different filesystems")
    error.hint = (
        f"a pybuild home ({home}) must lie on one filesystem, since what is built is moved"
        " into the store from the home's var/tmp by a rename: to give the store more room,"
        " move the whole home (its paths work from anywhere) and set PYBUILD_HOME to it,"
        " rather than mounting or linking store/ elsewhere"
    )
    return error


def _in_the_way(path: str, home: str, number: int | None) -> tuple[str, str] | None:
    """What stands where the home's folder or file `path` (or one above it) is to be, after
    the error `number`: a file where pybuild keeps a folder (EEXIST, ENOTDIR), or a folder
    where it keeps a file (EISDIR); the message and the hint. None if nothing does (a folder
    another process made meanwhile), or if it is a store path's, whose content only
    ``pybuild verify --repair`` may mend."""
    blocker = path
    while not os.path.lexists(blocker) and blocker != home:  # ENOTDIR: a file above it
        blocker = os.path.dirname(blocker)
    if blocker.startswith(os.path.join(home, "store") + os.sep):
        return None
    if number == errno.EISDIR and blocker == path and os.path.isdir(path):
        kind, keeps = "a folder", "file"
    elif number != errno.EISDIR and os.path.lexists(blocker) and not os.path.isdir(blocker):
        kind, keeps = "a link" if os.path.islink(blocker) else "a file", "folder"
    else:
        return None
    return (
        f"{blocker} is {kind}, where pybuild keeps a {keeps}",
        f"move it away (or remove it): pybuild makes the {keeps} again",
    )


def _place(exc: BaseException) -> tuple[str, int, str] | None:
    """Where in the user's code `exc` arose: ``(file, line, function)`` of the innermost
    frame of theirs, or a syntax error's own file and line (and no function): a file that
    does not compile never ran, so no frame of it is in the traceback."""
    syntax = _syntax_place(exc)
    if syntax is not None:
        return (*syntax, "")
    return user_frame(exc) if getattr(exc, "of_the_recipe", True) else None


def _syntax_place(exc: BaseException) -> tuple[str, int] | None:
    """The file and line of a SyntaxError in a file of the user's; None for any other error
    (one compiling a string, ``<string>``, is placed at the user's line that compiled it)."""
    if isinstance(exc, SyntaxError) and exc.filename and exc.lineno:
        return (exc.filename, exc.lineno) if is_user_file(exc.filename) else None
    return None


def _code_at(exc: BaseException, file: str, line: int) -> list[str]:
    """The code on the line shown (its indentation aside) and, for a syntax error there,
    a caret under what the parser points at, as the interpreter prints it."""
    text = linecache.getline(file, line).rstrip()
    source = text.lstrip()
    if not source:
        return []
    code = [f"    {source}"]
    if isinstance(exc, SyntaxError) and exc.offset and _syntax_place(exc) == (file, line):
        start = min(max(exc.offset - 1 - (len(text) - len(source)), 0), len(source))
        end = exc.end_offset if exc.end_lineno in (None, line) and exc.end_offset else 0
        width = max(1, min(end - exc.offset, len(source) - start))  # one, past the line's end
        indent = "".join(c if c.isspace() else " " for c in source[:start])
        code.append(f"    {indent}{'^' * width}")
    return code


def _names_the_line(text: str, frame: tuple[str, int, str]) -> bool:
    """Whether our message already says the place (``recipe.py:7``); one that names only the
    file (``while evaluating recipe.py``) still gets the line, and the code on it."""
    return f"{frame[0]}:{frame[1]}" in text


def _one_line(exc: BaseException) -> str:
    """``Type: message``, with close names for a misspelt attribute or name ("did you mean …?")."""
    if isinstance(exc, SyntaxError):  # the user's file and line are told on lines of their own
        return f"{type(exc).__name__}: {exc.msg if _syntax_place(exc) else exc}"
    text = "".join(traceback.format_exception_only(exc)).strip().replace("\n", " ")
    module = type(exc).__module__
    if module.startswith(("pybuild_recipe_", "pybuild_file_")):  # a name of pybuild's making,
        text = text.removeprefix(f"{module}.")  # new in each process: the class's is the user's
    return text if "mean" in text else text + close_names(exc)


def close_names(exc: BaseException) -> str:
    """``; did you mean 'version'?`` for a misspelt name: an AttributeError's, among the
    names of its object, or a NameError's, among those its code could see (the locals,
    globals and builtins of the frame that raised it), as the interpreter's traceback says
    it (in no exception's text; the traceback module only from Python 3.12, and only given
    the traceback, as ``format_exception_only`` is not); "" for any other error."""
    name = getattr(exc, "name", None)
    if not name:
        return ""
    if isinstance(exc, NameError):
        known = _in_scope(exc.__traceback__)
    elif isinstance(exc, AttributeError) and getattr(exc, "obj", None) is not None:
        known = [n for n in dir(exc.obj) if not n.startswith("_")]
    else:
        return ""
    import difflib

    close = difflib.get_close_matches(name, known, n=3, cutoff=0.6)
    return "; did you mean " + ", ".join(repr(c) for c in close) + "?" if close else ""


def _in_scope(tb: TracebackType | None) -> list[str]:
    """The names the innermost frame of `tb` could read: where a NameError was raised."""
    if tb is None:
        return []
    while tb.tb_next is not None:
        tb = tb.tb_next
    frame = tb.tb_frame
    return list({**frame.f_builtins, **frame.f_globals, **frame.f_locals})


def user_frame(exc: BaseException) -> tuple[str, int, str] | None:
    """The innermost frame of the user's code in `exc`'s traceback (or its causes')."""
    seen: set[int] = set()
    chain: BaseException | None = exc
    while chain is not None and id(chain) not in seen:
        seen.add(id(chain))
        found = _innermost_user(chain.__traceback__)
        if found is not None:
            return found
        chain = chain.__cause__ or chain.__context__
    return None


def _innermost_user(tb: TracebackType | None) -> tuple[str, int, str] | None:
    found = None
    for frame, line in traceback.walk_tb(tb):
        file = frame.f_code.co_filename
        if is_user_file(file):
            found = (file, line, frame.f_code.co_name)
    return found
