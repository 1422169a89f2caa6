"""A profile's generation links, read and switched with the standard library's light modules.

::

    var/profiles/default -> default-3-link -> ../../store/<hash>-python3.11-env
                            default-3.json    (the manifest: what was asked for)

This is what ``rollback`` and ``switch-generation`` need of a profile: which generations it
has, which one is current, the environment a generation recorded and whether its link still
leads there, and the one atomic rename that makes another current. It loads no pathlib,
dataclasses or typing, so that the command line's fast path (:mod:`pybuild.fastpath`) answers
a rollback at the interpreter's pace; :class:`.generations.Profile` reads and switches its
generations through it, so both give the same answers and the same errors.
"""

from __future__ import annotations

import os

from ..atomic import replace_symlink
from ..errors import PybuildError
from ..store.locks import path_locks
from ..writtenjson import top_level_string

TYPE_CHECKING = False  # typing is one of the imports this module exists to avoid
if TYPE_CHECKING:
    from collections.abc import Callable
    from contextlib import AbstractContextManager
    from typing import Any

__all__ = [
    "MANIFEST_FORMAT",
    "GenerationLinks",
    "MissingEnvironment",
    "ProfileError",
    "environment_of",
    "generation_of",
    "is_profile_name",
]

MANIFEST_FORMAT = 1  # the manifest format this pybuild reads and writes

_NAME_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.+")
_WORD_START = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_")


class ProfileError(PybuildError):
    """A profile operation cannot go on; nothing was changed."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint


class MissingEnvironment(ProfileError):
    """A generation's environment is gone from the store folder: deleted by hand, and still
    `registered`, or collected since (then a change can make a new generation of its
    manifest, which records what was asked for)."""

    def __init__(self, message: str, hint: str, *, registered: bool) -> None:
        super().__init__(message, hint)
        self.registered = registered


def environment_of(data: dict[str, Any]) -> str:
    """The environment (store basename) a manifest's JSON records; ValueError for a format
    this pybuild does not read."""
    if data.get("version") != MANIFEST_FORMAT:
        raise ValueError(f"manifest format {data.get('version')!r}, expected {MANIFEST_FORMAT}")
    return str(data["environment"])


def generation_of(link_name: str) -> tuple[str, int] | None:
    """The profile and the generation that a generation link's name ``NAME-N-link`` gives;
    None for any other name (a profile's own link, ``NAME``)."""
    if not link_name.endswith("-link"):
        return None
    stem, dash, digits = link_name.removesuffix("-link").rpartition("-")
    if not dash or not (digits.isascii() and digits.isdecimal()):
        return None
    return stem, int(digits)


class GenerationLinks:
    """The links and manifests of profile `name` in the profiles folder `folder`."""

    def __init__(self, folder: str, name: str) -> None:
        if name.endswith(".json"):
            raise ProfileError(
                f"{name!r} is not a profile name: a name ending in .json would be taken for a"
                " generation's manifest (NAME-N.json)",
                f"drop the .json: --profile {name.removesuffix('.json') or 'NAME'}",
            )
        if not is_profile_name(name):
            raise ProfileError(
                f"{name!r} is not a profile name",
                "use letters, digits, '_', '.' and '+' (not first), with '-' only before a"
                " letter or '_', and no .json at the end",
            )
        self.folder = folder
        self.name = name
        self.link = os.path.join(folder, name)

    def command(self, line: str) -> str:
        """The pybuild command `line` for this profile, quoted for a hint: ``--profile NAME``
        is added unless this is the default profile, so the command, copied, acts on it."""
        where = "" if self.name == "default" else f" --profile {self.name}"
        return f"`pybuild {line}{where}`"

    def link_name(self, number: int) -> str:
        return f"{self.name}-{number}-link"

    def link_path(self, number: int) -> str:
        return os.path.join(self.folder, self.link_name(number))

    def manifest_path(self, number: int) -> str:
        return os.path.join(self.folder, f"{self.name}-{number}.json")

    def numbers(self) -> list[int]:
        """The profile's generations, oldest first: the numbers of its links."""
        if not os.path.isdir(self.folder):
            return []
        found = []
        for entry in os.listdir(self.folder):
            number = self._number_in(entry)
            if number is not None and os.path.islink(os.path.join(self.folder, entry)):
                found.append(number)
        return sorted(found)

    def current_number(self) -> int | None:
        """The generation the profile link points to; None before the first install."""
        if not os.path.lexists(self.link):
            if self.numbers():
                raise self._broken("is missing")
            return None
        if not os.path.islink(self.link):
            raise self._broken("is not a symbolic link")
        target = os.readlink(self.link)
        number = self._number_in(os.path.basename(target))
        parent = os.path.dirname(target)
        local = parent in ("", ".") or os.path.realpath(parent) == os.path.realpath(self.folder)
        if number is None or not local or number not in self.numbers():
            raise self._broken(f"points to {target}, which is not one of its generations")
        return number

    def _number_in(self, link_name: str) -> int | None:
        """N of this profile's generation link's name ``NAME-N-link``; None for any other."""
        found = generation_of(link_name)
        return found[1] if found is not None and found[0] == self.name else None

    def _broken(self, what: str) -> ProfileError:
        have = self.numbers()
        fix = (
            f"point it back with {self.command(f'switch-generation {have[-1]}')}"
            if have
            else f"remove {self.link}"
        )
        return ProfileError(f"the profile link {self.link} {what} (was it changed by hand?)", fix)

    def previous(self, current: int | None) -> int:
        """The newest generation older than `current`: where a rollback goes."""
        if current is None:
            raise ProfileError(f"profile {self.name} has no generation yet; nothing to roll back")
        older = [n for n in self.numbers() if n < current]
        if not older:
            raise ProfileError(
                f"generation {current} is the oldest of profile {self.name}: no generation to"
                " roll back to",
                f"{self.command('list-generations')} shows them",
            )
        return older[-1]

    def manifest_data(self, number: int) -> dict[str, Any]:
        """Generation `number`'s manifest as JSON, the generation's link first made sure of."""
        return self._parsed(number, self._manifest_text(number))

    def recorded_environment(self, number: int) -> str:
        """The environment generation `number`'s manifest records: read straight from the text
        pybuild writes (:mod:`json` imports :mod:`re`, a quarter of a rollback's own time), from
        its JSON when the text is any other (changed by hand, or by another writer)."""
        text = self._manifest_text(number)
        environment = _written_environment(text)
        if environment is not None:
            return environment
        return environment_of(self._parsed(number, text))

    def _parsed(self, number: int, text: str) -> dict[str, Any]:
        """Generation `number`'s manifest `text` as JSON, of a format this pybuild reads."""
        import json

        try:
            data: dict[str, Any] = json.loads(text)
            environment_of(data)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise self.unreadable(number, exc) from None
        return data

    def _manifest_text(self, number: int) -> str:
        if not os.path.islink(self.link_path(number)):
            have = ", ".join(map(str, self.numbers())) or "none"
            raise ProfileError(
                f"profile {self.name} has no generation {number} (it was deleted, or never"
                f" made); its generations: {have}",
                f"see them with {self.command('list-generations')}",
            )
        try:
            with open(self.manifest_path(number), encoding="utf-8") as f:
                return f.read()
        except (OSError, ValueError) as exc:
            raise self.unreadable(number, exc) from None

    def unreadable(self, number: int, exc: Exception) -> ProfileError:
        return ProfileError(
            f"generation {number} of profile {self.name} has no readable manifest"
            f" ({self.manifest_path(number)}: {exc})",
            f"delete it with {self.command(f'delete-generations {number}')}",
        )

    def check_link(
        self, number: int, environment: str, store_dir: str, is_valid: Callable[[str], bool]
    ) -> None:
        """Generation `number`'s link must lead to the store path `environment`, registered
        and there: a link changed by hand is an error saying how to repair it, never another
        generation; an environment gone from the store (deleted by hand, then perhaps
        collected) is :class:`MissingEnvironment`, as nothing of it could run."""
        link = self.link_path(number)
        real = os.path.realpath(link)
        store_real = os.path.realpath(store_dir)
        inside = real.startswith(store_real + os.sep)
        name = real[len(store_real) + 1 :] if inside else ""
        if name != environment:
            raise ProfileError(
                f"generation {number} of profile {self.name} was changed by hand: {link}"
                f" points to {os.readlink(link)}, but its environment is"
                f" {os.path.join(store_dir, environment)}",
                "put the link back, or delete the generation"
                f" ({self.command(f'delete-generations {number}')})",
            )
        path = os.path.join(store_dir, environment)
        registered = is_valid(name)
        if not (registered and os.path.lexists(path)):
            raise self._missing(number, path, registered)

    def _missing(self, number: int, path: str, registered: bool) -> MissingEnvironment:
        """The error of generation `number`, whose environment `path` is gone from the store
        folder (still `registered`, or collected since): the ways out that work from here."""
        try:
            current = self.current_number()
        except ProfileError:
            current = None
        others = [n for n in self.numbers() if n != number]
        ways = []
        if registered:
            ways.append(f"`pybuild verify --repair {path}` puts it back")
        elif number == current:
            ways.append(f"install its packages again as a new generation ({self._again(number)})")
        if number == current and others:
            ways.append(f"switch to another ({self.command(f'switch-generation {others[-1]}')})")
        elif number != current:
            ways.append(f"delete it ({self.command(f'delete-generations {number}')})")
        gone = "deleted by hand?" if registered else "deleted, and no longer registered"
        return MissingEnvironment(
            f"the environment of generation {number} of profile {self.name}, {path}, is"
            f" missing from the store ({gone})",
            "; or ".join(ways),
            registered=registered,
        )

    def _again(self, number: int) -> str:
        """The install that makes a new generation of generation `number`'s packages: one of
        them named, with the recipe folders, overlays or file it was installed from (the
        others are kept, evaluated again as they were installed)."""
        import shlex

        from .manifest import Entry

        try:
            entries = [Entry.from_json(p) for p in self.manifest_data(number)["packages"]]
        except (ProfileError, KeyError, TypeError, ValueError, AttributeError):
            entries = []
        if not entries:
            return f"{self.command('install ATTR')}"
        first = entries[0]
        words = [first.attr]
        if first.file is not None:
            words += ["-f", first.file]
        words += [w for r in first.recipes or () for w in ("--recipes", r)]
        words += [w for o in first.overlays for w in ("--overlay", o)]
        others = ": the others are kept as they were" if len(entries) > 1 else ""
        return f"{self.command('install ' + shlex.join(words))}{others}"

    def lock(
        self, lock_dir: str | os.PathLike[str], say: Callable[[str], None] | None = None
    ) -> AbstractContextManager[None]:
        """Serialise changes to this profile (two installs at once would both make N+1).

        `say` is told once, before waiting, that another command holds the profile (the
        store's lock tells it, as it tells a build waiting for a path): a command that went
        quiet behind a long install looked hung."""
        if say is None:
            return path_locks(lock_dir, [f"profile-{self.name}"])
        line = f"waiting for profile {self.name}: another pybuild command is changing it"
        return path_locks(lock_dir, [f"profile-{self.name}"], lambda _: say(line))

    def point_at(self, number: int) -> None:
        """Make generation `number` current: the profile link replaced in one rename, so a
        reader sees the old generation or the new one, never none."""
        replace_symlink(self.link, self.link_name(number))

    def switch(
        self,
        number: int | None,
        lock_dir: str | os.PathLike[str],
        store_dir: str,
        is_valid: Callable[[str], bool],
        say: Callable[[str], None] | None = None,
    ) -> str:
        """Make generation `number` current (None: the one before the current), checked and
        under the profile's lock; the line that says so. `say` (default: standard error, as
        both callers are the command line's) is told when the lock makes it wait."""
        with self.lock(lock_dir, say or _to_stderr):
            if number is None:
                old = self.current_number()
                number = self.previous(old)
            else:
                try:
                    old = self.current_number()
                except ProfileError:
                    old = None  # switching is how a hand-edited link is repaired
            self.check_link(number, self.recorded_environment(number), store_dir, is_valid)
            self.point_at(number)
        if old is None:
            return f"switched profile {self.name} to generation {number} (its link was broken)"
        return f"switched profile {self.name} from generation {old} to {number}"


def _to_stderr(line: str) -> None:
    import sys

    print(line, file=sys.stderr, flush=True)


def is_profile_name(name: str) -> bool:
    """Letters, digits, ``_``, ``.`` and ``+``, not starting with ``.`` or ``+``; ``-`` only
    before a letter or ``_`` (``py-3.12`` would read as generation links' ``NAME-N``)."""
    first, *rest = name.split("-")
    return (
        first[:1] not in ("", ".", "+")
        and all(part[:1] in _WORD_START for part in rest)
        and all(c in _NAME_CHARS for c in name.replace("-", ""))
    )


def _written_environment(text: str) -> str | None:
    """The environment of a manifest exactly as :meth:`.generations.Profile.add` writes it
    (``json.dumps(…, indent=2, sort_keys=True)``: every top-level key on a line of its own, two
    spaces in, and no JSON string holds a raw line break), or None for any other text: the
    format must be this pybuild's, and the key there once, its value free of escapes."""
    lines = text.split("\n")
    if lines[:1] != ["{"] or lines[-3:] != [f'  "version": {MANIFEST_FORMAT}', "}", ""]:
        return None
    return top_level_string(lines, "environment", indent=2)
