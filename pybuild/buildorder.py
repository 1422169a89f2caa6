"""The order in which a run starts the builds whose inputs are done.

The longest chain of work still ahead goes first, as ninja's critical-path scheduler orders
its edges. The workers that stay free then take the short builds beside it. First in, first
out would start the long chain late: in CI's ``build --all``, numpy from its sdist (ten
minutes on one core) waited behind a queue of small builds. Then it ran alone for the last
minutes, after the rest had ended.

A build's duration is not known before it runs, so the size of what it builds from stands in
for it: the bytes of its sources, which are the outputs of its downloads and the files added
to the store. A wheel's install and a pure-Python sdist's build both take time in proportion
to what they unpack, and a compiled sdist is large. A chain's weight is its build's estimate
plus the heaviest chain among the builds that need it.

Downloads go first, in plan order. They are short, and each one makes sizes known.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing: an import no build needs at run time
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from .derivations import Derivation


class BuildOrder:
    """Picks the next build among the ready ones of a plan (`order`, dependencies first,
    `deps` each one's inputs in the plan). `size` gives the bytes of a store path, or
    None while it is not valid."""

    def __init__(
        self,
        order: Sequence[Derivation],
        deps: dict[Derivation, list[Derivation]],
        size: Callable[[str], int | None],
    ) -> None:
        self._order = list(order)
        self._index = {drv: n for n, drv in enumerate(order)}
        self._dependents: dict[Derivation, list[Derivation]] = {drv: [] for drv in order}
        for drv in order:
            for dep in deps.get(drv, ()):
                self._dependents[dep].append(drv)
        self._size = size
        self._sizes: dict[str, int] = {}  # of the valid paths asked of: they do not change
        self._chains: dict[Derivation, int] = {}  # worked out with the sizes known so far

    def pick(self, ready: list[Derivation]) -> Derivation:
        """Remove and return the ready build to start now."""
        best = max(ready, key=self._priority)
        ready.remove(best)
        return best

    def learnt(self, drv: Derivation) -> None:
        """`drv` ended. A download's output is a size newly known: the chains are worked
        out again."""
        if drv.is_fixed_output:
            self._chains.clear()

    def _priority(self, drv: Derivation) -> tuple[bool, int, int]:
        return drv.is_fixed_output, self._chain(drv), -self._index[drv]

    def _chain(self, drv: Derivation) -> int:
        """The estimated work of `drv` and of the heaviest chain of builds that need it. The
        plan is in dependency order, so the dependents are worked out first, from the last."""
        if drv not in self._chains:
            for later in reversed(self._order[self._index[drv] :]):
                if later not in self._chains:
                    after = (self._chains[d] for d in self._dependents[later])
                    self._chains[later] = self._own(later) + max(after, default=0)
        return self._chains[drv]

    def _own(self, drv: Derivation) -> int:
        """The bytes `drv` builds from: its downloads' outputs and its files from the store."""
        paths = [p for d in drv.input_drvs if d.is_fixed_output for p in d.output_paths.values()]
        return sum(self._bytes(p) for p in [*paths, *drv.input_srcs])

    def _bytes(self, path: str) -> int:
        if path not in self._sizes:
            size = self._size(path)
            if size is None:
                return 0  # not downloaded yet: asked again once it is
            self._sizes[path] = size
        return self._sizes[path]
