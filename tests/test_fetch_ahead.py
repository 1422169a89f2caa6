"""A cold evaluation's ``fetch_pypi`` lookups (:mod:`pybuild.fetchahead`): the index pages
its recipes will ask for are fetched ahead, together, and nothing else changes: a warm home
asks nothing, a home that misses one file asks for its page alone, errors are the lookup's
own, and the process does not wait for pages it no longer needs.

The index is served over loopback HTTP by a server that holds each project page back a
moment and counts the pages asked for, and how many at once."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import pytest

from pybuild import fetchahead, package_set
from pybuild.hashing import hash_file
from pybuild.index import IndexUnavailable
from support.fixtures import index_environ
from support.index import _IndexHandler, make_sdist, write_index
from support.serving import serve

ROOT = Path(__file__).resolve().parents[1]
LEAVES = ("leaf-a", "leaf-b", "leaf-c")
WAIT = 60  # seconds: only a broken test waits this long
# Evaluates `top` of the recipe folder given, in a process of its own.
EVALUATE = "import sys; from pybuild import package_set; package_set(recipes=[sys.argv[1]]).top"


class _Counting(_IndexHandler):
    """The fixture index's server, each project page held back for `delay` seconds (or
    `slow` ones for theirs) and counted, with the most asked for at once; `failing` pages
    answer HTTP 500."""

    delay: ClassVar[float] = 0.0
    slow: ClassVar[dict[str, float]] = {}
    failing: ClassVar[set[str]] = set()
    asked: ClassVar[Counter[str]]
    at_once: ClassVar[int]
    most: ClassVar[int]
    lock: ClassVar[threading.Lock]
    released: ClassVar[threading.Event]  # set: no page is held back any more

    def do_GET(self) -> None:
        project = self.path.strip("/")
        if "/" in project:  # a file, not a page
            super().do_GET()
            return
        with self.lock:
            self.asked[project] += 1
            type(self).at_once += 1
            type(self).most = max(self.most, self.at_once)
        try:
            self.released.wait(self.slow.get(project, self.delay))
            if project in self.failing:
                self._send(500, "text/plain", b"down\n")
            else:
                super().do_GET()
        finally:
            with self.lock:
                type(self).at_once -= 1


@dataclass
class Served:
    """The served index: its folder, the server's handler (its counts) and the recipes."""

    root: Path
    handler: type[_Counting]
    recipes: Path

    def asked(self) -> Counter[str]:
        with self.handler.lock:
            return Counter(self.handler.asked)

    def forget_asked(self) -> None:
        with self.handler.lock:
            self.handler.asked.clear()
            self.handler.most = 0


def _recipe(
    project: str, version: str, sri: str, evaluates: tuple[str, ...] = (), takes: str = ""
) -> str:
    """A recipe fetching `project`'s sdist; given `evaluates`, the inputs it evaluates (each a
    download), its value is the names of its download and theirs. It takes `takes` too,
    unused."""
    inputs = "".join(f", {name}" for name in (*evaluates, *filter(None, [takes])))
    fetch = f'fetch_pypi("{project}", "{version}", hash="{sri}")'
    value = f"[{fetch}.name{''.join(f', {n}.name' for n in evaluates)}]" if evaluates else fetch
    return f"def recipe(fetch_pypi{inputs}):\n    return {value}\n"


@pytest.fixture
def served(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Served]:
    """`top` 1.0, the leaves 1.0 and 2.0, `unused` and `unrelated` 1.0 as sdists on a served
    index that pip is pointed at; recipes of `top` (taking the leaves and `unused`, which it
    never evaluates), of each leaf at 1.0 and of `unrelated` (nobody's input)."""
    dists = tmp_path / "dists"
    dists.mkdir()
    projects = [("top", "1.0"), ("unused", "1.0"), ("unrelated", "1.0")]
    projects += [(leaf, version) for leaf in LEAVES for version in ("1.0", "2.0")]
    files = {(p, v): make_sdist(dists, p, v, {"x.py": ""}) for p, v in projects}
    root = tmp_path / "index"
    write_index(root, files.values())
    recipes = tmp_path / "recipes"
    recipes.mkdir()
    for (project, version), path in files.items():
        if version == "1.0" and project != "top":
            name = project.replace("-", "_")
            (recipes / f"{name}.py").write_text(_recipe(project, version, hash_file(path).sri))
    leaves = tuple(leaf.replace("-", "_") for leaf in LEAVES)
    top = _recipe("top", "1.0", hash_file(files["top", "1.0"]).sri, leaves, takes="unused")
    (recipes / "top.py").write_text(top)
    handler = type(
        "Handler",
        (_Counting,),
        {
            "root": root,
            "asked": Counter(),
            "at_once": 0,
            "most": 0,
            "lock": threading.Lock(),
            "released": threading.Event(),
            "slow": {},
            "failing": set(),
        },
    )
    with serve(handler) as url:
        for name, value in index_environ(f"{url}/").items():
            monkeypatch.setenv(name, value)
        for name in ("no_proxy", "NO_PROXY"):
            monkeypatch.setenv(name, "127.0.0.1")
        try:
            yield Served(root, handler, recipes)
        finally:
            handler.released.set()


def _evaluate_in_a_process(served: Served, timeout: float = 120) -> None:
    """Evaluate `top` as a command would: in a new process, with the test's home and index."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run(
        [sys.executable, "-c", EVALUATE, str(served.recipes)], env=env, check=True, timeout=timeout
    )


def test_a_cold_evaluation_fetches_the_pages_its_recipes_need_together(served: Served) -> None:
    """Each lookup asked for its page once the one before had its answer: a fresh home's
    first evaluation of the default set waited for a hundred pages one after another. The
    pages of `top` and of the leaves it takes are asked for at once, each once; that of a
    recipe no input leads to is not asked for."""
    served.handler.delay = 0.3
    top = package_set(recipes=[served.recipes]).top
    assert top[0] == "top-1.0.tar.gz"
    asked = served.asked()
    assert served.handler.most > 1  # pages were fetched together, not one after another
    assert {p: asked[p] for p in ("top", *LEAVES)} == dict.fromkeys(("top", *LEAVES), 1)
    assert "unrelated" not in asked


def test_a_page_two_recipes_read_is_fetched_once(served: Served) -> None:
    """Two recipes fetching releases of one project read one page (numpy's four recipes, in
    the default set): each lookup let go of the page it read, and the next fetched it again,
    so a new home's ``search numpy`` fetched numpy's page four times. The page is kept until
    the last lookup that the recipes read say will come."""
    sdist = served.root / "files" / "leaf_a-2.0.tar.gz"
    (served.recipes / "leaf_a_2.py").write_text(_recipe("leaf-a", "2.0", hash_file(sdist).sri))
    top = served.recipes / "top.py"
    top.write_text(
        top.read_text()
        .replace("leaf_a,", "leaf_a, leaf_a_2,")
        .replace("leaf_a.name,", "leaf_a.name, leaf_a_2.name,")
    )
    assert package_set(recipes=[served.recipes]).top[1:3] == [
        "leaf_a-1.0.tar.gz",
        "leaf_a-2.0.tar.gz",
    ]
    assert served.asked()["leaf-a"] == 1


def test_a_warm_home_asks_the_index_nothing(served: Served) -> None:
    _evaluate_in_a_process(served)
    served.forget_asked()
    _evaluate_in_a_process(served)
    assert served.asked() == {}


def test_a_home_that_misses_one_file_asks_for_its_page_alone(served: Served) -> None:
    """A recipe pinning a new release misses the home's memo: its page is asked for, and no
    other (the rest of the set is remembered), not its whole closure's."""
    _evaluate_in_a_process(served)
    sdist = served.root / "files" / "leaf_b-2.0.tar.gz"
    (served.recipes / "leaf_b.py").write_text(_recipe("leaf-b", "2.0", hash_file(sdist).sri))
    served.forget_asked()
    _evaluate_in_a_process(served)
    assert served.asked() == {"leaf-b": 1}


def test_a_page_kept_from_before_is_fetched_again_when_a_lookup_fails_on_it(
    served: Served, tmp_path: Path
) -> None:
    """A page fetched ahead is kept until a lookup reads it: `unused`'s, which `top` takes
    and never evaluates, until another set's `top` evaluates it at a release published since
    (2.0). That lookup fails on the kept page, and asks again of a fresh one, as it did when
    no page was kept."""
    assert package_set(recipes=[served.recipes]).top[0] == "top-1.0.tar.gz"
    deadline = time.monotonic() + WAIT
    while not fetchahead._shared()[0].has_page("unused"):  # fetched ahead, then kept
        assert time.monotonic() < deadline
        time.sleep(0.01)
    new = make_sdist(tmp_path, "unused", "2.0", {"x.py": ""})
    write_index(served.root, [served.root / "files" / "unused-1.0.tar.gz", new])
    (served.recipes / "unused.py").write_text(_recipe("unused", "2.0", hash_file(new).sri))
    top = (served.recipes / "top.py").read_text()
    (served.recipes / "top.py").write_text(top.replace("leaf_c.name", "leaf_c.name, unused.name"))
    assert package_set(recipes=[served.recipes]).top[4] == "unused-2.0.tar.gz"


def test_an_index_error_is_the_lookups_own(served: Served) -> None:
    """A page that cannot be fetched ahead is asked for again by the lookup that wants it,
    whose error is the one told (as when nothing was fetched ahead)."""
    served.handler.failing = {"leaf-c"}
    with pytest.raises(IndexUnavailable, match=r"leaf-c/: HTTP 500 ") as raised:
        package_set(recipes=[served.recipes]).top  # noqa: B018 - evaluated for its error
    assert raised.value.url.endswith("/leaf-c/")


def test_the_process_ends_without_waiting_for_pages_fetched_ahead(served: Served) -> None:
    """`top` takes `unused` and never evaluates it: its page, fetched ahead all the same, is
    not waited for when the evaluation is done (it would be by the index's time-out, 30 s)."""
    served.handler.slow = {"unused": 600, "leaf-a": 0.5}  # asked for before the end
    _evaluate_in_a_process(served, timeout=20)
    assert served.asked()["unused"] == 1  # it was asked for, and not answered
