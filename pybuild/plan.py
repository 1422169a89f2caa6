"""A build's plan: which derivations realising targets must build, download or copy from a
binary cache, dependencies first (Nix's ``--dry-run`` prints it).

A valid output needs nothing, nor do the inputs of one a binary cache can supply with its
closure, or with the rest of it once the plan has built what the cache lacks. Which outputs
are valid is asked of the registry once for the whole graph: the walk is in memory, and a
query a derivation cost a plan of 200 builds 200 queries. The plan is its own module so
that a dry run loads none of what building needs (the build step, threads).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

from .buildoptions import BuildOptions
from .derivations import Derivation
from .graph import toposort
from .records import record
from .store import Store

TYPE_CHECKING = False  # typing: an import no command needs at run time
if TYPE_CHECKING:
    from .cache.substitute import Substituters

__all__ = ["Plan", "Work", "make_plan", "planned_work", "substituters"]


@record(frozen=True)
class Work:
    """What realising would do (``--dry-run``): build, download, or copy from a cache."""

    builds: tuple[Derivation, ...]
    downloads: tuple[Derivation, ...]
    copies: tuple[Derivation, ...]

    def __bool__(self) -> bool:
        return bool(self.builds or self.downloads or self.copies)


def planned_work(
    targets: Sequence[Derivation], store: Store | None = None, options: BuildOptions | None = None
) -> Work:
    """What :func:`~pybuild.realiser.realise` would do for `targets` now, doing none of it
    (Nix's ``--dry-run``).

    The binary caches of `options` (by default, the settings') are asked which outputs they
    have; nothing is built, downloaded or copied.
    """
    store = store or Store.default()
    return make_plan(targets, store, substituters(options or BuildOptions.from_settings())).work()


@record
class Plan:
    """Derivations to build, dependencies first, each with those of its inputs to build first,
    and which of them a binary cache has."""

    order: list[Derivation]
    deps: dict[Derivation, list[Derivation]]
    copies: set[Derivation]  # those a binary cache has

    def work(self) -> Work:
        rest = [d for d in self.order if d not in self.copies]
        return Work(
            builds=tuple(d for d in rest if not d.is_fixed_output),
            downloads=tuple(d for d in rest if d.is_fixed_output),
            copies=tuple(d for d in self.order if d in self.copies),
        )


def make_plan(
    targets: Sequence[Derivation], store: Store, subs: Substituters | None = None
) -> Plan:
    """Derivations to build, dependencies first; a valid output's inputs are not needed, nor
    are those of outputs a binary cache can supply with their closure.

    A cache may lack part of a closure that this plan makes anyway: an environment whose
    entry refers to a package the cache has no entry for is copied once that package is
    built here (the copy finds it valid), so it is a copy that waits for that build. Counted
    as a build of its own, with its other inputs, it was copied all the same, and neither
    the plan line nor the ``[n/N]`` counter was what happened.

    A target's output valid only because a ``pybuild serve`` client imported it is not taken
    as valid: the build checks it (:func:`~pybuild.realiser.realise`). Only the targets':
    a build request's inputs are the client's own copies (:mod:`pybuild.remote.serve`)."""

    imported = set(store.client_imported(p for t in targets for p in t.output_paths.values()))
    valid = _valid_outputs(targets, store) - imported  # built again, to compare: not copied

    @functools.cache  # asked once a derivation: a node has many parents
    def needs_build(drv: Derivation) -> bool:
        return not all(p in valid for p in drv.output_paths.values())

    @functools.cache
    def copy_after(drv: Derivation) -> tuple[Derivation, ...] | None:
        """The derivations to realise before `drv`'s outputs are copied from a cache, or
        None when they cannot be."""
        if subs is None or not imported.isdisjoint(drv.output_paths.values()):
            return None
        lacking = {path for path, _ in subs.missing(drv.output_paths.values(), store)}
        if not lacking:
            return ()
        if not lacking.isdisjoint(drv.output_paths.values()):
            return None  # no entry for it: most derivations a cache lacks, known without a walk
        makers = _makers(drv)
        if not all(path in makers for path in lacking):
            return None  # a path nothing it is built from makes
        return tuple(dict.fromkeys(makers[path] for path in lacking))

    def deps(drv: Derivation) -> list[Derivation]:
        if not needs_build(drv):
            return []
        after = copy_after(drv)
        if after is not None:
            return list(after)
        return [d for d in drv.input_drvs if needs_build(d)]

    order = [d for d in toposort(targets, deps, lambda d: d.drv_name) if needs_build(d)]
    copies = {d for d in order if copy_after(d) is not None}
    if subs is not None:
        subs.tell_refusals()
    return Plan(order, {d: deps(d) for d in order}, copies)


def _makers(drv: Derivation) -> dict[str, Derivation]:
    """The derivations `drv` is built from, directly or not, by the outputs they make: those
    of its inputs only, which cannot need `drv` in turn (a cache entry naming a reference of
    another kind would make the plan a cycle)."""
    makers: dict[str, Derivation] = {}
    pending = list(drv.input_drvs)
    while pending:
        input_drv = pending.pop()
        outputs = input_drv.output_paths.values()
        if next(iter(outputs)) not in makers:
            makers.update(dict.fromkeys(outputs, input_drv))
            pending += input_drv.input_drvs
    return makers


def _valid_outputs(targets: Sequence[Derivation], store: Store) -> set[str]:
    """The valid ones among the outputs of `targets` and of every derivation they need, asked
    at once. More than a plan may need to know (a valid output's inputs are not needed), but
    known in memory: a query a derivation cost the dry run of a 200-node graph 200, and so
    would a query a level of it. Derivations are told apart by their first output, which they
    have already, not by their .drv name, which costs a hash to make."""
    seen: set[str] = set()
    names: list[str] = []
    pending = list(targets)
    while pending:
        drv = pending.pop()
        outputs = drv.output_paths.values()
        first = next(iter(outputs))
        if first not in seen:
            seen.add(first)
            names += outputs
            pending += drv.input_drvs
    return store.valid_among(names)


def substituters(options: BuildOptions) -> Substituters | None:
    """The binary caches of `options`, or None when it names none."""
    if not options.substituters:
        return None
    from .cache.substitute import Substituters

    return Substituters.from_options(options, lambda text: options.say(text))
