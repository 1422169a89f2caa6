"""Replacing a file all at once: readers see the old content or the new, never half of it.

Caches, manifests and generated recipes are read by other pybuild processes while this one
writes them; a process killed mid-write must not leave a truncated file behind under the
real name. The text goes to a hidden temporary file beside the target (so the rename stays
on one file system), which then replaces the target in one ``rename``.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = ["replace_symlink", "write_atomic"]


def write_atomic(path: str | os.PathLike[str], text: str | bytes) -> None:
    """Write `text` (UTF-8) or bytes to `path` (its folder made if missing), replacing it in
    one step."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp{os.getpid()}")
    if isinstance(text, bytes):
        tmp.write_bytes(text)
    else:
        tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, target)


def replace_symlink(link: str | os.PathLike[str], target: str) -> None:
    """Point `link` at `target` atomically: a reader sees the old link or the new, never none.

    The same rename as :func:`write_atomic`'s; it lives here rather than with the store's
    roots so that a rollback (a profile's link replaced) loads no more than it needs."""
    link = Path(link)
    tmp = link.with_name(f".{link.name}.tmp-{os.getpid()}")
    if os.path.lexists(tmp):
        os.unlink(tmp)
    os.symlink(target, tmp)
    os.replace(tmp, link)
