"""A pytest plugin of the check phase (``-p pybuild_hypothesis``): a suite that has Hypothesis
runs it as on a CI machine, where Hypothesis loads its ``ci`` profile by itself.

Hypothesis' defaults fail a test whose example takes over 200 ms, or whose data takes long to
draw, and pick new random examples each run. In a build those make the result depend on the
machine's load and on chance: python-dateutil's rruleset round trip took 404 ms once (0.45 ms
when run again) while CI's cores were all busy, and failed its build. The profile loaded here
has no deadline and no "too slow" health check, derives each test's examples from the test
itself, so a build tests the same examples each time, as Nix would have it, and writes no
example database into the source tree.

The plugin is imported before the suite's ``conftest.py`` files, so a profile that a suite
loads for itself still wins, as it would over Hypothesis' own on CI. Nothing is imported
where the suite has no Hypothesis.
"""

import importlib.util

PROFILE = "pybuild-check"


def _load_profile():
    if importlib.util.find_spec("hypothesis") is None:
        return
    from hypothesis import HealthCheck, settings

    settings.register_profile(
        PROFILE,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    settings.load_profile(PROFILE)


_load_profile()
