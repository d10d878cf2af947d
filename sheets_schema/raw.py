"""The source-neutral input of the parser: what a spreadsheet holds under its defined names.

Every source (an .xlsx file, a Google Sheet) is reduced to this shape before parsing, so the
parser never knows where the cells came from. Values are what the spreadsheet stores, not what
it displays: numbers as numbers, dates as datetimes (xlsx) or serial numbers (Google), text as
typed. Each cell carries its number format, because a unit who types "8,5%" gets 0.085 stored
with a percent format, and only the format tells the parser it means 8.5 percent points.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

CellValue = str | int | float | bool | datetime | date | None

# Quoted literals ("%") and backslash escapes (\%) in an Excel format are not the percent operator.
_FORMAT_LITERALS = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')


@dataclass(frozen=True, slots=True)
class Cell:
    """One stored cell value and its number format (Excel code, or a Google format type)."""

    value: CellValue = None
    number_format: str = ""
    # A formula whose result the file does not hold (written by a program, never calculated).
    formula: str = ""

    @property
    def is_percent(self) -> bool:
        """True when the stored number is a fraction displayed as a percent (0.085 → 8,5%)."""
        fmt = self.number_format
        if not fmt:
            return False
        if fmt.upper() == "PERCENT":  # Google's effectiveFormat.numberFormat.type
            return True
        return "%" in _FORMAT_LITERALS.sub("", fmt)


EMPTY = Cell()


@dataclass(frozen=True, slots=True)
class Block:
    """The cells under one defined name: a rectangle anchored at (row, col), both 1-based.

    ``cells`` is padded to the full rectangle. ``error`` is set instead when the name exists
    but no longer points anywhere usable (its range became ``#REF!``, its tab was deleted).
    """

    name: str
    sheet: str | None
    row: int
    col: int
    cells: tuple[tuple[Cell, ...], ...] = ()
    error: str | None = None
    # (height, width) the name covers in the file when that is larger than the schema declares;
    # ``cells`` then holds only the declared area (the parser reports the difference).
    covers: tuple[int, int] | None = None

    @property
    def height(self) -> int:
        return len(self.cells)

    @property
    def width(self) -> int:
        return len(self.cells[0]) if self.cells else 0

    def cell(self, r: int = 0, c: int = 0) -> Cell:
        """The cell at offset (r, c) inside the block; an empty cell outside the stored grid."""
        if 0 <= r < len(self.cells) and 0 <= c < len(self.cells[r]):
            return self.cells[r][c]
        return EMPTY


@dataclass(frozen=True, slots=True)
class RawReport:
    """Everything the parser needs from one unit's spreadsheet."""

    sheet_titles: tuple[str, ...]
    blocks: Mapping[str, Block] = field(default_factory=dict)
    locale: str | None = None
    time_zone: str | None = None
    # Google's numeric sheetId per tab title, to link a finding to its cell; empty for xlsx.
    sheet_ids: Mapping[str, int] = field(default_factory=dict)
    # Values far outside the template's area, ignored by the reader: tab title → A1 of one.
    far_cells: Mapping[str, str] = field(default_factory=dict)


def pad_grid(rows: list[list[Cell]], height: int, width: int) -> tuple[tuple[Cell, ...], ...]:
    """Pad a ragged grid (APIs omit trailing empty rows and columns) to height × width."""
    out = []
    for r in range(height):
        row = rows[r] if r < len(rows) else []
        row = list(row[:width]) + [EMPTY] * (width - len(row))
        out.append(tuple(row))
    return tuple(out)
