"""Fixed-output fetches: ``fetch_url`` and ``fetch_pypi``.

A fetch is a derivation identified by the hash of what it downloads, not by where from, so a
moved download rebuilds nothing. ``fetch_pypi`` finds its file through the configured index
(pip's own configuration) instead of guessing a URL as nixpkgs does; once a hash is known the
file's URL is remembered under that hash, so later evaluations need no network at all. The
first, which remembers none, has the index pages it will ask for fetched ahead, together
(:mod:`pybuild.fetchahead`).

Hashes may be written as hex, Nix base-32 or SRI. An empty hash is Nix's fake-hash habit: the
fetch fails and prints the actual hash to paste into the recipe. A package taken from its
binary wheels pins one hash per file (``hashes=``, see :mod:`pybuild.pins`), so that one
recipe serves every interpreter and platform the release has files for.

Example::

    >>> src = fetch_pypi("six", "1.17.0",
    ...                  hash="sha256-/3AzXUaOfrbsZblbmdOig2VGBj9jrMUXHeNn6DSTKoE=")
    >>> src.name, src.is_fixed_output
    ('six-1.17.0.tar.gz', True)
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import sys
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from urllib.parse import unquote

from .atomic import write_atomic
from .derivations import MAX_DRV_NAME, Derivation, derivation
from .errors import (
    HashMismatch,
    NoPinnedWheel,
    UnsupportedInterpreter,
    UsageError,
    unexpected_arguments,
    wrong_type,
)
from .hashing import parse_hash
from .store import Store, default_home
from .store.locks import path_locks
from .store.paths import store_spelling
from .userfiles import call_site, shown_file

TYPE_CHECKING = False  # typing: an import no evaluation needs (they load this module)
if TYPE_CHECKING:
    from typing import Any, ClassVar

    from .index import DistFile, Index

__all__ = [
    "FILE_NAME",
    "Found",
    "fetch_pypi",
    "fetch_url",
    "fetched_from_index",
    "find_pinned_url",
    "find_pypi_file",
    "hash_by_download",
    "locate_pypi_file",
    "remember_every_file",
    "remember_file",
    "remember_files",
    "remembered_files",
    "remembered_hashes",
]

_FETCH_SCRIPT = Path(__file__).parent / "builders" / "fetch.py"
# A hash nothing has: an empty hash downloads, fails, and shows the actual one (Nix's habit).
_FAKE_HASH = "sha256-" + "A" * 43 + "="
# The meta key of a fetch_pypi download: the project of the index it is a release file of.
_INDEX_PROJECT = "index_project"
# The meta key of a download whose store name is not its file's name (cfn_review_bot-1!….whl
# is stored as cfn_review_bot-1=….whl): that name, which an installer reads a wheel's fields
# from.
FILE_NAME = "file_name"
# A URL the downloader fetches: its scheme (file, http or https, in any case, as urllib takes
# them), then its path (group 1), split as RFC 3986's appendix B splits a URI; what urlsplit
# would find, at a fifth of its cost (a thousand recipes' downloads spent 1.4% of their
# evaluation in it). Another scheme (ftp://, git+https://) is refused when the fetch is made,
# not when it is built.
_URL = re.compile(r"(?i:file|https?):(?://[^/?#]*)?([^?#]*)")
# The modules between a recipe's line and its download: fetch_pypi, and the set's references.
_FORWARDERS = ("fetchers.py", "lazy.py")
# The names other functions give a fetch's hash (nixpkgs', derivation()'s): this one's is hash.
_HASH_NAMES = {"sha256": "hash", "output_hash": "hash"}
# What a store name cannot hold: all but ASCII letters, digits and +-._?= (Nix's rule; without
# re.ASCII, \w would keep the é of café-1.0.tar.gz, which the store then refused).
_NOT_IN_NAME = re.compile(r"[^\w+\-.?=]", re.ASCII)


def fetch_url(
    url: str,
    hash: str = "",
    name: str | None = None,
    *,
    store: Store | None = None,
    **misspelt: Any,
) -> Derivation:
    """Download `url` into the store; the result must have sha256 `hash`. Its store name is
    `name`, else the file name of the URL's path, with each character a store name cannot
    hold (a space, ``é``) made ``_``, and only its end where it is too long. Any other
    argument is refused, naming the close ones (``sha256``: did you mean ``hash``?)."""
    if misspelt:
        known = ("url", "hash", "name", "store")
        raise unexpected_arguments("fetch_url", misspelt, known, _HASH_NAMES)
    return _fetch(url, hash, name, store)


def fetched_from_index(src: object) -> bool:
    """Whether `src` is a release file of a project of the package index, as
    :func:`fetch_pypi` fetches one (a set's recipe, or one generated from the index): a
    ``pypi:`` request for its project's name asks for the same project. A local folder or
    another download (a fork's archive) may be a different project of that name."""
    return isinstance(src, Derivation) and _INDEX_PROJECT in src.meta


def _fetch(
    url: str, hash: str, name: str | None, store: Store | None, project: str = ""
) -> Derivation:
    """:func:`fetch_url`'s download; `project` names the index's project it is a release
    file of, when :func:`fetch_pypi` fetches it (kept in its meta, not its identity)."""
    parts = _URL.match(url) if isinstance(url, str) else None
    if parts is None:
        raise UsageError(f"{url!r} is not a URL (file://, http:// or https://)")
    if not isinstance(hash, str):
        raise wrong_type(f"fetch_url({url!r})", "hash", hash, _PYPI_ARGUMENTS["hash"][1])
    store = store or Store.default()
    file_name = name or _file_name(parts[1])
    stored = store_spelling(name) if name else _name_from_path(parts[1])
    return derivation(
        name=stored,
        builder=_downloader_python(),
        args=["-S", _fetch_script(str(store.home)), url],
        output_hash=hash or _FAKE_HASH,
        store=store,
        # where the hash is given, for a mismatch found when it is fetched (Nix's meta.position)
        meta={
            "url": url,
            "position": call_site(through=_FORWARDERS),
            "hash_argument": "hash",
            **({_INDEX_PROJECT: project} if project else {}),
            # the file's own name, where its store name spells it otherwise (an epoch's "!")
            **({FILE_NAME: file_name} if file_name != stored else {}),
        },
    )


@functools.cache
def _downloader_python() -> str:
    """The interpreter that runs the downloader (standard library only), symbolic links
    resolved: pybuild run from a venv, by pipx or from the base Python makes the same
    derivation for a download, as the set's interpreter is named by its real path too."""
    return os.path.realpath(sys.executable)


@functools.lru_cache(maxsize=8)
def _fetch_script(home: str) -> str:
    """The downloader script, added to the store once per process and home."""
    store = Store(home)
    return str(store.path(store.add_path(_FETCH_SCRIPT)))


def fetch_pypi(
    pname: str,
    version: str,
    hash: str = "",
    kind: str = "sdist",
    *,
    hashes: Mapping[str, str] | None = None,
    url: str | None = None,
    tags: tuple[str, ...] | None = None,
    python_version: str | None = None,
    store: Store | None = None,
    **misspelt: Any,
) -> Derivation:
    """Fetch a release file of `pname` from the configured index, checked against `hash`.

    `kind` is ``"sdist"`` or ``"wheel"``; for wheels the best file for `tags` (an
    interpreter's tags, most specific first) is chosen. A pinned `url` skips the index.

    A wheel recipe meant for several interpreters or platforms pins each file instead:
    ``hashes={file name: hash}`` (written by ``pybuild update-pins``); the best pinned file
    for `tags` is used, and one missing is :class:`~pybuild.errors.NoPinnedWheel`.

    A file whose ``Requires-Python`` (as the index lists it) excludes `python_version` (the
    set's interpreter; by default this one) is :class:`~pybuild.errors.UnsupportedInterpreter`:
    pip would refuse to install it, and its code may not even parse there.

    Any other name is refused, naming the close ones (``sha256``: did you mean ``hash``?).
    """
    if misspelt:  # refused here, with the close names, not by Python's bare TypeError
        known = (*_PYPI_ARGUMENTS, "kind", "store")
        raise unexpected_arguments("fetch_pypi", misspelt, known, _HASH_NAMES)
    given = (pname, version, hash, hashes, url, tags, python_version)
    for value, (argument, (test, takes)) in zip(given, _PYPI_ARGUMENTS.items(), strict=True):
        if not test(value):  # a recipe's mistake, refused before the index is asked
            who = f"fetch_pypi({pname!r})" if isinstance(pname, str) and pname else "fetch_pypi"
            raise wrong_type(who, argument, value, takes)
    if kind not in ("sdist", "wheel"):
        raise UsageError(f"kind must be 'sdist' or 'wheel', not {kind!r}")
    if url is not None:
        if hashes is not None:
            raise UsageError(f"fetch_pypi({pname!r}): a pinned url= takes hash=, not hashes=")
        return _fetch(url, hash, None, store, pname)
    if hashes is not None:
        if kind != "wheel" or hash:
            raise UsageError(
                f"fetch_pypi({pname!r}): hashes= pins wheel files, one hash per file: give it"
                ' with kind="wheel" and without hash='
            )
        try:
            filename, hash = _choose_pinned(pname, version, hashes, tags)
        except (NoPinnedWheel, UnsupportedInterpreter) as exc:  # its hint names update-pins
            exc.written_in(_pins_file())
            raise
        found = find_pinned_url(pname, version, filename, hash)
    else:
        found = find_pypi_file(pname, version, hash, kind, tags)
    _check_requires_python(pname, version, found.requires_python, python_version)
    return _fetch(found.url, hash, found.filename, store, pname)


def _pins_file() -> str:
    """The file of the user's line that called :func:`fetch_pypi`, as ``update-pins`` takes
    it (relative to the working folder below it, quoted for a shell); "" for none."""
    import shlex

    file = call_site(2, through=_FORWARDERS).rpartition(":")[0]
    return shlex.quote(shown_file(file)) if file else ""


def _text(value: object) -> bool:
    return isinstance(value, str) and bool(value)


def _tag_list(value: object) -> bool:
    """Whether `value` is a list of tags (non-empty strings). An interpreter's ~900 tags are
    one tuple that every wheel's fetch_pypi of a set is given: checked once, not once a
    package (a fifth of a new environment's evaluation went to it)."""
    if value is _checked_tags[0]:
        return True
    if not isinstance(value, list | tuple) or not all(_text(t) for t in value):
        return False
    if isinstance(value, tuple):  # immutable: the same object is the same tags
        _checked_tags[0] = value
    return True


_checked_tags: list[object] = [None]  # the last tuple of tags found good


# The arguments of fetch_pypi() but kind -> (test, what it takes), in its signature's order: a
# wrong type was a raw Python error of the index's code ('list' object has no attribute
# 'lower'), naming neither the argument nor the recipe's mistake.
_PYPI_ARGUMENTS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "pname": (_text, "a non-empty string"),
    "version": (_text, "a non-empty string, the release's version as the index names it"),
    "hash": (lambda v: isinstance(v, str), 'a hash (a string; "" to be told the file\'s)'),
    "hashes": (
        lambda v: v is None or isinstance(v, Mapping),
        "a mapping of wheel file names to their hashes",
    ),
    "url": (lambda v: v is None or _text(v), "a URL (a string)"),
    "tags": (lambda v: v is None or _tag_list(v), "a list of an interpreter's tags"),
    "python_version": (lambda v: v is None or _text(v), "a version (a string)"),
}


class Found:
    """Where a release file is, and the ``Requires-Python`` the index lists for it."""

    __slots__ = ("filename", "requires_python", "url")

    def __init__(self, url: str, filename: str, requires_python: str | None = None) -> None:
        self.url, self.filename, self.requires_python = url, filename, requires_python


def _check_requires_python(
    pname: str, version: str, requires_python: str | None, python_version: str | None
) -> None:
    if not requires_python:
        return
    if not python_version:
        import platform  # only for a fetch outside a set: a set passes its interpreter's

        python_version = platform.python_version()
    if not _fits(requires_python, python_version):
        reason = f"it requires Python {requires_python} (Requires-Python, as the index lists it)"
        raise UnsupportedInterpreter(pname, version, f"Python {python_version}", reason)


@functools.lru_cache(maxsize=256)
def _fits(requires_python: str, python: str) -> bool:
    """Whether `python` is in the range: a function of the two strings alone, so remembered
    in the file record (:class:`_UrlCache`) once packaging has said it. A set's recipes share
    a few ranges, and parsing one, the first time after importing packaging's specifiers,
    costs more than the rest of a fetch's evaluation."""
    cache = _UrlCache()
    key = f"requires-python {python} {requires_python} {_deciders()}"
    known = cache.recall(key)
    if known is not None:
        return known == ["yes"]
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    try:
        fits = SpecifierSet(requires_python).contains(python, prereleases=True)
    except InvalidSpecifier:  # pip ignores a malformed one too
        fits = True
    cache.record({key: ["yes" if fits else "no"]})
    return fits


def _choose_pinned(
    pname: str, version: str, hashes: Mapping[str, str], tags: tuple[str, ...] | None
) -> tuple[str, str]:
    """:func:`pybuild.pins.choose_pinned`, remembered in the file record by what it depends
    on (the pins and the tags): choosing loads packaging's tag and wheel-name code, which
    costs an evaluation that needs nothing else of it more than a hundred recipes do. An
    error is not remembered: it is raised again, as :mod:`pybuild.pins` words it."""
    from_strings = all(isinstance(k, str) and isinstance(v, str) for k, v in hashes.items())
    complete = functools.partial(_pins_every_file, pname, version, hashes)  # for an error
    if tags is None or not from_strings:  # this interpreter's tags (only packaging can say
        from .pins import choose_pinned  # which they are), or pins it refuses with their reason

        return choose_pinned(pname, version, hashes, tags, complete)
    cache = _UrlCache()
    pins = json.dumps(sorted(hashes.items()), separators=(",", ":"))
    digest = hashlib.sha256(f"{pins} {_tags_digest(tuple(tags))}".encode()).hexdigest()
    key = f"pin {pname} {version} {digest} {_deciders()}"
    known = cache.recall(key)
    if known is not None and len(known) == 2:
        return known[0], known[1]
    from .pins import choose_pinned

    filename, sri = choose_pinned(pname, version, hashes, tags, complete)
    cache.record({key: [filename, sri]})
    return filename, sri


def _pins_every_file(pname: str, version: str, hashes: Iterable[str]) -> bool:
    """Whether pins that lack a file for an interpreter are every file ``update-pins`` would
    pin of the release (:func:`pybuild.pins.pins_every_file`), so the release has none for
    it: remembered, as ``update-pins`` records its pins, else asked of the index once and
    remembered. An index that cannot answer leaves it unknown (False): a recipe pinning a
    subset by hand is not taken for a release that lacks the file."""
    cache = _UrlCache()
    key = _every_file_key(pname, version, hashes)
    known = cache.recall(key)
    if known is not None:
        return known == ["yes"]
    from .index import Index, PackageIndexError
    from .pins import pins_every_file

    try:
        with Index() as index:
            files = index.release(pname, version)
    except PackageIndexError:
        return False
    every = pins_every_file(hashes, files)
    cache.record({key: ["yes" if every else "no"]})
    return every


def remember_every_file(pname: str, version: str, names: Iterable[str]) -> None:
    """Record that `names` are every file ``update-pins`` pins of the release, as it writes
    them: an interpreter or platform they lack is then known to be the release's gap, with
    no index asked."""
    _UrlCache().record({_every_file_key(pname, version, names): ["yes"]})


def _every_file_key(pname: str, version: str, names: Iterable[str]) -> str:
    digest = hashlib.sha256("\n".join(sorted(names)).encode()).hexdigest()
    return f"pins-all {pname} {version} {digest} {_deciders()}"


@functools.lru_cache(maxsize=1)
def _deciders() -> str:
    """What the remembered answers were decided by: packaging's release and the code that
    chooses among pins (pins.py and the index client's ranking). A change to either decides
    afresh instead of trusting an answer of the old rules; read once a process."""
    import packaging  # the bare package: its version only

    here = Path(__file__).parent
    code = b"".join((here / name).read_bytes() for name in ("pins.py", "index/client.py"))
    return f"{packaging.__version__}-{hashlib.sha256(code).hexdigest()[:16]}"


@functools.lru_cache(maxsize=8)
def _tags_digest(tags: tuple[str, ...]) -> str:
    """An interpreter's (long) tag list as one short key; once per process and list."""
    return hashlib.sha256("\n".join(tags).encode()).hexdigest()


def find_pinned_url(pname: str, version: str, filename: str, sri: str) -> Found:
    """Where the pinned wheel `filename` is: remembered, or listed by the index.

    The index's sha256, when it gives one, must be the pinned hash; otherwise the download is
    checked against the pin when it is built.
    """
    cache = _UrlCache()
    hit = cache.get(sri, pname, version, "wheel")
    if hit and hit.filename == filename:
        return hit
    from .fetchahead import look_up

    file = look_up(pname, functools.partial(_pinned_file, pname, version, filename, sri))
    found = Found(file.url, filename, file.requires_python)
    cache.put({(sri, pname, version, "wheel"): found})
    return found


def _pinned_file(pname: str, version: str, filename: str, sri: str, index: Index) -> DistFile:
    """The index's file `filename` of the release, checked against its pinned hash `sri`."""
    from .index import NoMatchingFile

    files = index.release(pname, version)
    file = next((f for f in files if f.filename == filename), None)
    if file is None:
        raise NoMatchingFile(pname, files[0].version, filename, [f.filename for f in files])
    if file.sha256 is not None and parse_hash(file.sha256).sri != sri:
        error = HashMismatch(f"{filename} (from {file.url})", sri, parse_hash(file.sha256).sri)
        error.hint = (
            f"if the index is right, delete the pin of {filename} from the recipe's hashes= and"
            " run `pybuild update-pins` on the recipe (its attribute, with --recipes DIR for a"
            " folder of your own, or its file): it pins the file the index has"
        )
        raise error
    return file


def find_pypi_file(
    pname: str, version: str, hash: str, kind: str, tags: tuple[str, ...] | None
) -> Found:
    """Where a release file is, from the cache of known hashes or the index.

    A remembered wheel with the pinned hash serves only an interpreter its tags fit: the
    same recipe evaluated for another Python (``package_set(python="3.12")``) asks the index
    for that Python's wheel, whose hash is not the pinned one, where the remembered file
    would install a wheel built for another Python."""
    cache = _UrlCache()
    hit = cache.get(parse_hash(hash).sri, pname, version, kind) if hash else None
    if hit is not None and (kind != "wheel" or tags is None or _wheel_fits(hit.filename, tags)):
        return hit
    from .fetchahead import look_up

    checked = functools.partial(_hashed_file, pname, version, hash, kind, tags, hit)
    file, actual = look_up(pname, checked)
    found = Found(file.url, file.filename, file.requires_python)
    cache.put({(actual, pname, version, kind): found})
    return found


def _hashed_file(
    pname: str,
    version: str,
    hash: str,
    kind: str,
    tags: tuple[str, ...] | None,
    hit: Found | None,
    index: Index,
) -> tuple[DistFile, str]:
    """The index's file of the release for `tags` and its SRI hash, which must be `hash`
    (`hit`: the remembered file of that hash, a wheel for another interpreter)."""
    file, actual = _locate(index, pname, version, kind, tags)
    if not hash or parse_hash(hash).sri != actual:
        error = HashMismatch(
            f"{file.filename} of {pname} {version} (from {file.url})", hash, actual
        )
        if hit is not None:
            error.hint = (
                f"the pinned hash is that of {hit.filename}, a wheel for another interpreter or"
                f" platform; pin a file for each (pybuild update-pins), or use hash={actual!r}"
            )
        raise error
    return file, actual


def _wheel_fits(filename: str, tags: tuple[str, ...]) -> bool:
    """Whether wheel `filename` installs on the interpreter of `tags` (a set's interpreter's).

    The file name's compressed tag set (``py2.py3-none-any``) is expanded by hand, not by
    packaging: evaluating a set of remembered wheels imports no packaging (as for pins)."""
    parts = filename.removesuffix(".whl").split("-")
    if len(parts) < 5:
        return False
    supported = _tag_set(tags)
    return any(
        f"{py}-{abi}-{plat}" in supported
        for py in parts[-3].split(".")
        for abi in parts[-2].split(".")
        for plat in parts[-1].split(".")
    )


@functools.lru_cache(maxsize=8)
def _tag_set(tags: tuple[str, ...]) -> frozenset[str]:
    return frozenset(tags)


def locate_pypi_file(
    pname: str,
    version: str,
    kind: str,
    tags: tuple[str, ...] | None,
    python_version: str | None = None,
) -> tuple[str, str, str]:
    """Ask the index for a release file: its URL, file name and SRI hash. With
    `python_version` (an interpreter's, for its wheel), a release whose ``Requires-Python``
    excludes it is :class:`~pybuild.errors.UnsupportedInterpreter`, as ``fetch_pypi`` would
    refuse the file: said first, since it is why no wheel has the interpreter's tags."""
    from .index import Index

    with Index() as index:
        file, actual = _locate(index, pname, version, kind, tags, python_version)
    return file.url, file.filename, actual


def _locate(
    index: Index,
    pname: str,
    version: str,
    kind: str,
    tags: tuple[str, ...] | None,
    python_version: str | None = None,
) -> tuple[DistFile, str]:
    from packaging.tags import parse_tag

    from .index import NoMatchingFile

    tag_list = [t for text in tags for t in parse_tag(text)] if tags else None
    try:
        file = index.find(pname, version, kind, tag_list)  # type: ignore[arg-type]
    except NoMatchingFile:
        if python_version is not None:
            for other in index.release(pname, version):
                _check_requires_python(pname, version, other.requires_python, python_version)
        raise
    if python_version is not None:
        _check_requires_python(pname, version, file.requires_python, python_version)
    actual = parse_hash(file.sha256).sri if file.sha256 else hash_by_download(index, file)
    return file, actual


def remember_file(
    sri: str,
    pname: str,
    version: str,
    kind: str,
    url: str,
    filename: str,
    requires_python: str | None = None,
) -> None:
    """Record where a release file with hash `sri` is, as ``fetch_pypi`` does once it has found
    it: later evaluations of a recipe pinning that hash then need no index."""
    remember_files([(sri, pname, version, kind, url, filename, requires_python)])


def remember_files(
    files: Iterable[tuple[str, str, str, str, str, str, str | None]],
) -> None:
    """:func:`remember_file` for many files (``sri, pname, version, kind, url, filename,
    requires_python``) at once: the record is rewritten once, not once per file."""
    _UrlCache().put({(sri, p, v, k): Found(url, name, rp) for sri, p, v, k, url, name, rp in files})


def remembered_hashes() -> frozenset[str]:
    """The hashes of the files the home remembers (as SRI): a recipe pinning one of them
    needs no index (:mod:`pybuild.fetchahead` fetches nothing ahead for it)."""
    return frozenset(key.partition(" ")[0] for key in _UrlCache().entries())


class _UrlCache:
    """``var/cache/fetch-pypi.json``: hash -> where that file was found; exact by design.
    Besides, answers of evaluation that depend only on their key (see :func:`_fits`,
    :func:`_choose_pinned`), which spare it loading packaging.

    The parsed file is kept per process: a set evaluates dozens of ``fetch_pypi`` calls, and
    re-reading it for each cost a no-op build 4 ms; asking its stamp for each, 0.3 ms more.
    """

    _loaded: ClassVar[dict[Path, tuple[tuple[int, int, int], dict[str, list[str]]]]] = {}

    def __init__(self) -> None:
        self.path = remembered_files(default_home())

    def _load(self, fresh: bool = False) -> dict[str, list[str]]:
        """The entries, parsed again only when the file's stamp has changed (or, `fresh`,
        whatever this process has kept)."""
        stamp = self._stamp()
        if stamp is None:
            return {}
        cached = self._loaded.get(self.path)
        if not fresh and cached is not None and cached[0] == stamp:
            return cached[1]
        try:
            data = json.loads(self.path.read_text())
        except (OSError, ValueError):
            return {}
        data = data if isinstance(data, dict) else {}
        self._loaded[self.path] = (stamp, data)
        return data

    def _stamp(self) -> tuple[int, int, int] | None:
        try:
            st = os.stat(self.path)
        except OSError:
            return None
        return (st.st_mtime_ns, st.st_size, st.st_ino)

    def entries(self) -> dict[str, list[str]]:
        """Every entry, by key."""
        return self._load()

    def get(self, sri: str, pname: str, version: str, kind: str) -> Found | None:
        entry = self.recall(f"{sri} {pname} {version} {kind}")
        return Found(*entry[:3]) if entry else None

    def put(self, found: Mapping[tuple[str, str, str, str], Found]) -> None:
        """Record each ``(sri, pname, version, kind)``'s file."""
        self.record(
            {
                " ".join(key): [where.url, where.filename, where.requires_python or ""]
                for key, where in found.items()
            }
        )

    def recall(self, key: str) -> list[str] | None:
        """One entry: a file's whereabouts, or a remembered answer of evaluation (a pinned
        file chosen, a Requires-Python range checked) under a key of its own form. Entries are
        only ever added, each exact, so one this process has kept is asked of the file again
        only when it is not there (another process may have added it since)."""
        cached = self._loaded.get(self.path)
        entry = cached[1].get(key) if cached is not None else None
        if entry is None:
            entry = self._load().get(key)
        return entry if isinstance(entry, list) else None

    def record(self, entries: Mapping[str, list[str]]) -> None:
        """Add `entries` to the file. Writers take turns (a lock beside it) and merge into what
        it holds once their turn has come: two that read the same old file would otherwise
        each write back their own entries alone, and an offline evaluation would miss one.
        Readers take no turn: the file is replaced whole (:func:`write_atomic`)."""
        with path_locks(self.path.parent, [self.path.name]):
            # Read afresh: a file replaced within one clock tick of the kept one, on a reused
            # inode, would show the kept stamp.
            data = dict(self._load(fresh=True))
            data.update(entries)
            write_atomic(self.path, json.dumps(data, indent=0, sort_keys=True))
            if (stamp := self._stamp()) is not None:  # still ours: no writer's turn came yet
                self._loaded[self.path] = (stamp, data)


@functools.lru_cache(maxsize=8)
def remembered_files(home: Path) -> Path:
    """The home's ``fetch-pypi.json``, a memo of exact answers (no input of an evaluation):
    one value per home, where a new one for each of a set's lookups (three joins, then hashed
    as the kept file's key) cost more than the lookup."""
    return home / "var" / "cache" / "fetch-pypi.json"


def hash_by_download(index: Index, file: DistFile) -> str:
    """The hash of a file the index publishes none for: download it once to learn it."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="pybuild-prefetch-") as scratch:
        return index.download(file, Path(scratch) / file.filename).sri


def _file_name(path: str) -> str:
    """The name of the file a URL's path names: its last part, unquoted."""
    return unquote(path.rstrip("/").rsplit("/", 1)[-1])


def _name_from_path(path: str) -> str:
    """A store name from a URL's path: its file's name, with what a name cannot hold
    replaced, and its end alone where it is longer than a derivation's name may be (the end
    names the archive's kind, which unpacking reads)."""
    name = _NOT_IN_NAME.sub("_", _file_name(path))[-MAX_DRV_NAME:]
    return name.lstrip(".") or "download"  # "..": no dots
