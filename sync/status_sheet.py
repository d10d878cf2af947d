"""The district status sheet: tabs of a Google Sheet rewritten with the status table.

Two calls per run, whatever the tables' sizes: one metadata read (do the tabs exist, how big
are their grids) and one `batchUpdate` that creates or resizes the tabs, writes every cell with
its format and clears what an older, longer table left below. Two tabs: "Tình trạng" (the
status table) and, when given, "Lỗi cần sửa" (every finding, each row linked to the cell in
the unit's own sheet, with a basic filter).

Values are typed (`stringValue`, `numberValue`, `boolValue`), so a unit name such as
"=IMPORTRANGE(…)" or "+84…" is shown as text and never evaluated; links are text-format links
(`userEnteredFormat.textFormat.link`), never a HYPERLINK formula. Nothing outside the two tabs
is touched.

One exception to the single write: Google takes request bodies of about 2 MB at most, so a
write that would be larger (thousands of findings) is split into several `batchUpdate`s, each
under ``max_request_bytes``. They are no longer atomic together; a failure part-way leaves the
tabs partly written until the next run rewrites them whole.
"""

from __future__ import annotations

import json
import logging
import math
import re
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import gspread
import requests
from google.auth.exceptions import GoogleAuthError
from gspread.exceptions import APIError

from .google import sheet_url, spreadsheet_key

log = logging.getLogger(__name__)

StatusValue = str | int | float | bool | None

HEADER_COLOR = "#D9E2F3"
MAX_REQUEST_BYTES = 1_900_000  # Google takes bodies of about 2 MB; keep a margin
_HEX = re.compile(r"#?([0-9A-Fa-f]{6})")
_META_FIELDS = "sheets(properties(sheetId,title,gridProperties(rowCount,columnCount)))"
_CELL_FIELDS = "userEnteredValue,userEnteredFormat"


class StatusSheetError(Exception):
    """The status sheet could not be written; `message_vi` tells district staff what to do."""

    def __init__(self, message: str, message_vi: str) -> None:
        super().__init__(message)
        self.message_vi = message_vi


@dataclass(frozen=True, slots=True)
class LinkedTable:
    """A tab of text rows, one background colour and one link (or None) per row.

    The link goes on the cell in ``link_column`` as a text-format link; the tab gets a basic
    filter over the whole table.
    """

    title: str
    header: list[str]
    rows: Sequence[Sequence[StatusValue]]
    row_colors: Sequence[str | None]
    links: Sequence[str | None]
    link_column: int


@dataclass(frozen=True, slots=True)
class StatusSheetResult:
    """What was written: where, how many table rows, whether the tab had to be created."""

    spreadsheet_id: str
    sheet_id: int
    title: str
    rows: int
    created_tab: bool
    url: str
    linked_rows: int = 0  # rows of the linked tab ("Lỗi cần sửa")
    writes: int = 1  # batchUpdate calls: 1 unless the payload had to be split


@dataclass
class _Tab:
    title: str
    grid: list[dict[str, Any]]
    header: list[str]
    rows: Sequence[Sequence[StatusValue]]
    filtered: bool = False


def write_status_table(
    client: gspread.Client,
    spreadsheet_key_or_url: str,
    header: list[str],
    rows: list[list[StatusValue]],
    row_colors: list[str | None],
    title: str = "Tình trạng",
    notes: Sequence[str] = (),
    *,
    service_account_email: str = "",
    linked: LinkedTable | None = None,
    max_request_bytes: int = MAX_REQUEST_BYTES,
) -> StatusSheetResult:
    """Replace the tab `title` with header, rows (one background colour each) and notes.

    With ``linked``, also replace that tab in the same write. Creates tabs when missing;
    running twice leaves each table once. Raises StatusSheetError on any failure (after no
    partial write unless the write had to be split). Colours are "#RRGGBB" or None.
    """
    key = spreadsheet_key(spreadsheet_key_or_url)
    if key is None:
        raise StatusSheetError(
            f"status_spreadsheet {spreadsheet_key_or_url!r} is not a Google Sheets URL or key",
            "Cấu hình status_spreadsheet không phải đường dẫn hay mã của Google Trang tính.",
        )
    if len(row_colors) != len(rows):
        raise ValueError(f"{len(rows)} rows but {len(row_colors)} row colours")
    tabs = [_Tab(title, _table(header, rows, row_colors, notes), header, rows)]
    if linked is not None:
        if linked.title == title:
            raise ValueError(f"the linked table needs its own tab, not {title!r}")
        tabs.append(_Tab(linked.title, _linked_grid(linked), linked.header, linked.rows, True))
    http = client.http_client
    who = service_account_email or "tài khoản dịch vụ của hệ thống"
    try:
        meta = http.fetch_sheet_metadata(key, params={"fields": _META_FIELDS})
        used = {int(s.get("properties", {}).get("sheetId", 0)) for s in meta.get("sheets", [])}
        structure: list[dict[str, Any]] = []
        cells: list[dict[str, Any]] = []
        finish: list[dict[str, Any]] = []
        ids: list[int] = []
        created: list[bool] = []
        for tab in tabs:
            height = len(tab.grid)
            width = max(len(r["values"]) for r in tab.grid)
            existing = _find_tab(meta, tab.title)
            created.append(existing is None)
            if existing is None:
                sheet_id = _free_sheet_id(used, tab.title)
                used.add(sheet_id)
                structure.append(_add_tab(sheet_id, tab.title, height, width))
            else:
                sheet_id = int(existing["sheetId"])
                structure.extend(_prepare_tab(existing, height, width))
            ids.append(sheet_id)
            cells.extend(_cell_updates(sheet_id, tab.grid, max_request_bytes - 4096))
            finish.extend(_column_widths(sheet_id, tab.header, tab.rows))
            if tab.filtered:
                finish.append(_basic_filter(sheet_id, height, width))
        batches = _batches(structure + cells + finish, max_request_bytes)
        for batch in batches:
            http.batch_update(key, {"requests": batch})
    except APIError as exc:
        raise _error(exc, key, who) from exc
    except (requests.RequestException, GoogleAuthError) as exc:
        raise StatusSheetError(
            f"status sheet {key}: {type(exc).__name__} after retries",
            "Không kết nối được tới Google để ghi bảng tình trạng; lần đồng bộ sau sẽ ghi lại.",
        ) from exc
    if len(batches) > 1:
        log.warning("bảng tình trạng %s: nội dung ghi được chia thành %d lần gửi (mỗi lần tối "
                    "đa %d byte)", key, len(batches), max_request_bytes)  # fmt: skip
    log.info("bảng tình trạng %s: đã ghi %d dòng vào trang “%s”", key, len(rows), title)
    return StatusSheetResult(key, ids[0], title, len(rows), created[0], sheet_url(key),
                             len(linked.rows) if linked else 0, len(batches))  # fmt: skip


def _find_tab(meta: Mapping[str, Any], title: str) -> dict[str, Any] | None:
    for sheet in meta.get("sheets", []):
        props = sheet.get("properties", {})
        if props.get("title") == title:
            return {"sheetId": props.get("sheetId", 0), **props}
    return None


def _free_sheet_id(used: set[int], title: str) -> int:
    # Chosen by us so the same batch can address the new tab; stable across runs.
    candidate = zlib.crc32(title.encode("utf-8")) % 2_000_000_000 + 1
    while candidate in used:
        candidate += 1
    return candidate


def _add_tab(sheet_id: int, title: str, height: int, width: int) -> dict[str, Any]:
    grid = {"rowCount": max(height, 50), "columnCount": max(width, 10), "frozenRowCount": 1}
    return {"addSheet": {"properties": {"sheetId": sheet_id, "title": title,
                                        "gridProperties": grid}}}  # fmt: skip


def _prepare_tab(existing: Mapping[str, Any], height: int, width: int) -> list[dict[str, Any]]:
    sheet_id = int(existing["sheetId"])
    grid = existing.get("gridProperties", {})
    rows = max(int(grid.get("rowCount", 0)), height)
    cols = max(int(grid.get("columnCount", 0)), width)
    return [
        # Someone may have merged cells by hand; merged cells would swallow our values. First:
        # Google refuses to freeze row 1 while a merge spans rows 1–2 (a hand-made title).
        {"unmergeCells": {"range": {"sheetId": sheet_id}}},
        {
            "updateSheetProperties": {
                "properties": {
                    "sheetId": sheet_id,
                    "gridProperties": {"rowCount": rows, "columnCount": cols, "frozenRowCount": 1},
                },
                "fields": "gridProperties.rowCount,gridProperties.columnCount,"
                "gridProperties.frozenRowCount",
            }
        },
    ]


def _table(
    header: list[str],
    rows: Sequence[Sequence[StatusValue]],
    row_colors: Sequence[str | None],
    notes: Sequence[str],
) -> list[dict[str, Any]]:
    head_format = {
        "backgroundColor": _color(HEADER_COLOR),
        "textFormat": {"bold": True},
        "wrapStrategy": "WRAP",
        "verticalAlignment": "MIDDLE",
    }
    out = [{"values": [_cell(h, head_format) for h in header]}]
    width = max([len(header)] + [len(r) for r in rows])
    for row, color in zip(rows, row_colors, strict=True):
        fmt = {"backgroundColor": _color(color)} if color else None
        padded = list(row) + [None] * (width - len(row))  # the colour spans the whole row
        out.append({"values": [_cell(v, fmt) for v in padded]})
    if notes:
        out.append({"values": [{}]})
        out.extend({"values": [_cell(n, {"textFormat": {"italic": True}})]} for n in notes)
    return out


def _linked_grid(table: LinkedTable) -> list[dict[str, Any]]:
    if not len(table.rows) == len(table.row_colors) == len(table.links):
        raise ValueError("the linked table needs one colour and one link per row")
    grid = _table(table.header, table.rows, table.row_colors, ())
    for row, url in zip(grid[1:], table.links, strict=True):
        if not url or table.link_column >= len(row["values"]):
            continue
        cell = row["values"][table.link_column]
        # A text-format link on our own text: nothing is evaluated, unlike =HYPERLINK(…).
        # (A copy: the row's cells share one format dict.)
        cell["userEnteredFormat"] = {**cell.get("userEnteredFormat", {}),
                                     "textFormat": {"link": {"uri": url}}}  # fmt: skip
    return grid


def _cell_updates(sheet_id: int, grid: list[dict[str, Any]], budget: int) -> list[dict[str, Any]]:
    """updateCells requests for ``grid``, each under ``budget`` bytes of JSON.

    The first covers the whole tab (so what an older, longer table left is cleared); the
    others continue below it from a start cell.
    """
    out: list[dict[str, Any]] = []
    chunk: list[dict[str, Any]] = []
    size = 0
    first_row = 0
    for i, row in enumerate(grid):
        row_size = len(json.dumps(row)) + 1
        if chunk and size + row_size > budget:
            out.append(_update(sheet_id, first_row, chunk, whole=not out))
            chunk, size, first_row = [], 0, i
        chunk.append(row)
        size += row_size
    out.append(_update(sheet_id, first_row, chunk, whole=not out))
    return out


def _update(sheet_id: int, row: int, rows: list[dict[str, Any]], *, whole: bool) -> dict[str, Any]:
    where: dict[str, Any] = (
        {"range": {"sheetId": sheet_id}}
        if whole
        else {"start": {"sheetId": sheet_id, "rowIndex": row, "columnIndex": 0}}
    )
    return {"updateCells": {**where, "rows": rows, "fields": _CELL_FIELDS}}


def _basic_filter(sheet_id: int, height: int, width: int) -> dict[str, Any]:
    grid_range = {"sheetId": sheet_id, "startRowIndex": 0, "endRowIndex": height,
                  "startColumnIndex": 0, "endColumnIndex": width}  # fmt: skip
    return {"setBasicFilter": {"filter": {"range": grid_range}}}


def _batches(requests_: list[dict[str, Any]], limit: int) -> list[list[dict[str, Any]]]:
    """Requests in order, grouped into as few bodies under ``limit`` bytes as they fit."""
    out: list[list[dict[str, Any]]] = [[]]
    size = len('{"requests": []}')
    for request in requests_:
        # As requests sends it: json.dumps with ASCII escapes ("ệ" costs 6 bytes).
        cost = len(json.dumps(request)) + 2
        if out[-1] and size + cost > limit:
            out.append([])
            size = len('{"requests": []}')
        out[-1].append(request)
        size += cost
    return out


def _cell(value: StatusValue, fmt: dict[str, Any] | None) -> dict[str, Any]:
    cell: dict[str, Any] = {}
    entered = _typed(value)
    if entered:
        cell["userEnteredValue"] = entered
    if fmt:
        cell["userEnteredFormat"] = fmt
    return cell


def _typed(value: StatusValue) -> dict[str, Any]:
    if value is None:
        return {}
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            log.warning("bảng tình trạng: số không hợp lệ %r được ghi dạng chữ", value)
            return {"stringValue": str(value)}
        return {"numberValue": value}
    if isinstance(value, str):
        return {"stringValue": value}  # text, never parsed as a formula or a number
    raise TypeError(f"status sheet cells take str, int, float, bool or None, not {value!r}")


def _color(text: str) -> dict[str, float]:
    m = _HEX.fullmatch(text.strip())
    if not m:
        raise ValueError(f"colour {text!r} is not #RRGGBB")
    rgb = m.group(1)
    return {
        name: round(int(rgb[i : i + 2], 16) / 255, 4)
        for name, i in (("red", 0), ("green", 2), ("blue", 4))
    }


def _column_widths(
    sheet_id: int, header: list[str], rows: Sequence[Sequence[StatusValue]]
) -> list[dict[str, Any]]:
    requests_ = []
    for col, head in enumerate(header):
        longest = max([len(head) // 2 + 1] + [len(str(r[col])) for r in rows if col < len(r)])
        requests_.append(
            {
                "updateDimensionProperties": {
                    "range": {
                        "sheetId": sheet_id,
                        "dimension": "COLUMNS",
                        "startIndex": col,
                        "endIndex": col + 1,
                    },
                    "properties": {"pixelSize": min(360, max(60, 8 * longest + 16))},
                    "fields": "pixelSize",
                }
            }
        )
    return requests_


def _error(exc: APIError, key: str, who: str) -> StatusSheetError:
    status = exc.response.status_code
    error = exc.error if isinstance(exc.error, Mapping) else {}
    reasons = {d.get("reason") for d in error.get("details") or [] if isinstance(d, Mapping)}
    if "SERVICE_DISABLED" in reasons:
        return StatusSheetError(
            f"status sheet {key}: Google Sheets API disabled",
            "Google Sheets API chưa được bật cho dự án Google Cloud của hệ thống. Quản trị viên "
            "vào Google Cloud console → APIs & Services → Library, bật Google Sheets API.",
        )
    if status == 403:
        return StatusSheetError(
            f"status sheet {key}: 403, not shared with {who} as Editor",
            f"Hệ thống chưa được quyền ghi bảng tình trạng. Mở bảng tính, bấm Chia sẻ, thêm {who} "
            "với quyền Người chỉnh sửa.",
        )
    if status == 404:
        return StatusSheetError(
            f"status sheet {key}: 404 not found",
            "Không tìm thấy bảng tình trạng: kiểm tra status_spreadsheet trong cấu hình.",
        )
    return StatusSheetError(
        f"status sheet {key}: HTTP {status} {error.get('message', '')}".strip(),
        f"Google từ chối ghi bảng tình trạng (mã lỗi {status}); lần đồng bộ sau sẽ ghi lại.",
    )
