"""An sdist's build environment: the set's build tools, else tools taken from the index.

The set's own recipes meet most ``[build-system]`` tables (:func:`.buildsystem.build_tools`).
When they cannot (a backend plug-in the set lacks, such as ``hatch-vcs``, or a pin below the
set's version, such as ``setuptools_scm<8``), the requirements are resolved like any other,
the set's recipes preferred and the index's releases taken where those do not fit, as a
separate environment (pip's build isolation): what the build needs never constrains what the
package needs at run time. Build tools taken from the index come from their wheels, as the
set's own build tools do, so no build needs another build's backend first.

The same environment prepares an sdist's metadata when its backend must be asked (an old
``PKG-INFO``) while a resolution is still choosing versions (:func:`tool_packages`): numpy
1.26.4 pins ``Cython<3.1`` where the set has Cython 3, and the backend could not run at all
with the set's tools alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from packaging.utils import canonicalize_name

from .buildsystem import BuildSystem, applicable_requirements, build_tools
from .errors import GenerateError, MissingBuildBackend, NotOnIndex
from .names import version_attr
from .releases import Releases
from .resolver import Chosen, Req, resolve

__all__ = ["BuildEnv", "build_env", "tool_packages"]


@dataclass
class BuildEnv:
    """The build tools of an sdist: their attributes, and the releases of the index among them.

    `set_used` maps each project met by a recipe of the set to ``(attribute, version)``;
    `generated` is every project of the index the environment needs (the tools and what they
    need at run time), to be pinned to its wheel.
    """

    attrs: list[str]
    set_used: dict[str, tuple[str, str]] = field(default_factory=dict)
    generated: dict[str, Chosen] = field(default_factory=dict)
    chosen: dict[str, Chosen] = field(default_factory=dict)
    tools: list[Any] = field(default_factory=list)  # the set's tools, when they are enough

    def includes(self, name: str) -> bool:
        """Whether project `name` is among the tools or what they need at run time (then it
        cannot be built from its sdist: it would need itself)."""
        return name in self.chosen or any(
            canonicalize_name(p.pname) == name for t in self.tools for p in [t, *t.runtime_closure]
        )


def build_env(
    pkgs: Any,
    system: BuildSystem,
    releases: Releases,
    label: str,
    taken: Mapping[str, str],
) -> BuildEnv:
    """The build environment of `label`'s sdist; `taken` maps the attributes already given
    to generated packages to their versions, so a build tool at another version is named
    with its version instead (``hatch_vcs_0_4_0``). Raises :class:`MissingBuildBackend` when
    neither the set nor the index can meet the build requirements."""
    try:
        tools = build_tools(pkgs, system, releases.env, label)
    except MissingBuildBackend as missing:
        return _from_index(pkgs, system, releases, label, taken, missing)
    used = {str(canonicalize_name(p.pname)): (a, p.version) for a, p in tools}
    return BuildEnv([a for a, _ in tools], used, tools=[p for _, p in tools])


def tool_packages(pkgs: Any, system: BuildSystem, releases: Releases, label: str) -> list[Any]:
    """The packages of `label`'s build environment, to run its backend before any plan is made
    (to prepare its metadata): the set's tools, else the index's, generated as recipes pinned
    to their wheels, as the build will have them."""
    env = build_env(pkgs, system, releases, label, {})
    if not env.chosen:
        return env.tools
    from .plan import tools_plan  # these import this module: a plan's pins are made here
    from .pypi import instantiate

    get = instantiate(pkgs, tools_plan(pkgs, releases, env))
    return [get(attr) for attr in env.attrs]


def _from_index(
    pkgs: Any,
    system: BuildSystem,
    releases: Releases,
    label: str,
    taken: Mapping[str, str],
    missing: MissingBuildBackend,
) -> BuildEnv:
    roots = [
        Req.of(req, f"{label}'s [build-system]")
        for _, req in applicable_requirements(system, releases.env, label)
    ]
    try:
        chosen = resolve(releases, pkgs, roots, build=True)
    except GenerateError as exc:
        # why, without hints: a name the sdist asks for is no typo of the user's to check
        why = exc.unsuggested if isinstance(exc, NotOnIndex) else exc.args[0]
        index = why.replace("\n", "\n  ")
        raise MissingBuildBackend(
            missing.package, missing.requirement, missing.found, index
        ) from None
    for entry in chosen.values():
        version = str(entry.version)
        if entry.origin == "index" and taken.get(entry.attr, version) != version:
            entry.attr = version_attr(entry.name, entry.version)
    env = BuildEnv(list(dict.fromkeys(chosen[r.name].attr for r in roots)), chosen=chosen)
    for name, entry in chosen.items():
        if entry.origin == "set":
            env.set_used[name] = (entry.attr, str(entry.version))
        else:
            env.generated[name] = entry
    return env
