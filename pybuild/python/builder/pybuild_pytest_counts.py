"""A pytest plugin of the check phase (``-p pybuild_pytest_counts``): it writes the session's
outcomes, counted as pytest's own summary line counts them, to ``$PYBUILD_TEST_COUNTS``, and
deselects the node ids a recipe disables (``$PYBUILD_DESELECT``, a JSON list) exactly.

pytest's JUnit report was tried first, but it merges and splits outcomes differently from
the summary a user reads in the same log (docutils: 466 passed there, 467 in the summary).
The plugin is copied into a folder of its own in the build, so that the test suite sees it
and nothing else of the builder.
"""

import json
import os

# pytest's summary categories, as the check phase reports them.
_COUNTED = {
    "passed": ("passed", "xpassed"),
    "failed": ("failed", "error"),
    "skipped": ("skipped", "xfailed"),
}


def pytest_collection_modifyitems(config, items):
    """Deselect each disabled node id's test (and its parametrisations), or the tests of the
    class or file it names: pytest's ``--deselect`` takes a prefix, so ``test_pickle`` also
    dropped ``test_pickle_proxy``, unlogged. A node id that matches no test is said (renamed
    upstream?), not an error: a test may be collected on some interpreters only."""
    wanted = json.loads(os.environ.get("PYBUILD_DESELECT", "[]"))
    if not wanted:
        return
    kept, dropped, used = [], [], set()
    for item in items:
        node = next((n for n in wanted if _names(n, item.nodeid)), None)
        (kept if node is None else dropped).append(item)
        used.add(node)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
    for node in wanted:
        if node not in used:
            print(f"\npybuild: disabled test {node} matched no test", flush=True)


def _names(node, nodeid):
    """Whether the node id `node` names the test `nodeid` (itself, a parametrisation of it,
    or a test within it)."""
    return nodeid == node or nodeid.startswith((node + "[", node + "::"))


def pytest_terminal_summary(terminalreporter):
    stats = terminalreporter.stats
    counts = {name: sum(len(stats.get(k, ())) for k in keys) for name, keys in _COUNTED.items()}
    with open(os.environ["PYBUILD_TEST_COUNTS"], "w") as f:
        json.dump(counts, f)
