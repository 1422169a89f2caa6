"""What an import checks before it resolves: the hashes a lock can be checked by, the
options and tables it cannot honour (no index needed: the resolution is never reached)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from pybuild.generate import folder
from pybuild.generate.folder import import_file, request_for
from pybuild.importers import ImportFileError
from pybuild.importers.pylock import parse_pylock_text
from pybuild.importers.pyproject import parse_pyproject_text
from pybuild.importers.requirements import format_requirements, parse_requirements
from support.fixtures import index_environ

HEADER = 'lock-version = "1.0"\ncreated-by = "hand"\n'


@pytest.mark.parametrize("hashes", ['{ sha512 = "00" }', '{ md5 = "abc" }'])
def test_a_locked_package_with_no_sha256_is_refused_at_its_line(hashes: str) -> None:
    """Its request line had no hash, so the release was resolved unpinned and its recipe
    took whatever sha256 the index gave; a requirements file's --hash=sha512 is refused."""
    text = (
        f'{HEADER}[[packages]]\nname = "six"\nversion = "1.0"\n'
        f'sdist = {{ name = "six-1.0.tar.gz", hashes = {hashes} }}\n'
    )
    lock = parse_pylock_text(text, "pylock.toml")
    with pytest.raises(ImportFileError) as info:
        request_for(lock, "pylock.toml", all_from_index=False)
    assert info.value.line == 3
    assert "six: only sha256 hashes can be checked against the index" in info.value.reason


def test_a_locked_package_with_a_sha256_among_others_is_checked_by_it() -> None:
    text = (
        f'{HEADER}[[packages]]\nname = "six"\nversion = "1.0"\n'
        'wheels = [{ name = "six-1.0-py3-none-any.whl", hashes = { sha512 = "00" } },\n'
        '  { name = "six-1.0.tar.gz", hashes = { sha256 = "AB", sha512 = "00" } }]\n'
    )
    request = request_for(parse_pylock_text(text), "pylock.toml", all_from_index=False)
    assert request.requirements[0].hashes == ("sha256:ab",)


def test_no_index_is_warned_of_at_its_line(tmp_path: Path) -> None:
    """--no-index was read and then ignored without a word: the import resolved from the
    index all the same, where pip would install from --find-links folders only."""
    path = tmp_path / "r.txt"
    path.write_text("six\n--no-index\n")
    spec = parse_requirements(path)
    assert len(spec.warnings) == 1
    assert spec.warnings[0].startswith(f"{path}:2: --no-index is a pip option pybuild ignores:")
    assert "PIP_INDEX_URL" in spec.warnings[0]
    assert "--no-index" in format_requirements(spec)  # kept, for writing the file back


class _Resolved(Exception):
    """Where a test's import stops: at the resolution, after what is checked before it."""


def _import_until_resolution(
    path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> str:
    """What `path`'s import says on stderr before it resolves (the resolution is stopped)."""

    def resolve(*args: object, **kwargs: object) -> None:
        raise _Resolved

    monkeypatch.setattr(folder, "get_plan", resolve)
    with pytest.raises(_Resolved):
        import_file(SimpleNamespace(interpreter=None), path, path.parent / "out")
    return capsys.readouterr().err


def test_a_lock_naming_another_index_is_warned_of_at_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A package's index was ignored without a word, and the error then blamed its hashes,
    listing the files of the index pybuild resolves from."""
    configured = "http://127.0.0.1:9/simple"
    for name, value in index_environ(configured).items():
        monkeypatch.setenv(name, value)
    entry = 'sdist = {{ name = "{0}-1.0.tar.gz", hashes = {{ sha256 = "ab" }} }}\n'
    lock = tmp_path / "pylock.toml"
    lock.write_text(
        f'{HEADER}[[packages]]\nname = "six"\nversion = "1.0"\n'
        f'index = "https://other.example/simple"\n{entry.format("six")}'
        f'[[packages]]\nname = "ten"\nversion = "1.0"\n'
        f'index = "https://other.example/simple/"\n{entry.format("ten")}'
        f'[[packages]]\nname = "one"\nversion = "1.0"\nindex = "{configured}/"\n'
        f"{entry.format('one')}"
    )
    err = _import_until_resolution(lock, monkeypatch, capsys)
    assert err.count("warning") == 1, err
    assert (
        f"pybuild: warning: {lock}:3: six (and ten) are locked from the index"
        " https://other.example/simple, which pybuild does not resolve from" in err
    )
    assert f"pip's configuration: {configured}" in err
    assert "PIP_INDEX_URL=https://other.example/simple" in err


TOOL_GROUPS = """\
[project]
name = "app"
dependencies = ["six"]

[tool.poetry.group.test.dependencies]
pytest = "^8.0"

[tool.poetry.dev-dependencies]
ruff = "*"

[tool.pdm.dev-dependencies]
lint = ["flake8"]
doc = ["sphinx"]
"""


def test_tool_specific_dependency_groups_are_warned_of_at_their_line() -> None:
    """Poetry's and PDM's own group tables were skipped silently, where [tool.uv]
    dev-dependencies is a warning: each now is, saying how to write it as PEP 735's."""
    spec = parse_pyproject_text(TOOL_GROUPS, "pyproject.toml")
    assert [w.split(": ")[0] for w in spec.warnings] == [
        "pyproject.toml:5",
        "pyproject.toml:8",
        "pyproject.toml:11",
    ]
    test, dev, pdm = spec.warnings
    assert "[tool.poetry.group.test.dependencies] is Poetry's own dependency group 'test'" in test
    assert "[dependency-groups] test = [...]" in test and "--group test" in test
    assert "[tool.poetry.dev-dependencies] is Poetry's own dependency group 'dev'" in dev
    assert "[tool.pdm.dev-dependencies] are PDM's own dependency groups 'lint', 'doc'" in pdm


@pytest.mark.parametrize(
    ("text", "group", "table"),
    [
        (TOOL_GROUPS, "test", "[tool.poetry.group.test.dependencies]"),
        (TOOL_GROUPS, "dev", "[tool.poetry.dev-dependencies]"),
        (TOOL_GROUPS, "Lint", "[tool.pdm.dev-dependencies]"),
        (
            '[project]\nname = "a"\n[tool.uv]\ndev-dependencies = ["pytest"]\n',
            "dev",
            "[tool.uv] dev-dependencies",
        ),
    ],
)
def test_a_group_only_a_tools_table_has_is_named_in_the_error(
    text: str, group: str, table: str
) -> None:
    with pytest.raises(ImportFileError) as info:
        parse_pyproject_text(text, "pyproject.toml", groups=[group])
    assert info.value.reason.startswith(f"no dependency group {group!r}; it has none")
    assert f"{table} (at line " in info.value.reason
    assert "[dependency-groups]" in info.value.hint


@pytest.mark.parametrize(
    ("entry", "named"),
    [('{foo = "bar"}', "{'foo': 'bar'}"), ("42", "42")],
)
def test_a_group_entry_neither_requirement_nor_include_is_named(entry: str, named: str) -> None:
    """ "dev must be a list of strings" was wrong: {include-group = ...} tables belong there."""
    text = f'[project]\nname = "a"\n[dependency-groups]\ndev = ["pytest", {entry}]\n'
    with pytest.raises(ImportFileError) as info:
        parse_pyproject_text(text, "pyproject.toml", groups=["dev"])
    assert info.value.line == 4
    assert info.value.reason == (
        f"dependency group 'dev': {named} is neither a requirement (a string) nor an"
        " {include-group = NAME} table"
    )


def test_an_include_of_a_missing_group_is_an_error_at_its_line() -> None:
    text = (
        '[project]\nname = "a"\n[dependency-groups]\nlint = ["ruff"]\n'
        'dev = [\n  {include-group = "nope"},\n]\n'
    )
    with pytest.raises(ImportFileError) as info:
        parse_pyproject_text(text, "pyproject.toml", groups=["dev"])
    assert info.value.line == 6
    assert info.value.reason == (
        "dependency group 'dev' includes 'nope', which [dependency-groups] does not have;"
        " it has ['dev', 'lint']"
    )


def test_a_group_that_is_no_list_is_an_error_at_its_line() -> None:
    """A string was read letter by letter, each letter a requirement."""
    text = '[project]\nname = "a"\n[dependency-groups]\ndev = "pytest"\n'
    with pytest.raises(ImportFileError) as info:
        parse_pyproject_text(text, "pyproject.toml", groups=["dev"])
    assert (info.value.line, info.value.reason) == (4, "dependency group 'dev' must be a list")
