"""Replacing a file all at once: readers see the old content or the new, never half of it.

Caches, manifests and generated recipes are read by other pybuild processes while this one
writes them; a process killed mid-write must not leave a truncated file behind under the
real name. The text goes to a hidden temporary file beside the target (so the rename stays
on one file system), which then replaces the target in one ``rename``.
"""

from __future__ import annotations

import os

__all__ = ["replace_symlink", "write_atomic"]


def write_atomic(path: str | os.PathLike[str], text: str | bytes) -> None:
    """Write `text` (UTF-8) or bytes to `path` (its folder made if missing), replacing it in
    one step. ``os.path`` only: a rollback's fast path loads this module, and pathlib would
    cost it more than the switch itself."""
    target = os.fspath(path)
    folder, name = os.path.split(target)
    os.makedirs(folder or os.curdir, exist_ok=True)
    tmp = os.path.join(folder, f".{name}.tmp{os.getpid()}")
    try:
        if isinstance(text, bytes):
            with open(tmp, "wb") as f:
                f.write(text)
        else:
            with open(tmp, "w", encoding="utf-8") as f:
                f.write(text)
    except OSError as exc:  # a full disk: no half-written file is left, and the error names it
        try:  # noqa: SIM105 - contextlib would cost a rollback's fast path more than this
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        if exc.filename is None:  # a write to an open file names none
            exc.filename = target
        raise
    os.replace(tmp, target)


def replace_symlink(link: str | os.PathLike[str], target: str) -> None:
    """Point `link` at `target` atomically: a reader sees the old link or the new, never none.

    The same rename as :func:`write_atomic`'s; it lives here rather than with the store's
    roots so that a rollback (a profile's link replaced) loads no more than it needs."""
    folder, name = os.path.split(os.fspath(link))
    tmp = os.path.join(folder, f".{name}.tmp-{os.getpid()}")
    if os.path.lexists(tmp):
        os.unlink(tmp)
    os.symlink(target, tmp)
    os.replace(tmp, link)
