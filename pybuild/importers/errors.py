"""The error every importer raises for a file it cannot read: which file, which line, why."""

from __future__ import annotations

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


def read_import_file(path: Path) -> str:
    """The text of a file to import, or an ImportFileError saying why it cannot be read."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ImportFileError(path, 0, "no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ImportFileError(path, 0, f"cannot read it: {exc}") from None
