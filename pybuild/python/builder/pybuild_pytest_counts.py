"""A pytest plugin of the check phase (``-p pybuild_pytest_counts``): it writes the session's
outcomes, counted as pytest's own summary line counts them, to ``$PYBUILD_TEST_COUNTS``.

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


def pytest_terminal_summary(terminalreporter):
    stats = terminalreporter.stats
    counts = {name: sum(len(stats.get(k, ())) for k in keys) for name, keys in _COUNTED.items()}
    with open(os.environ["PYBUILD_TEST_COUNTS"], "w") as f:
        json.dump(counts, f)
