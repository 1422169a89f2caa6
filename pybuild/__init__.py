"""pybuild: Nix's model of Python packaging, as a Python library.

What a recipe or a script needs is here: ``package_set``, ``build_python_package``,
``fetch_pypi``, ``fetch_url``, ``local_source``, ``derivation``, ``realise``, ``Store`` and
the types they take and return, for a script's annotations: ``PackageSet``, ``PythonForSet``
(``pkgs.python``), ``Environment`` (what its ``with_packages`` makes), ``PythonPackage``,
``LocalSource``, ``Derivation``, ``BuildOptions``, ``BuildResult`` and its ``Status`` (what
``realise`` returns), and ``PybuildError``, the base of every error pybuild raises.

The public names are loaded on first use, so that ``import pybuild`` (and every command) pays
only for what it touches.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing costs more to import than the console script's fast path

__version__ = "0.1.0"

_PUBLIC = {
    "package_set": "pybuild.pkgset",
    "PackageSet": "pybuild.pkgset",
    "build_python_package": "pybuild.python.package",
    "PythonPackage": "pybuild.python.package",
    "PythonForSet": "pybuild.python.environment",
    "Environment": "pybuild.python.environment",
    "fetch_pypi": "pybuild.fetchers",
    "fetch_url": "pybuild.fetchers",
    "local_source": "pybuild.localsource",
    "LocalSource": "pybuild.localsource",
    "Derivation": "pybuild.derivations",
    "derivation": "pybuild.derivations",
    "realise": "pybuild.realiser",
    "BuildOptions": "pybuild.realiser",
    "BuildResult": "pybuild.results",
    "Status": "pybuild.results",
    "Store": "pybuild.store",
    "PybuildError": "pybuild.errors",
}

__all__ = sorted(_PUBLIC)

if TYPE_CHECKING:
    from typing import Any

    from .derivations import Derivation as Derivation
    from .derivations import derivation as derivation
    from .errors import PybuildError as PybuildError
    from .fetchers import fetch_pypi as fetch_pypi
    from .fetchers import fetch_url as fetch_url
    from .localsource import LocalSource as LocalSource
    from .localsource import local_source as local_source
    from .pkgset import PackageSet as PackageSet
    from .pkgset import package_set as package_set
    from .python.environment import Environment as Environment
    from .python.environment import PythonForSet as PythonForSet
    from .python.package import PythonPackage as PythonPackage
    from .python.package import build_python_package as build_python_package
    from .realiser import BuildOptions as BuildOptions
    from .realiser import realise as realise
    from .results import BuildResult as BuildResult
    from .results import Status as Status
    from .store import Store as Store


def __getattr__(name: str) -> Any:
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'pybuild' has no attribute {name!r}")
    import importlib  # here: importing it loads warnings, which no command's fast path needs

    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return [*globals(), *__all__]
