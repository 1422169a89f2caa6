"""Reading and writing requirements files, pyproject.toml and pylock.toml (no index needed)."""

from __future__ import annotations

import codecs
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from pybuild.importers import ImportFileError, file_kind, read_file, where_named
from pybuild.importers.pylock import (
    Lock,
    LockedFile,
    LockedPackage,
    Selection,
    format_pylock,
    is_pylock_name,
    lock_environments,
    marker_variables,
    parse_pylock_text,
)
from pybuild.importers.pyproject import format_pyproject, parse_pyproject_text
from pybuild.importers.requirements import (
    RequirementLine,
    RequirementsFile,
    format_requirements,
    parse_requirements,
    parse_requirements_text,
)
from pybuild.importers.toml import Inline, dumps

SHA_A = "a" * 64
SHA_B = "0123456789abcdef" * 4

# -- requirements files -----------------------------------------------------------------------


def test_requirements_as_pip_reads_them(tmp_path: Path) -> None:
    (tmp_path / "base.txt").write_text(f"click==8.1.8 --hash=sha256:{SHA_B}  # the CLI\n")
    (tmp_path / "constraints.txt").write_text("urllib3<3\n")
    main = tmp_path / "requirements.txt"
    main.write_text(
        "# a comment line\n"
        "--index-url https://index.example/simple\n"
        "--extra-index-url=https://other.example/simple\n"
        "-r base.txt\n"
        "-c constraints.txt\n"
        "--pre\n"
        "--only-binary :all:\n"
        "\n"
        "requests[socks]==2.32.3 \\\n"
        f"    --hash=sha256:{SHA_A} \\\n"
        f"    --hash=SHA256:{SHA_B.upper()}\n"
        f'tomli==2.0.1; python_version < "3.11" --hash=sha256:{SHA_A}\n'
    )
    spec = parse_requirements(main)
    assert [r.name for r in spec.requirements] == ["click", "requests", "tomli"]
    click, requests, tomli = spec.requirements
    assert (click.path, click.line) == (str(tmp_path / "base.txt"), 1)
    assert requests.line == 9 and requests.requirement.extras == {"socks"}
    assert requests.hashes == (f"sha256:{SHA_A}", f"sha256:{SHA_B}")
    assert requests.sha256() == {SHA_A, SHA_B}
    assert str(tomli.requirement.marker) == 'python_version < "3.11"'
    assert [c.name for c in spec.constraints] == ["urllib3"]
    assert spec.index_urls() == ["https://index.example/simple", "https://other.example/simple"]
    assert spec.options == ["--pre", "--only-binary=:all:"]


def test_a_hash_sign_glued_to_text_is_not_a_comment() -> None:
    # pip's rule: only '#' at the start or after whitespace begins a comment.
    spec = parse_requirements_text("other # comment\n#whole line\n")
    assert [r.name for r in spec.requirements] == ["other"]
    with pytest.raises(ImportFileError) as info:
        parse_requirements_text("ok\nname==1.0#tail\n")
    assert info.value.line == 2 and "invalid requirement 'name==1.0#tail'" in info.value.reason


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("ok\n\nbad >= = 1\n", 3, "invalid requirement 'bad >= = 1'"),
        ("ok\n-e ./project\n", 2, "editable requirements (-e) cannot be imported"),
        ("--find-links /wheels\n", 1, "--find-links is not supported"),
        ("--frobnicate\n", 1, "unknown option '--frobnicate'"),
        ("a==1 --hash=md5:abcd\n", 1, "bad --hash 'md5:abcd'"),
        ("a==1 --hash=sha256:xyz\n", 1, "bad --hash 'sha256:xyz'"),
        ("a==1 --config-settings=x=y\n", 1, "unsupported per-requirement option"),
        ("\n./local/project\n", 2, "is a path or URL, not a requirement on the index"),
        ("https://host.example/a-1.0.tar.gz\n", 1, "is a path or URL"),
        ("a @ https://host.example/a-1.0.tar.gz\n", 1, "a is a direct reference"),
        ("ok\ngit+https://host.example/x/y@v1#egg=y\n", 2, "is a path or URL"),
        ("ok\nsix==${PYBUILD_TEST_UNSET}\n", 2, "${PYBUILD_TEST_UNSET} is not set"),
        ("-c c.txt\n", 0, "a constraint cannot have extras"),
        ("# c\n-r\n", 2, "-r needs a value"),
        ("-r missing.txt\n", 0, "no such file"),
        ("a==1 \\\n  --hash=sha256:'unclosed\n", 1, "cannot split the line"),
    ],
)
def test_malformed_requirements_name_line_and_reason(
    tmp_path: Path, text: str, line: int, reason: str
) -> None:
    path = tmp_path / "requirements.txt"
    path.write_text(text)
    (tmp_path / "c.txt").write_text("ok\nsix[foo]==1.17.0\n")
    with pytest.raises(ImportFileError) as info:
        parse_requirements(path)
    assert reason in info.value.reason
    if line:
        assert (info.value.path, info.value.line) == (str(path), line)
        assert str(info.value).startswith(f"{path}:{line}: ")


def test_environment_variables_are_expanded_as_pip_expands_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SIX_VERSION", "1.17.0")
    monkeypatch.setenv("INDEX_TOKEN", "s3cret")
    path = tmp_path / "requirements.txt"
    path.write_text(
        "--index-url https://u:${INDEX_TOKEN}@index.example/simple\nsix==${SIX_VERSION}\n"
    )
    spec = parse_requirements(path)
    assert str(spec.requirements[0].requirement) == "six==1.17.0"
    assert spec.index_url == "https://u:s3cret@index.example/simple"
    (tmp_path / "c.txt").write_text("six[foo]==1.17.0\n")
    path.write_text("six\n-c c.txt\n")
    with pytest.raises(ImportFileError) as info:
        parse_requirements(path)
    assert (info.value.path, info.value.line) == (str(tmp_path / "c.txt"), 1)


def test_an_include_cycle_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("x\n-r b.txt\n")
    (tmp_path / "b.txt").write_text("-r a.txt\n")
    with pytest.raises(ImportFileError) as info:
        parse_requirements(tmp_path / "a.txt")
    assert info.value.line == 1 and "includes itself" in info.value.reason


def test_a_missing_include_is_an_error_at_the_line_naming_it(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("x\n-r missing.txt\n")
    with pytest.raises(ImportFileError) as info:
        parse_requirements(tmp_path / "a.txt")
    assert (info.value.path, info.value.line) == (str(tmp_path / "a.txt"), 2)
    assert "-r missing.txt: no such file" in info.value.reason


@pytest.mark.parametrize(
    ("bom", "encoding"),
    [
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
        (codecs.BOM_UTF32_LE, "utf-32-le"),
    ],
)
def test_a_file_with_a_byte_order_mark_is_read_as_pip_reads_it(
    tmp_path: Path, bom: bytes, encoding: str
) -> None:
    # Notepad saves UTF-8 with a mark, PowerShell's `pip freeze > requirements.txt` UTF-16;
    # pip decodes both by the mark, the files they include too.
    (tmp_path / "cons.txt").write_bytes(bom + "attrs<25\r\n".encode(encoding))
    main = tmp_path / "requirements.txt"
    main.write_bytes(bom + "# from windows\r\nsix==1.16.0\r\n-c cons.txt\r\n".encode(encoding))
    spec = parse_requirements(main)
    assert [(r.name, r.line) for r in spec.requirements] == [("six", 2)]
    assert [str(c.requirement) for c in spec.constraints] == ["attrs<25"]


def test_a_file_that_is_not_utf8_says_so(tmp_path: Path) -> None:
    path = tmp_path / "requirements.txt"
    path.write_bytes("caf\xe9\n".encode("latin-1"))
    with pytest.raises(ImportFileError) as info:
        parse_requirements(path)
    assert "cannot read it" in info.value.reason and "UTF-8" in info.value.hint


def test_an_included_file_is_named_as_the_file_including_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A conflict names lines of both files: one relative, the other absolute, read unlike.
    (tmp_path / "reqs").mkdir()
    (tmp_path / "reqs" / "base.txt").write_text("click\n")
    (tmp_path / "reqs" / "main.txt").write_text("-r base.txt\nsix\n")
    monkeypatch.chdir(tmp_path)
    spec = parse_requirements("reqs/main.txt")
    assert [r.where for r in spec.requirements] == ["reqs/base.txt:1", "reqs/main.txt:2"]


def test_the_line_naming_a_project_is_found_for_its_errors(tmp_path: Path) -> None:
    (tmp_path / "cons.txt").write_text("Attrs<25\n")
    main = tmp_path / "requirements.txt"
    main.write_text("six\n-c cons.txt\n")
    spec = read_file(main)
    assert where_named(spec, main, "six") == (str(main), 1)
    assert where_named(spec, main, "attrs") == (str(tmp_path / "cons.txt"), 1)
    assert where_named(spec, main, "idna") == (str(main), 0)
    lock = parse_pylock_text(
        'lock-version = "1.0"\ncreated-by = "x"\n[[packages]]\nname = "Six"\nversion = "1"\n'
        'directory = { path = "six" }\n'
    )
    assert where_named(lock, "pylock.toml", "six") == ("pylock.toml", 3)


def test_installer_options_pybuild_ignores_are_warned_of_with_their_line(
    tmp_path: Path,
) -> None:
    """pip's installer options were kept silently: each is now a warning, with its file and
    line, saying what pybuild does instead (``:none:``, which undoes one, is no news)."""
    (tmp_path / "more.txt").write_text("--no-binary=:all:\n")
    main = tmp_path / "requirements.txt"
    main.write_text(
        "six\n--pre\n--only-binary :all:\n--only-binary :none:\n-r more.txt\n"
        "--prefer-binary\n--trusted-host example.org\n--no-build-isolation\n"
        "--use-feature=truststore\n"
    )
    spec = parse_requirements(main)
    assert [w.split(": ")[0] for w in spec.warnings] == [
        f"{main}:2",
        f"{main}:3",
        f"{tmp_path / 'more.txt'}:1",
        f"{main}:6",
        f"{main}:7",
        f"{main}:8",
        f"{main}:9",
    ]
    pre, only, no, *_ = spec.warnings
    assert "--pre is a pip installer option pybuild ignores: a pre-release is taken only" in pre
    assert "--only-binary :all: is a pip installer option pybuild ignores" in only
    assert 'prefer = "sdist"' in no
    assert spec.options[:3] == ["--pre", "--only-binary=:all:", "--only-binary=:none:"]


def test_require_hashes_wants_every_requirement_pinned_and_hashed(tmp_path: Path) -> None:
    """As pip reads --require-hashes (anywhere, an included file too): a requirement without
    --hash, or not pinned to one release, is an error at its line; constraints need none."""
    (tmp_path / "c.txt").write_text("urllib3<3\n")
    main = tmp_path / "requirements.txt"
    main.write_text(
        f"-c c.txt\n--require-hashes\nsix==1.17.0 --hash=sha256:{SHA_A}\nrich==14.0.0\n"
    )
    with pytest.raises(ImportFileError) as info:
        parse_requirements(main)
    assert (info.value.path, info.value.line) == (str(main), 4)
    assert info.value.reason == (
        f"rich==14.0.0 has no --hash, which --require-hashes ({main}:2) asks of every"
        " requirement, as in pip"
    )
    main.write_text(f"--require-hashes\nsix>=1.17 --hash=sha256:{SHA_A}\n")
    with pytest.raises(ImportFileError) as info:
        parse_requirements(main)
    assert info.value.line == 2 and "six>=1.17 is not pinned with ==" in info.value.reason
    main.write_text(f"six==1.17.* --hash=sha256:{SHA_A}\n-r more.txt\n")
    (tmp_path / "more.txt").write_text("--require-hashes\n")
    with pytest.raises(ImportFileError, match="not pinned with =="):
        parse_requirements(main)
    main.write_text(f"-c c.txt\n--require-hashes\nsix==1.17.0 --hash=sha256:{SHA_A}\n")
    spec = parse_requirements(main)
    assert spec.require_hashes == f"{main}:2" and not spec.warnings
    assert spec.options == ["--require-hashes"]  # written back as it was


def test_one_hash_turns_hash_checking_on_as_in_pip(tmp_path: Path) -> None:
    """pip enters hash-checking mode when any line has a --hash, --require-hashes or not: an
    unpinned or unhashed requirement next to it is an error at its line, all of them named,
    where the import took them unchecked."""
    main = tmp_path / "j.txt"
    main.write_text(f"six==1.17.0 --hash=sha256:{SHA_A}\nhumanize\nrich>=13\n")
    with pytest.raises(ImportFileError) as info:
        parse_requirements(main)
    assert (info.value.path, info.value.line) == (str(main), 2)
    assert info.value.reason == (
        f"humanize (and rich>=13 at {main}:3) are not pinned with ==, which --require-hashes"
        f" (turned on by the --hash at {main}:1) asks of every requirement, as in pip"
    )
    assert f"or take the --hash off {main}:1" in info.value.hint
    main.write_text(f"humanize>=4 --hash=sha256:{SHA_A}\n")
    with pytest.raises(ImportFileError, match="humanize>=4 is not pinned with =="):
        parse_requirements(main)
    (tmp_path / "c.txt").write_text(f"six==1.17.0 --hash=sha256:{SHA_A}\n")
    main.write_text("-c c.txt\nsix==1.17.0\n")
    with pytest.raises(ImportFileError) as info:
        parse_requirements(main)
    assert info.value.line == 2 and "six==1.17.0 has no --hash" in info.value.reason
    main.write_text(f"six==1.17.0 --hash=sha256:{SHA_A}\n")
    spec = parse_requirements(main)
    assert spec.require_hashes == f"turned on by the --hash at {main}:1"
    assert spec.options == []  # written back as it was
    assert not parse_requirements_text("six\n").require_hashes


def test_requirements_round_trip() -> None:
    spec = RequirementsFile(
        requirements=[
            RequirementLine(Requirement("requests[socks]==2.32.3"), (f"sha256:{SHA_A}",)),
            RequirementLine(
                Requirement('tomli==2.0.1; python_version < "3.11"'), (f"sha256:{SHA_B}",)
            ),
            RequirementLine(Requirement("six==1.17.0"), (f"sha256:{SHA_A}", f"sha256:{SHA_B}")),
        ],
        index_url="https://index.example/simple",
        extra_index_urls=["https://other.example/simple"],
        options=["--pre", "--only-binary=:all:"],
    )
    text = format_requirements(spec)
    assert f"requests[socks]==2.32.3 \\\n    --hash=sha256:{SHA_A}\n" in text
    again = parse_requirements_text(text)
    assert again.requirements == spec.requirements
    assert (again.index_url, again.extra_index_urls, again.options) == (
        spec.index_url,
        spec.extra_index_urls,
        spec.options,
    )
    assert format_requirements(again) == text


# -- pyproject.toml ---------------------------------------------------------------------------

PYPROJECT = """\
[project]
name = "app"
version = "1.0"
dependencies = [
    "rich>=13",
    "tomli; python_version < '3.11'",
]

[project.optional-dependencies]
Web = ["flask"]

[dependency-groups]
test = ["pytest", {include-group = "lint"}]
lint = ["ruff"]
"""


def test_pyproject_dependencies_extras_and_groups() -> None:
    spec = parse_pyproject_text(PYPROJECT, extras=["web"], groups=["test"])
    assert [str(r.requirement) for r in spec.requirements] == [
        "rich>=13",
        'tomli; python_version < "3.11"',
        "flask",
        "pytest",
        "ruff",
    ]
    assert [r.line for r in spec.requirements[:3]] == [5, 6, 10]
    assert [str(r.requirement) for r in parse_pyproject_text(PYPROJECT).requirements] == [
        "rich>=13",
        'tomli; python_version < "3.11"',
    ]


@pytest.mark.parametrize(
    ("text", "kwargs", "line", "reason"),
    [
        ('[project]\nname = "a"\nname = "b"\n', {}, 3, "not valid TOML"),
        ("[tool.x]\na = 1\n", {}, 0, "no [project] table"),
        ('[project]\nname = "a"\ndynamic = ["dependencies"]\n', {}, 3, "dependencies are dynamic"),
        (
            '[project]\nname = "a"\ndependencies = ["ok", "bad >= ="]\n',
            {},
            3,
            "invalid requirement",
        ),
        ('[project]\nname = "a"\ndependencies = "rich"\n', {}, 3, "must be a list of strings"),
        (PYPROJECT, {"extras": ["nope"]}, 0, "no extra 'nope'"),
        (PYPROJECT, {"groups": ["docs"]}, 0, "no dependency group 'docs'"),
    ],
)
def test_malformed_pyproject(text: str, kwargs: dict, line: int, reason: str) -> None:
    with pytest.raises(ImportFileError) as info:
        parse_pyproject_text(text, "pyproject.toml", **kwargs)
    assert reason in info.value.reason and info.value.line == line


CYCLE = """\
[project]
name = "myapp"
version = "0.1"
dependencies = ["six"]
[project.optional-dependencies]
web = ["humanize", 'a']
[dependency-groups]
a = [{include-group = "b"}]
b = [
    {include-group = "a"},
]
c = ["six>=1", "bad >= ="]
[tool]
uv.constraint-dependencies = ["six"]
"""


@pytest.mark.parametrize(
    ("kwargs", "line", "reason"),
    [
        ({"groups": ["a"]}, 8, "dependency group 'a' includes itself"),
        ({"groups": ["B"]}, 9, "dependency group 'b' includes itself"),
        ({"groups": ["c"]}, 12, "invalid requirement 'bad >= ='"),
    ],
)
def test_pyproject_errors_name_the_keys_own_line(kwargs: dict, line: int, reason: str) -> None:
    """The line of the key in its table, not the first line mentioning its name (line 2's
    name = "myapp" for the group a, line 6's "humanize" for the group b)."""
    with pytest.raises(ImportFileError) as info:
        parse_pyproject_text(CYCLE, **kwargs)
    assert info.value.line == line and info.value.reason.startswith(reason)
    spec = parse_pyproject_text(CYCLE, extras=["web"])
    assert [(r.name, r.line) for r in spec.requirements] == [("six", 4), ("humanize", 6), ("a", 6)]
    assert [c.line for c in spec.constraints] == [14]


def test_uv_constraint_dependencies_are_constraints() -> None:
    text = (
        '[project]\nname = "app"\ndependencies = ["six"]\n[tool.uv]\n'
        'constraint-dependencies = ["six<1.17"]\nindex-url = "https://index.example/simple"\n'
    )
    spec = parse_pyproject_text(text)
    assert [(str(c.requirement), c.line) for c in spec.constraints] == [("six<1.17", 5)]
    assert [w.split(": ")[0] for w in spec.warnings] == ["pyproject.toml:6"]
    assert "[tool.uv] index-url is uv's own setting" in spec.warnings[0]
    with pytest.raises(ImportFileError, match="constraint-dependencies must be a list"):
        parse_pyproject_text('[project]\nname = "a"\n[tool.uv]\nconstraint-dependencies = 1\n')


SELF = """\
[project]
name = "My_App"
version = "0.1.0"
requires-python = ">=3.10"
dependencies = ["humanize"]

[project.optional-dependencies]
cli = ["typer"]
web = ["flask", "my-app[cli]"]
all = ["my.app[web]; python_version >= '3.11'", "my-app[all,nope]"]

[dependency-groups]
dev = ["my-app[cli]", "pytest"]
"""


def test_a_requirement_on_the_project_itself_means_its_own_extras() -> None:
    """``all = ["app[cli]"]`` is the project's own extra, as pip and uv read it: never a
    project of that name on the index. Expanded recursively, a cycle once, the marker of
    the reference added to what it brings; an extra it lacks is a warning."""
    spec = parse_pyproject_text(SELF, extras=["all"], groups=["dev"])
    assert [str(r.requirement) for r in spec.requirements] == [
        "humanize",
        'flask; python_version >= "3.11"',
        'typer; python_version >= "3.11"',
        "typer",
        "pytest",
    ]
    assert [r.line for r in spec.requirements] == [5, 9, 8, 8, 13]
    (warning,) = spec.warnings
    assert warning == (
        "pyproject.toml:10: my-app[all,nope] names the project's own extra 'nope', which its"
        " [project.optional-dependencies] do not have (it has all, cli, web); it adds nothing"
    )
    both = parse_pyproject_text(SELF, extras=["cli", "web"])
    assert [str(r.requirement) for r in both.requirements] == ["humanize", "typer", "flask"]


def test_a_projects_requires_python_is_kept_for_the_import() -> None:
    spec = parse_pyproject_text(SELF)
    assert (spec.requires_python, spec.requires_python_line) == (">=3.10", 4)
    assert parse_pyproject_text(PYPROJECT).requires_python is None
    with pytest.raises(ImportFileError) as info:
        parse_pyproject_text(SELF.replace(">=3.10", ">=three"), "pyproject.toml")
    assert info.value.line == 4 and info.value.reason.startswith("requires-python: ")


def test_pyproject_writer_round_trips() -> None:
    reqs = [Requirement("rich>=13"), Requirement('tomli; python_version < "3.11"')]
    text = format_pyproject("app", "1.0", reqs)
    assert tomllib.loads(text)["project"]["name"] == "app"
    assert [str(r.requirement) for r in parse_pyproject_text(text).requirements] == [
        str(r) for r in reqs
    ]


# -- pylock.toml ------------------------------------------------------------------------------

PIP_LOCK = f"""\
lock-version = "1.0"
created-by = "pip"

[[packages]]
name = "certifi"
version = "2025.1.31"

[[packages.wheels]]
name = "certifi-2025.1.31-py3-none-any.whl"
url = "https://files.example/certifi-2025.1.31-py3-none-any.whl"

[packages.wheels.hashes]
sha256 = "{SHA_A}"

[[packages]]
name = "six"
version = "1.17.0"

[packages.sdist]
name = "six-1.17.0.tar.gz"
url = "https://files.example/six-1.17.0.tar.gz"

[packages.sdist.hashes]
sha256 = "{SHA_B}"
"""

UV_LOCK = f"""\
lock-version = "1.0"
created-by = "uv"
requires-python = ">=3.9"

[[packages]]
name = "tomli"
version = "2.2.1"
marker = "python_full_version < '3.11'"
sdist = {{ url = "https://files.example/tomli-2.2.1.tar.gz", upload-time = 2024-11-27T22:38:35Z, \
hashes = {{ sha256 = "{SHA_A}" }} }}

[[packages]]
name = "app"
directory = {{ path = ".", editable = true }}
"""


def test_pylock_as_pip_and_uv_write_it() -> None:
    pip = parse_pylock_text(PIP_LOCK)
    assert pip.created_by == "pip"
    certifi, six = pip.packages
    assert (certifi.name, certifi.version, certifi.line) == ("certifi", "2025.1.31", 4)
    assert certifi.wheels[0].hashes == {"sha256": SHA_A} and certifi.sha256() == {SHA_A}
    assert six.sdist is not None and six.sdist.name == "six-1.17.0.tar.gz" and six.line == 15
    uv = parse_pylock_text(UV_LOCK)
    tomli, app = uv.packages
    assert tomli.sdist is not None and tomli.sdist.name == "tomli-2.2.1.tar.gz"
    assert not tomli.applies({"python_full_version": "3.11.7"})
    assert tomli.applies({"python_full_version": "3.10.2"})
    assert app.other_source == "directory" and app.version is None and app.directory == "."


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ('created-by = "x"\n', 0, "no lock-version"),
        ('lock-version = "2.0"\ncreated-by = "x"\n', 1, "lock-version '2.0' is not supported"),
        ('lock-version = "1.0"\n', 0, "no created-by"),
        ('lock-version = "1.0"\ncreated-by = "x"\n\n[[packages]]\nversion = "1"\n', 4, "no name"),
        (
            'lock-version = "1.0"\ncreated-by = "x"\n[[packages]]\nname = "a"\n'
            'directory = { path = "a" }\n[[packages]]\nname = "b"\nversion = "not a version"\n',
            6,
            "b: invalid version",
        ),
        (
            'lock-version = "1.0"\ncreated-by = "x"\n[[packages]]\nname = "a"\n'
            'marker = "python_version <"\n',
            3,
            "a: invalid marker",
        ),
        (
            'lock-version = "1.0"\ncreated-by = "x"\n[[packages]]\nname = "a"\n'
            '[packages.sdist]\nurl = "https://x/a.tar.gz"\n',
            3,
            "a: a file entry has no hashes",
        ),
        ('lock-version = "1.0"\ncreated-by = "x"\npackages = [\n', 3, "not valid TOML"),
        (
            'lock-version = "1.0"\ncreated-by = "x"\n\n[[packages]]\nname = "humanize"\n'
            'version = "4.11.0"\n',
            4,
            "humanize: the entry locks no file: it must include one of: wheels, directory,"
            " archive, sdist, or vcs",
        ),
        (
            'lock-version = "1.0"\ncreated-by = "x"\n[[packages]]\nname = "a"\ndirectory = "."\n',
            3,
            "a: a directory entry must be a table with a path",
        ),
    ],
)
def test_malformed_pylock(text: str, line: int, reason: str) -> None:
    with pytest.raises(ImportFileError) as info:
        parse_pylock_text(text, "pylock.toml")
    assert reason in info.value.reason and info.value.line == line


def test_a_newer_minor_lock_version_is_read_with_a_warning() -> None:
    """PEP 751: a tool SHOULD warn of a newer minor version it does not know (a newer major
    one is refused, above)."""
    assert parse_pylock_text(PIP_LOCK).warnings == []
    lock = parse_pylock_text(PIP_LOCK.replace('"1.0"', '"1.5"'), "pylock.toml")
    assert [p.name for p in lock.packages] == ["certifi", "six"]
    assert lock.warnings == [
        "pylock.toml:1: lock-version '1.5' is newer than the 1.0 pybuild knows: it is read as"
        " 1.0, and what the newer version adds is not looked at"
    ]


def test_pylock_round_trip() -> None:
    lock = Lock(
        packages=[
            LockedPackage(
                name="alpha",
                version="2.0",
                dependencies=({"name": "beta"},),
                wheels=(
                    LockedFile(
                        "alpha-2.0-py3-none-any.whl",
                        'https://files.example/alpha "quoted"\\path.whl',
                        {"sha256": SHA_A},
                    ),
                ),
            ),
            LockedPackage(
                name="beta",
                version="1.0",
                marker="python_version >= '3'",
                sdist=LockedFile(
                    "beta-1.0.tar.gz",
                    "https://files.example/beta.tar.gz",
                    {"sha256": SHA_B},
                    size=123,
                ),
            ),
        ],
        requires_python="==3.11.*",
    )
    text = format_pylock(lock)
    again = parse_pylock_text(text)
    assert [(p.name, p.version, p.marker) for p in again.packages] == [
        ("alpha", "2.0", None),
        ("beta", "1.0", "python_version >= '3'"),
    ]
    assert again.packages[0].wheels[0].url == lock.packages[0].wheels[0].url
    assert again.packages[0].dependencies == ({"name": "beta"},)
    assert again.packages[1].sdist == lock.packages[1].sdist
    assert (again.requires_python, again.created_by) == ("==3.11.*", "pybuild")
    assert format_pylock(again) == text


LINUX_X86 = "manylinux_2_17_x86_64.manylinux2014_x86_64"


@pytest.mark.parametrize(
    ("wheels", "environments"),
    [
        (["six-1.17.0-py2.py3-none-any.whl"], []),  # pure: wherever requires-python holds
        (
            [
                "six-1.17.0-py2.py3-none-any.whl",
                f"sqlalchemy-2.0.36-cp311-cp311-{LINUX_X86}.whl",
                f"pydantic_core-2.27.1-cp311-cp311-{LINUX_X86}.whl",
            ],
            [
                "implementation_name == 'cpython' and python_version == '3.11'"
                " and sys_platform == 'linux' and platform_machine == 'x86_64'"
            ],
        ),
        (
            ["cryptography-44.0.0-cp39-abi3-musllinux_1_2_aarch64.whl"],
            [
                "implementation_name == 'cpython' and python_version == '3.11'"
                " and sys_platform == 'linux' and platform_machine == 'aarch64'"
            ],
        ),
        (
            ["tool-1.0-py3-none-win_amd64.whl"],
            ["sys_platform == 'win32' and platform_machine == 'AMD64'"],
        ),
        (
            ["ext-1.0-pp310-pypy310_pp73-macosx_10_9_universal2.whl"],
            [
                "implementation_name == 'pypy' and python_version == '3.11'"
                " and sys_platform == 'darwin'"
            ],
        ),
    ],
)
def test_a_lock_of_wheels_for_a_platform_says_which_environments(
    wheels: list[str], environments: list[str]
) -> None:
    assert lock_environments(wheels, "3.11") == environments


def test_wheels_for_different_platforms_make_no_lock() -> None:
    from pybuild.errors import UsageError

    wheels = [f"a-1-cp311-cp311-{LINUX_X86}.whl", "b-1-cp311-cp311-macosx_11_0_arm64.whl"]
    with pytest.raises(UsageError, match="the locked wheels are for different platforms"):
        lock_environments(wheels, "3.11")


@pytest.mark.parametrize(
    ("marker", "python", "decided"),
    [
        ('python_full_version < "3.11"', None, False),  # every 3.11.x alike
        ("python_full_version >= '3.11.0'", None, False),
        ('python_full_version == "3.11.*"', None, False),
        ('python_full_version != "3.*"', None, False),
        ('python_full_version <= "3.11"', None, True),  # 3.11.0 but not 3.11.1
        ('python_full_version > "3.11"', None, True),
        ('python_full_version < "3.11.4"', None, True),
        ('python_full_version < "3.11.4"', "3.11", True),
        ('python_full_version < "3.11.4"', "3.12", False),
        ('python_full_version == "3.12.1.*"', "3.11", False),
        ('python_full_version == "3.11.1.*"', "3.11", True),
        ('python_full_version < "3.11rc1"', "3.11", True),
        ('"3.11" > python_full_version', None, True),  # a form not read: taken as deciding
        ('python_full_version in "3.11.7"', None, True),
        ('python_full_version < "3.11" and python_full_version < "3.11.4"', "3.11", True),
    ],
)
def test_python_full_version_decides_where_it_tells_patch_releases_apart(
    marker: str, python: str | None, decided: bool
) -> None:
    """requires-python (==X.Y.*) already fixes the X.Y: a lock is narrowed to this patch
    release only where a marker gives another patch release of it another answer."""
    assert ("python_full_version" in marker_variables(marker, python)) is decided


def test_pylock_environments_round_trip() -> None:
    marker = "implementation_name == 'cpython' and sys_platform == 'linux'"
    six = LockedPackage(
        name="six", version="1.17.0", sdist=LockedFile(None, None, {"sha256": SHA_A})
    )
    lock = Lock(packages=[six], environments=[marker])
    text = format_pylock(lock)
    assert f'environments = ["{marker}"]' in text
    assert parse_pylock_text(text).environments == [marker]


def test_file_kinds_by_name(tmp_path: Path) -> None:
    assert is_pylock_name("pylock.toml") and is_pylock_name("dir/pylock.dev.toml")
    assert not is_pylock_name("pylock.a.b.toml") and not is_pylock_name("lock.toml")
    assert [file_kind(n) for n in ("pylock.x.toml", "pyproject.toml", "reqs.in")] == [
        "pylock",
        "pyproject",
        "requirements",
    ]
    (tmp_path / "requirements.txt").write_text("six\n")
    with pytest.raises(ImportFileError):
        read_file(tmp_path / "requirements.txt", extras=["x"])


@pytest.mark.parametrize(
    ("name", "text", "reason", "hint"),
    [
        ("lock-win.toml", 'lock-version = "1.0"\n', "a PEP 751 lock file", "pylock.NAME.toml"),
        ("uv.lock", "version = 1\n[[package]]\n", "uv's own format", "uv export --format"),
        ("app.toml", '[project]\nname = "app"\n', "a project's pyproject.toml", "pyproject"),
        ("tool.toml", "[tool]\n", "a TOML file that is neither", "a requirements file"),
    ],
)
def test_another_toml_file_or_a_uv_lock_is_not_read_as_requirements(
    tmp_path: Path, name: str, text: str, reason: str, hint: str
) -> None:
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(ImportFileError) as info:
        read_file(path)
    assert (info.value.path, info.value.line) == (str(path), 0)
    assert reason in info.value.reason and hint in info.value.hint


# -- the TOML writer --------------------------------------------------------------------------


def test_toml_writer_escapes_and_orders_tables() -> None:
    data = {
        "plain": 'quote " backslash \\ newline \n tab \t bell \x07 é',
        "needs quoting.key": True,
        "n": 3,
        "list": ["a", Inline({"k": "v"})],
        "table": {"x": 1, "sub": {"y": [1, 2]}},
        "rows": [{"a": 1}, {"a": 2, "inner": {"b": "c"}}],
    }
    text = dumps(data)
    assert tomllib.loads(text) == data
    assert text.index("[table]") < text.index("[[rows]]")


SELECTING_LOCK = f"""\
lock-version = "1.0"
created-by = "hand"
extras = ["fmt", "Speed"]
dependency-groups = ["dev", "docs"]
default-groups = ["docs"]

[[packages]]
name = "six"
version = "1.17.0"
marker = "'fmt' in extras and 'dev' in dependency_groups"
sdist = {{ name = "six-1.17.0.tar.gz", hashes = {{ sha256 = "{SHA_A}" }} }}
"""


def test_a_locks_extras_and_groups_select_its_packages() -> None:
    """PEP 751's marker variables extras and dependency_groups are sets of what was selected;
    default-groups are selected when no group is named. Their markers crashed (KeyError)."""
    from packaging.markers import default_environment

    env = default_environment()
    lock = parse_pylock_text(SELECTING_LOCK)
    (six,) = lock.packages
    assert lock.selection == Selection((), ("docs",)) and not six.applies(env, lock.selection)
    lock = parse_pylock_text(SELECTING_LOCK, extras=["FMT"], groups=["dev"])
    assert lock.selection == Selection(("fmt",), ("dev",)) and six.applies(env, lock.selection)
    with pytest.raises(ImportFileError) as info:
        parse_pylock_text(SELECTING_LOCK, "pylock.toml", extras=["fmtt"])
    assert (info.value.line, info.value.reason) == (
        3,
        "the lock has no extra 'fmtt'; did you mean 'fmt'?",
    )
    with pytest.raises(ImportFileError) as info:
        parse_pylock_text(PIP_LOCK, "pylock.toml", groups=["dev"])
    assert info.value.reason == "the lock has no dependency group 'dev'; it has none"


def test_the_lines_of_the_indexes_a_requirements_file_gives_are_kept(tmp_path: Path) -> None:
    """For an error about an index to name the line that gave it."""
    path = tmp_path / "requirements.txt"
    path.write_text(
        "six\n-i https://a.example/simple\n--extra-index-url=https://b.example/simple\n"
    )
    spec = parse_requirements(path)
    assert spec.index_lines == {
        "https://a.example/simple": ("-i", f"{path}:2"),
        "https://b.example/simple": ("--extra-index-url", f"{path}:3"),
    }
