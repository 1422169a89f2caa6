"""Garbage-collector roots: what keeps store paths alive.

A result link (``-o result``) lives wherever the user made it, so the store records an
indirect root, ``var/gcroots/auto/<hash of the link's path>`` pointing at the link; a root
whose link was deleted or re-pointed out of the store no longer holds anything.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

__all__ = ["add_result_link", "replace_symlink"]


def replace_symlink(link: str | os.PathLike[str], target: str) -> None:
    """Point `link` at `target` atomically: a reader sees the old link or the new, never none."""
    link = Path(link)
    tmp = link.with_name(f".{link.name}.tmp-{os.getpid()}")
    if os.path.lexists(tmp):
        os.unlink(tmp)
    os.symlink(target, tmp)
    os.replace(tmp, link)


def add_result_link(store: object, link: str | os.PathLike[str], target: str) -> Path:
    """Make `link` point at `target` and register it as an indirect root of `store`."""
    link_path = Path(link).absolute()
    if link_path.exists() and not link_path.is_symlink():
        from ..errors import UsageError

        raise UsageError(f"{link}: exists and is not a symbolic link; will not replace it")
    replace_symlink(link_path, target)
    auto = Path(store.gcroots_dir) / "auto"  # type: ignore[attr-defined]
    auto.mkdir(parents=True, exist_ok=True)
    key = hashlib.sha256(str(link_path).encode()).hexdigest()[:32]
    replace_symlink(auto / key, str(link_path))
    return link_path
