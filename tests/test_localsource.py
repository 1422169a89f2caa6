"""A local folder as a source: only its source files are stored and hashed (pybuild.localsource).

A project folder is where its tools run: the caches they write, a virtual environment, build
outputs and result links must not change the source's store path, or running the tests in
the development shell would rebuild the project, and a result link kept in it would never
settle. In a git work tree, git's view of the folder decides; without git, a fixed rule.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

from pybuild import build_python_package, derivation, evalcache, local_source
from pybuild.cli import main
from pybuild.errors import UsageError
from pybuild.store import Store
from support.fixtures import BuildIndex


def write(path: Path, text: str, age: int = 100) -> None:
    """Write `path` (and its folders) as if `age` seconds ago: each edit its own time."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    stamp = path.stat().st_mtime - age
    os.utime(path, (stamp, stamp))


def make_project(folder: Path) -> Path:
    """A small src-layout project."""
    write(folder / "pyproject.toml", '[project]\nname = "greeter"\nversion = "1"\n')
    write(folder / "src" / "greeter" / "__init__.py", "def main():\n    print('hi')\n")
    write(folder / "tests" / "test_greeter.py", "def test_it():\n    pass\n")
    return folder


def clutter(folder: Path, store: Store) -> None:
    """What running tools in a project leaves there: none of it is source."""
    write(folder / ".pytest_cache" / "v" / "cache" / "lastfailed", "{}")
    write(folder / ".mypy_cache" / "3.11" / "greeter.meta.json", "{}")
    write(folder / "tests" / "__pycache__" / "test_greeter.cpython-311.pyc", "\0")
    write(folder / "venv" / "pyvenv.cfg", "home = /usr/bin\n")  # any name: pyvenv.cfg says
    write(folder / "venv" / "lib" / "python3.11" / "site-packages" / "six.py", "")
    write(folder / "build" / "lib" / "greeter" / "__init__.py", "")
    write(folder / "dist" / "greeter-1.tar.gz", "")
    write(folder / "src" / "greeter.egg-info" / "PKG-INFO", "Name: greeter\n")
    built = store.path(store.add_text("env", "an environment"))
    (folder / "result").symlink_to(built)  # result links, as `-o` makes them
    (folder / ".venv").symlink_to(built)
    (folder / "result-nix").symlink_to(f"/nix/store/{'0' * 32}-hello")  # any store's
    (folder / ".benchmarks").mkdir()  # pytest-benchmark's, empty until it saves a run
    write(folder / ".coverage.host.1234.567890", "")  # coverage -p, pytest-cov with xdist
    write(folder / "src" / "old" / "__pycache__" / "gone.cpython-311.pyc", "\0")  # its .py gone


def stored(folder: Path | str, store: Store, **choice: object) -> set[str]:
    """What the store's copy of `folder` holds, as paths relative to it."""
    copy = store.path(local_source(folder, **choice).add_to(store))  # type: ignore[arg-type]
    return {str(p.relative_to(copy)) for p in copy.rglob("*")}


def package_out(src: object) -> str:
    """The output path of a package of `src`: its derivation takes the toolchain's wheels from
    the index, so a test that calls it takes ``use_index``."""
    return build_python_package(pname="greeter", version="1", src=src).drv.out


def git(folder: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(folder), *args], check=True, capture_output=True)


def git_repo(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    git(folder, "-c", "init.defaultBranch=main", "init", "-q")
    return folder


# -- the default rule, without git ------------------------------------------------------------


def test_what_tools_leave_in_a_project_does_not_change_its_store_path(
    tmp_path: Path, store: Store, use_index: BuildIndex
) -> None:
    project = make_project(tmp_path / "greeter")
    clean = package_out(project)
    clutter(project, store)
    assert package_out(project) == clean
    assert stored(project, store) == {
        "pyproject.toml",
        "src",
        "src/greeter",
        "src/greeter/__init__.py",
        "tests",
        "tests/test_greeter.py",
    }


def test_an_edit_of_a_source_file_changes_the_store_path(
    tmp_path: Path, store: Store, use_index: BuildIndex
) -> None:
    """Only the source decides: edited, a cluttered project is an uncluttered one so edited."""
    project = make_project(tmp_path / "greeter")
    first = package_out(project)
    clutter(project, store)
    edited = "def main():\n    print('hello')\n"
    write(project / "src" / "greeter" / "__init__.py", edited)
    other = make_project(tmp_path / "elsewhere" / "greeter")
    write(other / "src" / "greeter" / "__init__.py", edited)
    assert package_out(project) == package_out(other) != first
    write(project / "src" / "greeter" / "data.txt", "new")
    assert package_out(project) not in (first, package_out(other))


def test_a_flat_package_named_build_is_source(tmp_path: Path, store: Store) -> None:
    project = tmp_path / "build-tool"
    write(project / "build" / "__init__.py", "")
    write(project / "dist" / "tool.whl", "")
    assert stored(project, store) == {"build", "build/__init__.py"}


def test_a_result_link_kept_in_the_source_settles(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``pybuild build -o src/.venv`` twice: the second build is the first, not a new path
    made from a source holding the link to the first."""
    monkeypatch.chdir(tmp_path)
    make_project(tmp_path / "proj")
    write(
        tmp_path / "build.py",
        textwrap.dedent("""
            from pathlib import Path
            from pybuild import derivation
            env = derivation(name="env", builder="/bin/sh",
                             args=["-c", 'echo "$1" > "$out"', "sh", Path("proj")])
        """),
    )
    outs = set()
    for _ in range(2):
        assert main(["build", "-f", "build.py", "env", "-o", "proj/.venv"]) == 0
        outs.add(capsys.readouterr().out.strip())
    assert len(outs) == 1 and os.readlink(tmp_path / "proj" / ".venv") in outs


# -- git's view --------------------------------------------------------------------------------


def test_in_a_git_work_tree_only_what_git_shows_is_source(tmp_path: Path, store: Store) -> None:
    repo = git_repo(tmp_path / "repo")
    write(repo / ".gitignore", "*.log\ndata/\n_version.py\n")
    write(repo / "src" / "greeter" / "__init__.py", "")
    write(repo / "src" / "greeter" / "_version.py", "version = '1'\n")  # generated, ignored
    write(repo / "notes.md", "untracked, not ignored: shown")
    write(repo / "run.log", "ignored")
    write(repo / "data" / "big.bin", "ignored whole")
    write(repo / "logs" / "today.log", "a folder holding only ignored files")
    write(repo / "fixtures" / "keep.log", "ignored, but tracked")
    git(repo, "add", ".gitignore", "src")
    git(repo, "add", "-f", "fixtures/keep.log")
    write(repo / "src" / "greeter" / "__init__.py", "x = 1\n")  # changed since: as it is now
    assert stored(repo, store) == {
        ".gitignore",
        "fixtures",
        "fixtures/keep.log",
        "notes.md",
        "src",
        "src/greeter",
        "src/greeter/__init__.py",
    }
    copy = store.path(local_source(repo).add_to(store))
    assert (copy / "src" / "greeter" / "__init__.py").read_text() == "x = 1\n"


def test_a_subfolder_of_a_work_tree_follows_the_rules_above_it(
    tmp_path: Path, store: Store
) -> None:
    repo = git_repo(tmp_path / "repo")
    write(repo / ".gitignore", "*.log\n")
    project = make_project(repo / "greeter")
    write(project / "debug.log", "")
    vendored = git_repo(project / "vendor" / "lib")  # a repository of its own: its own rules
    write(vendored / ".gitignore", "*.tmp\n")
    write(vendored / "lib.py", "")
    write(vendored / "scratch.tmp", "")
    assert stored(project, store) >= {"vendor/lib/lib.py", "vendor/lib/.gitignore"}
    assert not {"debug.log", "vendor/lib/scratch.tmp", "vendor/lib/.git"} & stored(project, store)


def test_a_folder_its_repository_ignores_whole_takes_the_default_rule(
    tmp_path: Path, store: Store
) -> None:
    """A home folder kept in git that ignores ``*`` says nothing about the projects in it."""
    home = git_repo(tmp_path / "home")
    write(home / ".gitignore", "*\n")
    project = make_project(home / "greeter")
    write(project / ".pytest_cache" / "v", "")
    assert stored(project, store) == stored(make_project(tmp_path / "greeter"), store)
    assert "pyproject.toml" in stored(project, store)


def test_without_git_the_default_rule_alone_decides(
    tmp_path: Path, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = git_repo(tmp_path / "repo")
    write(repo / ".gitignore", "*.log\n")
    write(repo / "run.log", "")
    write(repo / "mod.py", "")
    write(repo / ".pytest_cache" / "v", "")
    assert stored(repo, store) == {".gitignore", "mod.py"}
    monkeypatch.setenv("PATH", str(tmp_path / "no-programs-here"))
    assert stored(repo, store) == {".gitignore", "mod.py", "run.log"}


# -- a recipe's own choice ---------------------------------------------------------------------


def test_a_recipe_chooses_its_own_files(tmp_path: Path, store: Store) -> None:
    repo = git_repo(tmp_path / "repo")
    write(repo / ".gitignore", "_version.py\n")
    write(repo / "pkg" / "__init__.py", "")
    write(repo / "pkg" / "_version.py", "version = '1'\n")
    write(repo / "docs" / "index.md", "")
    write(repo / "build" / "notes.txt", "")
    no_docs = stored(repo, store, filter=lambda path, kind: not path.startswith("docs"))
    assert no_docs == {".gitignore", "pkg", "pkg/__init__.py"}
    assert "pkg/_version.py" in stored(repo, store, git=False)  # generated: git ignores it
    assert "build/notes.txt" not in stored(repo, store, git=False)
    everything = stored(repo, store, git=False, clean=False)
    assert {"build/notes.txt", ".git/HEAD", "pkg/_version.py"} <= everything
    # The filter is asked about what git shows, with the kind of each.
    seen: list[tuple[str, str]] = []
    stored(repo / "pkg", store, filter=lambda path, kind: seen.append((path, kind)) is None)
    assert sorted(seen) == [("__init__.py", "regular")]  # _version.py: git ignores it


def test_a_recipes_source_is_used_by_packages_and_derivations(
    tmp_path: Path, store: Store, use_index: BuildIndex
) -> None:
    project = make_project(tmp_path / "greeter")
    write(project / "docs" / "index.md", "")
    chosen = local_source(project, lambda path, kind: path != "docs")
    assert package_out(chosen) == package_out(make_project(tmp_path / "plain" / "greeter"))
    drv = derivation(name="x", builder="/bin/sh", srcs=[chosen], store=store)
    (source,) = drv.input_srcs
    assert not (store.path(source) / "docs").exists()
    with pytest.raises(UsageError, match="filter"):
        local_source(project, "docs")  # type: ignore[arg-type]


# -- the evaluation cache ----------------------------------------------------------------------

BUILD = """
import os
from pathlib import Path
from pybuild import derivation

with open(os.environ["EVAL_MARKS"], "a") as marks:  # one mark per evaluation
    marks.write("x")
tree = derivation(name="tree", builder="/bin/sh", args=["-c", 'echo "$1" > "$out"', "sh",
                  Path(__file__).parent / "proj"])
"""


@pytest.fixture
def evaluated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Path:
    monkeypatch.setattr(evalcache, "_SETTLED_NS", 0)
    monkeypatch.setenv("EVAL_MARKS", str(tmp_path / "marks"))
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "build.py", BUILD)
    return tmp_path


def build(capsys: pytest.CaptureFixture[str]) -> tuple[str, int]:
    """Build ``tree``: its output path, and how many evaluations ran so far."""
    assert main(["build", "-f", "build.py", "tree"]) == 0
    return capsys.readouterr().out.strip(), len(Path(os.environ["EVAL_MARKS"]).read_text())


def test_a_write_in_a_left_out_folder_is_no_input_of_the_evaluation(
    evaluated: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    project = make_project(evaluated / "proj")
    first, _ = build(capsys)
    write(project / ".pytest_cache" / "v" / "cache" / "lastfailed", "{}", age=50)
    assert build(capsys) == (first, 2)  # a new name in the folder: evaluated, the same path
    write(project / ".pytest_cache" / "v" / "cache" / "lastfailed", '{"t": 1}', age=40)
    write(project / ".pytest_cache" / "v" / "cache" / "nodeids", "[]", age=40)
    assert build(capsys) == (first, 2)
    write(project / "src" / "greeter" / "__init__.py", "", age=30)
    second, evaluations = build(capsys)
    assert evaluations == 3 and second != first


def test_gits_own_inputs_are_inputs_of_the_evaluation(
    evaluated: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The ignore files above the source and the index are read by git, not by pybuild:
    they count all the same."""
    write(evaluated / ".gitignore", "data/\n")
    git_repo(evaluated)
    project = make_project(evaluated / "proj")
    write(project / "notes.md", "")
    write(project / "data" / "big.bin", "")
    first, _ = build(capsys)
    write(project / "data" / "big.bin", "changed", age=50)
    write(project / "data" / "more.bin", "", age=50)
    assert build(capsys) == (first, 1)  # git ignores data/: not even listed
    write(evaluated / ".gitignore", "data/\nnotes.md\n", age=40)
    second, evaluations = build(capsys)
    assert evaluations == 2 and second != first
    git(evaluated, "add", "-f", "proj/data/big.bin")
    third, evaluations = build(capsys)
    assert evaluations == 3 and third not in (first, second)


# -- a folder that changes while it is added --------------------------------------------------


class _RemovedWhenAsked(frozenset[str]):
    """The chosen paths, as add_path asks about them; the `ask`-th question about `victim`
    removes it first, as a tool writing into the folder may at that moment: the first is the
    hash's, the second the copy's."""

    victim: str
    ask: int

    def __contains__(self, path: object) -> bool:
        if path == self.victim:
            self.ask -= 1
            if self.ask == 0:
                remove = shutil.rmtree if os.path.isdir(self.victim) else os.remove
                remove(self.victim)
        return super().__contains__(path)


@pytest.mark.parametrize(("victim", "ask"), [("data/d1/f", 1), ("data/d1", 1), ("data/d1/f", 2)])
def test_a_file_removed_while_the_folder_is_added_is_named(
    tmp_path: Path, store: Store, monkeypatch: pytest.MonkeyPatch, victim: str, ask: int
) -> None:
    """While it is hashed (a file, or a folder with what it holds) or while it is copied, as
    a change the copy's hash finds is: pybuild's InvalidPath, not the walk's OSError."""
    from pybuild.errors import InvalidPath
    from pybuild.localsource import LocalSource

    project = make_project(tmp_path / "proj")
    for n in range(3):
        write(project / "data" / f"d{n}" / "f", str(n))
    chosen = LocalSource.chosen

    def racing(source: LocalSource) -> frozenset[str]:
        paths = _RemovedWhenAsked(chosen(source))
        paths.victim, paths.ask = str(project / victim), ask
        return paths

    monkeypatch.setattr(LocalSource, "chosen", racing)
    with pytest.raises(InvalidPath) as info:
        local_source(project).add_to(store)
    assert str(info.value).startswith(f"{project}: changed while it was being added")
    assert str(project / victim) in str(info.value)


def test_a_folder_removed_while_the_source_is_chosen_is_named(tmp_path: Path, store: Store) -> None:
    from pybuild.errors import InvalidPath

    project = make_project(tmp_path / "proj")
    write(project / "data" / "d1" / "f", "1")

    def remove_it(path: str, kind: str) -> bool:
        if path == "data/d1":  # kept, and then entered, once removed
            shutil.rmtree(project / path)
        return True

    with pytest.raises(InvalidPath) as info:
        local_source(project, remove_it).add_to(store)
    assert str(info.value).startswith(f"{project}: changed while it was being added")


# -- a source reached through a link -----------------------------------------------------------


def test_a_folder_reached_through_a_link_is_the_folder_it_points_to(
    tmp_path: Path, store: Store, use_index: BuildIndex
) -> None:
    """``pybuild build -f proj_alias/project.py``: the folder's source files, chosen as the
    real folder's are, not a link to the live folder whose edits would never rebuild."""
    project = make_project(tmp_path / "p" / "proj")
    write(project / ".pytest_cache" / "v", "")
    (project / "data").mkdir()
    (project / "src" / "greeter" / "link.py").symlink_to("__init__.py")  # inside: a link
    alias = tmp_path / "proj_alias"
    alias.symlink_to(project)
    copy = store.path(local_source(alias).add_to(store))
    assert not copy.is_symlink() and copy.is_dir()
    assert stored(alias, store) == stored(project, store)
    assert "src/greeter/link.py" in stored(alias, store)
    assert (copy / "src" / "greeter" / "link.py").is_symlink()
    (tmp_path / "up").symlink_to(tmp_path / "p")  # a link above it, the path passes through
    assert stored(tmp_path / "up" / "proj", store) == stored(project, store)
    first = package_out(alias)
    write(project / "src" / "greeter" / "__init__.py", "x = 2\n")
    assert package_out(alias) != first


def test_a_link_to_a_file_source_stays_a_link(tmp_path: Path, store: Store) -> None:
    """As Nix stores one, and as a builder's error explains it: naming a link is choosing it."""
    write(tmp_path / "dist" / "greeter-1.tar.gz", "the archive")
    link = tmp_path / "latest.tar.gz"
    link.symlink_to("dist/greeter-1.tar.gz")
    added = local_source(link).add_to(store)
    assert os.readlink(store.path(added)) == "dist/greeter-1.tar.gz"
    assert added.endswith("-latest.tar.gz")


def test_a_folder_source_is_named_by_its_content_alone(
    tmp_path: Path, store: Store, use_index: BuildIndex
) -> None:
    """A second checkout, a git worktree, a renamed folder or a link to it: the same files,
    the same store path (named ``source``, as Nix names a flake's), nothing rebuilt."""
    project = make_project(tmp_path / "proj")
    worktree = make_project(tmp_path / "proj-wt")
    (tmp_path / "proj_alias").symlink_to(project)
    added = local_source(project).add_to(store)
    assert added.endswith("-source")
    assert local_source(worktree).add_to(store) == added
    assert local_source(tmp_path / "proj_alias").add_to(store) == added
    assert package_out(worktree) == package_out(project)
    write(tmp_path / "src.patch", "")
    assert local_source(tmp_path / "src.patch").add_to(store).endswith("-src.patch")


def test_a_source_whose_name_is_not_ascii_is_stored(tmp_path: Path, store: Store) -> None:
    """A store name is ASCII: a letter out of it becomes ``_``, as any unfit character does."""
    write(tmp_path / "café" / "correctif.patch", "")
    assert (
        local_source(tmp_path / "café" / "correctif.patch")
        .add_to(store)
        .endswith("-correctif.patch")
    )
    write(tmp_path / "données.patch", "")
    assert local_source(tmp_path / "données.patch").add_to(store).endswith("-donn_es.patch")
    assert local_source(tmp_path / "café").add_to(store).endswith("-source")
