"""The store: immutable, hash-named build outputs under ``$PYBUILD_HOME/store``.

:class:`Store` and its helpers live in :mod:`pybuild.store.core` and load on first use, so
that the light parts of this package (locks, roots, paths) can be imported alone: the fast
path of the command line (:mod:`pybuild.fastpath`) switches a profile's generation with them
and no SQLite layer, hashing or dataclasses.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing is one of the imports this package's laziness avoids
if TYPE_CHECKING:
    from typing import Any

    from .core import Store as Store
    from .core import default_home as default_home
    from .core import remove_tree as remove_tree
    from .registry import PathInfo as PathInfo
    from .verify import Problem as Problem

__all__ = ["PathInfo", "Problem", "Store", "default_home", "remove_tree"]


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module 'pybuild.store' has no attribute {name!r}")
    module = {"PathInfo": ".registry", "Problem": ".verify"}.get(name, ".core")
    import importlib  # here, as in pybuild/__init__.py: it loads warnings

    return getattr(importlib.import_module(module, __name__), name)


def __dir__() -> list[str]:
    return [*globals(), *__all__]
