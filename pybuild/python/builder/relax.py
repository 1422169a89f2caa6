"""``relax_deps`` and ``remove_deps``: loosen or drop requirements of the installed wheel, as
nixpkgs' pythonRelaxDeps and pythonRemoveDeps do.

Upstreams pin conservatively (``numpy<2.3``, ``packaging==24.*``), and a set has one version
of each package: a bound known to be wrong must give way, or the runtime deps check refuses
the build. The installed ``METADATA`` is rewritten (and its line of ``RECORD`` with it), not
just the check told to look away, so that whatever reads the requirements later
(``importlib.metadata``, pip's checker, the runtime deps check) agrees with the recipe.
Relaxing keeps a requirement's name, extras and marker and drops its version bound; removing
drops every ``Requires-Dist`` line of that name. ``True`` relaxes (or removes) them all, as in
nixpkgs. A name the wheel does not require is an error: the recipe is out of date.
"""

import base64
import hashlib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name


class RelaxError(Exception):
    """``relax_deps`` or ``remove_deps`` names a requirement the wheel does not have."""


def relax_installed(dist_info: Path, relax, remove) -> list:
    """Rewrite ``dist_info``'s requirements; a line per requirement changed, for the log."""
    if not relax and not remove:
        return []
    metadata = dist_info / "METADATA"
    text = metadata.read_text(encoding="utf-8")
    head, sep, body = text.partition("\n\n")
    lines, changes, seen = [], [], set()
    for line in head.split("\n"):
        key, colon, value = line.partition(":")
        if not colon or key.strip().lower() != "requires-dist":
            lines.append(line)
            continue
        req = Requirement(value.strip())
        name = canonicalize_name(req.name)
        if _names(remove, name):
            seen.add(name)
            changes.append(f"removed {value.strip()}")
            continue
        if _names(relax, name) and req.specifier:
            seen.add(name)
            old = value.strip()
            req.specifier = SpecifierSet()
            line = f"Requires-Dist: {req}"
            changes.append(f"relaxed {old} to {req}")
        elif _names(relax, name):
            seen.add(name)
        lines.append(line)
    _refuse_unknown(relax, remove, seen)
    new = "\n".join(lines) + sep + body
    metadata.write_text(new, encoding="utf-8")
    _update_record(dist_info, new.encode("utf-8"))
    return changes


def _names(chosen, name: str) -> bool:
    """Whether `chosen` (``True`` or a list of names) covers the canonical `name`."""
    if chosen is True:
        return True
    return name in {canonicalize_name(n) for n in chosen or ()}


def _refuse_unknown(relax, remove, seen: set) -> None:
    for attr, chosen in (("relax_deps", relax), ("remove_deps", remove)):
        if chosen is True or not chosen:
            continue
        unknown = sorted(n for n in chosen if canonicalize_name(n) not in seen)
        if unknown:
            raise RelaxError(
                f"{attr} names {', '.join(unknown)}, which the wheel does not require;"
                f" drop it from {attr}"
            )


def _update_record(dist_info: Path, data: bytes) -> None:
    """``RECORD``'s line for ``METADATA`` gets the new hash and size, as installer wrote it."""
    record = dist_info / "RECORD"
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    target = f"{dist_info.name}/METADATA"
    rows = []
    for row in record.read_text(encoding="utf-8").splitlines():
        if row.split(",", 1)[0] == target:
            row = f"{target},sha256={digest},{len(data)}"
        rows.append(row)
    record.write_text("\n".join(rows) + "\n", encoding="utf-8")
