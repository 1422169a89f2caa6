"""Releases whose metadata cannot be had, and who the errors say requires them; on a local
index of files made here, next to the real build-tool wheels; no network.

The index holds:

- ``user`` 0.9, 1.0 (needs ``dep``) and 2.0 (needs ``dep[x]>=2``, which no release meets);
  ``dep`` 1.0, an sdist whose backend fails;
- ``patron`` 1.0 (needs ``ward``), and ``ward`` 2.0, an sdist whose backend fails, and 3.0;
  the set has recipes for ``patron`` and ``ward`` 3.0.
"""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
from test_pypi import OFFLINE, OFFLINE_BACKEND, _metadata, sdist, wheel
from test_pypi_resolution import RECIPE

from pybuild.generate import MetadataError, import_file
from pybuild.generate.errors import DependencyMetadataError
from pybuild.pkgset import DEFAULT_RECIPES, package_set
from support.fixtures import WHEEL_CACHE, BuildIndex, published, sha256_of

FAILING = {"pyproject.toml": OFFLINE, "backend.py": OFFLINE_BACKEND}


def make_dists(tmp: Path) -> list[Path]:
    """The files of the index made here (the module doc), without the build tools."""

    def plain(name: str, version: str, *requires: str) -> Path:
        return wheel(tmp, name, version, "", _metadata(name, version, requires))

    return [
        plain("user", "0.9"),
        plain("user", "1.0", "dep"),
        plain("user", "2.0", "dep[x]>=2"),
        sdist(tmp, "dep", "1.0", FAILING),
        plain("patron", "1.0", "ward"),
        sdist(tmp, "ward", "2.0", FAILING),
        plain("ward", "3.0"),
    ]


@pytest.fixture(scope="module")
def dists(build_index: BuildIndex, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Every file of the index; `build_index` fills the cache of the build tools' wheels."""
    made = make_dists(tmp_path_factory.mktemp("metadata-errors-dists"))
    return [*made, *sorted(WHEEL_CACHE.glob("*.whl"))]


@pytest.fixture
def index(dists: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return published(tmp_path / "index", dists, monkeypatch)


# -- who requires a release whose metadata cannot be had --------------------------------------


def test_only_what_requires_a_release_now_is_named_not_what_did_before_backtracking(
    index: Path,
) -> None:
    """user 2.0 asks for dep[x]>=2, which no release meets, so user 1.0 is taken, which asks
    for dep, whose backend fails: the error named user 2.0 too (and hinted pypi:user<2.0),
    as its requirement was the last one asked on dep[x], long given up."""
    with pytest.raises(DependencyMetadataError) as info:
        package_set().from_pypi("user")
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
    """Importing `patron ward<3`: the set's recipe patron is kept, and the ward it takes
    comes from the index (2.0), whose backend fails: the error named nothing that required
    ward 2.0, as the requirement of a set's recipe is worded as that recipe, which was not
    among the releases it looked for."""
    requirements = tmp_path / "requirements.txt"
    requirements.write_text("patron\nward<3\n")
    with pytest.raises(DependencyMetadataError) as info:
        import_file(pkgs, requirements, tmp_path / "out")
    assert "ward 2.0: backend failed to prepare the metadata" in str(info.value)
    assert str(info.value).splitlines()[-2] == (
        "ward 2.0 is required by the set's recipe patron (patron 1.0)"
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
