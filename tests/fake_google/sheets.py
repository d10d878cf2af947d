"""One fake native spreadsheet: a real openpyxl workbook plus what Google keeps beside it.

Google identifies tabs by sheetId and named ranges by namedRangeId, not by title, so both are
kept here (loaded once from the workbook's tabs and workbook-level defined names). Everything
Sheets v4 answers about a spreadsheet is computed from this object.
"""

from __future__ import annotations

import copy
import io
import re
import zlib
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import Cell as XlCell
from openpyxl.utils.cell import coordinate_to_tuple
from openpyxl.worksheet.worksheet import Worksheet

from . import cells as C
from .errors import invalid_argument

DEFAULT_ROWS, DEFAULT_COLUMNS = 1000, 26


@dataclass
class SheetMeta:
    sheet_id: int
    ws: Worksheet
    row_count: int
    column_count: int
    frozen_rows: int = 0
    frozen_columns: int = 0
    hidden: bool = False
    basic_filter: dict[str, Any] | None = None


@dataclass
class NamedRange:
    id: str
    name: str
    sheet_id: int
    bounds: C.Bounds


@dataclass
class Area:
    """A resolved range: the tab and a rectangle clamped to its grid (0-based, ends excl.)."""

    sheet: SheetMeta
    r0: int
    c0: int
    r1: int
    c1: int

    @property
    def a1(self) -> str:
        return f"{C.quote_title(self.sheet.ws.title)}!{C.a1(self.r0, self.c0, self.r1, self.c1)}"


@dataclass
class Spreadsheet:
    """The Sheets-side state of one file."""

    wb: Workbook
    title: str
    sheets: list[SheetMeta]
    named_ranges: list[NamedRange]
    locale: str = "vi_VN"
    time_zone: str = "Asia/Ho_Chi_Minh"
    # Per sheetId: userEnteredFormat of cells written through the API, and every formatting or
    # structure request received, in order, for tests to assert on.
    cell_formats: dict[int, dict[tuple[int, int], dict[str, Any]]] = field(default_factory=dict)
    requests: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    protected: list[dict[str, Any]] = field(default_factory=list)
    conditional: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    # Per sheetId: each cell's DataValidationRule (convert.py, setDataValidation).
    validations: dict[int, dict[tuple[int, int], dict[str, Any]]] = field(default_factory=dict)
    # What the .xlsx conversion dropped: (feature, sheet title, range), see convert.py.
    dropped: list[tuple[str, str, str]] = field(default_factory=list)
    # A typed "95%" in a cell with an explicit number format: "switch" (the cell becomes a
    # percent cell) or "keep" (the stored 0.95 keeps the cell's "0.00": Google's choice here
    # is undocumented, so tests cover both).
    percent_entry: str = "switch"
    next_id: int = 1_000_001

    # ------------------------------------------------------------------ construction

    @classmethod
    def from_xlsx(cls, data: bytes, title: str) -> Spreadsheet:
        wb = load_workbook(io.BytesIO(data))
        return cls.from_workbook(wb, title)

    @classmethod
    def from_workbook(cls, wb: Workbook, title: str) -> Spreadsheet:
        book = cls(wb=wb, title=title, sheets=[], named_ranges=[])
        for index, ws in enumerate(wb.worksheets):
            sheet_id = 0 if index == 0 else book._new_id()
            frozen_rows, frozen_cols = 0, 0
            if ws.freeze_panes:
                row, col = coordinate_to_tuple(ws.freeze_panes)
                frozen_rows, frozen_cols = row - 1, col - 1
            book.sheets.append(
                SheetMeta(
                    sheet_id,
                    ws,
                    max(ws.max_row, DEFAULT_ROWS),
                    max(ws.max_column, DEFAULT_COLUMNS),
                    frozen_rows,
                    frozen_cols,
                    ws.sheet_state != "visible",
                )
            )
        for name, defined in wb.defined_names.items():
            if name.startswith("_xlnm."):
                continue
            book.named_ranges.append(book._named_from_defined(name, defined.attr_text))
        return book

    @classmethod
    def blank(cls, title: str, sheet_title: str = "Trang tính1") -> Spreadsheet:
        wb = Workbook()
        wb.worksheets[0].title = sheet_title
        return cls.from_workbook(wb, title)

    def _new_id(self) -> int:
        self.next_id += 7919  # sparse, like Google's random ids, but deterministic
        return self.next_id

    def _named_from_defined(self, name: str, attr_text: str) -> NamedRange:
        nid = str(zlib.crc32(name.encode()))
        title, ref = C.split_sheet(attr_text.split(",")[0])
        bounds = C.parse_a1(ref) if ref else None
        meta = self.sheet_by_title(title) if title else None
        if meta is None or bounds is None:
            # The name points at a deleted tab or at #REF!: kept pointing at no live sheet (a
            # sheetId nothing uses), and left out of every answer, as Google does.
            return NamedRange(nid, name, self._new_id(), C.Bounds(0, 0, 1, 1))
        return NamedRange(nid, name, meta.sheet_id, bounds)

    def clone(self) -> Spreadsheet:
        """An independent copy (for atomic batches and Drive copies).

        Through .xlsx bytes, because deepcopy of an openpyxl Workbook silently drops its
        style tables (number formats then point nowhere).
        """
        buf = io.BytesIO()
        self.wb.save(buf)
        wb = load_workbook(io.BytesIO(buf.getvalue()))
        twin = copy.copy(self)
        twin.wb = wb
        twin.sheets = [replace(m, ws=wb.worksheets[i]) for i, m in enumerate(self.sheets)]
        twin.named_ranges = copy.deepcopy(self.named_ranges)
        twin.cell_formats = copy.deepcopy(self.cell_formats)
        twin.requests = copy.deepcopy(self.requests)
        twin.protected = copy.deepcopy(self.protected)
        twin.conditional = copy.deepcopy(self.conditional)
        twin.validations = copy.deepcopy(self.validations)
        return twin

    # ------------------------------------------------------------------ lookups

    def sheet_by_title(self, title: str) -> SheetMeta | None:
        return next((s for s in self.sheets if s.ws.title == title), None)

    def sheet_by_id(self, sheet_id: int) -> SheetMeta | None:
        return next((s for s in self.sheets if s.sheet_id == sheet_id), None)

    def named(self, name: str) -> NamedRange | None:
        return next((n for n in self.named_ranges if n.name == name), None)

    def area(self, meta: SheetMeta, b: C.Bounds) -> Area:
        r1 = meta.row_count if b.r1 is None else b.r1
        c1 = meta.column_count if b.c1 is None else b.c1
        return Area(meta, b.r0 or 0, b.c0 or 0, r1, c1)

    def resolve(self, text: str) -> Area:
        """Resolve a range as Sheets does: a named range, `Tab!A1:B2`, `Tab`, or `A1:B2`."""
        nr = self.named(text)
        if nr is not None:
            meta = self.sheet_by_id(nr.sheet_id)
            if meta is None:
                raise invalid_argument("sheets", f"Unable to parse range: {text}")
            return self.area(meta, nr.bounds)
        title, ref = C.split_sheet(text)
        if title is None:
            meta = self.sheet_by_title(text)
            if meta is not None:
                return self.area(meta, C.Bounds(0, 0, None, None))
            meta = self.sheets[0]
        else:
            meta = self.sheet_by_title(title)
        bounds = C.parse_a1(ref) if ref else C.Bounds(0, 0, None, None)
        if meta is None or bounds is None:
            raise invalid_argument("sheets", f"Unable to parse range: {text}")
        return self.area(meta, bounds)

    def grid_area(self, grid_range: dict[str, Any]) -> Area:
        meta = self.require_sheet(int(grid_range.get("sheetId", 0)))
        return Area(
            meta,
            int(grid_range.get("startRowIndex", 0)),
            int(grid_range.get("startColumnIndex", 0)),
            int(grid_range.get("endRowIndex", meta.row_count)),
            int(grid_range.get("endColumnIndex", meta.column_count)),
        )

    def require_sheet(self, sheet_id: int) -> SheetMeta:
        meta = self.sheet_by_id(sheet_id)
        if meta is None:
            raise invalid_argument("sheets", f"No grid with id: {sheet_id}")
        return meta

    def cell(self, meta: SheetMeta, r: int, c: int) -> Any:
        """The stored cell at 0-based (r, c), without creating it."""
        return meta.ws._cells.get((r + 1, c + 1))

    def check_grid(self, meta: SheetMeta, r1: int, c1: int) -> None:
        if r1 > meta.row_count or c1 > meta.column_count:
            raise invalid_argument(
                "sheets",
                f"Range ({C.quote_title(meta.ws.title)}!{C.a1(r1 - 1, c1 - 1, r1, c1)}) "
                f"exceeds grid limits. Max rows: {meta.row_count}, max columns: "
                f"{meta.column_count}",
            )

    # ------------------------------------------------------------------ Spreadsheet JSON

    def to_json(
        self, spreadsheet_id: str, *, grid: bool, ranges: list[str] | None = None
    ) -> dict[str, Any]:
        """The Spreadsheet resource, with GridData when `grid` (for `ranges`, or every cell)."""
        per_sheet: dict[int, list[Area]] = {}
        if ranges:
            for text in ranges:
                area = self.resolve(text)
                per_sheet.setdefault(area.sheet.sheet_id, []).append(area)
        sheets = []
        for index, meta in enumerate(self.sheets):
            if ranges and meta.sheet_id not in per_sheet:
                continue
            sheet: dict[str, Any] = {"properties": self.sheet_properties(meta, index)}
            if grid:
                areas = per_sheet.get(meta.sheet_id) or [
                    Area(meta, 0, 0, meta.row_count, meta.column_count)
                ]
                sheet["data"] = [self.grid_data(a) for a in areas]
            merges = [self._merge_range(meta, m) for m in meta.ws.merged_cells.ranges]
            if merges:
                sheet["merges"] = merges
            protected = [p for p in self.protected if p["range"].get("sheetId", 0) == meta.sheet_id]
            if protected:
                sheet["protectedRanges"] = protected
            if self.conditional.get(meta.sheet_id):
                sheet["conditionalFormats"] = self.conditional[meta.sheet_id]
            if meta.basic_filter is not None:
                sheet["basicFilter"] = meta.basic_filter
            sheets.append(sheet)
        out: dict[str, Any] = {
            "spreadsheetId": spreadsheet_id,
            "properties": {
                "title": self.title,
                "locale": self.locale,
                "autoRecalc": "ON_CHANGE",
                "timeZone": self.time_zone,
                "defaultFormat": C.DEFAULT_FORMAT,
            },
            "sheets": sheets,
        }
        # Google does not return a named range that no longer points at a live tab (its tab
        # was deleted, or it came from an .xlsx defined name that was already #REF!): such
        # names simply vanish from every answer (gspread issue tracker; never a #REF! range).
        live = [n for n in self.named_ranges if self.sheet_by_id(n.sheet_id) is not None]
        if live:
            out["namedRanges"] = [self.named_json(n) for n in live]
        out["spreadsheetUrl"] = f"https://docs.google.com/spreadsheets/d/{spreadsheet_id}/edit"
        return out

    def sheet_properties(self, meta: SheetMeta, index: int | None = None) -> dict[str, Any]:
        grid: dict[str, Any] = {"rowCount": meta.row_count, "columnCount": meta.column_count}
        if meta.frozen_rows:
            grid["frozenRowCount"] = meta.frozen_rows
        if meta.frozen_columns:
            grid["frozenColumnCount"] = meta.frozen_columns
        props: dict[str, Any] = {
            "sheetId": meta.sheet_id,
            "title": meta.ws.title,
            "index": self.sheets.index(meta) if index is None else index,
            "sheetType": "GRID",
            "gridProperties": grid,
        }
        if meta.hidden:
            props["hidden"] = True
        return props

    def named_json(self, nr: NamedRange) -> dict[str, Any]:
        meta = self.sheet_by_id(nr.sheet_id)
        rng = self.grid_range(nr.sheet_id, nr.bounds, meta)
        return {"namedRangeId": nr.id, "name": nr.name, "range": rng}

    @staticmethod
    def grid_range(sheet_id: int, b: C.Bounds, meta: SheetMeta | None = None) -> dict[str, Any]:
        # Like Google: sheetId 0 is left out, open ends are left out, other zeros are kept.
        rng: dict[str, Any] = {} if sheet_id == 0 else {"sheetId": sheet_id}
        if b.r0 is not None and (b.r1 is not None or b.r0):
            rng["startRowIndex"] = b.r0
        if b.r1 is not None:
            rng["endRowIndex"] = b.r1
        if b.c0 is not None and (b.c1 is not None or b.c0):
            rng["startColumnIndex"] = b.c0
        if b.c1 is not None:
            rng["endColumnIndex"] = b.c1
        return rng

    def _merge_range(self, meta: SheetMeta, merged: Any) -> dict[str, Any]:
        b = C.Bounds(merged.min_row - 1, merged.min_col - 1, merged.max_row, merged.max_col)
        return self.grid_range(meta.sheet_id, b)

    def grid_data(self, area: Area) -> dict[str, Any]:
        """GridData of an area: trailing empty rows and cells left out, as Google does."""
        meta = area.sheet
        formats = self.cell_formats.get(meta.sheet_id, {})
        last_r = max([meta.ws.max_row] + [r + 1 for r, _ in formats])
        last_c = max([meta.ws.max_column] + [c + 1 for _, c in formats])
        rows: list[dict[str, Any]] = []
        for r in range(area.r0, min(area.r1, last_r)):
            values = [self.cell_json(meta, r, c) for c in range(area.c0, min(area.c1, last_c))]
            while values and not values[-1]:
                values.pop()
            rows.append({"values": values} if values else {})
        while rows and not rows[-1]:
            rows.pop()
        data: dict[str, Any] = {}
        if area.r0:
            data["startRow"] = area.r0
        if area.c0:
            data["startColumn"] = area.c0
        if rows:
            data["rowData"] = rows
        data["rowMetadata"] = [{"pixelSize": 21}] * (area.r1 - area.r0)
        data["columnMetadata"] = [{"pixelSize": 100}] * (area.c1 - area.c0)
        return data

    def cell_json(self, meta: SheetMeta, r: int, c: int) -> dict[str, Any]:
        """CellData of one cell; {} for a cell with neither value nor format."""
        xl = self.cell(meta, r, c)
        stored = self.cell_formats.get(meta.sheet_id, {}).get((r, c))
        out: dict[str, Any] = {}
        if xl is not None and xl.value is not None:
            entered = C.user_entered_value(xl)
            if entered is not None:
                out["userEnteredValue"] = entered
            effective = C.effective_value(xl)
            if effective is not None:
                out["effectiveValue"] = effective
            shown = C.formatted_value(xl)
            if shown is not None:
                out["formattedValue"] = shown
        user_format = dict(stored or {})
        nf = C.number_format(xl) if xl is not None else None
        if nf and "numberFormat" not in user_format:
            user_format["numberFormat"] = nf
        validation = self.validations.get(meta.sheet_id, {}).get((r, c))
        if validation is not None:
            out["dataValidation"] = copy.deepcopy(validation)
        if not out and not user_format:
            return {}
        if user_format:
            out["userEnteredFormat"] = user_format
        effective_format = copy.deepcopy(C.DEFAULT_FORMAT)
        if "numberValue" in out.get("effectiveValue", {}):
            effective_format["horizontalAlignment"] = "RIGHT"
        effective_format.update(user_format)
        out["effectiveFormat"] = effective_format
        return out

    # ------------------------------------------------------------------ values API

    def read_values(
        self, area: Area, render: str, datetime_render: str, major: str = "ROWS"
    ) -> dict[str, Any]:
        """A ValueRange: trailing empty rows and cells left out, `values` absent when empty."""
        meta = area.sheet
        rows: list[list[Any]] = []
        for r in range(area.r0, min(area.r1, meta.ws.max_row)):
            row = [
                self.render(self.cell(meta, r, c), render, datetime_render)
                for c in range(area.c0, min(area.c1, meta.ws.max_column))
            ]
            while row and row[-1] == "":
                row.pop()
            rows.append(row)
        while rows and not rows[-1]:
            rows.pop()
        if major == "COLUMNS" and rows:
            width = max(len(r) for r in rows)
            padded = [r + [""] * (width - len(r)) for r in rows]
            rows = [list(col) for col in zip(*padded, strict=True)]
        out: dict[str, Any] = {"range": area.a1, "majorDimension": major}
        if rows:
            out["values"] = rows
        return out

    @staticmethod
    def render(xl: XlCell | None, render: str, datetime_render: str) -> Any:
        if xl is None or xl.value is None:
            return ""
        if render == "FORMULA" and C.is_formula(xl):
            return xl.value
        if render == "FORMATTED_VALUE" or C.is_error(xl):
            return C.formatted_value(xl) or ""
        value = C.effective_value(xl)
        if value is None:
            return ""
        if "numberValue" in value and datetime_render == "FORMATTED_STRING":
            kind = C.format_type(xl.number_format)
            if kind in ("DATE", "DATE_TIME", "TIME") or not isinstance(xl.value, int | float):
                return C.formatted_value(xl)
        return next(iter(value.values()))

    def write_values(self, area: Area, values: list[list[Any]], input_option: str) -> int:
        """Write a grid from the area's top-left; null leaves a cell, "" clears it."""
        meta = area.sheet
        height = len(values)
        width = max((len(r) for r in values), default=0)
        self.check_grid(meta, area.r0 + height, area.c0 + width)
        count = 0
        for dr, row in enumerate(values):
            for dc, value in enumerate(row):
                if value is None:
                    continue
                xl = meta.ws.cell(area.r0 + dr + 1, area.c0 + dc + 1)
                set_input(xl, value, input_option, self.locale, self.percent_entry)
                count += 1
        return count

    def clear(self, area: Area) -> None:
        for (r, c), xl in list(area.sheet.ws._cells.items()):
            if area.r0 < r <= area.r1 and area.c0 < c <= area.c1:
                xl.value = None


def set_input(
    xl: Any, value: Any, input_option: str, locale: str = "en_US", percent_entry: str = "switch"
) -> None:
    """Store a value as Sheets would for valueInputOption RAW or USER_ENTERED.

    USER_ENTERED text is read in the spreadsheet's locale (vi_VN: "1.234,5", "15/03/2023").
    A typed percent switches a General cell to a percent format; a cell with an explicit
    number format switches too, or keeps its format with ``percent_entry="keep"``.
    """
    if value == "":
        xl.value = None
        return
    if isinstance(value, str) and input_option == "USER_ENTERED":
        parsed = parse_user_entered(value, locale)
        if parsed is not value:
            xl.value = parsed
            explicit = xl.number_format not in (None, "", "General")
            if value.strip().endswith("%") and not (explicit and percent_entry == "keep"):
                xl.number_format = "0.00%"
            elif isinstance(parsed, datetime) and C.format_type(xl.number_format) != "DATE":
                xl.number_format = "dd/mm/yyyy" if locale.startswith("vi") else "m/d/yyyy"
            return
        if value.startswith("="):
            xl.value = value  # a formula
            return
    set_text_or_value(xl, value)


def set_text_or_value(xl: Any, value: Any) -> None:
    xl.value = value
    if isinstance(value, str):
        # openpyxl turns "=…" into a formula and "#REF!" into an error; text stays text here.
        xl.data_type = "s"


def parse_user_entered(text: str, locale: str = "en_US") -> Any:
    """What Sheets makes of typed text in ``locale``: numbers with the locale's separators,
    percents, day-first (vi_VN) or month-first (en_US) dates, booleans; else the text."""
    t = text.strip()
    if t.upper() in ("TRUE", "FALSE"):
        return t.upper() == "TRUE"
    vi = locale.startswith("vi")
    group, point = (".", ",") if vi else (",", ".")
    m = _DATE_TYPED.fullmatch(t)
    if m:
        a, b, year = (int(x) for x in m.groups())
        day, month = (a, b) if vi else (b, a)
        try:
            return datetime(year, month, day)
        except ValueError:
            return text
    body, percent = (t[:-1].strip(), True) if t.endswith("%") else (t, False)
    if not _NUMBER_TYPED.fullmatch(body.replace(group, "").replace(point, ".")):
        return text
    if group in body and not re.fullmatch(
        r"-?\d{1,3}(?:" + re.escape(group) + r"\d{3})+(?:" + re.escape(point) + r"\d+)?", body
    ):
        return text  # "1.2.3" is not a number in this locale
    number = float(body.replace(group, "").replace(point, "."))
    return C.number(number / 100 if percent else number)


_DATE_TYPED = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_NUMBER_TYPED = re.compile(r"-?\d+(?:\.\d+)?")


__all__ = ["Area", "NamedRange", "SheetMeta", "Spreadsheet", "set_input"]
