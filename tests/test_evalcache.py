"""The evaluation cache: a repeated ``pybuild build`` answers from a record, until an input changes.

The builds run in-process (``pybuild.cli.main``), so the two-second settling margin can be
set to zero here; each change of a file is given its own modification time, as a real edit
seconds later would have.
"""

from __future__ import annotations

import glob
import os
import shutil
import textwrap
from pathlib import Path

import pytest

from pybuild import evalcache
from pybuild.cli import main
from pybuild.store import Store
from pybuild.store.temproots import release_temp_roots

FILE = """
import os
from pathlib import Path
from pybuild import derivation

with open(os.environ["EVAL_MARKS"], "a") as marks:  # one mark per evaluation
    marks.write("x")
word = os.environ.get("EVAL_WORD", "hi") + Path(__file__).with_name("word.txt").read_text()
hello = derivation(name="hello", builder="/bin/sh", args=["-c", f"echo {word} > $out"])
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(evalcache, "_SETTLED_NS", 0)
    monkeypatch.setenv("EVAL_MARKS", str(tmp_path / "marks"))
    monkeypatch.delenv("EVAL_WORD", raising=False)
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "build.py", FILE, age=100)
    write(tmp_path / "word.txt", "!", age=100)
    return tmp_path


def write(path: Path, text: str, age: int) -> None:
    """Write `path` as if `age` seconds ago (each edit its own time, as real edits are)."""
    path.write_text(text)
    stamp = path.stat().st_mtime - age
    os.utime(path, (stamp, stamp))


def word_from(project: Path, expression: str) -> None:
    """build.py with `expression` in place of reading word.txt."""
    text = FILE.replace('Path(__file__).with_name("word.txt").read_text()', expression)
    write(project / "build.py", text, age=100)


def build(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[str, int]:
    """Build `hello` of build.py; the output path, and how many evaluations ran so far."""
    assert main(["build", "-f", "build.py", "hello", *args]) == 0
    out = capsys.readouterr().out.strip()
    marks = Path(os.environ["EVAL_MARKS"])
    return out, len(marks.read_text()) if marks.exists() else 0


def test_a_repeated_build_is_answered_without_evaluating(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, evaluations = build(capsys)
    assert evaluations == 1
    again, evaluations = build(capsys, "-o", "result")
    assert (again, evaluations) == (first, 1)
    assert os.readlink(project / "result") == first  # the result link is made from the record
    assert Path(first).read_text() == "hi!\n"


def test_an_output_deleted_by_hand_is_not_answered_from_the_record(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The record's outputs were checked in the registry alone: one deleted by hand was
    printed as built (exit 0), and linked with -o; the long way says what is wrong."""
    first, _ = build(capsys)
    os.unlink(first)  # a file: `echo > $out`
    assert main(["build", "-f", "build.py", "hello"]) == 1
    said = capsys.readouterr()
    assert said.out == "" and f"{first} is registered but missing" in said.err
    assert main(["eval", "-f", "build.py", "hello"]) == 0
    assert "built: False" in capsys.readouterr().out


def test_an_edited_file_read_by_the_evaluation_is_noticed(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, _ = build(capsys)
    write(project / "word.txt", "?", age=50)
    second, evaluations = build(capsys)
    assert evaluations == 2 and second != first
    assert Path(second).read_text() == "hi?\n"
    write(project / "build.py", FILE.replace('"hi"', '"hey"'), age=40)
    third, evaluations = build(capsys)
    assert evaluations == 3 and Path(third).read_text() == "hey?\n"


def test_a_variable_read_by_the_evaluation_is_noticed(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    first, _ = build(capsys)
    monkeypatch.setenv("UNRELATED", "1")
    assert build(capsys) == (first, 1)  # a variable nothing read changes nothing
    monkeypatch.setenv("EVAL_WORD", "ho")
    second, evaluations = build(capsys)
    assert evaluations == 2 and Path(second).read_text() == "ho!\n"
    monkeypatch.delenv("EVAL_WORD")
    assert build(capsys) == (first, 2)  # its absence was recorded too: the first answer, kept


def test_an_evaluation_that_runs_a_program_by_its_name_is_recorded(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """subprocess finds a program by name with os.get_exec_path, which also asks the
    environment for b"PATH": a name that is no variable's, never one to record (it made the
    record's names bytes and str, which could not be sorted: a crash called a bug)."""
    ran = '__import__("subprocess").run(["echo", "!"], capture_output=True, text=True)'
    word_from(project, f"{ran}.stdout.strip()")
    first, evaluations = build(capsys)
    assert evaluations == 1 and Path(first).read_text() == "hi!\n"
    assert build(capsys) == (first, 1)
    monkeypatch.setenv("PATH", f"{project}:{os.environ['PATH']}")  # PATH was read
    assert build(capsys) == (first, 2)


def test_another_pybuild_is_answered_by_records_of_its_own(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A record lists the files of the pybuild that made it: another checkout of pybuild (on
    PYTHONPATH, or an older one switched back to) leaves them unchanged, and must evaluate for
    itself."""
    first, _ = build(capsys)
    monkeypatch.setattr(evalcache, "__file__", str(project / "elsewhere" / "evalcache.py"))
    assert build(capsys) == (first, 2)


def test_an_output_no_longer_valid_is_built_again(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, _ = build(capsys)
    release_temp_roots(Store.default())  # as the end of the building process would
    assert main(["delete", first]) == 0
    assert "1 stale cache file(s) removed" in capsys.readouterr().err  # the record naming it
    assert build(capsys) == (first, 2)
    assert Path(first).read_text() == "hi!\n"


def test_a_new_recipe_in_a_listed_folder_is_noticed(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    recipes = project / "recipes"
    recipes.mkdir()
    write(recipes / "tool.py", "def recipe(hello):\n    return hello\n", age=100)
    (project / "build.py").write_text(
        FILE
        + textwrap.dedent("""
            from pybuild.pkgset import package_set
            pkgs = package_set(recipes=[Path(__file__).with_name("recipes")]).extend(
                lambda final, prev: {"hello": hello})
            hello = pkgs.tool
        """)
    )
    os.utime(project / "build.py", (1e9, 1e9))
    first, _ = build(capsys)
    # The first evaluation wrote the interpreter's facts: a memo, which counts for nothing.
    assert build(capsys) == (first, 1)
    write(recipes / "other.py", "def recipe():\n    return None\n", age=10)
    assert build(capsys) == (first, 2)  # the folder changed: evaluated again, same result


def test_the_setting_turns_it_off_and_check_never_uses_it(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, _ = build(capsys)
    assert build(capsys, "--option", "eval_cache", "false") == (first, 2)
    assert main(["build", "--check", "-f", "build.py", "hello"]) == 0
    assert "bit-identical" in capsys.readouterr().err  # the verdict; the path is on stdout
    assert len(Path(os.environ["EVAL_MARKS"]).read_text()) == 3


def test_inputs_younger_than_the_margin_are_not_trusted(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(evalcache, "_SETTLED_NS", 5 * 10**9)
    write(project / "word.txt", "!", age=0)
    first, _ = build(capsys)
    assert build(capsys) == (first, 2)  # word.txt may still change within its clock tick
    assert not list((project / "pybuild-home" / "var" / "cache" / "eval").glob("*"))
    monkeypatch.setattr(evalcache, "_SETTLED_NS", 0)
    build(capsys)
    assert build(capsys) == (first, 3)


def test_a_file_the_evaluation_wrote_itself_is_trusted_as_its_write_left_it(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A plan made by the evaluation (``pypi:NAME``'s) is written then read: its first run is
    kept, not only its second; a file written in place, or changed since, is not trusted."""
    word_from(
        project,
        'str(write_atomic(Path(__file__).with_name("plan"), "p") or "")'
        ' + Path(__file__).with_name("plan").read_text()',
    )
    text = (
        (project / "build.py")
        .read_text()
        .replace(
            "from pybuild import derivation",
            "from pybuild import derivation\nfrom pybuild.atomic import write_atomic",
        )
    )
    write(project / "build.py", text, age=100)
    first, _ = build(capsys)
    assert build(capsys) == (first, 1)  # kept from the first run
    write(project / "plan", "q", age=50)  # another process's plan, the same size
    assert build(capsys) == (first, 2)
    plan = 'Path(__file__).with_name("plan")'
    word_from(project, f'({plan}.write_text("p") and {plan}.read_text())')
    build(capsys)
    assert build(capsys)[1] == 4  # written in place: may be read half-written, not trusted


def test_the_shells_own_variables_count_for_nothing_when_the_environment_is_scanned(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """pip's configuration scans the environment for PIP_*, requests for proxies: each such
    evaluation would otherwise hold only in the shell, and after the ``cd``, it ran in."""
    word_from(project, 'str(len([n for n in os.environ if n.startswith("EVAL_")]))')
    first, _ = build(capsys)
    for name, value in [("_", "/usr/bin/env"), ("OLDPWD", "/"), ("SHLVL", "7"), ("PWD", "/x")]:
        monkeypatch.setenv(name, value)
        assert build(capsys) == (first, 1)
    monkeypatch.delenv("OLDPWD")
    assert build(capsys) == (first, 1)
    monkeypatch.setenv("EVAL_WORD", "hi")  # any other variable counts: it was scanned
    second, evaluations = build(capsys)
    assert evaluations == 2 and Path(second).read_text() == "hi2\n"
    word_from(project, 'os.environ["PWD"] + str(len(list(os.environ)))')  # PWD by its name
    build(capsys)
    monkeypatch.setenv("PWD", "/y")
    assert build(capsys)[1] == 4


def test_pybuilds_memos_are_no_input_of_an_evaluation(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Where a file of a known hash is (fetch-pypi.json) is read by every fetch of the index
    and written by any new one: counted, the next new package ended every record."""
    from pybuild.fetchers import remember_file

    sri = "sha256-" + "A" * 43 + "="
    remember_file(sri, "six", "1.0", "sdist", "file:///x/six-1.0.tar.gz", "six-1.0.tar.gz")
    word_from(project, 'fetch_pypi("six", "1.0", "' + sri + '").drv_name[:4]')
    text = (
        (project / "build.py")
        .read_text()
        .replace("from pybuild import derivation", "from pybuild import derivation, fetch_pypi")
    )
    write(project / "build.py", text, age=100)
    first, _ = build(capsys)
    remember_file(sri, "idna", "3.0", "sdist", "file:///x/idna-3.0.tar.gz", "idna-3.0.tar.gz")
    assert build(capsys) == (first, 1)


def test_an_evaluation_that_says_it_is_volatile_is_not_cached(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(
        project / "build.py",
        FILE + "\nfrom pybuild import evalcache\nevalcache.volatile('t')\n",
        age=100,
    )
    first, _ = build(capsys)
    assert build(capsys) == (first, 2)
    assert build(capsys) == (first, 3)


def test_an_evaluation_that_says_when_it_expires_is_cached_until_then(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unpinned package from the index is the case: its plan is asked again after a day."""
    write(
        project / "build.py",
        FILE + "\nfrom pybuild import evalcache\nevalcache.expires(1000.0)\n",
        age=100,
    )
    now = 900.0
    monkeypatch.setattr(evalcache.time, "time", lambda: now)
    first, _ = build(capsys)
    assert build(capsys) == (first, 1)  # before the time it named: answered
    now = 1000.0
    assert build(capsys) == (first, 2)  # since: evaluated again


def test_a_path_whose_existence_was_asked_is_noticed(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    word_from(project, '("flag" if Path(__file__).with_name("flag").exists() else "none")')
    first, _ = build(capsys)
    assert Path(first).read_text() == "hinone\n"
    write(project / "flag", "", age=50)  # only its existence is asked, never its content
    second, evaluations = build(capsys)
    assert evaluations == 2 and Path(second).read_text() == "hiflag\n"


class _Globber:
    """Python 3.13's ``glob._StringGlobber``, as ``Path.glob`` uses it: ``os.scandir`` and
    ``os.lstat`` kept from when ``glob`` was imported."""

    scandir = staticmethod(os.scandir)
    lstat = staticmethod(os.lstat)


def test_a_folder_listed_by_path_glob_is_noticed(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """``Path.glob`` lists folders through glob's globber from Python 3.13 on (here its own,
    or one made as it is), which calls the ``os.scandir`` of glob's import, not the one the
    recording patched."""
    if not hasattr(glob, "_StringGlobber"):
        monkeypatch.setattr(glob, "_StringGlobber", _Globber, raising=False)
    (project / "wants").mkdir()
    write(project / "wants" / "six", "", age=100)
    listed = "__import__('glob')._StringGlobber.scandir(str(Path(__file__).with_name('wants')))"
    word_from(project, f"'-'.join(sorted(e.name for e in {listed}))")
    first, _ = build(capsys)
    assert Path(first).read_text() == "hisix\n"
    write(project / "wants" / "attrs", "", age=50)
    second, evaluations = build(capsys)
    assert evaluations == 2 and Path(second).read_text() == "hiattrs-six\n"
    assert glob._StringGlobber.scandir is os.scandir  # as it was, once the recording ended


def test_a_file_rewritten_with_the_same_bytes_still_answers(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A ``touch`` or a ``git checkout`` there and back changes a file's time and inode, not
    what was read: the content hash decides when the stamp differs."""
    first, _ = build(capsys)
    (project / "word.txt").unlink()  # a new inode, as git's checkout makes
    write(project / "word.txt", "!", age=50)
    write(project / "build.py", FILE, age=50)
    assert build(capsys) == (first, 1)
    write(project / "word.txt", "?", age=40)  # the same size, other bytes
    second, evaluations = build(capsys)
    assert evaluations == 2 and Path(second).read_text() == "hi?\n"


def test_a_file_over_the_hashed_size_is_judged_by_its_stamp(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(evalcache, "_HASHED", 0)  # every file is "large"
    first, _ = build(capsys)
    write(project / "word.txt", "!", age=50)
    assert build(capsys) == (first, 2)


def test_a_path_only_asked_about_holds_when_touched(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    word_from(project, 'str(Path(__file__).with_name("flag").stat().st_size)')
    write(project / "flag", "ab", age=100)
    first, _ = build(capsys)
    (project / "flag").unlink()  # a new inode and time, the same bytes
    write(project / "flag", "ab", age=50)
    assert build(capsys) == (first, 1)
    write(project / "flag", "cd", age=40)  # other bytes: they may have been read another way
    assert build(capsys) == (first, 2)
    write(project / "flag", "abc", age=30)
    second, evaluations = build(capsys)
    assert evaluations == 3 and Path(second).read_text() == "hi3\n"


def test_the_answers_of_the_last_few_inputs_are_kept(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A command run by turns with two values of a variable evaluates each once."""
    answers = {}
    for word in ["a", "b", "a", "b"]:
        monkeypatch.setenv("EVAL_WORD", word)
        answers.setdefault(word, build(capsys)[0])
        assert build(capsys)[0] == answers[word]
    assert build(capsys)[1] == 2
    for word in ["c", "d", "e"]:  # five answers in all: the first, "a", is no longer kept
        monkeypatch.setenv("EVAL_WORD", word)
        build(capsys)
    monkeypatch.setenv("EVAL_WORD", "b")
    assert build(capsys) == (answers["b"], 5)
    monkeypatch.setenv("EVAL_WORD", "a")
    assert build(capsys) == (answers["a"], 6)


def test_a_record_goes_only_when_none_of_its_answers_can_be_given(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    outputs = []
    for word in ["a", "b"]:
        monkeypatch.setenv("EVAL_WORD", word)
        outputs.append(build(capsys)[0])
    release_temp_roots(Store.default())
    [record] = (project / "pybuild-home" / "var" / "cache" / "eval").glob("*.marshal")
    assert main(["delete", outputs[1]]) == 0  # the newest answer's output
    assert record.exists()
    assert main(["delete", outputs[0]]) == 0  # delete removes it then, as gc would
    assert not record.exists()


# -- property: an answer from the record is the answer evaluating again would give ------------

NAMES = ("a", "b", "d", "d/x", "l")


def _ask(root: Path) -> list[object]:
    """An evaluation that reads the tree in every way Python offers."""
    answers: list[object] = []
    for name in NAMES:
        path = root / name
        answers += [path.exists(), path.is_file(), path.is_dir(), path.is_symlink()]
        answers += [os.path.exists(path), os.path.isdir(path), os.access(path, os.X_OK)]
        answers.append(os.path.getsize(path) if path.is_file() else None)
        answers.append(os.readlink(path) if path.is_symlink() else None)
        answers.append(path.read_bytes() if path.is_file() else None)
    answers.append(sorted(p.name for p in root.glob("*")))
    answers.append(sorted((d, sorted(f)) for d, _, f in os.walk(root)))
    if (root / "d").is_dir():
        answers.append(sorted(e.name for e in os.scandir(root / "d")))
    return answers


def _apply(root: Path, change: tuple[str, str, bytes], when: float) -> None:
    """One edit, dated `when` (later than everything read), as a real edit would be."""
    kind, name, data = change
    path = root / name
    if kind == "write" and not path.is_dir() and path.parent.is_dir():
        if path.is_symlink():
            path.unlink()
        path.write_bytes(data)
        os.utime(path, (when, when))
    elif kind == "remove" and (path.is_file() or path.is_symlink()):
        path.unlink()
    elif kind == "mkdir" and not os.path.lexists(path) and path.parent.is_dir():
        path.mkdir()
    elif kind == "rmdir" and path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)  # with what is in it, folders too (``d/x`` in ``d``)
    elif kind == "link" and not os.path.lexists(path) and path.parent.is_dir():
        path.symlink_to(data.decode() or "a")
    elif kind == "chmod" and path.is_file() and not path.is_symlink():
        os.chmod(path, path.stat().st_mode ^ 0o111)


def test_property_cached_answers_equal_fresh_ones(tmp_path_factory: pytest.TempPathFactory) -> None:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    changes = st.tuples(
        st.sampled_from(["write", "remove", "mkdir", "rmdir", "link", "chmod"]),
        st.sampled_from(NAMES),
        st.sampled_from([b"", b"1", b"2", b"12", b"a", b"d"]),
    )

    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    @given(before=st.lists(changes, max_size=6), after=st.lists(changes, min_size=1, max_size=4))
    def check(before: list[tuple[str, str, bytes]], after: list[tuple[str, str, bytes]]) -> None:
        root = tmp_path_factory.mktemp("tree")
        for change in before:
            _apply(root, change, when=1_000_000)
        recorder = evalcache.Recorder(str(root / "store"))
        with recorder.recording():
            answer = _ask(root)
        inputs = recorder.inputs()
        for change in after:
            _apply(root, change, when=2_000_000)
        if evalcache._unchanged(inputs):
            assert _ask(root) == answer

    check()


def test_the_registry_and_the_store_listing_are_no_input_of_an_evaluation(tmp_path: Path) -> None:
    """Every build writes the registry and adds to the store's listing; a record that counted
    them would hold until the next."""
    registry = tmp_path / "var" / "db.sqlite"
    registry.parent.mkdir()
    registry.write_text("")
    Path(f"{registry}-wal").write_text("")
    (tmp_path / "store").mkdir()
    recorder = evalcache.Recorder(str(tmp_path / "store"), kept=[str(registry)])
    with recorder.recording():
        assert registry.exists()
        with open(f"{registry}-wal"):
            pass
        (tmp_path / "read.txt").exists()
        os.listdir(tmp_path / "store")
        os.listdir(tmp_path)
    inputs = recorder.inputs()
    assert str(tmp_path / "read.txt") in inputs["probed"]
    assert not [p for p in [*inputs["probed"], *inputs["files"]] if p.startswith(str(registry))]
    assert list(inputs["folders"]) == [str(tmp_path)]
