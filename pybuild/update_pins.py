"""``update-pins``: write a wheel recipe's pins from the index, as ``nix-update`` does for nixpkgs.

A recipe taken from binary wheels pins one hash per file (:mod:`pybuild.pins`); keeping dozens
of hashes by hand is what makes such recipes rot. :func:`update_pins` reads the recipe module,
finds its ``fetch_pypi(..., kind="wheel")`` calls, asks the index for the release's files and
the sha256 it publishes for each (PEP 691; a file without one is downloaded once to hash it),
and rewrites the call's ``hashes=`` (or its single ``hash=``) in place, one line per file, in
the layout ``ruff format`` keeps (the call's arguments then one a line, as it would rewrap a
call written on one line). ``version=`` moves the recipe's own package (the
``pname=`` of its ``build_python_package``) to another release first, as ``nix-update`` moves
a package's ``src``; a wheel of another package the recipe fetches (a build tool it overrides)
is pinned at its own release, never moved. Only the spans of the pins and of the version's
string change (and the breaks between the call's arguments), and only when a pin does: pins
already written (a single ``hash=`` of the release's one file, or the same files in another
layout) are left as they are, so a run that changes no pin changes no file. Each pinned file's
URL is remembered, so the next evaluation needs no index. Recipes pinned together
(:func:`update_all_pins`) are written once every one is resolved: one the index cannot pin (a
release it lacks, one with no wheel) leaves all as they were, as ``uv lock`` writes no lock
file when one requirement fails.

Example::

    >>> recipe = Path("flit_core.py")
    >>> _ = recipe.write_text(
    ...     "def recipe(fetch_pypi):\\n"
    ...     '    return fetch_pypi("flit-core", "4.2.0", kind="wheel", hash="")\\n'
    ... )
    >>> [update] = update_pins(recipe)
    >>> list(update.pinned), update.changed
    (['flit_core-4.2.0-py3-none-any.whl'], True)
    >>> "hashes={" in recipe.read_text()
    True
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from packaging.utils import canonicalize_name

from .atomic import write_atomic
from .errors import InvalidHash, PybuildError, UsageError
from .hashing import parse_hash
from .index import Index
from .index.errors import ProjectNotFound, VersionNotFound
from .pins import Target, files_to_pin, no_file_to_pin

__all__ = ["PinUpdate", "update_all_pins", "update_pins", "wheel_recipes"]

_LINE_LENGTH = 100  # the repository's ruff line length: a longer pin wraps its hash


@dataclass(frozen=True)
class PinUpdate:
    """What one ``fetch_pypi`` call pins now: file name -> SRI hash, the targets (an
    interpreter on a platform) the release has no file for, whether the file changed, the
    package the recipe builds (its ``pname=``; "" where it names none) and whether the wheel is
    of that package (else of another it fetches, a tool it overrides)."""

    file: Path
    pname: str
    version: str
    pinned: dict[str, str]
    missing: list[Target]
    changed: bool
    package: str
    own: bool


@dataclass(frozen=True)
class _Call:
    """A wheel ``fetch_pypi`` call of a recipe, with the nodes that spell its parts."""

    node: ast.Call
    pname: str
    version: ast.Constant  # the version's string literal (perhaps where a name is assigned)
    pins: ast.expr | ast.keyword  # the hash= keyword or positional hash, or hashes=' dict
    tags: tuple[str, ...] | None  # the recipe's own choice of file (tags=), if it makes one


@dataclass(frozen=True)
class _Edit:
    """Replace the text from `start` to `end` (character offsets) with `text`."""

    start: int
    end: int
    text: str


def wheel_recipes(folders: Iterable[Path]) -> list[Path]:
    """The recipe modules in `folders` that fetch a wheel, sorted by name in each folder."""
    found = []
    for folder in folders:
        for path in sorted(Path(folder).glob("*.py")):
            if not path.name.startswith("_") and _wheel_calls(path, _parse(path, path.read_text())):
                found.append(path)
    return found


def update_pins(
    file: Path, version: str | None = None, index: Index | None = None
) -> list[PinUpdate]:
    """Pin every wheel file of each ``fetch_pypi(..., kind="wheel")`` call in `file` that a
    target machine would use; with `version`, move the recipe's own package (it must fetch
    one wheel of it) to that release first. `index` is the configured one by default."""
    return update_all_pins([file], version, index)


def update_all_pins(
    files: Iterable[Path], version: str | None = None, index: Index | None = None
) -> list[PinUpdate]:
    """:func:`update_pins` for each of `files`, writing none of them until every one is
    resolved: a recipe the index cannot pin (a release it lacks) leaves each file as it was,
    as ``uv lock`` writes no lock file when one requirement fails, rather than some recipes
    moved and the rest not."""
    with index if index is not None else Index() as idx:
        rewrites = [_rewrite(Path(file), version, idx) for file in files]
    for rewrite in rewrites:
        if rewrite.changed:
            write_atomic(rewrite.file, rewrite.text)
    return [update for rewrite in rewrites for update in rewrite.updates]


@dataclass(frozen=True)
class _Rewrite:
    """A recipe's text with its pins written, and what each of its calls pins."""

    file: Path
    text: str
    changed: bool
    updates: list[PinUpdate]


def _rewrite(file: Path, version: str | None, index: Index) -> _Rewrite:
    """`file`'s text with the pins the index gives (see :func:`update_pins`), not written."""
    source = file.read_text()
    tree = _parse(file, source)
    calls = _wheel_calls(file, tree)
    if not calls:
        raise UsageError(f'{file} has no fetch_pypi(..., kind="wheel") call to pin')
    packages = _packages(tree)
    own = {call.pname for call in calls if _own(call.pname, packages)}
    moved = _moved(file, tree, calls, packages, version) if version is not None else None
    found: list[tuple[_Call, str, dict[str, str], list[Target]]] = []
    for call in calls:
        target = version if call is moved and version is not None else str(call.version.value)
        try:
            pinned, missing = _pins_of_release(index, call.pname, target, call.tags)
        except (ProjectNotFound, VersionNotFound, UsageError) as exc:
            raise _at(f"{file}:{call.node.lineno}", exc) from exc
        if not pinned:
            raise _nothing_to_pin(file, call, target, index, call.pname in own)
        if target == call.version.value:
            _refuse_replaced(file, call, target, pinned)
        found.append((call, target, pinned, missing))
    edits = []
    for call, target, pinned, _ in found:
        if target != call.version.value:
            edits.append(_Edit(*_span(source, call.version), _quote(target)))
        if _written_pins(call.pins) != _as_written(call.pins, pinned):
            layout = _one_per_line(source, call)
            indent = _indent(source, _open_paren(source, call.node)) + "    " if layout else None
            edits += [_pins_edit(source, call.pins, pinned, indent), *(layout or [])]
    new = _apply(source, edits)
    if new != source:
        ast.parse(new, filename=str(file))  # a rewrite that broke the module would be a bug
    package, changed = " and ".join(sorted(packages.values())), new != source
    updates = [
        PinUpdate(file, c.pname, target, pinned, missing, changed, package, c.pname in own)
        for c, target, pinned, missing in found
    ]
    return _Rewrite(file, new, changed, updates)


def _refuse_replaced(file: Path, call: _Call, version: str, pinned: dict[str, str]) -> None:
    """Refuse pins of the same release whose file the index now gives with another hash: a
    published file does not change, so that is a replaced upload, or one tampered with
    (where pip and uv refuse to install), and writing the new hash over the old without a word
    would take it as the recipe's. The user removes the pin to take it, knowing."""
    written = _written_pins(call.pins) or {}
    replaced = sorted(n for n, h in written.items() if n in pinned and pinned[n] != h)
    if not replaced:
        return
    name = replaced[0]
    more = f" (and {len(replaced) - 1} more)" if len(replaced) > 1 else ""
    error = UsageError(
        f"{file}:{call.node.lineno}: {call.pname} {version}: the index's {name} is another"
        f" file than the one pinned{more}: its hash is {pinned[name]}, the recipe's"
        f" {written[name]}"
    )
    error.hint = (
        "a published file does not change (pip and uv refuse one that did): if the index"
        " really replaced it, remove its pin from the recipe and run update-pins again"
    )
    raise error


def _at(where: str, exc: PybuildError) -> UsageError:
    """`exc`, the index's answer for a release the recipe names (none of that version, no
    such project) or no file fitting its tags=, said at the recipe's call: update-pins runs
    no recipe, so no frame of the user's would say which one it was."""
    error = UsageError(f"{where}: {exc.args[0]}")
    error.hint = exc.hint
    return error


def _moved(
    file: Path, tree: ast.Module, calls: list[_Call], packages: dict[str, str], version: str
) -> _Call:
    """The one wheel fetch of the recipe's own package, which `version` moves; a recipe whose
    own package is built from its sdist, or that fetches several of its wheels, is refused."""
    own = [call for call in calls if _own(call.pname, packages)]
    if len(own) > 1:
        raise UsageError(f"{file} fetches {len(own)} wheels: a new version would be ambiguous")
    if own:
        return own[0]
    sdist = next((n for n in _fetches(tree) if _own(_project(n) or "", packages)), None)
    if sdist is not None:
        pname = _project(sdist)
        raise UsageError(
            f"{file}:{sdist.lineno}: {pname} is built from its sdist, and update-pins writes"
            f" the pins of wheels: move it to {version} by its version and hash= (`pybuild"
            f" prefetch {pname}=={version}` prints the hash)"
        )
    named, others = " or ".join(sorted(packages.values())), ", ".join(c.pname for c in calls)
    raise UsageError(
        f"{file} fetches no wheel of {named}, its own package, to move to {version}: its wheels"
        f" ({others}) are another package's, which --version leaves"
    )


def _nothing_to_pin(file: Path, call: _Call, version: str, index: Index, own: bool) -> UsageError:
    """The error for a release with no wheel to pin, at the recipe's call: pins left empty
    would only send its build back here (its hint pins them)."""
    files, where = index.release(call.pname, version), f"{file}:{call.node.lineno}"
    other = f"`pybuild update-pins {file} --version V` moves it" if own else ""
    return no_file_to_pin(call.pname, version, files, other, where)


def _pins_of_release(
    index: Index, pname: str, version: str, tags: tuple[str, ...] | None
) -> tuple[dict[str, str], list[Target]]:
    """The files to pin of one release (name -> SRI hash), each one's URL remembered for
    evaluation without the index, and the targets that no file fits; with the recipe's
    `tags`, only the file they choose."""
    from .fetchers import hash_by_download, remember_every_file, remember_files
    from .hashing import parse_hash

    chosen, missing = files_to_pin(index.release(pname, version), tags)
    pinned = {}
    for name, dist in chosen.items():
        pinned[name] = parse_hash(dist.sha256).sri if dist.sha256 else hash_by_download(index, dist)
    remember_files(  # at once: the record is rewritten once, not for each of dozens of files
        (sri, pname, version, "wheel", chosen[name].url, name, chosen[name].requires_python)
        for name, sri in pinned.items()
    )
    if tags is None:  # every machine's file, not the one the recipe's tags choose
        remember_every_file(pname, version, pinned)
    return pinned, missing


# -- reading the recipe ----------------------------------------------------------------------


def _packages(tree: ast.Module) -> dict[str, str]:
    """The packages the recipe builds: each ``build_python_package(pname=...)``'s name,
    normalised, and as written. None named (an overlay, a bare fetch): every fetch is the
    recipe's own."""
    scopes = _scopes(tree)
    names = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _called(node.func, "build_python_package"):
            given = next((k.value for k in node.keywords if k.arg == "pname"), None)
            value = _resolve(given, scopes, node) if given is not None else None
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                names[str(canonicalize_name(value.value))] = value.value
    return names


def _own(pname: str, packages: dict[str, str]) -> bool:
    """Whether a fetch of `pname` is of the recipe's own package (not a tool it overrides)."""
    return not packages or canonicalize_name(pname) in packages


def _fetches(tree: ast.Module) -> list[ast.Call]:
    """Every ``fetch_pypi`` call, in source order."""
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and _called(n.func, "fetch_pypi")]
    return sorted(calls, key=lambda n: (n.lineno, n.col_offset))


def _project(call: ast.Call) -> str | None:
    """The project a fetch names with a string literal, if it does."""
    name = _argument(call, 0, "pname")
    return name.value if isinstance(name, ast.Constant) and isinstance(name.value, str) else None


def _parse(file: Path, source: str) -> ast.Module:
    try:
        return ast.parse(source, filename=str(file))
    except SyntaxError as exc:
        raise UsageError(f"{file}:{exc.lineno}: cannot read the recipe: {exc.msg}") from None


def _wheel_calls(file: Path, tree: ast.Module) -> list[_Call]:
    """Every ``fetch_pypi(..., kind="wheel")`` (or ``x.fetch_pypi``) call, in source order."""
    scopes = _scopes(tree)
    calls = []
    for node in _fetches(tree):
        kind = _argument(node, 3, "kind")
        if not (isinstance(kind, ast.Constant) and kind.value == "wheel"):
            continue
        where = f"{file}:{node.lineno}"
        pname = _literal(_argument(node, 0, "pname"), scopes, node, f"{where}: the name")
        version = _literal(_argument(node, 1, "version"), scopes, node, f"{where}: the version")
        pins = _pins_node(node, scopes, where)
        tags = _tags(node, scopes, where)
        calls.append(_Call(node, str(pname.value), version, pins, tags))
    return sorted(calls, key=lambda c: (c.version.lineno, c.version.col_offset))


def _called(func: ast.expr, name: str) -> bool:
    """Whether a call is of `name` (as a parameter, ``name(...)``, or ``x.name(...)``)."""
    if isinstance(func, ast.Attribute):
        return func.attr == name
    return isinstance(func, ast.Name) and func.id == name


def _argument(call: ast.Call, position: int, keyword: str) -> ast.expr | None:
    """The argument given at `position` or as `keyword`, if any."""
    if position < len(call.args):
        return call.args[position]
    return next((k.value for k in call.keywords if k.arg == keyword), None)


def _pins_node(
    call: ast.Call, scopes: dict[ast.AST, list[ast.AST]], where: str
) -> ast.expr | ast.keyword:
    """What the pins are spelt with: the dict of ``hashes=`` (perhaps assigned to a name),
    else the ``hash=`` keyword or positional hash, to be replaced by ``hashes=``."""
    hashes = next((k for k in call.keywords if k.arg == "hashes"), None)
    if hashes is not None:
        value = _resolve(hashes.value, scopes, call)
        if not isinstance(value, ast.Dict):
            raise UsageError(f"{where}: hashes= must be a dict literal, or a name assigned one")
        return value
    single = next((k for k in call.keywords if k.arg == "hash"), None)
    if single is None and len(call.args) > 2:
        return call.args[2]
    if single is not None and not isinstance(single.value, ast.Constant):
        raise UsageError(f"{where}: write the pins as hashes={{}} (a name's hash= is not read)")
    if single is None:
        raise UsageError(f"{where}: add hashes={{}} to the call; this fills it in")
    return single


def _tags(
    call: ast.Call, scopes: dict[ast.AST, list[ast.AST]], where: str
) -> tuple[str, ...] | None:
    """The strings of the call's ``tags=`` (a tuple or list literal, perhaps assigned to a
    name), or None when the call leaves the choice to the interpreter."""
    given = next((k.value for k in call.keywords if k.arg == "tags"), None)
    if given is None:
        return None
    value = _resolve(given, scopes, call)
    items = value.elts if isinstance(value, ast.Tuple | ast.List) else None
    if items is None or not all(
        isinstance(e, ast.Constant) and isinstance(e.value, str) for e in items
    ):
        raise UsageError(f"{where}: tags= must be a tuple of strings, or a name assigned one")
    return tuple(str(e.value) for e in items if isinstance(e, ast.Constant))


def _literal(
    node: ast.expr | None, scopes: dict[ast.AST, list[ast.AST]], call: ast.Call, what: str
) -> ast.Constant:
    """The string literal `node` is, or that the name `node` is assigned in its scope."""
    value = _resolve(node, scopes, call) if node is not None else None
    if not (isinstance(value, ast.Constant) and isinstance(value.value, str)):
        raise UsageError(f"{what} must be a string, or a name assigned one in the recipe")
    return value


def _resolve(node: ast.expr, scopes: dict[ast.AST, list[ast.AST]], call: ast.Call) -> ast.expr:
    """`node`, or for a name the value of its one plain assignment (``x = ...``) in the
    function around `call`, else at the module's top level."""
    if not isinstance(node, ast.Name):
        return node
    for scope in scopes.get(call, []):
        body = scope.body if isinstance(scope, ast.Module | ast.FunctionDef) else []
        for statement in body:
            if (
                isinstance(statement, ast.Assign)
                and len(statement.targets) == 1
                and isinstance(statement.targets[0], ast.Name)
                and statement.targets[0].id == node.id
            ):
                return statement.value
    return node


def _scopes(tree: ast.Module) -> dict[ast.AST, list[ast.AST]]:
    """For each call, the functions around it (innermost first), then the module."""
    found: dict[ast.AST, list[ast.AST]] = {}

    def visit(node: ast.AST, around: list[ast.AST]) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Call):
                found[child] = around
            inner = [child, *around] if isinstance(child, ast.FunctionDef) else around
            visit(child, inner)

    visit(tree, [tree])
    return found


def _written_pins(node: ast.expr | ast.keyword) -> dict[str, str] | None:
    """The pins as the recipe writes them, hashes as SRI (a single hash under the name ""),
    or None where they are not all literal, valid hashes (an empty one, to be filled in)."""
    if isinstance(node, ast.Dict):
        pairs = list(zip(node.keys, node.values, strict=True))
    else:
        pairs = [(None, node.value if isinstance(node, ast.keyword) else node)]
    written = {}
    for key, value in pairs:
        name = key.value if isinstance(key, ast.Constant) else "" if key is None else None
        if not (isinstance(name, str) and isinstance(value, ast.Constant)):
            return None
        try:
            written[name] = parse_hash(str(value.value)).sri
        except InvalidHash:
            return None
    return written


def _as_written(node: ast.expr | ast.keyword, pinned: dict[str, str]) -> dict[str, str]:
    """`pinned` as :func:`_written_pins` reads the recipe's spelling: a single ``hash=`` of
    the one file to pin is that file's pin."""
    if isinstance(node, ast.Dict) or len(pinned) != 1:
        return pinned
    return {"": next(iter(pinned.values()))}


# -- writing it ------------------------------------------------------------------------------


def _pins_edit(
    source: str, node: ast.expr | ast.keyword, pinned: dict[str, str], indent: str | None
) -> _Edit:
    """The pins written in place of `node`: a dict literal becomes the new dict; a ``hash=``
    keyword (or positional hash) becomes ``hashes={...}``. The dict is indented from `indent`
    (its argument's, once on a line of its own), by default from the line `node` starts on."""
    start, end = _span(source, node)
    body = _dict_text(pinned, _indent(source, start) if indent is None else indent)
    return _Edit(start, end, body if isinstance(node, ast.Dict) else f"hashes={body}")


def _one_per_line(source: str, call: _Call) -> list[_Edit] | None:
    """The edits that put each argument of a call whose pins it spells on a line of its own,
    with a trailing comma and the closing parenthesis on the next line: the layout ``ruff
    format`` gives a call once its pins dict spans lines (a call written on one line would be
    rewrapped). None where the pins are elsewhere (a name's dict), or a comment between two
    arguments would be lost; no edit where the arguments are so laid out already."""
    node = call.node
    given: list[ast.expr | ast.keyword] = [*node.args, *node.keywords]
    arguments = sorted(given, key=lambda a: (a.lineno, a.col_offset))
    inside = [a for a in arguments if call.pins is a or getattr(a, "value", None) is call.pins]
    if not inside:
        return None
    opening, closing = _open_paren(source, node), _span(source, node)[1] - 1
    spans = [_span(source, a) for a in arguments]
    starts, ends = [s for s, _ in spans], [e for _, e in spans]
    gaps = list(zip([opening + 1, *ends], [*starts, closing], strict=True))
    indent = _indent(source, opening)
    wanted = ["\n" + indent + "    ", *[",\n" + indent + "    "] * (len(gaps) - 2), ",\n" + indent]
    if any(source[start:end].strip().strip(",").strip() for start, end in gaps):
        return None  # a comment: keep the call as written
    return [
        _Edit(start, end, text)
        for (start, end), text in zip(gaps, wanted, strict=True)
        if source[start:end] != text
    ]


def _open_paren(source: str, call: ast.Call) -> int:
    """The offset of `call`'s opening parenthesis (after its function's name)."""
    return source.index("(", _span(source, call.func)[1])


def _dict_text(pinned: dict[str, str], indent: str) -> str:
    """``{"file": "hash", ...}`` one entry a line, as ``ruff format`` lays it out; an entry
    too long for a line has its hash in parentheses on the next."""
    lines = ["{"]
    inner = indent + "    "
    for name, sri in sorted(pinned.items()):
        line = f"{inner}{_quote(name)}: {_quote(sri)},"
        if len(line) > _LINE_LENGTH:
            line = f"{inner}{_quote(name)}: (\n{inner}    {_quote(sri)}\n{inner}),"
        lines.append(line)
    return "\n".join([*lines, indent + "}"]) if pinned else "{}"


def _quote(text: str) -> str:
    """A double-quoted string literal (file names and hashes have no quotes or escapes)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _span(source: str, node: ast.expr | ast.keyword) -> tuple[int, int]:
    """`node`'s text as character offsets into `source` (ast counts columns in bytes)."""
    lines = source.splitlines(keepends=True)

    def offset(lineno: int, col: int) -> int:
        before = sum(len(line) for line in lines[: lineno - 1])
        return before + len(lines[lineno - 1].encode()[:col].decode())

    end_lineno, end_col = node.end_lineno, node.end_col_offset
    assert end_lineno is not None and end_col is not None  # parsed nodes have positions
    return offset(node.lineno, node.col_offset), offset(end_lineno, end_col)


def _indent(source: str, offset: int) -> str:
    """The leading white space of the line `offset` is on."""
    line = source[source.rfind("\n", 0, offset) + 1 :]
    return line[: len(line) - len(line.lstrip(" \t"))]


def _apply(source: str, edits: list[_Edit]) -> str:
    # From the end, and at one offset the replacement before the insertion: offsets hold.
    for edit in sorted(edits, key=lambda e: (e.start, e.end), reverse=True):
        source = source[: edit.start] + edit.text + source[edit.end :]
    return source
