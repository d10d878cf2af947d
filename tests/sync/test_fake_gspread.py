"""The fake answers what gspread itself sends, so other tests may use gspread freely."""

from __future__ import annotations

from collections.abc import Callable

import gspread

from tests.fake_google import FakeGoogle

from .workbooks import unit_workbook

MAKE = Callable[..., gspread.Client]


def test_gspread_worksheet_and_drive_calls(fake: FakeGoogle, make_client: MAKE) -> None:
    fake.add_shared_drive_folder("folder")
    client = make_client(max_attempts=1)
    key = fake.add_spreadsheet(unit_workbook(), title="Xã Vĩnh Hưng")
    sh = client.open_by_key(key)
    assert (sh.locale, sh.timezone) == ("vi_VN", "Asia/Ho_Chi_Minh")
    ws = sh.add_worksheet("Mới", rows=20, cols=5)
    ws.update([["a", 1], ["b", "=1+1"]], "A1")  # gspread 6 writes RAW: "=1+1" stays text
    ws.format("A1:B1", {"textFormat": {"bold": True}})
    ws.freeze(rows=1)
    ws.merge_cells("A5:B5")
    ws.append_row(["c", 3])
    assert ws.get_all_values()[:3] == [["a", "1"], ["b", "=1+1"], ["c", "3"]]
    ws.batch_clear(["A1"])
    assert ws.get("A1:B2") == [["", "1"], ["b", "=1+1"]]
    assert fake.cell_format(key, "Mới", 1, 2) == {"textFormat": {"bold": True}}
    ws.define_named_range("A2:B3", "vung_moi")
    assert "vung_moi" in [n["name"] for n in sh.list_named_ranges()]
    assert sh.values_get("vung_moi")["values"] == [["b", "=1+1"], ["c", "3"]]
    ws.update_title("Mới 2")
    assert sh.values_get("vung_moi")["range"] == "'Mới 2'!A2:B3"  # names follow the tab
    sh.update_title("Tiêu đề mới")
    assert fake.book(key).title == "Tiêu đề mới"
    sh.share("x@example.vn", perm_type="user", role="writer", notify=False)
    assert "x@example.vn" in [p.get("emailAddress") for p in sh.list_permissions()]
    assert [f["id"] for f in client.list_spreadsheet_files()] == [key]
    assert client.open("Xã Vĩnh Hưng").id == key
    sh.del_worksheet(sh.worksheet("Mới 2"))
    assert "Mới 2" not in fake.sheet_titles(key)
    copy = client.copy(key, title="Bản sao", folder_id="folder")
    assert copy.sheet1.acell("B3").value == "XA_VINH_HUNG"
