"""An sdist's ``[project]`` table read as its metadata (PEP 621), under uv's rules: only when
none of the requirements is dynamic, and only for the release it names."""

from __future__ import annotations

import pytest

from pybuild.generate.projecttable import static_metadata

HEAD = '[project]\nname = "Dbt_Parser"\nversion = "2.0.8"\n'


def test_a_static_table_gives_the_requirements_and_extras_with_their_markers() -> None:
    text = HEAD + (
        'requires-python = ">=3.9"\ndependencies = ["a>=1", "b; sys_platform == \'win32\'"]\n'
        "[project.optional-dependencies]\nMy_Extra = [\"c; os_name == 'nt' or os_name == 'x'\"]\n"
    )
    meta = static_metadata(text, "dbt-parser", "2.0.8")
    assert meta is not None
    assert meta.requires_dist == (
        "a>=1",
        'b; sys_platform == "win32"',
        'c; (os_name == "nt" or os_name == "x") and extra == "my-extra"',
    )
    assert (meta.requires_python, meta.extras) == (">=3.9", ("my-extra",))
    assert (meta.name, meta.version) == ("dbt-parser", "2.0.8")


def test_no_dependencies_and_none_dynamic_is_none() -> None:
    meta = static_metadata(HEAD, "dbt-parser", "2.0.8")
    assert meta is not None
    assert (meta.requires_dist, meta.requires_python, meta.extras) == ((), None, ())


def test_a_dynamic_version_is_the_releases() -> None:
    text = '[project]\nname = "dbt-parser"\ndynamic = ["version"]\ndependencies = ["a"]\n'
    meta = static_metadata(text, "dbt-parser", "2.0.8")
    assert meta is not None and meta.version == "2.0.8" and meta.requires_dist == ("a",)


@pytest.mark.parametrize(
    "text",
    [
        None,  # no pyproject.toml
        "[build-system]\nrequires = []\n",  # no [project] table
        "[project\n",  # not TOML
        HEAD + 'dynamic = ["dependencies"]\n',
        HEAD + 'dynamic = ["optional-dependencies"]\ndependencies = []\n',
        HEAD + 'dynamic = ["requires-python"]\n',
        HEAD + '[tool.poetry.dependencies]\npython = "^3.9"\n',  # Poetry's, not PEP 621's
        '[project]\nname = "other"\nversion = "2.0.8"\n',  # another project
        '[project]\nname = "dbt-parser"\nversion = "2.0.7"\n',  # another release
        '[project]\nname = "dbt-parser"\n',  # no version, not dynamic
        HEAD + 'dependencies = ["a >= = 1"]\n',  # not a requirement
        HEAD + 'dependencies = "a"\n',  # not a list
        HEAD + '[project.optional-dependencies]\nX = ["a"]\nx = ["b"]\n',  # one extra twice
    ],
)
def test_a_table_that_does_not_fix_the_requirements_leaves_them_to_the_backend(
    text: str | None,
) -> None:
    assert static_metadata(text, "dbt-parser", "2.0.8") is None
