"""The outside world: one adapter per source behind the small Source protocol of ``base``.

Only this package imports gspread.
"""

from .base import ProblemKind, Pulled, SheetRef, Source, SourceProblem, Version
from .excel import ExcelFolderSource, WorkbookError, read_xlsx

__all__ = [
    "ExcelFolderSource",
    "ProblemKind",
    "Pulled",
    "SheetRef",
    "Source",
    "SourceProblem",
    "Version",
    "WorkbookError",
    "read_xlsx",
]
