"""The "Lỗi cần sửa" table of the Google status sheet: every finding, linked to its cell.

One row per finding of every unit (the same findings as findings.csv, from `unit_findings`),
in roster order and then by position in the unit's file. Each row carries the address of the
cell in the unit's own Google Sheet; the writer turns it into a text-format link, never a
formula, and every value here is plain text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from openpyxl.utils.cell import coordinate_from_string, range_boundaries

from sheets_schema import Finding, Severity

from ..model import UnitOutcome
from .files import unit_findings

TITLE = "Lỗi cần sửa"
HEADER = ["Mã đơn vị", "Tên đơn vị", "Mức", "Trang", "Ô", "Nội dung", "Giá trị đã nhập"]
LINK_COL = HEADER.index("Ô")
ERROR_COLOR = "#FFC7CE"
WARNING_COLOR = "#FFEB9C"
# The key of a Google Sheets link, as the workbook's links read it (outputs/cells.py).
_GOOGLE_KEY = re.compile(r"https://docs\.google\.com/spreadsheets/d/([A-Za-z0-9_-]+)")


@dataclass(frozen=True)
class FixTable:
    """Rows of plain text, one colour and one link (or None) per row."""

    header: list[str]
    rows: list[list[str | None]]
    colors: list[str | None]
    links: list[str | None]
    link_column: int = LINK_COL
    title: str = TITLE


def fix_table(outcomes: list[UnitOutcome]) -> FixTable:
    """Every finding of every unit, roster order then position, each with its cell's link."""
    rows: list[list[str | None]] = []
    colors: list[str | None] = []
    links: list[str | None] = []
    for o in outcomes:
        sheet_ids = o.report.sheet_ids if o.report else {}
        found = unit_findings(o)
        # Tabs in the file's order (known for Google sheets), else as the findings name them.
        tab_order = {tab: i for i, tab in enumerate(sheet_ids)}
        for f in found:
            tab_order.setdefault(f.tab, len(tab_order))
        for f in sorted(found, key=lambda f: _position(f, tab_order)):
            error = f.severity is Severity.ERROR
            where = f.cell or ("(cả trang)" if f.tab else "(cả bảng tính)")
            rows.append([o.unit.code, o.unit.name, "Lỗi" if error else "Cảnh báo", f.tab, where,
                         f.message, f.value])  # fmt: skip
            colors.append(ERROR_COLOR if error else WARNING_COLOR)
            links.append(google_cell_url(o.link, sheet_ids, f.tab, f.cell))
    return FixTable(list(HEADER), rows, colors, links)


def google_cell_url(link: str, sheet_ids: Mapping[str, int], tab: str = "", cell: str = "") -> str | None:  # fmt: skip
    """``…/edit#gid=<sheetId>&range=<A1>`` in the unit's Google Sheet, as far as known.

    Built from the spreadsheet key alone, so nothing else of the roster's text gets into it.
    None when ``link`` is not a Google Sheets link.
    """
    m = _GOOGLE_KEY.match(link.strip())
    if m is None:
        return None
    url = f"https://docs.google.com/spreadsheets/d/{m.group(1)}/edit"
    sheet_id = sheet_ids.get(tab) if tab else None
    if sheet_id is None:
        return url
    url += f"#gid={int(sheet_id)}"
    if cell and _is_a1(cell):
        url += f"&range={cell.upper()}"
    return url


def _is_a1(cell: str) -> bool:
    try:
        range_boundaries(cell)
    except (ValueError, TypeError):
        return False
    return True


def _position(f: Finding, tab_order: Mapping[str, int]) -> tuple[int, int, int, int]:
    """Sort key: whole-file findings first, then by tab, row and column."""
    if not f.tab:
        return (0, 0, 0, 0)
    tab = tab_order.get(f.tab, len(tab_order))
    if not f.cell or not _is_a1(f.cell):
        return (1, tab, 0, 0)
    letters, row = coordinate_from_string(f.cell.split(":")[0].upper())
    col = 0
    for ch in letters:
        col = col * 26 + ord(ch) - 64
    return (1, tab, row, col)
