"""How to read a unit: the measurement behind sync.google's one-call strategy.

Run `python -m pytest tests/sync/test_read_strategy.py -s` to print the table. The workbook
has the template's size: 12 unit fields, 14 indicators (7 of them rates), 12 long narrative
sections, 18 inspection counts and a 30-row `hc_bang`, plus an instructions tab.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import requests
from openpyxl import Workbook
from openpyxl.utils import get_column_letter
from openpyxl.workbook.defined_name import DefinedName

from sync.google import GRID_FIELDS
from tests.fake_google import FakeGoogle

from .workbooks import to_bytes

INDICATORS = 14
RATES = 7
NARRATIVE = (
    "Ban Chấp hành Đảng bộ đã lãnh đạo, chỉ đạo triển khai nghiêm túc Nghị quyết Đại hội, cụ "
    "thể hóa bằng các chương trình, kế hoạch; kết quả đạt được khá toàn diện trên các lĩnh vực. "
) * 6  # ~1,100 characters, a typical section


def template_sized(broken: bool = False) -> bytes:
    wb = Workbook()
    names: dict[str, str] = {}

    def put(ws: Any, row: int, col: int, name: str, value: Any, fmt: str | None = None) -> None:
        cell = ws.cell(row, col, value)
        if fmt:
            cell.number_format = fmt
        names[name] = f"'{ws.title}'!${get_column_letter(col)}${row}"

    info = wb.active
    info.title = "Thông tin"
    for i in range(12):
        info.cell(3 + i, 1, f"Nhãn trường {i}")
        value: Any = date(2023, 3, 15) if i == 9 else f"Giá trị {i}"
        put(info, 3 + i, 2, f"tt_truong_{i:02d}", value, "dd/mm/yyyy" if i == 9 else None)
    targets = wb.create_sheet("Chỉ tiêu")
    for i in range(INDICATORS):
        row = 4 + i
        targets.cell(row, 1, f"Chỉ tiêu số {i}: một nhãn dài như trong mẫu báo cáo")
        put(targets, row, 3, f"ct_x{i:02d}_nq", 95.5)
        put(targets, row, 4, f"ct_x{i:02d}_kq", 0.9718, "0.00%")
        put(targets, row, 5, f"ct_x{i:02d}_du_bao", "Đạt")
        put(targets, row, 6, f"ct_x{i:02d}_ghi_chu", "Ghi chú ngắn của đơn vị.")
        if i < RATES:
            put(targets, row, 7, f"ct_x{i:02d}_tu_so", 9718)
            put(targets, row, 8, f"ct_x{i:02d}_mau_so", 10000)
    review = wb.create_sheet("Kiểm điểm")
    for i in range(12):
        review.cell(3 + 2 * i, 1, f"Mục {i + 1}")
        put(review, 4 + 2 * i, 1, f"kd_muc_{i:02d}", NARRATIVE)
    inspection = wb.create_sheet("Kiểm tra giám sát")
    for i in range(18):
        inspection.cell(3 + i, 1, f"Nội dung kiểm tra {i}")
        put(inspection, 3 + i, 3, f"ks_muc_{i:02d}", i % 4)
    table = wb.create_sheet("Hạn chế - Giải pháp")
    for r in range(3, 3 + 30):
        if r < 8:
            for c, text in enumerate(["Hạn chế", "Chủ quan", "Nguyên nhân", "Giải pháp"], 1):
                table.cell(r, c, f"{text} số {r}: một câu văn bình thường của đơn vị.")
    names["hc_bang"] = "'Hạn chế - Giải pháp'!$A$3:$F$32"
    guide = wb.create_sheet("Hướng dẫn")
    for r in range(1, 41):
        guide.cell(r, 1, f"Hướng dẫn dòng {r}: điền vào ô màu vàng, không sửa ô đã khóa.")
    if broken:
        names["tt_truong_05"] = "#REF!"
    for name, ref in names.items():
        wb.defined_names[name] = DefinedName(name, attr_text=ref)
    return to_bytes(wb)


def get(fake: FakeGoogle, path: str, params: dict[str, Any]) -> requests.Response:
    return requests.get(fake.url + path, params=params, timeout=10)


def measure(fake: FakeGoogle, key: str) -> dict[str, tuple[int, int, bool]]:
    """strategy → (calls, response bytes, all succeeded)."""
    base = f"/v4/spreadsheets/{key}"
    meta = get(fake, base, {"fields": "namedRanges(name),sheets(properties(sheetId,title))"})
    names = [n["name"] for n in meta.json()["namedRanges"]]
    full = get(fake, base, {"includeGridData": "true"})
    masked = get(fake, base, {"includeGridData": "true", "fields": GRID_FIELDS})
    values = get(fake, f"{base}/values:batchGet", {
        "ranges": names, "valueRenderOption": "UNFORMATTED_VALUE",
        "dateTimeRenderOption": "SERIAL_NUMBER"})  # fmt: skip
    ranged = get(fake, base, {"includeGridData": "true", "ranges": names, "fields": GRID_FIELDS})
    return {
        "spreadsheets.get, grid data, no fields mask": (1, len(full.content), full.ok),
        "spreadsheets.get, grid data, fields mask (ours)": (1, len(masked.content), masked.ok),
        "metadata + values:batchGet UNFORMATTED_VALUE": (
            2,
            len(meta.content) + len(values.content),
            meta.ok and values.ok,
        ),
        "spreadsheets.get, ranges=<every name>, mask": (1, len(ranged.content), ranged.ok),
    }


def test_one_masked_grid_read_is_small_complete_and_robust(fake: FakeGoogle) -> None:
    key = fake.add_spreadsheet(template_sized())
    broken_key = fake.add_spreadsheet(template_sized(broken=True))
    healthy = measure(fake, key)
    broken = measure(fake, broken_key)
    names = len(fake.book(key).named_ranges)

    print(f"\n{names} named ranges; bytes as the fake (pretty-printed like Google) sends them")
    print(f"{'strategy':50} {'calls':>5} {'bytes':>9}  one broken name")
    for strategy, (calls, size, _) in healthy.items():
        survives = "rest still read" if broken[strategy][2] else "whole call fails"
        print(f"{strategy:50} {calls:>5} {size:>9,}  {survives}")

    ours = healthy["spreadsheets.get, grid data, fields mask (ours)"]
    unmasked = healthy["spreadsheets.get, grid data, no fields mask"]
    assert ours[0] == 1 and ours[2]
    assert ours[1] * 5 < unmasked[1]  # the mask is what keeps the payload small
    assert ours[1] < 2_000_000 / 10  # far under Google's ~2 MB response comfort zone
    # Google leaves a #REF! name out of every answer, so no strategy trips over it; the
    # masked read still needs no second call to learn which names exist.
    assert all(ok for _calls, _size, ok in broken.values())
    listed = get(fake, f"/v4/spreadsheets/{broken_key}", {"fields": "namedRanges(name)"})
    assert "tt_truong_05" not in [n["name"] for n in listed.json()["namedRanges"]]
