"""The district status sheet: one tab of a Google Sheet rewritten with the status table.

Two calls per run, whatever the table's size: one metadata read (does the tab exist, how big
is its grid) and one `batchUpdate` that creates or resizes the tab, writes every cell with its
format and clears what an older, longer table left below. Values are typed (`stringValue`,
`numberValue`, `boolValue`), so a unit name such as "=IMPORTRANGE(…)" or "+84…" is shown as
text and never evaluated. Nothing outside the tab is touched.
"""

from __future__ import annotations

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
_HEX = re.compile(r"#?([0-9A-Fa-f]{6})")
_META_FIELDS = "sheets(properties(sheetId,title,gridProperties(rowCount,columnCount)))"


class StatusSheetError(Exception):
    """The status sheet could not be written; `message_vi` tells district staff what to do."""

    def __init__(self, message: str, message_vi: str) -> None:
        super().__init__(message)
        self.message_vi = message_vi


@dataclass(frozen=True, slots=True)
class StatusSheetResult:
    """What was written: where, how many table rows, whether the tab had to be created."""

    spreadsheet_id: str
    sheet_id: int
    title: str
    rows: int
    created_tab: bool
    url: str


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
) -> StatusSheetResult:
    """Replace the tab `title` with header, rows (one background colour each) and notes.

    Creates the tab when missing; running twice leaves the table once. Raises
    StatusSheetError (after no partial write: a batchUpdate is atomic) on any failure.
    Colours are "#RRGGBB" or None.
    """
    key = spreadsheet_key(spreadsheet_key_or_url)
    if key is None:
        raise StatusSheetError(
            f"status_spreadsheet {spreadsheet_key_or_url!r} is not a Google Sheets URL or key",
            "Cấu hình status_spreadsheet không phải đường dẫn hay mã của Google Trang tính.",
        )
    if len(row_colors) != len(rows):
        raise ValueError(f"{len(rows)} rows but {len(row_colors)} row colours")
    grid = _table(header, rows, row_colors, notes)
    height = len(grid)
    width = max(len(r["values"]) for r in grid)
    http = client.http_client
    who = service_account_email or "tài khoản dịch vụ của hệ thống"
    try:
        meta = http.fetch_sheet_metadata(key, params={"fields": _META_FIELDS})
        existing = _find_tab(meta, title)
        created = existing is None
        if existing is None:
            sheet_id = _free_sheet_id(meta, title)
            requests_ = [_add_tab(sheet_id, title, height, width)]
        else:
            sheet_id = int(existing["sheetId"])
            requests_ = _prepare_tab(existing, height, width)
        requests_.append(
            {
                "updateCells": {
                    # The whole tab: cells the rows do not cover are cleared (old, longer tables).
                    "range": {"sheetId": sheet_id},
                    "rows": grid,
                    "fields": "userEnteredValue,userEnteredFormat",
                }
            }
        )
        requests_.extend(_column_widths(sheet_id, header, rows))
        http.batch_update(key, {"requests": requests_})
    except APIError as exc:
        raise _error(exc, key, who) from exc
    except (requests.RequestException, GoogleAuthError) as exc:
        raise StatusSheetError(
            f"status sheet {key}: {type(exc).__name__} after retries",
            "Không kết nối được tới Google để ghi bảng tình trạng; lần đồng bộ sau sẽ ghi lại.",
        ) from exc
    log.info("status sheet %s: wrote %d rows to tab %r", key, len(rows), title)
    return StatusSheetResult(key, sheet_id, title, len(rows), created, sheet_url(key))


def _find_tab(meta: Mapping[str, Any], title: str) -> dict[str, Any] | None:
    for sheet in meta.get("sheets", []):
        props = sheet.get("properties", {})
        if props.get("title") == title:
            return {"sheetId": props.get("sheetId", 0), **props}
    return None


def _free_sheet_id(meta: Mapping[str, Any], title: str) -> int:
    # Chosen by us so the same batch can address the new tab; stable across runs.
    used = {int(s.get("properties", {}).get("sheetId", 0)) for s in meta.get("sheets", [])}
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
        # Someone may have merged cells by hand; merged cells would swallow our values.
        {"unmergeCells": {"range": {"sheetId": sheet_id}}},
    ]


def _table(
    header: list[str],
    rows: list[list[StatusValue]],
    row_colors: list[str | None],
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
            log.warning("status sheet: non-finite number %r written as text", value)
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
    sheet_id: int, header: list[str], rows: list[list[StatusValue]]
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
