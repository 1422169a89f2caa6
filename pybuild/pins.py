"""Pinned wheels: which release files a recipe pins, and which of them a build uses.

A package taken from its binary wheels has one file per interpreter and platform, so its
recipe pins a hash per file (``fetch_pypi(..., kind="wheel", hashes={file name: hash})``)
rather than one: the same recipe then builds on CPython 3.10 to 3.14, on Linux, macOS and
Windows, wherever the release has a file. :func:`choose_pinned` picks the file for an
interpreter's tags among the pinned ones by the rule the index client picks among an index's
files (:func:`pybuild.index.client.best_wheel`), without asking any index.

Which files to pin is :func:`files_to_pin`: for each interpreter of :data:`PYTHONS` and each
platform of :data:`PLATFORMS`, the file a machine of that kind would use, for every OS release
(glibc, macOS) the files themselves name, so an older machine gets the older build it needs.
``pybuild update-pins`` (:mod:`pybuild.update_pins`) writes them into a recipe.

Example::

    >>> pins = {"six-1.17.0-py2.py3-none-any.whl": "sha256-" + "A" * 43 + "="}
    >>> choose_pinned("six", "1.17.0", pins, None)
    ('six-1.17.0-py2.py3-none-any.whl', 'sha256-AAAA...A=')
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from packaging.tags import Tag, compatible_tags, cpython_tags, mac_platforms, parse_tag
from packaging.utils import (
    BuildTag,
    InvalidWheelFilename,
    NormalizedName,
    canonicalize_name,
    parse_wheel_filename,
)
from packaging.version import InvalidVersion, Version

from .errors import NoPinnedWheel, UnsupportedInterpreter, UsageError
from .hashing import parse_hash
from .index.client import best_ranked, best_wheel, default_tags, tag_ranks
from .index.errors import show_files
from .index.simple import DistFile

__all__ = [
    "PLATFORMS",
    "PYTHONS",
    "Target",
    "choose_pinned",
    "files_to_pin",
    "no_file_to_pin",
    "pins_every_file",
    "targets_for",
]

# The interpreters and platforms a recipe's pins cover, where the release has files for them.
PYTHONS = ((3, 10), (3, 11), (3, 12), (3, 13), (3, 14))
PLATFORMS = (
    ("manylinux", "x86_64"),
    ("manylinux", "aarch64"),
    ("macosx", "arm64"),
    ("macosx", "x86_64"),
    ("win", "amd64"),
)
# glibc releases older than these have no manylinux tags for the architecture (as packaging).
_OLDEST_GLIBC = {"x86_64": 5, "i686": 5}
_LEGACY_MANYLINUX = {17: "manylinux2014", 12: "manylinux2010", 5: "manylinux1"}
_MANYLINUX = re.compile(r"manylinux_(\d+)_(\d+)_")
_MACOSX = re.compile(r"macosx_(\d+)_(\d+)_")
# Whole pins were every file of the release when that was checked (by update-pins, or of the
# index once, and remembered): what they say of the release.
_WHEN_CHECKED = "the release had no wheel for it when its pins were checked"
# A Linux platform's libc release (manylinux_2_17_, musllinux_1_2_, manylinux2014_): left out
# of the platform's name in an error, which is about the platform whatever its release.
_LINUX_RELEASE = re.compile(r"^(many|musl)linux(?:_\d+_\d+|1|2010|2014)_")


@dataclass(frozen=True)
class Target:
    """One kind of machine: an interpreter on a platform at one OS release, with its tags."""

    python: tuple[int, int]
    platform: tuple[str, str]
    tags: tuple[Tag, ...]

    @property
    def name(self) -> str:
        """``cp312 manylinux_x86_64``: what a report calls it."""
        return f"cp{self.python[0]}{self.python[1]} {'_'.join(self.platform)}"


def choose_pinned(
    pname: str,
    version: str,
    hashes: Mapping[str, str],
    tags: Sequence[str] | None,
    complete: Callable[[], bool] | None = None,
) -> tuple[str, str]:
    """The pinned file for an interpreter with `tags` (most specific first; by default this
    one's): its name and SRI hash.

    ``update-pins`` pins a file for every interpreter of :data:`PYTHONS` on every platform of
    :data:`PLATFORMS` where the release has one, so such pins that have none for the
    interpreter on any platform, or none for its platform with any interpreter, or none for
    the two together, say the release has none: :class:`UnsupportedInterpreter`, as
    nixpkgs' ``disabled`` and ``meta.platforms``. Whether the pins are all of those files is
    `complete`'s answer, asked only then (it may ask the index); pins not known to be (a
    hand-written subset) say nothing of the release. No pins at all that are every file are a
    release with none to pin (an sdist alone): :func:`no_file_to_pin`, whose hint is not to
    pin again. A platform not of :data:`PLATFORMS` is one no pins cover, whole or not. Pins
    lacking the file otherwise (none yet, a subset, or stale) are :class:`NoPinnedWheel`,
    whose hint pins them.
    """
    pinned = [_pinned_file(pname, version, name, value) for name, value in hashes.items()]
    order, rank = _ranks(tuple(tags) if tags is not None else None)
    best = best_ranked(pinned, rank)
    if best is not None:
        return best.filename, parse_hash(str(best.sha256)).sri
    interpreter = str(order[0]) if order else "(no tags)"
    other = _other_platform(order) if _platform_of(order) is None else None
    if other is not None:
        raise _unpinned_platform(pname, version, other)
    if (not hashes or _covered(order)) and complete is not None and complete():
        if not hashes:
            raise no_file_to_pin(pname, version)
        unsupported = _unsupported(pname, version, pinned, order)
        if unsupported is not None:
            unsupported.said_by_pins()
            raise unsupported
    raise NoPinnedWheel(pname, version, interpreter, sorted(hashes))


def _unsupported(
    pname: str, version: str, pinned: Sequence[DistFile], order: Sequence[Tag]
) -> UnsupportedInterpreter | None:
    """What pins lacking a file for an interpreter of :data:`PYTHONS` say, being every file
    of the release :func:`files_to_pin` chooses: that it has no wheel for the interpreter, or
    none for its platform, or none for the two together; None for tags of no platform."""
    if pinned and not any(_same_interpreter(f.tags, order) for f in pinned):
        pythons = sorted({t.interpreter for f in pinned for t in f.tags}, key=_python_order)
        reason = f"{_WHEN_CHECKED} (the pinned wheels are for {', '.join(pythons)})"
        return UnsupportedInterpreter(pname, version, str(order[0].interpreter), reason)
    platform = _platform_of(order)
    platforms = [p for p in PLATFORMS if _pins_platform(pinned, p)]
    if platform is not None and platforms and platform not in platforms:
        return _unsupported_platform(pname, version, platform, platforms)
    if platform is not None:
        too_old = _too_old(pname, version, pinned, order, platform)
        return too_old or _no_wheel_here(pname, version, pinned, order, platform)
    return None


def _no_wheel_here(
    pname: str,
    version: str,
    pinned: Sequence[DistFile],
    order: Sequence[Tag],
    platform: tuple[str, str],
) -> UnsupportedInterpreter:
    """The error for whole pins with wheels for the interpreter on other platforms and for
    its platform with other interpreters, but none for the two: another interpreter or
    platform would do, pinning again would not, unless the index has gained one since."""
    interpreter, name = order[0].interpreter, "_".join(platform)
    python = next(p for p in PYTHONS if interpreter == f"cp{p[0]}{p[1]}")
    platforms = ["_".join(p) for p in PLATFORMS if _serves(pinned, python, p)]
    pythons = [f"cp{p[0]}{p[1]}" for p in PYTHONS if _serves(pinned, p, platform)]
    known = [
        *([f"the pinned {interpreter} wheels are for {', '.join(platforms)}"] if platforms else []),
        *([f"the {name} ones for {', '.join(pythons)}"] if pythons else []),
    ]
    reason = _WHEN_CHECKED + (f" ({', '.join(known)})" if known else "")
    return UnsupportedInterpreter(pname, version, f"{interpreter} on {name}", reason)


def _too_old(
    pname: str,
    version: str,
    pinned: Sequence[DistFile],
    order: Sequence[Tag],
    platform: tuple[str, str],
) -> UnsupportedInterpreter | None:
    """The error for a machine whose glibc or macOS is older than every pinned wheel of this
    interpreter on its platform asks for (numpy's cp312 wheels need glibc 2.27; CentOS 7 has
    2.17): pinning again would find no other, unless the index has gained one. None when no
    wheel of its kind tells so."""
    kind, arch = platform
    here = max((r for t in order if (r := _os_release(kind, t.platform))), default=None)
    needed = [
        r
        for f in pinned
        if _same_interpreter(f.tags, order)
        for t in f.tags
        if t.platform.endswith(f"_{arch}") and (r := _os_release(kind, t.platform))
    ]
    if here is None or not needed or min(needed) <= here:
        return None
    system = "glibc" if kind == "manylinux" else "macOS"
    oldest = ".".join(map(str, min(needed)))
    reason = (
        f"the pinned wheels for this interpreter need {system} {oldest} or newer, and this machine"
        f" has {system} {'.'.join(map(str, here))}"
    )
    error = UnsupportedInterpreter(pname, version, f"{kind}_{arch}", reason)
    error.hint = (
        "build it on a newer system, or give the set an older release, or the package built"
        " from its sdist (an overlay)"
    )
    return error


def pins_every_file(names: Iterable[str], files: Iterable[DistFile]) -> bool:
    """Whether the pinned file `names` are every file of a release (its `files`, as the index
    lists them) that :func:`files_to_pin` chooses: what ``update-pins`` writes."""
    return set(files_to_pin(files)[0]) <= set(names)


def no_file_to_pin(
    pname: str,
    version: str,
    files: Sequence[DistFile] | None = None,
    other_release: str = "",
    where: str = "",
) -> UsageError:
    """The error for a wheel recipe of a release with no wheel that :func:`files_to_pin`
    would pin (an sdist alone, or wheels of other interpreters): its pins are empty, and
    pinning again would not fill them, so the hint says what would. The release's `files`,
    where known, say which it is; `other_release` is how to move the recipe to another
    release (a command), where there is one; `where`, the recipe's file and line, if known."""
    wheels = sorted(f.filename for f in files or () if f.kind == "wheel")
    first, last = PYTHONS[0], PYTHONS[-1]
    covered = f"CPython {first[0]}.{first[1]} to {last[0]}.{last[1]} on the platforms pins cover"
    if files is None:
        what = f"no wheel for {covered}"
    elif wheels:
        what = f"no wheel for {covered} (its wheels: {show_files(wheels)})"
    else:
        sdists = show_files(sorted(f.filename for f in files))
        what = f"no wheel at all (its files are only an sdist: {sdists})"
    place = f"{where}: " if where else ""
    error = UsageError(f"{place}{pname} {version} has {what}: there is no file to pin")
    error.hint = (
        f'build it from its sdist (format="pyproject", and hash= the sdist\'s hash, which'
        f" `pybuild prefetch {pname}=={version}` prints), or choose a release that has wheels"
        + (f" ({other_release})" if other_release else "")
    )
    return error


def _platform_of(order: Sequence[Tag]) -> tuple[str, str] | None:
    """The platform of :data:`PLATFORMS` the interpreter is on, if any: that of its most
    specific tag that names one (packaging from 26.4 lists the bare ``linux_x86_64`` first,
    which no index's wheel is for)."""
    for platform in dict.fromkeys(t.platform for t in order):
        for kind, arch in PLATFORMS:
            named = platform == f"{kind}_{arch}" or _os_release(kind, platform) is not None
            if named and platform.endswith(f"_{arch}"):
                return kind, arch
    return None


def _pins_platform(pinned: Sequence[DistFile], platform: tuple[str, str]) -> bool:
    """Whether a pinned file serves some interpreter of :data:`PYTHONS` on `platform`, by the
    rule :func:`files_to_pin` chose the pins by."""
    return any(_serves(pinned, python, platform) for python in PYTHONS)


def _serves(pinned: Sequence[DistFile], python: tuple[int, int], platform: tuple[str, str]) -> bool:
    """Whether a pinned file serves `python` on `platform`, on some OS release of it."""
    return any(
        best_wheel(pinned, target.tags) is not None
        for target in targets_for(python, platform, pinned)
    )


def _unsupported_platform(
    pname: str, version: str, platform: tuple[str, str], platforms: list[tuple[str, str]]
) -> UnsupportedInterpreter:
    """The error for a release with no wheel for `platform`: another interpreter would not
    help, nor would pinning again unless the index has gained one, so the hint says what
    would."""
    shown = ", ".join("_".join(p) for p in platforms)
    reason = f"{_WHEN_CHECKED} (the pinned wheels are for {shown})"
    error = UnsupportedInterpreter(pname, version, "_".join(platform), reason)
    error.hint = (
        "build it on a platform the release has wheels for, or give the set another release, or"
        " the package built from its sdist, for this one (an overlay)"
    )
    return error


def _other_platform(order: Sequence[Tag]) -> str | None:
    """The name of the platform of an interpreter's tags (one of no :data:`PLATFORMS`), as
    ``musllinux_x86_64`` or ``win_arm64``; None for tags of no platform (pure ones alone)."""
    platforms = [p for p in dict.fromkeys(t.platform for t in order) if p != "any"]
    named = [p for p in platforms if not p.startswith("linux_")] or platforms
    return _LINUX_RELEASE.sub(r"\1linux_", named[0]) if named else None


def _unpinned_platform(pname: str, version: str, platform: str) -> UnsupportedInterpreter:
    """The error for a machine of a platform ``update-pins`` never pins: pinning again would
    not add its wheel, whether the release has one or not, so the hint says what would."""
    shown = ", ".join("_".join(p) for p in PLATFORMS)
    reason = (
        f"its pins cover only the platforms update-pins pins ({shown}), and none pinned is"
        " for this one"
    )
    error = UnsupportedInterpreter(pname, version, platform, reason)
    error.hint = (
        "build it on one of those platforms, or give the set the package built from its sdist"
        f' for this one (an overlay whose recipe has format="pyproject"), or take it from the'
        f" index as `pypi:{pname}` (its wheel for this platform, with the setting"
        ' prefer = "wheel")'
    )
    return error


def _python_order(python_tag: str) -> tuple[str, int]:
    """cp39 before cp310: python tags in version order."""
    letters = python_tag.rstrip("0123456789")
    digits = python_tag[len(letters) :]
    return letters, int(digits or 0)


def _pinned_file(pname: str, version: str, filename: str, value: str) -> DistFile:
    """A pin as the index would list it. A pin of another project's or release's file is
    refused: the recipe would not be using what it says."""
    try:
        name, found, _, tags = _parse_wheel(filename)
        same = canonicalize_name(name) == canonicalize_name(pname) and found == Version(version)
    except (InvalidWheelFilename, InvalidVersion) as exc:
        raise UsageError(f"hashes= of {pname} {version}: {exc}") from None
    if not same:
        raise UsageError(
            f"hashes= of {pname} {version} pins {filename}, a file of another project or release"
        )
    sha256 = parse_hash(value).hex
    return DistFile(
        filename=filename, url="", sha256=sha256, kind="wheel", version=found, tags=tags
    )


@functools.lru_cache(maxsize=1024)
def _parse_wheel(filename: str) -> tuple[NormalizedName, Version, BuildTag, frozenset[Tag]]:
    """A wheel's name, version, build and tags; parsed once per process (evaluation is hot)."""
    return parse_wheel_filename(filename)


@functools.lru_cache(maxsize=16)
def _ranks(tags: tuple[str, ...] | None) -> tuple[tuple[Tag, ...], dict[Tag, int]]:
    """An interpreter's tags (by default this one's) and their ranks; once per process."""
    order = tuple(t for text in tags for t in parse_tag(text)) if tags else tuple(default_tags())
    return order, tag_ranks(order)


def _covered(order: Sequence[Tag]) -> bool:
    """Whether the interpreter is one the pins are written for (CPython of :data:`PYTHONS`)."""
    first = order[0].interpreter if order else ""
    return any(first == f"cp{major}{minor}" for major, minor in PYTHONS)


def _same_interpreter(file_tags: Iterable[Tag], order: Sequence[Tag]) -> bool:
    """Whether a file is for this interpreter on some platform (its python and ABI fit)."""
    wanted = {(t.interpreter, t.abi) for t in order}
    return any((t.interpreter, t.abi) in wanted for t in file_tags)


def files_to_pin(
    files: Iterable[DistFile], tags: Sequence[str] | None = None
) -> tuple[dict[str, DistFile], list[Target]]:
    """The wheels among one release's `files` that some target machine would use, by name,
    and the targets (one per interpreter and platform) that no file fits.

    A recipe that names its own `tags` (``fetch_pypi(..., tags=("py3-none-any",))``: the pure
    wheel on every machine) uses the one file those tags choose, so that file is all it pins;
    a release without one is a :class:`UsageError`.
    """
    wheels = [f for f in files if f.kind == "wheel"]
    if tags is not None:
        return _file_for_tags(wheels, tags), []
    chosen: dict[str, DistFile] = {}
    missing: list[Target] = []
    for python in PYTHONS:
        for platform in PLATFORMS:
            targets = targets_for(python, platform, wheels)
            found = [f for t in targets if (f := best_wheel(wheels, t.tags)) is not None]
            chosen.update((f.filename, f) for f in found)
            if not found:
                missing.append(targets[-1])
    return dict(sorted(chosen.items())), missing


def _file_for_tags(wheels: list[DistFile], tags: Sequence[str]) -> dict[str, DistFile]:
    best = best_wheel(wheels, [t for text in tags for t in parse_tag(text)])
    if best is None:
        names = ", ".join(sorted(f.filename for f in wheels)) or "none"
        raise UsageError(
            f"no wheel of the release fits the recipe's tags {', '.join(tags)} (its wheels:"
            f" {names}): give tags= one of theirs, or remove it to pin every platform's"
        )
    return {best.filename: best}


def targets_for(
    python: tuple[int, int], platform: tuple[str, str], wheels: Iterable[DistFile]
) -> list[Target]:
    """The machines of one interpreter and platform to choose for: one per OS release named
    by a file (a glibc or macOS version), oldest first, since each may pick another file."""
    kind, arch = platform
    releases = sorted({r for f in wheels for t in f.tags if (r := _os_release(kind, t.platform))})
    if kind == "manylinux":
        floor = (2, _OLDEST_GLIBC.get(arch, 17))
        glibcs = [r for r in releases if r >= floor] or [(2, 17)]
        platform_lists = [_manylinux_platforms(minor, arch) for _, minor in glibcs]
    elif kind == "macosx":
        floor = (11, 0) if arch == "arm64" else (10, 9)  # the first release for the arch
        versions = sorted({max(r, floor) if r[0] < 11 else (r[0], 0) for r in releases})
        platform_lists = [list(mac_platforms(v, arch)) for v in versions or [floor]]
    else:
        platform_lists = [[f"{kind}_{arch}"]]
    return [Target(python, platform, _tags(python, p)) for p in platform_lists]


def _os_release(kind: str, platform: str) -> tuple[int, int] | None:
    """The glibc or macOS release a platform tag asks for, when it is of `kind`."""
    if kind == "manylinux":
        for minor, legacy in _LEGACY_MANYLINUX.items():
            if platform.startswith(legacy + "_"):
                return (2, minor)
        found = _MANYLINUX.match(platform)
    else:
        found = _MACOSX.match(platform) if kind == "macosx" else None
    return (int(found[1]), int(found[2])) if found else None


def _manylinux_platforms(glibc_minor: int, arch: str) -> list[str]:
    """The platform tags of a glibc 2.`glibc_minor` machine, best first, as packaging lists
    them (with the legacy manylinux1/2010/2014 aliases) and ``linux_<arch>`` last."""
    platforms = []
    for minor in range(glibc_minor, _OLDEST_GLIBC.get(arch, 17) - 1, -1):
        platforms.append(f"manylinux_2_{minor}_{arch}")
        legacy = _LEGACY_MANYLINUX.get(minor)
        if legacy and (minor == 17 or arch in _OLDEST_GLIBC):
            platforms.append(f"{legacy}_{arch}")
    return [*platforms, f"linux_{arch}"]


def _tags(python: tuple[int, int], platforms: list[str]) -> tuple[Tag, ...]:
    """CPython's tags on `platforms`, most specific first, as ``sys_tags()`` would give them."""
    interpreter = f"cp{python[0]}{python[1]}"
    return (
        *cpython_tags(python, [interpreter], platforms),
        *compatible_tags(python, interpreter, platforms),
    )
