"""Profiles and their generations: a chain of symbolic links, as in Nix.

::

    var/profiles/default -> default-3-link -> ../../store/<hash>-python3.11-env
                            default-3.json    (the manifest: what was asked for)

A change writes generation N+1 and then switches the profile link to it with one atomic
rename. A reader sees the old generation or the new one, never a mix; ``rollback`` and
``switch-generation`` are that same rename. Links are relative, so the home can be moved.
``var/profiles/<name>/bin`` is a stable path to put on ``PATH``: its ``python`` is the set's
interpreter, which finds the generation's packages through the link. A generation is read
back only as it was written: a link or manifest changed by hand is an error saying how to
repair it, never a generation silently taken for another.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..atomic import replace_symlink, write_atomic
from ..errors import BadArgument
from .links import GenerationLinks, MissingEnvironment, ProfileError, is_profile_name
from .manifest import Manifest

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    from ..store import Store

__all__ = ["Generation", "Profile", "ProfileError", "switch_generation"]


class UnreadableGenerations(ProfileError, BadArgument):
    """Words of ``delete-generations`` that name no generations (``30x``, ``-1``): a command
    line that cannot be read, which exits 2, as ``gc --delete-older-than 30x`` does."""


@dataclass(frozen=True)
class Generation:
    """Generation `number` of a profile: its link, when it was made, and its manifest;
    `present` False when its environment is gone from the store (see
    :meth:`Profile.generation`)."""

    number: int
    link: Path
    created: float
    manifest: Manifest = field(compare=False)
    present: bool = field(default=True, compare=False)


class Profile:
    """A named profile in ``var/profiles`` of a store; its links are read and switched by
    :class:`.links.GenerationLinks`, which the command line's fast path uses alone."""

    def __init__(self, store: Store, name: str = "default") -> None:
        self.dir = store.var / "profiles"
        self.links = GenerationLinks(str(self.dir), name)  # checks the name first
        self.store = store
        self.name = name
        self.link = self.dir / name

    @classmethod
    def every(cls, store: Store) -> list[Profile]:
        """The store's profiles, by name: each that has a generation (``NAME-N-link``)."""
        folder = store.var / "profiles"
        names = set()
        for entry in os.listdir(folder) if folder.is_dir() else ():
            name, _, rest = entry.rpartition("-")
            name, _, number = name.rpartition("-")
            if rest == "link" and number.isdecimal() and is_profile_name(name):
                names.add(name)
        return [cls(store, name) for name in sorted(names)]

    @property
    def bin_dir(self) -> Path:
        """The stable ``bin`` folder of the profile, whatever generation is current."""
        return self.link / "bin"

    def lock(
        self, say: Callable[[str], None] | None = None
    ) -> contextlib.AbstractContextManager[None]:
        """Serialise changes to this profile (two installs at once would both make N+1);
        `say` is told when another command holds it and this one waits."""
        return self.links.lock(self.store.lock_dir, say)

    # -- reading ------------------------------------------------------------------------

    def numbers(self) -> list[int]:
        return self.links.numbers()

    def generation(self, number: int, *, collected_ok: bool = False) -> Generation:
        """Generation `number`, checked: its link must lead to the environment it recorded,
        in the store. With `collected_ok`, one whose environment is gone and no longer
        registered is read all the same (``present`` False), for a change to make a new
        generation of its manifest: nothing else could put it back."""
        data = self.links.manifest_data(number)
        try:
            manifest = Manifest.from_json(data)
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise self.links.unreadable(number, exc) from None
        present = True
        try:
            self.links.check_link(
                number, manifest.environment, str(self.store.dir), self.store.is_valid
            )
        except MissingEnvironment as exc:
            if exc.registered or not collected_ok:
                raise
            present = False
        link = self.links.link_path(number)
        return Generation(number, Path(link), os.lstat(link).st_mtime, manifest, present)

    def generations(self) -> list[Generation]:
        return [self.generation(n) for n in self.numbers()]

    def current_number(self) -> int | None:
        """The generation the profile link points to; None before the first install."""
        return self.links.current_number()

    def current(self, *, collected_ok: bool = False) -> Generation | None:
        """The current generation (see :meth:`generation` for `collected_ok`)."""
        number = self.current_number()
        return None if number is None else self.generation(number, collected_ok=collected_ok)

    # -- changing -----------------------------------------------------------------------

    def add(self, manifest: Manifest) -> Generation:
        """Write generation N+1 for `manifest` and make it current (one atomic rename)."""
        numbers = self.numbers()
        number = (numbers[-1] if numbers else 0) + 1
        manifest_file = self.links.manifest_path(number)
        write_atomic(manifest_file, json.dumps(manifest.to_json(), indent=2, sort_keys=True) + "\n")
        target = os.path.relpath(self.store.path(manifest.environment), self.dir)
        replace_symlink(self.links.link_path(number), target)
        self.links.point_at(number)
        return self.generation(number)

    def switch(self, number: int) -> Generation:
        """Make generation `number` current; the profile link may have been broken by hand."""
        generation = self.generation(number)
        self.links.point_at(number)
        return generation

    def rollback(self) -> Generation:
        """Switch to the newest generation older than the current one."""
        return self.switch(self.links.previous(self.current_number()))

    def delete_generations(
        self, spec: Sequence[str], now: float | None = None, *, dry_run: bool = False
    ) -> list[int]:
        """Delete generations: ``old`` (all but the current), ``N…``, ``+N`` (keep the current
        and the N-1 before it, as Nix counts), ``Nd`` (older than N days, keeping the one that
        was current then). Never the current, nor (``old``, ``+N``, ``Nd``) a newer one.
        With `dry_run`, only the numbers that would go (for a preview, as Nix's --dry-run).
        """
        current = self.current_number()
        numbers = self.numbers()
        victims = _select_victims(self, spec, numbers, current, now)
        for number in () if dry_run else victims:
            os.unlink(self.links.link_path(number))
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.links.manifest_path(number))
        return victims


def _select_victims(
    profile: Profile,
    spec: Sequence[str],
    numbers: list[int],
    current: int | None,
    now: float | None,
) -> list[int]:
    if len(spec) == 1 and spec[0] == "old":
        return [n for n in numbers if n != current]
    if len(spec) == 1 and (m := re.fullmatch(r"\+(\d+)", spec[0])):
        return _older_than_the_last(numbers, current, int(m.group(1)))
    if len(spec) == 1 and (m := re.fullmatch(r"(\d+)d", spec[0])):
        cutoff = (time.time() if now is None else now) - int(m.group(1)) * 86400
        victims, older_seen = [], False
        for number in reversed(numbers):
            if older_seen and number != current:
                victims.append(number)
            elif os.lstat(profile.links.link_path(number)).st_mtime < cutoff:
                older_seen = True  # the generation that was current at the cutoff stays
        return sorted(victims)
    if not spec or not all(s.isdigit() for s in spec):
        raise UnreadableGenerations(
            f"cannot read {' '.join(spec)!r} as generations to delete",
            "give `old`, generation numbers, `+N` (keep the current and the N-1 before it) or"
            " `Nd` (older than N days)",
        )
    asked = sorted({int(s) for s in spec})
    missing = [n for n in asked if n not in numbers]
    if missing:
        have = ", ".join(map(str, numbers)) or "none"
        raise ProfileError(
            f"profile {profile.name} has no generation {', '.join(map(str, missing))};"
            f" its generations: {have}"
        )
    if current in asked:
        others = [n for n in numbers if n != current]
        raise ProfileError(
            f"generation {current} is the current one of profile {profile.name}",
            f"switch to another generation first"
            f" ({profile.links.command(f'switch-generation {others[-1]}')})"
            if others
            else "it is the profile's only generation: an install or upgrade makes another",
        )
    return asked


def _older_than_the_last(numbers: list[int], current: int | None, keep: int) -> list[int]:
    """``+N``, as Nix counts it: the `keep` generations up to the current one stay, and every
    one newer than the current (a rollback's way forward); ``+0`` would delete the current."""
    if keep == 0:
        raise ProfileError(
            "+0 would delete every generation, the current one too: must keep at least one",
            "give +1 to keep the current generation only",
        )
    older = [n for n in numbers if current is not None and n <= current]
    return older[: max(len(older) - keep, 0)]


def switch_generation(profile: Profile, number: int | None) -> str:
    """Make generation `number` current (None: the one before the current), under the
    profile's lock; the line that says so. Shared by ``pybuild rollback`` and
    ``switch-generation``; their fast path (:mod:`pybuild.fastpath`) calls the same
    :meth:`.links.GenerationLinks.switch`, so both check and say the same."""
    return profile.links.switch(
        number, profile.store.lock_dir, str(profile.store.dir), profile.store.is_valid
    )
