"""Project names and the set's attribute names: ``Markdown-It.py`` is ``markdown_it_py``.

A generated recipe is an attribute named after its project (canonical name, ``-`` and ``.``
as ``_``), as the hand-written recipes are; a release taken from the index although the set has
a recipe of the project is named with its version too (:func:`version_attr`). A set may also
hold other versions of a project under a suffixed name (``flit_core_3``, ``numpy_1``);
:func:`set_recipes` finds them all, so a requirement such as ``flit_core<4`` can be met by the
variant that fits.
"""

from __future__ import annotations

import keyword
import weakref
from collections.abc import Iterator
from typing import Any

from packaging.utils import canonicalize_name

from ..lazy import force

__all__ = ["attr_name", "set_attrs", "set_recipes", "version_attr"]


def attr_name(project: str) -> str:
    """The attribute name for a project.

    Example::

        >>> attr_name("Markdown-It.py")
        'markdown_it_py'
    """
    attr = str(canonicalize_name(project)).replace("-", "_")
    if not attr.isidentifier():
        attr = f"pkg_{attr}"
    return f"{attr}_" if keyword.iskeyword(attr) else attr


def version_attr(project: str, version: object) -> str:
    """The attribute of a release taken from the index for a project the set has a recipe
    for: its own name, so both can be in the store at once.

    Example::

        >>> version_attr("python-dateutil", "2.9.0.post0")
        'python_dateutil_2_9_0_post0'
    """
    slug = "".join(c if c.isalnum() else "_" for c in str(version).lower())
    return f"{attr_name(project).rstrip('_')}_{slug}"


def set_attrs(pkgs: Any, project: str) -> list[str]:
    """The attributes that may hold recipes of `project`: its plain name, then variants
    (``<attr>_<digits>``); nothing is evaluated."""
    base = attr_name(project)
    prefix = f"{base}_"
    variants = sorted(
        n
        for n in pkgs.names()
        if n.startswith(prefix) and n[len(prefix) :].replace("_", "").isdigit()
    )
    return ([base] if base in pkgs else []) + variants


def set_recipes(
    pkgs: Any, project: str, unsupported: dict[str, str] | None = None
) -> Iterator[tuple[str, Any]]:
    """``(attribute, package)`` for each recipe of `project` in the set, plain name first.

    Evaluated one at a time, as they are asked for, so a variant that cannot be evaluated
    here (its file is not on this index) costs nothing unless the plain recipe does not fit;
    such a variant is skipped, while the plain recipe's errors are the user's to see.

    A recipe the set's interpreter cannot have (its release, or an input's, excludes it:
    :class:`~pybuild.errors.UnsupportedInterpreter`, *unsupported* in ``build --all``) is
    skipped too, its reason kept in `unsupported` by attribute: the index may have a release
    that fits, as uv would pick one (the set's soupsieve needs Python 3.11; on 3.10 a
    request that needs it gets an older release, and so does one that needs beautifulsoup4,
    whose recipe takes that soupsieve).
    """
    from ..errors import PybuildError, UnsupportedInterpreter
    from ..python.package import PythonPackage

    wanted = canonicalize_name(project)
    known = _unsupported.setdefault(pkgs, {})
    for i, name in enumerate(set_attrs(pkgs, project)):
        reason = known.get(name)
        if reason is None:
            try:
                value = force(pkgs[name])
                if isinstance(value, PythonPackage):
                    _derivation(value)
            except UnsupportedInterpreter as exc:
                reason = known[name] = exc.args[0]  # without the hint to build elsewhere
            except PybuildError:
                if i == 0 and name == attr_name(project):
                    raise
                continue
        if reason is not None:
            if unsupported is not None:
                unsupported[name] = reason
            continue
        if isinstance(value, PythonPackage) and canonicalize_name(value.pname) == wanted:
            yield name, value


# By set, its recipes the set's interpreter cannot have, with the reason: the resolver asks
# for a project's recipes at every step, and such a recipe raises only once evaluated again
# (a set keeps the values it evaluated, not its errors).
_unsupported: weakref.WeakKeyDictionary[Any, dict[str, str]] = weakref.WeakKeyDictionary()


def _derivation(pkg: Any) -> Any:
    """`pkg`'s derivation, which names every input (build tools, dependencies, test tools, at
    any depth), so that :class:`~pybuild.errors.UnsupportedInterpreter` is raised if one of
    them is unsupported by the set's interpreter; None when it cannot be made for another
    reason, which is for its build to report."""
    from ..errors import PybuildError, UnsupportedInterpreter

    try:
        return pkg.drv
    except UnsupportedInterpreter:
        raise
    except PybuildError:
        return None
