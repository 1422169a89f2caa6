"""Releases whose metadata cannot be used, and who the errors say requires them; on a local
index of files made here, next to the real build-tool wheels; no network.

The index holds:

- ``app`` 1.0, needing ``badreq``: 1.0, and 2.0 whose wheel's ``Requires-Dist`` does not
  parse (``not a requirement!``), which uv skips for 1.0;
- ``lone`` 1.0, needing ``broken``, whose one release 2.0 has that wheel;
- ``sdbad`` 1.0, and 2.0, an sdist whose final ``PKG-INFO`` has that requirement and whose
  ``[project]`` table has none (uv reads the table: 2.0); ``allbad`` 1.0, and 2.0, an sdist
  whose ``PKG-INFO`` and table both have it, and whose flit backend writes it (uv: 1.0);
- ``user`` 0.9, 1.0 (needs ``dep``) and 2.0 (needs ``dep[x]>=2``, which no release meets);
  ``dep`` 1.0, an sdist whose backend fails;
- ``patron`` 1.0 (needs ``ward``), and ``ward`` 2.0, an sdist whose backend fails, and 3.0;
  the set has recipes for ``patron`` and ``ward`` 3.0;
- ``lab`` 1.0 (needs ``tor``), and ``tor`` 5.0, an sdist whose backend fails, and 6.0;
- ``num`` 1.0, a wheel for CPython 3.9 alone and an sdist whose backend fails, and 2.0;
- ``proto`` 3.0 and 4.0; ``gtools`` 2.0 (needs ``proto>=4``), 1.5 (a wheel for CPython 3.9
  alone that needs ``proto>=4``, and an sdist whose backend fails) and 1.0 (a wheel for
  CPython 3.9 alone that needs ``proto<4``, and an sdist whose backend says the same), as
  grpcio-tools on 3.12; ``gbad`` 2.0 (needs ``proto>=4``) and 1.0 (a wheel for CPython 3.9
  alone that needs ``proto<4``, and an sdist whose backend fails); ``stale`` 1.0, a wheel for
  CPython 3.9 alone that needs nothing, and an sdist whose backend says ``proto<4``.
"""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from test_pypi import (
    OFFLINE,
    OFFLINE_BACKEND,
    _metadata,
    _project,
    _recipe_text,
    sdist,
    wheel,
)
from test_pypi_resolution import RECIPE

from pybuild.generate import MetadataError, ResolutionFailed, import_file
from pybuild.generate.errors import DependencyMetadataError
from pybuild.generate.pypi import from_pypi_together
from pybuild.generate.releases import Releases
from pybuild.lazy import force
from pybuild.pkgset import DEFAULT_RECIPES, package_set
from support.fixtures import WHEEL_CACHE, BuildIndex, published, sha256_of

BAD = "not a requirement!"
FAILING = {"pyproject.toml": OFFLINE, "backend.py": OFFLINE_BACKEND}
PREPARING_BACKEND = """\
import os


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    os.mkdir(os.path.join(metadata_directory, {dist_info!r}))
    with open(os.path.join(metadata_directory, {dist_info!r}, "METADATA"), "w") as f:
        f.write({metadata!r})
    return {dist_info!r}
"""


def preparing(name: str, version: str, *requires: str) -> dict[str, str]:
    """An sdist's files whose in-tree backend prepares metadata saying `requires`."""
    backend = PREPARING_BACKEND.format(
        dist_info=f"{name}-{version}.dist-info", metadata=_metadata(name, version, requires)
    )
    return {"pyproject.toml": OFFLINE, "backend.py": backend}


def make_dists(tmp: Path) -> list[Path]:
    """The files of the index made here (the module doc), without the build tools."""

    def plain(name: str, version: str, *requires: str) -> Path:
        return wheel(tmp, name, version, "", _metadata(name, version, requires))

    def py39(name: str, version: str, *requires: str) -> Path:
        meta = _metadata(name, version, requires)
        return wheel(tmp, name, version, "", meta, tag="cp39-none-any")

    bad_table = _project("allbad", "2.0", [BAD])
    return [
        plain("app", "1.0", "badreq"),
        plain("badreq", "1.0"),
        plain("badreq", "2.0", BAD),
        plain("lone", "1.0", "broken"),
        plain("broken", "2.0", BAD),
        plain("sdbad", "1.0"),
        sdist(tmp, "sdbad", "2.0", _project("sdbad", "2.0"), _metadata("sdbad", "2.0", [BAD])),
        plain("allbad", "1.0"),
        sdist(tmp, "allbad", "2.0", bad_table, _metadata("allbad", "2.0", [BAD])),
        plain("user", "0.9"),
        plain("user", "1.0", "dep"),
        plain("user", "2.0", "dep[x]>=2"),
        sdist(tmp, "dep", "1.0", FAILING),
        plain("patron", "1.0", "ward"),
        sdist(tmp, "ward", "2.0", FAILING),
        plain("ward", "3.0"),
        plain("lab", "1.0", "tor"),
        sdist(tmp, "tor", "5.0", FAILING),
        plain("tor", "6.0"),
        wheel(tmp, "num", "1.0", "", _metadata("num", "1.0"), tag="cp39-none-any"),
        sdist(tmp, "num", "1.0", FAILING),
        plain("num", "2.0"),
        plain("proto", "3.0"),
        plain("proto", "4.0"),
        plain("gtools", "2.0", "proto>=4"),
        py39("gtools", "1.5", "proto>=4"),
        sdist(tmp, "gtools", "1.5", FAILING),
        py39("gtools", "1.0", "proto<4"),
        sdist(tmp, "gtools", "1.0", preparing("gtools", "1.0", "proto<4")),
        plain("gbad", "2.0", "proto>=4"),
        py39("gbad", "1.0", "proto<4"),
        sdist(tmp, "gbad", "1.0", FAILING),
        py39("stale", "1.0"),
        sdist(tmp, "stale", "1.0", preparing("stale", "1.0", "proto<4")),
    ]


@pytest.fixture(scope="module")
def dists(build_index: BuildIndex, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Every file of the index; `build_index` fills the cache of the build tools' wheels."""
    made = make_dists(tmp_path_factory.mktemp("metadata-errors-dists"))
    return [*made, *sorted(WHEEL_CACHE.glob("*.whl"))]


@pytest.fixture
def index(dists: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return published(tmp_path / "index", dists, monkeypatch)


def _versions(pkg) -> dict[str, str]:
    """The package's own version and its dependencies', by name."""
    found = {pkg.pname: pkg.version}
    found.update({force(d).pname: force(d).version for d in pkg.attrs["dependencies"]})
    return found


# -- invalid metadata: the release is skipped, as uv skips it ----------------------------------


def test_a_release_whose_wheel_has_an_invalid_requirement_gives_way_to_an_older_one(
    index: Path,
) -> None:
    """badreq 2.0's wheel says ``Requires-Dist: not a requirement!``: a MetadataError naming
    no requirer was raised, where uv (0.13.9) skips the release for badreq 1.0; when no
    release is left (broken 2.0 alone), the error names the release, why, and who required
    it, as uv's 'badreq==2.0 has invalid metadata … all versions of app depend on badreq'."""
    pkgs = package_set()
    assert _versions(pkgs.from_pypi("app")) == {"app": "1.0", "badreq": "1.0"}
    with pytest.raises(ResolutionFailed) as info:
        pkgs.from_pypi("lone")
    assert info.value.causes == [
        "broken is required by lone 1.0",
        "  and the index has broken 2.0",
        f"  but broken 2.0 has invalid metadata: Requires-Dist {BAD!r} (the wheel's METADATA)"
        " does not parse: Expected semicolon (after name with no version specifier) or end",
    ]
    assert info.value.hint == (
        "broken 2.0 cannot be used (uv leaves it out too): take an older release of what"
        " requires broken, which may not need it; or give broken a recipe of your own in an"
        " overlay (--overlay FILE)"
    )


def test_an_sdists_invalid_static_metadata_is_passed_over_as_uv_passes_it_over(
    index: Path, pybuild_home: Path
) -> None:
    """An sdist's final PKG-INFO with a requirement that does not parse was a MetadataError;
    uv reads the ``[project]`` table then (sdbad 2.0), and builds the metadata when that
    does not parse either: allbad 2.0's flit writes it as it is, so uv takes allbad 1.0,
    and so does this, saying why it is not the newest."""
    pkgs = package_set()
    assert _versions(pkgs.from_pypi("sdbad")) == {"sdbad": "2.0"}
    allbad = pkgs.from_pypi("allbad")
    assert allbad.version == "1.0"
    text = _recipe_text(pybuild_home, "allbad")
    assert (
        "allbad 1.0 is not its newest release (2.0): allbad 2.0 has invalid metadata:"
        f" Requires-Dist {BAD!r} (the build backend's prepare_metadata_for_build_wheel) does"
        " not parse"
    ) in text


# -- who requires a release whose metadata cannot be had --------------------------------------


def test_only_what_requires_a_release_now_is_named_not_what_did_before_backtracking(
    index: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """user 2.0 asks for dep[x]>=2, which no release meets, so user 1.0 is taken, which asks
    for dep, whose backend fails: the error named user 2.0 too (and hinted pypi:user<2.0),
    as its requirement was the last one asked on dep[x], long given up. The backend is run
    once, though dep 1.0's metadata is read before it is pinned (for whether it is valid)."""
    asked = []
    metadata = Releases.metadata

    def counted(self, name, version, *within):
        asked.append((name, str(version)))
        return metadata(self, name, version, *within)

    monkeypatch.setattr(Releases, "metadata", counted)
    with pytest.raises(DependencyMetadataError) as info:
        package_set().from_pypi("user")
    assert asked.count(("dep", "1.0")) == 1
    assert str(info.value).splitlines()[-2] == "dep 1.0 is required by user 1.0"
    assert info.value.dependents == ["user 1.0"]
    assert info.value.hint == (
        "take an older user, which may not need it (pypi:user<1.0); or give dep a recipe of"
        " your own in an overlay (--overlay FILE)"
    )


def test_a_release_the_request_asks_for_with_extras_names_that_request_at_once(
    index: Path,
) -> None:
    """Before the resolver's first round ends it has no state to ask who requires a
    release: dep[x] 1.0, asked for by the request alone, fails at once, and the request is
    named, as for a release reached through its own extras."""
    with pytest.raises(DependencyMetadataError) as info:
        package_set().from_pypi("dep", extras=["x"])
    assert str(info.value).splitlines()[-2] == "dep 1.0 is required by pypi:dep[x]"


def test_the_request_that_bounds_a_release_whose_metadata_cannot_be_had_is_named(
    index: Path,
) -> None:
    """`lab` and `tor<6`: tor 5.0's backend fails, and the error named only what else
    required it (none here: the request's candidates are read before a round ends), and
    hinted at everything but the request's own bound, which alone holds tor below 6.0
    (pybuild lock 'pypi:tornado<6' pypi:jupyterlab on 3.12 named jupyterlab 2.3.2 and
    others): the request is named, and loosening it is a way out."""
    with pytest.raises(DependencyMetadataError) as info:
        from_pypi_together(package_set(), [("lab", None, ()), ("tor", "<6", ())])
    assert str(info.value).splitlines()[-2] == "tor 5.0 is required by pypi:tor<6"
    assert info.value.hint == (
        "loosen the request pypi:tor<6; or give tor a recipe of your own in an overlay"
        " (--overlay FILE)"
    )


def test_a_hint_offers_no_release_the_request_excludes(index: Path) -> None:
    """`num<2`: num 1.0 has a wheel for CPython 3.9 alone, and its sdist's backend fails;
    the hint offered num 2.0's wheel (pypi:num==2.0), which the request excludes (pybuild
    lock 'pypi:numpy<1.20' on 3.12 was offered numpy 2): it says that no release the
    request allows has a wheel here, and offers the Python its wheels are for, or to
    loosen the request."""
    tag = str(package_set().interpreter.tags[0])
    with pytest.raises(DependencyMetadataError) as info:
        package_set().from_pypi("num", "<2")
    assert str(info.value).splitlines()[-2] == "num 1.0 is required by pypi:num<2"
    assert info.value.hint == (
        f"num 1.0 has no wheel for this interpreter ({tag}), so it is built from its sdist,"
        " and no release num<2 has one: choose an interpreter its wheels are for"
        " (--python 3.9); or loosen the request pypi:num<2; or give num a recipe of your"
        " own in an overlay (--overlay FILE)"
    )


# -- releases with no wheel here: taken by their wheels for another Python, as uv takes them ---


def test_a_release_built_here_is_passed_over_by_its_wheels_for_another_python(
    index: Path,
) -> None:
    """`gtools` and `proto<4`: gtools 1.5 has no wheel here and its sdist's backend fails.
    Its metadata could not be had, and the resolution stopped there, where uv reads its
    wheel for 3.9 (proto>=4) and goes on to 1.0 (grpcio-tools on 3.12 with protobuf<4).
    1.0, pinned by its wheel's metadata too, has its own prepared at the end, which agrees."""
    gtools, proto = from_pypi_together(package_set(), [("gtools", None, ()), ("proto", "<4", ())])
    assert _versions(gtools) == {"gtools": "1.0", "proto": "3.0"}
    assert proto.version == "3.0"


def test_a_release_pinned_by_another_pythons_wheel_is_resolved_by_its_own_metadata(
    index: Path,
) -> None:
    """`stale` 1.0's wheel for 3.9 needs nothing, but its backend here says ``proto<4``:
    the resolution that pinned it by the wheel is made again with its own metadata, which
    the package then has."""
    assert _versions(package_set().from_pypi("stale")) == {"stale": "1.0", "proto": "3.0"}


def test_a_release_pinned_by_another_pythons_wheel_whose_sdist_fails_is_the_error_it_was(
    index: Path,
) -> None:
    """`gbad` and `proto<4`: gbad 1.0 fits by its wheel for 3.9, and its backend fails here,
    which is told as before. The hint offered gbad 2.0's wheel, which the resolver had found
    not to fit (grpcio-tools 1.85.4, where protobuf<4 holds it at 1.48.2): only the Python
    its wheels are for is offered."""
    tag = str(package_set().interpreter.tags[0])
    with pytest.raises(DependencyMetadataError) as info:
        from_pypi_together(package_set(), [("gbad", None, ()), ("proto", "<4", ())])
    assert str(info.value).startswith("gbad 1.0: backend failed to prepare the metadata")
    assert info.value.hint == (
        f"gbad 1.0 has no wheel for this interpreter ({tag}), so it is built from its sdist:"
        " choose an interpreter its wheels are for (--python 3.9); or give gbad a recipe of"
        " your own in an overlay (--overlay FILE)"
    )


@pytest.fixture
def pkgs(index: Path, tmp_path: Path):
    """The default set with recipes for patron (which takes ward) and ward 3.0."""
    folder = tmp_path / "recipes"
    folder.mkdir()
    for name, version, deps in (("patron", "1.0", "ward"), ("ward", "3.0", "")):
        digest = sha256_of(index, f"{name}-{version}-py3-none-any.whl")
        sri = "sha256-" + base64.b64encode(bytes.fromhex(digest)).decode()
        params = f", {deps}" if deps else ""
        text = RECIPE.format(
            name=name, version=version, deps=deps, optional="{}", sri=sri, params=params
        )
        (folder / f"{name}.py").write_text(text)
    return package_set(recipes=[DEFAULT_RECIPES, folder])


def test_a_set_recipe_that_requires_a_release_whose_metadata_cannot_be_had_is_named(
    pkgs, tmp_path: Path
) -> None:
    """Importing `patron ward!=3.0`: the set's recipe patron is kept, and the ward it takes
    comes from the index (2.0), whose backend fails: the error named nothing that required
    ward 2.0, as the requirement of a set's recipe is worded as that recipe, which was not
    among the releases it looked for. (With `ward<3`, the request's upper bound has ward
    pinned before patron, as pip pins it: only the request asks for it then.) The request's
    line that bounds ward is named first: it is what excludes the recipe's ward 3.0."""
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("patron\nward!=3.0\n")
    with pytest.raises(DependencyMetadataError) as info:
        import_file(pkgs, requirements, tmp_path / "out")
    assert "ward 2.0: backend failed to prepare the metadata" in str(info.value)
    assert str(info.value).splitlines()[-2] == (
        f"ward 2.0 is required by {requirements}:2, the set's recipe patron (patron 1.0)"
    )


def test_the_causes_hint_and_the_resolvers_ways_read_as_one_list_of_alternatives() -> None:
    """The cause's ways were joined to the resolver's with a bare '; ', as if the first of
    them were a fact about the cause: all are alternatives, each after '; or '."""
    cause = MetadataError("needy 1.0: its build tool has no wheel here")
    cause.hint = "pass --python 3.99; or add a recipe for the tool"
    error = DependencyMetadataError(
        cause, "needy 1.0", ["needyuser 1.0"], ["take an older needyuser", "give needy a recipe"]
    )
    assert error.hint == (
        "pass --python 3.99; or add a recipe for the tool; or take an older needyuser; or give"
        " needy a recipe"
    )
