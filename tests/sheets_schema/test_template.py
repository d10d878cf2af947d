"""The generated template read back with openpyxl, as Excel or LibreOffice would see it."""

from __future__ import annotations

import io

import openpyxl
from openpyxl.worksheet.cell_range import CellRange

from sheets_schema import FieldType, Schema, UnitInfo, render_template
from tests.test_schema_ids import spec_ids


def _load(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def _where(wb: openpyxl.Workbook, name: str) -> tuple[str, str]:
    ((sheet, ref),) = list(wb.defined_names[name].destinations)
    return sheet, ref.replace("$", "")


def test_every_spec_id_is_a_workbook_level_name(schema: Schema) -> None:
    wb = _load(render_template(schema))
    assert spec_ids() <= set(wb.defined_names)
    sheet, ref = _where(wb, "hc_bang")
    assert sheet == "Hạn chế - Giải pháp"
    rng = CellRange(ref)
    assert rng.size == {"rows": 30, "columns": 6}
    assert wb.sheetnames[:6] == [
        "Hướng dẫn",
        "Thông tin",
        "Chỉ tiêu",
        "Kiểm điểm",
        "Kiểm tra giám sát",
        "Hạn chế - Giải pháp",
    ]
    assert wb["Danh mục"].sheet_state == "hidden"


def test_choice_fields_have_dropdowns(schema: Schema) -> None:
    wb = _load(render_template(schema))
    choice_ids = [f.id for f in schema.fields if f.type in (FieldType.CHOICE, FieldType.BOOL)]
    for fid in choice_ids:
        sheet, ref = _where(wb, fid)
        lists = [dv for dv in wb[sheet].data_validations.dataValidation if dv.type == "list"]
        assert any(ref in dv.sqref for dv in lists), f"{fid} has no dropdown"
    sheet, ref = _where(wb, "hc_bang")
    loai = CellRange(ref).min_col + 1  # loai_nguyen_nhan is the second column
    lists = [dv for dv in wb[sheet].data_validations.dataValidation if dv.type == "list"]
    assert any(openpyxl.utils.get_column_letter(loai) + "5" in dv.sqref for dv in lists)


def test_labels_locked_inputs_unlocked(schema: Schema) -> None:
    wb = _load(render_template(schema))
    for title in [
        "Thông tin",
        "Chỉ tiêu",
        "Kiểm điểm",
        "Kiểm tra giám sát",
        "Hạn chế - Giải pháp",
        "Hướng dẫn",
    ]:
        assert wb[title].protection.sheet, f"{title} is not protected"
        assert not wb[title].protection.password
    ws = wb["Thông tin"]
    _sheet, ref = _where(wb, "tt_so_dang_vien")
    assert ws[ref].protection.locked is False
    label = ws.cell(ws[ref].row, ws[ref].column - 1)
    assert label.value == "Tổng số đảng viên" and label.protection.locked is not False
    # The blank template has no unit: its code and name are input cells, with a hint that
    # says so (a prefilled copy locks them, below).
    _, ref = _where(wb, "tt_ma_don_vi")
    assert ws[ref].protection.locked is False and ws[ref].value is None
    hint = ws.cell(ws[ref].row, ws[ref].column + 1).value
    assert hint.startswith("Mẫu trống: nhập đúng mã đơn vị") and "không sửa" not in hint
    _, ref = _where(wb, "tt_phien_ban")
    assert ws[ref].value == schema.version
    assert ws.freeze_panes is not None
    assert "Hướng dẫn" in wb.sheetnames and wb["Hướng dẫn"]["A4"].value.startswith("1.")


def test_unit_prefill_and_greyed_indicators(schema: Schema) -> None:
    wb = _load(render_template(schema, UnitInfo("CQ_VP", "Chi bộ Văn phòng Huyện ủy", "co_quan")))
    ws = wb["Thông tin"]
    assert ws[_where(wb, "tt_ma_don_vi")[1]].value == "CQ_VP"
    assert ws[_where(wb, "tt_ma_don_vi")[1]].protection.locked is not False  # the district's
    assert ws[_where(wb, "tt_ten_don_vi")[1]].value == "Chi bộ Văn phòng Huyện ủy"
    assert ws[_where(wb, "tt_loai_hinh")[1]].value == "Cơ quan"
    ci = wb["Chỉ tiêu"]
    grey = ci[_where(wb, "ct_thu_nhap_kq")[1]].fill.fgColor.rgb
    applies = ci[_where(wb, "ct_ket_nap_dang_vien_kq")[1]].fill.fgColor.rgb
    assert grey != applies and grey.endswith("D9D9D9")
    assert "không áp dụng" in ci.cell(ci[_where(wb, "ct_thu_nhap_kq")[1]].row, 2).value


def test_template_bytes_are_deterministic(schema: Schema) -> None:
    assert render_template(schema) == render_template(schema)
