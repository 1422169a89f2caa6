"""Profiles: imperative installs of Python packages, each change a new generation.

Every ``install``, ``remove`` or ``upgrade`` (:mod:`.changes`) builds a new environment from
the packages of the profile's manifest (:mod:`.manifest`), writes generation N+1 and switches
the profile link to it with one atomic rename (:mod:`.generations`, which reads and switches
the links through :mod:`.links`). The names below load on first use, so that the command
line's fast path can switch a generation with :mod:`.links` alone.

Example::

    >>> from pybuild import Store
    >>> from pybuild.profiles import Profile, install
    >>> profile = Profile(Store.default(), "default")
    >>> install(profile, ["six"], log=print).number
    installing six 1.17.0
    profile default: generation 1 (install six)
    1
    >>> [entry.attr for entry in profile.current().manifest.packages]
    ['six']
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing is one of the imports this package's laziness avoids
if TYPE_CHECKING:
    from typing import Any

    from .changes import install as install
    from .changes import remove as remove
    from .changes import upgrade as upgrade
    from .generations import Generation as Generation
    from .generations import Profile as Profile
    from .links import ProfileError as ProfileError
    from .manifest import Entry as Entry
    from .manifest import Manifest as Manifest

_MODULES = {
    "Entry": ".manifest",
    "Generation": ".generations",
    "Manifest": ".manifest",
    "Profile": ".generations",
    "ProfileError": ".links",
    "install": ".changes",
    "remove": ".changes",
    "upgrade": ".changes",
}

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


def __getattr__(name: str) -> Any:
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module 'pybuild.profiles' has no attribute {name!r}")
    import importlib  # here, as in pybuild/__init__.py: it loads warnings

    return getattr(importlib.import_module(module, __name__), name)


def __dir__() -> list[str]:
    return [*globals(), *__all__]
