"""One exception hierarchy for everything pybuild reports to a user.

Every error a user can act on derives from :class:`PybuildError`; the command line prints its
message (and hint) without a traceback and exits non-zero. Each class carries the object at
fault so callers and tests can inspect it, not just parse the text.
"""

from __future__ import annotations

TYPE_CHECKING = False  # typing's, and collections.abc's: the fast path raises these too
if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping, Sequence

__all__ = [
    "BadArgument",
    "BuildError",
    "CannotRunBuilder",
    "CycleError",
    "DerivationError",
    "HashError",
    "HashMismatch",
    "InvalidHash",
    "InvalidName",
    "InvalidPath",
    "MissingArgument",
    "MissingAttribute",
    "MissingInput",
    "MissingKey",
    "NoPinnedWheel",
    "OutOfSpace",
    "OutputFailed",
    "PathNotValid",
    "PybuildError",
    "RegistryDamaged",
    "RegistryError",
    "RegistryFull",
    "RegistryLost",
    "SettingsError",
    "StoreError",
    "UnknownName",
    "UnsupportedInterpreter",
    "UsageError",
    "did_you_mean",
    "in_a_list",
    "shown",
    "unexpected_arguments",
    "wrong_type",
]


class PybuildError(Exception):
    """Base of every error pybuild raises on purpose; `hint` says what to do about it.

    `of_the_recipe`: whether the recipe (or user code) running when it was raised is a place
    to look; the command line then names its file and line. False for the errors whose cause
    is elsewhere (the store's registry), where that line would send the user the wrong way.

    `failed_drv`: the ``.drv`` (its store name) whose build (or copy) failed with this error,
    when that failure stopped :func:`~pybuild.realiser.realise` (no keep_going): what a
    report of the targets tells apart from those the stop left unbuilt.
    """

    hint: str = ""
    of_the_recipe: bool = True
    failed_drv: str = ""

    def __str__(self) -> str:
        text = super().__str__()
        return f"{text}\n  hint: {self.hint}" if self.hint else text

    def __reduce__(self) -> tuple[object, ...]:
        """Pickled as it is, whatever its class's ``__init__`` takes: an exception is pickled
        as its class called with its ``args``, the message alone here, which an error made of
        several arguments refuses (``BuildError(name, reason)``), so a failed build's result
        sent back from another process (multiprocessing) could not be read, and its pool
        waited for ever."""
        # An AttributeError's name is held by the exception itself, not in its __dict__
        members = {"name": self.name} if isinstance(self, AttributeError) else {}
        return (_restored, (type(self), self.args, self.__dict__, members))


def _restored(
    cls: type[PybuildError],
    args: tuple[object, ...],
    state: dict[str, object],
    members: dict[str, object],
) -> PybuildError:
    """An error `cls` with `args`, the attributes of `state` and the exception's own
    `members`, its ``__init__`` not run."""
    error = cls.__new__(cls, *args)
    error.args = args
    error.__dict__.update(state)
    for name, value in members.items():
        setattr(error, name, value)
    return error


class UsageError(PybuildError):
    """The command line or an API call was given arguments that do not fit."""


class MissingArgument(UsageError):
    """The command line lacks an argument the command needs, found by pybuild's own check
    where argparse cannot tell it (``build`` takes ATTR… or ``--all``; ``shell`` takes
    ``-p`` or a ``shell.py``): the command line exits 2 for it, as for argparse's own."""


class BadArgument(UsageError):
    """A word of the command line that cannot be read: a malformed ``pypi:`` requirement,
    an attribute path with an empty name, a requirement where an attribute goes. The command
    line exits 2 for it, as for argparse's own (``-j abc``); 1 is for what was read and then
    failed to evaluate or build."""

    @classmethod
    def of(cls, error: UsageError) -> BadArgument:
        """`error`, told the same, as a word that cannot be read."""
        bad = cls(*error.args)
        bad.hint = error.hint
        return bad


class SettingsError(PybuildError):
    """A setting has an unknown name or a value of the wrong type."""


class HashError(PybuildError):
    """Base of hashing problems."""


class InvalidHash(HashError):
    """A string is not a hash in any form we read (hex, Nix base-32, SRI)."""

    def __init__(self, text: str, reason: str) -> None:
        self.text = text
        super().__init__(f"invalid hash {text!r}: {reason}")


class HashMismatch(HashError):
    """Content does not have the hash it was declared with.

    The message shows both hashes in SRI form so the actual one can be pasted into the recipe,
    as with Nix's habit of building once with an empty hash.
    """

    def __init__(self, what: str, expected: str, actual: str, argument: str = "hash") -> None:
        """`argument`: the recipe's argument that gave the hash (a fetch's ``hash``, a
        derivation's ``output_hash``), which the hint says to change."""
        self.what, self.expected, self.actual = what, expected, actual
        super().__init__(
            f"hash mismatch in {what}:\n  expected: {_as_sri(expected) or '(none given)'}\n"
            f"  actual:   {actual}"
        )
        self.hint = f"if the content is right, use {argument}={actual!r}"


def _as_sri(given: str) -> str:
    """A hash as given (hex, base-32, ``sha256:hex``), shown in the SRI form the actual one
    is shown in, so that the two compare by eye; as given when it is no hash."""
    from .hashing import parse_hash

    try:
        return parse_hash(given).sri if given else given
    except PybuildError:
        return given


class StoreError(PybuildError):
    """Base of store problems."""


class InvalidName(StoreError):
    """A store path name has characters Nix-style store names do not allow."""

    def __init__(self, name: str, reason: str) -> None:
        self.name = name
        super().__init__(f"invalid store path name {name!r}: {reason}")


class InvalidPath(StoreError):
    """A path given as a store path is not inside the store, or is not shaped like one."""

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        super().__init__(f"{path}: {reason}")


class PathNotValid(StoreError):
    """A store path is not registered (absent, half-built or deleted)."""

    def __init__(self, path: str) -> None:
        self.path = path
        super().__init__(f"{path} is not a valid path in the store")
        self.hint = "build or add it first (pybuild build / pybuild add)"


class RegistryError(StoreError):
    """The store's registry (``var/db.sqlite``) cannot be read or written.

    Every failure of SQLite becomes this one error, naming the file, rather than a traceback;
    the hint says what to do for that failure (free space, wait, restore or recover).
    """

    of_the_recipe = False  # the store's state: the recipe that was evaluating is not it

    def __init__(self, path: str, detail: str, hint: str) -> None:
        self.path, self.detail = path, detail
        super().__init__(f"the store's registry {path} {detail}")
        self.hint = hint


class RegistryFull(RegistryError):
    """The filesystem that holds the registry has no room for what SQLite had to write.

    The file is whole: the command could not run, and runs once space is freed.
    """


class RegistryDamaged(RegistryError):
    """The registry's file is not a whole SQLite database: what it says cannot be trusted."""


class RegistryLost(RegistryDamaged):
    """The store holds paths but its registry is missing or empty.

    Opened as new, it would make every path look unused: a collection would delete them all.
    """


class OutOfSpace(PybuildError):
    """A write found no room (ENOSPC, EDQUOT): its filesystem is full, or the quota used up.

    Not the fault of the recipe that was evaluating, whose line would send the user the wrong
    way (the write was pybuild's own, under it): the command runs once space is freed.
    """

    of_the_recipe = False

    def __init__(self, path: str | None, detail: str, hint: str) -> None:
        self.path = path
        super().__init__(f"cannot write {path}: {detail}" if path else f"a write failed: {detail}")
        self.hint = hint


class OutputFailed(PybuildError):
    """Standard output cannot take the command's results: it was closed before pybuild
    started (``>&-``), or its file is full (``>/dev/full``) or gone.

    Told as standard output's, never as the home's or a recipe's: a write that found no room
    would otherwise send the user to free space on the wrong filesystem. (A reader that has
    gone, ``| head``, is no error: :mod:`pybuild.brokenpipe`.)
    """

    of_the_recipe = False

    def __init__(self, target: str | None, detail: str, closed: bool) -> None:
        self.target = target
        where = f" ({target})" if target else ""
        super().__init__(f"cannot write the results to standard output{where}: {detail}")
        self.hint = (
            "standard output was closed: give the command somewhere to write, such as"
            " >/dev/null to drop what it prints"
            if closed
            else ""
        )


class DerivationError(PybuildError):
    """A derivation is malformed, or a .drv file is corrupt or was edited by hand."""


class CycleError(DerivationError):
    """A dependency cycle; `chain` names every member, first one repeated at the end."""

    def __init__(self, chain: Sequence[str]) -> None:
        self.chain = list(chain)
        self.overlay = ""  # file:line of the overlay's value that closes it, if one does
        super().__init__("dependency cycle: " + " -> ".join(self.chain))

    def closed_by_overlay(self, name: str, where: str, hint: str) -> None:
        """Say that an overlay's value of `name`, written at `where`, closes the cycle: the
        innermost such value, as the error leaves the attributes being evaluated."""
        members = {m.replace("-", "_").replace(".", "_").lower() for m in self.chain}
        if self.overlay or name.lower() not in members:  # the chain's are project names
            return
        self.overlay = where
        self.args = (f"{self.args[0]} (the overlay's value of {name} at {where})",)
        self.hint = hint


class BuildError(PybuildError):
    """A builder failed; the message holds the end of its log and the log's path."""

    def __init__(self, name: str, reason: str, log_path: str = "", tail: str = "") -> None:
        self.name, self.reason, self.log_path, self.tail = name, reason, log_path, tail
        text = f"build of {name} failed: {reason}"
        if tail:
            text += "\n  last lines of the log:\n" + "\n".join(
                "    " + line for line in tail.splitlines()
            )
        if log_path:
            text += f"\n  full log: {log_path}"
        super().__init__(text)


class CannotRunBuilder(BuildError):
    """The builder could not be started at all (a program missing or not executable here):
    the build never ran, so the machine, not the derivation, may be at fault, and a remote
    builder's failure of this kind sends the build to another machine."""

    def __init__(self, name: str, builder: str, why: str) -> None:
        self.builder = builder
        super().__init__(name, f"cannot run builder {builder}: {why}")


class UnknownName(PybuildError):
    """A name looked up where it is not defined; suggests the closest names that are. Two
    kinds, one message: :class:`MissingAttribute` and :class:`MissingInput`."""

    name: str | None  # typed as AttributeError's, which MissingAttribute is too

    def __init__(self, name: str, where: str, known: Iterable[str]) -> None:
        self.where = where
        self.suggestions = _close_names(name, list(known))
        super().__init__(f"{where} has no attribute {name!r}{_suggested(self.suggestions)}")
        self.name = name  # after AttributeError's __init__ (a subclass's), which sets None


class MissingAttribute(UnknownName, AttributeError):
    """An attribute is not defined: an AttributeError, so ``hasattr`` says False."""


class MissingInput(UnknownName):
    """A name a set's attribute needs that the set lacks (a recipe's parameter, an overlay's
    ``final.x``). No AttributeError: the attribute being evaluated exists, and
    ``hasattr(pkgs, "x")`` or ``getattr(pkgs, "x", default)`` would take its failure for the
    attribute being absent."""


class MissingKey(PybuildError, KeyError):
    """A key missing from a mapping pybuild gives to a user's function (an override's old
    values), or a name a package set lacks looked up as a key (``pkgs["sixx"]``); suggests
    the closest keys it has. A KeyError still, for code that catches one."""

    def __init__(self, key: object, where: str, known: Iterable[str]) -> None:
        # A key of another type (``pkgs[3]``) is missing as a dict's would be: no name is close.
        self.suggestions = _close_names(key, list(known)) if isinstance(key, str) else []
        super().__init__(f"no {key!r} in {where}{_suggested(self.suggestions)}")

    def __str__(self) -> str:  # the text, not KeyError's repr of it
        return str(self.args[0])


def _close_names(name: str, known: list[str]) -> list[str]:
    """The names of `known` close to `name`, compared as package names are (PEP 503: case,
    ``-``, ``_`` and ``.`` aside), so ``PyYAML`` finds ``pyyaml``; the same name so
    compared is the only answer."""

    def fold(text: str) -> str:
        return text.lower().replace("-", "_").replace(".", "_")

    folded = {fold(k): k for k in known}
    if fold(name) in folded:
        return [folded[fold(name)]]
    import difflib  # only an error pays for it

    return [folded[m] for m in difflib.get_close_matches(fold(name), list(folded), n=3, cutoff=0.6)]


def _suggested(names: Sequence[str]) -> str:
    return "; did you mean " + ", ".join(repr(n) for n in names) + "?" if names else ""


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """``; did you mean 'args'?`` for a misspelt `name` among `known` (an argument, an
    attribute, a phase), as every message of pybuild that names a close name says it; "" when
    none is close."""
    return _suggested(_close_names(name, list(known)))


def shown(value: object) -> str:
    """`value` as a message names what it got: its type and (the start of) its repr."""
    text = repr(value)
    return f"{type(value).__name__} {text if len(text) <= 60 else text[:57] + '...'}"


def in_a_list(value: object) -> str:
    """A string given where a list goes (``args="-c echo"``), which Python would iterate
    letter by letter, named with the list it belongs in; "" for anything else."""
    return (
        f"the string {value!r} alone: put it in a list, [{value!r}]"
        if isinstance(value, str)
        else ""
    )


def wrong_type(who: str, name: str, value: object, takes: str, got: str = "") -> UsageError:
    """The error for argument (or attribute) `name` of `who` given `value`, which is not
    `takes`: says all three, as ``who: name must be takes, not got`` (`got` by default the
    value shown, or the list a lone string belongs in where `takes` is a list)."""
    if not got and "a list of" in takes:
        got = in_a_list(value)
    return UsageError(f"{who}: {name} must be {takes}, not {got or shown(value)}")


class NoPinnedWheel(PybuildError):
    """A recipe pins no wheel file for the set's interpreter or platform.

    `interpreter` is the interpreter's most specific tag; `pinned` the files the recipe pins.
    The recipe's attribute is named once the package set knows it (:meth:`name_attribute`), so
    the hint can give the command that pins the missing file; or, for pins of no set's recipe
    (a ``-f`` file's, a script's), the file they are written in (:meth:`written_in`).
    """

    def __init__(self, pname: str, version: str, interpreter: str, pinned: Sequence[str]):
        self.pname, self.version, self.interpreter = pname, version, interpreter
        self.pinned, self.attr, self.file = list(pinned), "", ""
        super().__init__(self._message())
        self.hint = self._hint()

    def _message(self) -> str:
        shown = ", ".join(self.pinned[:4]) or "(none)"
        if len(self.pinned) > 4:
            shown += f", ... ({len(self.pinned)} files)"
        return (
            f"{self.pname} {self.version} has no pinned wheel for {self.interpreter}; "
            f"pinned: {shown}"
        )

    def _hint(self) -> str:
        attr = self.attr or self.file or "ATTR"
        return (
            f"`pybuild update-pins {attr}` pins every file the index has for this release"
            " (the interpreters and platforms it covers); if none fits this interpreter,"
            f" move the recipe to a release that has one: `pybuild update-pins {attr}"
            " --version V`"
        )

    def name_attribute(self, attr: str) -> None:
        """Say which attribute's recipe this is (the innermost one, if several are named), as
        ``update-pins`` takes it: the attribute, or the recipe's or overlay's file."""
        if not self.attr:
            self.attr = attr
            self.hint = self._hint()

    def written_in(self, file: str) -> None:
        """Say which file the pins are written in, as ``update-pins`` takes it: the hint's
        target where no set names the recipe's attribute (:meth:`name_attribute`), as none
        does for a ``-f`` file's, whose attributes update-pins does not know."""
        self.file = file
        self.hint = self._hint()


class UnsupportedInterpreter(PybuildError):
    """A recipe's release cannot exist for the set's interpreter, as nixpkgs' ``disabled`` and
    ``meta.platforms``: its ``Requires-Python`` excludes it, it has no wheel for the
    interpreter on any platform, or none for the interpreter's platform (then `interpreter`
    names the platform, as ``manylinux_x86_64``).

    ``pybuild build --all`` reports such an attribute as *unsupported*, with this reason,
    rather than as a failure; a package that needs it is unsupported too, and the message
    then names both (:meth:`evaluating`).
    """

    def __init__(self, pname: str, version: str, interpreter: str, reason: str) -> None:
        self.pname, self.version = pname, version
        self.interpreter, self.reason = interpreter, reason
        self.pins_checked, self.attr, self.file = False, "", ""
        self.of, self.needed_by = "", ""  # the attribute of the release, and one that needs it
        super().__init__(self._message())
        self.hint = self._hint()

    def _message(self) -> str:
        unsupported = (
            f"{self.pname} {self.version} does not support {self.interpreter}: {self.reason}"
        )
        if not self.needed_by:
            return unsupported
        return f"{self.needed_by} needs {self.of}, and {unsupported}"

    def _hint(self) -> str:
        hint = (
            "take the project you asked for from the index, which resolves releases that"
            " support this interpreter, for it and what it needs (pypi:NAME on the command"
            ' line, pkgs.from_pypi("NAME") in Python); or build it with an interpreter the'
            ' release supports (--python X.Y on the command line, package_set(python="X.Y")'
            " in Python), or give the set another release for this one (an overlay, or a"
            " versioned attribute the recipe returns there, as numpy does with numpy_2_2 on"
            " 3.10)"
        )
        if self.pins_checked:  # what its pins said when checked: the index may have more now
            attr = self.attr or self.file or "ATTR"
            hint += (
                f"; if the index has gained wheels since, `pybuild update-pins {attr}` pins them"
            )
        return hint

    def said_by_pins(self) -> None:
        """Say that whole pins (every file of the release, when checked) are what lack the
        file: the hint gives the command that pins what the index may have gained since."""
        self.pins_checked = True
        self.hint = self._hint()

    def name_attribute(self, attr: str) -> None:
        """Say which attribute's recipe this is, as :meth:`NoPinnedWheel.name_attribute`."""
        if not self.attr:
            self.attr = attr
            self.hint = self._hint()

    def written_in(self, file: str) -> None:
        """Say which file the pins are written in, as :meth:`NoPinnedWheel.written_in`."""
        self.file = file
        self.hint = self._hint()

    def evaluating(self, attr: str) -> None:
        """Name an attribute whose evaluation this error stops, from the inside out: the
        first named is the one whose release this is; one named after it, another, needs it
        (the one asked for, named last), and the message says so, as the user asked for that
        one and may not know the other is among its inputs."""
        if not self.of:
            self.of = attr
        elif attr != self.of:
            self.needed_by = attr
            self.args = (self._message(),)


def unexpected_arguments(
    function: str, names: Iterable[str], known: Iterable[str], meant: Mapping[str, str]
) -> UsageError:
    """The error for keyword arguments a function (of a recipe's API) does not take, as
    Python's TypeError words it, with the close names it does take; `meant` maps a name
    written for another function's argument (``sha256=``, ``hash=``) to this one's."""
    name = sorted(names)[0]
    close = f"; did you mean {meant[name]!r}?" if name in meant else did_you_mean(name, known)
    return UsageError(f"{function}() got an unexpected keyword argument {name!r}{close}")
