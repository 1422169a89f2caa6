"""Realising derivations: run each builder whose outputs are not yet valid, inputs first.

The process, per derivation: take the output locks; if another process built the outputs
meanwhile, stop; write the .drv; run the builder in a fresh directory of ``var/tmp`` with a
cleared environment; check that it made every output (and, for a download, that the content
has the declared hash); then commit the outputs to the store, which scans them for
references and registers them in one transaction. Nothing of a failed build is registered.

Example::

    >>> realise([hello])[hello].status                     # doctest: +SKIP
    <Status.BUILT: 'built'>
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from .derivations import STORE_TOKEN, Derivation, input_paths, instantiate
from .errors import BuildError, HashMismatch, PathNotValid, PybuildError
from .graph import toposort
from .hashing import hash_file, hash_path
from .results import BuildResult, Status
from .store import Store, remove_tree
from .store.temproots import temp_roots

if TYPE_CHECKING:
    from concurrent.futures import Future

    from .cache.substitute import Substituters
    from .sandbox import Cell

__all__ = ["BuildOptions", "check", "realise", "repair"]

_VALID = BuildResult(Status.VALID)
SOURCE_DATE_EPOCH = "315532800"  # 1980-01-01, the earliest time a zip (wheel) can hold
_CLOSED_PROXY = "http://127.0.0.1:9"  # the discard port: an accidental download fails loudly
_SYSTEM_PATH = "/usr/local/bin:/usr/bin:/bin"
_HOMELESS = "/homeless-shelter"
_SANDBOX_HINT = (
    "the build ran in the sandbox: it sees only its declared inputs and has no network;"
    " declare what it needs (a download must be a fixed-output derivation), or set sandbox"
    " = false"
)


@dataclass(frozen=True)
class BuildOptions:
    """How to realise: the `jobs`, `keep_failed`, `log_lines` and `build_timeout` settings."""

    jobs: int = 1
    keep_going: bool = False
    keep_failed: bool = False
    log_lines: int = 25
    build_timeout: int = 0
    log: TextIO | None = None  # progress lines; None means standard error
    # Binary caches asked before building (pybuild.cache.substitute), and how far to trust them.
    substituters: tuple[str, ...] = ()
    trusted_public_keys: tuple[str, ...] = ()
    require_sigs: bool = True
    connect_timeout: int = 5
    stalled_download_timeout: int = 60
    download_min_speed: int = 1024
    download_deadline: int = 3600
    auto_optimise: bool = False  # hard-link each new output's files (pybuild.store.optimise)
    sandbox: str | None = None  # true | false | relaxed (pybuild.sandbox); None: the setting


def realise(
    targets: Sequence[Derivation], store: Store | None = None, options: BuildOptions | None = None
) -> dict[Derivation, BuildResult]:
    """Make every output of `targets` valid; returns the result of each derivation it saw.

    The targets and every derivation it had to build are in the result, each with its
    :class:`~pybuild.results.Status` (and, for a failure, the error and the log). With
    `options.keep_going` every build that can go on does; without it the first failure is
    raised once the builds already running have finished.
    """
    store = store or Store.default()
    if all(store.is_valid(p) for d in targets for p in d.output_paths.values()):
        return dict.fromkeys(targets, _VALID)  # a no-op: no roots, plan or cache to set up
    options = options or BuildOptions()
    subs = _substituters(options)
    with temp_roots(store, _protected_paths(targets)):  # a concurrent gc keeps all of them
        plan = _plan(targets, store, subs)
        results = {d: _VALID for d in targets if d not in plan.order}
        results.update(_run_plan(plan, lambda d: _build(d, store, options, subs), options))
    return results


def _protected_paths(targets: Sequence[Derivation]) -> Iterator[str]:
    """Every .drv, output and source of the targets' build graph: what a build may touch."""
    seen: set[str] = set()
    todo = list(targets)
    while todo:
        drv = todo.pop()
        if drv.drv_name not in seen:
            seen.add(drv.drv_name)
            yield drv.drv_name
            yield from drv.output_paths.values()
            yield from drv.input_srcs
            todo.extend(drv.input_drvs)


@dataclass
class _Plan:
    order: list[Derivation]
    deps: dict[Derivation, list[Derivation]]


def _plan(targets: Sequence[Derivation], store: Store, subs: Substituters | None = None) -> _Plan:
    """Derivations to build, dependencies first; a valid output's inputs are not needed, nor
    are those of outputs a binary cache can supply with their closure."""

    def needs_build(drv: Derivation) -> bool:
        return not all(store.is_valid(p) for p in drv.output_paths.values())

    def deps(drv: Derivation) -> list[Derivation]:
        if not needs_build(drv) or (subs and subs.available(drv.output_paths.values(), store)):
            return []
        return [d for d in drv.input_drvs if needs_build(d)]

    order = [d for d in toposort(targets, deps, lambda d: d.drv_name) if needs_build(d)]
    return _Plan(order, {d: deps(d) for d in order})


def _run_plan(
    plan: _Plan, build: Callable[[Derivation], Status], options: BuildOptions
) -> dict[Derivation, BuildResult]:
    """Run builds with up to `jobs` at once, each as soon as its inputs are done."""
    if not plan.order:
        return {}  # a no-op build: do not even load the thread pool
    from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

    results: dict[Derivation, BuildResult] = {}
    waiting = {d: set(plan.deps[d]) for d in plan.order}
    first_error: PybuildError | None = None
    running: dict[Future[Status], Derivation] = {}
    with ThreadPoolExecutor(max_workers=max(1, options.jobs)) as pool:
        while waiting or running:
            stop = first_error is not None and not options.keep_going
            for drv in [d for d, w in waiting.items() if not w]:
                del waiting[drv]
                if not stop:
                    running[pool.submit(build, drv)] = drv
            if not running:
                break
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                drv = running.pop(future)
                try:
                    results[drv] = BuildResult(future.result())
                except PybuildError as exc:
                    results[drv] = BuildResult.failure(exc)
                    first_error = first_error or exc
                    _skip_dependents(drv, waiting, results)
                    continue
                for others in waiting.values():
                    others.discard(drv)
    if first_error is not None and not options.keep_going:
        raise first_error
    return results


def _skip_dependents(
    failed: Derivation,
    waiting: dict[Derivation, set[Derivation]],
    results: dict[Derivation, BuildResult],
) -> None:
    """Every derivation that needs `failed`, directly or not, is not tried: it says why."""
    blocked = [failed]
    while blocked:
        drv = blocked.pop()
        for other in [o for o, w in waiting.items() if drv in w]:
            del waiting[other]
            results[other] = results[failed].blocked(failed.drv_name)
            blocked.append(other)


def _build(
    drv: Derivation, store: Store, options: BuildOptions, subs: Substituters | None = None
) -> Status:
    outputs = drv.output_paths
    with store.lock(outputs.values()):
        if all(store.is_valid(p) for p in outputs.values()):
            return Status.VALID  # another process built it while we waited for the lock
        if subs is not None and _substitute(drv, store, options, subs):
            return Status.SUBSTITUTED
        _say(options, f"building {drv.name} ({drv.drv_name})")
        with _fresh_outputs(drv, store, options) as built:
            candidates = store.closure(input_paths(drv))
            store.commit(built, candidates=candidates, deriver=drv.drv_name)
        if options.auto_optimise:
            from .store.optimise import optimise_paths

            optimise_paths(store, outputs.values())
    return Status.BUILT


def _substituters(options: BuildOptions) -> Substituters | None:
    if not options.substituters:
        return None
    from .cache.substitute import Substituters

    return Substituters.from_options(options, lambda text: _say(options, text))


def _substitute(drv: Derivation, store: Store, options: BuildOptions, subs: Substituters) -> bool:
    """Copy the outputs from a binary cache; if that fails, make the inputs valid to build."""
    outputs = list(drv.output_paths.values())
    if subs.fetch(drv.name, outputs, store, held=outputs):
        return True  # like the build inputs, the .drv files are not needed, so not written
    missing = [d for d in drv.input_drvs if not all(map(store.is_valid, d.output_paths.values()))]
    if missing:  # the plan counted on the cache and skipped them (their roots are held)
        # The same substituters: a cache given up on is not asked again in this run.
        plan = _plan(missing, store, subs)
        results = _run_plan(plan, lambda d: _build(d, store, options, subs), options)
        failed = [r.error for r in results.values() if r.error is not None]
        if failed:  # kept going past it: this build cannot, without that input
            raise failed[0]
    return False


@contextlib.contextmanager
def _fresh_outputs(
    drv: Derivation, store: Store, options: BuildOptions
) -> Iterator[dict[str, Path]]:
    """Run the builder in a new directory and yield its checked outputs; then clean up."""
    for path in input_paths(drv):
        if not store.is_valid(path):
            raise PathNotValid(str(store.path(path)))
    instantiate(drv, store)
    work = store.new_tmp_dir(drv.name)
    failed = True
    try:
        # As root the sandbox's build user is held until the caller has stored the outputs
        # (and given them back to the store's owner): no other build may run as it meanwhile.
        with _sandbox(store, options) as box:
            built = {store_name: work / store_name for store_name in drv.output_paths.values()}
            log_path = store.log_dir / f"{drv.drv_name}.log"
            _run_builder(drv, store, work, log_path, options, box)
            _check_outputs(drv, built, log_path)
            yield built
        failed = False
    finally:
        if failed and options.keep_failed:
            _say(options, f"keeping the failed build directory {work}")
        else:
            remove_tree(work)


def check(
    drv: Derivation, store: Store, options: BuildOptions | None = None
) -> dict[str, list[str]]:
    """Build `drv` again and compare with its registered outputs (``pybuild build --check``).

    Returns, per output that differs, the files that differ; empty when the rebuild is
    bit-identical. The outputs must be valid already; the inputs the rebuild needs are made
    valid first (built, fetched or substituted), as Nix does, since a gc may have taken them.
    """
    options = options or BuildOptions()
    for name in drv.output_paths.values():
        store.info(name)  # PathNotValid if it was never built
    with temp_roots(store, _protected_paths([drv])):
        inputs = [
            d for d in drv.input_drvs if not all(map(store.is_valid, d.output_paths.values()))
        ]
        if inputs:
            realise(inputs, store, replace(options, keep_going=False))
        _say(options, f"checking {drv.name} ({drv.drv_name})")
        differences = {}
        with _fresh_outputs(drv, store, options) as built:
            for name, path in built.items():
                if hash_path(path)[0].sri != store.info(name).nar_hash:
                    differences[name] = _differing_files(store.path(name), path)
    return differences


def _differing_files(old: Path, new: Path) -> list[str]:
    """Relative paths whose type, content, link target or executable bit differ."""

    def listing(root: Path) -> dict[str, tuple[str, object]]:
        found: dict[str, tuple[str, object]] = {}
        for path in [root, *root.rglob("*")]:
            rel = str(path.relative_to(root))
            if path.is_symlink():
                found[rel] = ("link", os.readlink(path))
            elif path.is_file():
                found[rel] = ("file", (hash_file(path).sri, os.access(path, os.X_OK)))
            else:
                found[rel] = ("dir", None)
        return found

    a, b = listing(old), listing(new)
    return sorted(rel for rel in a.keys() | b.keys() if a.get(rel) != b.get(rel))


def _sandbox(store: Store, options: BuildOptions) -> contextlib.AbstractContextManager[Cell | None]:
    """The sandbox of one build under the `sandbox` setting, or none."""
    from .sandbox import sandbox_for

    sandbox = sandbox_for(options.sandbox or _sandbox_setting())
    return sandbox.enter(store.var) if sandbox is not None else contextlib.nullcontext()


def _run_builder(
    drv: Derivation,
    store: Store,
    work: Path,
    log_path: Path,
    options: BuildOptions,
    box: Cell | None,
) -> None:
    from . import processes  # only a real build needs them

    build_dir = work / "build"
    build_dir.mkdir()
    env = _builder_env(drv, store, work, build_dir)
    argv = [_expand(drv.builder, store), *(_expand(a, store) for a in drv.args)]
    if not os.access(argv[0], os.X_OK):
        reason = f"cannot run builder {argv[0]}: it is not an executable file"
        raise BuildError(drv.name, reason)
    if box is None:
        _refuse_a_home(drv)
    else:
        inputs = [store.path(p) for p in store.closure(input_paths(drv))]
        argv = box.wrap(
            argv,
            build_dir=build_dir,
            work=work,
            inputs=inputs,
            network=drv.is_fixed_output,
            env=env,
        )
    log_path.parent.mkdir(parents=True, exist_ok=True)
    if drv.is_fixed_output:  # a download: the in-build downloader keeps the same limits
        env.update(_download_limits(options))
    with open(log_path, "wb") as log:
        try:
            builder = processes.start(
                argv, cwd=build_dir, env=env, log=log, tag=f"PYBUILD_BUILD_TOP={build_dir}"
            )
        except OSError as exc:
            raise BuildError(drv.name, f"cannot run builder {argv[0]}: {exc.strerror}") from None
        with builder:  # leaving it kills what the builder left behind, even on success
            finished = builder.wait(options.build_timeout or None)
    if not finished:
        reason = f"timed out after {options.build_timeout} s (build_timeout)"
        raise BuildError(drv.name, reason, str(log_path), _tail(log_path, options))
    code = builder.returncode
    if box is not None and code > 128 and code - 128 in signal.valid_signals():
        code = 128 - code  # bwrap reports a child killed by signal N as status 128 + N
    if code != 0:
        reason = (
            f"builder killed by {signal.Signals(-code).name}"
            if code < 0
            else f"builder exited with status {code}"
        )
        error = BuildError(drv.name, reason, str(log_path), _tail(log_path, options))
        if box is not None:
            error.hint = _SANDBOX_HINT if not drv.is_fixed_output else ""
        raise error


def _refuse_a_home(drv: Derivation) -> None:
    """Without the sandbox, builders share the host's file system: a ``HOME`` that exists
    (some earlier build wrote there) would let builds depend on each other. Nix refuses to
    build then, and so do we."""
    if os.path.lexists(_HOMELESS):
        error = BuildError(drv.name, f"{_HOMELESS} exists, so builds could share files through it")
        error.hint = (
            f"a build outside the sandbox wrote to its HOME; remove {_HOMELESS} (as root), and"
            " give that package a place of its own for caches (the Python builder does)"
        )
        raise error


def _sandbox_setting() -> str:
    """The `sandbox` setting (config file, ``PYBUILD_SANDBOX``), for callers that give none."""
    from .settings import load_settings

    return str(load_settings().sandbox)


def _builder_env(drv: Derivation, store: Store, work: Path, build_dir: Path) -> dict[str, str]:
    """A cleared environment: only what the derivation says, plus a few fixed variables."""
    path = [
        str(store.path(p) / "bin") for p in input_paths(drv) if (store.path(p) / "bin").is_dir()
    ]
    env = {k: _expand(v, store) for k, v in drv.env}
    env.update({o: str(work / p) for o, p in drv.output_paths.items()})
    env.update(
        PATH=os.pathsep.join([*path, _SYSTEM_PATH]),
        HOME=_HOMELESS,
        TMPDIR=str(build_dir),
        TMP=str(build_dir),
        TEMP=str(build_dir),
        PYBUILD_BUILD_TOP=str(build_dir),
        SOURCE_DATE_EPOCH=SOURCE_DATE_EPOCH,
        PYTHONNOUSERSITE="1",
        PYTHONDONTWRITEBYTECODE="1",  # nothing may write into inputs (root ignores read-only)
        PYTHONHASHSEED="0",
        LANG="C.UTF-8",
        TZ="UTC",
    )
    if not drv.is_fixed_output:
        for var in ("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy"):
            env[var] = _CLOSED_PROXY
    else:
        for var in (
            "http_proxy",
            "https_proxy",
            "HTTP_PROXY",
            "HTTPS_PROXY",
            "no_proxy",
            "NO_PROXY",
            "SSL_CERT_FILE",
            "REQUESTS_CA_BUNDLE",
        ):
            if var in os.environ:
                env[var] = os.environ[var]
    return env


def _download_limits(options: BuildOptions) -> dict[str, str]:
    """The download settings, for the in-build downloader (pybuild/builders/fetch.py).

    They go in the environment at build time, under the names the settings have there, and
    not in the derivation: the hash of a download must not depend on how patient one is.
    """
    return {
        "PYBUILD_STALLED_DOWNLOAD_TIMEOUT": str(options.stalled_download_timeout),
        "PYBUILD_DOWNLOAD_MIN_SPEED": str(options.download_min_speed),
        "PYBUILD_DOWNLOAD_DEADLINE": str(options.download_deadline),
    }


def _check_outputs(drv: Derivation, built: dict[str, Path], log_path: Path) -> None:
    for output, path in zip(drv.outputs, built.values(), strict=True):
        if not os.path.lexists(path):
            reason = f"builder did not create its output {output!r} (${output})"
            raise BuildError(drv.name, reason, str(log_path))
    if drv.output_hash is None:
        return
    (out,) = built.values()
    if drv.output_hash_mode == "flat":
        if not out.is_file() or out.is_symlink():
            raise BuildError(drv.name, "a flat fixed-output must be a single regular file")
        actual = hash_file(out)
    else:
        actual, _ = hash_path(out)
    if actual.sri != drv.output_hash:
        raise HashMismatch(f"fixed-output derivation {drv.name}", drv.output_hash, actual.sri)


def _expand(text: str, store: Store) -> str:
    return text.replace(STORE_TOKEN, str(store.dir))


def _tail(log_path: Path, options: BuildOptions) -> str:
    try:
        lines = log_path.read_text(errors="replace").splitlines()
    except OSError:
        return ""
    return "\n".join(lines[-options.log_lines :]) if options.log_lines > 0 else ""


def _say(options: BuildOptions, text: str) -> None:
    print(text, file=options.log or sys.stderr, flush=True)


def repair(
    drv: Derivation, store: Store, damaged: Sequence[str], options: BuildOptions | None = None
) -> list[str]:
    """Rebuild (or re-fetch) `drv` and put back those of its outputs named in `damaged`.

    An output is replaced only when the new build has exactly the registered hash; the
    outputs that could not be repaired that way are returned.
    """
    options = options or BuildOptions()
    left = []
    with store.lock(drv.output_paths.values()):
        _say(options, f"repairing {drv.name} ({drv.drv_name})")
        with _fresh_outputs(drv, store, options) as built:
            for name, fresh in built.items():
                if name not in damaged:
                    continue
                try:
                    store.replace_contents(name, fresh)
                except PybuildError:
                    left.append(name)  # the rebuild differs: not bit-reproducible
    return left
