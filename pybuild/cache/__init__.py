"""Binary caches: share built store paths between machines and CI runs, signed.

A cache is plain files (archives and small metadata files, see :mod:`.binary_cache`), so any
static web server or a shared folder serves one. ``pybuild copy --to`` fills it; the
``substituters`` setting makes the realiser download from it instead of building, accepting
only entries signed by a key of ``trusted_public_keys``.

The package sits beside the store: it uses the store, hashing and errors, and nothing above
them, so the realiser can substitute before it builds.

- :mod:`.archive`: deterministic compressed NAR archives and their safe restoring;
- :mod:`.info`: the metadata file of a path and the cache's description;
- :mod:`.signing`: Ed25519 keys and signatures (``NAME:base64``, as Nix writes them);
- :mod:`.binary_cache`: a cache on disk or over HTTP (GET, PUT);
- :mod:`.substitute`: fetching closures, every hash and signature checked;
- :mod:`.links`: the link cache, what was fetched kept unpacked for the next store to link;
- :mod:`.copy`: ``copy --to`` and ``copy --from``.
"""

from .binary_cache import BinaryCache, open_cache
from .copy import CopyReport, copy_from, copy_to, sign_local
from .errors import ArchiveError, CacheError, CacheUnavailable, EntryRefused, InvalidKey
from .info import CacheInfo, NarInfo
from .signing import PublicKey, SecretKey
from .substitute import Substituters

__all__ = [
    "ArchiveError",
    "BinaryCache",
    "CacheError",
    "CacheInfo",
    "CacheUnavailable",
    "CopyReport",
    "EntryRefused",
    "InvalidKey",
    "NarInfo",
    "PublicKey",
    "SecretKey",
    "Substituters",
    "copy_from",
    "copy_to",
    "open_cache",
    "sign_local",
]
