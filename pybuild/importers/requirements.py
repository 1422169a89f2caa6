"""pip's requirements files: read them as pip does, write them back with their hashes.

Supported: PEP 508 requirements with extras and markers, ``--hash=ALGO:HEX`` (repeatable, on
the requirement's own logical line), comments, ``\\`` line continuations, ``-r``/``--requirement``
and ``-c``/``--constraint`` (relative to the including file), and the index options
``-i``/``--index-url`` and ``--extra-index-url``. ``--no-index`` is kept, for writing the
file back, but recipes come from an index all the same: it is a warning at its line (pip
would install from ``--find-links`` folders only, which are refused). ``--require-hashes`` is
honoured as pip honours it, and so is pip's hash-checking mode that one ``--hash`` turns on
without it: every requirement must then be pinned with ``==`` and carry a ``--hash``, or
the file is refused (and :func:`pybuild.generate.import_file` refuses a
dependency the file gives no hash for). The options that steer only pip's installer
(``--pre``, ``--prefer-binary``, ``--only-binary``, ``--no-binary``, ``--trusted-host``,
``--no-build-isolation``, ``--use-feature``) are kept, for writing the file back, but pybuild
decides those things its own way: each is a warning (:attr:`RequirementsFile.warnings`, with
its file and line) saying what pybuild does instead. ``${NAME}`` is expanded from the
environment, as pip and uv expand it (one that is not set is an error at its line). Editable,
direct-URL and VCS requirements cannot become pinned index recipes and are refused, and so is
a constraint with extras, as pip refuses it; anything else malformed is an
:class:`~pybuild.importers.errors.ImportFileError` with its file and line.

Example::

    >>> spec = parse_requirements_text("requests[socks]==2.32.3 --hash=sha256:ab12\\n")
    >>> spec.requirements[0].name, spec.requirements[0].hashes
    ('requests', ('sha256:ab12',))
"""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from .errors import ImportFileError, read_import_file

__all__ = [
    "RequirementLine",
    "RequirementsFile",
    "format_requirements",
    "parse_requirements",
    "parse_requirements_text",
]

# Global options that steer only pip's installer: kept (for writing the file back), and
# warned of, each with what pybuild does instead.
_WHY_IGNORED = {
    "--pre": (
        "a pre-release is taken only where a requirement's own specifier names one"
        " (NAME>=2.0b1, NAME==2.0rc1), or no final release fits it; write it so"
    ),
    "--prefer-binary": (
        "pybuild chooses each project's file itself: a pure project is built from its sdist"
        " when it can be built here, a project with compiled wheels comes from the wheel for"
        ' the set\'s interpreter; the setting prefer = "wheel" (PYBUILD_PREFER=wheel) takes'
        " every project's wheel where it has one"
    ),
    "--only-binary": (
        "pybuild chooses each project's file itself: a pure project is built from its sdist"
        " when it can be built here (as nixpkgs builds from source), else it comes from its"
        ' wheel; the setting prefer = "wheel" (PYBUILD_PREFER=wheel) takes every project\'s'
        " wheel where it has one"
    ),
    "--no-binary": (
        "pybuild chooses each project's file itself: a project with compiled wheels comes"
        ' from its wheel; the setting prefer = "sdist" (PYBUILD_PREFER=sdist) makes a pure'
        " project whose sdist cannot be built here an error rather than its wheel"
    ),
    "--trusted-host": "pybuild always verifies an https index's certificate",
    "--no-build-isolation": "every build runs isolated, with only the inputs its recipe names",
    "--use-feature": "pip's features are pip's own",
}
_IGNORED_FLAGS = {"--pre", "--prefer-binary", "--no-build-isolation"}
_IGNORED_WITH_VALUE = {"--only-binary", "--no-binary", "--trusted-host", "--use-feature"}
_HASH_ALGORITHMS = {"sha256", "sha384", "sha512"}
_VARIABLE = re.compile(r"\$\{([A-Z0-9_]+)\}")
# A URL or a VCS reference where the line should name a project: git+https://…, file:///…
_URL = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


@dataclass(frozen=True)
class RequirementLine:
    """One requirement, its ``--hash`` values (``algo:hex``), and where it was written."""

    requirement: Requirement
    hashes: tuple[str, ...] = ()
    path: str = ""
    line: int = 0

    @property
    def name(self) -> str:
        return str(canonicalize_name(self.requirement.name))

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path or "the request"

    def sha256(self) -> set[str]:
        """The sha256 hashes given, as lowercase hex."""
        return {h.split(":", 1)[1].lower() for h in self.hashes if h.startswith("sha256:")}

    def __eq__(self, other: object) -> bool:  # Requirement compares by text since packaging 22
        if not isinstance(other, RequirementLine):
            return NotImplemented
        return (str(self.requirement), self.hashes) == (str(other.requirement), other.hashes)

    def __hash__(self) -> int:
        return hash((str(self.requirement), self.hashes))


@dataclass
class RequirementsFile:
    """What a requirements file (with the files it includes) asks for."""

    requirements: list[RequirementLine] = field(default_factory=list)
    constraints: list[RequirementLine] = field(default_factory=list)
    index_url: str | None = None
    extra_index_urls: list[str] = field(default_factory=list)
    # Each index URL the file gives -> the option and its FILE:LINE, for an error to name.
    index_lines: dict[str, tuple[str, str]] = field(default_factory=dict)
    no_index: bool = False
    options: list[str] = field(default_factory=list)
    # Where ``--require-hashes`` was given (FILE:LINE), or "" when it was not.
    require_hashes: str = ""
    # What was read but changes nothing here, each with its FILE:LINE, for the user to hear.
    warnings: list[str] = field(default_factory=list)
    # A pyproject.toml's own ``requires-python``, and its line (see .pyproject).
    requires_python: str | None = None
    requires_python_line: int = 0

    def index_urls(self) -> list[str] | None:
        """The indexes the file names, or None to use pip's configuration."""
        if self.index_url is None and not self.extra_index_urls:
            return None
        from ..index import index_urls

        main = self.index_url or index_urls()[0]
        return [main, *self.extra_index_urls]


def parse_requirements(path: str | Path) -> RequirementsFile:
    """Read a requirements file and the files it includes with ``-r`` and ``-c``."""
    result = RequirementsFile()
    _parse_file(Path(path), result, constraint=False, seen=())
    _check_hashes(result)
    return result


def parse_requirements_text(text: str, path: str = "<requirements>") -> RequirementsFile:
    """Read requirements from text (``-r`` and ``-c`` are relative to the current folder)."""
    result = RequirementsFile()
    _parse_lines(text, Path(path), result, constraint=False, seen=(Path(path),))
    _check_hashes(result)
    return result


def _check_hashes(spec: RequirementsFile) -> None:
    """pip's hash-checking mode: on with ``--require-hashes``, or, as pip turns it on, when
    any requirement or constraint has a ``--hash`` (a file half hashed would otherwise install
    its other lines unchecked). Every requirement is then pinned to one release (``==`` or
    ``===``, no wildcard) and carries a ``--hash``; the first that is not is an error at its
    line, naming the others as pip lists them. Constraints need neither, as in pip."""
    undo = ""
    if not spec.require_hashes:
        hashed = next((e for e in (*spec.requirements, *spec.constraints) if e.hashes), None)
        if hashed is None:
            return
        spec.require_hashes = f"turned on by the --hash at {hashed.where}"
        undo = f"; or take the --hash off {hashed.where} if its line is not to be checked"
    mode = f"--require-hashes ({spec.require_hashes}) asks of every requirement, as in pip"
    faults = (
        (
            [e for e in spec.requirements if not _pinned(e)],
            "is",
            "not pinned with ==",
            f"pin each to one release (NAME==VERSION --hash=sha256:...){undo}",
        ),
        (
            [e for e in spec.requirements if _pinned(e) and not e.hashes],
            "has",
            "no --hash",
            "add each one's file hash (--hash=sha256:...), as pip-compile --generate-hashes or"
            f" uv pip compile --generate-hashes write it{undo}",
        ),
    )
    for entries, verb, fault, hint in faults:
        if entries:
            subject, agreeing = _listed(entries, verb)
            where = entries[0]
            raise ImportFileError(
                where.path, where.line, f"{subject} {agreeing} {fault}, which {mode}", hint
            )


def _pinned(entry: RequirementLine) -> bool:
    """Pinned to one release, as hash-checking asks: ``==`` or ``===``, not a wildcard."""
    return any(
        s.operator in ("==", "===") and not s.version.endswith(".*")
        for s in entry.requirement.specifier
    )


def _listed(entries: list[RequirementLine], verb: str) -> tuple[str, str]:
    """The first of `entries` and where the others are (the first's line is the error's own),
    with `verb` ("is", "has") in agreement: all are named, as pip names them."""
    first, others = entries[0].requirement, entries[1:]
    if not others:
        return str(first), verb
    rest = ", ".join(f"{e.requirement} at {e.where}" for e in others)
    return f"{first} (and {rest})", {"is": "are", "has": "have"}[verb]


def _parse_file(
    path: Path, out: RequirementsFile, constraint: bool, seen: tuple[Path, ...]
) -> None:
    text = read_import_file(path)
    _parse_lines(text, path, out, constraint, (*seen, path.resolve()))


def _logical_lines(text: str) -> Iterator[tuple[int, str]]:
    """(first line number, text) of each logical line: continuations joined, comments gone."""
    start = 0
    parts: list[str] = []
    for number, raw in enumerate(text.splitlines(), 1):
        if not parts:
            start = number
        line = _strip_comment(raw)
        if line.endswith("\\"):
            parts.append(line[:-1])
            continue
        parts.append(line)
        joined = " ".join(p.strip() for p in parts).strip()
        parts = []
        if joined:
            yield start, joined
    if parts and (joined := " ".join(p.strip() for p in parts).strip()):
        yield start, joined


def _strip_comment(line: str) -> str:
    """pip's rule: ``#`` starts a comment at the line's start or after whitespace."""
    for i, char in enumerate(line):
        if char == "#" and (i == 0 or line[i - 1].isspace()):
            return line[:i].rstrip()
    return line.rstrip()


def _parse_lines(
    text: str, path: Path, out: RequirementsFile, constraint: bool, seen: tuple[Path, ...]
) -> None:
    for number, written in _logical_lines(text):
        line = _expand_variables(written, path, number)
        if line.startswith("-"):
            _option(line, path, number, out, seen)
            continue
        entry = _requirement_line(line, path, number)
        if constraint and entry.requirement.extras:
            raise ImportFileError(
                path,
                number,
                f"{entry.requirement}: a constraint cannot have extras, as in pip",
                f"constrain the project alone ({entry.requirement.name}"
                f"{entry.requirement.specifier}) and ask for its extras in the requirements",
            )
        (out.constraints if constraint else out.requirements).append(entry)


def _expand_variables(line: str, path: Path, number: int) -> str:
    """``${NAME}`` replaced by the environment variable, as pip and uv expand it (only that
    form, and NAME of capitals, digits and ``_``, as pip reads it: a ``$`` of a password
    stays). One that is not set is an error at its line, where pip leaves it in the text to
    fail later as a malformed requirement or an index that cannot be reached."""

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in os.environ:
            raise ImportFileError(
                path,
                number,
                f"${{{name}}} is not set in the environment",
                f"set {name} (pip and uv expand ${{{name}}} from the environment too)",
            )
        return os.environ[name]

    return _VARIABLE.sub(value, line)


def _option(
    line: str, path: Path, number: int, out: RequirementsFile, seen: tuple[Path, ...]
) -> None:
    words = _split(line, path, number)
    option, value = words[0], None
    if "=" in option and option.startswith("--"):
        option, value = option.split("=", 1)
    elif len(words) > 1:
        value = " ".join(words[1:])
    elif len(option) > 2 and option[1] != "-" and option[:2] in ("-r", "-c", "-i", "-e", "-f"):
        option, value = option[:2], option[2:]

    def need() -> str:
        if not value:
            raise ImportFileError(path, number, f"{option} needs a value")
        return value

    if option in ("-r", "--requirement", "-c", "--constraint"):
        # Named as the including file is (relative stays relative), so that the lines an
        # error names from both read alike; resolved to tell a cycle.
        target = path.parent / need()
        if target.resolve() in seen:
            raise ImportFileError(path, number, f"{value} includes itself (a -r/-c cycle)")
        is_constraint = option in ("-c", "--constraint")
        if not target.is_file():  # said at the line that names it, not as a bare path
            raise ImportFileError(path, number, f"{option} {value}: no such file ({target})")
        _parse_file(target, out, constraint=is_constraint, seen=seen)
    elif option in ("-i", "--index-url"):
        out.index_url = need()
        out.index_lines[out.index_url] = (option, f"{path}:{number}")
    elif option == "--extra-index-url":
        out.extra_index_urls.append(need())
        out.index_lines[need()] = (option, f"{path}:{number}")
    elif option == "--no-index" and value is None:
        out.no_index = True
        out.warnings.append(
            f"{path}:{number}: --no-index is a pip option pybuild ignores: recipes come from"
            " the index all the same, the file's -i/--extra-index-url or else pip's"
            " configuration (PIP_INDEX_URL, PIP_EXTRA_INDEX_URL, pip.conf); pip would install"
            " from --find-links folders only, which recipes cannot take"
        )
    elif option in ("-e", "--editable"):
        raise ImportFileError(
            path,
            number,
            "editable requirements (-e) cannot be imported",
            "import the project's own pyproject.toml instead, or list it by name and version",
        )
    elif option in ("-f", "--find-links"):
        raise ImportFileError(
            path,
            number,
            "--find-links is not supported: recipes come from a package index",
            "publish the files on an index and name it with --extra-index-url",
        )
    elif option == "--require-hashes" and value is None:
        out.options.append(option)
        out.require_hashes = out.require_hashes or f"{path}:{number}"
    elif option in _IGNORED_FLAGS and value is None:
        out.options.append(option)
        out.warnings.append(_ignored(path, number, option))
    elif option in _IGNORED_WITH_VALUE:
        out.options.append(f"{option}={need()}")
        if value != ":none:":  # --only-binary :none: undoes an earlier one: nothing to warn of
            out.warnings.append(_ignored(path, number, f"{option} {value}", option))
    else:
        raise ImportFileError(path, number, f"unknown option {option!r}")


def _ignored(path: Path, number: int, written: str, option: str = "") -> str:
    why = _WHY_IGNORED[option or written]
    return f"{path}:{number}: {written} is a pip installer option pybuild ignores: {why}"


def _split(line: str, path: Path, number: int) -> list[str]:
    try:
        return shlex.split(line)
    except ValueError as exc:
        raise ImportFileError(path, number, f"cannot split the line: {exc}") from None


def _requirement_line(line: str, path: Path, number: int) -> RequirementLine:
    """A requirement with its per-requirement options (only ``--hash`` is allowed)."""
    text, hashes = line, []
    if " --" in f" {line}":
        head, _, rest = f" {line}".partition(" --")
        text = head.strip()
        for word in _split("--" + rest, path, number):
            option, _, value = word.partition("=")
            if option != "--hash":
                raise ImportFileError(path, number, f"unsupported per-requirement option {word!r}")
            algo, _, digest = value.partition(":")
            algo = algo.lower()
            if algo not in _HASH_ALGORITHMS or not _is_hex(digest):
                raise ImportFileError(
                    path, number, f"bad --hash {value!r}: write --hash=sha256:<hex digest>"
                )
            hashes.append(f"{algo}:{digest.lower()}")
    if text.startswith((".", "/")) or _URL.match(text):
        raise ImportFileError(
            path,
            number,
            f"{text!r} is a path or URL, not a requirement on the index",
            "name the project (and version) instead",
        )
    try:
        requirement = Requirement(text)
    except InvalidRequirement as exc:
        raise ImportFileError(path, number, f"invalid requirement {text!r}: {exc}") from None
    if requirement.url:
        raise ImportFileError(
            path,
            number,
            f"{requirement.name} is a direct reference ({requirement.url}),"
            " which cannot become a recipe from the index",
            "name a released version instead (NAME==VERSION)",
        )
    return RequirementLine(requirement, tuple(hashes), str(path), number)


def _is_hex(text: str) -> bool:
    try:
        bytes.fromhex(text)
    except ValueError:
        return False
    return bool(text)


def format_requirements(spec: RequirementsFile) -> str:
    """A requirements file for `spec`: index options, then each requirement with its hashes.

    Constraints are written inline as they are read back only through ``-c``, so a spec with
    constraints is refused here (write them to their own file).
    """
    if spec.constraints:
        from ..errors import UsageError

        raise UsageError("constraints belong in their own file (-c FILE); write them separately")
    lines = []
    if spec.index_url:
        lines.append(f"--index-url {spec.index_url}")
    lines += [f"--extra-index-url {url}" for url in spec.extra_index_urls]
    if spec.no_index:
        lines.append("--no-index")
    lines += [
        o.replace("=", " ", 1) if o.startswith("--") and "=" in o else o for o in spec.options
    ]
    for entry in spec.requirements:
        text = str(entry.requirement)
        if entry.hashes:
            text += " \\\n" + " \\\n".join(f"    --hash={h}" for h in entry.hashes)
        lines.append(text)
    return "\n".join(lines) + "\n" if lines else ""
