"""Where the folders shipped beside the library are: the default set and the example overlays.

In the repository they sit at the top, beside ``pybuild/`` (``recipes/``, ``overlays/``), as
nixpkgs sits beside Nix: they are what people read and copy, not the library's internals. A
wheel or an editable install ships them as the package data ``pybuild.recipes`` and
``pybuild.overlays`` (``[tool.setuptools.package-dir]`` maps them), and a clone used straight
from ``PYTHONPATH`` has them at the top of the checkout; both are found here.

Example::

    >>> (default_recipes() / "six.py").is_file(), (example_overlays() / "scipy_older.py").is_file()
    (True, True)
"""

from __future__ import annotations

import functools
import importlib.util
from pathlib import Path

__all__ = ["default_recipes", "example_overlays", "shipped", "with_default_set"]


def default_recipes() -> Path:
    """The folder of the default package set; a :class:`~pybuild.errors.UsageError` when
    this installation lacks it (a wheel built without its package data), raised only where
    the default set is needed: a set of the user's folders alone does without it."""
    return _required("recipes")


def with_default_set(folders: list[str], no_default: bool) -> list[str] | None:
    """The recipe folders a command line names, each once: absolute `folders` on top of the
    default set, or alone with `no_default`; None for the default set alone."""
    if no_default:
        return list(dict.fromkeys(folders))
    if not folders:
        return None
    return list(dict.fromkeys([str(default_recipes()), *folders]))


def example_overlays() -> Path:
    """The folder of the worked overlay examples (a UsageError when it is missing, as for
    :func:`default_recipes`)."""
    return _required("overlays")


# What to do when a folder is missing: a hint that works, since --recipes alone adds to the
# default set, which is missing too.
_HINTS = {
    "recipes": "reinstall pybuild with its package data, or leave the default set out: "
    "--no-default-recipes --recipes DIR",
    "overlays": "reinstall pybuild with its package data",
}


def _required(name: str) -> Path:
    folder = shipped(name)
    if folder is not None:
        return folder
    from .errors import UsageError

    error = UsageError(f"pybuild's {name} folder is missing from this installation")
    error.hint = _HINTS[name]
    raise error


@functools.cache
def shipped(name: str) -> Path | None:
    """The shipped folder `name` (``"recipes"`` or ``"overlays"``), or None when this
    installation lacks it: for the questions a missing folder answers without an error (is
    this file one of the default recipes?), above all while another error is described."""
    # This library's own checkout first: another pybuild installed beside it must not answer.
    root = Path(__file__).resolve().parent.parent
    if (root / "pyproject.toml").is_file() and (root / name).is_dir():
        return root / name
    spec = importlib.util.find_spec(f"pybuild.{name}")
    if spec is not None and spec.submodule_search_locations:
        return Path(next(iter(spec.submodule_search_locations)))
    return None
