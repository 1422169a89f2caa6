"""Walking a tree of any depth: a build's outputs may nest folders as deep as the kernel lets
them, far deeper than Python's recursion limit (1000 frames), which ``os.walk``,
``os.fwalk`` and ``shutil.rmtree`` reach on Python 3.11 (they recurse once per level).

:func:`walk` is ``os.walk`` with an explicit stack (as Python 3.12's is). :func:`fd_walk`
is ``os.fwalk`` with one, and more: it holds one folder open at a time (``os.fwalk`` holds
every folder above the one it is in, so a tree deeper than the open-file limit, often 1024,
failed), going back up through ``..``, checked to be the folder it came down from; and no
path is ever built, so a tree whose paths are longer than the kernel takes (``PATH_MAX``,
4096 bytes) is walked too.
"""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Callable, Iterator

from ..errors import InvalidPath, StoreError

__all__ = ["fd_walk", "names_too_long", "walk"]

_FOLDER = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


def walk(
    top: str | os.PathLike[str], topdown: bool = True
) -> Iterator[tuple[str, list[str], list[str]]]:
    """``os.walk(top, topdown)``, links not followed and a folder that cannot be read passed
    over (as ``os.walk`` does), at any depth. Top-down, the caller may prune `dirnames`."""
    stack: list[str | tuple[str, list[str], list[str]]] = [os.fspath(top)]
    while stack:
        item = stack.pop()
        if isinstance(item, tuple):
            yield item  # bottom-up: its folders are done
            continue
        dirs: list[str] = []
        files: list[str] = []
        try:
            with os.scandir(item) as listing:
                for entry in listing:
                    try:
                        is_dir = entry.is_dir(follow_symlinks=False)
                    except OSError:
                        is_dir = False
                    (dirs if is_dir else files).append(entry.name)
        except OSError:
            continue
        if topdown:
            yield item, dirs, files
        else:
            stack.append((item, dirs, files))
        stack.extend(os.path.join(item, d) for d in reversed(dirs))


def fd_walk(
    top: int, left: Callable[[int, str], None] | None = None
) -> Iterator[tuple[int, list[str], list[str]]]:
    """The folder open as `top` and every folder under it, top-down: each as a descriptor
    (valid until the next step), the names of its folders and of its other entries (links
    are not followed). The caller may prune the folder names, and act on the folder through
    the descriptor (change it, list and change its entries) before the walk goes into it.

    `left` is called with the folder above and the name of each folder the walk is done
    with (to remove it, whose entries are gone). A folder that is no longer one when the
    walk opens it (removed, or swapped for a link), or is closed to this user, is passed
    over, as ``os.walk`` passes over one it cannot read. A folder whose ``..`` is
    not the folder the walk came from (it was moved meanwhile) is a
    :class:`~pybuild.errors.StoreError`: the walk could have gone out of the tree.
    """
    fd = os.dup(top)
    # per folder from `top` down to fd: its status, its name, the names of its folders left
    stack: list[tuple[os.stat_result, str, list[str]]] = []
    name = ""
    try:
        while True:
            dirs, files = _listing(fd)
            yield fd, dirs, files
            stack.append((os.fstat(fd), name, dirs[::-1]))
            while stack:
                opened = _open_next(fd, stack[-1][2])
                if opened is not None:
                    os.close(fd)
                    fd, name = opened
                    break
                _, done, _ = stack.pop()
                if not stack:
                    return
                up = _up(fd, stack[-1][0])
                os.close(fd)
                fd = up
                if left is not None:
                    left(fd, done)
    finally:
        os.close(fd)


def _listing(fd: int) -> tuple[list[str], list[str]]:
    dirs: list[str] = []
    files: list[str] = []
    with os.scandir(fd) as listing:
        for entry in listing:
            (dirs if entry.is_dir(follow_symlinks=False) else files).append(entry.name)
    return dirs, files


def _open_next(fd: int, todo: list[str]) -> tuple[int, str] | None:
    """The next folder of `todo` (names in the folder `fd`) that opens as one, and its name."""
    while todo:
        name = todo.pop()
        try:
            return os.open(name, _FOLDER, dir_fd=fd), name
        except OSError as exc:
            if exc.errno not in (errno.ENOENT, errno.ENOTDIR, errno.ELOOP, errno.EACCES):
                raise
    return None


def _up(fd: int, parent: os.stat_result) -> int:
    """The folder above `fd`, which must be `parent`."""
    up = os.open("..", _FOLDER, dir_fd=fd)
    st = os.fstat(up)
    if (st.st_dev, st.st_ino) != (parent.st_dev, parent.st_ino):
        os.close(up)
        raise StoreError("a folder was moved out of the tree being walked")
    return up


@contextlib.contextmanager
def names_too_long(top: str | os.PathLike[str]) -> Iterator[None]:
    """Tell a path under `top` longer than the kernel takes (``ENAMETOOLONG``: folders
    nested so deep that their path exceeds ``PATH_MAX``) as an :class:`InvalidPath` that
    says so, not a bare OSError: such a tree cannot be stored (Nix cannot store one either),
    since every tool that reads a store path names its files by path."""
    try:
        yield
    except OSError as exc:
        if exc.errno != errno.ENAMETOOLONG:
            raise
        limit = os.pathconf("/", "PC_PATH_MAX")
        why = (
            f"holds folders nested so deep that a path in it is longer than the {limit} bytes"
            " the system lets a path name: it cannot be stored"
        )
        error = InvalidPath(os.fspath(top), why)
        error.hint = "nest its folders less deeply (Nix could not store it either)"
        raise error from None
