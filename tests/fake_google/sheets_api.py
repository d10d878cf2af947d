"""Sheets v4 endpoints over the fake's files (the server resolves the file and access first)."""

from __future__ import annotations

from typing import Any

from .batch import apply_batch
from .drive import FakeFile
from .errors import GoogleError, invalid_argument
from .fields import MaskError, apply_mask, mask_selects, parse_mask
from .sheets import Area, Spreadsheet

Query = dict[str, list[str]]


def one(query: Query, name: str, default: str = "") -> str:
    values = query.get(name)
    return values[-1] if values else default


def mask_of(query: Query) -> Any:
    text = one(query, "fields")
    if not text:
        return None
    try:
        return parse_mask(text)
    except MaskError as exc:
        raise invalid_argument("sheets", f"Invalid field selection {text}") from exc


def book_of(f: FakeFile) -> Spreadsheet:
    assert f.book is not None  # the server answers FAILED_PRECONDITION for non-native files
    return f.book


def get_spreadsheet(f: FakeFile, query: Query, *, grid_data: bool = True) -> dict[str, Any]:
    """spreadsheets.get: includeGridData, ranges, fields (a mask wins over includeGridData).

    ``grid_data=False`` plays a minimal emulator that never returns grid data.
    """
    mask = mask_of(query)
    if mask is not None:
        grid = mask_selects(mask, "sheets", "data")
    else:
        grid = one(query, "includeGridData", "false").lower() == "true"
    grid = grid and grid_data
    ranges = query.get("ranges") or None
    body = book_of(f).to_json(f.id, grid=grid, ranges=ranges)
    return apply_mask(body, mask)


def values_get(f: FakeFile, rng: str, query: Query) -> dict[str, Any]:
    book = book_of(f)
    return book.read_values(
        book.resolve(rng),
        one(query, "valueRenderOption", "FORMATTED_VALUE"),
        one(query, "dateTimeRenderOption", "SERIAL_NUMBER"),
        one(query, "majorDimension", "ROWS"),
    )


def values_batch_get(f: FakeFile, query: Query) -> dict[str, Any]:
    out: dict[str, Any] = {"spreadsheetId": f.id}
    ranges = query.get("ranges", [])
    if ranges:
        out["valueRanges"] = [values_get(f, rng, query) for rng in ranges]
    return out


def _input_option(value: str | None) -> str:
    if value not in ("RAW", "USER_ENTERED"):
        raise invalid_argument("sheets", "'valueInputOption' is required but not specified")
    return value


def _write(book: Spreadsheet, area: Area, values: list[list[Any]], option: str) -> dict[str, Any]:
    book.write_values(area, values, option)
    height = len(values)
    width = max((len(r) for r in values), default=0)
    written = Area(area.sheet, area.r0, area.c0, area.r0 + max(height, 1), area.c0 + max(width, 1))
    return {
        "updatedRange": written.a1,
        "updatedRows": height,
        "updatedColumns": width,
        "updatedCells": sum(len(r) for r in values),
    }


def _rows(body: dict[str, Any]) -> list[list[Any]]:
    values = body.get("values") or []
    if body.get("majorDimension") == "COLUMNS" and values:
        width = max(len(c) for c in values)
        padded = [list(c) + [None] * (width - len(c)) for c in values]
        values = [list(r) for r in zip(*padded, strict=True)]
    return values


def values_update(f: FakeFile, rng: str, query: Query, body: dict[str, Any]) -> dict[str, Any]:
    book = book_of(f)
    option = _input_option(one(query, "valueInputOption") or None)
    result = _write(book, book.resolve(rng), _rows(body), option)
    f.touch()
    return {"spreadsheetId": f.id, **result}


def values_batch_update(f: FakeFile, body: dict[str, Any]) -> dict[str, Any]:
    book = book_of(f)
    option = _input_option(body.get("valueInputOption"))
    responses = []
    for item in body.get("data", []):
        result = _write(book, book.resolve(item.get("range", "")), _rows(item), option)
        responses.append({"spreadsheetId": f.id, **result})
    f.touch()
    return {
        "spreadsheetId": f.id,
        "totalUpdatedRows": sum(r["updatedRows"] for r in responses),
        "totalUpdatedColumns": sum(r["updatedColumns"] for r in responses),
        "totalUpdatedCells": sum(r["updatedCells"] for r in responses),
        "totalUpdatedSheets": len({r["updatedRange"].rsplit("!", 1)[0] for r in responses}),
        "responses": responses,
    }


def values_append(f: FakeFile, rng: str, query: Query, body: dict[str, Any]) -> dict[str, Any]:
    book = book_of(f)
    option = _input_option(one(query, "valueInputOption") or None)
    area = book.resolve(rng)
    last = 0
    for (r, c), xl in area.sheet.ws._cells.items():
        if xl.value is not None and area.c0 < c <= area.c1 and r > area.r0:
            last = max(last, r)
    start = Area(area.sheet, max(last, area.r0), area.c0, area.sheet.row_count, area.c1)
    values = _rows(body)
    needed = start.r0 + len(values)
    if needed > area.sheet.row_count:  # append grows the grid, unlike update
        area.sheet.row_count = needed
    result = _write(book, start, values, option)
    f.touch()
    return {
        "spreadsheetId": f.id,
        "tableRange": area.a1,
        "updates": {"spreadsheetId": f.id, **result},
    }


def values_clear(f: FakeFile, rng: str) -> dict[str, Any]:
    book = book_of(f)
    area = book.resolve(rng)
    book.clear(area)
    f.touch()
    return {"spreadsheetId": f.id, "clearedRange": area.a1}


def values_batch_clear(f: FakeFile, body: dict[str, Any]) -> dict[str, Any]:
    book = book_of(f)
    cleared = []
    for rng in body.get("ranges", []):
        area = book.resolve(rng)
        book.clear(area)
        cleared.append(area.a1)
    f.touch()
    return {"spreadsheetId": f.id, "clearedRanges": cleared}


def batch_update(f: FakeFile, body: dict[str, Any]) -> dict[str, Any]:
    """Apply the batch to a copy and keep it only if every request succeeded (atomic)."""
    requests = body.get("requests") or []
    if not requests:
        raise invalid_argument("sheets", "Must specify at least one request.")
    draft = book_of(f).clone()
    try:
        replies = apply_batch(draft, requests)
    except GoogleError:
        raise
    except (KeyError, TypeError, ValueError) as exc:
        raise invalid_argument("sheets", f"Invalid requests: {exc}") from exc
    f.book = draft
    f.touch()
    out: dict[str, Any] = {"spreadsheetId": f.id, "replies": replies}
    if body.get("includeSpreadsheetInResponse"):
        out["updatedSpreadsheet"] = draft.to_json(f.id, grid=False)
    return out
