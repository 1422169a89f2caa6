"""The in-build Python builder's phases, run by ``python -S __main__.py`` with ``$PYBUILD_ATTRS``
(JSON).

It runs inside a build, in a cleared environment, with the standard library and the toolchain
(installer, pyproject-hooks, packaging, unpacked by :mod:`toolchain`) on ``PYTHONPATH``; ``-S``
keeps the interpreter's own site-packages out, so every build tool comes from the store. What
a phase runs (the build backend, the imports check, the test suite) runs in a venv-like
interpreter of the build folder (:mod:`phasevenv`) that sees the standard library and that
phase's declared inputs only, and so does every ``sys.executable`` subprocess it starts. The
phases are those of nixpkgs' buildPythonPackage, each logged and each naming itself on failure:
unpack, patch (the recipe's patches, by ``patch -p1``), build (PEP 517, no isolation), install
(installer; then ``relax_deps``/``remove_deps``), bytecode, runtime deps check (the wheel's
requirements against what the recipe supplies, as nixpkgs' pythonRuntimeDepsCheckHook),
scripts check (every console script's module is there), imports check, check. The recipe's
shell hooks (:mod:`hooks`) run around them, and the ``bin`` folders of ``build_system`` and
``native_build_inputs`` (with their closures) are on ``PATH`` throughout.
"""

import json
import os
import shutil
import subprocess
import sys
import traceback
import warnings
import zipfile
from pathlib import Path

from bytecode import build_cores, compile_tree  # siblings: this folder is sys.path[0]
from hooks import hook_env, run_hook
from phasenames import PHASES
from phasevenv import make_venv
from relax import RelaxError, relax_installed
from scripts import EscapingPath, PybuildDestination
from unpack import unpack


class PhaseFailed(Exception):
    """A phase could not do its work; the message says why."""


def main() -> int:
    attrs = json.loads(os.environ["PYBUILD_ATTRS"])
    out = Path(os.environ["out"])  # noqa: SIM112 - Nix names outputs in lower case
    work = Path(os.environ["PYBUILD_BUILD_TOP"])
    functions = {
        "unpack": unpack_phase,
        "patch": patch_phase,
        "build": build_phase,
        "install": install_phase,
        "bytecode": bytecode_phase,
        "runtime deps check": runtime_deps_check_phase,
        "scripts check": scripts_check_phase,
        "imports check": imports_check_phase,
        "check": check_phase,
    }
    os.environ["PATH"] = _tool_path(attrs)
    state: dict[str, object] = {}
    for name in PHASES:
        phase = functions[name]
        if name in attrs.get("skip_phases", []):
            print(f"pybuild: skipping phase {name}", flush=True)
            continue
        print(f"pybuild: phase {name}", flush=True)
        try:
            phase(attrs, out, work, state)
        except PhaseFailed as exc:
            print(f"pybuild: phase {name} failed: {exc}", flush=True)
            return 1
        except Exception as exc:  # the log shows where; the last line names the phase
            traceback.print_exc(file=sys.stdout)
            print(f"pybuild: phase {name} failed: {type(exc).__name__}: {exc}", flush=True)
            return 1
    return 0


def unpack_phase(attrs: dict, out: Path, work: Path, state: dict) -> None:
    src = Path(attrs["src"])
    if attrs["format"] == "wheel":
        if not src.name.endswith(".whl"):
            raise PhaseFailed(f"format='wheel' needs a .whl source, got {src.name}")
        # The store name is <hash>-<file name>, unless the file's name cannot be one (an
        # epoch's "!"): then src_name is it. installer reads the wheel's fields from it.
        dist = work / "dist"
        dist.mkdir()
        state["wheel"] = dist / attrs.get("src_name", src.name.split("-", 1)[1])
        os.symlink(src, state["wheel"])
        return
    if src.name.endswith(".whl"):
        raise PhaseFailed(_NOT_A_SOURCE_TREE.format(what=f"src {src.name.split('-', 1)[1]}"))
    if src.is_dir():
        tree = work / "source"
        shutil.copytree(src, tree, symlinks=True)
        for path in [tree, *tree.rglob("*")]:
            if not path.is_symlink():
                path.chmod(path.stat().st_mode | 0o200)
        state["source"] = tree
    else:
        dest = work / "unpacked"
        dest.mkdir()
        state["source"] = unpack(src, dest)
    _check_source_tree(Path(state["source"]))
    print(f"pybuild: source in {state['source']}", flush=True)


# A wheel where a source tree goes: a backend would build something else from it (setuptools'
# fallback, a release 0.0.0 without the wheel's modules), which no check after can explain.
_NOT_A_SOURCE_TREE = (
    "{what} is a built wheel, not a source tree to build: install it with format='wheel',"
    " or give the sdist as src"
)


def _check_source_tree(source: Path) -> None:
    """A tree with no build configuration but a ``.dist-info`` (a wheel's files, unpacked)
    is refused, as a ``.whl`` source is."""
    if any((source / name).is_file() for name in ("pyproject.toml", "setup.py", "setup.cfg")):
        return
    found = sorted(p.name for p in source.glob("*.dist-info"))
    if found:
        raise PhaseFailed(_NOT_A_SOURCE_TREE.format(what=f"src ({found[0]} in it)"))


def patch_phase(attrs: dict, out: Path, work: Path, state: dict) -> None:
    """The recipe's patches, each by ``patch -p1`` in the source tree (as nixpkgs' patchPhase),
    in order; then the ``post_patch`` hook. A patch that does not apply fails the build: a
    half-patched source would build something nobody wrote."""
    for patch in attrs.get("patches", []):
        name = Path(patch).name.split("-", 1)[1]  # the store name is <hash>-<name>
        print(f"pybuild: applying {name}", flush=True)
        command = ["patch", "-p1", "--force", "--no-backup-if-mismatch", "-i", patch]
        try:
            subprocess.run(command, cwd=state["source"], check=True)
        except FileNotFoundError:
            raise PhaseFailed(
                "the patch program is not on PATH; install GNU patch (/usr/bin/patch)"
            ) from None
        except subprocess.CalledProcessError:
            raise PhaseFailed(
                f"{name} does not apply to {Path(state['source']).name} (patch's output is"
                " above); update the patch for this version, or drop it if upstream has it"
            ) from None
    _run_hook("post_patch", attrs, out, work, state)


def build_phase(attrs: dict, out: Path, work: Path, state: dict) -> None:
    _run_hook("pre_build", attrs, out, work, state)
    if "wheel" in state:
        return
    from pyproject_hooks import BuildBackendHookCaller

    source = Path(state["source"])
    backend, backend_path, requires = _build_system(source)
    site_dirs = _sites(attrs, _build_closure(attrs))
    _check_requirements(requires, site_dirs, what=f"[build-system] requires of {source.name}")
    env = _reproducible_cflags(work)
    python = make_venv(work / "venv-build", site_dirs)
    hooks = BuildBackendHookCaller(
        str(source), backend, backend_path, runner=_runner(env), python_executable=str(python)
    )
    settings = attrs.get("config_settings") or None
    dist = work / "dist"
    dist.mkdir()
    print(f"pybuild: building a wheel with {backend}", flush=True)
    try:
        wheel = hooks.build_wheel(str(dist), settings)
    except subprocess.CalledProcessError as exc:  # the backend's own output says why, above
        _explain_build_failure(hooks, settings, site_dirs, backend, env)
        raise PhaseFailed(
            f"{backend} could not build a wheel (exit status {exc.returncode}); its output,"
            " above, says why"
        ) from None
    except Exception:
        _explain_build_failure(hooks, settings, site_dirs, backend, env)
        raise
    state["wheel"] = dist / wheel


def _explain_build_failure(hooks, settings, site_dirs: list, backend: str, env: dict) -> None:
    """After a failed ``build_wheel``: if the backend's ``get_requires_for_build_wheel`` names
    requirements the build closure lacks, fail naming them (a plainer cause than the backend's
    traceback); otherwise return, and the original failure stands.

    The hook is asked only now: a build's inputs are fixed by its derivation and its sandbox,
    so on success the answer could change nothing (pip and uv with --no-build-isolation do not
    ask either), and asking costs a whole interpreter importing the backend again."""
    print("pybuild: build_wheel failed; asking the backend what it needs", flush=True)
    # Quietly: the backend's output, and its warnings, which pyproject-hooks replays in this
    # process (setuptools' boxed deprecations), would push the failure out of the log's tail.
    try:
        with hooks.subprocess_runner(_runner(env, quiet=True)), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            extra = hooks.get_requires_for_build_wheel(settings)
    except Exception:  # the backend cannot say: its build_wheel failure is the one to show
        return
    _check_requirements(list(extra), site_dirs, what=f"{backend}'s get_requires_for_build_wheel")


def _runner(env: dict, quiet: bool = False):
    """How pyproject-hooks runs the backend: with the build's environment (`env`), a home of
    its own, and not the builder's ``PYTHONPATH`` (the toolchain is the builder's, not the
    backend's); `quiet` keeps its output out of the log."""

    def run(cmd, cwd=None, extra_environ=None):
        full_env = {**os.environ, **(extra_environ or {}), **env, "HOME": _home()}
        full_env.pop("PYTHONPATH", None)
        subprocess.run(cmd, cwd=cwd, env=full_env, check=True, capture_output=quiet)

    return run


def _reproducible_cflags(work: Path) -> dict:
    """Compilers record the build folder (debug info, __FILE__); name it /build instead, so a
    C extension is the same whatever the store's location and the temporary folder's name.

    The flag is a preprocessor's (CPPFLAGS), which setuptools, meson and autotools add to
    their own: setuptools takes CFLAGS instead of the interpreter's flags (-DNDEBUG -O3 …),
    so a CFLAGS of this flag alone compiled every extension unoptimised, its C asserts on.
    CFLAGS and CXXFLAGS a recipe gives (its env) get it too, for the tools that read them
    alone (CMake)."""
    flag = f"-ffile-prefix-map={work}=/build"
    names = ["CPPFLAGS", *(var for var in ("CFLAGS", "CXXFLAGS") if var in os.environ)]
    return {var: f"{os.environ.get(var, '')} {flag}".strip() for var in names}


def install_phase(attrs: dict, out: Path, work: Path, state: dict) -> None:
    site = out / attrs["site_packages"]
    scheme = {
        "purelib": str(site),
        "platlib": str(site),
        "scripts": str(out / "bin"),
        "data": str(out),
        "headers": str(out / "include" / attrs["pname"]),
    }
    destination = PybuildDestination(
        scheme,
        interpreter=sys.executable,
        script_kind="posix",
        closure=closure(attrs["dependencies"]),
        site_packages=attrs["site_packages"],
    )
    _install(Path(state["wheel"]), destination)
    _check_release(attrs, site)
    # Store names, not paths: the file must not depend on where the store is.
    info = {
        "pname": attrs["pname"],
        "version": attrs["version"],
        "site_packages": attrs["site_packages"],
        "dependencies": [Path(d).name for d in attrs["dependencies"]],
    }
    (out / "pybuild-package.json").write_text(json.dumps(info, indent=1, sort_keys=True) + "\n")
    try:
        relaxed = relax_installed(
            _dist_info(site), attrs.get("relax_deps"), attrs.get("remove_deps")
        )
    except RelaxError as exc:
        raise PhaseFailed(str(exc)) from None
    for change in relaxed:
        print(f"pybuild: {change}", flush=True)
    _run_hook("post_install", attrs, out, work, state)


def _install(path: Path, destination: PybuildDestination) -> None:
    """Install the wheel at `path`. One that would write a file out of the folder it goes
    to (a member ``../x``), or that installer finds malformed, fails the phase naming the
    wheel and the member, not with installer's traceback."""
    from installer import install
    from installer.exceptions import InvalidWheelSource
    from installer.sources import WheelFile

    class Wheel(WheelFile):
        member = ""  # the member being installed, for the error to name

        def get_contents(self):
            for element in super().get_contents():
                self.member = element[0][0]
                yield element

    with zipfile.ZipFile(path) as archive:
        wheel = Wheel(archive)
        try:
            install(wheel, destination, {"INSTALLER": b"pybuild\n"})
        except EscapingPath as exc:
            what = f"member {wheel.member}" if wheel.member else f"the entry point {exc}"
            raise PhaseFailed(
                f"refusing to install {path.name}: {what} escapes the installation folder"
            ) from None
        except InvalidWheelSource as exc:
            why = exc.args[-1]  # after the source object, which says nothing
            raise PhaseFailed(f"refusing to install {path.name}: {why}") from None


def _check_release(attrs: dict, site: Path) -> None:
    """The release installed must be the one the recipe names: its name and version are the
    package's name in the store, and what an environment's check of two versions of one
    distribution compares. ``override_python_attrs(version=…)`` without a new ``src`` would
    otherwise build the old source under the new version's name, and a misspelt ``pname``
    a second copy of the distribution that check does not see."""
    metadata = _installed(site).metadata
    _check_name(metadata, attrs["pname"])
    _check_version(metadata, attrs["version"])


def _check_name(metadata, declared: str) -> None:
    """Names compared as PEP 503 canonicalises them: ``PyYAML`` is ``pyyaml``, and
    ``zope.interface`` ``zope-interface``."""
    from packaging.utils import canonicalize_name

    built = metadata["Name"]
    if canonicalize_name(built) != canonicalize_name(declared):
        raise PhaseFailed(
            f"the source builds {built} {metadata['Version']}, but the recipe says pname"
            f" {declared}: set pname={built!r}, or give it the source of {declared}"
        )


def _check_version(metadata, declared: str) -> None:
    from packaging.version import InvalidVersion, Version

    built = metadata["Version"]
    try:
        same = Version(built) == Version(declared)
    except InvalidVersion:
        same = built == declared
    if not same:
        raise PhaseFailed(
            f"the source builds {metadata['Name']} {built}, but the recipe says version"
            f" {declared}: give it the source of {declared} (src=fetch_pypi(pname, version,"
            f" hash=…) with the new version) or set version={built!r}"
        )


def bytecode_phase(attrs: dict, out: Path, work: Path, state: dict) -> None:
    """Bytecode checked by hash of nothing (the store never changes), paths relative to out
    (:mod:`bytecode`)."""
    site = out / attrs["site_packages"]
    if not compile_tree(str(site), stripdir=str(out), workers=build_cores()):
        print("pybuild: some files did not compile to bytecode (left as source)", flush=True)


def runtime_deps_check_phase(attrs: dict, out: Path, work: Path, state: dict) -> None:
    """The wheel's own ``Requires-Dist`` (markers decided for this interpreter, no extras)
    must be met by the dependencies the recipe gives: a package that would import today but
    fail on its first call into a too-old dependency is caught here, naming both versions."""
    site = out / attrs["site_packages"]
    metadata = _installed(site).metadata
    listed = metadata.get_all("Requires-Dist") or []
    requires = _applicable(listed)
    closure_sites = _sites(attrs, closure(attrs["dependencies"]))
    unmet, _ = _unmet(requires, closure_sites)
    if unmet:
        raise PhaseFailed(
            f"{metadata['Name']} {metadata['Version']} requires {_listed(unmet)}."
            " Give the recipe dependencies that satisfy it (or an overlay that changes them),"
            ' or, if upstream\'s bound is known to be wrong, relax_deps=["NAME"] (drops the'
            ' bound) or remove_deps=["NAME"] (drops the requirement).'
        )
    others = len(listed) - len(requires)
    rest = f" ({others} more for extras or other platforms)" if others else ""
    print(f"pybuild: {len(requires)} requirements met by the dependencies{rest}", flush=True)


# Asks, for each module of a console script, whether it is there without running it: a
# module's parent packages must be imported to find it, and one that fails to import is no
# missing module but a broken package (flask 1 with werkzeug 3), whose error must be shown.
_FIND_SCRIPT_MODULES = """\
import importlib.util, json
def problem(name):
    try:
        return None if importlib.util.find_spec(name) else ''
    except ModuleNotFoundError as exc:
        if exc.name and (name == exc.name or name.startswith(exc.name + '.')):
            return ''
        return f'{type(exc).__name__}: {exc}'
    except Exception as exc:
        return f'{type(exc).__name__}: {exc}'
problems = {m: problem(m) for m in %r}
print("\\n" + json.dumps({m: p for m, p in problems.items() if p is not None}))
"""


def scripts_check_phase(attrs: dict, out: Path, work: Path, state: dict) -> None:
    """Every console script must find its module in the package or its closure: a script
    that cannot start is a broken command in every profile it is installed into."""
    dist = _installed(out / attrs["site_packages"])
    for name, reason in sorted(attrs.get("remove_scripts", {}).items()):
        script = out / "bin" / name
        if not script.is_file():
            raise PhaseFailed(f"remove_scripts names {name!r}, which the wheel does not install")
        script.unlink()
        print(f"pybuild: removed script {name}: {reason}", flush=True)
    removed = set(attrs.get("remove_scripts", {}))
    scripts = [
        ep
        for ep in dist.entry_points
        if ep.group in ("console_scripts", "gui_scripts") and ep.name not in removed
    ]
    if not scripts:
        return
    modules = sorted({ep.module for ep in scripts})
    sites = [str(out / attrs["site_packages"]), *_sites(attrs, closure(attrs["dependencies"]))]
    output = _python_output(work, "scripts", sites, ["-c", _FIND_SCRIPT_MODULES % modules])
    problems = json.loads(output.splitlines()[-1])  # a package may print as it is imported
    missing = [f"{ep.name} ({ep.value})" for ep in scripts if problems.get(ep.module) == ""]
    if missing:
        raise PhaseFailed(
            f"console scripts whose module is in neither the package nor its dependencies:"
            f" {', '.join(missing)}. Add the dependency that provides it, or drop the script"
            ' saying why: remove_scripts={"NAME": "reason"}.'
        )
    failing = [
        f"{ep.name} ({ep.value}): {problems[ep.module]}"
        for ep in scripts
        if problems.get(ep.module)
    ]
    if failing:
        raise PhaseFailed(
            f"console scripts whose module's package fails to import: {'; '.join(failing)}."
            " It needs another version of a dependency, or one it does not declare: give"
            " the version it works with, or drop the script saying why:"
            ' remove_scripts={"NAME": "reason"}.'
        )
    print(f"pybuild: {len(scripts)} console scripts find their modules", flush=True)


def _dist_info(site: Path) -> Path:
    """The ``.dist-info`` folder this build installed (the one in `site`)."""
    found = sorted(site.glob("*.dist-info"))
    if len(found) != 1:
        raise PhaseFailed(f"expected one .dist-info in {site}, found {len(found)}")
    return found[0]


def _installed(site: Path):
    """The distribution this build installed (its one ``.dist-info`` in `site`)."""
    from importlib.metadata import distributions

    found = list(distributions(path=[str(site)]))
    if len(found) != 1:
        raise PhaseFailed(f"expected one .dist-info in {site}, found {len(found)}")
    return found[0]


def imports_check_phase(attrs: dict, out: Path, work: Path, state: dict) -> None:
    site = out / attrs["site_packages"]
    modules = attrs.get("imports_check")
    if modules is None:
        modules = _top_level_modules(site)
    if not modules:
        print("pybuild: no modules to check", flush=True)
        return
    code = "".join(f"import {m}\n" for m in modules)
    if attrs.get("allow_undeclared_imports"):
        code = _tolerant_imports(modules, _top_level_modules(site), attrs["pname"])
    print(f"pybuild: importing {', '.join(modules)}", flush=True)
    try:
        sites = [str(site), *_sites(attrs, closure(attrs["dependencies"]))]
        _run_python(work, "imports", sites, ["-c", code], cwd=work)
    except subprocess.CalledProcessError:
        raise PhaseFailed(f"cannot import {', '.join(modules)} (the error is above)") from None


# Modules the standard library dropped, and the version that dropped them (PEP 594, PEP 632,
# imp): an import of one is no undeclared requirement a generated recipe could lack, but a
# release too old for the interpreter, which its import check must not let through.
_REMOVED_FROM_STDLIB = {
    **dict.fromkeys(["imp", "distutils", "asynchat", "asyncore", "smtpd"], (3, 12)),
    **dict.fromkeys(
        [
            "aifc",
            "audioop",
            "cgi",
            "cgitb",
            "chunk",
            "crypt",
            "imghdr",
            "lib2to3",
            "mailcap",
            "msilib",
            "nis",
            "nntplib",
            "ossaudiodev",
            "pipes",
            "sndhdr",
            "spwd",
            "sunau",
            "telnetlib",
            "uu",
            "xdrlib",
        ],
        (3, 13),
    ),
}


def _module_name(project: str) -> str:
    """The module a project of name `project` is most often imported as (``Cython`` of
    ``cython``, ``pydantic_core`` of ``pydantic-core``), compared in lower case."""
    return project.lower().replace("-", "_").replace(".", "_")


def _tolerant_imports(modules: list, own: list, project: str = "") -> str:
    """A program importing `modules` that skips, saying so, one whose import fails only for
    want of a module from outside the package that no dependency provides: an upstream
    requirement its metadata does not declare (matplotlib-inline imports matplotlib), or one
    of an extra only (black's ``blackd`` needs aiohttp, of ``black[d]``). The missing module
    may be named only in the chain of errors: a jupyter-server extension re-raises
    jupyter_server's absence as a ModuleNotFoundError of its own, blackd as a plain
    ImportError, each ``from None`` (the original kept as its context). A generated recipe
    cannot add that input; a pip or uv install of it behaves the same. A module missing from a
    project that is there (a dependency too old or broken) still fails; one missing from a
    namespace package (``google.``…) counts as its project's absence, since many share it. A
    module the standard library no longer has (``imp`` on 3.12) fails the check, named so,
    when the module is the project's own (named as `project` is: virtualenv 16's
    ``virtualenv`` imports ``distutils``) or none of the release's modules imports: a release
    too old for the interpreter. Another module of it is left unchecked, saying so: Cython
    0.29's ``pyximport`` imports ``imp``, and its ``Cython`` works on 3.12 and builds the
    sdists that need it.

    A module whose own code refuses to be imported by itself (a plain ImportError raised in
    its own files, naming no module: psycopg_binary must be imported by psycopg) is left
    unchecked too, saying so: a generated recipe cannot know the order its project documents,
    and pip or uv install it all the same. An extension that does not load, or a name a
    dependency lacks, is raised by the import system with a name, and still fails."""
    return (
        "import importlib, importlib.util, os, sys\n"
        "def missing(exc):\n"
        "    while exc is not None and not getattr(exc, 'name', None):\n"
        "        exc = exc.__cause__ or exc.__context__\n"
        "    return exc.name if isinstance(exc, ModuleNotFoundError) else ''\n"
        "def present(top):\n"  # a module or regular package; a namespace is many projects'
        "    spec = importlib.util.find_spec(top)\n"
        "    return spec is not None and spec.origin is not None\n"
        "def refused(exc, top):\n"  # raised on purpose by the module's own code
        "    if type(exc) is not ImportError or exc.name or exc.path:\n"
        "        return False\n"
        "    spec = importlib.util.find_spec(top)\n"
        "    tb = exc.__traceback__\n"
        "    while tb.tb_next is not None:\n"
        "        tb = tb.tb_next\n"
        "    where = os.path.abspath(tb.tb_frame.f_code.co_filename)\n"
        "    folders = spec.submodule_search_locations or [spec.origin] if spec else []\n"
        "    return any(where == f or where.startswith(os.path.join(f, '')) for f in folders)\n"
        "imported, dropped = 0, []\n"
        f"for name in {modules!r}:\n"
        "    try:\n"
        "        importlib.import_module(name)\n"
        "        imported += 1\n"
        "    except ImportError as exc:\n"
        "        absent = missing(exc)\n"
        "        if not absent and refused(exc, name.partition('.')[0]):\n"
        "            print(f'pybuild: {name} refuses to be imported by itself ({exc}): its'\n"
        "                  ' import is left unchecked', flush=True)\n"
        "            continue\n"
        "        top = absent.partition('.')[0]\n"
        f"        gone = {_REMOVED_FROM_STDLIB!r}.get(top)\n"
        "        if gone and sys.version_info >= gone:\n"
        "            print(f'pybuild: {name} imports {absent}, which the standard library no'\n"
        "                  f' longer has (removed in Python {gone[0]}.{gone[1]})', flush=True)\n"
        f"            if name.partition('.')[0].lower() == {_module_name(project)!r}:\n"
        "                print('pybuild: it is the project\\'s own module: this release does'\n"
        "                      ' not work on this Python', flush=True)\n"
        "                raise\n"
        "            dropped.append(exc)\n"
        "            continue\n"
        f"        if not top or top in {own!r} or present(top):\n"
        "            raise\n"
        "        print(f'pybuild: {name} imports {absent}, which no dependency provides (an'\n"
        "              ' undeclared requirement, or one of an extra): its import is left'\n"
        "              ' unchecked', flush=True)\n"
        "if dropped and not imported:\n"
        "    print('pybuild: none of its modules imports: this release does not work on this'\n"
        "          ' Python', flush=True)\n"
        "    raise dropped[0]\n"
        "if dropped:\n"
        "    print('pybuild: its other modules import: those left unchecked are extras of'\n"
        "          ' the release, as pip or uv would install them', flush=True)\n"
    )


def check_phase(attrs: dict, out: Path, work: Path, state: dict) -> None:
    """pytest on the source tree, against the installed package, as nixpkgs' pytestCheckHook;
    the tests a recipe deselects are logged with its reasons, and the counts are logged in one
    line (:data:`COUNTS_LINE`) that ``pybuild build --json`` reads back from the log."""
    if not attrs["do_check"]:
        print("pybuild: do_check is off", flush=True)
        return
    _run_hook("pre_check", attrs, out, work, state)
    source = state.get("source")
    runtime = closure(attrs["dependencies"])
    check_site = _sites(attrs, [*closure(attrs["check_inputs"]), *runtime])
    if source is None or not any((Path(p) / "pytest").is_dir() for p in check_site):
        print("pybuild: no pytest among check_inputs: no tests run", flush=True)
        return
    plugin = work / "pytest-plugin"  # the check's plugins, and nothing else of the builder
    plugin.mkdir()
    for name in _PLUGINS:
        shutil.copy(Path(__file__).parent / f"{name}.py", plugin)
    sites = [str(out / attrs["site_packages"]), *check_site, str(plugin)]
    counts = work / "test-counts.json"
    flags, nodes = _deselections(attrs, Path(source))
    flags += attrs.get("pytest_flags", [])
    loaded = [word for name in _PLUGINS for word in ("-p", name)]
    argv = ["-m", "pytest", "-p", "no:cacheprovider", *loaded, *flags]
    env = {"PYBUILD_TEST_COUNTS": str(counts), "PYBUILD_DESELECT": json.dumps(nodes)}
    try:
        _run_python(work, "check", sites, argv, cwd=Path(source), env=env)
    except subprocess.CalledProcessError as exc:
        _print_counts(counts)
        if exc.returncode == _NO_TESTS_COLLECTED:
            raise PhaseFailed(
                "pytest collected no tests (exit status 5): the source has none, or every one"
                " is deselected; with none to run, set do_check=False"
            ) from None
        raise PhaseFailed(f"the test suite failed (pytest exit status {exc.returncode})") from None
    _print_counts(counts)


_NO_TESTS_COLLECTED = 5  # pytest's ExitCode.NO_TESTS_COLLECTED
# The check's pytest plugins, modules of this folder: the outcomes counted and the disabled
# tests deselected; Hypothesis' examples fixed and its deadline off (each module says why).
_PLUGINS = ("pybuild_pytest_counts", "pybuild_hypothesis")

# pybuild/testcounts.py parses this line; keep the two in step.
COUNTS_LINE = "pybuild: tests passed={passed} failed={failed} skipped={skipped}"


def _deselections(attrs: dict, source: Path) -> tuple:
    """pytest flags for ``disabled_tests`` and ``disabled_test_paths``, each logged with its
    reason (nixpkgs' disabledTests / disabledTestPaths), and the node ids (``path::name``)
    the counting plugin deselects exactly (pytest's ``--deselect`` takes a prefix). A name or
    ``-k`` expression is excluded with ``-k``, a path (or glob) ignored."""
    flags, names, nodes = [], [], []
    for test, reason in sorted(attrs.get("disabled_tests", {}).items()):
        print(f"pybuild: not running test {test}: {reason}", flush=True)
        if "::" in test:
            nodes.append(_existing(source, test, "disabled_tests"))
        else:
            names.append(f"not ({test})")
    if names:
        flags += ["-k", " and ".join(names)]
    for path, reason in sorted(attrs.get("disabled_test_paths", {}).items()):
        print(f"pybuild: not running tests in {path}: {reason}", flush=True)
        if "::" in path:
            nodes.append(_existing(source, path, "disabled_test_paths"))
        elif any(c in path for c in "*?["):
            flags.append(f"--ignore-glob={path}")
        else:
            flags.append(f"--ignore={_existing(source, path, 'disabled_test_paths')}")
    return flags, nodes


def _existing(source: Path, node: str, key: str) -> str:
    """`node` (a path, or a node id ``path::name``), once its file is known to be in the
    source: pytest ignores a path that does not exist, so a stale entry would pass unseen."""
    file = node.split("::")[0]
    if not (source / file).exists():
        raise PhaseFailed(
            f"{key} names {file}, which the source does not have:"
            " correct the path, or drop the entry if upstream removed the tests"
        )
    return node


def _print_counts(counts: Path) -> None:
    """The counts line, from what the plugin wrote (nothing if pytest stopped before its
    summary: its own error is above)."""
    if counts.is_file():
        print(COUNTS_LINE.format(**json.loads(counts.read_text())), flush=True)


def closure(paths: list) -> list:
    """Store paths of Python packages and all they depend on at run time, each once.

    Each package records its direct dependencies (store names) in ``pybuild-package.json``;
    the derivation names only direct inputs, and their closures are found here.
    """
    seen: dict = {}
    todo = [Path(p) for p in paths]
    while todo:
        path = todo.pop(0)
        if path.name in seen:
            continue
        seen[path.name] = path
        info = json.loads((path / "pybuild-package.json").read_text())
        todo.extend(path.parent / name for name in info["dependencies"])
    return [str(p) for p in seen.values()]


def _sites(attrs: dict, packages: list) -> list:
    return [f"{p}/{attrs['site_packages']}" for p in packages]


def _build_closure(attrs: dict) -> list:
    """What the build backend sees: ``build_system`` and ``native_build_inputs``, with their
    closures (a tool such as Cython is imported by the backend as well as run)."""
    return closure([*attrs["build_system"], *attrs.get("native_build_inputs", [])])


def _tool_path(attrs: dict) -> str:
    """``PATH`` for the whole build: the ``bin`` folders of the build closure first (so the
    set's ninja, cmake or cython wins over the system's), then the builder's own."""
    bins = [f"{p}/bin" for p in _build_closure(attrs) if Path(p, "bin").is_dir()]
    return os.pathsep.join([*bins, os.environ.get("PATH", "")])


def _run_hook(name: str, attrs: dict, out: Path, work: Path, state: dict) -> None:
    """The recipe's hook `name`, if it has one; its ``python`` sees what the phase sees."""
    script = attrs.get(name)
    if not script:
        return
    python = make_venv(work / f"venv-{name}", _hook_sites(name, attrs, out))
    cwd = Path(state.get("source") or work)
    status = run_hook(name, script, cwd, hook_env(attrs, python, _phase_env()))
    if status != 0:
        raise PhaseFailed(f"the {name} hook exited with status {status} (its output is above)")


def _hook_sites(name: str, attrs: dict, out: Path) -> list:
    """Before the install, the build closure; after it, the package and its closure (and the
    check inputs' for ``pre_check``)."""
    if name in ("post_patch", "pre_build"):
        return _sites(attrs, _build_closure(attrs))
    check = attrs["check_inputs"] if name == "pre_check" else []
    own = str(out / attrs["site_packages"])
    return [own, *_sites(attrs, closure([*check, *attrs["dependencies"]]))]


def _run_python(
    work: Path, phase: str, site_dirs: list, argv: list, cwd: Path, env: dict | None = None
) -> None:
    """Run the phase's interpreter (see :mod:`phasevenv`) with `argv` (and `env` added)."""
    python = make_venv(work / f"venv-{phase}", site_dirs)
    subprocess.run([str(python), *argv], cwd=cwd, env={**_phase_env(), **(env or {})}, check=True)


def _python_output(work: Path, phase: str, site_dirs: list, argv: list) -> str:
    python = make_venv(work / f"venv-{phase}", site_dirs)
    run = subprocess.run(
        [str(python), *argv], cwd=work, env=_phase_env(), check=True, stdout=subprocess.PIPE
    )
    return run.stdout.decode()


def _phase_env() -> dict:
    env = {**os.environ, "HOME": _home()}
    env.pop("PYTHONPATH", None)  # the toolchain is the builder's, not the package's
    return env


def _home() -> str:
    """A writable, per-build ``HOME`` for what a phase runs (font caches, config folders), as
    nixpkgs gives checks ``HOME=$TMPDIR``: the builder's own ``HOME`` does not exist, and
    outside the sandbox writing there would touch the host."""
    home = Path(os.environ["PYBUILD_BUILD_TOP"]) / "home"
    home.mkdir(exist_ok=True)
    return str(home)


def _build_system(source: Path) -> tuple:
    """Backend, backend-path and requires from pyproject.toml, with PEP 517's fallback."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # Python 3.10: the toolchain brings tomli
        import tomli as tomllib

    pyproject = source / "pyproject.toml"
    table = {}
    if pyproject.is_file():
        table = tomllib.loads(pyproject.read_text()).get("build-system", {})
    if "build-backend" not in table:
        requires = table.get("requires", ["setuptools>=40.8.0"])
        return "setuptools.build_meta:__legacy__", None, requires
    return table["build-backend"], table.get("backend-path"), table.get("requires", [])


def _check_requirements(requires: list, site_dirs: list, what: str) -> None:
    """Every requirement must be met by a distribution on the build-system paths. What to do
    depends on why it is not: a package build_system lacks is added; one it has, of another
    version, is given in a version that fits, or the bound is loosened."""
    unmet, found = _unmet(requires, site_dirs)
    if not unmet:
        return
    present = ", ".join(f"{n} {v}" for n, v in sorted(found.items())) or "nothing"
    todo = []
    if any(version is None for _, _, version in unmet):
        todo.append("Add the missing packages to build_system.")
    other = sorted({name for name, _, version in unmet if version is not None})
    if other:
        todo.append(
            f"Give build_system a {' and a '.join(other)} that satisfies it (a recipe of"
            " that version, or override_python_attrs(version=..., src=...)), or, if the"
            " bound is known to be wrong, loosen it in a post_patch hook."
        )
    raise PhaseFailed(
        f"{what} not satisfied by build_system: missing {_listed(unmet)}."
        f" build_system provides: {present}. {' '.join(todo)}"
    )


def _applicable(requires: list) -> list:
    """The requirements whose markers hold here with no extra asked for."""
    from packaging.requirements import Requirement

    return [r for r in requires if _holds(Requirement(r).marker)]


def _holds(marker) -> bool:
    return marker is None or marker.evaluate({"extra": ""})


def _unmet(requires: list, site_dirs: list) -> tuple:
    """The requirements (markers decided for this interpreter, no extra) that no
    distribution on `site_dirs` meets, each as its name, its text and the version found
    (None where there is none); and what was found."""
    from importlib.metadata import distributions

    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    found: dict = {}
    for dist in distributions(path=list(site_dirs)):
        found.setdefault(canonicalize_name(dist.metadata["Name"]), dist.version)
    unmet = []
    for text in requires:
        req = Requirement(text)
        if not _holds(req.marker):
            continue
        version = found.get(canonicalize_name(req.name))
        if version is None or (
            req.specifier and not req.specifier.contains(version, prereleases=True)
        ):
            unmet.append((req.name, text, version))
    return unmet, found


def _listed(unmet: list) -> str:
    """The requirements :func:`_unmet` gives, each with the version there is."""
    return "; ".join(
        f"{text} ({f'have {name} {version}' if version else 'none of the dependencies is it'})"
        for name, text, version in unmet
    )


def _top_level_modules(site: Path) -> list:
    """Top-level importable names the wheel installed (packages and modules)."""
    names = set()
    for entry in site.iterdir():
        if entry.name.endswith((".dist-info", ".data", ".pth")) or entry.name == "__pycache__":
            continue
        if entry.is_dir() and (entry / "__init__.py").exists():
            names.add(entry.name)
        elif entry.suffix == ".py":
            names.add(entry.stem)
        elif entry.suffix == ".so":
            names.add(entry.name.split(".")[0])
    return sorted(n for n in names if n.isidentifier() and not n.startswith("_"))
