"""Build users: when pybuild runs as root, each sandboxed build runs as a uid of its own.

Without a user namespace (which as root maps nothing but uid 0) a builder started by root
would keep every capability, and could remount its read-only views writable. So, as Nix does,
builders run as build users: like Nix's ``auto-allocate-uids``, a uid from a fixed range far
above any account's, one per build running at once, so that two builds never share a uid. A
uid is held by an ``flock`` on ``var/userpool/<uid>`` from before the build until its outputs
belong to the store's owner again; the kernel drops the lock when its holder dies, even by
SIGKILL. Its group is the number of the same value.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from .errors import StoreError

__all__ = ["FIRST_UID", "POOL_SIZE", "BuildUser", "build_user"]

FIRST_UID = 872415232  # Nix's start-id for auto-allocated uids: no account has one this high
POOL_SIZE = 1024  # builds at once per store


@dataclass(frozen=True)
class BuildUser:
    """The uid and gid a builder runs as."""

    uid: int
    gid: int


@contextlib.contextmanager
def build_user(var: Path) -> Iterator[BuildUser]:
    """Hold the first free uid of the store's pool while the caller builds with it.

    Example::

        >>> with build_user(store.var) as user:
        ...     user.uid
        872415232
    """
    pool = var / "userpool"
    pool.mkdir(parents=True, exist_ok=True)
    for uid in range(FIRST_UID, FIRST_UID + POOL_SIZE):
        fd = os.open(pool / str(uid), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            continue
        try:
            yield BuildUser(uid, uid)
        finally:
            os.close(fd)
        return
    error = StoreError(f"all {POOL_SIZE} build users of {var.parent} are busy")
    error.hint = "wait for the other builds of this store to finish, or lower the jobs setting"
    raise error
