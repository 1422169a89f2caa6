"""Manifests: what a profile generation holds, written beside it as ``<name>-<N>.json``.

The manifest records, for each package, the attribute asked for, the name and version it
gave, its output, and the recipe folders and overlays it was evaluated with (or the Python
file it is an attribute of), so ``upgrade`` evaluates it again against the current recipes.
The interpreter is recorded too and never changes: every generation of a profile uses the one
its first generation used.

pybuild's own recipe folder and overlays are recorded by name (``pybuild:recipes/…``), not by
where they lie, so a profile survives an upgrade or a move of pybuild.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from .links import MANIFEST_FORMAT, environment_of

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["Entry", "Manifest", "normalise_name"]


@dataclass(frozen=True)
class Entry:
    """One package asked for: the attribute, what it evaluated to, and where from."""

    attr: str
    pname: str
    version: str
    out: str  # store basename of the package's output
    recipes: tuple[str, ...] | None = None  # None: the default recipes
    overlays: tuple[str, ...] = ()
    file: str | None = None  # the Python file it is an attribute of (``install -f``), if any

    @property
    def key(self) -> str:
        """The distribution name, normalised: one entry per distribution in a profile."""
        return normalise_name(self.pname)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "attr": self.attr,
            "pname": self.pname,
            "version": self.version,
            "out": self.out,
            "recipes": [_named(r) for r in self.recipes] if self.recipes is not None else None,
            "overlays": [_named(o) for o in self.overlays],
        }
        if self.file is not None:  # only then: manifests of the set's packages stay as they were
            data["file"] = self.file
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Entry:
        recipes = data.get("recipes")
        return cls(
            attr=str(data["attr"]),
            pname=str(data["pname"]),
            version=str(data["version"]),
            out=str(data["out"]),
            recipes=tuple(map(_located, recipes)) if recipes is not None else None,
            overlays=tuple(_located(o) for o in data.get("overlays") or ()),
            file=str(data["file"]) if data.get("file") is not None else None,
        )


@dataclass(frozen=True)
class Manifest:
    """What a generation holds: its environment, interpreter and the packages asked for."""

    environment: str  # store basename
    python: dict[str, str]  # executable, version, identity
    packages: tuple[Entry, ...]
    action: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "version": MANIFEST_FORMAT,
            "environment": self.environment,
            "python": dict(self.python),
            "packages": [e.to_json() for e in self.packages],
            "action": self.action,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Manifest:
        return cls(
            environment=environment_of(data),
            python={k: str(v) for k, v in dict(data["python"]).items()},
            packages=tuple(Entry.from_json(e) for e in data["packages"]),
            action=str(data.get("action", "")),
        )


_SHIPPED = "pybuild:"  # a manifest names pybuild's own folders so, not by where they lie
# Where they lay before they moved to the top of the repository: old manifests name them so.
_OLD_SHIPPED = (f"{os.sep}pybuild{os.sep}recipes", f"{os.sep}pybuild{os.sep}overlays{os.sep}")


def _named(path: str) -> str:
    """A recipe folder or overlay file as a manifest records it: pybuild's own by name (so a
    profile survives an upgrade or a move of pybuild), any other by its absolute path."""
    from ..bundled import shipped

    for name in ("recipes", "overlays"):
        folder = shipped(name)  # None where this installation lacks it: then it is not this
        if folder is not None and Path(path).is_relative_to(folder):
            return _SHIPPED + "/".join([name, *Path(path).relative_to(folder).parts])
    return path


def _located(text: str) -> str:
    """The path a manifest's name stands for (see :func:`_named`); a shipped folder this
    installation lacks is the error that says so, raised only for a manifest that names it."""
    from ..bundled import default_recipes, example_overlays

    folders = {"recipes": default_recipes, "overlays": example_overlays}
    if text.startswith(_SHIPPED):
        name, *rest = text.removeprefix(_SHIPPED).split("/")
        return str(folders[name]().joinpath(*rest))
    if not os.path.exists(text):
        old_recipes, old_overlays = _OLD_SHIPPED
        if text.endswith(old_recipes):
            return str(default_recipes())
        if old_overlays in text:
            return str(example_overlays() / text.rsplit(old_overlays, 1)[1])
    return text


def normalise_name(name: str) -> str:
    """A distribution name as PEP 503 compares it: one entry per distribution."""
    return re.sub(r"[-_.]+", "-", name).lower()
