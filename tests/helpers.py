"""Shared test helpers: a valid report typed into a real template, read back from .xlsx bytes."""

from __future__ import annotations

from datetime import date
from typing import Any

from jobs.demo.fill import fill_workbook
from sheets_schema import ParseContext, ParsedReport, Schema, parse_report, render_template
from sheets_schema.template import UnitInfo
from sync.excel import read_xlsx

TODAY = date(2023, 3, 20)
NARRATIVE = (
    "Ban Chấp hành đã lãnh đạo, chỉ đạo triển khai nghiêm túc Nghị quyết Đại hội, cụ thể hóa "
    "bằng các chương trình, kế hoạch; kết quả đạt được khá toàn diện trên các lĩnh vực."
)


def valid_values(
    schema: Schema, unit_type: str = "xa", code: str = "XA_VINH_HUNG"
) -> dict[str, Any]:
    """A complete, valid report for a unit of ``unit_type``, as a unit would type it."""
    values: dict[str, Any] = {
        "tt_ma_don_vi": code,
        "tt_ten_don_vi": "Đảng bộ xã Vĩnh Hưng",
        "tt_loai_hinh": schema.unit_types[unit_type],
        "tt_so_dang_vien": 412,
        "tt_so_chi_bo": 14,
        "tt_nguoi_bao_cao": "Nguyễn Văn An",
        "tt_chuc_vu": "Phó Bí thư Thường trực",
        "tt_dien_thoai": "0912.345.678",
        "tt_email": "vinhhung@example.vn",
        "tt_ngay_bao_cao": date(2023, 3, 15),
        "tt_xac_nhan": "Có",
    }
    if unit_type in ("xa", "thi_tran"):
        values["tt_dan_so"] = 12_000  # the weight of the weighted roll-ups
    for ind in schema.indicators:
        if not ind.applies(unit_type):
            continue
        if ind.is_rate:
            num, den = 960, 1000
            result = 100 * num / den
            values[ind.field_id("tu_so")] = num
            values[ind.field_id("mau_so")] = den
            values[ind.field_id("kq")] = result
            values[ind.field_id("nq")] = result + (1 if ind.better == "lower" else -1)
        else:
            values[ind.field_id("nq")] = 10
            values[ind.field_id("kq")] = 12 if ind.max is None else 15
            if ind.max is not None:
                values[ind.field_id("nq")] = 14
        values[ind.field_id("du_bao")] = "Đạt"
    for f in schema.fields:
        if f.narrative:
            values[f.id] = NARRATIVE
    for f in schema.fields:
        if f.id.startswith("ks_"):
            values[f.id] = 0
    values.update(ks_kt_to_chuc=3, ks_kl_dang_vien=2, ks_kl_khien_trach=1, ks_kl_canh_cao=1)
    values["hc_bang"] = [
        {"han_che": "Công tác tuyên truyền có lúc chưa sâu rộng.", "loai_nguyen_nhan": "Chủ quan",
         "nguyen_nhan": "Một số cấp ủy chưa quan tâm đúng mức.", "giai_phap": "Tăng cường kiểm tra.",
         "chiu_trach_nhiem": "Ban Tuyên giáo", "thoi_han": date(2024, 6, 30)},
    ]  # fmt: skip
    return values


def table_columns(schema: Schema) -> dict[str, list[str]]:
    return {t.name: [c.id for c in t.columns] for t in schema.tables}


def typed_workbook(schema: Schema, values: dict[str, Any], unit: UnitInfo | None = None) -> bytes:
    """The template with ``values`` typed into it, as .xlsx bytes."""
    return fill_workbook(render_template(schema, unit), values, table_columns(schema))


def parse_values(
    schema: Schema,
    values: dict[str, Any],
    *,
    unit_code: str | None = "XA_VINH_HUNG",
    unit_type: str | None = "xa",
    today: date = TODAY,
) -> ParsedReport:
    """Type ``values`` into a real template file, read it back and parse it."""
    raw = read_xlsx(typed_workbook(schema, values))
    return parse_report(schema, raw, ParseContext(unit_code, unit_type, today))
