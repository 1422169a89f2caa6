"""An sdist's build system, met by the set's own build tools.

The ``[build-system]`` table of ``pyproject.toml`` names a backend and its requirements; each
requirement becomes a recipe of the set (``setuptools``, ``flit_core_3``, ``hatchling``, …)
whose version satisfies it, so generated recipes build offline exactly as hand-written ones do.
A requirement the set cannot meet is an error naming it and how to add it.

The build environment (these tools, else tools from the index: :mod:`.buildenv`) answers
``prepare_metadata_for_build_wheel`` for an sdist whose ``PKG-INFO`` cannot be trusted and
whose ``[project]`` table leaves its requirements dynamic (:mod:`.projecttable`): the tools
are realised into the store and the hook runs in a scratch folder with the set's interpreter,
a cleared environment and no working proxy, like a build. What the backend prints, and the
warnings pyproject-hooks passes on from it (setuptools' deprecation notices fill a terminal
when a resolver tries dozens of old sdists), is kept, not shown: it is the reason given when
the hook fails, and printed as it comes only with ``-v`` (:func:`show_backend_output`).
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
import tomllib
import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement

from .errors import MetadataError, MissingBuildBackend
from .names import set_recipes

__all__ = [
    "LEGACY_BACKEND",
    "BuildSystem",
    "build_tools",
    "prepare_metadata",
    "read_build_system",
    "show_backend_output",
]

LEGACY_BACKEND = "setuptools.build_meta:__legacy__"  # PEP 517's fallback: setup.py alone
_CLOSED_PROXY = "http://127.0.0.1:9"
_TAIL = 20
_SHOWN = {"output": False}  # -v: a backend's output goes to stderr as well


def show_backend_output(on: bool) -> None:
    """Print what a build backend says while it prepares metadata (``-v``); otherwise it is
    kept for the error when the hook fails, since a resolution may prepare many sdists and
    their backends' deprecation notices would bury the result."""
    _SHOWN["output"] = on


@dataclass(frozen=True)
class BuildSystem:
    """``[build-system]``: requirements, backend and in-tree backend path (PEP 517/518)."""

    requires: tuple[str, ...]
    backend: str
    backend_path: tuple[str, ...] = ()

    def to_json(self) -> dict[str, object]:
        return {
            "requires": list(self.requires),
            "backend": self.backend,
            "backend_path": list(self.backend_path),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> BuildSystem:
        return cls(tuple(data["requires"]), str(data["backend"]), tuple(data["backend_path"]))


def read_build_system(pyproject: str | None, where: str) -> BuildSystem:
    """The build system an sdist declares, with PEP 517's fallback to setuptools."""
    data: dict[str, Any] = {}
    if pyproject is not None:
        try:
            data = tomllib.loads(pyproject)
        except tomllib.TOMLDecodeError as exc:
            raise MetadataError(f"{where}: pyproject.toml is not valid TOML: {exc}") from None
    table = data.get("build-system", {})
    requires = table.get("requires", ["setuptools>=40.8.0"])
    if not isinstance(requires, list) or not all(isinstance(r, str) for r in requires):
        raise MetadataError(f"{where}: [build-system] requires must be a list of strings")
    backend = str(table.get("build-backend") or LEGACY_BACKEND)
    if backend.startswith("hatchling."):
        requires = [*requires, *_hatch_hook_requirements(data)]
    path = table.get("backend-path", [])
    return BuildSystem(tuple(requires), backend, tuple(str(p) for p in path))


def _hatch_hook_requirements(data: Mapping[str, Any]) -> list[str]:
    """What hatchling's ``get_requires_for_build_wheel`` adds: the ``dependencies`` of each
    enabled build hook (``[tool.hatch.build.hooks.X]``, or the wheel target's). A build runs
    that hook offline, so what it asks for must be in the plan (jupyterlab-widgets builds
    with hatch-jupyter-builder), and hatchling writes it down statically for us to read."""
    build = data.get("tool", {}).get("hatch", {}).get("build", {})
    wheel = build.get("targets", {}).get("wheel", {})
    found: list[str] = []
    for hooks in (build.get("hooks", {}), wheel.get("hooks", {})):
        for hook in hooks.values() if isinstance(hooks, dict) else ():
            if not isinstance(hook, dict) or hook.get("enable-by-default", True) is False:
                continue
            deps = hook.get("dependencies", [])
            found += [d for d in deps if isinstance(d, str)] if isinstance(deps, list) else []
    return found


def applicable_requirements(
    system: BuildSystem, env: Mapping[str, str], package: str
) -> list[tuple[str, Requirement]]:
    """The build requirements whose markers hold in `env`, each with the text it was written
    as (errors quote it); a requirement that does not parse is the sdist's error."""
    applicable = []
    for text in system.requires:
        try:
            req = Requirement(text)
        except InvalidRequirement as exc:
            raise MetadataError(
                f"{package}: bad [build-system] requirement {text!r}: {exc}"
            ) from None
        if req.marker is None or req.marker.evaluate({**env, "extra": ""}):
            applicable.append((text, req))
    return applicable


def build_tools(
    pkgs: Any, system: BuildSystem, env: Mapping[str, str], package: str
) -> list[tuple[str, Any]]:
    """``(attribute, package)`` of the set for each build requirement that applies in `env`.

    The plain recipe wins when it satisfies the requirement, else the first variant that does
    (``flit_core<4`` takes ``flit_core_3``). Raises :class:`MissingBuildBackend` otherwise.
    """
    chosen: dict[str, Any] = {}
    for text, req in applicable_requirements(system, env, package):
        fitting = next(
            (
                (attr, pkg)
                for attr, pkg in set_recipes(pkgs, req.name)
                if req.specifier.contains(pkg.version, prereleases=True)
            ),
            None,
        )
        if fitting is None:
            found = ", ".join(f"{a} {p.version}" for a, p in set_recipes(pkgs, req.name))
            raise MissingBuildBackend(package, text, found or None)
        chosen.setdefault(*fitting)
    return list(chosen.items())


def prepare_metadata(
    pkgs: Any, source: Path, system: BuildSystem, package: str, tools: Sequence[Any]
) -> str:
    """The ``METADATA`` the backend would write, from an unpacked sdist at `source`.

    Runs ``get_requires_for_build_wheel`` and ``prepare_metadata_for_build_wheel`` (falling
    back to ``build_wheel``, as pyproject-hooks does, for backends without it) with the build
    `tools` (packages of `pkgs`) and nothing else importable, and their programs first on
    ``PATH``, as in a build: meson-python runs meson, which runs ``cython``, even for this.
    """
    from pyproject_hooks import BackendUnavailable, BuildBackendHookCaller, HookMissing

    from ..store import Store

    closure = list({p.drv.drv_name: p for t in tools for p in [t, *t.runtime_closure]}.values())
    store = Store.default()
    _realise_tools(closure, store, package)
    python = pkgs.interpreter
    outputs = [p.drv.path(store=store) for p in closure]
    sites = [f"{out}/{python.site_packages}" for out in outputs]
    bins = [f"{out}/bin" for out in outputs if Path(out, "bin").is_dir()]
    with tempfile.TemporaryDirectory(prefix="pybuild-metadata-") as scratch:
        runner = _Runner(Path(scratch), sites, bins, python)
        hooks = BuildBackendHookCaller(
            str(source),
            system.backend,
            list(system.backend_path) or None,
            runner=runner,
            python_executable=python.executable,
        )
        try:
            with _backend_warnings(runner):
                hooks.get_requires_for_build_wheel()
                out = Path(scratch) / "metadata"
                out.mkdir()
                dist_info = hooks.prepare_metadata_for_build_wheel(str(out), _allow_fallback=True)
            return (out / dist_info / "METADATA").read_text(encoding="utf-8")
        except (BackendUnavailable, HookMissing) as exc:
            raise MetadataError(
                f"{package}: its build backend {system.backend} cannot be loaded from its"
                f" build tools ({exc})"
            ) from None
        except subprocess.CalledProcessError:
            raise MetadataError(
                f"{package}: {system.backend} failed to prepare the metadata:\n"
                + "\n".join("    " + line for line in runner.output.splitlines()[-_TAIL:])
            ) from None


def _realise_tools(closure: Sequence[Any], store: Any, package: str) -> None:
    """Build or fetch the build tools' `closure`, under the user's settings (caches, builders,
    jobs, timeouts), as a build is. A tool that fails to build fails `package`'s metadata,
    named so: the tool's error alone (Cython 0.29.37's, for msgpack 1.0.5 on 3.12) left the
    user to find out which release needed it, and the resolver then names who requires
    that one and what else to take. A builder that cannot run at all is the machine's
    problem, no release's, and is left as it is."""
    from ..errors import BuildError, CannotRunBuilder
    from ..realiser import BuildOptions, realise

    with open(os.devnull, "w") as quiet:
        try:
            realise([p.drv for p in closure], store, BuildOptions.from_settings(log=quiet))
        except CannotRunBuilder:
            raise
        except BuildError as exc:
            error = MetadataError(
                f"{package}: a build tool of its sdist, needed to prepare its metadata, failed"
                f" to build: {exc.args[0]}"
            )
            error.hint = exc.hint
            raise error from None


@contextlib.contextmanager
def _backend_warnings(runner: _Runner) -> Iterator[None]:
    """Collect the warnings pyproject-hooks re-raises in this process for the backend
    (``BuildBackendWarning``) into the runner's output instead of stderr: they are the
    backend's output too, and as noisy."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            yield
        finally:
            for found in caught:
                runner.say(f"{found.category.__name__}: {found.message}\n")


class _Runner:
    """Runs a hook with the build tools as site dirs and their ``bin`` folders first on
    ``PATH``, in a cleared environment (offline)."""

    def __init__(self, scratch: Path, sites: list[str], bins: list[str], python: Any) -> None:
        from ..python.builder.phasevenv import make_venv

        self.python = str(make_venv(scratch / "venv", sites, python.executable, python.version_xy))
        self.path = os.pathsep.join([*bins, os.environ.get("PATH", "/usr/bin:/bin")])
        self.scratch = scratch
        self.output = ""

    def __call__(
        self,
        cmd: Sequence[str],
        cwd: str | None = None,
        extra_environ: Mapping[str, str] | None = None,
    ) -> None:
        home = self.scratch / "home"
        env = {
            **(extra_environ or {}),
            "PATH": self.path,
            "HOME": str(home),
            "TMPDIR": str(self.scratch),
            "SOURCE_DATE_EPOCH": "315532800",
            "PYTHONNOUSERSITE": "1",
        }
        for var in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy"):
            env[var] = _CLOSED_PROXY
        result = subprocess.run(
            [self.python, *cmd[1:]],
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.say(result.stdout)
        result.check_returncode()

    def say(self, text: str) -> None:
        """Keep what the backend said, and print it too with ``-v``."""
        self.output += text
        if _SHOWN["output"] and text:
            print(text, end="" if text.endswith("\n") else "\n", file=sys.stderr)
