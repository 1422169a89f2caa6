"""``pkgs.from_pypi_together``: several packages of the index for one environment, from
Python, resolved together as the command line's ``pypi:`` arguments are.

Hermetic: the index of :mod:`test_profiles_index` (hand-made wheels): ``app`` needs ``dep``,
``old`` needs ``dep<2``; ``dep`` has 1.0 and 2.0.
"""

from __future__ import annotations

import pytest
from test_profiles_index import Publish, publish  # noqa: F401  (the fixture)

from pybuild.pkgset import package_set
from pybuild.python.environment import VersionConflict

RELEASES = (("app", "1.0", "dep"), ("old", "1.0", "dep<2"), ("dep", "1.0"), ("dep", "2.0"))


def test_packages_asked_for_together_fit_one_environment(
    publish: Publish,  # noqa: F811  (the fixture imported above)
) -> None:
    """Two from_pypi calls are each resolved alone: app takes dep 2.0, old dep 1.0, and their
    environment is refused, with a hint at the way out. Asked for together, they share dep
    1.0, as ``shell -p pypi:app -p 'pypi:old'`` and ``uv pip install app old`` have them."""
    publish(*RELEASES)
    pkgs = package_set()
    apart = pkgs.python.with_packages([pkgs.from_pypi("app"), pkgs.from_pypi("old")])
    with pytest.raises(VersionConflict) as refused:
        apart.drv  # noqa: B018 - making it is the point
    # the packages to ask for together, as the command line and Python ask for them
    assert "command line pypi:app pypi:old (after -p each" in refused.value.hint
    assert "from Python pkgs.from_pypi_together('app', 'old')" in refused.value.hint
    together = pkgs.from_pypi_together("app", "pypi:old<2")
    assert [p.pname for p in together] == ["app", "old"]
    env = pkgs.python.with_packages(together)
    assert sorted((p.pname, p.version) for p in env.closure) == [
        ("app", "1.0"),
        ("dep", "1.0"),
        ("old", "1.0"),
    ]


def test_requests_of_the_wrong_shape_are_refused_before_the_index_is_asked() -> None:
    """A list of requests (an easy slip) was an AttributeError of str.removeprefix; none at
    all, "nothing to resolve"."""
    from pybuild.errors import UsageError

    pkgs = package_set()
    with pytest.raises(UsageError, match=r"give its items, from_pypi_together\(\*requests\)"):
        pkgs.from_pypi_together(["app", "old<2"])  # type: ignore[arg-type]
    with pytest.raises(UsageError, match=r"each a string"):
        pkgs.from_pypi_together("app", 2)  # type: ignore[arg-type]
    assert pkgs.from_pypi_together() == []


def test_a_requested_upper_bound_is_pinned_before_what_others_bring(
    publish: Publish,  # noqa: F811  (the fixture imported above)
) -> None:
    """`nb<7 console`, as pip and uv have `notebook<7 jupyter-console`: nb<7 is pinned
    first, at its newest 6.5, whose client<8 then holds kernel to 6.0. By name alone,
    console's kernel 7.0 (client>=8) was pinned before nb, held back to 6.4 by it."""
    publish(
        ("nb", "6.4", "client"),
        ("nb", "6.5", "client<8"),
        ("nb", "7.0", "client>=8"),
        ("console", "1.0", "kernel"),
        ("kernel", "6.0", "client>=7"),
        ("kernel", "7.0", "client>=8"),
        ("client", "7.0"),
        ("client", "8.0"),
    )
    together = package_set().from_pypi_together("nb<7", "console")
    env = package_set().python.with_packages(together)
    assert sorted((p.pname, p.version) for p in env.closure) == [
        ("client", "7.0"),
        ("console", "1.0"),
        ("kernel", "6.0"),
        ("nb", "6.5"),
    ]
