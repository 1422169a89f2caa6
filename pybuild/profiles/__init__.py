"""Profiles: imperative installs of Python packages, each change a new generation.

Every ``install``, ``remove`` or ``upgrade`` (:mod:`.changes`) builds a new environment from
the packages of the profile's manifest (:mod:`.manifest`), writes generation N+1 and switches
the profile link to it with one atomic rename (:mod:`.generations`).

Example::

    >>> from pybuild import Store
    >>> profile = Profile(Store.default(), "default")
    >>> install(profile, ["six"], log=print).number
    installing six 1.17.0
    profile default: generation 1 (install six)
    1
    >>> [entry.attr for entry in profile.current().manifest.packages]
    ['six']
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
