"""Records (pybuild.records): the result types of the commands that realise, made
without importing dataclasses, and still dataclasses to whoever uses them as such."""

from __future__ import annotations

import dataclasses
import inspect
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from pybuild.buildoptions import BuildOptions
from pybuild.errors import UsageError
from pybuild.records import field, field_names, record, replace
from pybuild.store import PathInfo

DAG = """
from pybuild import derivation

first = derivation(name="first", builder="/bin/sh", args=["-c", "echo 1 > $out"])
second = derivation(name="second", builder="/bin/sh", args=["-c", "cat $first > $out"],
                    env={"first": str(first)})
"""

# Run without site (-S), whose import hook for an editable install loads typing and more.
COMMAND = """
import sys
from pybuild.cli import main
status = main(sys.argv[1:])
print(*sorted(sys.modules), file=sys.stderr)
sys.exit(status)
"""


@record(frozen=True)
class Point:
    x: int
    y: int = 0
    tags: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        if self.x < 0:
            raise ValueError("x < 0")


@record
class Counter:
    count: int


def test_a_record_is_a_value_as_a_dataclass_is() -> None:
    point = Point(1, tags=("a",))
    assert point == Point(x=1, y=0, tags=("a",)) and point != Point(2)
    assert hash(point) == hash(Point(1, 0, ("a",)))
    assert repr(point) == "Point(x=1, y=0, tags=('a',))"
    assert replace(point, y=5) == Point(1, 5, ("a",)) == point.__replace__(y=5)  # copy.replace
    assert field_names(Point) == ("x", "y", "tags") == Point.__match_args__
    assert Point(1).tags == () and Point(1) is not Point(1)
    assert pickle.loads(pickle.dumps(point)) == point
    with pytest.raises(dataclasses.FrozenInstanceError, match="cannot assign to field 'x'"):
        point.x = 2  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError, match="cannot delete field 'x'"):
        del point.x  # type: ignore[misc]
    with pytest.raises(ValueError, match="x < 0"):  # __post_init__ runs
        Point(-1)
    with pytest.raises(TypeError):
        Point()  # type: ignore[call-arg]
    counter = Counter(1)
    counter.count += 1  # not frozen: assignable, and unhashable as a dataclass is
    assert counter == Counter(2) and Counter.__hash__ is None


def test_the_functions_of_dataclasses_take_a_record() -> None:
    """dataclasses.replace, fields, asdict and is_dataclass work on the records as on any
    dataclass (the module is imported when one of them is used, not before)."""
    options = BuildOptions(jobs=3)
    assert dataclasses.is_dataclass(options)
    assert dataclasses.replace(options, jobs=4) == BuildOptions(jobs=4)
    assert [f.name for f in dataclasses.fields(BuildOptions)] == list(field_names(BuildOptions))
    assert dataclasses.fields(Point)[2].default_factory() == ()  # type: ignore[misc]
    assert dataclasses.asdict(Point(1, 2)) == {"x": 1, "y": 2, "tags": ()}
    info = PathInfo(path="p", nar_hash="sha256-x", nar_size=1)
    assert "registration_time: 'int' = <factory>" in str(inspect.signature(PathInfo))
    assert dataclasses.replace(info, nar_size=2).nar_size == 2
    with pytest.raises(UsageError, match="keep_going"):  # BuildOptions' own check still runs
        dataclasses.replace(options, keep_goin=True)


@pytest.mark.parametrize("dry_run", [True, False])
def test_a_build_command_imports_no_dataclasses(tmp_path: Path, dry_run: bool) -> None:
    """dataclasses, with the inspect it imports, cost a fifth of the instructions of a dry
    run of the bench's 200 derivations (51 M of 329 M, 14 M more to make the classes)."""
    (tmp_path / "dag.py").write_text(DAG)
    root = Path(__file__).resolve().parent.parent
    env = {
        **os.environ,
        "PYTHONPATH": str(root),
        "PYBUILD_HOME": str(tmp_path / "home"),
        "PYBUILD_SANDBOX": "false",
        "PYBUILD_BUILD_USERS": "false",
    }
    argv = ["build", "-f", "dag.py", "second", *(["--dry-run"] if dry_run else [])]
    command = [sys.executable, "-S", "-c", COMMAND, *argv]
    done = subprocess.run(command, env=env, cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    modules = done.stderr.splitlines()[-1].split()
    assert "pybuild.plan" in modules  # the probe sees what the command loads
    assert {"dataclasses", "inspect"}.isdisjoint(modules)


def test_a_record_is_subclassed_as_a_dataclass_is() -> None:
    """A plain subclass sets names of its own (a field stays refused), and a dataclass
    subclassing a record gets the record's fields, frozen as it is."""

    class Tagged(Point):
        def __init__(self, *args: object, tag: str = "", **kwargs: object) -> None:
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]
            self.tag = tag

    tagged = Tagged(1, tag="t")
    assert tagged.tag == "t" and tagged.x == 1
    with pytest.raises(dataclasses.FrozenInstanceError):
        tagged.x = 2  # type: ignore[misc]

    @dataclasses.dataclass(frozen=True)
    class Noted(PathInfo):
        note: str = ""

    noted = Noted("p", "sha256-x", 1, note="n")
    assert (noted.path, noted.note, noted.references) == ("p", "n", ())
    assert [f.name for f in dataclasses.fields(noted)][-1] == "note"


def test_a_records_types_and_signature_are_a_dataclasses() -> None:
    """Tools that read the fields' types (help, pydantic) see them, and BuildOptions' own
    __new__ (which checks its keywords) does not hide the options from inspect."""
    assert dataclasses.fields(PathInfo)[2].type == "int"
    assert str(inspect.signature(PathInfo)).startswith("(path: 'str', nar_hash: 'str'")
    assert PathInfo.__init__.__module__ == "pybuild.store.registry"
    assert list(inspect.signature(BuildOptions).parameters)[:2] == ["jobs", "cores"]
    assert dataclasses.fields(Point)[0].init


def test_a_records_repr_is_a_dataclasses() -> None:
    counter = Counter(0)
    counter.count = [counter]  # type: ignore[assignment]
    assert repr(counter) == "Counter(count=[...])"
    rich_pretty = pytest.importorskip("rich.pretty")
    info = PathInfo("p" * 30, "h" * 60, 1, ("a" * 50, "b" * 50), registration_time=1)
    assert len(rich_pretty.pretty_repr(info, max_width=80).splitlines()) > 1  # a field a line


def test_a_record_refuses_what_a_dataclass_refuses() -> None:
    with pytest.raises(ValueError, match="mutable default"):

        @record
        class Listed:
            items: list[int] = []  # noqa: RUF012

    with pytest.raises(TypeError, match="non-default argument 'y'"):

        @record
        class Ordered:
            x: int = 0
            y: int  # type: ignore[misc]

    @record(frozen=True)
    class Named:  # names a written __init__ might use for itself
        self: int = 0
        _set: int = 0

    assert Named(1, 2) == Named(self=1, _set=2)


def test_the_annotations_of_a_records_init_resolve_in_its_module() -> None:
    """typing.get_type_hints and inspect.signature(eval_str=True), which documentation and
    command-line tools call, raised NameError: __init__ was made outside the record's module,
    whose names its annotations use."""
    import typing

    from pybuild.realiser import Difference
    from pybuild.results import BuildResult, Status

    assert typing.get_type_hints(BuildResult.__init__)["status"] is Status
    assert typing.get_type_hints(Difference.__init__)["kept"] == Path | None
    signature = inspect.signature(Difference, eval_str=True)  # Path's repr varies by version
    assert signature.parameters["kept"].annotation == Path | None


def test_a_dataclass_subclassing_build_options_takes_its_own_fields() -> None:
    @dataclasses.dataclass(frozen=True)
    class Mine(BuildOptions):
        extra: int = 0

    mine = Mine(jobs=2, extra=3)
    assert (mine.jobs, mine.extra) == (2, 3)
    with pytest.raises(UsageError, match="extr"):
        Mine(extr=3)
