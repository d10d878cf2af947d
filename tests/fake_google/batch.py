"""`spreadsheets.batchUpdate`: the request kinds this project and gspread send.

The server applies a batch to a copy of the spreadsheet and keeps the copy only when every
request succeeded: Google's batches are atomic. Unknown request kinds answer 400 as Google does.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

from . import cells as C
from .errors import invalid_argument
from .fields import Mask, MaskError, parse_mask
from .sheets import Area, NamedRange, SheetMeta, Spreadsheet, set_text_or_value

Reply = dict[str, Any]


def apply_batch(book: Spreadsheet, requests: list[dict[str, Any]]) -> list[Reply]:
    """Apply every request in order; raise GoogleError on the first bad one."""
    replies = []
    for i, request in enumerate(requests):
        if not isinstance(request, dict) or len(request) != 1:
            raise invalid_argument("sheets", f"Invalid requests[{i}]: exactly one kind expected.")
        ((kind, body),) = request.items()
        handler = _HANDLERS.get(kind)
        if handler is None:
            raise invalid_argument(
                "sheets",
                f"Invalid JSON payload received. Unknown name \"{kind}\" at 'requests[{i}]': "
                "Cannot find field.",
            )
        replies.append(handler(book, body or {}))
    return replies


def _record(book: Spreadsheet, sheet_id: int, kind: str, body: dict[str, Any]) -> None:
    book.requests.setdefault(sheet_id, []).append({kind: copy.deepcopy(body)})


def _fields(mask: str | None) -> list[str]:
    return [f.strip() for f in (mask or "").split(",") if f.strip()]


# ---------------------------------------------------------------------------- sheets


def add_sheet(book: Spreadsheet, body: dict[str, Any]) -> Reply:
    props = body.get("properties", {})
    title = props.get("title") or _free_title(book)
    if book.sheet_by_title(title) is not None:
        raise invalid_argument(
            "sheets",
            f'Invalid requests[0].addSheet: A sheet with the name "{title}" already exists. '
            "Please enter another name.",
        )
    sheet_id = props.get("sheetId")
    if sheet_id is None:
        sheet_id = book._new_id()
    elif book.sheet_by_id(int(sheet_id)) is not None:
        raise invalid_argument(
            "sheets", f"Invalid requests[0].addSheet: Sheet with id {sheet_id} already exists."
        )
    index = min(int(props.get("index", len(book.sheets))), len(book.sheets))
    grid = props.get("gridProperties", {})
    ws = book.wb.create_sheet(title, index)
    meta = SheetMeta(
        int(sheet_id),
        ws,
        int(grid.get("rowCount", 1000)),
        int(grid.get("columnCount", 26)),
        int(grid.get("frozenRowCount", 0)),
        int(grid.get("frozenColumnCount", 0)),
        bool(props.get("hidden", False)),
    )
    book.sheets.insert(index, meta)
    _record(book, meta.sheet_id, "addSheet", body)
    return {"addSheet": {"properties": book.sheet_properties(meta)}}


def _free_title(book: Spreadsheet) -> str:
    n = len(book.sheets) + 1
    while book.sheet_by_title(f"Trang tính{n}") is not None:
        n += 1
    return f"Trang tính{n}"


def delete_sheet(book: Spreadsheet, body: dict[str, Any]) -> Reply:
    meta = book.require_sheet(int(body.get("sheetId", 0)))
    if len(book.sheets) == 1:
        raise invalid_argument("sheets", "You can't remove all the sheets in a document.")
    book.wb.remove(meta.ws)
    book.sheets.remove(meta)
    return {}


def update_sheet_properties(book: Spreadsheet, body: dict[str, Any]) -> Reply:
    props = body.get("properties", {})
    meta = book.require_sheet(int(props.get("sheetId", 0)))
    fields = _fields(body.get("fields"))
    if not fields:
        raise invalid_argument("sheets", "At least one field must be updated, but none were.")

    def wants(path: str) -> bool:
        return "*" in fields or any(path == f or path.startswith(f + ".") for f in fields)

    grid = props.get("gridProperties", {})
    if wants("title") and props.get("title") and props["title"] != meta.ws.title:
        if book.sheet_by_title(props["title"]) is not None:
            raise invalid_argument(
                "sheets", f'A sheet with the name "{props["title"]}" already exists.'
            )
        meta.ws.title = props["title"]
    if wants("hidden"):
        meta.hidden = bool(props.get("hidden", False))
    if wants("index") and "index" in props:
        book.sheets.remove(meta)
        book.sheets.insert(min(int(props["index"]), len(book.sheets)), meta)
        # openpyxl keeps tab order in a private list; its move_sheet takes offsets, not orders.
        book.wb._sheets = [s.ws for s in book.sheets]  # type: ignore[attr-defined]
    if wants("gridProperties.rowCount") and "rowCount" in grid:
        meta.row_count = int(grid["rowCount"])
        _drop_beyond(meta, rows=meta.row_count)
    if wants("gridProperties.columnCount") and "columnCount" in grid:
        meta.column_count = int(grid["columnCount"])
        _drop_beyond(meta, cols=meta.column_count)
    if wants("gridProperties.frozenRowCount"):
        meta.frozen_rows = int(grid.get("frozenRowCount", 0))
        _check_freeze(meta, rows=meta.frozen_rows)
    if wants("gridProperties.frozenColumnCount"):
        meta.frozen_columns = int(grid.get("frozenColumnCount", 0))
        _check_freeze(meta, cols=meta.frozen_columns)
    _record(book, meta.sheet_id, "updateSheetProperties", body)
    return {}


def _check_freeze(meta: SheetMeta, rows: int | None = None, cols: int | None = None) -> None:
    """Google refuses to freeze through a merged cell (part above, part below the line)."""
    for merged in meta.ws.merged_cells.ranges:
        if rows and merged.min_row <= rows < merged.max_row:
            raise invalid_argument(
                "sheets", "You can't freeze rows which contain only part of a merged cell."
            )
        if cols and merged.min_col <= cols < merged.max_col:
            raise invalid_argument(
                "sheets", "You can't freeze columns which contain only part of a merged cell."
            )


def _drop_beyond(meta: SheetMeta, rows: int | None = None, cols: int | None = None) -> None:
    # Shrinking the grid deletes the rows or columns beyond it, with their content.
    for r, c in list(meta.ws._cells):
        if (rows is not None and r > rows) or (cols is not None and c > cols):
            del meta.ws._cells[(r, c)]


def update_spreadsheet_properties(book: Spreadsheet, body: dict[str, Any]) -> Reply:
    props = body.get("properties", {})
    fields = _fields(body.get("fields"))
    for key, attr in (("title", "title"), ("locale", "locale"), ("timeZone", "time_zone")):
        if ("*" in fields or key in fields) and key in props:
            setattr(book, attr, props[key])
    return {}


# ---------------------------------------------------------------------------- cells


def update_cells(book: Spreadsheet, body: dict[str, Any]) -> Reply:
    rows = body.get("rows", [])
    fields = _cell_mask(body.get("fields"))
    if "range" in body:
        area = book.grid_area(body["range"])
    elif "start" in body:
        start = body["start"]
        meta = book.require_sheet(int(start.get("sheetId", 0)))
        r0, c0 = int(start.get("rowIndex", 0)), int(start.get("columnIndex", 0))
        width = max((len(r.get("values", [])) for r in rows), default=0)
        area = Area(meta, r0, c0, r0 + len(rows), c0 + width)
    else:
        raise invalid_argument("sheets", "Invalid requests[0].updateCells: No range or start.")
    height = len(rows)
    width = max((len(r.get("values", [])) for r in rows), default=0)
    book.check_grid(area.sheet, max(area.r1, area.r0 + height), max(area.c1, area.c0 + width))
    covered: set[tuple[int, int]] = set()
    for dr, row in enumerate(rows):
        for dc, cell in enumerate(row.get("values", [])):
            r, c = area.r0 + dr, area.c0 + dc
            _write_cell(book, area.sheet, r, c, cell or {}, fields)
            covered.add((r, c))
    if "range" in body:
        # Google: cells of the range that the rows do not cover are cleared for `fields`.
        for r, c in _stored_positions(book, area):
            if (r, c) not in covered:
                _write_cell(book, area.sheet, r, c, {}, fields)
    _record(book, area.sheet.sheet_id, "updateCells", {k: v for k, v in body.items()})
    return {}


def _stored_positions(book: Spreadsheet, area: Area) -> set[tuple[int, int]]:
    out = {
        (r - 1, c - 1)
        for (r, c) in area.sheet.ws._cells
        if area.r0 < r <= area.r1 and area.c0 < c <= area.c1
    }
    for r, c in book.cell_formats.get(area.sheet.sheet_id, {}):
        if area.r0 <= r < area.r1 and area.c0 <= c < area.c1:
            out.add((r, c))
    return out


def repeat_cell(book: Spreadsheet, body: dict[str, Any]) -> Reply:
    area = book.grid_area(body.get("range", {}))
    area = Area(
        area.sheet,
        area.r0,
        area.c0,
        min(area.r1, area.sheet.row_count),
        min(area.c1, area.sheet.column_count),
    )
    fields = _cell_mask(body.get("fields"))
    cell = body.get("cell", {})
    for r in range(area.r0, area.r1):
        for c in range(area.c0, area.c1):
            _write_cell(book, area.sheet, r, c, cell, fields)
    _record(book, area.sheet.sheet_id, "repeatCell", body)
    return {}


def _cell_mask(text: str | None) -> Mask:
    """A CellData field mask; Google accepts `a.b`, `a/b` and `a(b,c)` alike."""
    if not text:
        raise invalid_argument("sheets", "At least one field must be updated, but none were.")
    try:
        return parse_mask(text.replace(".", "/"))
    except MaskError as exc:
        raise invalid_argument("sheets", f"Invalid field mask: {text}") from exc


def _write_cell(
    book: Spreadsheet, meta: SheetMeta, r: int, c: int, cell: dict[str, Any], mask: Mask
) -> None:
    every = "*" in mask
    if every or "userEnteredValue" in mask:
        _write_value(meta, r, c, cell.get("userEnteredValue"))
    if not every and "userEnteredFormat" not in mask:
        return
    formats = book.cell_formats.setdefault(meta.sheet_id, {})
    new = cell.get("userEnteredFormat") or {}
    keys = None if every else mask["userEnteredFormat"]
    if keys is None:
        merged = dict(new)
    else:
        merged = dict(formats.get((r, c), {}))
        for key in keys:  # only the named parts of the format change
            if key in new:
                merged[key] = new[key]
            else:
                merged.pop(key, None)
    if merged:
        formats[(r, c)] = merged
    else:
        formats.pop((r, c), None)
    if "numberFormat" in merged:
        meta.ws.cell(r + 1, c + 1).number_format = C.pattern_for(merged["numberFormat"])
    elif (xl := meta.ws._cells.get((r + 1, c + 1))) is not None:
        xl.number_format = "General"


def _write_value(meta: SheetMeta, r: int, c: int, value: dict[str, Any] | None) -> None:
    if not value:
        xl = meta.ws._cells.get((r + 1, c + 1))
        if xl is not None:
            xl.value = None
        return
    xl = meta.ws.cell(r + 1, c + 1)
    if "stringValue" in value:
        set_text_or_value(xl, str(value["stringValue"]))  # never parsed as a formula
    elif "numberValue" in value:
        xl.value = value["numberValue"]
    elif "boolValue" in value:
        xl.value = bool(value["boolValue"])
    elif "formulaValue" in value:
        xl.value = str(value["formulaValue"])
    else:
        raise invalid_argument("sheets", f"Invalid userEnteredValue: {sorted(value)}")


def set_basic_filter(book: Spreadsheet, body: dict[str, Any]) -> Reply:
    spec = copy.deepcopy(body.get("filter", {}))
    rng = spec.get("range")
    if not isinstance(rng, dict):
        raise invalid_argument(
            "sheets", "Invalid requests[0].setBasicFilter: filter.range is required."
        )
    area = book.grid_area(rng)
    book.check_grid(area.sheet, area.r1, area.c1)
    # Kept with every bound explicit, as spreadsheets.get shows it; one per sheet, replaced.
    spec["range"] = {"sheetId": area.sheet.sheet_id, "startRowIndex": area.r0,
                     "endRowIndex": area.r1, "startColumnIndex": area.c0, "endColumnIndex": area.c1}  # fmt: skip
    area.sheet.basic_filter = spec
    _record(book, area.sheet.sheet_id, "setBasicFilter", body)
    return {}


def clear_basic_filter(book: Spreadsheet, body: dict[str, Any]) -> Reply:
    meta = book.require_sheet(int(body.get("sheetId", 0)))
    meta.basic_filter = None
    _record(book, meta.sheet_id, "clearBasicFilter", body)
    return {}


def merge_cells(book: Spreadsheet, body: dict[str, Any]) -> Reply:
    area = book.grid_area(body.get("range", {}))
    area.sheet.ws.merge_cells(
        start_row=area.r0 + 1, start_column=area.c0 + 1, end_row=area.r1, end_column=area.c1
    )
    _record(book, area.sheet.sheet_id, "mergeCells", body)
    return {}


def unmerge_cells(book: Spreadsheet, body: dict[str, Any]) -> Reply:
    area = book.grid_area(body.get("range", {}))
    ws = area.sheet.ws
    for merged in list(ws.merged_cells.ranges):
        inside = area.r0 < merged.min_row <= area.r1 and area.c0 < merged.min_col <= area.c1
        if inside:
            ws.unmerge_cells(str(merged))
    _record(book, area.sheet.sheet_id, "unmergeCells", body)
    return {}


# ---------------------------------------------------------------------------- recorded only


def update_dimension_properties(book: Spreadsheet, body: dict[str, Any]) -> Reply:
    rng = body.get("range", {})
    meta = book.require_sheet(int(rng.get("sheetId", 0)))
    if rng.get("dimension") not in ("ROWS", "COLUMNS"):
        raise invalid_argument("sheets", "Invalid range.dimension: ROWS or COLUMNS expected.")
    _record(book, meta.sheet_id, "updateDimensionProperties", body)
    return {}


def set_data_validation(book: Spreadsheet, body: dict[str, Any]) -> Reply:
    area = book.grid_area(body.get("range", {}))
    rule = body.get("rule")
    if rule is not None and not (rule.get("condition") or {}).get("type"):
        raise invalid_argument(
            "sheets", "Invalid setDataValidation: rule.condition.type is required."
        )
    cells = book.validations.setdefault(area.sheet.sheet_id, {})
    for r in range(area.r0, area.r1):
        for c in range(area.c0, area.c1):
            if rule is None:
                cells.pop((r, c), None)  # no rule: clears the cell's validation
            else:
                cells[(r, c)] = copy.deepcopy(rule)
    _record(book, area.sheet.sheet_id, "setDataValidation", body)
    return {}


def add_conditional_format_rule(book: Spreadsheet, body: dict[str, Any]) -> Reply:
    rule = body.get("rule", {})
    ranges = rule.get("ranges") or []
    if not ranges:
        raise invalid_argument("sheets", "Invalid addConditionalFormatRule: no ranges.")
    meta = book.require_sheet(int(ranges[0].get("sheetId", 0)))
    rules = book.conditional.setdefault(meta.sheet_id, [])
    rules.insert(int(body.get("index", len(rules))), rule)
    _record(book, meta.sheet_id, "addConditionalFormatRule", body)
    return {}


def add_protected_range(book: Spreadsheet, body: dict[str, Any]) -> Reply:
    protected = copy.deepcopy(body.get("protectedRange", {}))
    rng = protected.get("range", {})
    book.require_sheet(int(rng.get("sheetId", 0)))
    protected["protectedRangeId"] = book._new_id()
    book.protected.append(protected)
    _record(book, int(rng.get("sheetId", 0)), "addProtectedRange", body)
    return {"addProtectedRange": {"protectedRange": protected}}


def delete_protected_range(book: Spreadsheet, body: dict[str, Any]) -> Reply:
    pid = body.get("protectedRangeId")
    found = [p for p in book.protected if str(p.get("protectedRangeId")) == str(pid)]
    if not found:
        raise invalid_argument("sheets", f"No protected range with id: {pid}")
    book.protected = [p for p in book.protected if p not in found]
    _record(book, int(found[0].get("range", {}).get("sheetId", 0)), "deleteProtectedRange", body)
    return {}


# ---------------------------------------------------------------------------- named ranges


def add_named_range(book: Spreadsheet, body: dict[str, Any]) -> Reply:
    spec = body.get("namedRange", {})
    name = spec.get("name", "")
    if not name or C.parse_a1(name) is not None or " " in name:
        raise invalid_argument("sheets", f"Invalid named range name: {name!r}")
    if book.named(name) is not None:
        raise invalid_argument("sheets", f"A named range with name '{name}' already exists.")
    rng = spec.get("range", {})
    meta = book.require_sheet(int(rng.get("sheetId", 0)))
    bounds = C.Bounds(
        int(rng.get("startRowIndex", 0)),
        int(rng.get("startColumnIndex", 0)),
        int(rng["endRowIndex"]) if "endRowIndex" in rng else None,
        int(rng["endColumnIndex"]) if "endColumnIndex" in rng else None,
    )
    nr = NamedRange(str(spec.get("namedRangeId") or book._new_id()), name, meta.sheet_id, bounds)
    book.named_ranges.append(nr)
    return {"addNamedRange": {"namedRange": book.named_json(nr)}}


def delete_named_range(book: Spreadsheet, body: dict[str, Any]) -> Reply:
    nid = str(body.get("namedRangeId", ""))
    before = len(book.named_ranges)
    book.named_ranges = [n for n in book.named_ranges if n.id != nid]
    if len(book.named_ranges) == before:
        raise invalid_argument("sheets", f"No named range with id: {nid}")
    return {}


_HANDLERS: dict[str, Callable[[Spreadsheet, dict[str, Any]], Reply]] = {
    "addSheet": add_sheet,
    "deleteSheet": delete_sheet,
    "updateSheetProperties": update_sheet_properties,
    "updateSpreadsheetProperties": update_spreadsheet_properties,
    "updateCells": update_cells,
    "repeatCell": repeat_cell,
    "mergeCells": merge_cells,
    "setBasicFilter": set_basic_filter,
    "clearBasicFilter": clear_basic_filter,
    "unmergeCells": unmerge_cells,
    "updateDimensionProperties": update_dimension_properties,
    "setDataValidation": set_data_validation,
    "addConditionalFormatRule": add_conditional_format_rule,
    "addProtectedRange": add_protected_range,
    "deleteProtectedRange": delete_protected_range,
    "addNamedRange": add_named_range,
    "deleteNamedRange": delete_named_range,
}
