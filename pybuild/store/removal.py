"""Taking paths out of the store so that no crash and no running build can see a broken store.

A path is first unregistered, then removed from disk, referrers before what they refer to: a
crash leaves at worst an unregistered left-over, which the next collection removes. Each path
is unregistered under its build lock, taken without waiting, so a path being (re)built is
never touched; and a group is refused when a valid path outside it refers to one of its
members (registered after the roots were read). The caller holds the gc lock exclusively.

What removing frees is counted as it goes (:class:`Freeing`), each hard-linked file once.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING

from . import remove_tree
from .locks import try_path_locks
from .optimise import LINKS
from .sizes import disk_bytes, link_inodes, tree_entries
from .sqlitedriver import sqlite_driver

if TYPE_CHECKING:
    import sqlite3

    from . import Store
else:
    sqlite3 = sqlite_driver()  # the registry's driver, whose errors its connections raise

__all__ = ["Freeing", "may_delete_leftover", "unregister"]


def unregister(store: Store, group: list[str]) -> bool:
    """Unregister a group of dead paths (a cycle, or one path), under their build locks, and
    forget that a client imported them (:mod:`pybuild.remote.serve`'s marks).

    Refused (False) when a lock is busy or a path outside the group refers to one of them
    now (it was registered after the roots were read).
    """
    with try_path_locks(store.lock_dir, group) as locked:
        if not locked:
            return False
        if not _unregister_rows(store, group):
            return False
        for name in group:  # under its lock: an import of it again marks it anew
            (store.imported_dir / name).unlink(missing_ok=True)
    return True


def _unregister_rows(store: Store, group: list[str]) -> bool:
    conn = store.registry.conn
    conn.execute("BEGIN IMMEDIATE")
    try:
        marks = ",".join("?" * len(group))
        referrers = conn.execute(
            "SELECT DISTINCT a.path FROM refs r JOIN valid_paths a ON a.id = r.referrer"
            f" JOIN valid_paths b ON b.id = r.reference WHERE b.path IN ({marks})",
            group,
        ).fetchall()
        if any(r not in group for (r,) in referrers):
            conn.execute("ROLLBACK")
            return False
        ids = f"SELECT id FROM valid_paths WHERE path IN ({marks})"
        conn.execute(f"DELETE FROM refs WHERE referrer IN ({ids})", group)
        conn.execute(f"DELETE FROM valid_paths WHERE path IN ({marks})", group)
        conn.execute("COMMIT")
        store.registry.forget_closures()
    except sqlite3.IntegrityError:
        conn.execute("ROLLBACK")
        return False
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return True


def may_delete_leftover(store: Store, name: str) -> bool:
    """A left-over is deleted only when no one holds its build lock and it is still invalid."""
    with try_path_locks(store.lock_dir, [name]) as locked:
        return locked and not store.is_valid(name)


class Freeing:
    """Removes trees from disk and adds up the bytes that frees, each inode once.

    A file counts when its last link goes, or when only its copy in ``store/.links`` is left:
    :meth:`sweep_links` removes that copy afterwards.
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self.links = link_inodes(store)
        self.counted: set[int] = set()
        self.freed = 0

    def remove(self, path: Path) -> None:
        """Delete the tree at `path`, adding the bytes this frees."""
        for st in tree_entries(path):
            if not stat.S_ISREG(st.st_mode):
                self.freed += disk_bytes(st)  # a folder or a link: this tree's alone
            elif st.st_ino in self.counted:
                continue
            elif st.st_nlink == 1 or (st.st_nlink == 2 and st.st_ino in self.links):
                self.freed += disk_bytes(st)
                self.counted.add(st.st_ino)
        remove_tree(path)

    def sweep_links(self) -> int:
        """Remove the hard links of ``store/.links`` that no store file shares any more; how
        many were removed."""
        links = self.store.dir / LINKS
        if not links.is_dir():
            return 0
        removed = 0
        for entry in os.scandir(links):
            st = entry.stat(follow_symlinks=False)
            if st.st_nlink == 1:
                os.unlink(entry.path)
                removed += 1
                if st.st_ino not in self.counted:
                    self.freed += disk_bytes(st)
        return removed
