"""The error every importer raises for a file it cannot read: which file, which line, why."""

from __future__ import annotations

import codecs
from pathlib import Path

from ..errors import PybuildError

__all__ = ["ImportFileError", "read_import_file"]


class ImportFileError(PybuildError):
    """A requirements, pyproject or lock file is malformed; `line` is 1-based (0: unknown)."""

    def __init__(self, path: str | Path, line: int, reason: str, hint: str = "") -> None:
        self.path, self.line, self.reason = str(path), line, reason
        where = f"{path}:{line}" if line else str(path)
        super().__init__(f"{where}: {reason}")
        self.hint = hint


# Byte-order marks and their encodings, UTF-32's first: its little-endian mark begins with
# UTF-16's.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def read_import_file(path: Path) -> str:
    """The text of a file to import, or an ImportFileError saying why it cannot be read.

    Decoded as pip decodes a requirements file: by its byte-order mark when it has one
    (Notepad writes UTF-8 with one, PowerShell's ``pip freeze > requirements.txt`` UTF-16),
    else as UTF-8. The mark is not part of the text."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise ImportFileError(path, 0, "no such file") from None
    except OSError as exc:
        raise ImportFileError(path, 0, f"cannot read it: {exc}") from None
    bom, encoding = next(((b, e) for b, e in _BOMS if data.startswith(b)), (b"", "utf-8"))
    try:
        return data[len(bom) :].decode(encoding)
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            path, 0, f"cannot read it: {exc}", "save it as UTF-8, as pip and uv write it"
        ) from None
