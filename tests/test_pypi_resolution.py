"""How requests on the index meet the set's recipes, on a local index of wheels built here; no
network.

The index holds ``herald`` 1.0 (needs ``trumpet``, and ``bell`` for its ``loud`` extra),
``trumpet`` 1.0 and 2.0 (a wheel and an sdist), and ``bell`` 1.0, next to the real build-tool
wheels; the set has recipes for herald (with its ``loud`` extra), trumpet 2.0 and bell, each
from its wheel.
"""

from __future__ import annotations

import base64
import tomllib
from pathlib import Path

import pytest
from test_pypi import _metadata, _project, cli, wheel

from pybuild.pkgset import DEFAULT_RECIPES, package_set
from support.fixtures import WHEEL_CACHE, BuildIndex, index_environ, published, sha256_of
from support.index import make_sdist, write_index

RECIPE = """
def recipe(build_python_package, fetch_pypi{params}):
    return build_python_package(
        pname="{name}", version="{version}", format="wheel", dependencies=[{deps}],
        optional_dependencies={optional},
        src=fetch_pypi("{name}", "{version}", kind="wheel", hash="{sri}"),
    )
"""


@pytest.fixture(scope="module")
def dists(build_index: BuildIndex, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Every file of the index; `build_index` fills the cache of the build tools' wheels."""
    tmp = tmp_path_factory.mktemp("resolution-dists")
    herald = _metadata("herald", "1.0", ["trumpet", 'bell; extra == "loud"'], ["loud"])
    made = [
        wheel(tmp, "herald", "1.0", "import trumpet\n", herald),
        wheel(tmp, "trumpet", "1.0", "VERSION = '1.0'\n", _metadata("trumpet", "1.0")),
        wheel(tmp, "trumpet", "2.0", "VERSION = '2.0'\n", _metadata("trumpet", "2.0")),
        make_sdist(tmp, "trumpet", "2.0", _project("trumpet", "2.0")),
        wheel(tmp, "bell", "1.0", "", _metadata("bell", "1.0")),
        wheel(tmp, "wraith", "1.0", "", _metadata("wraith", "1.0")),
        wheel(tmp, "wraith", "2.0", "", _metadata("wraith", "2.0", ["ghost>=1"])),
    ]
    return [*made, *sorted(WHEEL_CACHE.glob("*.whl"))]


@pytest.fixture
def index(dists: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return published(tmp_path / "index", dists, monkeypatch)


@pytest.fixture
def recipes(index: Path, tmp_path: Path) -> list[str]:
    """The set's recipes for herald (with its loud extra), trumpet 2.0 and bell, as --recipes."""
    folder = tmp_path / "recipes"
    folder.mkdir()
    for name, version, deps, optional in (
        ("herald", "1.0", "trumpet", '{"loud": [bell]}'),
        ("trumpet", "2.0", "", "{}"),
        ("bell", "1.0", "", "{}"),
    ):
        digest = sha256_of(index, f"{name}-{version}-py3-none-any.whl")
        sri = "sha256-" + base64.b64encode(bytes.fromhex(digest)).decode()
        params = "".join(f", {p}" for p in (deps, "bell" if optional != "{}" else "") if p)
        text = RECIPE.format(
            name=name, version=version, deps=deps, optional=optional, sri=sri, params=params
        )
        (folder / f"{name}.py").write_text(text)
    package_set(recipes=[DEFAULT_RECIPES, folder]).herald  # noqa: B018 - they evaluate
    return ["--recipes", str(DEFAULT_RECIPES), "--recipes", str(folder)]


# -- hashes: the set's recipe serves only when its file is one of those given -----------------


def test_a_hash_the_sets_recipe_file_lacks_is_not_left_to_the_set(
    index: Path, recipes: list[str], tmp_path: Path
) -> None:
    """As pip's hash-checking mode and uv: the set's trumpet 2.0 fetches another file than the
    one hashed, so trumpet comes from the index, pinned to that hash, which no file has."""
    requirements = tmp_path / "requirements.txt"
    requirements.write_text(f"trumpet==2.0 --hash=sha256:{'0' * 64}\n")
    out = tmp_path / "out"
    result = cli("import", str(requirements), "-o", str(out), *recipes, ok=False)
    assert "trumpet 2.0: no file fits the hashes it is locked or required with" in result.stderr
    assert f"{requirements}:1: trumpet 2.0" in result.stderr  # the line that named it
    assert not out.exists()
    requirements.write_text(
        f"trumpet==2.0 --hash=sha256:{sha256_of(index, 'trumpet-2.0-py3-none-any.whl')}\n"
    )
    result = cli("import", str(requirements), "-o", str(out), *recipes)
    assert "left to the set's recipes: trumpet" in result.stdout
    # the index's other file of trumpet 2.0, not the set's: that very file, in a recipe of its own
    sdist = sha256_of(index, "trumpet-2.0.tar.gz")
    requirements.write_text(f"trumpet==2.0 --hash=sha256:{sdist}\n")
    result = cli("import", str(requirements), "-o", str(out), *recipes)
    text = (out / "generated-recipes" / "trumpet.py").read_text()
    assert base64.b64encode(bytes.fromhex(sdist)).decode() in text


def test_a_hash_no_file_has_is_shown_with_the_hashes_of_the_files(
    index: Path, recipes: list[str], tmp_path: Path
) -> None:
    """As pip's "Expected sha256 X / Got Y": the error names the hashes the line gives and
    each file of the release with its own, so that a user sees which one is wrong."""
    requirements = tmp_path / "requirements.txt"
    given = "0" * 64
    requirements.write_text(f"trumpet==2.0 --hash=sha256:{given}\n")
    result = cli("import", str(requirements), "-o", str(tmp_path / "out"), *recipes, ok=False)
    told = " ".join(result.stderr.split())
    assert f"the hash given is sha256:{given}" in told
    for name in ("trumpet-2.0-py3-none-any.whl", "trumpet-2.0.tar.gz"):
        assert f"{name} sha256:{sha256_of(index, name)}" in told


def test_a_lock_whose_hash_the_sets_recipe_file_lacks_is_refused(
    index: Path, recipes: list[str], tmp_path: Path
) -> None:
    lock = tmp_path / "pylock.toml"
    lock.write_text(
        'lock-version = "1.0"\ncreated-by = "uv"\n\n[[packages]]\nname = "trumpet"\n'
        'version = "2.0"\nwheels = [{ name = "trumpet-2.0-py3-none-any.whl",'
        f' hashes = {{ sha256 = "{"1" * 64}" }} }}]\n'
    )
    result = cli("import", str(lock), "-o", str(tmp_path / "out"), *recipes, ok=False)
    assert "trumpet 2.0: no file fits the hashes it is locked or required with" in result.stderr


# -- extras: a project and its extras are one recipe, of one origin --------------------------


def _locked(path: Path) -> dict[str, str]:
    return {p["name"]: p["version"] for p in tomllib.loads(path.read_text())["packages"]}


def test_an_extra_of_a_set_recipe_that_does_not_fit_comes_from_the_index_too(
    recipes: list[str], tmp_path: Path
) -> None:
    """`herald[loud] trumpet<2`: the set's herald takes the set's trumpet 2.0, so herald comes
    from the index, as without the extra. herald[loud] was the set's recipe while plain herald
    was the index's, and the environment had trumpet twice (requests[socks] urllib3<2 so)."""
    lock = tmp_path / "pylock.toml"
    cli("lock", "pypi:herald", "pypi:trumpet<2", "-o", str(lock), *recipes)
    assert _locked(lock) == {"herald": "1.0", "trumpet": "1.0"}
    cli("lock", "pypi:herald[loud]", "pypi:trumpet<2", "-o", str(lock), *recipes)
    assert _locked(lock) == {"bell": "1.0", "herald": "1.0", "trumpet": "1.0"}
    run = "python -c 'import bell, herald, trumpet; print(trumpet.VERSION)'"
    args = ["-p", "pypi:herald[loud]", "-p", "pypi:trumpet<2", "--run", run, *recipes]
    assert cli("shell", *args).stdout.strip() == "1.0"
    # while it fits, the set's recipe, with its extra's input
    cli("lock", "pypi:herald[loud]", "-o", str(lock), *recipes)
    assert _locked(lock) == {"bell": "1.0", "herald": "1.0", "trumpet": "2.0"}


# -- a dependency the index lacks ------------------------------------------------------------


def test_a_release_requiring_a_project_the_index_lacks_gives_way(
    index: Path, tmp_path: Path
) -> None:
    """wraith 2.0 requires ghost, of which the index has no release (litellm[proxy] 1.110.2
    requires litellm-proxy): the resolution took it for a misspelt request and stopped, where
    pip and uv take wraith 1.0; so does pybuild, saying why. Where no release does without it,
    the error names the project as missing; one the request names is still refused at once."""
    lock = tmp_path / "pylock.toml"
    result = cli("lock", "pypi:wraith", "-o", str(lock))
    assert _locked(lock) == {"wraith": "1.0"}
    told = " ".join(result.stderr.split())
    held = "wraith 1.0 is not its newest release (2.0): wraith 2.0 requires ghost>=1,"
    assert held + " which the index has no release of" in told
    failed = " ".join(cli("lock", "pypi:wraith>=2", "-o", str(lock), ok=False).stderr.split())
    assert (
        "ghost>=1 is required by wraith 2.0" in failed
        and "the index has no release of ghost" in failed
    )
    asked = " ".join(cli("lock", "pypi:ghost", "-o", str(lock), ok=False).stderr.split())
    assert "no project named 'ghost' on the package index" in asked


# -- yanked releases (PEP 592) ----------------------------------------------------------------


def test_a_yanked_release_is_taken_only_when_pinned_and_then_with_a_warning(
    dists: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As uv and pip: a range skips trumpet 2.0, yanked, and an exact pin takes it, saying so
    with the index's reason, so that a withdrawn release is never installed silently."""
    trumpet = [p for p in dists if p.name.startswith("trumpet-2.0")]
    yanked = dict.fromkeys((p.name for p in trumpet), "it plays flat")
    url = write_index(tmp_path / "index", dists, yanked=yanked)
    for name, value in index_environ(url).items():
        monkeypatch.setenv(name, value)
    ranged = cli("build", "--dry-run", "pypi:trumpet")
    assert "trumpet-1.0" in ranged.stdout + ranged.stderr and "is yanked" not in ranged.stderr
    pinned = cli("build", "--dry-run", "pypi:trumpet==2.0")
    assert "trumpet-2.0" in pinned.stdout + pinned.stderr
    assert "warning: trumpet 2.0 is yanked (reason: it plays flat)" in pinned.stderr
    quiet = cli("build", "-q", "--dry-run", "--option", "eval_cache", "false", "pypi:trumpet==2.0")
    assert "warning: trumpet 2.0 is yanked (reason: it plays flat)" in quiet.stderr  # -q: too


def test_a_range_that_only_yanked_releases_meet_names_them_in_the_error(
    dists: list[Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`trumpet>=2`, whose one release 2.0 is yanked: the error names 2.0 and the index's
    reason, as uv does, where it read as if the index had no such release."""
    trumpet = [p for p in dists if p.name.startswith("trumpet-2.0")]
    url = write_index(
        tmp_path / "index", dists, yanked=dict.fromkeys((p.name for p in trumpet), "it plays flat")
    )
    for name, value in index_environ(url).items():
        monkeypatch.setenv(name, value)
    result = cli("build", "--dry-run", "pypi:trumpet>=2", ok=False)
    told = " ".join(result.stderr.split())
    assert "no version of trumpet satisfies every requirement on it" in told
    assert "and trumpet 2.0 would match but is yanked: it plays flat" in told
    url = write_index(tmp_path / "bare", dists, yanked=dict.fromkeys((p.name for p in trumpet), ""))
    for name, value in index_environ(url).items():
        monkeypatch.setenv(name, value)
    result = cli("build", "--dry-run", "pypi:trumpet>=2", ok=False)
    assert "and trumpet 2.0 would match but is yanked" in " ".join(result.stderr.split())


def test_a_command_answered_without_evaluating_says_its_warnings_again(
    dists: list[Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The evaluation cache's answer repeats what the evaluation warned of: a yanked release
    taken is never silent, the second time either."""
    from pybuild import evalcache
    from pybuild.cli import main
    from pybuild.generate import plan

    trumpet = [p for p in dists if p.name.startswith("trumpet-2.0")]
    url = write_index(
        tmp_path / "index", dists, yanked=dict.fromkeys((p.name for p in trumpet), "")
    )
    for name, value in index_environ(url).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(evalcache, "_SETTLED_NS", 0)  # the index's files count as old
    assert main(["build", "pypi:trumpet==2.0"]) == 0
    first = capsys.readouterr()
    assert first.err.count("warning: trumpet 2.0 is yanked") == 1

    def no_plan(_: object) -> None:
        raise AssertionError("evaluated again")

    monkeypatch.setattr(plan, "_tell", no_plan)
    assert main(["build", "pypi:trumpet==2.0"]) == 0
    again = capsys.readouterr()
    assert again.out == first.out and again.err.count("warning: trumpet 2.0 is yanked") == 1


# -- constraints (-c FILE) --------------------------------------------------------------------


def test_a_constraint_that_holds_a_release_back_is_named_with_its_line(
    recipes: list[str], tmp_path: Path
) -> None:
    """`trumpet` with the constraint trumpet<2: the note that trumpet 1.0 is not its newest
    release, and the one that the set's trumpet 2.0 is passed over, name the constraint and
    its FILE:LINE, as a requirement's would, where both read as a bare conflict with "the
    rest of the request"."""
    constraints = tmp_path / "constraints.txt"
    constraints.write_text("# the trumpets we trust\ntrumpet<2\n")
    requirements = tmp_path / "requirements.txt"
    requirements.write_text(f"trumpet\n-c {constraints.name}\n")
    out = tmp_path / "out"
    result = cli("import", str(requirements), "-o", str(out), *recipes)
    told = " ".join(result.stderr.split())
    assert (
        "trumpet 1.0 is not its newest release (2.0): held back by trumpet<2, a constraint"
        f" at {constraints}:2"
    ) in told
    assert (
        "the set's recipe trumpet (trumpet 2.0) is passed over: trumpet<2, a constraint at"
        f" {constraints}:2, excludes it"
    ) in told
    assert "the rest of the request" not in told


def test_a_conflict_names_the_constraint_in_it(recipes: list[str], tmp_path: Path) -> None:
    """A requirement no release meets within a constraint: the error names both."""
    constraints = tmp_path / "constraints.txt"
    constraints.write_text("trumpet<2\n")
    requirements = tmp_path / "requirements.txt"
    requirements.write_text(f"trumpet>=2\n-c {constraints.name}\n")
    result = cli("import", str(requirements), "-o", str(tmp_path / "out"), *recipes, ok=False)
    told = " ".join(result.stderr.split())
    assert f"trumpet>=2 is required by {requirements}:1" in told
    assert f"trumpet<2 is a constraint at {constraints}:1" in told


# -- an index the requirements file names -----------------------------------------------------


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("https://nonexistent.invalid/simple", "cannot resolve host nonexistent.invalid"),
        ("http://127.0.0.1:9/simple", "connection refused"),
    ],
)
def test_an_unreachable_index_of_a_requirements_file_is_said_at_its_line(
    url: str, reason: str, tmp_path: Path
) -> None:
    """pip's words, at the line of the -i option: where the error was urllib3's own, naming
    neither the file nor the line that gave the index."""
    requirements = tmp_path / "requirements.txt"
    requirements.write_text(f"# private packages\n-i {url}\ntrumpet\n")
    result = cli("import", str(requirements), "-o", str(tmp_path / "out"), ok=False)
    told = " ".join(result.stderr.split())
    assert f"{requirements}:2: the index given by -i {url} cannot be reached: {reason}" in told
    assert "HTTPSConnectionPool" not in told and "Max retries" not in told


def test_an_index_a_requirements_file_gives_is_not_read_under_no_index(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pip reads no index where its configuration says no-index, not even one -i names."""
    url = (tmp_path / "simple").as_uri()
    (tmp_path / "simple" / "trumpet").mkdir(parents=True)
    requirements = tmp_path / "requirements.txt"
    requirements.write_text(f"-i {url}\ntrumpet\n")
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    result = cli("import", str(requirements), "-o", str(tmp_path / "out"), ok=False)
    told = " ".join(result.stderr.split())
    assert (
        f"cannot fetch {url}/trumpet/: pip's configuration sets no-index (in PIP_NO_INDEX)" in told
    )
    assert "hint: to read an index, unset no-index" in told  # not: check the URL, the host
