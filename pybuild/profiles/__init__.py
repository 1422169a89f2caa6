"""Profiles: imperative installs of Python packages, each change a new generation.

Every ``install``, ``remove`` or ``upgrade`` (:mod:`.changes`) builds a new environment from
the packages of the profile's manifest (:mod:`.manifest`), writes generation N+1 and switches
the profile link to it with one atomic rename (:mod:`.generations`).

Example::

    >>> profile = Profile(Store.default(), "default")              # doctest: +SKIP
    >>> install(profile, ["requests"])                              # doctest: +SKIP
    >>> profile.rollback()                                          # doctest: +SKIP
"""

from .changes import install, remove, upgrade
from .generations import Generation, Profile, ProfileError
from .manifest import Entry, Manifest

__all__ = [
    "Entry",
    "Generation",
    "Manifest",
    "Profile",
    "ProfileError",
    "install",
    "remove",
    "upgrade",
]
