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
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..atomic import replace_symlink, write_atomic
from ..errors import PybuildError
from ..store.locks import path_locks
from .manifest import Manifest

TYPE_CHECKING = False
if TYPE_CHECKING:
    from ..store import Store

__all__ = ["Generation", "Profile", "ProfileError", "switch_generation"]

_NAME_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.+]*(?:-[A-Za-z_][A-Za-z0-9_.+]*)*")


class ProfileError(PybuildError):
    """A profile operation cannot go on; nothing was changed."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint


@dataclass(frozen=True)
class Generation:
    """Generation `number` of a profile: its link, when it was made, and its manifest."""

    number: int
    link: Path
    created: float
    manifest: Manifest = field(compare=False)


class Profile:
    """A named profile in ``var/profiles`` of a store."""

    def __init__(self, store: Store, name: str = "default") -> None:
        if not _NAME_RE.fullmatch(name) or name.endswith(".json"):
            raise ProfileError(
                f"{name!r} is not a profile name",
                "use letters, digits, '_', '.' and '+', with '-' only before a letter",
            )
        self.store = store
        self.name = name
        self.dir = store.var / "profiles"
        self.link = self.dir / name

    @property
    def bin_dir(self) -> Path:
        """The stable ``bin`` folder of the profile, whatever generation is current."""
        return self.link / "bin"

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Serialise changes to this profile (two installs at once would both make N+1)."""
        with path_locks(self.store.lock_dir, [f"profile-{self.name}"]):
            yield

    # -- reading ------------------------------------------------------------------------

    def _link_name(self, number: int) -> str:
        return f"{self.name}-{number}-link"

    def numbers(self) -> list[int]:
        if not self.dir.is_dir():
            return []
        pattern = re.compile(re.escape(self.name) + r"-(\d+)-link")
        found = []
        for entry in os.listdir(self.dir):
            match = pattern.fullmatch(entry)
            if match and os.path.islink(self.dir / entry):
                found.append(int(match.group(1)))
        return sorted(found)

    def generation(self, number: int) -> Generation:
        """Generation `number`, checked: its link must lead to the environment it recorded."""
        link = self.dir / self._link_name(number)
        if not os.path.islink(link):
            have = ", ".join(map(str, self.numbers())) or "none"
            raise ProfileError(
                f"profile {self.name} has no generation {number} (it was deleted, or never"
                f" made); its generations: {have}",
                f"see them with `pybuild list-generations --profile {self.name}`",
            )
        manifest_file = self.dir / f"{self.name}-{number}.json"
        try:
            manifest = Manifest.from_json(json.loads(manifest_file.read_text()))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ProfileError(
                f"generation {number} of profile {self.name} has no readable manifest"
                f" ({manifest_file}: {exc})",
                f"delete it with `pybuild delete-generations {number} --profile {self.name}`",
            ) from None
        self._check_link(number, link, manifest)
        return Generation(number, link, os.lstat(link).st_mtime, manifest)

    def _check_link(self, number: int, link: Path, manifest: Manifest) -> None:
        target = os.readlink(link)
        real = os.path.realpath(link)
        store_real = os.path.realpath(self.store.dir)
        inside = real.startswith(store_real + os.sep)
        name = real[len(store_real) + 1 :] if inside else ""
        if name != manifest.environment or not self.store.is_valid(name):
            raise ProfileError(
                f"generation {number} of profile {self.name} was changed by hand: {link}"
                f" points to {target}, but its environment is"
                f" {self.store.path(manifest.environment)}",
                f"put the link back, or delete the generation (`pybuild delete-generations"
                f" {number} --profile {self.name}`)",
            )

    def generations(self) -> list[Generation]:
        return [self.generation(n) for n in self.numbers()]

    def current_number(self) -> int | None:
        """The generation the profile link points to; None before the first install."""
        if not os.path.lexists(self.link):
            if self.numbers():
                raise self._broken("is missing")
            return None
        if not self.link.is_symlink():
            raise self._broken("is not a symbolic link")
        target = os.readlink(self.link)
        match = re.fullmatch(re.escape(self.name) + r"-(\d+)-link", os.path.basename(target))
        parent = os.path.dirname(target)
        local = parent in ("", ".") or os.path.realpath(parent) == os.path.realpath(self.dir)
        if match is None or not local or int(match.group(1)) not in self.numbers():
            raise self._broken(f"points to {target}, which is not one of its generations")
        return int(match.group(1))

    def _broken(self, what: str) -> ProfileError:
        have = self.numbers()
        fix = (
            f"point it back with `pybuild switch-generation {have[-1]} --profile {self.name}`"
            if have
            else f"remove {self.link}"
        )
        return ProfileError(f"the profile link {self.link} {what} (was it changed by hand?)", fix)

    def current(self) -> Generation | None:
        number = self.current_number()
        return None if number is None else self.generation(number)

    # -- changing -----------------------------------------------------------------------

    def add(self, manifest: Manifest) -> Generation:
        """Write generation N+1 for `manifest` and make it current (one atomic rename)."""
        numbers = self.numbers()
        number = (numbers[-1] if numbers else 0) + 1
        manifest_file = self.dir / f"{self.name}-{number}.json"
        write_atomic(manifest_file, json.dumps(manifest.to_json(), indent=2, sort_keys=True) + "\n")
        target = os.path.relpath(self.store.path(manifest.environment), self.dir)
        replace_symlink(self.dir / self._link_name(number), target)
        replace_symlink(self.link, self._link_name(number))
        return self.generation(number)

    def switch(self, number: int) -> Generation:
        """Make generation `number` current; the profile link may have been broken by hand."""
        generation = self.generation(number)
        replace_symlink(self.link, self._link_name(number))
        return generation

    def rollback(self) -> Generation:
        """Switch to the newest generation older than the current one."""
        current = self.current_number()
        if current is None:
            raise ProfileError(f"profile {self.name} has no generation yet; nothing to roll back")
        older = [n for n in self.numbers() if n < current]
        if not older:
            raise ProfileError(
                f"generation {current} is the oldest of profile {self.name}: no generation to"
                " roll back to",
                "`pybuild list-generations` shows them",
            )
        return self.switch(older[-1])

    def delete_generations(self, spec: Sequence[str], now: float | None = None) -> list[int]:
        """Delete generations: ``old`` (all but the current), ``N…``, ``+N`` (keep the last N),
        ``Nd`` (older than N days, keeping the one that was current then). Never the current.
        """
        current = self.current_number()
        numbers = self.numbers()
        victims = _select_victims(self, spec, numbers, current, now)
        for number in victims:
            os.unlink(self.dir / self._link_name(number))
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.dir / f"{self.name}-{number}.json")
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
        keep = set(numbers[-int(m.group(1)) :]) if int(m.group(1)) else set()
        return [n for n in numbers if n not in keep and n != current]
    if len(spec) == 1 and (m := re.fullmatch(r"(\d+)d", spec[0])):
        cutoff = (time.time() if now is None else now) - int(m.group(1)) * 86400
        victims, older_seen = [], False
        for number in reversed(numbers):
            if older_seen and number != current:
                victims.append(number)
            elif os.lstat(profile.dir / profile._link_name(number)).st_mtime < cutoff:
                older_seen = True  # the generation that was current at the cutoff stays
        return sorted(victims)
    if not spec or not all(s.isdigit() for s in spec):
        raise ProfileError(
            f"cannot read {' '.join(spec)!r} as generations to delete",
            "give `old`, generation numbers, `+N` (keep the last N) or `Nd` (older than N days)",
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
        raise ProfileError(
            f"generation {current} is the current one of profile {profile.name}",
            "switch to another generation first (`pybuild rollback`)",
        )
    return asked


def switch_generation(profile: Profile, number: int | None) -> str:
    """Make generation `number` current (None: the one before the current), under the
    profile's lock; the line that says so. Shared by ``pybuild rollback`` and
    ``switch-generation`` and their fast path (:mod:`pybuild.fastpath`)."""
    with profile.lock():
        if number is None:
            old: object = profile.current_number()
            new = profile.rollback()
        else:
            try:
                old = profile.current_number()
            except PybuildError:
                old = "a broken link"  # switching is how a hand-edited link is repaired
            new = profile.switch(number)
    return f"switched profile {profile.name} from generation {old} to {new.number}"
