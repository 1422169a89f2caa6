"""The error every importer raises for a file it cannot read: which file, which line, why."""

from __future__ import annotations

from pathlib import Path

from ..errors import PybuildError

__all__ = ["ImportFileError"]


class ImportFileError(PybuildError):
    """A requirements, pyproject or lock file is malformed; `line` is 1-based (0: unknown)."""

    def __init__(self, path: str | Path, line: int, reason: str, hint: str = "") -> None:
        self.path, self.line, self.reason = str(path), line, reason
        where = f"{path}:{line}" if line else str(path)
        super().__init__(f"{where}: {reason}")
        self.hint = hint
