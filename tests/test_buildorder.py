"""The order in which ready builds start (pybuild/buildorder.py): downloads first, then the
build with the most work ahead of it, the size of its sources standing in for its time."""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from pybuild.buildorder import BuildOrder
from pybuild.derivations import derivation
from pybuild.hashing import hash_bytes
from pybuild.realiser import BuildOptions, realise
from pybuild.store import Store

SH = "/bin/sh"


@dataclass(eq=False)
class Drv:
    """What BuildOrder reads of a derivation."""

    name: str
    input_drvs: list[Drv] = field(default_factory=list)
    input_srcs: list[str] = field(default_factory=list)
    is_fixed_output: bool = False

    @property
    def output_paths(self) -> dict[str, str]:
        return {"out": f"{self.name}-out"}


def ordered(order: BuildOrder, ready: list[Drv]) -> list[str]:
    """The names of `ready` in the order `order` picks them, each one learnt as it ends."""
    picked = []
    while ready:
        drv = order.pick(ready)  # type: ignore[arg-type]
        order.learnt(drv)  # type: ignore[arg-type]
        picked.append(drv.name)
    return picked


def test_the_heaviest_chain_goes_first_and_ties_in_plan_order() -> None:
    """`tool` is small but `big` needs it: its chain is big's, so it goes before `medium`;
    `a` and `b` weigh the same and keep the plan's order."""
    src = {name: Drv(f"{name}.tar.gz", is_fixed_output=True) for name in ("tool", "big", "mid")}
    tool = Drv("tool", [src["tool"]])
    big = Drv("big", [src["big"], tool])
    medium = Drv("medium", [src["mid"]])
    a, b = Drv("a"), Drv("b")
    plan = [*src.values(), tool, medium, a, b, big]
    deps = {big: [src["big"], tool], tool: [src["tool"]], medium: [src["mid"]]}
    sizes = {"tool.tar.gz-out": 10, "big.tar.gz-out": 1000, "mid.tar.gz-out": 100}
    order = BuildOrder(plan, deps, sizes.get)  # type: ignore[arg-type]
    assert ordered(order, [a, b, tool, medium]) == ["tool", "medium", "a", "b"]


def test_downloads_go_first_and_sizes_are_learnt_as_they_end() -> None:
    """Before its download, a build's sources weigh nothing; once it ends, they do."""
    small_src = Drv("small.tar.gz", is_fixed_output=True)
    large_src = Drv("large.tar.gz", is_fixed_output=True)
    small, large = Drv("small", [small_src]), Drv("large", [large_src])
    plan = [small_src, large_src, small, large]
    deps = {small: [small_src], large: [large_src]}
    known: dict[str, int] = {}
    order = BuildOrder(plan, deps, known.get)  # type: ignore[arg-type]
    ready = [small, large_src]
    assert order.pick(ready) is large_src  # type: ignore[arg-type]
    assert order.pick([small, large]) is small  # type: ignore[arg-type]  # nothing known: plan order
    known.update({"small.tar.gz-out": 5, "large.tar.gz-out": 500})
    order.learnt(large_src)  # type: ignore[arg-type]
    assert order.pick([small, large]) is large  # type: ignore[arg-type]


def test_one_job_builds_the_one_with_the_larger_source_first(store: Store) -> None:
    """Through realise: three builds ready at once, each of a download of another size, with
    one job: the largest first, where first in, first out took them in the plan's order."""
    sizes = {"small": 10, "large": 100_000, "middle": 1_000}
    builds = []
    for name, size in sizes.items():
        src = derivation(
            name=f"{name}.bin",
            builder=SH,
            args=["-c", f'head -c {size} /dev/zero > "$out"'],
            output_hash=hash_bytes(bytes(size)).hex,
        )
        builds.append(derivation(name=name, builder=SH, args=["-c", f'wc -c < {src} > "$out"']))
    log = io.StringIO()
    realise(builds, store, BuildOptions(log=log, jobs=1))
    started = [line.split()[2] for line in log.getvalue().splitlines() if "] building " in line]
    assert started == ["large", "middle", "small"]
