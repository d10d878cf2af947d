"""Small unit workbooks built with openpyxl: the template's shape, not the real template.

Defined names as the template has them (workbook-level, equal to the field id), with the
traps the Google path must keep: a percent-formatted cell, a date, a checkbox, a table body.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from datetime import date

from openpyxl import Workbook
from openpyxl.workbook.defined_name import DefinedName

VERSION = "2023.2"
REQUIRED_NAMES = (
    "tt_ma_don_vi",
    "tt_ten_don_vi",
    "tt_so_dang_vien",
    "tt_ngay_bao_cao",
    "tt_xac_nhan",
    "tt_phien_ban",
    "ct_bhyt_kq",
    "hc_bang",
)


def unit_workbook(
    code: str = "XA_VINH_HUNG",
    *,
    name: str = "Đảng bộ xã Vĩnh Hưng",
    members: int = 412,
    bhyt: float = 0.085,
    report_date: date = date(2023, 3, 15),
    confirmed: bool = True,
    version: str = VERSION,
    error_cell: str | None = None,
    broken_names: Iterable[str] = (),
    drop_names: Iterable[str] = (),
) -> bytes:
    """A filled unit report as .xlsx bytes."""
    wb = Workbook()
    info = wb.active
    info.title = "Thông tin"
    info["A1"] = "THÔNG TIN ĐƠN VỊ BÁO CÁO"
    rows = [
        ("Mã đơn vị", code),
        ("Tên đơn vị", name),
        ("Tổng số đảng viên", members),
        ("Ngày báo cáo", report_date),
        ("Đã hoàn thành, gửi Ban Thường vụ Huyện ủy", confirmed),
        ("Phiên bản mẫu", version),
    ]
    for i, (label, value) in enumerate(rows, start=3):
        info.cell(i, 1, label)
        info.cell(i, 2, value)
    info["B6"].number_format = "dd/mm/yyyy"
    targets = wb.create_sheet("Chỉ tiêu")
    targets["A1"] = "CHỈ TIÊU NGHỊ QUYẾT"
    targets["A3"] = "Tỷ lệ dân số tham gia bảo hiểm y tế"
    targets["C3"] = bhyt
    targets["C3"].number_format = "0.0%"  # what typing "8,5%" stores
    if error_cell:
        targets["D3"] = error_cell
    table = wb.create_sheet("Hạn chế - Giải pháp")
    table.append(["Hạn chế, yếu kém", "Loại nguyên nhân", "Nguyên nhân", "Giải pháp",
                  "Chịu trách nhiệm", "Thời hạn"])  # fmt: skip
    table.append([])
    table["A3"] = "Công tác tuyên truyền có lúc chưa sâu rộng."
    table["B3"] = "Chủ quan"
    table["C3"] = "=1+1 không phải công thức"
    table["C3"].data_type = "s"
    table["D3"] = "Tăng cường kiểm tra."
    table["F3"] = date(2024, 6, 30)
    table["F3"].number_format = "dd/mm/yyyy"
    table["A4"] = "Chưa điền hết"
    guide = wb.create_sheet("Hướng dẫn")
    guide["A1"] = "Điền vào các ô màu vàng. Không sửa ô đã khóa."
    names = {
        "tt_ma_don_vi": "'Thông tin'!$B$3",
        "tt_ten_don_vi": "'Thông tin'!$B$4",
        "tt_so_dang_vien": "'Thông tin'!$B$5",
        "tt_ngay_bao_cao": "'Thông tin'!$B$6",
        "tt_xac_nhan": "'Thông tin'!$B$7",
        "tt_phien_ban": "'Thông tin'!$B$8",
        "ct_bhyt_kq": "'Chỉ tiêu'!$C$3",
        "ct_bhyt_ghi_chu": "'Chỉ tiêu'!$D$3",
        "hc_bang": "'Hạn chế - Giải pháp'!$A$3:$F$7",
    }
    for broken in broken_names:
        names[broken] = "#REF!"
    for dropped in drop_names:
        names.pop(dropped, None)
    for key, ref in names.items():
        wb.defined_names[key] = DefinedName(key, attr_text=ref)
    return to_bytes(wb)


def to_bytes(wb: Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
