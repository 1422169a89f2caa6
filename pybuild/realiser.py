"""Realising derivations: run each builder whose outputs are not yet valid, inputs first.

The process: plan what must be built (a valid output needs nothing; a binary cache may
supply one with its closure), then run builds in dependency order, up to `jobs` at once.
Per derivation: take the output locks; if another process built the outputs meanwhile,
stop; try the binary caches; else run one build step (:mod:`pybuild.buildstep`: the builder
in a fresh folder, its outputs checked) here or, with the ``builders`` setting, on a remote
machine with a free slot (:mod:`pybuild.remote`), then commit the outputs to the store,
which scans them for references and registers them in one transaction. Nothing of a failed
build is registered.

Example::

    >>> from pybuild import derivation
    >>> greet = 'mkdir "$out" && echo hello > "$out/greeting"'
    >>> hello = derivation(name="hello", builder="/bin/sh", args=["-c", greet])
    >>> realise([hello])[hello].status
    <Status.BUILT: 'built'>
    >>> realise([hello])[hello].status
    <Status.VALID: 'valid'>
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path

from .buildoptions import BuildOptions
from .buildstep import DISK_FULL_HINT, SOURCE_DATE_EPOCH, KeepRebuild, fresh_outputs
from .derivations import Derivation, derivation_of, input_paths, instantiate_all
from .errors import BuildError, PybuildError, SettingsError, UsageError, wrong_type
from .hashing import hash_file, hash_path
from .plan import Plan, Work, make_plan, planned_work, substituters
from .progress import plan_line
from .records import record, replace
from .results import BuildResult, Status
from .store import Store
from .store.temproots import add_temp_roots, temp_roots

TYPE_CHECKING = False  # typing: an import no command needs at run time
if TYPE_CHECKING:
    from concurrent.futures import Future, ThreadPoolExecutor

    from .cache.substitute import Substituters
    from .python.environment import Environment
    from .python.package import PythonPackage
    from .remote.farm import Farm

__all__ = [
    "SOURCE_DATE_EPOCH",
    "BuildOptions",
    "Work",
    "check",
    "planned_work",
    "realise",
    "repair",
]

_VALID = BuildResult(Status.VALID)
_BUILT = BuildResult(Status.BUILT)


def realise(
    targets: Sequence[Derivation | PythonPackage | Environment],
    store: Store | None = None,
    options: BuildOptions | None = None,
) -> dict[Derivation, BuildResult]:
    """Make every output of `targets` valid; returns the result of each derivation it saw.

    A target is a derivation, or what ``pybuild build`` builds as its derivation: a package
    or an environment (its ``.drv``). The result is keyed by derivation: the targets' (a
    package's result is ``results[pkg.drv]``) and every one it had to build, each with its
    :class:`~pybuild.results.Status` (and, for a failure, the error and the log). With
    `options.keep_going` every build that can go on does; without it the first failure stops
    the run, as Nix's does without ``--keep-going``: the builds running are killed, no other
    starts, and that failure is raised. It writes its progress (the plan, each build as it
    starts and ends) to standard error unless `options` say where: ``BuildOptions(log=...)``,
    such as ``io.StringIO()`` to keep it or ``open(os.devnull, "w")`` to drop it (see
    :class:`~pybuild.buildoptions.BuildOptions`). Without `options`, it builds under the
    user's settings (the config file, ``PYBUILD_*``) as ``pybuild build`` does:
    ``BuildOptions.from_settings()``; to change some, ``BuildOptions.from_settings(log=...)``.

    The targets' outputs are temporary roots of this process from the start until it ends, as
    Nix's builds are: what this returns stays valid while the caller uses it, whatever
    collection runs meanwhile; a result link or a profile keeps it afterwards.

    A target's outputs valid only because a ``pybuild serve`` client imported them are
    built again and compared, as a build request for them is: the same, they are kept as
    built here; different, the build fails (:class:`~pybuild.errors.BuildError`).

    `store` is the default one (``PYBUILD_HOME``'s) when not given. Its paths are the same in
    every store, but a target's local files were added to the store it was evaluated for (the
    default one when its set's package or :func:`~pybuild.derivations.derivation` was
    evaluated, or derivation's `store=`): a target evaluated for another store is refused
    (:class:`~pybuild.errors.UsageError`) before anything is written.
    """
    if derivation_of(targets) is not None or isinstance(targets, str) or targets is None:
        # realise(pkgs.six): Python's TypeError said less; realise("six"), letter by letter
        alone = f"{type(targets).__name__} {targets!s:.80} alone: put it in a list, realise([...])"
        raise wrong_type("realise", "targets", targets, "a list of packages or derivations", alone)
    drvs = [_derivation(target) for target in targets]
    store = store or Store.default()
    _check_evaluated_for(store, drvs)  # before anything is written, to this store or another
    add_temp_roots(store, _outputs(drvs))  # the caller may use them once this returns
    store.refuse_missing(_outputs(drvs))
    if all(store.is_valid(p) for p in _outputs(drvs)) and not store.client_imported(_outputs(drvs)):
        return dict.fromkeys(drvs, _VALID)  # a no-op: no plan or cache to set up
    options = options or BuildOptions.from_settings()
    subs = substituters(options)
    farm = _farm(options)
    try:
        with temp_roots(store, _protected_paths(drvs)):  # a concurrent gc keeps all of them
            plan = make_plan(drvs, store, subs)
            instantiate_all(plan.order, store)  # every .drv to write, in one transaction
            if plan.order:
                work = plan.work()
                if work.builds or work.downloads:
                    _check_some_can_build(options, farm)
                options.reporter.planned(len(work.builds), len(work.downloads), len(work.copies))
            results = {d: _VALID for d in drvs if d not in plan.order}
            workers = farm.slots if farm else options.jobs
            told = _Told(plan)
            results.update(
                _run_plan(
                    plan,
                    lambda d, c: _build(d, store, options, c, subs, farm, told),
                    options,
                    workers,
                )
            )
    finally:
        if farm is not None:
            farm.close()
    return results


def _derivation(target: object) -> Derivation:
    """The derivation `target` is built as: itself, or a package's or environment's ``.drv``
    (asked of the class, as the command line does, so that nothing else is evaluated)."""
    drv = derivation_of(target)
    if drv is not None:
        return drv
    from .pkgset import a_noun  # only a mistake pays for it

    error = UsageError(
        f"realise builds derivations and packages, not {a_noun(type(target).__name__)}"
        f" ({target!r:.80})"
    )
    error.hint = (
        "pass a set's package (package_set().six), an environment (python.with_packages(...))"
        " or a derivation (derivation(...), fetch_url(...), a package's .drv)"
    )
    raise error


def _check_evaluated_for(store: Store, targets: Sequence[Derivation]) -> None:
    """Refuse targets evaluated for another store than `store`.

    A derivation's paths are the same in every store, but its local files (builder scripts,
    sources) were added to the store it was evaluated for; realised in another, its .drv files
    would name sources that store lacks. A source that is not even a file in `store` is such a
    one: asked of the file system alone, which writes nothing (`store` may not exist yet),
    once for each source, however many derivations share it (``fetch.py``).
    """
    from .graph import reachable

    graph = reachable(targets, lambda drv: drv.input_drvs)
    sources = {src for drv in graph for src in drv.input_srcs}
    missing = next((s for s in sources if not os.path.lexists(store.path(s))), None)
    if missing is None:
        return
    drv = next(d for d in graph if missing in d.input_srcs)
    target = next(t for t in targets if drv in reachable([t], lambda d: d.input_drvs))
    raise _evaluated_elsewhere(target, drv, missing, store)


def _evaluated_elsewhere(target: Derivation, drv: Derivation, src: str, store: Store) -> UsageError:
    """The error of a target whose source `src` (of `drv`, in its graph) `store` lacks; it
    names the store it was evaluated for when that is the default one (``PYBUILD_HOME``)."""
    default = Store.default()
    if default.dir != store.dir and os.path.lexists(default.path(src)):
        where = f"the store {default.dir}"
    else:
        where = "another store"
    of = "" if drv is target else f" (of {drv.name}, which it needs)"
    error = UsageError(
        f"{target.name} was evaluated for {where}, not for {store.dir}: its source {src}{of}"
        " is not in that store"
    )
    error.hint = (
        f"evaluate it for that store: set PYBUILD_HOME={store.home} before package_set() or"
        " derivation() (and realise without store=), or pass store= to derivation()"
    )
    return error


def _outputs(targets: Sequence[Derivation]) -> Iterator[str]:
    return (path for drv in targets for path in drv.output_paths.values())


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


class _Told:
    """The derivations a run has told its user it will make. A plan made again as it runs
    (a copy from a cache failed: its inputs must be built) tells those it adds, and only
    those, as many as the ``[n/N]`` counter adds to its total: a derivation of both plans,
    made by whichever comes first, is one of them once."""

    def __init__(self, plan: Plan) -> None:
        self._drvs = set(plan.order)
        self._lock = threading.Lock()

    def added(self, plan: Plan) -> Work:
        """What `plan` makes that was not told yet (now told)."""
        with self._lock:
            new = [d for d in plan.order if d not in self._drvs]
            self._drvs.update(new)
        return replace(plan, order=new).work()


def _run_plan(
    plan: Plan,
    build: Callable[[Derivation, int | None], BuildResult],
    options: BuildOptions,
    workers: int,
) -> dict[Derivation, BuildResult]:
    """Run builds with up to `workers` at once, each as soon as its inputs are done.

    `build` gets a derivation and the cores it may use: as a build starts, its share of
    them among the builds that will run alongside it (those started and those queued, up
    to `workers`), so that a build alone gets them all (None: counted by the build itself,
    only if it starts a builder).
    """
    if not plan.order:
        return {}  # a no-op build: do not even load the thread pool
    if len(plan.order) == 1:
        return _run_one(plan.order[0], build, options)
    from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

    from .processes import run_of_builds

    results: dict[Derivation, BuildResult] = {}
    waiting = {d: set(plan.deps[d]) for d in plan.order}
    dependents: dict[Derivation, list[Derivation]] = {d: [] for d in plan.order}
    for drv, deps in waiting.items():
        for dep in deps:
            dependents[dep].append(drv)
    running: dict[Future[BuildResult], Derivation] = {}
    seconds: dict[Derivation, float] = {}
    unfinished = 0  # builds submitted and not yet ended: they share the cores
    counting = threading.Lock()

    def timed(drv: Derivation) -> BuildResult:
        nonlocal unfinished
        start = time.monotonic()
        with counting:
            at_once = min(workers, unfinished)
        try:
            return build(drv, options.build_cores(at_once))
        finally:
            with counting:
                unfinished -= 1
            seconds[drv] = time.monotonic() - start

    ready: list[Derivation] = []  # inputs done, waiting for a worker
    with (
        run_of_builds(),
        ThreadPoolExecutor(max_workers=max(1, workers)) as pool,
        _stopped_when_interrupted(pool),
    ):
        while waiting or running or ready:
            newly = [d for d, w in waiting.items() if not w]
            for drv in newly:
                del waiting[drv]
            with counting:  # all of them counted before the first one starts
                unfinished += len(newly)
            ready += newly
            # Submitted only as a worker frees: a queued build is never out of reach of a
            # failure that must stop the run.
            while ready and len(running) < max(1, workers):
                drv = ready.pop(0)
                running[pool.submit(timed, drv)] = drv
            if not running:
                break
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in finished:
                drv = running.pop(future)
                results[drv] = result = _reported(drv, future.result, seconds, options)
                if result.error is not None:
                    if not options.keep_going:
                        result.error.failed_drv = drv.drv_name
                        raise result.error  # the other builds are stopped on the way out
                    _skip_dependents(drv, waiting, results)
                    continue
                for other in dependents[drv]:
                    if other in waiting:  # not skipped
                        waiting[other].discard(drv)
    return results


@contextlib.contextmanager
def _stopped_when_interrupted(pool: ThreadPoolExecutor) -> Iterator[None]:
    """On an interruption (Ctrl-C, SIGTERM: raised in the main thread, which runs the plan) or
    a failure without keep_going, kill the builders running (remote builds' connections too)
    and start no other build, as Nix stops its other builds when one fails without
    ``--keep-going``. Leaving the pool as it is would wait for the builds under way to end;
    killed, they clean up as failed builds do, at once, and what they report is not read."""
    try:
        yield
    except BaseException:
        from .processes import stop_builds

        stop_builds()
        pool.shutdown(cancel_futures=True)
        raise


def _run_one(
    drv: Derivation,
    build: Callable[[Derivation, int | None], BuildResult],
    options: BuildOptions,
) -> dict[Derivation, BuildResult]:
    """One build (a new environment, a package whose inputs are valid): run here, as the pool
    would run it, without the pool's import and thread (5 ms of a 150 ms command). Alone, it
    may use every core; they are counted only if it runs a builder: an environment's build
    (builtin) needs no count, nor the builder's module that counts them."""
    seconds: dict[Derivation, float] = {}

    def timed() -> BuildResult:
        start = time.monotonic()
        try:
            return build(drv, None)
        finally:
            seconds[drv] = time.monotonic() - start

    result = _reported(drv, timed, seconds, options)
    if result.error is not None and not options.keep_going:
        result.error.failed_drv = drv.drv_name
        raise result.error
    return {drv: result}


def _reported(
    drv: Derivation,
    outcome: Callable[[], BuildResult],
    seconds: Mapping[Derivation, float],
    options: BuildOptions,
) -> BuildResult:
    """`drv`'s result: the one `outcome` gives, or the failure it raises, told to the
    reporter with the build's `seconds`. Any other error goes up untold: it is pybuild's.

    A substitution is told with what it copied, so that its one line says how many paths,
    how many bytes, from which cache, and (the reporter adds it) how long it took."""
    try:
        result = outcome()
    except PybuildError as exc:
        result = BuildResult.failure(exc)
    name = f"{drv.name} ({result.copied})" if result.copied else drv.name
    options.reporter.finished(name, result.status, seconds[drv])
    return result


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
    drv: Derivation,
    store: Store,
    options: BuildOptions,
    cores: int | None,
    subs: Substituters | None = None,
    farm: Farm | None = None,
    told: _Told | None = None,
) -> BuildResult:
    outputs = drv.output_paths

    def waiting(name: str) -> None:
        options.say(f"waiting for {drv.name}: another process is making {store.path(name)}")

    with store.lock(outputs.values(), on_wait=waiting):
        if all(store.is_valid(p) for p in outputs.values()):
            if not store.client_imported(outputs.values()):
                return _VALID  # another process built it while we waited for the lock
            _check_import(drv, store, options)
            result = _BUILT
        else:
            result = _make(drv, store, options, cores, subs, farm, told)
        for name in store.client_imported(outputs.values()):  # made or checked here: its own
            (store.imported_dir / name).unlink(missing_ok=True)
    return result


def _make(
    drv: Derivation,
    store: Store,
    options: BuildOptions,
    cores: int | None,
    subs: Substituters | None,
    farm: Farm | None,
    told: _Told | None,
) -> BuildResult:
    """Copy `drv`'s outputs from a cache, or build them (the caller holds their locks)."""
    copied = _substitute(drv, store, options, subs, farm, told) if subs else None
    if copied is not None:
        return BuildResult(Status.SUBSTITUTED, copied=copied)
    try:
        if farm is None:
            _build_here(drv, store, options, cores)
        else:
            farm.build(drv, store, options, lambda: _build_here(drv, store, options, cores))
    except BuildError as error:
        _hint_at_the_cause(error, drv, store)
        raise
    if options.auto_optimise:
        from .store.optimise import optimise_paths

        optimise_paths(store, drv.output_paths.values())
    return _BUILT


def _check_import(drv: Derivation, store: Store, options: BuildOptions) -> None:
    """Make sure the outputs of `drv`, valid here only because a ``pybuild serve`` client
    imported them, are what a build here makes: built again and compared, as
    ``build --check`` does, or the build fails.

    A client may import any path under any name, and every client of the account may be
    someone else: an output one of them planted must neither be replied as "built" to
    another client nor taken by this machine's own build as valid (and then used, or signed
    for a cache). The same output is kept as built here; a different one cannot be replaced,
    since what refers to it would change, so the error says how to be rid of it.
    """
    differences = check(drv, store, options)
    if differences:
        files = ", ".join(f for d in differences.values() for f in shown_files(d.files[:5]))
        raise BuildError(
            drv.name,
            "its outputs here were imported from a client, not built here, and a build here"
            f" differs from them ({files}); build it elsewhere, or remove them from this"
            " machine's store",
        )


def _hint_at_the_cause(error: BuildError, drv: Derivation, store: Store) -> None:
    """A failed build's hint, when its cause lies outside its recipe: an input registered as
    valid but gone from the store folder (deleted by hand), which no rebuild of the recipe
    mends, whatever else was hinted (a sandboxed build then seems to lack what it reads); or,
    with no hint yet, a disk full under the build, as its builder said. Asked only once a
    build has failed."""
    inputs = [p for d in drv.input_drvs for p in d.output_paths.values()] + list(drv.input_srcs)
    try:
        gone = [p for p in store.closure(inputs) if not os.path.lexists(store.path(p))]
    except PybuildError:
        gone = []
    if gone:
        error.hint = (
            f"{store.path(gone[0])} is registered but missing from the store folder"
            + (f" (and {len(gone) - 1} more)" if len(gone) > 1 else "")
            + ": `pybuild verify --repair` makes it again"
        )
    elif not error.hint and any(
        no_room in error.tail for no_room in ("No space left on device", "quota exceeded")
    ):
        error.hint = DISK_FULL_HINT


def _build_here(drv: Derivation, store: Store, options: BuildOptions, cores: int | None) -> None:
    """Run the builder on this machine with `cores` cores (None: all a build alone may use)
    and commit its outputs (the caller holds the locks)."""
    verb = "fetching" if drv.is_fixed_output else "building"
    options.reporter.started(drv.name, drv.drv_name, verb)
    with fresh_outputs(drv, store, options, cores) as built:
        candidates = store.closure(input_paths(drv))
        store.commit(built, candidates=candidates, deriver=drv.drv_name)


def _farm(options: BuildOptions) -> Farm | None:
    """The remote builders of the ``builders`` setting with this machine's slots, if any."""
    if not options.builders:
        return None
    from .remote.farm import Farm
    from .remote.machines import parse_machines

    machines = parse_machines(options.builders)
    if not machines:
        return None
    return Farm(
        machines,
        options.jobs,
        options.ssh_options,
        options.remote_pybuild,
        options.connect_timeout,
    )


def _check_some_can_build(options: BuildOptions, farm: Farm | None) -> None:
    """``jobs = 0`` (Nix's ``max-jobs = 0``) leaves every build to the remote builders: with
    none, nothing could be built, which is said at once rather than by a run that hangs or
    quietly builds here after all."""
    if options.jobs or farm is not None:
        return
    where = (
        f"the builders setting ({options.builders}) names no machine"
        if options.builders
        else "no builders are set"
    )
    error = SettingsError(
        f"jobs is 0, which leaves every build to remote builders, but {where}: nothing could"
        " be built"
    )
    error.hint = "set builders (--builders) to build remotely, or jobs (-j) to 1 or more"
    raise error


def _substitute(
    drv: Derivation,
    store: Store,
    options: BuildOptions,
    subs: Substituters,
    farm: Farm | None = None,
    told: _Told | None = None,
) -> str | None:
    """Copy the outputs from a binary cache, and say what was copied; if that fails (None),
    make the inputs valid to build."""
    outputs = list(drv.output_paths.values())
    if subs.available(outputs, store):  # numbered in the counter as a build is
        options.reporter.started(drv.name, drv.drv_name, "copying")
    fetched = subs.fetch(drv.name, outputs, store, held=outputs, deriver=drv.drv_name)
    if fetched is not None:
        return subs.describe(fetched)  # its build inputs are not needed, so not fetched
    missing = [d for d in drv.input_drvs if not all(map(store.is_valid, d.output_paths.values()))]
    if not missing:
        options.reporter.replanned(drv.drv_name, 0)  # its build is one more step
        return None
    # The plan counted on the cache and skipped them (their roots are held). The same
    # substituters: a cache given up on is not asked again in this run; the same farm, whose
    # slots bound every build of the run (with jobs 0, the only ones).
    plan = make_plan(missing, store, subs)
    work = plan.work()
    if work.builds or work.downloads:
        _check_some_can_build(options, farm)
    added = told.added(plan) if told else work
    counts = len(added.builds), len(added.downloads), len(added.copies)
    options.reporter.replanned(drv.drv_name, sum(counts))
    if added:
        options.say(f"to build {drv.name}, {plan_line(*counts, more=True)}")
    workers = farm.slots if farm else options.jobs
    results = _run_plan(
        plan, lambda d, c: _build(d, store, options, c, subs, farm, told), options, workers
    )
    failed = [r.error for r in results.values() if r.error is not None]
    if failed:  # kept going past it: this build cannot, without that input
        raise failed[0]
    return None


def check(
    drv: Derivation, store: Store, options: BuildOptions | None = None
) -> dict[str, Difference]:
    """Build `drv` again and compare with its registered outputs (``pybuild build --check``).

    Returns how each output that differs does; empty when the rebuild is bit-identical. The
    outputs must be valid already; the inputs the rebuild needs are made valid first (built,
    fetched or substituted), as Nix does, since a gc may have taken them.
    A rebuild that differs is kept under `keep_failed` (``-K``), as a failed build is, to
    compare with the registered outputs, as Nix keeps ``<out>.check``.
    Without `options`, under the settings, as :func:`realise`.
    """
    options = options or BuildOptions.from_settings()
    for name in drv.output_paths.values():
        store.info(name)  # PathNotValid if it was never built
    differing = {}
    with temp_roots(store, _protected_paths([drv])):
        _make_inputs_valid(drv, store, options)
        options.say(f"checking {drv.name} ({drv.drv_name})")
        try:
            with fresh_outputs(drv, store, options) as built:
                for name, path in built.items():
                    if hash_path(path)[0].sri != store.info(name).nar_hash:
                        differing[name] = _differing_files(store.path(name), path)
                if differing and options.keep_failed:
                    raise KeepRebuild  # fresh_outputs keeps what it made, and says where
        except KeepRebuild as rebuild:
            kept = rebuild.kept
            return {n: Difference(f, kept / n if kept else None) for n, f in differing.items()}
    return {name: Difference(files) for name, files in differing.items()}


@record(frozen=True)
class Difference:
    """How one output's rebuild differs from the registered output: the files that differ
    (relative paths; ``.`` is an output that is a single file), and where the rebuild of the
    output was kept (with ``-K``) to compare."""

    files: list[str]
    kept: Path | None = None


def shown_files(files: list[str]) -> list[str]:
    """Differing files as a reader takes them: ``.`` would not be read as the output itself."""
    return [f if f != "." else "the output itself" for f in files]


def _make_inputs_valid(drv: Derivation, store: Store, options: BuildOptions) -> None:
    """Build, fetch or substitute what a rebuild of `drv` needs, as Nix does for ``--check``
    and ``--repair``: a gc takes the inputs of what it keeps (a package's sdist)."""
    inputs = [d for d in drv.input_drvs if not all(map(store.is_valid, d.output_paths.values()))]
    if inputs:
        realise(inputs, store, replace(options, keep_going=False))


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


def repair(
    drv: Derivation, store: Store, damaged: Sequence[str], options: BuildOptions | None = None
) -> list[str]:
    """Rebuild (or re-fetch) `drv` and put back those of its outputs named in `damaged`; the
    inputs the rebuild needs are made valid first, as :func:`check` does.

    An output is replaced only when the new build has exactly the registered hash; the
    outputs that could not be repaired that way are returned.
    Without `options`, under the settings, as :func:`realise`.
    """
    options = options or BuildOptions.from_settings()
    left = []
    with temp_roots(store, _protected_paths([drv])), store.lock(drv.output_paths.values()):
        _make_inputs_valid(drv, store, options)
        options.say(f"repairing {drv.name} ({drv.drv_name})")
        with fresh_outputs(drv, store, options) as built:
            for name, fresh in built.items():
                if name not in damaged:
                    continue
                try:
                    store.replace_contents(name, fresh)
                except PybuildError:
                    left.append(name)  # the rebuild differs: not bit-reproducible
    return left
