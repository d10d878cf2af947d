"""The template's own names (the progress line) are skipped by the Google reader too."""

from __future__ import annotations

from sheets_schema.model import OWN_NAMES, PROGRESS_NAME
from sync.google import report_from_spreadsheet


def _answer(names: list[str]) -> dict[str, object]:
    row = {"values": [{"effectiveValue": {"stringValue": "Đã nhập 1/93 mục bắt buộc"}}]}
    return {
        "properties": {"title": "u", "locale": "vi_VN", "timeZone": "Asia/Ho_Chi_Minh"},
        "sheets": [
            {"properties": {"sheetId": 0, "title": "Thông tin"},
             "data": [{"startRow": 2, "startColumn": 0, "rowData": [row]}]},
        ],
        "namedRanges": [
            {"name": n, "range": {"startRowIndex": 2, "endRowIndex": 3, "startColumnIndex": 0,
                                  "endColumnIndex": 1}}
            for n in names
        ],
    }  # fmt: skip


def test_google_reader_skips_the_templates_own_names() -> None:
    raw = report_from_spreadsheet(_answer([*OWN_NAMES, "tt_chuc_vu"]))
    assert set(raw.blocks) == {"tt_chuc_vu"}
    assert PROGRESS_NAME not in raw.blocks
