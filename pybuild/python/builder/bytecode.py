"""Bytecode for an installed package, on every core the build may use when it is large.

The cores the build may use are those pybuild gives it: with ``-j2`` on two cores, two
builds each forking a worker a core would ask for four.

A large pure-Python package spends most of its builder's time here (fonttools: 0.8 s of
compiling against 1.8 s of ``build_wheel``), one file after another. compileall's own parallel
mode starts a forkserver, a new interpreter that imports this builder again before it compiles
anything; a pool forked from the builder starts in milliseconds. A small package is compiled
in this process: starting workers would cost more than they save.

The bytecode is the same either way: each file is compiled alone, by a process that is a copy
of this one (the same hash seed, the same modules loaded), with paths relative to the output.
Standard library only: this module runs inside builds.
"""

import compileall
import functools
import os
import py_compile

SOURCES_PER_WORKER = 64  # a worker must have this many files to pay for its start


def compile_tree(folder: str, stripdir: str, workers: int) -> bool:
    """Compile every ``.py`` file under `folder` (as ``compileall.compile_dir`` would: in name
    order, no ``__pycache__``, no linked folders), checked by hash of nothing (the store never
    changes), paths relative to `stripdir`; with up to `workers` processes. Whether every
    file compiled."""
    files = list(_sources(folder))
    compile_file = functools.partial(
        compileall.compile_file,
        quiet=2,
        stripdir=stripdir,
        invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH,
    )
    workers = min(workers, len(files) // SOURCES_PER_WORKER)
    if workers <= 1:
        return all([compile_file(f) for f in files])  # a list: every file, even after a failure
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # fork: the builder has no threads, and its children need nothing but compileall.
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        return all(list(pool.map(compile_file, files, chunksize=8)))


def build_cores() -> int:
    """The cores this build may use: those pybuild gives it (``PYBUILD_BUILD_CORES``, its
    share when builds run in parallel), and never more than the process may run on."""
    given = os.environ.get("PYBUILD_BUILD_CORES", "")
    usable = usable_cores()
    return min(usable, int(given)) if given.isdigit() and int(given) > 0 else usable


def usable_cores() -> int:
    """The cores this process may run on (the build's affinity, not the machine's count,
    where the system says: Linux does, macOS does not)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _sources(folder: str):
    """The files under `folder`, in compileall's order, skipping what it skips."""
    for name in sorted(os.listdir(folder)):
        if name == "__pycache__":
            continue
        path = os.path.join(folder, name)
        if not os.path.isdir(path):
            yield path
        elif not os.path.islink(path):
            yield from _sources(path)
