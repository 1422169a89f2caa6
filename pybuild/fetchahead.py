"""The index as ``fetch_pypi`` asks it: one client that a process's lookups share, which
fetches ahead the pages that the evaluation under way will ask for next.

A ``fetch_pypi`` whose file the home remembers (``var/cache/fetch-pypi.json``, by its pinned
hash) asks no index, and nothing here runs. One that misses asks the index for its project's
page, and a fresh home misses every one: a hundred pages one after another, each on a new
connection (its set-up cost more than the page), made a new home's first ``pybuild build
--dry-run --all`` take 7-11 s where the next takes 0.2 s. So the lookups share one client's
connections, and the first that misses has pages fetched ahead, on a few threads
(:class:`~pybuild.index.ahead.Ahead`, as a resolver's): those of the projects that the
recipes of the attributes being evaluated fetch, and the recipes of the inputs they take, all
the way down, read from the recipe files (not run). Only what the home does not remember is
fetched, and nothing below a recipe whose files it all remembers: the inputs of such a recipe
were evaluated with it (or are never evaluated here, as an input taken only on another
Python), so a home that lacks one file asks for that file's page alone. A lookup reads the
page fetched ahead, or waits for it while it is fetched; the last of the lookups the recipes
read say will come lets go of it (numpy's four recipes read one page).

What is fetched ahead only saves time. A page that cannot be fetched ahead is asked for again
by the lookup that wants it, which reports the error as it did before; a lookup that fails on
a page kept from earlier (the index may have changed since) is made again on a fresh one; the
threads read the index and nothing else, and the process does not wait for them at its end.
"""

from __future__ import annotations

import ast
import contextlib
import functools
import sys
import threading
import weakref
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

from packaging.utils import canonicalize_name

from .errors import InvalidHash
from .fetchers import remembered_hashes
from .hashing import parse_hash
from .index import Index, index_settings
from .index.ahead import Ahead
from .store import default_home

__all__ = ["look_up"]

_T = TypeVar("_T")
# What a recipe module says unrun: the inputs its recipe() takes, and for each fetch_pypi call
# it writes out, the project and the hashes pinned in it (none when they are no literals).
_Reads = tuple[tuple[str, ...], tuple[tuple[str, tuple[str, ...]], ...]]

_lock = threading.Lock()  # over the below (lookups miss in a resolver's threads too)
# The shared client: (home, index URLs, no-index), the index, what it fetches ahead (None
# where no index is read).
_client: tuple[tuple[object, ...], Index, Ahead | None] | None = None
# Of each set, the attributes whose recipes were read for fetching ahead (and _TOOLS, once
# the builder's tools were).
_walked: weakref.WeakKeyDictionary[Any, set[str]] = weakref.WeakKeyDictionary()
_TOOLS = "the builder's tools"  # no attribute's name
# The projects whose pages are fetched ahead (and kept) for lookups not yet made -> how many
# (a fetch_pypi each, read from the recipes: numpy's four recipes read one page): the last
# lookup of each reads the page and lets go of it, as of one it fetched itself (a page is
# large: a process that ends holding a set's spends a third of a second letting go of them).
_ahead_of_lookup: dict[str, int] = {}


def look_up(project: str, question: Callable[[Index], _T]) -> _T:
    """`question(index)` of the index that ``fetch_pypi`` reads, for a file of `project` the
    home does not remember; what the evaluation under way will look up next is fetched ahead
    first. The page is let go of once the last lookup foreseen has read it. A question that
    fails on a page kept from before it was asked (fetched ahead for it) is asked again of a
    page fetched afresh: what it says is what the index says now, as when no page was fetched
    ahead."""
    index, ahead = _shared()
    name = str(canonicalize_name(project))
    if ahead is not None:
        with contextlib.suppress(Exception):  # foretelling only saves time: its failure is no
            _fetch_ahead(index, ahead, name)  # lookup's error
    try:
        return _asked(index, project, question)
    finally:
        with _lock:  # read: let go by the last lookup, as a page fetched by one always was
            left = _ahead_of_lookup.pop(name, 0) - 1
            if left > 0:
                _ahead_of_lookup[name] = left
            else:
                index.forget(name)


def _asked(index: Index, project: str, question: Callable[[Index], _T]) -> _T:
    """`question(index)`, asked again of a fresh page where it fails on one kept from
    before (see :func:`look_up`)."""
    kept = index.has_page(project)
    try:
        return question(index)
    except Exception:
        if not kept:
            raise
    index.forget(project)
    return question(index)


def _shared() -> tuple[Index, Ahead | None]:
    """The client the lookups share: one for the home and the indexes of pip's configuration,
    made anew when either changes (another home, another ``PIP_INDEX_URL``), when the old
    one's questions not yet asked are dropped."""
    global _client
    settings = index_settings()
    key = (default_home(), tuple(settings.urls), settings.no_index)
    with _lock:
        if _client is None or _client[0] != key:
            if _client is not None:
                _, old, old_ahead = _client
                if old_ahead is not None:
                    old_ahead.close(wait=False)
                old.close()
            index = Index(settings.urls, no_index=settings.no_index)
            _client = (key, index, Ahead() if settings.no_index is None else None)
            _walked.clear()  # what to fetch ahead is read again for the new one
            _ahead_of_lookup.clear()
        return _client[1], _client[2]


def _fetch_ahead(index: Index, ahead: Ahead, asking: str) -> None:
    """Ask ahead for the pages of the projects that the attributes being evaluated here will
    look up, but for those read before for their sets, and for `asking`'s, which this
    thread is about to fetch."""
    pkgset = sys.modules.get("pybuild.pkgset")
    if pkgset is None:  # no set loaded: a fetch_pypi of a script's own
        return
    with _lock:
        wanted = []
        for pkgs, attr in pkgset.evaluating():
            for project in _unremembered(pkgs, attr):
                if project not in _ahead_of_lookup and project != asking:
                    wanted.append(project)
                _ahead_of_lookup[project] = _ahead_of_lookup.get(project, 0) + 1
    for project in dict.fromkeys(wanted):
        ahead.ask(functools.partial(_fetch_for_lookup, index, project))


def _fetch_for_lookup(index: Index, project: str) -> None:
    """The page of `project`, fetched and kept for its lookup; not once that has been made
    (it came first, and fetched the page itself), nor kept after."""
    with _lock:
        if project not in _ahead_of_lookup:
            return
    index.files(project)
    with _lock:
        if project not in _ahead_of_lookup:  # the lookups were made meanwhile
            index.forget(project)


def _unremembered(pkgs: Any, attr: str) -> Iterator[str]:
    """The projects of the ``fetch_pypi`` calls that `attr` of `pkgs` will make and the home
    does not remember (by their pinned hash), in the order they are evaluated: those of its
    recipe and of the inputs it takes, all the way down but below a recipe whose fetches are
    all remembered (a home that missed one file has its inputs' too, or never evaluated
    them: an input a recipe takes only on another Python); then the builder's own tools',
    which the first package's derivation fetches. None of attributes read before for the set."""
    walked = _walked.setdefault(pkgs, set())
    todo, packages, remembered = [attr], False, None
    while todo:
        name = todo.pop()
        if name in walked or name not in pkgs:
            continue
        walked.add(name)
        file = pkgs.recipe_file(name, overridden=True)  # an overlay's changed one too
        if file is None:
            continue
        inputs, fetches = _recipe_reads(str(file))
        if remembered is None and fetches:
            remembered = remembered_hashes()
        missed = [p for p, hashes in fetches if not _any_in(hashes, remembered)]
        if fetches and not missed:
            continue
        yield from missed
        todo.extend(reversed(inputs))
        packages = packages or "build_python_package" in inputs
    if packages and _TOOLS not in walked:
        from .python.package import TOOLCHAIN

        walked.add(_TOOLS)
        remembered = remembered_hashes() if remembered is None else remembered
        yield from (name for name, (_, sri) in TOOLCHAIN.items() if sri not in remembered)


def _any_in(hashes: tuple[str, ...], remembered: frozenset[str] | None) -> bool:
    """Whether a hash among `hashes` (as a recipe writes them) is `remembered` (as SRI)."""
    return remembered is not None and any(_sri(h) in remembered for h in hashes)


def _sri(text: str) -> str:
    try:
        return parse_hash(text).sri
    except InvalidHash:  # a malformed pin: its fetch says so, after asking the index
        return ""


@functools.lru_cache(maxsize=4096)
def _recipe_reads(file: str) -> _Reads:
    """What a recipe module says without being run (see :data:`_Reads`); nothing of one
    that cannot be read or parsed, whose evaluation says why. Read once a process: a file
    changed since, wrongly foretold, only costs a page fetched for nothing, or not ahead."""
    try:
        tree = ast.parse(Path(file).read_bytes(), file)
    except (OSError, SyntaxError, ValueError):
        return (), ()
    inputs: tuple[str, ...] = ()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name == "recipe":
            inputs = tuple(a.arg for a in (*node.args.args, *node.args.kwonlyargs))
    fetches = [
        (str(canonicalize_name(fetch[0])), fetch[1])
        for node in ast.walk(tree)
        if isinstance(node, ast.Call) and _names_fetch_pypi(node.func)
        if (fetch := _fetch_read(node)) is not None
    ]
    return inputs, tuple(fetches)


def _names_fetch_pypi(func: ast.expr) -> bool:
    """``fetch_pypi(…)``, or an overlay's ``prev.fetch_pypi(…)``."""
    return (isinstance(func, ast.Name) and func.id == "fetch_pypi") or (
        isinstance(func, ast.Attribute) and func.attr == "fetch_pypi"
    )


def _fetch_read(call: ast.Call) -> tuple[str, tuple[str, ...]] | None:
    """The project a ``fetch_pypi`` call names and the hashes it pins (``hash=``, or the
    values of ``hashes=``, where they are literals); None where it asks no index (a pinned
    ``url=``) or its project is no literal."""
    given = {k.arg: k.value for k in call.keywords if k.arg is not None}
    project = _literal(call.args[0] if call.args else given.get("pname"))
    if project is None or "url" in given:
        return None
    pinned = _literal(call.args[2] if len(call.args) > 2 else given.get("hash"))
    hashes = given.get("hashes")
    if pinned:
        return project, (pinned,)
    if isinstance(hashes, ast.Dict):
        return project, tuple(h for v in hashes.values if (h := _literal(v)))
    return project, ()


def _literal(node: ast.expr | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None
