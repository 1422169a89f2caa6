"""pybuild: Nix's model of Python packaging, as a Python library.

The public names are loaded on first use, so that ``import pybuild`` (and every command) pays
only for what it touches.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_PUBLIC = {
    "Derivation": "pybuild.derivations",
    "derivation": "pybuild.derivations",
    "realise": "pybuild.realiser",
    "BuildOptions": "pybuild.realiser",
    "Store": "pybuild.store",
    "PybuildError": "pybuild.errors",
}

__all__ = sorted(_PUBLIC)

if TYPE_CHECKING:
    from .derivations import Derivation as Derivation
    from .derivations import derivation as derivation
    from .errors import PybuildError as PybuildError
    from .realiser import BuildOptions as BuildOptions
    from .realiser import realise as realise
    from .store import Store as Store


def __getattr__(name: str) -> Any:
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'pybuild' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
