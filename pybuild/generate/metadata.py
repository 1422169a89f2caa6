"""Core metadata (``METADATA``/``PKG-INFO``): what a release needs, for which Python, with which
extras.

Only the fields that decide a recipe are kept: name, version, ``Requires-Dist``,
``Requires-Python`` and ``Provides-Extra``, plus where they were read from, so a user can see
whether the index, a wheel, an sdist or the build backend answered. Dependencies are decided
for one marker environment (the set's interpreter) and, for an extra, only the requirements
that the extra adds are returned.

Example::

    >>> meta = parse_metadata("Metadata-Version: 2.1\\nName: a\\nVersion: 1\\n"
    ...                       "Requires-Dist: b; extra == 'x'\\n", "wheel")
    >>> [str(r) for r in meta.requirements({"python_version": "3.11"}, extra="x")]
    ['b; extra == "x"']
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from email.parser import HeaderParser
from functools import cached_property

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from .errors import InvalidMetadata, MetadataError

__all__ = ["Metadata", "parse_metadata", "reliable_sdist_metadata"]


@dataclass(frozen=True)
class Metadata:
    """The dependency-relevant core metadata of one release."""

    name: str
    version: str
    requires_dist: tuple[str, ...] = ()
    requires_python: str | None = None
    extras: tuple[str, ...] = ()
    source: str = ""
    summary: str = ""

    def requirements(self, env: Mapping[str, str], extra: str | None = None) -> list[Requirement]:
        """The requirements that apply in `env`: the base ones, or only those `extra` adds.

        Answers are kept per environment and extra: the resolver asks again for every
        candidate it comes back to, and a lock for every extra of every requirement."""
        key = (tuple(sorted(env.items())), extra)
        if key not in self._answers:
            self._answers[key] = tuple(self._applying(env, extra))
        return list(self._answers[key])

    def _applying(self, env: Mapping[str, str], extra: str | None) -> list[Requirement]:
        """What :meth:`requirements` answers, worked out. What an extra adds are those false
        without it (not among the base ones, kept) that are true with it; a marker that names
        no extra is not evaluated again, as it is then false with the extra as without."""
        if extra is None:
            return [
                r
                for r in self.parsed
                if r.marker is None or r.marker.evaluate({**env, "extra": ""})
            ]
        base = {id(r) for r in self.requirements(env)}
        return [
            req
            for req, text in zip(self.parsed, self.requires_dist, strict=True)
            if req.marker is not None
            and id(req) not in base
            and "extra" in text
            and req.marker.evaluate({**env, "extra": extra})
        ]

    @cached_property
    def parsed(self) -> tuple[Requirement, ...]:
        """Every ``Requires-Dist``, parsed once: a release's are asked for many times (by
        extra, by candidate), and parsing is most of what that costs. Raises
        :class:`~pybuild.generate.errors.InvalidMetadata` for the first that does not parse."""
        return tuple(_requirement(text, self) for text in self.requires_dist)

    @cached_property
    def _answers(
        self,
    ) -> dict[tuple[tuple[tuple[str, str], ...], str | None], tuple[Requirement, ...]]:
        return {}

    def invalid(self) -> InvalidMetadata | None:
        """The error of its first ``Requires-Dist`` that does not parse, or None: uv takes
        a release whose metadata has one as unusable, and an sdist's static metadata that
        has one as no answer (its backend is asked then)."""
        try:
            _ = self.parsed
        except InvalidMetadata as exc:
            return exc
        return None

    def to_json(self) -> dict[str, object]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> Metadata:
        return cls(
            name=str(data["name"]),
            version=str(data["version"]),
            requires_dist=tuple(data.get("requires_dist") or ()),  # type: ignore[arg-type]
            requires_python=data.get("requires_python"),  # type: ignore[arg-type]
            extras=tuple(data.get("extras") or ()),  # type: ignore[arg-type]
            source=str(data.get("source", "")),
            summary=str(data.get("summary", "")),
        )


def _requirement(text: str, meta: Metadata) -> Requirement:
    try:
        return Requirement(text)
    except InvalidRequirement as exc:
        why = str(exc).splitlines()[0]  # the rest repeats `text`, a caret under the fault
        raise InvalidMetadata(
            f"{meta.name} {meta.version}",
            f"Requires-Dist {text!r} ({meta.source}) does not parse: {why}",
        ) from None


def _headers(text: str) -> tuple[object, str]:
    message = HeaderParser().parsestr(text)
    return message, str(message.get("Metadata-Version", "1.0")).strip()


def parse_metadata(text: str, source: str) -> Metadata:
    """Read a ``METADATA`` or ``PKG-INFO`` file; `source` says where it came from."""
    message, _ = _headers(text)
    name = message.get("Name")  # type: ignore[attr-defined]
    version = message.get("Version")  # type: ignore[attr-defined]
    if not name or not version:
        raise MetadataError(f"the core metadata from {source} has no Name or Version")
    try:
        Version(str(version))
    except InvalidVersion:
        raise MetadataError(
            f"the core metadata from {source} has a bad version {version!r}"
        ) from None
    requires_python = message.get("Requires-Python")  # type: ignore[attr-defined]
    return Metadata(
        name=str(name).strip(),
        version=str(version).strip(),
        requires_dist=tuple(
            str(r).strip()
            for r in message.get_all("Requires-Dist") or ()  # type: ignore[attr-defined]
        ),
        requires_python=str(requires_python).strip() if requires_python else None,
        extras=tuple(
            str(canonicalize_name(str(e).strip()))
            for e in message.get_all("Provides-Extra") or ()  # type: ignore[attr-defined]
        ),
        source=source,
        summary=" ".join(str(message.get("Summary") or "").split()),  # type: ignore[attr-defined]
    )


def reliable_sdist_metadata(text: str) -> bool:
    """Whether an sdist's ``PKG-INFO`` may be trusted for dependencies (PEP 643).

    Only metadata version 2.2 and later promises that fields not listed as ``Dynamic`` are
    what the built wheel will say; older ``PKG-INFO`` files often omit requirements entirely.
    """
    message, version = _headers(text)
    try:
        if Version(version) < Version("2.2"):
            return False
    except InvalidVersion:
        return False
    dynamic = {str(d).strip().lower() for d in message.get_all("Dynamic") or ()}  # type: ignore[attr-defined]
    return not dynamic & {"requires-dist", "requires-python", "provides-extra"}
