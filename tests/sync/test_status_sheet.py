"""The status sheet writer: one read and one write, idempotent, only its own tab."""

from __future__ import annotations

from collections.abc import Callable

import gspread
import pytest
from openpyxl import Workbook

from sync.status_sheet import StatusSheetError, StatusValue, write_status_table
from tests.fake_google import FakeGoogle

from .conftest import SA_EMAIL
from .workbooks import to_bytes

MAKE = Callable[..., gspread.Client]
HEADER = ["Mã", "Đơn vị", "Tình trạng", "Mức hoàn thành", "Lỗi", "Đã xác nhận"]
GREEN, RED = "#C6EFCE", "#FFC7CE"


def district_sheet() -> bytes:
    wb = Workbook()
    wb.active.title = "Ghi chú"
    wb.active["A1"] = "Trang của Văn phòng, không được đụng tới"
    wb.active["B2"] = 42
    return to_bytes(wb)


def rows(n: int) -> list[list[StatusValue]]:
    return [[f"XA_{i:02d}", f"Đảng bộ xã số {i}", "Đúng hạn", 0.95, i, True] for i in range(n)]


def test_creates_the_tab_with_two_calls(fake: FakeGoogle, make_client: MAKE) -> None:
    key = fake.add_spreadsheet(district_sheet())
    table = rows(3)
    table[1] = ["XA_01", '=IMPORTRANGE("x";"y")', "Trễ hạn", None, 2, False]
    fake.reset_log()

    result = write_status_table(
        make_client(),
        f"https://docs.google.com/spreadsheets/d/{key}/edit#gid=0",
        HEADER,
        table,
        [GREEN, RED, None],
        notes=["Hạn nộp: trước ngày 23/3/2023 (đến hết 22/3/2023, giờ Việt Nam)."],
    )

    assert result.created_tab and result.rows == 3 and result.title == "Tình trạng"
    assert [(r.method, r.api) for r in fake.requests] == [("GET", "sheets"), ("POST", "sheets")]
    assert fake.sheet_titles(key) == ["Ghi chú", "Tình trạng"]
    values = fake.values(key, "'Tình trạng'!A1:F10")
    assert values[0] == HEADER
    assert values[1] == ["XA_00", "Đảng bộ xã số 0", "Đúng hạn", 0.95, 0, True]
    assert values[2][1] == '=IMPORTRANGE("x";"y")'  # text, not a formula
    assert values[2][3] == ""
    assert values[5] == ["Hạn nộp: trước ngày 23/3/2023 (đến hết 22/3/2023, giờ Việt Nam)."]
    assert fake.cell_format(key, "Tình trạng", 2, 1)["backgroundColor"] == {
        "red": 0.7765, "green": 0.9373, "blue": 0.8078,
    }  # fmt: skip
    assert fake.cell_format(key, "Tình trạng", 3, 6)["backgroundColor"]["red"] == 1.0
    assert "backgroundColor" not in fake.cell_format(key, "Tình trạng", 4, 1)
    assert fake.cell_format(key, "Tình trạng", 1, 1)["textFormat"] == {"bold": True}
    meta = fake.book(key).sheet_by_title("Tình trạng")
    assert meta is not None and meta.frozen_rows == 1


def test_twice_holds_the_table_once_and_other_tabs_untouched(fake: FakeGoogle, make_client):
    key = fake.add_spreadsheet(district_sheet())
    client = make_client()
    write_status_table(client, key, HEADER, rows(5), [GREEN] * 5)
    first = fake.values(key, "'Tình trạng'!A1:Z100")
    again = write_status_table(client, key, HEADER, rows(5), [GREEN] * 5)
    assert not again.created_tab
    assert fake.values(key, "'Tình trạng'!A1:Z100") == first
    assert len(first) == 6
    assert fake.sheet_titles(key) == ["Ghi chú", "Tình trạng"]
    assert fake.values(key, "'Ghi chú'!A1:C3") == [
        ["Trang của Văn phòng, không được đụng tới"],
        ["", 42],
    ]
    assert fake.sheet_requests(key, "Ghi chú") == []


def test_a_shorter_table_clears_old_rows_and_their_colours(fake: FakeGoogle, make_client):
    key = fake.add_spreadsheet(district_sheet())
    client = make_client()
    write_status_table(client, key, HEADER, rows(8), [RED] * 8, notes=["ghi chú cũ"])
    write_status_table(client, key, HEADER[:3], [r[:3] for r in rows(2)], [None, GREEN])
    values = fake.values(key, "'Tình trạng'!A1:Z100")
    assert values == [HEADER[:3], ["XA_00", "Đảng bộ xã số 0", "Đúng hạn"],
                      ["XA_01", "Đảng bộ xã số 1", "Đúng hạn"]]  # fmt: skip
    assert fake.cell_format(key, "Tình trạng", 5, 1) == {}
    assert "backgroundColor" not in fake.cell_format(key, "Tình trạng", 2, 1)


def test_grows_a_small_existing_tab(fake: FakeGoogle, make_client: MAKE) -> None:
    key = fake.add_spreadsheet(district_sheet())
    client = make_client()
    body = {"requests": [{"addSheet": {"properties": {
        "title": "Tình trạng", "gridProperties": {"rowCount": 3, "columnCount": 2}}}}]}  # fmt: skip
    client.http_client.batch_update(key, body)
    write_status_table(client, key, HEADER, rows(60), [None] * 60)
    assert len(fake.values(key, "'Tình trạng'!A1:F100")) == 61


def test_reader_only_is_a_clear_error(fake: FakeGoogle, make_client: MAKE) -> None:
    key = fake.add_spreadsheet(district_sheet(), shared="reader")
    with pytest.raises(StatusSheetError) as info:
        write_status_table(make_client(), key, HEADER, rows(1), [None],
                           service_account_email=SA_EMAIL)  # fmt: skip
    assert SA_EMAIL in info.value.message_vi and "Người chỉnh sửa" in info.value.message_vi
    assert fake.sheet_titles(key) == ["Ghi chú"]


@pytest.mark.parametrize(
    ("kind", "words"),
    [("404", "Không tìm thấy"), ("403_disabled", "Google Sheets API"), ("500", "lần đồng bộ sau")],
)
def test_failures_raise_status_sheet_error(fake, make_client: MAKE, kind: str, words: str) -> None:
    key = fake.add_spreadsheet(district_sheet())
    fake.set_fault(key, kind)
    with pytest.raises(StatusSheetError) as info:
        write_status_table(make_client(max_attempts=2), key, HEADER, rows(1), [None])
    assert words in info.value.message_vi


def test_bad_arguments_fail_before_any_call(fake: FakeGoogle, make_client: MAKE) -> None:
    key = fake.add_spreadsheet(district_sheet())
    fake.reset_log()
    with pytest.raises(ValueError, match="colour"):
        write_status_table(make_client(), key, HEADER, rows(1), ["green"])
    with pytest.raises(ValueError, match="row colours"):
        write_status_table(make_client(), key, HEADER, rows(2), [None])
    with pytest.raises(StatusSheetError):
        write_status_table(make_client(), "not a url/at all", HEADER, rows(1), [None])
    assert fake.requests == []
