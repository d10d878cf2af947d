"""The status sheet writer: one read and one write, idempotent, only its own tab."""

from __future__ import annotations

import csv
from collections.abc import Callable
from itertools import pairwise
from pathlib import Path

import gspread
import pytest
from openpyxl import Workbook
from openpyxl.utils.cell import coordinate_to_tuple

from sync.status_sheet import LinkedTable, StatusSheetError, StatusValue, write_status_table
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


def test_a_title_merged_by_hand_across_rows_1_and_2_is_written(fake, make_client: MAKE) -> None:
    wb = Workbook()
    wb.active.title = "Tình trạng"
    wb.active["A1"] = "BẢNG THEO DÕI (tiêu đề gộp ô bằng tay)"
    wb.active.merge_cells("A1:F2")
    key = fake.add_spreadsheet(to_bytes(wb))
    client = make_client()
    # Google refuses to freeze row 1 through that merge: the fake too.
    freeze = {"requests": [{"updateSheetProperties": {
        "properties": {"sheetId": 0, "gridProperties": {"frozenRowCount": 1}},
        "fields": "gridProperties.frozenRowCount"}}]}  # fmt: skip
    with pytest.raises(gspread.exceptions.APIError) as refused:
        client.http_client.batch_update(key, freeze)
    assert refused.value.code == 400 and "merged" in str(refused.value)
    write_status_table(client, key, HEADER, rows(2), [GREEN, RED])
    assert fake.values(key, "'Tình trạng'!A1:F3")[0] == HEADER
    meta = fake.book(key).sheet_by_title("Tình trạng")
    assert meta is not None and meta.frozen_rows == 1 and not meta.ws.merged_cells.ranges


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


# ---------------------------------------------------------------------- "Lỗi cần sửa"
FIX_HEADER = ["Mã đơn vị", "Tên đơn vị", "Mức", "Trang", "Ô", "Nội dung", "Giá trị đã nhập"]
SLOW = (2.0, 30.0)  # read timeout: the fake applies a big batch slowly on a busy machine
UNIT_URL = "https://docs.google.com/spreadsheets/d/1AbCdEfGhIjKlMnOpQrStUvWxYz0123456789/edit"


def fixes(n: int, *, value: str = "12a") -> LinkedTable:
    rows: list[list[StatusValue]] = [
        [f"XA_{i:02d}", f"Đảng bộ xã số {i}", "Lỗi", "Kiểm tra giám sát", f"C{5 + i}",
         f"Số đảng viên được kiểm tra: “{value}” không phải là số. Hãy nhập một số.", value]
        for i in range(n)
    ]  # fmt: skip
    links = [f"{UNIT_URL}#gid=7&range=C{5 + i}" for i in range(n)]
    return LinkedTable("Lỗi cần sửa", FIX_HEADER, rows, [RED] * n, links, 4)


def _cells(requests: list[dict]) -> list[dict]:
    return [c for r in requests if "updateCells" in r
            for row in r["updateCells"]["rows"] for c in row.get("values", [])]  # fmt: skip


def test_findings_tab_goes_in_the_same_single_write(fake: FakeGoogle, make_client: MAKE) -> None:
    key = fake.add_spreadsheet(district_sheet())
    table = fixes(3, value='=HYPERLINK("http://x.vn";"bấm")')
    table.rows[1][1] = "=IMPORTRANGE(A1)"  # a unit's name as typed in the roster
    fake.reset_log()

    result = write_status_table(
        make_client(timeout=SLOW), key, HEADER, rows(3), [GREEN] * 3, linked=table
    )

    assert [(r.method, r.api) for r in fake.requests] == [("GET", "sheets"), ("POST", "sheets")]
    assert result.linked_rows == 3 and result.writes == 1
    assert fake.sheet_titles(key) == ["Ghi chú", "Tình trạng", "Lỗi cần sửa"]
    values = fake.values(key, "'Lỗi cần sửa'!A1:H10")
    assert values[0] == FIX_HEADER
    assert values[2][:5] == ["XA_01", "=IMPORTRANGE(A1)", "Lỗi", "Kiểm tra giám sát", "C6"]
    assert values[3][6] == '=HYPERLINK("http://x.vn";"bấm")'  # text, never evaluated
    assert len(values) == 4
    # The link is a text-format link on the cell column, not a formula.
    link = fake.cell_format(key, "Lỗi cần sửa", 3, 5)["textFormat"]["link"]
    assert link == {"uri": f"{UNIT_URL}#gid=7&range=C6"}
    assert "textFormat" not in fake.cell_format(key, "Lỗi cần sửa", 3, 4)  # only that cell
    sent = fake.sheet_requests(key, "Lỗi cần sửa")
    entered = [c["userEnteredValue"] for c in _cells(sent) if "userEnteredValue" in c]
    assert entered and all(list(v) == ["stringValue"] for v in entered)
    # A basic filter over the whole table, the header frozen.
    meta = fake.book(key).sheet_by_title("Lỗi cần sửa")
    assert meta is not None and meta.frozen_rows == 1
    assert meta.basic_filter == {"range": {"sheetId": meta.sheet_id, "startRowIndex": 0,
                                           "endRowIndex": 4, "startColumnIndex": 0,
                                           "endColumnIndex": 7}}  # fmt: skip
    got = make_client().http_client.fetch_sheet_metadata(key)
    (sheet,) = [x for x in got["sheets"] if x["properties"]["title"] == "Lỗi cần sửa"]
    assert sheet["basicFilter"] == meta.basic_filter  # as spreadsheets.get shows it
    assert fake.sheet_requests(key, "Ghi chú") == []


def test_findings_tab_rewritten_in_place(fake: FakeGoogle, make_client: MAKE) -> None:
    key = fake.add_spreadsheet(district_sheet())
    client = make_client(timeout=SLOW)
    write_status_table(client, key, HEADER, rows(2), [GREEN] * 2, linked=fixes(9))
    first = fake.book(key).sheet_by_title("Lỗi cần sửa")
    assert first is not None
    fake.reset_log()
    again = write_status_table(client, key, HEADER, rows(2), [GREEN] * 2, linked=fixes(2))
    assert not again.created_tab and fake.count("sheets", "POST") == 1
    values = fake.values(key, "'Lỗi cần sửa'!A1:H20")
    assert [r[0] for r in values] == ["Mã đơn vị", "XA_00", "XA_01"]
    assert fake.cell_format(key, "Lỗi cần sửa", 8, 5) == {}  # old links and colours gone
    meta = fake.book(key).sheet_by_title("Lỗi cần sửa")
    assert meta is not None and meta.sheet_id == first.sheet_id
    assert meta.basic_filter is not None and meta.basic_filter["range"]["endRowIndex"] == 3
    assert fake.sheet_titles(key) == ["Ghi chú", "Tình trạng", "Lỗi cần sửa"]
    # No findings left: the header alone, still filtered.
    write_status_table(client, key, HEADER, rows(2), [GREEN] * 2, linked=fixes(0))
    assert fake.values(key, "'Lỗi cần sửa'!A1:H20") == [FIX_HEADER]
    meta = fake.book(key).sheet_by_title("Lỗi cần sửa")
    assert meta is not None and meta.basic_filter is not None
    assert meta.basic_filter["range"]["endRowIndex"] == 1


def test_a_huge_finding_list_is_split_under_2_mb(fake: FakeGoogle, make_client: MAKE) -> None:
    key = fake.add_spreadsheet(district_sheet())
    table = fixes(1000, value="giá trị rất dài " * 30)  # ~5 KB of JSON a row
    fake.reset_log()
    client = make_client(timeout=(2.0, 120.0))  # the fake applies megabytes slowly
    result = write_status_table(client, key, HEADER, rows(3), [GREEN] * 3, linked=table)
    posts = [r for r in fake.requests if r.method == "POST"]
    assert fake.count("sheets", "GET") == 1
    assert len(posts) == result.writes > 1
    assert all(0 < r.size <= 2_000_000 for r in posts)
    assert sum(r.size for r in posts) > 2_000_000
    values = fake.values(key, "'Lỗi cần sửa'!A1:H1001")
    assert len(values) == 1001 and values[-1][0] == "XA_999" and values[500][4] == "C504"
    assert fake.cell_format(key, "Lỗi cần sửa", 1001, 5)["textFormat"]["link"]["uri"].endswith(
        "range=C1004"
    )


def test_a_split_write_still_clears_an_older_longer_table(fake: FakeGoogle, make_client) -> None:
    key = fake.add_spreadsheet(district_sheet())
    client = make_client(timeout=SLOW)
    write_status_table(client, key, HEADER, rows(2), [GREEN] * 2, linked=fixes(40))
    result = write_status_table(client, key, HEADER, rows(2), [GREEN] * 2, linked=fixes(25),
                                max_request_bytes=6000)  # fmt: skip
    assert result.writes > 3
    values = fake.values(key, "'Lỗi cần sửa'!A1:H60")
    assert [r[0] for r in values] == ["Mã đơn vị"] + [f"XA_{i:02d}" for i in range(25)]
    assert fake.values(key, "'Tình trạng'!A1:A1") == [["Mã"]]


# ---------------------------------------------------------------------- the demo district
@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from jobs.demo import make_demo

    folder = tmp_path_factory.mktemp("fixdemo") / "excel"
    make_demo(folder, 24, seed=5, workers=1)
    return folder


def _csv_rows(path: Path) -> list[tuple[str, ...]]:
    """findings.csv as (code, Mức, tab, cell, message, value), CSV escaping undone."""
    sev = {"error": "Lỗi", "warning": "Cảnh báo"}

    def plain(text: str) -> str:
        return text[1:] if text.startswith("'") and text[1:2] in "=+-@\t\r" else text

    with path.open(encoding="utf-8-sig", newline="") as fh:
        return [(r["unit_code"], sev[r["severity"]], r["tab"], r["cell"], plain(r["message"]),
                 plain(r["value"])) for r in csv.DictReader(fh) if r["code"] != "truncated"]  # fmt: skip


def test_demo_district_findings_tab_matches_findings_csv(
    fake: FakeGoogle, make_client: MAKE, demo: Path, tmp_path: Path
) -> None:
    from tests.sync.test_google_sync import google_district, sync

    config, keys = google_district(fake, demo, tmp_path / "g")
    status_key = config.google.status_spreadsheet
    client = make_client(timeout=SLOW)
    for run in ("first", "unchanged"):
        fake.reset_log()
        result = sync(config, client)
        assert result.status_sheet == "written", run
        to_status = [r for r in fake.requests if status_key in r.path]
        assert [(r.method, r.query.get("includeGridData")) for r in to_status] == [
            ("GET", None),
            ("POST", None),
        ], run  # one metadata read (a fields mask, no grid data) and one write
        assert "data" not in to_status[0].query.get("fields", [""])[0]

    expected = _csv_rows(tmp_path / "g" / "out" / "findings.csv")
    table = fake.values(status_key, "'Lỗi cần sửa'!A1:G2000")
    assert table[0] == FIX_HEADER
    body = [[str(c) for c in row] + [""] * (7 - len(row)) for row in table[1:]]
    shown = [(r[0], r[2], r[3], "" if r[4].startswith("(") else r[4], r[5], r[6]) for r in body]
    assert len(expected) > 20 and sorted(shown) == sorted(expected)
    # Roster order, then position.
    roster = [o.unit.code for o in result.outcomes]
    assert [roster.index(r[0]) for r in shown] == sorted(roster.index(r[0]) for r in shown)
    for a, b in pairwise(shown):
        if a[0] == b[0] and a[2] == b[2] and a[3] and b[3]:  # same unit and tab: by position
            assert coordinate_to_tuple(a[3].split(":")[0]) <= coordinate_to_tuple(
                b[3].split(":")[0]
            )
    # Each row links to its unit's sheet at the tab and cell of the finding.
    for n, (code, _sev, tab, cell, _msg, _val) in enumerate(shown, start=2):
        fmt = fake.cell_format(status_key, "Lỗi cần sửa", n, 5)
        assert "textFormat" in fmt, (code, tab, cell)
        uri = fmt["textFormat"]["link"]["uri"]
        assert uri.startswith(f"https://docs.google.com/spreadsheets/d/{keys[code]}/edit"), uri
        if tab and cell:
            meta = fake.book(keys[code]).sheet_by_title(tab)
            assert meta is not None
            assert uri.endswith(f"#gid={meta.sheet_id}&range={cell}")
    # Unit sheets stay read-only to the job.
    assert not any(
        r.method != "GET" and key in r.path for r in fake.requests for key in keys.values()
    )
